/**
 * Submit one letter: claim → submit → record.
 *
 * - **Claim first.** A conditional write moves the letter from planned/queued to `submitting` BEFORE the form is
 *   touched; a lost claim (ConflictError) means another delivery has it, and we do nothing.
 * - **Never resend after a crash.** A letter found in `submitting` whose claim is older than `staleClaimMs` was
 *   claimed by a delivery that died before recording (SQS redelivers it after the visibility timeout): it may or
 *   may not have been sent, so it becomes `unconfirmed` for staff. A fresh claim is another delivery still in
 *   flight: we answer `in-flight` and the handler lets SQS deliver the message again later (batch item failure),
 *   by which time the letter is either recorded (→ nothing to do) or stale (→ unconfirmed).
 * - **Retry before `unavailable`, through the queue.** The first unavailable outcome releases the letter back to
 *   `queued` and returns `retry` with a delay; the handler re-sends the message with that delay (SQS DelaySeconds,
 *   ≤ 15 min), so no Lambda sleeps and the letter stays claimable by exactly one delivery. On the retry, if the
 *   consultation page is still unavailable, the site's home page is searched for the column (咨询/留言/信箱/互动…)
 *   and the best candidates are tried; only then is the letter `unavailable`.
 */
import { ConflictError } from '../domain/errors.ts';
import { streamOf, type DomainEvent, type EventType } from '../domain/events.ts';
import { SITE_REFUSED, type SubmitOutcome } from '../domain/forms/outcome.ts';
import type { SiteProfile } from '../domain/forms/profile.ts';
import { ATTEMPT_DEADLINE_MS, type FormSubmitter, type SubmitResult } from '../domain/forms/submission.ts';
import type { Letter, LetterState } from '../domain/model.ts';
import { ids } from './ids.ts';
import type { Clock, EventStore, LetterStore, ObjectStore, SiteStore } from './ports.ts';

export interface SubmitLetterDeps {
  letters: LetterStore;
  events: EventStore;
  objects: ObjectStore;
  clock: Clock;
  submitter: FormSubmitter;
  /** To find the site's consultation and home URLs (unless the message carries the URL). */
  sites?: Pick<SiteStore, 'getSite'>;
  /** End of the campaign's N-th working day after a submission (Engineer A's timeliness rules), if known. */
  deadlineFor?: (letter: Letter, submittedAt: string) => string | undefined | Promise<string | undefined>;
  /** Delay before the one retry of an unavailable channel (default 300 s; SQS allows ≤ 900). */
  retryDelaySeconds?: number;
  /** A `submitting` claim older than this is a crashed delivery (default 10 min ≥ the queue's visibility timeout). */
  staleClaimMs?: number;
  actor?: string;
}

export interface SubmitLetterInput {
  letterId: string;
  /** Overrides the site's consultUrl. */
  url?: string;
  profile?: SiteProfile;
  /**
   * How long this call may take in all (default SUBMIT_BUDGET_MS; a Lambda passes its remaining time less a
   * margin): each attempt's deadline fits in what is left, and a rediscovered address is tried only with time for it.
   */
  budgetMs?: number;
}

/**
 * The letter may be on the site: something left the browser and the site did not say, in words, that it failed
 * (SITE_REFUSED). Such a letter is never submitted again, to any address.
 */
const mayHaveTaken = (r: SubmitResult) => r.sent && r.reason !== SITE_REFUSED;

/** The default time a submission may take in all: under the submit function's 3 minutes with a margin. */
const SUBMIT_BUDGET_MS = 150_000;
/** Below this, another address is not tried in the same call. */
const MIN_ATTEMPT_MS = 20_000;

export type SubmitLetterResult =
  | { status: 'recorded'; outcome: Exclude<SubmitOutcome, 'ready'>; reason: string; queryCode: string | null; letter: Letter }
  | { status: 'retry'; delaySeconds: number; reason: string }
  | { status: 'recovered'; outcome: 'unconfirmed'; reason: 'crashed-after-claim' }
  | { status: 'skipped'; reason: 'claimed-elsewhere' | 'in-flight' | 'not-found' | 'not-claimable'; state?: LetterState };

