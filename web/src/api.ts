/** Calls to the dashboard API: same origin, the session cookie, and the CSRF token on every state change. */
export interface Me {
  user: string;
  role: 'viewer' | 'operator' | 'admin';
  csrf: string;
}

let csrf = '';
/** In AWS (Cognito): the bearer token instead of the cookie + CSRF token. */
let bearer: string | null = null;
export function useBearer(token: string | null): void {
  bearer = token;
}
const authHeaders = (): Record<string, string> => (bearer ? { authorization: `Bearer ${bearer}` } : {});

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as { message?: string; error?: string };
  if (!res.ok) throw new ApiError(res.status, body.message ?? body.error ?? `HTTP ${res.status}`);
  return body as T;
}

export async function session(): Promise<Me | null> {
  const res = await fetch('/auth/session', { credentials: 'same-origin' });
  if (res.status === 401) return null;
  const me = await parse<Me>(res);
  csrf = me.csrf;
  return me;
}

export async function login(user: string, password: string): Promise<Me> {
  const res = await fetch('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }), credentials: 'same-origin' });
  const me = await parse<Me>(res);
  csrf = me.csrf;
  return me;
}

export async function logout(): Promise<void> {
  await fetch('/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: '{}', credentials: 'same-origin' });
  csrf = '';
}

export async function get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1])).toString();
  return parse<T>(await fetch(`${path}${q ? `?${q}` : ''}`, { credentials: 'same-origin', headers: authHeaders() }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, ...authHeaders() }, body: JSON.stringify(body), credentials: 'same-origin' }),
  );
}

export const objectUrl = (key: string) => `/api/objects?key=${encodeURIComponent(key)}`;

/**
 * Whether API files (evidence, exports) need fetching by script: with a bearer token (AWS) an `<img src>` or an
 * `<a href>` to /api/… carries no credentials and the API's authorizer answers 401; the cookie goes by itself.
 */
export const needsFetchForFiles = (): boolean => bearer !== null;

/** An API file fetched with the credentials, as a `blob:` URL (the caller revokes it when done). */
export async function fileUrl(path: string): Promise<string> {
  const res = await fetch(path, { credentials: 'same-origin', headers: authHeaders() });
  if (!res.ok) await parse(res);
  return URL.createObjectURL(await res.blob());
}
