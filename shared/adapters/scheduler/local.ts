/**
 * The embedded default's scheduler: schedules are items in the store, and `fireDue(now)` sends every schedule
 * due at `now` to its queue — driven by whatever clock the caller has (the demo fast-forwards one). Because the
 * schedules live in the store (dynalite on disk), they survive a restart.
 *
 * Exactly once: a schedule is claimed with a conditional write (pending → firing) before its message is sent,
 * so two fireDue loops never both send it; after the send it becomes `fired`. A crash between the claim and
 * the `fired` mark leaves it `firing`: after `leaseMs` it is due again (at-least-once in that one crash window;
 * the consumers are idempotent — the submitter claims the letter before touching a form).
 */
import { ConflictError } from '../../domain/errors.ts';
import { formatBeijing, parseInstant } from '../../domain/beijing-time.ts';
import type { Queue } from '../../app/ports.ts';
import { mapLimit } from '../../app/map-limit.ts';
import {
  DEFAULT_SCHEDULE_GROUP,
  checkScheduleName,
  type ScheduleItem,
  type ScheduleOptions,
  type ScheduleQueue,
  type ScheduleTarget,
  type Scheduler,
} from '../../app/scheduler.ts';

export type ScheduleState = 'pending' | 'firing' | 'fired' | 'cancelled';

export interface StoredSchedule {
  /** `<group>/<name>`: unique. */
  key: string;
  group: string;
  name: string;
  /** When it is due, as given (ISO-8601 with offset). */
  at: string;
  target: ScheduleTarget;
  state: ScheduleState;
  createdAt: string;
  /** Set when claimed (firing). */
  claimedAt?: string;
  firedAt?: string;
}

/** Where the local scheduler keeps its schedules. */
export interface ScheduleStore {
  /**
   * Create — or replace a `cancelled` one (a paused campaign's sends come back on resume, as EventBridge would
   * let a deleted schedule be made again); false (and nothing changed) when a live one (pending, firing, fired) exists.
   */
  create(schedule: StoredSchedule): Promise<boolean>;
  /**
   * Optional: `create` for many schedules with batched writes (same rule: absent or cancelled → written, a live one
   * is left as it is). Not atomic across the batch; each schedule ends up created exactly once.
   */
  createMany?(schedules: readonly StoredSchedule[]): Promise<void>;
  get(key: string): Promise<StoredSchedule | undefined>;
  /** Pending or firing schedules with `at` ≤ `asOf`, earliest first. */
  due(asOf: string, limit: number): Promise<StoredSchedule[]>;
  /** The earliest pending schedule, if any (for a demo that jumps its clock to the next event). */
  next(): Promise<StoredSchedule | undefined>;
  /** Conditional: only from one of `from` (and, for `firing`, only the claim given). ConflictError otherwise. */
  update(key: string, from: readonly ScheduleState[], patch: Partial<Pick<StoredSchedule, 'state' | 'claimedAt' | 'firedAt'>>, expectClaimedAt?: string): Promise<StoredSchedule>;
}

export const scheduleKey = (group: string, name: string) => `${group}/${name}`;

export interface FireResult {
  fired: StoredSchedule[];
  /** Schedules that could not be sent this time (left due; tried again on the next call). */
  failed: { schedule: StoredSchedule; error: string }[];
}

export interface LocalSchedulerOptions {
  store: ScheduleStore;
  /** The queue for each target; only needed by `fireDue`. */
  queues?: Partial<Record<ScheduleQueue, Queue<Record<string, unknown>>>>;
  /** Clock for `createdAt`/`claimedAt`/`firedAt` stamps (not for due-ness: that is fireDue's argument). */
  now?: () => Date;
  /** A `firing` schedule older than this is taken as crashed and due again. Default 5 minutes. */
  leaseMs?: number;
  /** At most this many schedules per fireDue call (the rest on the next call). Default 500. */
  batch?: number;
}

/** Due schedules claimed and sent at once by one fireDue call. */
const FIRE_CONCURRENCY = 8;

export class LocalScheduler implements Scheduler {
  constructor(private readonly options: LocalSchedulerOptions) {}

  private stamp(): string {
    return formatBeijing((this.options.now?.() ?? new Date()).getTime());
  }

  async scheduleAt(name: string, at: string, target: ScheduleTarget, options: ScheduleOptions = {}): Promise<void> {
    const group = checkScheduleName('group', options.group ?? DEFAULT_SCHEDULE_GROUP);
    checkScheduleName('name', name);
    await this.options.store.create({
      key: scheduleKey(group, name),
      group,
      name,
      at: formatBeijing(parseInstant(at)),
      target,
      state: 'pending',
      createdAt: this.stamp(),
    });
  }

  async scheduleMany(items: readonly ScheduleItem[], options: ScheduleOptions = {}): Promise<void> {
    const group = checkScheduleName('group', options.group ?? DEFAULT_SCHEDULE_GROUP);
    const createdAt = this.stamp();
    const schedules: StoredSchedule[] = items.map((i) => ({
      key: scheduleKey(group, checkScheduleName('name', i.name)),
      group,
      name: i.name,
      at: formatBeijing(parseInstant(i.at)),
      target: i.target,
      state: 'pending',
      createdAt,
    }));
    const store = this.options.store;
    if (store.createMany) return store.createMany(schedules);
    for (const s of schedules) await store.create(s);
  }

