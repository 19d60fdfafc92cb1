/** Parsing of the CLI's option values: one way for every command. */
import { InputError } from '../shared/domain/errors.ts';
import { safeJson } from './output.ts';

/** A whole number ≥ 0 (blanks around it allowed), else a bad-input error naming the option. */
export function wholeNumber(value: string, option: string): number {
  if (!/^\s*\d+\s*$/.test(value)) throw new InputError(`${option} 须为非负整数 / must be a whole number ≥ 0, got ${safeJson(value)}`);
  return Number(value);
}

/** `wholeNumber` as a commander option parser. */
export const wholeNumberOption = (option: string) => (value: string) => wholeNumber(value, option);
