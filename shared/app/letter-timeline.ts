/**
 * One timeline per letter, from its events (submission, acks, replies from every channel, staff records and undos,
 * holding-pen attachments), and its verdict from the earliest trustworthy reply — with the source that decided it.
 * Staff record a phone/SMS reply as a `staff.edit` event (who/when/evidence); an undo is a `staff.undo` event.
 */
import { streamOf, type DomainEvent } from '../domain/events.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { Campaign, Letter, ReplyEvidence, ReplySource, TimePrecision } from '../domain/model.ts';
import { beijingDay, formatBeijing, parseInstant, parseTime, startOfBeijingDayMs } from '../domain/beijing-time.ts';
import { judgementInstant } from '../domain/campaign.ts';
import { reasonText } from '../domain/reasons.ts';
import { judgeLetter, type Judgement } from '../domain/timeliness.ts';
import type { WorkingDayCalendar } from '../domain/calendar.ts';
import { deterministicId } from './ids.ts';
import type { CampaignStore, Clock, EventStore, LetterFinder, LetterStore, ObjectStore } from './ports.ts';

export interface TimelineEntry {
  eventId: string;
  at: string;
  recordedAt: string;
  type: string;
  actor: string;
  /** One line for people (zh/en mixed as the CLI prints it). */
  summary: string;
  /** Whether this entry is a reply that counts (not undone). */
  countsAsReply: boolean;
  undone: boolean;
  data: Record<string, unknown>;
}

export interface ReplyCandidate extends ReplyEvidence {
  /** Sort key: the instant, or the start of the Beijing day for a day-precise time. */
  ms: number;
}

export interface LetterTimeline {
  letter: Letter;
  entries: TimelineEntry[];
  /** The earliest trustworthy reply, from the events (the letter's firstReply is its denormalised copy). */
  reply: ReplyEvidence | null;
  judgement: Judgement | null;
  workingDays: number;
  /** Why there is no judgement (not submitted yet, calendar year unknown…). */
  judgementNote?: string;
}

const STAFF_CHANNELS = ['phone', 'sms', 'mail', 'letter', 'visit', 'other'] as const;
export type StaffChannel = (typeof STAFF_CHANNELS)[number];

/** The reply a single event carries, if it is one. */
export function replyOf(e: DomainEvent): ReplyCandidate | null {
  if (e.type === 'reply.seen') {
    const source = (e.data.source as ReplySource | undefined) ?? 'mail';
    const precision = (e.data.precision as TimePrecision | undefined) ?? 'instant';
    return candidate(e.at, source, precision, e.id);
  }
  if (e.type === 'staff.edit' && e.data.action === 'record-reply' && typeof e.data.repliedAt === 'string') {
    return candidate(e.data.repliedAt, 'staff', (e.data.precision as TimePrecision | undefined) ?? 'instant', e.id);
  }
  return null;
}

function candidate(at: string, source: ReplySource, precision: TimePrecision, eventId: string): ReplyCandidate | null {
  try {
    const t = parseTime(at);
    return { at, source, precision: t.precision === 'day' ? 'day' : precision, eventId, ms: t.ms };
  } catch {
    return null;
  }
}

function undoneIds(events: readonly DomainEvent[]): Set<string> {
  const undone = new Set<string>();
  for (const e of events) if (e.type === 'staff.undo' && typeof e.data.undoes === 'string') undone.add(e.data.undoes);
  return undone;
}

/** Earliest trustworthy reply among the events; ties prefer instant precision, then mail > reply-list > staff. */
export function earliestReply(events: readonly DomainEvent[]): ReplyEvidence | null {
  const undone = undoneIds(events);
  const rank: Record<ReplySource, number> = { mail: 0, 'reply-list': 1, staff: 2 };
  let best: ReplyCandidate | null = null;
  for (const e of events) {
    if (undone.has(e.id)) continue;
    const c = replyOf(e);
    if (!c) continue;
    if (
      !best ||
      c.ms < best.ms ||
      (c.ms === best.ms && (c.precision === 'instant' && best.precision === 'day' || (c.precision === best.precision && rank[c.source] < rank[best.source])))
    ) {
      best = c;
    }
  }
  if (!best) return null;
  const { ms: _ms, ...evidence } = best;
  return evidence;
}

const OUTCOME_WORDS = {
  'letter.gated': '需人工提交',
  'letter.unavailable': '栏目不可用',
  'letter.unconfirmed': '未能确认送达',
  'letter.script-broken': '程序未能提交',
  'letter.retry-scheduled': '稍后重试',
} as const;

