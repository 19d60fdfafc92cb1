/**
 * Ingest one raw mail: parse → classify → match to a letter → record (raw object, event, firstReply) — or
 * park it in the holding pen for staff. Idempotent and retry-safe: every step is keyed on the mail's id
 * (Message-ID + content hash), so the same mail ingested twice records once, and a crash half-way is finished
 * by the retry.
 */
import { createHash } from 'node:crypto';
import type { DomainEvent, EventType } from '../domain/events.ts';
import { streamOf } from '../domain/events.ts';
import { ConflictError, InputError, NotFoundError } from '../domain/errors.ts';
import type { Letter, ReplyEvidence } from '../domain/model.ts';
import { classifyMail, type Classification, type MailKind } from '../domain/mail/classify.ts';
import { parseReplyAddress } from '../domain/mail/reply-address.ts';
import { NO_AUTH, type AuthVerdicts } from '../domain/mail/auth.ts';
import { parseMail, type MailLimits, type ParsedMail } from '../adapters/mail/parse.ts';
import type { Clock, EventStore, LetterFinder, LetterStore, MailRecord, MailStore, ObjectStore } from './ports.ts';
import { deterministicId } from './ids.ts';

export interface IngestDeps {
  letters: LetterStore;
  finder: LetterFinder;
  mails: MailStore;
  events: EventStore;
  objects: ObjectStore;
  clock: Clock;
  /** Reply-address secret and mail domain (from config / Secrets Manager). Empty secret: no exact matching. */
  replySecret: string;
  mailDomain: string;
  limits?: Partial<MailLimits>;
  /** Computes SPF/DKIM/DMARC locally (mailauth); absent → verdicts from `envelope.auth` or `none`. */
  authenticate?: (raw: Uint8Array, envelope: Envelope) => Promise<AuthVerdicts>;
  log?: (message: string) => void;
  /** `function:ingest-mail`, `system`… */
  actor?: string;
  /**
   * Ids of letters already seen to exist (letters are never deleted, so this never goes stale): a mail that is
   * not a reply, signed for a known letter, is matched without reading the letter again. Optional; bounded.
   */
  knownLetters?: KnownLetters;
  /**
   * Appends an event that cannot exist yet: the observation (or `mail.held`) of a mail whose record this very call
   * just created — event ids derive from the record, and nothing writes them before the record exists. So it needs
   * no existence condition and may be batched with other mails' events. Absent → `events.append`.
   */
  appendNew?: (event: DomainEvent) => Promise<void>;
}

/** A bounded set of letter ids known to exist (oldest forgotten first). */
export class KnownLetters {
  private readonly ids = new Set<string>();
  constructor(readonly max = 100_000) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    if (this.ids.has(id)) return;
    if (this.ids.size >= this.max) this.ids.delete(this.ids.values().next().value!);
    this.ids.add(id);
  }
}

/** What the receiving MTA knows about the delivery. */
export interface Envelope {
  receivedAt?: string;
  remoteIp?: string;
  helo?: string;
  mailFrom?: string;
  rcptTo?: string[];
  /** Verdicts already computed upstream (SES receipt). */
  auth?: AuthVerdicts;
}

export type MatchHow = 'reply-address' | 'message-id' | 'query-code' | 'site-domain+title' | 'site-domain' | 'staff';

export interface IngestResult {
  mailId: string;
  duplicate: boolean;
  kind: MailKind;
  reasons: string[];
  letterId: string | null;
  match: MatchHow | null;
  held: boolean;
  heldReason?: string;
  candidates: string[];
  eventId: string | null;
  auth: AuthVerdicts;
  /** True when this mail became (or already was) the letter's earliest reply. */
  firstReplyChanged: boolean;
}

export const EVENT_FOR_KIND: Record<MailKind, EventType> = {
  reply: 'reply.seen',
  'auto-ack': 'ack.seen',
  bounce: 'bounce.seen',
  'out-of-office': 'out-of-office.seen',
  other: 'mail.other',
};

