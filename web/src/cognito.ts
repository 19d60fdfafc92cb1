/**
 * Sign-in in AWS: the Cognito hosted UI with the authorization-code grant and PKCE (no client secret in the
 * browser). `/config.json` (written next to index.html by the deploy pipeline from the web stack's outputs)
 * switches it on; without it the dashboard uses the local server's cookie login. Tokens live in sessionStorage
 * (gone with the tab) and go to the API as a bearer token, so there is no cookie and no CSRF token in AWS.
 */
export interface CognitoConfig {
  auth: 'cognito';
  /** e.g. https://huixin-staff-123456789012.auth.cn-north-1.amazoncognito.com */
  domain: string;
  clientId: string;
  redirectUri: string;
}

const TOKEN = 'hx-access-token';
const VERIFIER = 'hx-pkce-verifier';
const STATE = 'hx-pkce-state';

export async function loadCognitoConfig(): Promise<CognitoConfig | null> {
  const res = await fetch('/config.json', { credentials: 'same-origin' }).catch(() => null);
  if (!res || !res.ok) return null;
  const c = (await res.json().catch(() => null)) as Partial<CognitoConfig> | null;
  return c && c.auth === 'cognito' && c.domain && c.clientId && c.redirectUri ? (c as CognitoConfig) : null;
}

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export async function startSignIn(c: CognitoConfig): Promise<void> {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(VERIFIER, verifier);
  sessionStorage.setItem(STATE, state);
  const q = new URLSearchParams({ response_type: 'code', client_id: c.clientId, redirect_uri: c.redirectUri, scope: 'openid email', code_challenge_method: 'S256', code_challenge: challenge, state });
  location.assign(`${c.domain}/oauth2/authorize?${q.toString()}`);
}

/** Back from the hosted UI with ?code=…&state=…: exchange the code for tokens. */
export async function finishSignIn(c: CognitoConfig): Promise<void> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code) return;
  const state = params.get('state');
  const verifier = sessionStorage.getItem(VERIFIER);
  const expected = sessionStorage.getItem(STATE);
  sessionStorage.removeItem(VERIFIER);
  sessionStorage.removeItem(STATE);
  history.replaceState(null, '', location.pathname + location.hash);
  if (!verifier || !state || state !== expected) return;
  const res = await fetch(`${c.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: c.clientId, code, redirect_uri: c.redirectUri, code_verifier: verifier }).toString(),
  });
  if (!res.ok) return;
  const tokens = (await res.json()) as { access_token?: string };
  if (tokens.access_token) sessionStorage.setItem(TOKEN, tokens.access_token);
}

export function accessToken(): string | null {
  const t = sessionStorage.getItem(TOKEN);
  if (!t) return null;
  const claims = tokenClaims(t);
  if (!claims || typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) {
    sessionStorage.removeItem(TOKEN);
    return null;
  }
  return t;
}

/** The token's claims (for display only: the API Gateway authorizer verifies the signature). */
export function tokenClaims(token: string): Record<string, unknown> | null {
  try {
    const part = token.split('.')[1] ?? '';
    return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function signOut(c: CognitoConfig): void {
  sessionStorage.removeItem(TOKEN);
  location.assign(`${c.domain}/logout?${new URLSearchParams({ client_id: c.clientId, logout_uri: c.redirectUri }).toString()}`);
}