const STATE_OF: Record<Exclude<SubmitOutcome, 'ready'>, LetterState> = {
  submitted: 'submitted',
  gated: 'gated',
  unavailable: 'unavailable',
  unconfirmed: 'unconfirmed',
  'script-broken': 'script-broken',
};

export async function submitLetter(deps: SubmitLetterDeps, input: SubmitLetterInput): Promise<SubmitLetterResult> {
  const startedAt = performance.now();
  const actor = deps.actor ?? 'function:submit-letter';
  const staleMs = deps.staleClaimMs ?? 10 * 60_000;
  const now = () => deps.clock.now();
  const letter0 = await deps.letters.getLetter(input.letterId);
  if (!letter0) return { status: 'skipped', reason: 'not-found' };

  // 1. claim
  let letter: Letter;
  try {
    letter = await deps.letters.updateLetter(letter0.id, ['planned', 'queued'], { state: 'submitting', updatedAt: now().toISOString() }, letter0);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    const current = await deps.letters.getLetter(letter0.id);
    if (current?.state !== 'submitting') return { status: 'skipped', reason: current ? 'not-claimable' : 'not-found', state: current?.state };
    const age = now().getTime() - Date.parse(current.updatedAt);
    if (age < staleMs) return { status: 'skipped', reason: 'in-flight', state: 'submitting' };
    try {
      await deps.letters.updateLetter(current.id, ['submitting'], { state: 'unconfirmed', updatedAt: now().toISOString() });
    } catch (e) {
      if (e instanceof ConflictError) return { status: 'skipped', reason: 'claimed-elsewhere' };
      throw e;
    }
    await append(deps, current.id, 'letter.unconfirmed', actor, {
      reason: 'crashed-after-claim',
      note: '提交过程中断，可能已发送：请人工核实，切勿重发 / interrupted after claim, may have been sent: staff check, never resend',
      claimedAt: current.updatedAt,
    });
    return { status: 'recovered', outcome: 'unconfirmed', reason: 'crashed-after-claim' };
  }
  const priorEvents = await deps.events.stream(streamOf.letter(letter.id));
  const attempt = priorEvents.filter((e) => e.type === 'letter.retry-scheduled').length + 1;
  await append(deps, letter.id, 'letter.claimed', actor, { attempt });

  // 2. submit
  const site = deps.sites ? await deps.sites.getSite(letter.siteId) : undefined;
  const url = input.url ?? site?.consultUrl;
  const content = {
    name: letter.persona.name,
    phone: letter.persona.phone,
    email: letter.replyAddress || letter.persona.email,
    title: letter.title,
    body: letter.body,
  };
  const budgetEnd = startedAt + (input.budgetMs ?? SUBMIT_BUDGET_MS);
  const remaining = () => budgetEnd - performance.now();
  const submitAt = async (target: string, n: string): Promise<SubmitResult> =>
    deps.submitter.submit({
      url: target,
      content,
      evidencePrefix: `evidence/${letter.id}/${attempt}${n}`,
      now,
      profile: input.profile,
      deadlineMs: Math.max(MIN_ATTEMPT_MS / 2, Math.min(ATTEMPT_DEADLINE_MS, remaining())),
    });
  let result: SubmitResult;
  let rediscovered: string | undefined;
  if (!url) {
    result = noUrlResult();
  } else {
    result = await submitAt(url, '');
    // Another address is tried only while nothing has left the browser: a site that took the letter and then failed
    // (HTTP 500 after the POST) may well have saved it.
    if (result.outcome === 'unavailable' && !mayHaveTaken(result) && attempt >= 2 && site?.homeUrl) {
      const candidates = (await deps.submitter.discover(site.homeUrl).catch(() => [])).filter((c) => c !== url).slice(0, 2);
      for (const [i, candidate] of candidates.entries()) {
        if (remaining() < MIN_ATTEMPT_MS) break;
        const r = await submitAt(candidate, `-rediscovered-${i + 1}`);
        if (r.outcome !== 'unavailable' || mayHaveTaken(r)) {
          result = r;
          rediscovered = candidate;
          break;
        }
      }
    }
  }

  // 3. record. A channel that failed after the letter left without saying it refused it — an HTTP error status, no
  // answer — is not retried: the site may have saved the letter, and a government site never gets it twice. The
  // letter is unconfirmed, for staff to check (the reply list, the site). A site that answered in words that the
  // submission failed (提交失败, 系统错误: reason `site-error`) said it did not take the letter: one retry, as for a
  // channel that never took it.
  const sentThenFailed = result.outcome === 'unavailable' && mayHaveTaken(result);
  if (sentThenFailed) result = { ...result, outcome: 'unconfirmed', reason: `sent-then-${result.reason}` };
  const outcome = result.outcome === 'ready' ? 'unconfirmed' : result.outcome;
  const data = eventData(result, attempt, rediscovered);
  if (outcome === 'unavailable' && attempt < 2) {
    const delaySeconds = deps.retryDelaySeconds ?? 300;
    await deps.letters.updateLetter(letter.id, ['submitting'], { state: 'queued', updatedAt: now().toISOString() }, letter);
    await append(deps, letter.id, 'letter.retry-scheduled', actor, { ...data, delaySeconds });
    return { status: 'retry', delaySeconds, reason: result.reason };
  }
  const submittedAt = result.submittedAt ?? undefined;
  const patch = {
    state: STATE_OF[outcome],
    updatedAt: now().toISOString(),
    ...(submittedAt && outcome === 'submitted' ? { submittedAt } : {}),
    ...(submittedAt && outcome === 'unconfirmed' ? { submittedAt } : {}),
    ...(result.queryCode ? { queryCode: result.queryCode } : {}),
    ...(result.queryPassword ? { queryPassword: result.queryPassword } : {}),
  };
  if (outcome === 'submitted' && submittedAt && deps.deadlineFor) {
    const deadlineAt = await deps.deadlineFor(letter, submittedAt);
    if (deadlineAt) Object.assign(patch, { deadlineAt });
  }
  const recorded = await deps.letters.updateLetter(letter.id, ['submitting'], patch, letter);
  await append(deps, letter.id, `letter.${outcome}` as EventType, actor, data, submittedAt);
  return { status: 'recorded', outcome, reason: result.reason, queryCode: result.queryCode, letter: recorded };
}