/** The mail's identity: Message-ID plus a hash of what the sender wrote (relays add headers; that must not matter). */
export function mailKey(mail: ParsedMail): string {
  return createHash('sha256')
    .update([mail.messageId ?? '', mail.from?.address ?? '', mail.subject, mail.date ?? '', mail.text].join('\n'))
    .digest('hex');
}

export function mailIdFor(mail: ParsedMail): string {
  return `m${mailKey(mail).slice(0, 24)}`;
}

const CODE_RE = /(查询码|查询编号|受理编号|信件编号|留言编号|编号|query code)\s*(为|是)?\s*[:：]?\s*([A-Za-z0-9][A-Za-z0-9-]{3,31})/gi;

export function queryCodesIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(CODE_RE)) out.add(m[3]!);
  return [...out].slice(0, 5);
}

function excerpt(s: string, n = 500): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

function titleIn(letter: Letter, mail: ParsedMail): boolean {
  const t = letter.title.trim();
  return t.length >= 4 && (mail.subject.includes(t) || mail.text.includes(t));
}

/** Sender domain and its parents down to two labels (a.b.gz.gov.cn → b.gz.gov.cn → gz.gov.cn). */
function domainsOf(address: string | undefined | null): string[] {
  const d = address?.split('@')[1]?.toLowerCase();
  if (!d) return [];
  const labels = d.split('.');
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) {
    const cand = labels.slice(i).join('.');
    if (/^(gov\.cn|com\.cn|org\.cn|net\.cn|edu\.cn|[a-z]+)$/.test(cand)) break;
    out.push(cand);
  }
  return out;
}

interface Match {
  letterId: string | null;
  /** The matched letter as read while matching (saves a read when recording its first reply). */
  letter?: Letter;
  how: MatchHow | null;
  candidates: string[];
  heldReason?: string;
}

export async function matchMail(
  deps: Pick<IngestDeps, 'letters' | 'finder' | 'replySecret' | 'mailDomain' | 'knownLetters'>,
  mail: ParsedMail,
  envelope: Envelope = {},
  /** False when the caller will not need the letter itself (not a reply): a known letter id is then enough. */
  needLetter = true,
): Promise<Match> {
  // 1. The exact signed reply address, in any recipient field.
  const rcpts = [...(envelope.rcptTo ?? []), ...mail.to, ...mail.cc, ...mail.deliveredTo, ...mail.originalTo];
  const exact = new Set<string>();
  for (const a of rcpts) {
    const id = parseReplyAddress(a, deps.replySecret, deps.mailDomain || undefined);
    if (id) exact.add(id);
  }
  if (exact.size === 1) {
    const id = [...exact][0]!;
    if (!needLetter && deps.knownLetters?.has(id)) return { letterId: id, how: 'reply-address', candidates: [id] };
    const letter = await deps.letters.getLetter(id);
    if (letter) {
      deps.knownLetters?.add(id);
      return { letterId: id, letter, how: 'reply-address', candidates: [id] };
    }
    return { letterId: null, how: null, candidates: [], heldReason: 'reply address of an unknown letter' };
  }
  if (exact.size > 1) return { letterId: null, how: null, candidates: [...exact], heldReason: 'several reply addresses' };

  const decide = (letters: Letter[], how: MatchHow): Match | null => {
    const ids = [...new Set(letters.map((l) => l.id))];
    if (ids.length === 1) return { letterId: ids[0]!, letter: letters[0]!, how, candidates: ids };
    if (ids.length > 1) {
      const byTitle = letters.filter((l) => titleIn(l, mail));
      const t = [...new Set(byTitle.map((l) => l.id))];
      if (t.length === 1) return { letterId: t[0]!, letter: byTitle[0]!, how, candidates: ids };
      return { letterId: null, how: null, candidates: ids, heldReason: `several letters match by ${how}` };
    }
    return null;
  };

  // 2. In-Reply-To / References: a Message-ID we sent.
  const msgIds = [...new Set([mail.inReplyTo, ...mail.references].filter((x): x is string => !!x))].slice(0, 20);
  const byMsg: Letter[] = [];
  for (const id of msgIds) byMsg.push(...(await deps.finder.byMessageId(id)));
  const m2 = decide(byMsg, 'message-id');
  if (m2) return m2;

  // 3. The 查询码 in subject or body.
  const byCode: Letter[] = [];
  for (const code of queryCodesIn(`${mail.subject}\n${readWithForwarded(mail)}`)) byCode.push(...(await deps.finder.byQueryCode(code)));
  const m3 = decide(byCode, 'query-code');
  if (m3) return m3;

  // 4. The sender's domain against the sites' domains; narrowed by the letter title.
  for (const domain of domainsOf(mail.from?.address ?? envelope.mailFrom)) {
    const open = await deps.finder.openLettersOfSiteDomain(domain);
    if (open.length === 0) continue;
    const byTitle = open.filter((l) => titleIn(l, mail));
    if (byTitle.length === 1) return { letterId: byTitle[0]!.id, letter: byTitle[0]!, how: 'site-domain+title', candidates: open.map((l) => l.id) };
    if (open.length === 1) return { letterId: open[0]!.id, letter: open[0]!, how: 'site-domain', candidates: [open[0]!.id] };
    return { letterId: null, how: null, candidates: open.map((l) => l.id), heldReason: `${open.length} open letters at ${domain}` };
  }
  return { letterId: null, how: null, candidates: [], heldReason: 'no letter matches' };
}

