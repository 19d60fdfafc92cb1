/**
 * The dashboard API's shapes: a request is plain data (method, path, query, body, principal) and a response is
 * plain data (status, json or body, headers). The local web server (shared/local/web-server.ts) and the Lambda
 * (functions/api/handler.ts) both translate their transport into these and call the same router.
 */

/** Who may call a route. Each role includes the ones before it. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  user: string;
  role: Role;
}

export interface ApiRequest {
  method: string;
  /** The path, starting with /api/ (no query string). */
  path: string;
  query: Record<string, string | undefined>;
  /** Parsed JSON body (state-changing routes), or undefined. */
  body?: unknown;
  /** Undefined when nobody is logged in. */
  principal?: Principal;
}

export interface ApiResponse {
  status: number;
  /** A JSON value to send (Content-Type application/json). */
  json?: unknown;
  /** Raw bytes or text (exports, evidence files). */
  body?: Uint8Array | string;
  headers?: Record<string, string>;
}

export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** The highest of the given role names (e.g. Cognito groups); undefined when none is a role. */
export function highestRole(names: readonly string[]): Role | undefined {
  let best: Role | undefined;
  for (const n of names) {
    if ((ROLES as readonly string[]).includes(n) && (!best || roleAllows(n as Role, best))) best = n as Role;
  }
  return best;
}
