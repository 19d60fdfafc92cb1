/**
 * From classified controls to a fill plan: which control gets which value, which control submits, and whether a
 * person must act first (captcha, SMS code, login). Pure.
 */
import { asksPrivacy, chooseOption, classifyField, hintedMaxLength, hintedMinLength, humanText, isPlaceholderOption, labelledAsBody, type FieldRole } from './classify.ts';
import type { FieldDescriptor } from './descriptor.ts';
import { charCount, shorten } from './text.ts';

export interface LetterContent {
  name: string;
  phone: string;
  email: string;
  title: string;
  body: string;
  /** Used only when the form requires an address. */
  address?: string;
  /** Used only when the form requires a postcode (邮政编码); default DEFAULT_POSTCODE. */
  postcode?: string;
}

/** A valid six-digit postcode for a form that demands one when the persona has none (never '无'). */
export const DEFAULT_POSTCODE = '100010';

/** The special check's own limits: a title of 10–25 characters, a body of at most 500. */
export const LIMITS = { titleMin: 10, titleMax: 25, bodyMax: 500 } as const;

export type FillKind = 'text' | 'select' | 'radio' | 'checkbox';
export interface FillAction {
  key: string;
  frame: number;
  role: FieldRole;
  kind: FillKind;
  /** Text to set (text/select: the option value; radio: the key of the radio to click; checkbox: 'on'). */
  value: string;
}

/**
 * Why a person must submit the letter: an image captcha, an SMS code, a login or real-name check (an identity
 * number), a required personal detail we hold no value for (性别, 年龄, 职业… with no neutral answer), or a body
 * the site wants longer than the question.
 */
export type GateReason = 'captcha' | 'sms' | 'login' | 'personal' | 'body-too-short' | 'no-consult-type';
/** The order in which gates are reported when a form has several (the first is the letter's reason). */
export const GATE_ORDER: readonly GateReason[] = ['login', 'sms', 'captcha', 'personal', 'body-too-short', 'no-consult-type'];

export interface FormPlan {
  /** The frame holding the form (the body field's frame). */
  frame: number;
  form: number;
  actions: FillAction[];
  submit?: { key: string; frame: number; text: string };
  gates: GateReason[];
  /** Roles a consultation form needs that were not found (body is the only hard requirement). */
  missing: FieldRole[];
  roles: Record<string, FieldRole>;
  /** The exact text that will be sent, after shortening. */
  sent: { title: string; body: string };
  /**
   * Choice fields of the form that need a choice but offer no real option yet, after a choice the plan makes
   * (a 承办部门 select filled by script once the 区县 is chosen): chosen once their options arrive.
   */
  pending: string[];
  /** Password inputs left out of the form's scope: a login box of the page (its header), not of the letter. */
  foreignLogin: string[];
}

export function hasConsultationForm(fields: readonly FieldDescriptor[]): boolean {
  return fields.some((f) => f.visible && classifyField(f) === 'body');
}