/** Build the observation event of a mail on a letter's stream. */
function observation(
  record: MailRecord,
  letterId: string,
  actor: string,
  recordedAt: string,
  extra: Record<string, unknown> = {},
): DomainEvent {
  const type = EVENT_FOR_KIND[record.kind as MailKind] ?? 'mail.other';
  return {
    id: deterministicId('e', new Date(record.receivedAt), `${record.id}:${letterId}:${type}`),
    stream: streamOf.letter(letterId),
    type,
    at: record.receivedAt,
    recordedAt,
    actor,
    data: {
      source: 'mail',
      precision: 'instant',
      ...mailSummary(record),
      ...(record.match ? { match: record.match } : {}),
      ...extra,
    },
  };
}

async function applyReply(deps: Pick<IngestDeps, 'finder'>, event: DomainEvent, letterId: string, known?: Letter): Promise<boolean> {
  if (event.type !== 'reply.seen') return false;
  const evidence: ReplyEvidence = { at: event.at, source: 'mail', precision: 'instant', eventId: event.id };
  return (await deps.finder.recordFirstReply(letterId, evidence, known)).changed;
}

export async function ingestMail(deps: IngestDeps, raw: Uint8Array, envelope: Envelope = {}): Promise<IngestResult> {
  const actor = deps.actor ?? 'function:ingest-mail';
  const mail = await parseMail(raw, { ...(deps.limits ? { limits: deps.limits } : {}), ...(deps.log ? { log: deps.log } : {}) });
  let cls = classifyParsedMail(mail);
  const id = mailIdFor(mail);
  const now = deps.clock.now();
  const recordedAt = now.toISOString();

  const rawKey = `mail/raw/${mail.sha256}.eml`;
  await deps.objects.put(rawKey, raw, 'message/rfc822'); // same key on a retry
  let auth = envelope.auth ?? NO_AUTH;
  if (!envelope.auth && deps.authenticate) {
    try {
      auth = await deps.authenticate(raw, envelope);
    } catch (err) {
      deps.log?.(`mail auth failed: ${(err as Error).message}`);
      auth = { spf: 'temperror', dkim: 'temperror', dmarc: 'temperror', source: 'mailauth' };
    }
  }
  const match = await matchMail(deps, mail, envelope, cls.kind === 'reply');
  // A "reply" whose text is the letter echoed back (an acknowledgement that repeats it) is not one: judged again with
  // the letter it matched.
  if (cls.kind === 'reply' && match.letter) cls = classifyParsedMail(mail, match.letter);
  let letterId = match.letterId;
  let heldReason = match.heldReason;
  // A reply whose DMARC fails is not trusted to stop a clock on its own: staff look at it.
  if (letterId && cls.kind === 'reply' && auth.dmarc === 'fail') {
    heldReason = 'DMARC fail';
    letterId = null;
  }
  const record: MailRecord = {
    id,
    status: letterId ? 'matched' : 'held',
    receivedAt: envelope.receivedAt ?? recordedAt,
    rawKey,
    rawSha256: mail.sha256,
    size: mail.size,
    messageId: mail.messageId,
    subject: mail.subject,
    from: mail.from?.address ?? null,
    date: mail.date,
    kind: cls.kind,
    reasons: cls.reasons,
    excerpt: excerpt(cls.kind === 'reply' ? cls.substantive || mail.text : mail.text),
    auth,
    candidates: match.candidates,
    ...(letterId ? { letterId, match: match.how! } : { heldReason: heldReason ?? 'unmatched' }),
  };
  // The mail record is the idempotency key: written first (conditional create); the event (deterministic id from
  // the stored record) and the first reply (earliest wins) follow, so a retry after a crash finishes them.
  if (await deps.mails.createMail(record)) return { ...(await recordEffects(deps, record, actor, recordedAt, match.letter, true)), duplicate: false };
  const existing = await deps.mails.getMail(id);
  if (!existing) throw new ConflictError(`mail ${id}: record vanished`);
  if (existing.status === 'matched' || existing.status === 'held') await recordEffects(deps, existing, actor, recordedAt);
  return duplicateResult(existing);
}

