/**
 * Campaign use cases: create (plan + store + schedule), start / pause / resume / cancel, status, close, and the
 * staff queue of gated letters. Everything goes through the ports; time comes from the injected clock, so the
 * demo can drive a whole quarter by moving one clock and calling `fireDue` / `closeCampaign` / `campaignStatus`.
 *
 * Idempotency: a campaign's id, its letters' ids, its events' ids and its schedules' names are all derived
 * from the campaign id, so re-running `createCampaign` with the same id (a retried Lambda, a re-run CLI) finds
 * what is already there and adds only what is missing.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { beijingDate, beijingDay, formatBeijing, parseDate, parseInstant, startOfBeijingDayMs, windowEndMs } from '../domain/beijing-time.ts';
import type { WorkingDayCalendar } from '../domain/calendar.ts';
import { DEFAULT_OFFICE_HOURS, officeSlots, planCampaign, seededRng, type PlanQuestion } from '../domain/campaign-plan.ts';
import { countLetterStates, judgementInstant, newCampaign, transition, UNSENT_LETTER_STATES, WAITING_LETTER_STATES, type CampaignAction, type LetterStateCounts } from '../domain/campaign.ts';
import { ConflictError, InputError, NotFoundError } from '../domain/errors.ts';
import { streamOf, type DomainEvent, type EventType } from '../domain/events.ts';
import { replyAddress } from '../domain/mail/reply-address.ts';
import { letterOutcome, methodFor, siteResult, isHonour, type LetterOutcome } from '../domain/method.ts';
import { SITE_CATEGORIES, SITE_ID_RE, SITE_ID_RULE, type Campaign, type CampaignState, type Letter, type Site, type SiteCategory, type SiteResult } from '../domain/model.ts';
import { makePersona, pickQuestion } from '../domain/questions.ts';
import { deadlineIfCovered, judgeLetter, type Verdict } from '../domain/timeliness.ts';
import { deterministicId, ids } from './ids.ts';
import { mapLimit } from './map-limit.ts';
import type { CampaignStore, Clock, EventStore, LetterStore, SiteStore } from './ports.ts';
import { scheduleNames, type Scheduler } from './scheduler.ts';

export interface CampaignDeps {
  sites: SiteStore;
  campaigns: CampaignStore;
  letters: LetterStore;
  events: EventStore;
  scheduler: Scheduler;
  clock: Clock;
  calendar: WorkingDayCalendar;
  /** For each letter's own reply address (D's reply-address.ts). */
  mail: { secret: string; domain: string };
}

// ---------------------------------------------------------------------------------------------------------------
// ids derived from the campaign (idempotency)

/** A time-sortable id whose random part is derived from `key` (ids.ts' deterministicId, at an ISO instant). */
export function derivedId(prefix: string, at: string, key: string): string {
  return deterministicId(prefix, new Date(parseInstant(at)), key);
}

function seedOf(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0);
}

function event(type: EventType, stream: string, at: string, actor: string, data: Record<string, unknown>, key: string): DomainEvent {
  return { id: derivedId('e', at, `${stream}/${type}/${key}`), stream, type, at, recordedAt: at, actor, data };
}

// ---------------------------------------------------------------------------------------------------------------
// create

const isoInstant = z.string().refine((s) => {
  try {
    parseInstant(s);
    return true;
  } catch {
    return false;
  }
}, '须为 ISO-8601 时间（如 2026-03-31T23:59:59+08:00）或日期 YYYY-MM-DD / an ISO-8601 time like 2026-03-31T23:59:59+08:00 or a date YYYY-MM-DD');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '须为日期 YYYY-MM-DD / a date YYYY-MM-DD');

export const SiteSelectionSchema = z.union([
  z.literal('all'),
  z.object({ category: z.enum(SITE_CATEGORIES).optional(), region: z.string().min(1).optional() }).strict(),
  z.array(z.string().regex(SITE_ID_RE, SITE_ID_RULE)).min(1),
]);
export type SiteSelection = z.infer<typeof SiteSelectionSchema>;

/**
 * Working days kept after each letter's deadline by default: without them a letter planned near the end of the window
 * could only ever be on time or `none` — a reply one day late would count as no reply, the worse 通报 category.
 */