/** Classify every control and build the plan. `roleOverrides` (from a site profile) win over heuristics. */
export function planForm(
  fields: readonly FieldDescriptor[],
  content: LetterContent,
  roleOverrides: Record<string, FieldRole> = {},
): FormPlan | undefined {
  const roles: Record<string, FieldRole> = {};
  for (const f of fields) roles[f.key] = roleOverrides[f.key] ?? (f.visible ? classifyField(f) : 'unknown');
  const bodies = fields.filter((f) => roles[f.key] === 'body' && f.visible);
  // The body: a text area labelled as the content (内容/正文/诉求…) first, then any text area (a textarea or a
  // rich-text editor beats a text input). Never simply the first textarea: a 通讯地址 box may come before it.
  const body = bodies.find((f) => f.tag === 'textarea' && labelledAsBody(f)) ?? bodies.find((f) => f.tag === 'textarea') ?? bodies[0];
  if (!body) return undefined;
  // A login box of the page (a header's 用户名/密码/登录, outside the letter's fields) is not part of the form: its
  // 用户名 is not the writer's name, and its password does not gate the letter.
  const foreign = foreignLoginBoxes(fields, roles, body);
  const inForm = (f: FieldDescriptor) =>
    f.frame === body.frame && (body.form < 0 || f.form === body.form || f.form < 0) && !foreign.boxes.some((b) => f.anc?.includes(b));
  const scope = fields.filter((f) => f.visible && inForm(f));

  const title = shorten(content.title, Math.min(LIMITS.titleMax, maxOf(scope, roles, 'title')), maxUnitsOf(scope, roles, 'title'));
  const bodyMax = limitOf(body);
  const bodyText = shorten(content.body, Math.min(LIMITS.bodyMax, bodyMax), bodyMax);

  const actions: FillAction[] = [];
  const gates = new Set<GateReason>();
  // a body shorter than the site's stated minimum would be refused: staff write it out (never padded with filler)
  if (charCount(bodyText) < (hintedMinLength(body) ?? 0)) gates.add('body-too-short');
  const done = new Set<FieldRole>();
  for (const f of scope) {
    const role = roles[f.key]!;
    const text = (value: string) => actions.push({ key: f.key, frame: f.frame, role, kind: 'text', value: fit(value, limitOf(f)) });
    switch (role) {
      case 'sms':
        gates.add('sms');
        break;
      case 'captcha':
        gates.add('captcha');
        break;
      case 'password':
        gates.add('login');
        break;
      case 'name':
        if (!done.has('name')) text(content.name);
        break;
      case 'phone':
        text(content.phone);
        break;
      case 'email':
        text(content.email);
        break;
      case 'title':
        if (!done.has('title')) text(title);
        break;
      case 'body':
        if (f.key === body.key) text(bodyText);
        break;
      case 'address':
        if (f.required && f.tag !== 'select') text(content.address ?? '本市');
        break;
      case 'postcode':
        if (f.required && f.tag === 'input') text(content.postcode ?? DEFAULT_POSTCODE);
        break;
      case 'idcard':
        // Never invent an identity number: a form that demands one is a real-name gate.
        if (f.required) gates.add('login');
        break;
      case 'personal': {
        // 性别, 年龄, 职业…: never a made-up answer. A required choice that offers a neutral one (其他, 保密) gets it;
        // otherwise a person fills it in.
        if (!f.required) break;
        const option = f.tag === 'select' || f.type === 'radio' ? chooseOption(role, f.options ?? []) : undefined;
        if (option) actions.push({ key: f.key, frame: f.frame, role, kind: f.type === 'radio' ? 'radio' : 'select', value: option.value });
        else gates.add('personal');
        break;
      }
      case 'type':
      case 'public':
      case 'unit': {
        if (done.has(role)) break;
        if (f.type === 'checkbox') {
          // tick 公开 — never 匿名/保密/不公开 (left unticked, and a 公开 box may still follow)
          if (role === 'public' && asksPrivacy([f.label, f.nearText, f.title].join(' '))) continue;
          if (role === 'public') actions.push({ key: f.key, frame: f.frame, role, kind: 'checkbox', value: 'on' });
          break;
        }
        // the question, not an option's text (a radio's own label is one of its options)
        const caption = f.type === 'radio' ? [f.nearText, f.title].join(' ') : humanText(f);
        const option = chooseOption(role, f.options ?? [], caption);
        if (option) actions.push({ key: f.key, frame: f.frame, role, kind: f.type === 'radio' ? 'radio' : 'select', value: option.value });
        // a required 留言类型 that offers only 投诉/举报/表扬: a person decides whether this column takes a question
        else if (role === 'type' && f.required && (f.options ?? []).some((o) => !o.disabled && !isPlaceholderOption(o))) gates.add('no-consult-type');
        break;
      }
      case 'agree':
        actions.push({ key: f.key, frame: f.frame, role, kind: 'checkbox', value: 'on' });
        break;
      default:
        // An unknown required select/radio still needs a choice for the form to go through.
        if (f.required && (f.tag === 'select' || f.type === 'radio')) {
          const option = chooseOption('unknown', f.options ?? []);
          if (option) actions.push({ key: f.key, frame: f.frame, role, kind: f.type === 'radio' ? 'radio' : 'select', value: option.value });
        } else if (f.required && f.tag === 'input' && ['', 'text'].includes(f.type)) {
          // A required field we cannot name with an image beside it is a captcha far more often than anything
          // else: a person solves it (guessing '无' would only send a letter the site refuses).
          if (f.imageNearby || f.captchaImageNearby) gates.add('captcha');
          else text('无');
        }
    }
    done.add(role);
  }
  const submits = fields.filter((f) => roles[f.key] === 'submit' && f.visible && f.frame === body.frame && !foreign.boxes.some((b) => f.anc?.includes(b)));
  const submit = submits.find((f) => f.form === body.form && body.form >= 0) ?? (body.form < 0 ? nearest(body, submits) : undefined) ?? submits[0];
  // selects still waiting for their options (drawn by script after an earlier choice)
  const firstChoice = scope.findIndex((f) => actions.some((a) => a.key === f.key && (a.kind === 'select' || a.kind === 'radio')));
  const pending =
    firstChoice >= 0
      ? scope
          .filter((f, i) => i > firstChoice && f.tag === 'select' && !actions.some((a) => a.key === f.key))
          .filter((f) => ['type', 'public', 'unit'].includes(roles[f.key]!) || f.required)
          .filter((f) => !chooseOption(roles[f.key]!, f.options ?? []))
          .map((f) => f.key)
      : [];
  const missing = (['name', 'phone', 'title'] as FieldRole[]).filter((r) => !done.has(r));
  return {
    frame: body.frame,
    form: body.form,
    actions,
    submit: submit ? { key: submit.key, frame: submit.frame, text: submit.text } : undefined,
    gates: [...gates],
    missing,
    roles,
    sent: { title, body: bodyText },
    pending,
    foreignLogin: foreign.passwords,
  };
}