/** The event (and first reply) a stored mail record implies. Idempotent. */
async function recordEffects(
  deps: IngestDeps,
  record: MailRecord,
  actor: string,
  recordedAt: string,
  known?: Letter,
  /** The record was created by this call: its events are new (see IngestDeps.appendNew). */
  fresh = false,
): Promise<IngestResult> {
  const append = fresh && deps.appendNew ? deps.appendNew : (e: DomainEvent) => deps.events.append(e);
  const common = {
    mailId: record.id,
    duplicate: false,
    kind: record.kind as MailKind,
    reasons: record.reasons,
    candidates: record.candidates ?? [],
    auth: record.auth as AuthVerdicts,
  };
  if (record.status === 'matched' && record.letterId) {
    const ev = observation(record, record.letterId, actor, recordedAt);
    await append(ev);
    const changed = await applyReply(deps, ev, record.letterId, known);
    return { ...common, letterId: record.letterId, match: (record.match as MatchHow) ?? null, held: false, eventId: ev.id, firstReplyChanged: changed };
  }
  const reason = record.heldReason ?? 'unmatched';
  const held: DomainEvent = {
    id: deterministicId('e', new Date(record.receivedAt), `${record.id}:mail.held`),
    stream: streamOf.mail(record.id),
    type: 'mail.held',
    at: record.receivedAt,
    recordedAt,
    actor,
    data: {
      ...mailSummary(record),
      candidates: record.candidates ?? [],
      heldReason: reason,
    },
  };
  await append(held);
  return { ...common, letterId: null, match: null, held: true, heldReason: reason, eventId: held.id, firstReplyChanged: false };
}

function duplicateResult(record: MailRecord): IngestResult {
  return {
    mailId: record.id,
    duplicate: true,
    kind: record.kind as MailKind,
    reasons: record.reasons,
    letterId: record.letterId ?? null,
    match: (record.match as MatchHow | undefined) ?? null,
    held: record.status === 'held',
    ...(record.heldReason ? { heldReason: record.heldReason } : {}),
    candidates: record.candidates ?? [],
    eventId: null,
    auth: record.auth as AuthVerdicts,
    firstReplyChanged: false,
  };
}

export type HoldingPenDeps = Pick<IngestDeps, 'letters' | 'finder' | 'mails' | 'events' | 'clock'>;

