/**
 * Each letter's own signed reply address: `r-<letterId>-<mac>@<mailDomain>`.
 * mac = the first 10 lowercase hex characters of HMAC-SHA256(secret, "reply:" + letterId).
 * Pure apart from node:crypto; the composition root supplies the secret and the domain.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_LENGTH = 10;
const LETTER_ID = /^[0-9a-z]{1,40}$/;

export function replyMac(letterId: string, secret: string): string {
  return createHmac('sha256', secret).update(`reply:${letterId}`).digest('hex').slice(0, MAC_LENGTH);
}

export function replyAddress(letterId: string, secret: string, mailDomain: string): string {
  if (!secret) throw new Error('reply secret must not be empty');
  const id = letterId.toLowerCase();
  if (!LETTER_ID.test(id)) throw new Error(`not a letter id: ${letterId}`);
  return `r-${id}-${replyMac(id, secret)}@${mailDomain.toLowerCase()}`;
}

/** Strip a display name / angle brackets: `"张三" <r-x-y@d>` → `r-x-y@d`. */
export function bareAddress(address: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(address);
  return (angle ? angle[1]! : address).trim().replace(/^mailto:/i, '');
}

/**
 * The letter id an address was made for, or null. Case-insensitive, tolerant of `+tags` and display names;
 * the mac is compared in constant time. `mailDomain`, when given, must match too.
 */
export function parseReplyAddress(address: string, secret: string, mailDomain?: string): string | null {
  if (!secret) return null;
  const bare = bareAddress(address).toLowerCase();
  const at = bare.lastIndexOf('@');
  if (at <= 0) return null;
  let local = bare.slice(0, at);
  const domain = bare.slice(at + 1);
  if (mailDomain && domain !== mailDomain.toLowerCase()) return null;
  const plus = local.indexOf('+');
  if (plus >= 0) local = local.slice(0, plus);
  const m = /^r-([0-9a-z]+)-([0-9a-f]+)$/.exec(local);
  if (!m) return null;
  const [, letterId, mac] = m as unknown as [string, string, string];
  if (!LETTER_ID.test(letterId) || mac.length !== MAC_LENGTH) return null;
  const expected = Buffer.from(replyMac(letterId, secret), 'utf8');
  const given = Buffer.from(mac, 'utf8');
  return timingSafeEqual(expected, given) ? letterId : null;
}
