/**
 * SPF/DKIM/DMARC with `mailauth`, offline-safe: DNS goes through a resolver that answers from a local table
 * (tests, the demo) and otherwise fails fast with ENOTFOUND/ETIMEOUT instead of hanging — so the verdicts are
 * honestly `none` / `temperror` when there is no internet.
 */
import { authenticate } from 'mailauth';
import { toAuthResult, type AuthVerdicts } from '../../domain/mail/auth.ts';

export type DnsTable = Record<string, Partial<Record<'TXT' | 'MX' | 'A' | 'AAAA' | 'CNAME', unknown[]>>>;
export type Resolver = (name: string, rr: string) => Promise<unknown[]>;

function dnsError(code: string, name: string): Error {
  // No stack trace: an offline resolver throws for nearly every lookup (SPF, DMARC, DKIM keys), and capturing a
  // stack is most of the cost of an Error. mailauth only reads `code`.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const e = new Error(`${code} ${name}`) as Error & { code: string };
  Error.stackTraceLimit = limit;
  e.code = code;
  return e;
}

/** A resolver from a local table; anything not in it is NXDOMAIN (`ENOTFOUND`) at once. */
export function tableResolver(table: DnsTable = {}): Resolver {
  return async (name, rr) => {
    const entry = table[name.toLowerCase().replace(/\.$/, '')];
    const answer = entry?.[rr as keyof typeof entry];
    if (answer && answer.length) return answer;
    throw dnsError(entry ? 'ENODATA' : 'ENOTFOUND', name);
  };
}

/** Wraps a real resolver with a hard timeout so a missing network cannot hang ingestion. */
export function timeoutResolver(inner: Resolver, ms = 2000): Resolver {
  return (name, rr) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(dnsError('ETIMEOUT', name)), ms);
      inner(name, rr).then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(t);
          reject(e);
        },
      );
    });
}

export interface AuthOptions {
  ip?: string;
  helo?: string;
  sender?: string;
  mta?: string;
  resolver?: Resolver;
}

/** Byte offset just past the blank line that ends the header block, or -1 when there is none. */
function headerEnd(buf: Buffer): number {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf >= 0 ? lf + 2 : -1;
}

const DKIM_SIGNATURE = /^dkim-signature[ \t]*:/im;

/**
 * What mailauth needs to see. The body only feeds the DKIM body hash (SPF and DMARC read the envelope and the
 * header fields; ARC and BIMI are off), so a mail that carries no DKIM-Signature header is checked on its header
 * block alone — the same verdicts without reading (and canonicalising) a body that can be megabytes long.
 */
export function authInput(raw: Uint8Array): Buffer {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const end = headerEnd(buf);
  if (end < 0) return buf;
  if (DKIM_SIGNATURE.test(buf.toString('latin1', 0, end))) return buf;
  return buf.subarray(0, end);
}

export async function authenticateMail(raw: Uint8Array, options: AuthOptions = {}): Promise<AuthVerdicts> {
  const res = await authenticate(authInput(raw), {
    ...(options.ip ? { ip: options.ip } : {}),
    ...(options.helo ? { helo: options.helo } : {}),
    ...(options.sender ? { sender: options.sender } : {}),
    mta: options.mta ?? 'huixin.local',
    resolver: options.resolver ?? tableResolver(),
    disableArc: true,
    disableBimi: true,
  } as Parameters<typeof authenticate>[1]);
  const r = res as unknown as {
    spf?: { status?: { result?: string } } | false;
    dkim?: { results?: Array<{ status?: { result?: string } }> };
    dmarc?: { status?: { result?: string } } | false;
  };
  const dkimResults = r.dkim?.results ?? [];
  const dkim = dkimResults.some((d) => d.status?.result === 'pass')
    ? 'pass'
    : toAuthResult(dkimResults[0]?.status?.result ?? 'none');
  return {
    spf: r.spf ? toAuthResult(r.spf.status?.result) : 'none',
    dkim,
    dmarc: r.dmarc ? toAuthResult(r.dmarc.status?.result) : 'none',
    source: 'mailauth',
  };
}
