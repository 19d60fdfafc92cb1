/**
 * Append-only observations. Every verdict is re-derivable from these; nothing is ever erased —
 * a staff correction is a new event that supersedes an earlier one.
 *
 * A stream names what the event is about: `letter:<id>`, `site:<id>`, `campaign:<id>`, `mail:<id>`.
 */
export interface DomainEvent<D extends Record<string, unknown> = Record<string, unknown>> {
  /** Unique and sortable (time-ordered); appending the same id twice is a no-op (idempotent). */
  id: string;
  stream: string;
  type: EventType;
  /** When it happened, as best known (e.g. the reply time a site states). ISO-8601 with offset. */
  at: string;
  /** When huixin recorded it. */
  recordedAt: string;
  /** `system`, `function:<name>`, or `staff:<user>`. */
  actor: string;
  data: D;
}

export const EVENT_TYPES = [
  // letters
  'letter.planned',
  'letter.queued',
  'letter.claimed',
  'letter.submitted',
  'letter.unconfirmed',
  'letter.gated',
  'letter.unavailable',
  'letter.script-broken',
  'letter.retry-scheduled',
  'letter.cancelled',
  'letter.submission-recorded', // staff submitted a gated letter by hand
  'letter.deadline-set', // a letter recorded without a deadline got one once the calendar covered its year
  // replies and other mail/list observations
  'reply.seen', // a real reply (mail, reply list, staff record)
  'ack.seen', // automatic acknowledgement: kept, does not stop the clock
  'bounce.seen',
  'out-of-office.seen',
  'mail.other',
  'mail.held', // unmatched mail in the holding pen
  'mail.attached', // staff attached a held mail to a letter
  'mail.discarded',
  'staff.edit',
  'staff.undo',
  // channels
  'channel.checked',
  'channel.broken',
  'channel.recovered',
  'channel.maintenance',
  // alerts
  'alert.sent',
  'alert.failed',
  // campaigns
  'campaign.created',
  'campaign.state-changed',
  // registry
  'registry.imported',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const streamOf = {
  letter: (id: string) => `letter:${id}`,
  site: (id: string) => `site:${id}`,
  campaign: (id: string) => `campaign:${id}`,
  mail: (id: string) => `mail:${id}`,
} as const;
