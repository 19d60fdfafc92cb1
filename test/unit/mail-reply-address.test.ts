import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { parseReplyAddress, replyAddress } from '../../shared/domain/mail/reply-address.ts';

const SECRET = 'test-secret-不要泄露';
const DOMAIN = 'reply.huixin.test';
const LETTER = 'l01kqz8m3n4abcdefgh';

describe('signed per-letter reply addresses', () => {
  it('makes r-<letterId>-<10-char mac>@domain, lowercase', () => {
    const a = replyAddress(LETTER, SECRET, 'Reply.Huixin.Test');
    expect(a).toMatch(/^r-l01kqz8m3n4abcdefgh-[0-9a-f]{10}@reply\.huixin\.test$/);
  });

  it('parses back to the letter id, case-insensitively, with display names and +tags', () => {
    const a = replyAddress(LETTER, SECRET, DOMAIN);
    expect(parseReplyAddress(a, SECRET, DOMAIN)).toBe(LETTER);
    expect(parseReplyAddress(a.toUpperCase(), SECRET, DOMAIN)).toBe(LETTER);
    expect(parseReplyAddress(`"市民 张三" <${a}>`, SECRET)).toBe(LETTER);
    const [local, dom] = a.split('@');
    expect(parseReplyAddress(`${local}+foo@${dom}`, SECRET, DOMAIN)).toBe(LETTER);
  });

  it('never yields a letter for a forged mac, another secret, another domain, or no secret', () => {
    const a = replyAddress(LETTER, SECRET, DOMAIN);
    const forged = a.replace(/-([0-9a-f]{10})@/, (_m, mac: string) => `-${mac[0] === 'a' ? 'b' : 'a'}${mac.slice(1)}@`);
    expect(parseReplyAddress(forged, SECRET, DOMAIN)).toBeNull();
    expect(parseReplyAddress(a, 'other-secret', DOMAIN)).toBeNull();
    expect(parseReplyAddress(a, SECRET, 'evil.test')).toBeNull();
    expect(parseReplyAddress(a, '', DOMAIN)).toBeNull();
    expect(parseReplyAddress(a.replace(LETTER, 'l01kqz8m3n4abcdefgj'), SECRET, DOMAIN)).toBeNull();
    expect(parseReplyAddress('not an address', SECRET)).toBeNull();
  });

  test.prop([fc.stringMatching(/^[0-9a-z]{8,26}$/), fc.stringMatching(/^[0-9a-f]{10}$/)])(
    'a random mac is accepted only when it is the right one',
    (id, mac) => {
      const good = replyAddress(id, SECRET, DOMAIN);
      const candidate = `r-${id}-${mac}@${DOMAIN}`;
      expect(parseReplyAddress(candidate, SECRET, DOMAIN)).toBe(candidate === good ? id : null);
    },
  );
});