function summarize(e: DomainEvent): string {
  const d = e.data;
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  switch (e.type) {
    case 'reply.seen':
      return `回复 reply (${str('source') || 'mail'}${str('from') ? `, ${str('from')}` : ''}): ${str('subject') || str('status')} ${str('excerpt').slice(0, 80)}`.trim();
    case 'ack.seen':
      return `自动回执 auto-ack: ${str('subject')}`;
    case 'bounce.seen':
      return `退信 bounce: ${str('subject')}`;
    case 'out-of-office.seen':
      return `休假自动回复 out-of-office: ${str('subject')}`;
    case 'mail.other':
      return `其他邮件 other mail: ${str('subject')}`;
    case 'staff.edit':
      return d.action === 'record-reply'
        ? `工作人员记录回复 staff recorded a ${str('channel')} reply at ${str('repliedAt')}${str('note') ? `: ${str('note')}` : ''}`
        : `工作人员修改 staff edit: ${str('action')}`;
    case 'staff.undo':
      return `撤销 undo of ${str('undoes')}${str('note') ? `: ${str('note')}` : ''}`;
    case 'letter.submitted':
      return `已提交 submitted${str('queryCode') ? `, 查询码 ${str('queryCode')}` : ''}`;
    case 'letter.deadline-set':
      return `期限已定（日历已覆盖该年）deadline set once the calendar covered its year: ${str('deadlineAt')}`;
    case 'letter.gated':
    case 'letter.unavailable':
    case 'letter.unconfirmed':
    case 'letter.script-broken':
    case 'letter.retry-scheduled':
      return `${OUTCOME_WORDS[e.type]} ${e.type.slice('letter.'.length)}${str('reason') ? `: ${reasonText(str('reason'))}` : ''}`;
    default:
      return e.type;
  }
}

export interface TimelineDeps {
  letters: LetterStore;
  events: EventStore;
  campaigns?: Pick<CampaignStore, 'getCampaign'>;
  calendar: WorkingDayCalendar;
}

export async function letterTimeline(deps: TimelineDeps, letterId: string, asOf: string): Promise<LetterTimeline> {
  const letter = await deps.letters.getLetter(letterId);
  if (!letter) throw new NotFoundError(`没有这封信 / no letter ${letterId}`);
  const events = await deps.events.stream(streamOf.letter(letterId));
  return buildTimeline(letter, events, deps.calendar, asOf, deps.campaigns ? await deps.campaigns.getCampaign(letter.campaignId) : undefined);
}

/** Pure: the timeline of a letter from its events. */
export function buildTimeline(
  letter: Letter,
  events: readonly DomainEvent[],
  calendar: WorkingDayCalendar,
  asOf: string,
  campaign?: Pick<Campaign, 'state' | 'windowClosesAt'> & { method: { workingDays: number } },
): LetterTimeline {
  const undone = undoneIds(events);
  const reply = earliestReply(events);
  const entries: TimelineEntry[] = events.map((e) => ({
    eventId: e.id,
    at: e.at,
    recordedAt: e.recordedAt,
    type: e.type,
    actor: e.actor,
    summary: summarize(e),
    countsAsReply: !undone.has(e.id) && replyOf(e) !== null,
    undone: undone.has(e.id),
    data: e.data,
  }));
  const workingDays = campaign?.method.workingDays ?? 1;
  let judgement: Judgement | null = null;
  let judgementNote: string | undefined;
  if (!letter.submittedAt) {
    judgementNote = `not submitted (state ${letter.state})`;
  } else {
    try {
      judgement = judgeLetter(
        {
          submittedAt: letter.submittedAt,
          repliedAt: reply?.at ?? null,
          ...(reply ? { replyPrecision: reply.precision } : {}),
          workingDays,
          // a closed campaign's verdicts are final: judged at its close, as the campaign's own views judge them
          asOf: campaign ? formatBeijing(judgementInstant(campaign, parseInstant(asOf))) : asOf,
          ...(campaign?.windowClosesAt ? { windowClosesAt: campaign.windowClosesAt } : {}),
        },
        calendar,
      );
    } catch (err) {
      judgementNote = err instanceof Error ? err.message : String(err);
    }
  }
  return { letter, entries, reply, judgement, workingDays, ...(judgementNote ? { judgementNote } : {}) };
}