/**
 * Login boxes outside the letter: a password input whose own box (the nearest element that also holds a
 * 登录/登陆 control) does not hold the body. Such a box (the page header's 用户名/密码/登录) is the site's
 * account login, not a gate of the letter form; a password among the letter's own fields still gates it.
 * Needs the controls' ancestors (`anc`); without them nothing is left out.
 */
function foreignLoginBoxes(fields: readonly FieldDescriptor[], roles: Record<string, FieldRole>, body: FieldDescriptor): { boxes: number[]; passwords: string[] } {
  const boxes: number[] = [];
  const passwords: string[] = [];
  if (!body.anc) return { boxes, passwords };
  const sameFrame = fields.filter((f) => f.frame === body.frame && f.visible);
  const loginControls = sameFrame.filter((f) => (f.tag === 'a' || f.tag === 'button' || f.type === 'submit' || f.type === 'button' || f.type === 'image') && /登\s*[录陆]|login|sign\s*in/i.test(f.text || f.title));
  for (const p of sameFrame) {
    if (roles[p.key] !== 'password' || !p.anc) continue;
    // the nearest ancestor of the password that also holds a 登录 control: the login box
    const box = p.anc.find((a) => loginControls.some((c) => c.anc?.includes(a)));
    if (box === undefined || body.anc.includes(box)) continue;
    // the letter's own title must not be inside it either
    if (sameFrame.some((f) => roles[f.key] === 'title' && f.anc?.includes(box))) continue;
    boxes.push(box);
    passwords.push(p.key);
  }
  return { boxes, passwords };
}

/** The control sharing the deepest common ancestor with `body` (the letter's own submit when there is no <form>). */
function nearest(body: FieldDescriptor, candidates: readonly FieldDescriptor[]): FieldDescriptor | undefined {
  if (!body.anc) return undefined;
  let best: FieldDescriptor | undefined;
  let bestDepth = Infinity;
  for (const c of candidates) {
    if (!c.anc) continue;
    const depth = body.anc.findIndex((a) => c.anc!.includes(a));
    if (depth >= 0 && depth < bestDepth) {
      best = c;
      bestDepth = depth;
    }
  }
  return best;
}

/** The field's length limit: its maxlength, or a limit stated next to it (（限10字以内）), the smaller one. */
function limitOf(f: FieldDescriptor): number {
  const own = f.maxLength && f.maxLength > 0 ? f.maxLength : Infinity;
  return Math.min(own, hintedMaxLength(f) ?? Infinity);
}

function maxOf(fields: readonly FieldDescriptor[], roles: Record<string, FieldRole>, role: FieldRole): number {
  const f = fields.find((x) => roles[x.key] === role);
  return f ? limitOf(f) : Infinity;
}
function maxUnitsOf(fields: readonly FieldDescriptor[], roles: Record<string, FieldRole>, role: FieldRole): number {
  return maxOf(fields, roles, role);
}

function fit(value: string, maxLength?: number): string {
  return maxLength && maxLength > 0 && Number.isFinite(maxLength) ? shorten(value, maxLength, maxLength) : value;
}
