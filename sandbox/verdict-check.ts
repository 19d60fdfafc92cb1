/**
 * Did every letter end as its sandbox site was told to make it end? One line per letter, `want` (from the fleet's
 * `expectedVerdicts`) beside `got` (the letter's state and the verdict the engine gives it when the window closes) —
 * the end-to-end test asserts the two lists are equal, the campaign bench counts the lines that differ.
 */
import type { WorkingDayCalendar } from '../shared/domain/calendar.ts';
import type { Letter } from '../shared/domain/model.ts';
import { judgeLetter } from '../shared/domain/timeliness.ts';
import type { ExpectedVerdict } from './fleet.ts';

export interface VerdictComparison {
  want: string[];
  got: string[];
  /** Lines of `got` that differ from `want` (same order). */
  mismatches: string[];
}

export function compareVerdicts(
  expected: readonly ExpectedVerdict[],
  letters: readonly Letter[],
  options: { calendar: WorkingDayCalendar; workingDays: number; closesAt: string },
): VerdictComparison {
  const bySite = new Map<string, Letter[]>();
  for (const l of letters) bySite.set(l.siteId, [...(bySite.get(l.siteId) ?? []), l]);
  const want: string[] = [];
  const got: string[] = [];
  for (const e of expected) {
    const mine = (bySite.get(e.siteId) ?? []).sort((a, b) => a.ordinal - b.ordinal);
    if (mine.length === 0) {
      want.push(`${e.siteKey} ${e.variant} ${e.letterState}`);
      got.push(`${e.siteKey} ${e.variant} no letters`);
      continue;
    }
    for (const letter of mine) {
      want.push(`${e.siteKey} ${e.variant} ${letter.ordinal} ${e.letterState}${e.letterState === 'submitted' ? ` ${e.verdict}` : ''}`);
      if (letter.state !== 'submitted' || !letter.submittedAt) {
        got.push(`${e.siteKey} ${e.variant} ${letter.ordinal} ${letter.state}`);
        continue;
      }
      const verdict = judgeLetter(
        {
          submittedAt: letter.submittedAt,
          repliedAt: letter.firstReply?.at ?? null,
          replyPrecision: letter.firstReply?.precision ?? 'instant',
          workingDays: options.workingDays,
          asOf: options.closesAt,
          windowClosesAt: options.closesAt,
        },
        options.calendar,
      ).verdict;
      const line = `${e.siteKey} ${e.variant} ${letter.ordinal} ${letter.state} ${verdict}`;
      // where it differs, say when it was submitted and when (and how) its first reply came
      got.push(verdict === e.verdict ? line : `${line} (${letter.submittedAt} → ${letter.firstReply?.at ?? '-'} ${letter.firstReply?.source ?? ''})`);
    }
  }
  return { want, got, mismatches: got.filter((g, i) => g !== want[i]) };
}