/** Staff attach a held mail to a letter (one action, recorded with who and when). A held reply then counts. */
export async function attachHeldMail(
  deps: HoldingPenDeps,
  mailId: string,
  letterId: string,
  staff: string,
  note?: string,
): Promise<{ record: MailRecord; event: DomainEvent; firstReplyChanged: boolean }> {
  if (!staff.trim()) throw new InputError('staff user required');
  const record = await deps.mails.getMail(mailId);
  if (!record) throw new NotFoundError(`没有这封邮件 / no mail ${mailId}`);
  if (record.status !== 'held') throw new ConflictError(`mail ${mailId} is ${record.status}, not held`);
  if (!(await deps.letters.getLetter(letterId))) throw new NotFoundError(`没有这封信 / no letter ${letterId}`);
  const { updated, now, actor } = await decideHeldMail(deps, mailId, staff, note, 'mail.attached', { status: 'attached', letterId, match: 'staff' }, { letterId });
  const ev = observation({ ...updated, match: 'staff' }, letterId, actor, now, { attachedBy: staff, attachedAt: now });
  await deps.events.append(ev);
  const changed = await applyReply(deps, ev, letterId);
  return { record: updated, event: ev, firstReplyChanged: changed };
}

/** Staff discard a held mail (spam, not ours): recorded with who and when; nothing is erased. */
export async function discardHeldMail(deps: HoldingPenDeps, mailId: string, staff: string, note?: string): Promise<MailRecord> {
  if (!staff.trim()) throw new InputError('staff user required');
  return (await decideHeldMail(deps, mailId, staff, note, 'mail.discarded', { status: 'discarded' }, {})).updated;
}

/** One staff decision on a held mail: a conditional move out of `held`, and the event that records who and when. */
async function decideHeldMail(
  deps: HoldingPenDeps,
  mailId: string,
  staff: string,
  note: string | undefined,
  type: 'mail.attached' | 'mail.discarded',
  patch: Parameters<HoldingPenDeps['mails']['updateMail']>[2],
  data: Record<string, unknown>,
): Promise<{ updated: MailRecord; now: string; actor: string }> {
  const now = deps.clock.now().toISOString();
  const actor = `staff:${staff}`;
  const updated = await deps.mails.updateMail(mailId, ['held'], { ...patch, decidedBy: staff, decidedAt: now, ...(note ? { note } : {}) });
  await deps.events.append({
    id: deterministicId('e', new Date(now), `${mailId}:${type}`),
    stream: streamOf.mail(mailId),
    type,
    at: now,
    recordedAt: now,
    actor,
    data: { mailId, ...data, ...(note ? { note } : {}) },
  });
  return { updated, now, actor };
}

/** What every mail event says about its mail (the letter's timeline and the holding pen alike). */
function mailSummary(record: MailRecord) {
  return {
    mailId: record.id,
    kind: record.kind,
    reasons: record.reasons,
    subject: record.subject,
    from: record.from,
    date: record.date,
    excerpt: record.excerpt,
    auth: record.auth,
    rawKey: record.rawKey,
    sha256: record.rawSha256,
  };
}

/**
 * The mail's text with a message attached whole written below it as a mail client writes an inline forward (a
 * "Forwarded message" separator and its header block): the classifier then reads a forward whose sender added only a
 * note as what the forwarded message says, and cuts the letter quoted in it, as for any forward.
 */
function readWithForwarded(mail: Pick<ParsedMail, 'text' | 'forwarded'>): string {
  const f = mail.forwarded;
  if (!f) return mail.text;
  const header = [`From: ${f.from ?? ''}`, ...(f.date ? [`Date: ${f.date}`] : []), `Subject: ${f.subject}`].join('\n');
  return `${mail.text}\n\n---------- Forwarded message ----------\n${header}\n\n${f.text}`;
}

/**
 * Classify a parsed mail (the CLI's `mail parse`, ingest and the bench all go through here). With the letter it
 * answers, sentences echoed from the letter do not count as an answer.
 */
export function classifyParsedMail(mail: ParsedMail, letter?: Pick<Letter, 'title' | 'body'>): Classification {
  return classifyMail({
    subject: mail.subject,
    text: readWithForwarded(mail),
    from: mail.from?.address ?? null,
    sender: mail.sender?.address ?? null,
    returnPath: mail.returnPath,
    headers: mail.headers,
    attachments: mail.attachments,
    ...(letter ? { letterText: `${letter.title}\n${letter.body}` } : {}),
  });
}
