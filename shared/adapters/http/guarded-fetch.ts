/**
 * `fetch` for government pages, which are hostile input: redirects are followed by hand (at most MAX_HOPS) and every
 * address — the first and each redirect target — must be a host a government site may have (shared/domain/registry.ts
 * hostKind): never link-local or cloud metadata (169.254.169.254, 100.100.100.200); loopback and private networks
 * only where the caller allows them (`allowPrivateHosts`: the sandbox, an intranet test) — never decided by the
 * address itself, which may be a link found on a hostile page. The
 * registry refuses such hosts at import; this keeps a redirect or a link found on a page from reaching them at run
 * time. (A public name that resolves to a private address is not caught here: the network's egress rules are the
 * boundary for that.)
 */
import { hostKind } from '../../domain/registry.ts';

const MAX_HOPS = 5;

export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
}

function check(url: string, privateAllowed: boolean): void {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BlockedAddressError(`not an http(s) address: ${url}`);
  const kind = hostKind(u.hostname);
  if (kind === 'never' || (kind === 'private' && !privateAllowed)) throw new BlockedAddressError(`address not allowed for a site page: ${url}`);
}

/** `guardedFetch` over another fetch (tests give it a scripted one), private hosts allowed or not. */
export function guardedFetchWith(get: (url: string, init: RequestInit) => Promise<Response>, options: { allowPrivateHosts?: boolean } = {}) {
  const privateAllowed = options.allowPrivateHosts ?? false;
  return async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    let url = String(input);
    for (let hop = 0; ; hop++) {
      check(url, privateAllowed);
      const res = await get(url, { ...init, redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) {
        // the Response of the last hop: its url is where the page really came from
        if (hop > 0) Object.defineProperty(res, 'url', { value: url });
        return res;
      }
      await res.body?.cancel();
      if (hop >= MAX_HOPS) throw new Error(`more than ${MAX_HOPS} redirects from ${String(input)}`);
      url = new URL(location, url).toString();
    }
  };
}

const get = (url: string, init: RequestInit) => fetch(url, init);

/** For public government sites: no loopback or private address, by any route. */
export const guardedFetch = guardedFetchWith(get);
/** For the sandbox and intranet tests: private addresses allowed, link-local and metadata still never. */
export const guardedFetchAllowingPrivate = guardedFetchWith(get, { allowPrivateHosts: true });
