/**
 * What a letter needs once the site confirmed it (or staff recorded a hand submission): its 查询码 findable by mail
 * matching, and its deadline as a schedule (the deadline consumer looks at the reply list one last time). Both
 * runtimes call this after `submitLetter` records a `submitted` letter — the AWS submit-letter handler and the
 * embedded default's stack.
 */
import { formatBeijing, parseInstant } from '../domain/beijing-time.ts';
import type { WorkingDayCalendar } from '../domain/calendar.ts';
import { ConflictError } from '../domain/errors.ts';
import { streamOf } from '../domain/events.ts';
import type { Letter } from '../domain/model.ts';
import { deadlineIfCovered } from '../domain/timeliness.ts';
import { deterministicId } from './ids.ts';
import type { CampaignStore, Clock, EventStore, LetterStore } from './ports.ts';
import { DEADLINE_POLL_LEAD_MS, scheduleDeadline, type CampaignDeps } from './campaigns.ts';

export interface AfterSubmissionDeps {
  finder: { index(letterId: string, keys: { queryCode?: string }): Promise<void> };
  scheduler: CampaignDeps['scheduler'];
}

export async function afterSubmission(deps: AfterSubmissionDeps, letter: Letter): Promise<void> {
  if (letter.state !== 'submitted') return;
  if (letter.queryCode) await deps.finder.index(letter.id, { queryCode: letter.queryCode });
  await scheduleDeadline(deps, letter);
}

/**
 * A letter's deadline under its campaign's frozen method (the end of the N-th working day after the submission);
 * undefined when it lies in a year the calendar does not cover yet: the letter is recorded as submitted all the same
 * (the site took it) and its verdict waits for that year's calendar, rather than the submission being lost.
 */
export function campaignDeadlines(campaigns: Pick<CampaignStore, 'getCampaign'>, calendar: WorkingDayCalendar) {
  // a campaign's method is frozen: read once per process — but a read that failed is not remembered (a throttled
  // read would otherwise fail every later letter of the campaign for as long as the process lives)
  const workingDays = new Map<string, Promise<number>>();
  return async (letter: Pick<Letter, 'campaignId'>, submittedAt: string): Promise<string | undefined> => {
    let n = workingDays.get(letter.campaignId);
    if (!n) {
      n = campaigns.getCampaign(letter.campaignId).then((c) => c?.method.workingDays ?? 1);
      workingDays.set(letter.campaignId, n);
      n.catch(() => workingDays.delete(letter.campaignId));
    }
    return deadlineIfCovered(calendar, submittedAt, await n);
  };
}

export interface DeadlineBackfillDeps {
  campaigns: Pick<CampaignStore, 'getCampaign'>;
  letters: Pick<LetterStore, 'updateLetter'>;
  events: Pick<EventStore, 'append'>;
  scheduler: CampaignDeps['scheduler'];
  calendar: WorkingDayCalendar;
  clock: Clock;
  /** Who sets it, e.g. `function:poll-reply-lists`. */
  actor: string;
}

/**
 * A letter recorded without a deadline (its deadline lay in a year the calendar did not cover when the site took it:
 * a letter of late December before next year's notice is out) gets one once the calendar covers that year — an
 * office loads the notice (HUIXIN_CALENDAR_FILES) and the next poll of the letter calls this. Then, as for any
 * submitted letter: its deadline poll is scheduled (unless that time has passed: the poll calling this looks at the
 * list now), a `letter.deadline-set` event with the calendar that gave it goes on its timeline, and `deadlineAt` is
 * set, which the overdue queue and the alerts read. Each step is idempotent and the letter is written last, so a crash
 * between them is mended by the next call. Returns the letter as it now is; a letter that needs nothing, or whose
 * year is still not covered, comes back unchanged.
 */
export function deadlineBackfill(deps: DeadlineBackfillDeps): (letter: Letter) => Promise<Letter> {
  const deadlineFor = campaignDeadlines(deps.campaigns, deps.calendar);
  return async (letter) => {
    if (letter.state !== 'submitted' || letter.deadlineAt || !letter.submittedAt) return letter;
    const deadlineAt = await deadlineFor(letter, letter.submittedAt);
    if (!deadlineAt) return letter;
    const now = deps.clock.now();
    const at = formatBeijing(now.getTime());
    if (parseInstant(deadlineAt) - DEADLINE_POLL_LEAD_MS > now.getTime()) await scheduleDeadline(deps, { ...letter, deadlineAt });
    await deps.events.append({
      // one per letter and submission, whenever and however often this runs: its id and its `at` (the submission it
      // completes, beside which it sorts) are the same every time — the stored event's key is made of both, so a
      // rerun at another time (after a crash before the letter was written) is the same event, not a second one
      id: deterministicId('e', new Date(parseInstant(letter.submittedAt)), `${letter.id}:letter.deadline-set:${letter.submittedAt}`),
      stream: streamOf.letter(letter.id),
      type: 'letter.deadline-set',
      at: letter.submittedAt,
      recordedAt: at,
      actor: deps.actor,
      data: { deadlineAt, submittedAt: letter.submittedAt, calendar: deps.calendar.ref },
    });
    try {
      return await deps.letters.updateLetter(letter.id, ['submitted'], { deadlineAt, updatedAt: at }, letter);
    } catch (err) {
      if (err instanceof ConflictError) return letter; // it changed meanwhile: the next poll looks again
      throw err;
    }
  };
}
