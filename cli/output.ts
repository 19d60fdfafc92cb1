/**
 * The CLI's only way to write text: everything printed goes through `safeTerm` (shared/domain/safe-text.ts), so a
 * mail subject, a sender, a reply or a site page's text cannot drive the staff's terminal (ESC sequences, BEL,
 * C1 controls, carriage returns). `out`/`errOut` keep line breaks (the CLI's own layout); a hostile value placed in
 * a one-line row must also be passed through `safeTerm(value)` (one line) so it cannot forge rows. JSON goes
 * through `safeJson`.
 */
import { formatBeijing, parseInstant } from '../shared/domain/beijing-time.ts';
import { safeTerm } from '../shared/domain/safe-text.ts';

export { safeJson, safeTerm } from '../shared/domain/safe-text.ts';

/** Write to standard output, control characters removed (newlines and tabs kept). */
export function out(text: string): void {
  process.stdout.write(safeTerm(text, { multiline: true }));
}

/** Write to standard error, control characters removed (newlines and tabs kept). */
export function errOut(text: string): void {
  process.stderr.write(safeTerm(text, { multiline: true }));
}

/**
 * A stored instant (often UTC, `…Z`) as staff read it: ISO-8601 in Beijing time, `2026-11-27T17:30:00+08:00`.
 * A value that is not an ISO-8601 time is returned as it is. JSON output keeps the stored value.
 */
export function beijingTime(iso: string): string {
  try {
    return formatBeijing(parseInstant(iso));
  } catch {
    return iso;
  }
}