export const LATE_OBSERVATION_WORKING_DAYS = 5;

export const CreateCampaignSchema = z
  .object({
    /** Give an id to make the call idempotent (a retry finds the same campaign). */
    id: z.string().regex(/^c[0-9a-z]{10,40}$/, '须为 c 开头、10–40 位小写字母或数字 / a campaign id: c and 10–40 lower-case letters or digits').optional(),
    name: z.string().trim().min(1).max(200),
    sites: SiteSelectionSchema,
    lettersPerSite: z.number().int().min(1).max(12).default(2),
    workingDays: z.number().int().min(0).max(60).default(1),
    /** The window: its length in working days from the start, or when it closes (a date = the end of that day). */
    window: z.union([z.object({ workingDays: z.number().int().min(1).max(250) }), z.object({ closesAt: isoInstant })]),
    start: isoDate.optional(),
    minGapWorkingDays: z.number().int().min(1).max(60).optional(),
    /** Working days kept after the last deadline before the window closes, so late replies can still be seen. */
    lateObservationWorkingDays: z.number().int().min(0).max(60).default(LATE_OBSERVATION_WORKING_DAYS),
    officeHours: z.array(z.object({ from: z.string(), to: z.string() })).min(1).optional(),
    maxPerSlot: z.number().int().min(1).optional(),
    seed: z.number().int().optional(),
    /** Start sending right away (schedule every letter). Default true; false leaves the campaign `planned`. */
    startNow: z.boolean().default(true),
    actor: z.string().default('system'),
  })
  .strict();
export type CreateCampaignInput = z.input<typeof CreateCampaignSchema>;

/** The input fields as staff know them (the CLI's options), for messages. */
const FIELD_LABELS: Record<string, string> = {
  name: '活动名称 --name',
  sites: '站点 --sites',
  lettersPerSite: '每站信件数 --letters',
  workingDays: '答复时限 --working-days',
  'window.workingDays': '观察窗口 --window',
  'window.closesAt': '观察窗口 --window',
  window: '观察窗口 --window',
  start: '开始日期 --start',
  id: '活动编号 --id',
  seed: '随机种子 --seed',
  lateObservationWorkingDays: '逾期观察 --late-observation',
  minGapWorkingDays: '信件间隔',
};

/** Validate input; the first problem in Chinese (zod's zh-CN locale) and English, naming the option. */
function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const path = i.path.join('.');
    const zh = schema.safeParse(input, { error: z.locales.zhCN().localeError }).error?.issues[0]?.message ?? i.message;
    const field = FIELD_LABELS[path] ?? (path || '输入 input');
    throw new InputError(zh === i.message ? `${field}: ${i.message}` : `${field}: ${zh} / ${i.message}`);
  }
  return r.data;
}

export function selectSites(all: readonly Site[], selection: SiteSelection): Site[] {
  if (selection === 'all') return [...all];
  if (Array.isArray(selection)) {
    const byId = new Map(all.map((s) => [s.id, s]));
    const seen = new Set<string>();
    const out: Site[] = [];
    const missing: string[] = [];
    for (const id of selection) {
      if (seen.has(id)) continue;
      seen.add(id);
      const s = byId.get(id);
      if (s) out.push(s);
      else missing.push(id);
    }
    if (missing.length) throw new InputError(`不在站点名录中 / not in the site registry: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` (+${missing.length - 10})` : ''}`);
    return out;
  }
  return all.filter((s) => (!selection.category || s.category === selection.category) && (!selection.region || s.region.includes(selection.region)));
}

export interface CreateCampaignResult {
  campaign: Campaign;
  /** False when the campaign existed already (a re-run): nothing was duplicated. */
  created: boolean;
  letters: number;
  sendDays: string[];
  preHolidayDays: string[];
  firstSendAt?: string;
  lastSendAt?: string;
}