function noUrlResult(): SubmitResult {
  return {
    outcome: 'script-broken',
    reason: 'no-consult-url',
    queryCode: null,
    submittedAt: null,
    sent: false,
    channel: { kind: 'site-form', url: '' },
    evidence: { finalUrl: '', formUrl: '', codes: {}, timings: {} },
  };
}

/** What a `letter.*` event carries: outcome, reason, codes and the evidence keys with their sha256. */
export function eventData(result: SubmitResult, attempt: number, rediscoveredUrl?: string): Record<string, unknown> {
  const e = result.evidence;
  return {
    outcome: result.outcome,
    reason: result.reason,
    attempt,
    queryCode: result.queryCode,
    ...(result.queryPassword ? { queryPassword: result.queryPassword } : {}),
    submittedAt: result.submittedAt,
    sent: result.sent,
    channel: result.channel,
    ...(rediscoveredUrl ? { rediscoveredUrl } : {}),
    evidence: {
      finalUrl: e.finalUrl,
      formUrl: e.formUrl,
      codes: e.codes,
      timings: e.timings,
      ...(e.screenshot ? { screenshot: { key: e.screenshot.key, sha256: e.screenshot.sha256, size: e.screenshot.size } } : {}),
      ...(e.html ? { html: { key: e.html.key, sha256: e.html.sha256, size: e.html.size } } : {}),
    },
    ...(result.filled ? { filled: result.filled } : {}),
  };
}

async function append(
  deps: Pick<SubmitLetterDeps, 'events' | 'clock'>,
  letterId: string,
  type: EventType,
  actor: string,
  data: Record<string, unknown>,
  at?: string,
): Promise<void> {
  const now = deps.clock.now();
  const event: DomainEvent = {
    id: ids.event(now),
    stream: streamOf.letter(letterId),
    type,
    at: at ?? now.toISOString(),
    recordedAt: now.toISOString(),
    actor,
    data,
  };
  await deps.events.append(event);
}
