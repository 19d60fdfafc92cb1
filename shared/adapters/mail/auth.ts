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
  const e = new Error(`${code} ${name}`) as Error & { code: string };
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

export async function authenticateMail(raw: Uint8Array, options: AuthOptions = {}): Promise<AuthVerdicts> {
  const res = await authenticate(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
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
