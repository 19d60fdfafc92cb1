import { createHash, randomBytes } from 'node:crypto';

/**
 * Time-sortable, lowercase, URL- and mailbox-safe ids (Crockford base32 without confusable letters):
 * 10 characters of milliseconds, then 8 random ones. Lowercase because ids travel in e-mail local parts,
 * which some mail systems fold to lower case.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function newId(prefix = '', now: Date = new Date()): string {
  return idOf(prefix, now, randomBytes(8));
}

/** A time-sortable id like newId, but deterministic: the same (time, key) always gives the same id (idempotent writes). */
export function deterministicId(prefix: string, at: Date, key: string): string {
  return idOf(prefix, at, createHash('sha256').update(key).digest());
}

/** prefix + 10 characters of milliseconds + 8 characters from the first 8 bytes given. */
function idOf(prefix: string, at: Date, bytes: Uint8Array): string {
  let ms = at.getTime();
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[ms % 32] + time;
    ms = Math.floor(ms / 32);
  }
  let rand = '';
  for (let i = 0; i < 8; i++) rand += ALPHABET[bytes[i]! % 32];
  return `${prefix}${time}${rand}`;
}

/** Letter ids start with `l`, events with `e`, campaigns with `c`, mails with `m`. */
export const ids = {
  letter: (now?: Date) => newId('l', now),
  event: (now?: Date) => newId('e', now),
  campaign: (now?: Date) => newId('c', now),
  mail: (now?: Date) => newId('m', now),
};
