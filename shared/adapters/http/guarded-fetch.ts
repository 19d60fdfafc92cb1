/**
 * `fetch` for government pages, which are hostile input: redirects are followed by hand (at most MAX_HOPS) and every
 * address — the first and each redirect target — must be a host a government site may have (shared/domain/registry.ts
 * hostKind): never link-local or cloud metadata (169.254.169.254, 100.100.100.200); loopback and private networks
 * only where the caller allows them (`allowPrivateHosts`: the sandbox, an intranet test) — never decided by the
 * address itself, which may be a link found on a hostile page. The registry refuses such hosts at import; this keeps
 * a redirect or a link found on a page from reaching them at run time. A name is checked twice: the name itself
 * before the request, and every address it resolves to at the moment of connecting (the resolver the connection
 * uses, so a name that resolves to a public address for a check and to a private one for the request — DNS
 * rebinding — is refused too).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { Agent, fetch as undiciFetch } from 'undici';
import { hostKind } from '../../domain/registry.ts';

const MAX_HOPS = 5;

export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
}

function check(url: string, privateAllowed: boolean): void {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BlockedAddressError(`not an http(s) address: ${url}`);
  if (!addressAllowed(u.hostname, privateAllowed)) throw new BlockedAddressError(`address not allowed for a site page: ${url}`);
}

/** `guardedFetch` over another fetch (tests give it a scripted one), private hosts allowed or not. */
export function guardedFetchWith(get: (url: string, init: RequestInit) => Promise<Response>, options: { allowPrivateHosts?: boolean } = {}) {
  const privateAllowed = options.allowPrivateHosts ?? false;
  return async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    let url = String(input);
    let request = init;
    for (let hop = 0; ; hop++) {
      check(url, privateAllowed);
      const res = await get(url, { ...request, redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) {
        // the Response of the last hop: its url is where the page really came from
        if (hop > 0) Object.defineProperty(res, 'url', { value: url });
        return res;
      }
      await res.body?.cancel();
      if (hop >= MAX_HOPS) throw new Error(`more than ${MAX_HOPS} redirects from ${String(input)}`);
      const next = new URL(location, url).toString();
      request = redirected(request, res.status, new URL(next).origin !== new URL(url).origin);
      url = next;
    }
  };
}

/**
 * The request a redirect asks for, as browsers (the fetch standard) make it: a POST answered by 301/302/303 becomes a
 * GET without its body; a redirect to another origin does not carry the cookies or credentials of the first.
 */
function redirected(init: RequestInit, status: number, crossOrigin: boolean): RequestInit {
  const method = (init.method ?? 'GET').toUpperCase();
  const toGet = status === 303 ? method !== 'GET' && method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST';
  if (!toGet && !crossOrigin) return init;
  const headers = new Headers(init.headers);
  if (toGet) {
    for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(h);
  }
  if (crossOrigin) for (const h of ['cookie', 'authorization', 'proxy-authorization']) headers.delete(h);
  const { body: _body, ...rest } = init;
  return toGet ? { ...rest, method: 'GET', headers } : { ...init, headers };
}

/** How names are resolved: node's dns.lookup, every address at once. */
export type Resolve = (hostname: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** Whether a site page may be at this address (an IP or a name): never link-local or metadata, private ones only when allowed. */
export function addressAllowed(address: string, privateAllowed: boolean): boolean {
  const kind = hostKind(address);
  return kind !== 'never' && (kind !== 'private' || privateAllowed);
}

/**
 * A resolver for the connections: resolves as dns.lookup does and refuses the name when any of its addresses is one
 * no site may have (private ones unless allowed) — all of them, not only the first, as the connection may try each.
 */
export function guardedLookup(privateAllowed: boolean, resolve: Resolve = dnsLookup) {
  return guardedLookupWith((address) => addressAllowed(address, privateAllowed), resolve);
}

/** guardedLookup with its own rule for addresses (the browser's guard takes one in its tests). */
export function guardedLookupWith(allowed: (address: string) => boolean, resolve: Resolve = dnsLookup) {
  return (hostname: string, options: { all?: boolean; family?: number | string; hints?: number }, callback: LookupCallback): void => {
    resolve(hostname, { ...options, family: Number(options.family ?? 0) as 0 | 4 | 6, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = addresses.find((a) => !allowed(a.address));
      if (bad) return callback(blocked(`${hostname} resolves to ${bad.address}, an address not allowed for a site page`), []);
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The refusal, with the code the callers (and the browser's guard) recognise. */
function blocked(message: string): BlockedAddressError & { code: 'EHUIXINBLOCKED' } {
  return Object.assign(new BlockedAddressError(message), { code: 'EHUIXINBLOCKED' as const });
}

/** The fetch whose connections resolve names through guardedLookup; a refused name rejects with the BlockedAddressError. */
export function checkedResolverFetch(privateAllowed: boolean, resolve?: Resolve) {
  const dispatcher = new Agent({ connect: { lookup: guardedLookup(privateAllowed, resolve) } });
  return async (url: string, init: RequestInit): Promise<Response> => {
    try {
      // undici's own fetch (the one the Agent belongs to); its Response is the same WHATWG Response.
      return (await undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as Response;
    } catch (err) {
      const blocked = causes(err).find((c): c is BlockedAddressError => c instanceof BlockedAddressError);
      throw blocked ?? err;
    }
  };
}

/** An error and its chain of causes. */
function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && out.length < 10; e = (e as { cause?: unknown } | null)?.cause) out.push(e);
  return out;
}

/** For public government sites: no loopback or private address, by any route. */
export const guardedFetch = guardedFetchWith(checkedResolverFetch(false));
/** For the sandbox and intranet tests: private addresses allowed, link-local and metadata still never. */
export const guardedFetchAllowingPrivate = guardedFetchWith(checkedResolverFetch(true), { allowPrivateHosts: true });
