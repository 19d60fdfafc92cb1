/**
 * The dashboard's login throttle (one machine; in AWS, Cognito throttles).
 *
 * Failed logins are counted per (user name, client address): an address that guesses wrong `perClient` times
 * within the window is refused for that name (429) — others, the real user included, are not. A name also has a
 * global cap (`perUser` failures within the window from all addresses together) so guessing spread over many
 * addresses stays bounded. Names that are not valid user names share one bucket (they can never log in).
 * Memory is bounded: at most `maxEntries` counters; expired ones go first, then the least recently touched.
 */
import { UserNameSchema } from '../app/auth.ts';

export interface LoginThrottleOptions {
  /** Failures per (user, client address) within the window. Default 10. */
  perClient?: number;
  /** Failures per user name from all addresses within the window. Default 100. */
  perUser?: number;
  windowMs?: number;
  /** Counters kept at most. Default 10,000. */
  maxEntries?: number;
}

const INVALID_NAME = '(invalid)';

export class LoginThrottle {
  private readonly perClient: number;
  private readonly perUser: number;
  private readonly windowMs: number;
  private readonly maxEntries: number;
  /** key → failure times (ms), oldest first; Map order = least recently touched first. */
  private readonly failures = new Map<string, number[]>();

  constructor(options: LoginThrottleOptions = {}) {
    this.perClient = options.perClient ?? 10;
    this.perUser = options.perUser ?? 100;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** Whether this client may try this name now. */
  allowed(user: string, client: string, now: number): boolean {
    const name = bucketName(user);
    return this.recent(pairKey(name, client), now).length < this.perClient && this.recent(userKey(name), now).length < this.perUser;
  }

  failed(user: string, client: string, now: number): void {
    const name = bucketName(user);
    this.push(pairKey(name, client), now, this.perClient);
    this.push(userKey(name), now, this.perUser);
  }

  /** A correct password: this client's count for the name starts again (the name's global count stays). */
  succeeded(user: string, client: string): void {
    this.failures.delete(pairKey(bucketName(user), client));
  }

  /** Counters held (for tests and the memory bound). */
  get size(): number {
    return this.failures.size;
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
  }

  private push(key: string, now: number, cap: number): void {
    const times = [...this.recent(key, now), now].slice(-cap);
    this.failures.delete(key);
    if (this.failures.size >= this.maxEntries) this.evict(now);
    this.failures.set(key, times);
  }

  private evict(now: number): void {
    for (const [k, times] of this.failures) if (times.every((t) => now - t >= this.windowMs)) this.failures.delete(k);
    while (this.failures.size >= this.maxEntries) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }
}

function bucketName(user: string): string {
  const r = UserNameSchema.safeParse(user);
  return r.success ? r.data : INVALID_NAME;
}

const pairKey = (name: string, client: string) => `${name}\u0000${client}`;
const userKey = (name: string) => `${name}\u0000*`;