export async function createCampaign(deps: CampaignDeps, rawInput: CreateCampaignInput): Promise<CreateCampaignResult> {
  const input = parseInput(CreateCampaignSchema, rawInput);
  const nowMs = deps.clock.now().getTime();
  const id = input.id ?? ids.campaign(new Date(nowMs));
  const existing = await deps.campaigns.getCampaign(id);
  if (existing && existing.name !== input.name) {
    throw new InputError(`活动编号 ${id} 已被另一活动使用（${existing.name}）/ campaign ${id} exists with another name: ${existing.name}`);
  }
  const createdAt = existing?.createdAt ?? formatBeijing(nowMs);

  const registry = await deps.sites.listSites();
  const sites = selectSites(registry, input.sites).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (registry.length === 0) throw new InputError('站点名录为空，请先导入：huixin sites import FILE / the site registry is empty: import it first (huixin sites import FILE)');
  if (sites.length === 0) {
    throw new InputError(`名录中的 ${registry.length} 个站点都不符合所选条件 / none of the ${registry.length} sites in the registry matches the selection ${JSON.stringify(input.sites)}`);
  }

  // Questions used at each site within the past year are not asked again.
  const usedQuestions = await questionsUsedWithinAYear(deps, id, createdAt, sites);

  const start = input.start ?? beijingDate(createdAt);
  const plan = planCampaign({
    sites,
    lettersPerSite: input.lettersPerSite,
    start,
    ...('workingDays' in input.window ? { windowWorkingDays: input.window.workingDays } : { windowClosesAt: closesAtOf(input.window.closesAt) }),
    workingDays: input.workingDays,
    ...(input.officeHours ? { officeHours: input.officeHours } : {}),
    ...(input.minGapWorkingDays !== undefined ? { minGapWorkingDays: input.minGapWorkingDays } : {}),
    ...(input.lateObservationWorkingDays !== undefined ? { lateObservationWorkingDays: input.lateObservationWorkingDays } : {}),
    ...(input.maxPerSlot !== undefined ? { maxPerSlot: input.maxPerSlot } : {}),
    notBefore: createdAt,
    calendar: deps.calendar,
    seed: input.seed ?? seedOf(id),
    usedQuestions,
    pickQuestion: (site, used, rng): PlanQuestion => pickQuestion(site, used, rng),
  });

  const campaign =
    existing ??
    newCampaign({
      id,
      name: input.name,
      method: methodFor({ workingDays: input.workingDays, calendar: deps.calendar.ref }),
      createdAt,
      windowClosesAt: plan.windowClosesAt,
      siteIds: sites.map((s) => s.id),
      lettersPerSite: input.lettersPerSite,
    });
  let created = false;
  if (!existing) {
    try {
      await deps.campaigns.createCampaign(campaign);
      created = true;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err; // a concurrent run made it: carry on, idempotently
    }
  }

  const letters: Letter[] = plan.letters.map((p) => {
    const letterId = derivedId('l', createdAt, `${id}/${p.siteId}/${p.ordinal}`);
    const address = replyAddress(letterId, deps.mail.secret, deps.mail.domain);
    return {
      id: letterId,
      campaignId: id,
      siteId: p.siteId,
      channelId: `consult:${p.siteId}`,
      ordinal: p.ordinal,
      state: 'planned',
      plannedAt: p.plannedAt,
      replyAddress: address,
      title: p.question.title,
      body: p.question.body,
      questionId: p.question.id,
      persona: makePersona(seededRng(seedOf(letterId)), address),
      version: 0,
      updatedAt: createdAt,
    };
  });
  // A re-run writes only the letters that are missing (putLetters leaves existing ones as they are anyway; this saves
  // a failed conditional write per letter). Their events are appended again: idempotent, and one may be missing.
  const stored = existing ? new Set((await deps.letters.lettersOfCampaign(id)).map((l) => l.id)) : new Set<string>();
  await deps.letters.putLetters(stored.size ? letters.filter((l) => !stored.has(l.id)) : letters);
  await deps.events.append(
    event('campaign.created', streamOf.campaign(id), createdAt, input.actor, {
      name: campaign.name,
      method: campaign.method,
      windowClosesAt: campaign.windowClosesAt,
      sites: sites.length,
      lettersPerSite: input.lettersPerSite,
      start,
      sendDays: plan.sendDays,
      preHolidayDays: plan.preHolidayDays,
    }, 'created'),
  );
  await mapLimit(letters, 16, (l) =>
    deps.events.append(event('letter.planned', streamOf.letter(l.id), createdAt, input.actor, { campaignId: id, plannedAt: l.plannedAt, ordinal: l.ordinal, questionId: l.questionId }, 'planned')),
  );

  let result = campaign;
  if (input.startNow) result = await startCampaign(deps, id, { actor: input.actor });
  return {
    campaign: result,
    created,
    letters: letters.length,
    sendDays: plan.sendDays,
    preHolidayDays: plan.preHolidayDays,
    ...(letters[0] ? { firstSendAt: letters[0].plannedAt, lastSendAt: letters.at(-1)!.plannedAt } : {}),
  };
}

