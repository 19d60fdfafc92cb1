/** 查询码 / 信件编号 in the formats real platforms use. */
import type { SiteCtx } from '../variant.ts';
import { compactDate, randomCode } from '../util.ts';
import type { Codes } from './standard.ts';

const DIGITS = '0123456789';

/** Letter number: prefix + YYYYMMDD + zero-padded sequence (e.g. XF202603020007); 查询码: 6–8 letters/digits. */
export function datedCodes(prefix: string, seqWidth: number, queryLength: number, queryAlphabet?: string): (ctx: SiteCtx) => Codes {
  return (ctx) => ({
    letterNo: `${prefix}${compactDate(ctx.now())}${String(ctx.nextSeq()).padStart(seqWidth, '0')}`,
    queryCode: randomCode(() => ctx.rand(), queryLength, queryAlphabet),
  });
}

export const digitsOnly = DIGITS;