export interface StaffDeps {
  letters: LetterStore;
  events: EventStore;
  finder: Pick<LetterFinder, 'recordFirstReply'>;
  objects?: ObjectStore;
  clock: Clock;
}

/** Staff record a reply that came by phone/SMS/… with its time, channel and optional evidence file. */
export async function recordStaffReply(
  deps: StaffDeps,
  letterId: string,
  input: { repliedAt: string; channel: string; staff: string; note?: string; evidence?: { name: string; body: Uint8Array; contentType: string } },
): Promise<DomainEvent> {
  if (!input.staff.trim()) throw new InputError('staff user required (--staff)');
  if (!(STAFF_CHANNELS as readonly string[]).includes(input.channel)) {
    throw new InputError(`渠道须为 ${STAFF_CHANNELS.join('/')} 之一 / channel must be one of ${STAFF_CHANNELS.join('/')}, got ${input.channel}`);
  }
  const t = parseTime(input.repliedAt); // InputError on a bad time
  const letter = await deps.letters.getLetter(letterId);
  if (!letter) throw new NotFoundError(`没有这封信 / no letter ${letterId}`);
  const now = deps.clock.now();
  if (t.ms > now.getTime()) throw new InputError(`reply time ${input.repliedAt} is in the future`);
  if (!letter.submittedAt) {
    throw new InputError(`letter ${letterId} has no submission time (state ${letter.state}): record its submission first (letters record-submission)`);
  }
  const submitted = parseInstant(letter.submittedAt);
  if (t.precision === 'day' ? t.ms < startOfBeijingDayMs(beijingDay(submitted)) : t.ms < submitted) {
    throw new InputError(`reply time ${input.repliedAt} is before the letter was submitted (${letter.submittedAt})`);
  }
  let evidence: Record<string, unknown> | undefined;
  if (input.evidence) {
    if (!deps.objects) throw new InputError('no object store for evidence');
    const safe = input.evidence.name.replace(/[^\w.\-\u4e00-\u9fff]+/g, '_').slice(-80);
    const stored = await deps.objects.put(`evidence/staff/${letterId}/${now.getTime()}-${safe}`, input.evidence.body, input.evidence.contentType);
    evidence = { key: stored.key, sha256: stored.sha256, size: stored.size, contentType: stored.contentType, location: deps.objects.locate(stored.key) };
  }
  const event: DomainEvent = {
    id: deterministicId('e', now, `${letterId}:staff.edit:${input.staff}:${now.toISOString()}`),
    stream: streamOf.letter(letterId),
    type: 'staff.edit',
    at: now.toISOString(),
    recordedAt: now.toISOString(),
    actor: `staff:${input.staff}`,
    data: {
      action: 'record-reply',
      repliedAt: input.repliedAt,
      precision: t.precision,
      channel: input.channel,
      ...(input.note ? { note: input.note } : {}),
      ...(evidence ? { evidence } : {}),
    },
  };
  await deps.events.append(event);
  await deps.finder.recordFirstReply(letterId, { at: input.repliedAt, source: 'staff', precision: t.precision, eventId: event.id });
  return event;
}

/** Undo a staff edit: a new `staff.undo` event; the letter's firstReply is recomputed from what remains. */
export async function undoStaffEdit(
  deps: Omit<StaffDeps, 'finder' | 'objects'>,
  letterId: string,
  eventId: string,
  staff: string,
  note?: string,
): Promise<DomainEvent> {
  if (!staff.trim()) throw new InputError('staff user required (--staff)');
  const events = await deps.events.stream(streamOf.letter(letterId));
  const target = events.find((e) => e.id === eventId);
  if (!target) throw new NotFoundError(`这封信没有这条记录 / no event ${eventId} on letter ${letterId}`);
  if (target.type !== 'staff.edit') throw new InputError(`only staff edits can be undone; ${eventId} is ${target.type}`);
  const now = deps.clock.now();
  const undo: DomainEvent = {
    id: deterministicId('e', now, `${eventId}:undo`),
    stream: streamOf.letter(letterId),
    type: 'staff.undo',
    at: now.toISOString(),
    recordedAt: now.toISOString(),
    actor: `staff:${staff}`,
    data: { undoes: eventId, ...(note ? { note } : {}) },
  };
  await deps.events.append(undo);
  const letter = await deps.letters.getLetter(letterId);
  if (letter && letter.firstReply?.eventId === eventId) {
    const next = earliestReply([...events, undo]);
    await deps.letters.updateLetter(letterId, [letter.state], { firstReply: next ?? undefined });
  }
  return undo;
}
