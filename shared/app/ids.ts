import { randomBytes } from 'node:crypto';

/**
 * Time-sortable, lowercase, URL- and mailbox-safe ids (Crockford base32 without confusable letters):
 * 10 characters of milliseconds, then 8 random ones. Lowercase because ids travel in e-mail local parts,
 * which some mail systems fold to lower case.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function newId(prefix = '', now: Date = new Date()): string {
  let ms = now.getTime();
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[ms % 32] + time;
    ms = Math.floor(ms / 32);
  }
  const bytes = randomBytes(8);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `${prefix}${time}${rand}`;
}

/** Letter ids start with `l`, events with `e`, campaigns with `c`, mails with `m`. */
export const ids = {
  letter: (now?: Date) => newId('l', now),
  event: (now?: Date) => newId('e', now),
  campaign: (now?: Date) => newId('c', now),
  mail: (now?: Date) => newId('m', now),
};
