/** Parsing of the CLI's option values: one way for every command. */
import { parseInstant } from '../shared/domain/beijing-time.ts';
import { InputError } from '../shared/domain/errors.ts';
import { safeJson } from './output.ts';

/** A whole number ≥ `min` (default 0; blanks around it allowed), else a bad-input error naming the option. */
export function wholeNumber(value: string, option: string, min = 0): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < min) {
    throw new InputError(`${option} ${min === 0 ? '须为非负整数' : `须为不小于 ${min} 的整数`} / must be a whole number ≥ ${min}, got ${safeJson(value)}`);
  }
  return Number(value);
}

/** `wholeNumber` as a commander option parser. */
export const wholeNumberOption = (option: string, min = 0) => (value: string) => wholeNumber(value, option, min);

/**
 * An ISO-8601 time as epoch ms, read strictly (shared/domain/beijing-time.ts: no offset = Beijing time, a bare date =
 * the start of that Beijing day), else a bad-input error naming the option — never `Date.parse`, which takes "1".
 */
export function parseInstantOption(value: string, option: string): number {
  try {
    return parseInstant(value);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${option}: ${err.message}`);
    throw err;
  }
}