  async cancel(name: string, options: ScheduleOptions = {}): Promise<void> {
    const key = scheduleKey(options.group ?? DEFAULT_SCHEDULE_GROUP, name);
    try {
      await this.options.store.update(key, ['pending'], { state: 'cancelled' });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err; // gone, fired or firing: nothing to cancel
    }
  }

  /** The schedule as stored (for tests and the CLI). */
  get(name: string, options: ScheduleOptions = {}): Promise<StoredSchedule | undefined> {
    return this.options.store.get(scheduleKey(options.group ?? DEFAULT_SCHEDULE_GROUP, name));
  }

  /** When the next pending schedule is due (ISO +08:00), or undefined: lets a demo jump its clock. */
  async nextDueAt(): Promise<string | undefined> {
    return (await this.options.store.next())?.at;
  }

  /** Send every schedule due at `now` to its queue, each exactly once. */
  async fireDue(now: Date | string): Promise<FireResult> {
    const nowMs = typeof now === 'string' ? parseInstant(now) : now.getTime();
    const asOf = formatBeijing(nowMs);
    const lease = this.options.leaseMs ?? 300_000;
    const result: FireResult = { fired: [], failed: [] };
    const due = await this.options.store.due(asOf, this.options.batch ?? 500);
    // Each schedule is claimed, sent and marked on its own: several at once, so a stop with many letters due does
    // not wait for each one's three round trips in turn. The result keeps the due order.
    const outcomes = await mapLimit(due, FIRE_CONCURRENCY, (s) => this.fire(s, lease));
    for (const o of outcomes) {
      if (o?.fired) result.fired.push(o.fired);
      if (o?.failed) result.failed.push(o.failed);
    }
    return result;
  }

  /** Claim, send and mark one due schedule; undefined when it is not ours to send (another loop has it, or cancelled). */
  private async fire(s: StoredSchedule, lease: number): Promise<{ fired?: StoredSchedule; failed?: FireResult['failed'][number] } | undefined> {
    const queue = this.options.queues?.[s.target.queue];
    if (!queue) {
      // Not wired here (e.g. no deadline consumer in this process): leave it pending, untouched.
      return { failed: { schedule: s, error: `no queue wired for schedule target "${s.target.queue}"` } };
    }
    let claimed: StoredSchedule;
    const claimedAt = this.stamp();
    try {
      if (s.state === 'firing') {
        // A crashed claim: take it over only when its lease ran out.
        if (s.claimedAt && parseInstant(s.claimedAt) + lease > (this.options.now?.() ?? new Date()).getTime()) return undefined;
        claimed = await this.options.store.update(s.key, ['firing'], { claimedAt }, s.claimedAt);
      } else {
        claimed = await this.options.store.update(s.key, ['pending'], { state: 'firing', claimedAt });
      }
    } catch (err) {
      if (err instanceof ConflictError) return undefined; // another loop has it, or it was cancelled
      throw err;
    }
    try {
      await queue.send(s.target.body, { deduplicationId: s.key.replace(/[^0-9A-Za-z_-]/g, '_') });
    } catch (err) {
      // Release the claim so the next call tries again.
      await this.options.store.update(s.key, ['firing'], { state: 'pending' }, claimedAt).catch(() => undefined);
      return { failed: { schedule: s, error: err instanceof Error ? err.message : String(err) } };
    }
    return { fired: await this.options.store.update(s.key, ['firing'], { state: 'fired', firedAt: this.stamp() }, claimed.claimedAt) };
  }
}

/** In-memory ScheduleStore (unit tests, throwaway runs). */
export class MemoryScheduleStore implements ScheduleStore {
  private readonly items = new Map<string, StoredSchedule>();

  async create(schedule: StoredSchedule): Promise<boolean> {
    const existing = this.items.get(schedule.key);
    if (existing && existing.state !== 'cancelled') return false;
    this.items.set(schedule.key, structuredClone(schedule));
    return true;
  }

  async get(key: string): Promise<StoredSchedule | undefined> {
    const s = this.items.get(key);
    return s && structuredClone(s);
  }

  async due(asOf: string, limit: number): Promise<StoredSchedule[]> {
    const t = parseInstant(asOf);
    return [...this.items.values()]
      .filter((s) => (s.state === 'pending' || s.state === 'firing') && parseInstant(s.at) <= t)
      .sort((a, b) => parseInstant(a.at) - parseInstant(b.at) || (a.key < b.key ? -1 : 1))
      .slice(0, limit)
      .map((s) => structuredClone(s));
  }

  async next(): Promise<StoredSchedule | undefined> {
    const pending = [...this.items.values()].filter((s) => s.state === 'pending').sort((a, b) => parseInstant(a.at) - parseInstant(b.at));
    return pending[0] && structuredClone(pending[0]);
  }

  async update(
    key: string,
    from: readonly ScheduleState[],
    patch: Partial<Pick<StoredSchedule, 'state' | 'claimedAt' | 'firedAt'>>,
    expectClaimedAt?: string,
  ): Promise<StoredSchedule> {
    const s = this.items.get(key);
    if (!s || !from.includes(s.state) || (expectClaimedAt !== undefined && s.claimedAt !== expectClaimedAt)) {
      throw new ConflictError(`schedule ${key} is ${s?.state ?? 'missing'}, not ${from.join('/')}`);
    }
    Object.assign(s, patch);
    return structuredClone(s);
  }
}