/**
 * The questions each selected site was asked within the past year (other campaigns, letters not cancelled).
 * Read per campaign (one paginated Query each: a handful of campaigns a year) rather than per site (one Query per
 * site: 14,000 for a national campaign); the per-site read is kept for a small selection out of a big history.
 * A campaign whose window closed more than a year (+ 90 days of slack) ago cannot hold a letter planned in the year.
 */
async function questionsUsedWithinAYear(deps: CampaignDeps, id: string, createdAt: string, sites: readonly Site[]): Promise<Map<string, Set<string>>> {
  const yearAgo = parseInstant(createdAt) - 365 * 86_400_000;
  const usedQuestions = new Map<string, Set<string>>(sites.map((s) => [s.id, new Set<string>()]));
  const counts = (l: Letter) => l.campaignId !== id && l.state !== 'cancelled' && parseInstant(l.plannedAt) >= yearAgo;
  const recent = (await deps.campaigns.listCampaigns()).filter((c) => c.id !== id && parseInstant(c.windowClosesAt) >= yearAgo - 90 * 86_400_000);
  const recentLetters = recent.reduce((n, c) => n + c.siteIds.length * c.lettersPerSite, 0);
  if (sites.length * 4 < recentLetters) {
    // a few sites out of a big history: their own letters are fewer reads
    await mapLimit(sites, 16, async (s) => {
      const used = usedQuestions.get(s.id)!;
      for (const l of await deps.letters.lettersOfSite(s.id)) if (counts(l)) used.add(l.questionId);
    });
    return usedQuestions;
  }
  for (const c of recent) {
    for (const l of await deps.letters.lettersOfCampaign(c.id)) if (counts(l)) usedQuestions.get(l.siteId)?.add(l.questionId);
  }
  return usedQuestions;
}

