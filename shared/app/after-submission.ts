/**
 * What a letter needs once the site confirmed it (or staff recorded a hand submission): its 查询码 findable by mail
 * matching, and its deadline as a schedule (the deadline consumer looks at the reply list one last time). Both
 * runtimes call this after `submitLetter` records a `submitted` letter — the AWS submit-letter handler and the
 * embedded default's stack.
 */
import type { WorkingDayCalendar } from '../domain/calendar.ts';
import type { Letter } from '../domain/model.ts';
import { deadlineIfCovered } from '../domain/timeliness.ts';
import type { CampaignStore } from './ports.ts';
import { scheduleDeadline, type CampaignDeps } from './campaigns.ts';

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
  const workingDays = new Map<string, Promise<number>>();
  return async (letter: Pick<Letter, 'campaignId'>, submittedAt: string): Promise<string | undefined> => {
    if (!workingDays.has(letter.campaignId)) {
      workingDays.set(letter.campaignId, campaigns.getCampaign(letter.campaignId).then((c) => c?.method.workingDays ?? 1));
    }
    return deadlineIfCovered(calendar, submittedAt, await workingDays.get(letter.campaignId)!);
  };
}
