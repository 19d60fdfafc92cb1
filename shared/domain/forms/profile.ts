/**
 * A declarative site profile: how to fill one platform's form when heuristics are not enough (or to pin a
 * known platform). A profile takes precedence over heuristics; a profile selector that matches nothing on a
 * page that still has a form is `script-broken` — our problem, not the site's.
 */
import { z } from 'zod';

const fieldSpec = z
  .object({
    /** CSS selector of the control. */
    selector: z.string().min(1).optional(),
    /** Text of its label / table cell, when no stable selector exists. */
    label: z.string().min(1).optional(),
    /** Fixed value or option text to choose (e.g. 咨询). */
    value: z.string().optional(),
  })
  .refine((f) => f.selector || f.label, { message: 'a field needs a selector or a label' });

export const PROFILE_ROLES = ['name', 'phone', 'email', 'title', 'body', 'type', 'public', 'unit', 'agree', 'address'] as const;

export const siteProfileSchema = z.object({
  name: z.string().min(1),
  /** Optional URL pattern (regular expression) of the pages this profile applies to. */
  urlPattern: z.string().optional(),
  fields: z.partialRecord(z.enum(PROFILE_ROLES), fieldSpec),
  submit: z.object({ selector: z.string().optional(), text: z.string().optional() }).refine((s) => s.selector || s.text, {
    message: 'submit needs a selector or a text',
  }),
  /** Regular expression of the success text; default: the general 提交成功/留言成功… patterns. */
  success: z.string().optional(),
  /** Where the 查询码/信件编号 appears. */
  queryCode: z.object({ selector: z.string().optional(), regex: z.string().optional() }).optional(),
  /** The public reply list (选登), for the reply-list poller. */
  replyListUrl: z.string().url().optional(),
  /** Two-step pages: the control that accepts the 须知. */
  accept: z.string().optional(),
  /** Frame URL pattern when the form lives in an iframe. */
  frameUrlPattern: z.string().optional(),
});
export type SiteProfile = z.infer<typeof siteProfileSchema>;
export type ProfileFieldSpec = z.infer<typeof fieldSpec>;

export function parseProfile(input: unknown): SiteProfile {
  return siteProfileSchema.parse(input);
}