/** A bare date closes at the end of that Beijing day. */
function closesAtOf(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59+08:00` : value;
}

// ---------------------------------------------------------------------------------------------------------------
// state changes

async function getCampaignOrThrow(deps: Pick<CampaignDeps, 'campaigns'>, id: string): Promise<Campaign> {
  const c = await deps.campaigns.getCampaign(id);
  if (!c) throw new NotFoundError(`没有这个活动 / no campaign ${id}`);
  return c;
}

async function change(deps: CampaignDeps, c: Campaign, action: CampaignAction, actor: string, data: Record<string, unknown> = {}): Promise<Campaign> {
  const to = transition(c.state, action); // ConflictError when not allowed
  const updated = await deps.campaigns.setCampaignState(c.id, [c.state], to);
  const at = formatBeijing(deps.clock.now().getTime());
  await deps.events.append({
    id: ids.event(deps.clock.now()),
    stream: streamOf.campaign(c.id),
    type: 'campaign.state-changed',
    at,
    recordedAt: at,
    actor,
    data: { from: c.state, to, action, ...data },
  });
  return updated;
}

async function scheduleSends(deps: CampaignDeps, c: Campaign, letters: readonly Letter[]): Promise<void> {
  const group = scheduleNames.group(c.id);
  const items = letters.map((l) => ({ name: scheduleNames.send(l.id), at: l.plannedAt, target: { queue: 'submit' as const, body: { letterId: l.id } } }));
  // Batched where the adapter can (the local scheduler: ~1 write call per 25 schedules); one call each otherwise.
  if (deps.scheduler.scheduleMany) return deps.scheduler.scheduleMany(items, { group });
  await mapLimit(items, 16, (i) => deps.scheduler.scheduleAt(i.name, i.at, i.target, { group }));
}

/**
 * planned → running: schedule every planned letter's send and the window close. On a running campaign it only
 * makes sure every schedule is there (a re-run after a crash between the state change and the schedules).
 */
export async function startCampaign(deps: CampaignDeps, id: string, options: { actor?: string } = {}): Promise<Campaign> {
  let c = await getCampaignOrThrow(deps, id);
  if (c.state === 'planned') c = await change(deps, c, 'start', options.actor ?? 'system');
  else if (c.state !== 'running') transition(c.state, 'start');
  await scheduleSends(deps, c, await deps.letters.lettersOfCampaign(id, 'planned'));
  await deps.scheduler.scheduleAt(scheduleNames.close(id), c.windowClosesAt, { queue: 'close', body: { campaignId: id } }, { group: scheduleNames.group(id) });
  return c;
}

/** running → paused: the letters not yet sent stay `planned` and their send schedules are withdrawn. */
export async function pauseCampaign(deps: CampaignDeps, id: string, options: { actor?: string } = {}): Promise<Campaign> {
  const c = await change(deps, await getCampaignOrThrow(deps, id), 'pause', options.actor ?? 'system');
  const group = scheduleNames.group(id);
  // Every schedule is withdrawn even if one fails (a second pause is refused: it could not finish the job).
  await mapLimit(await deps.letters.lettersOfCampaign(id, 'planned'), 8, (l) => deps.scheduler.cancel(scheduleNames.send(l.id), { group }), { keepGoing: true });
  return c;
}

/**
 * paused → running: re-schedule the letters not yet sent. A letter whose planned time passed while paused
 * moves to the next office-hours slot on a working day (one every 2 minutes, in planned order), and its
 * `plannedAt` is updated so the record tells the truth.
 */
export async function resumeCampaign(deps: CampaignDeps, id: string, options: { actor?: string } = {}): Promise<Campaign> {
  const c = await change(deps, await getCampaignOrThrow(deps, id), 'resume', options.actor ?? 'system');
  const nowMs = deps.clock.now().getTime();
  const waiting = (await deps.letters.lettersOfCampaign(id, 'planned')).sort((a, b) => parseInstant(a.plannedAt) - parseInstant(b.plannedAt));
  let cursor = nowMs;
  const moved: Letter[] = [];
  const unchanged: Letter[] = [];
  for (const l of waiting) {
    if (parseInstant(l.plannedAt) > nowMs) {
      unchanged.push(l);
      continue;
    }
    cursor = nextOfficeInstant(deps.calendar, cursor + 120_000);
    try {
      moved.push(await deps.letters.updateLetter(l.id, ['planned'], { plannedAt: formatBeijing(cursor), updatedAt: formatBeijing(nowMs) }));
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  // Their schedules were cancelled on pause: scheduling the same names again brings them back (at the new time).
  await scheduleSends(deps, c, [...unchanged, ...moved]);
  return c;
}

/** The first instant ≥ `ms` inside office hours on a working day (Beijing). */
export function nextOfficeInstant(calendar: WorkingDayCalendar, ms: number): number {
  const slots = officeSlots(DEFAULT_OFFICE_HOURS);
  for (let day = beijingDay(ms); ; day++) {
    if (!calendar.isWorkingDayDay(day)) continue;
    for (const m of slots) {
      const slotStart = startOfBeijingDayMs(day) + m * 60_000;
      const slotEnd = slotStart + 30 * 60_000;
      if (ms < slotEnd) return Math.max(ms, slotStart);
    }
  }
}

/**
 * → cancelled: letters not yet sent (planned, queued, gated) become `cancelled` and their schedules are
 * withdrawn; everything already recorded (submissions, replies, events) stays.
 */
export async function cancelCampaign(deps: CampaignDeps, id: string, options: { actor?: string; reason?: string } = {}): Promise<Campaign & { cancelledLetters: number }> {
  const actor = options.actor ?? 'system';
  const c = await change(deps, await getCampaignOrThrow(deps, id), 'cancel', actor, options.reason ? { reason: options.reason } : {});
  const group = scheduleNames.group(id);
  const at = formatBeijing(deps.clock.now().getTime());
  let cancelledLetters = 0;
  const unsent = (await deps.letters.lettersOfCampaign(id)).filter((l) => UNSENT_LETTER_STATES.includes(l.state));
  await mapLimit(unsent, 8, async (l) => {
    await deps.scheduler.cancel(scheduleNames.send(l.id), { group });
    try {
      await deps.letters.updateLetter(l.id, UNSENT_LETTER_STATES, { state: 'cancelled', updatedAt: at });
    } catch (err) {
      if (err instanceof ConflictError) return; // sent in the meantime: it stays as recorded
      throw err;
    }
    cancelledLetters++;
    await deps.events.append({ id: ids.event(deps.clock.now()), stream: streamOf.letter(l.id), type: 'letter.cancelled', at, recordedAt: at, actor, data: { campaignId: id, from: l.state } });
  }, { keepGoing: true }); // every unsent letter is stopped even if one fails (a second cancel is refused)
  await deps.scheduler.cancel(scheduleNames.close(id), { group });
  return { ...c, cancelledLetters };
}

/**
 * The window has closed: running|paused → closing → closed. Letters without a reply are judged `none` from now on
 * (verdicts are computed at read time against `windowClosesAt`); letters never sent (a long pause) are cancelled.
 * Idempotent: closing a closed campaign returns it as it is. Before the window closes → ConflictError unless `force`.
 */
export async function closeCampaign(deps: CampaignDeps, id: string, options: { actor?: string; force?: boolean } = {}): Promise<{ campaign: Campaign; status: CampaignStatus }> {
  const actor = options.actor ?? 'system';
  let c = await getCampaignOrThrow(deps, id);
  const now = deps.clock.now();
  if (c.state === 'closed' || c.state === 'cancelled') return { campaign: c, status: await campaignStatus(deps, id, formatBeijing(now.getTime())) };
  if (!options.force && now.getTime() < windowEndMs(c.windowClosesAt)) {
    throw new InputError(`活动 ${id} 的观察窗口 ${c.windowClosesAt} 才结束，尚不能关闭（提前关闭请加 --force）/ the window of campaign ${id} closes at ${c.windowClosesAt}: not yet (close early with --force)`);
  }
  if (c.state !== 'closing') c = await change(deps, c, 'close', actor);
  const at = formatBeijing(now.getTime());
  const group = scheduleNames.group(id);
  for (const l of await deps.letters.lettersOfCampaign(id)) {
    if (!WAITING_LETTER_STATES.includes(l.state)) continue;
    await deps.scheduler.cancel(scheduleNames.send(l.id), { group });
    try {
      await deps.letters.updateLetter(l.id, WAITING_LETTER_STATES, { state: 'cancelled', updatedAt: at });
      await deps.events.append({ id: ids.event(now), stream: streamOf.letter(l.id), type: 'letter.cancelled', at, recordedAt: at, actor, data: { campaignId: id, from: l.state, reason: 'window closed before it was sent' } });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  const status = await campaignStatus(deps, id, at);
  c = await change(deps, c, 'finish', actor, { verdicts: status.verdicts, sites: status.sites });
  return { campaign: c, status: { ...status, state: c.state } };
}

// ---------------------------------------------------------------------------------------------------------------
// status

export interface CampaignStatus {
  id: string;
  name: string;
  state: CampaignState;
  asOf: string;
  windowClosesAt: string;
  workingDays: number;
  letters: number;
  /** Letters per stored state. */
  states: LetterStateCounts;
  /** Submitted letters per verdict so far. */
  verdicts: Record<Verdict, number>;
  /** The 通报's four categories so far (sites whose letters are all decided), plus sites still pending. */
  sites: Record<SiteResult | 'pending', number> & { total: number; honour: number };
  /** Per 类别 (the 通报's site categories). */
  byCategory: Record<SiteCategory, Record<SiteResult | 'pending', number>>;
  /** Deadline pressure: submitted letters without a reply whose deadline is today / tomorrow (Beijing). */
  dueToday: number;
  dueTomorrow: number;
  overdue: number;
  /** Letters sent so far / all letters to send (for a progress bar). */
  progress: { sent: number; total: number };
}

const SENT_STATES = new Set(['submitted', 'unconfirmed', 'unavailable', 'script-broken']);

export async function campaignStatus(deps: Pick<CampaignDeps, 'campaigns' | 'letters' | 'sites' | 'calendar'>, id: string, asOf: string): Promise<CampaignStatus> {
  const c = await getCampaignOrThrow(deps, id);
  const asOfMs = judgementInstant(c, parseInstant(asOf));
  const letters = await deps.letters.lettersOfCampaign(id);
  const verdicts: Record<Verdict, number> = { 'same-day': 0, 'on-time': 0, late: 0, none: 0, pending: 0 };
  const today = beijingDay(asOfMs);
  let dueToday = 0;
  let dueTomorrow = 0;
  let overdue = 0;
  const outcomesBySite = new Map<string, LetterOutcome[]>();
  for (const l of letters) {
    let verdict: Verdict | undefined;
    if (l.state === 'submitted' && l.submittedAt) {
      const j = judgeLetter(
        {
          submittedAt: l.submittedAt,
          repliedAt: l.firstReply?.at ?? null,
          ...(l.firstReply ? { replyPrecision: l.firstReply.precision } : {}),
          workingDays: c.method.workingDays,
          asOf: formatBeijing(asOfMs),
          windowClosesAt: c.windowClosesAt,
        },
        deps.calendar,
      );
      verdict = j.verdict;
      verdicts[verdict]++;
      if (!l.firstReply) {
        const d = parseDate(j.deadlineDate!); // a letter without a reply is judged only with its deadline
        if (d === today) dueToday++;
        else if (d === today + 1) dueTomorrow++;
        else if (d < today) overdue++;
      }
    }
    const o = letterOutcome(l.state, verdict, c.method);
    if (o === null) continue;
    const list = outcomesBySite.get(l.siteId) ?? [];
    list.push(o);
    outcomesBySite.set(l.siteId, list);
  }
  const empty = () => ({ unavailable: 0, none: 0, late: 0, 'on-time': 0, pending: 0 });
  const sites = { ...empty(), total: 0, honour: 0 };
  const byCategory = Object.fromEntries(SITE_CATEGORIES.map((k) => [k, empty()])) as CampaignStatus['byCategory'];
  const registry = new Map((await deps.sites.listSites()).map((s) => [s.id, s]));
  for (const [siteId, outcomes] of outcomesBySite) {
    const r = siteResult(outcomes, c.method);
    if (r === null) continue;
    sites[r]++;
    sites.total++;
    if (isHonour(outcomes, c.method)) sites.honour++;
    const cat = registry.get(siteId)?.category;
    if (cat) byCategory[cat][r]++;
  }
  const live = letters.filter((l) => l.state !== 'cancelled');
  return {
    id: c.id,
    name: c.name,
    state: c.state,
    asOf: formatBeijing(asOfMs),
    windowClosesAt: c.windowClosesAt,
    workingDays: c.method.workingDays,
    letters: letters.length,
    states: countLetterStates(letters),
    verdicts,
    sites,
    byCategory,
    dueToday,
    dueTomorrow,
    overdue,
    progress: { sent: live.filter((l) => SENT_STATES.has(l.state)).length, total: live.length },
  };
}

export async function listCampaigns(deps: Pick<CampaignDeps, 'campaigns'>): Promise<Campaign[]> {
  return deps.campaigns.listCampaigns();
}

// ---------------------------------------------------------------------------------------------------------------
// the staff queue: gated letters

export interface GatedItem {
  letter: Letter;
  site?: Site;
  campaignName: string;
  /** captcha | sms | login | … as the submitter recorded it. */
  reason: string;
  gatedAt?: string;
}

/** Gated letters waiting for a person, oldest planned first, across the campaigns still open. */
export async function gatedQueue(deps: Pick<CampaignDeps, 'campaigns' | 'letters' | 'sites' | 'events'>): Promise<GatedItem[]> {
  const sites = new Map((await deps.sites.listSites()).map((s) => [s.id, s]));
  const gated: Array<{ letter: Letter; campaignName: string }> = [];
  for (const c of await deps.campaigns.listCampaigns()) {
    if (c.state === 'closed' || c.state === 'cancelled') continue;
    for (const letter of await deps.letters.lettersOfCampaign(c.id, 'gated')) gated.push({ letter, campaignName: c.name });
  }
  // Each letter's reason is its latest letter.gated event, read on its own (not the whole stream) and several at
  // once: a national campaign can hold thousands of gated letters, and the queue is read on every page view.
  const out = await mapLimit(gated, GATED_READS_AT_ONCE, async ({ letter, campaignName }): Promise<GatedItem> => {
    const ev = await deps.events.latest(streamOf.letter(letter.id), 'letter.gated');
    const reason = typeof ev?.data.reason === 'string' ? ev.data.reason : 'unknown';
    const site = sites.get(letter.siteId);
    return { letter, campaignName, reason, ...(site ? { site } : {}), ...(ev ? { gatedAt: ev.at } : {}) };
  });
  return out.sort((a, b) => parseInstant(a.letter.plannedAt) - parseInstant(b.letter.plannedAt));
}

/** Gated letters whose reason is read at once (gatedQueue). */
const GATED_READS_AT_ONCE = 16;

export const RecordSubmissionSchema = z
  .object({
    submittedAt: isoInstant,
    queryCode: z.string().trim().min(1).max(100),
    by: z.string().trim().min(1).max(100),
  })
  .strict();

/**
 * Staff submitted a gated letter by hand: gated → submitted (conditional update) with the 查询码 and the
 * deadline, plus a `letter.submission-recorded` event saying who and when. From then on the letter is judged
 * like any other (its deadline schedule is set too).
 */
export async function recordSubmission(
  deps: Pick<CampaignDeps, 'campaigns' | 'letters' | 'events' | 'clock' | 'calendar' | 'scheduler'>,
  letterId: string,
  raw: { submittedAt: string; queryCode: string; by: string },
): Promise<Letter> {
  const input = parseInput(RecordSubmissionSchema, raw);
  const now = deps.clock.now();
  const submittedMs = parseInstant(input.submittedAt);
  if (submittedMs > now.getTime() + 60_000) throw new InputError(`the submission time ${input.submittedAt} is in the future`);
  const letter = await deps.letters.getLetter(letterId);
  if (!letter) throw new NotFoundError(`没有这封信 / no letter ${letterId}`);
  const campaign = await getCampaignOrThrow(deps, letter.campaignId);
  if (letter.state !== 'gated') throw new InputError(`letter ${letterId} is ${letter.state}, not gated: only a gated letter is submitted by hand`);
  const submittedAt = formatBeijing(submittedMs);
  // none when it lies in a year with no official calendar yet: the hand submission is recorded all the same
  const deadlineAt = deadlineIfCovered(deps.calendar, submittedAt, campaign.method.workingDays);
  const at = formatBeijing(now.getTime());
  const updated = await deps.letters.updateLetter(letterId, ['gated'], { state: 'submitted', submittedAt, queryCode: input.queryCode, ...(deadlineAt ? { deadlineAt } : {}), updatedAt: at });
  await deps.events.append({
    id: ids.event(now),
    stream: streamOf.letter(letterId),
    type: 'letter.submission-recorded',
    at: submittedAt,
    recordedAt: at,
    actor: `staff:${input.by}`,
    data: { submittedAt, queryCode: input.queryCode, by: input.by, recordedAt: at, deadlineAt: deadlineAt ?? null },
  });
  await scheduleDeadline(deps, updated);
  return updated;
}

/**
 * The deadline poll runs this long before the deadline (the end of the deadline's working day), so that a reply the
 * site lists that day without a time of its own is first seen — and counted — before the deadline, not just after it.
 */
export const DEADLINE_POLL_LEAD_MS = 60 * 60_000;

/**
 * The deadline of a submitted letter as a schedule (`deadline-<letterId>` → the `deadline` queue with `{ letterId }`),
 * due `DEADLINE_POLL_LEAD_MS` before it: the last look at the site's reply list in time. Idempotent. Call it wherever
 * a letter becomes submitted with a `deadlineAt`.
 */
export async function scheduleDeadline(deps: Pick<CampaignDeps, 'scheduler'>, letter: Pick<Letter, 'id' | 'campaignId' | 'deadlineAt'>): Promise<void> {
  if (!letter.deadlineAt) return;
  const at = formatBeijing(parseInstant(letter.deadlineAt) - DEADLINE_POLL_LEAD_MS);
  await deps.scheduler.scheduleAt(scheduleNames.deadline(letter.id), at, { queue: 'deadline', body: { letterId: letter.id } }, { group: scheduleNames.group(letter.campaignId) });
}

