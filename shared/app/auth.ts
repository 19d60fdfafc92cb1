/**
 * Dashboard users and sessions on one machine (in AWS, Cognito does this and the API only sees JWT claims).
 * Passwords: scrypt (node:crypto) with a random salt, compared in constant time. Sessions: a random 256-bit id
 * given to the browser in an HttpOnly cookie; only its sha256 is stored (a leaked table gives no session), with
 * an expiry and a per-session CSRF token that state-changing requests must echo in a header.
 * A session lives only as long as the user it was opened for: every request re-reads the user, and a session
 * opened before the user's password or role was last set, or for a user removed since, is refused and deleted;
 * setting a password or role, and removing a user, also delete that user's sessions outright.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../domain/errors.ts';
import type { Clock } from './ports.ts';
import { ROLES, type Role } from './api/types.ts';

export interface UserRecord {
  name: string;
  role: Role;
  /** `scrypt$N$r$p$saltB64$hashB64` */
  passwordHash: string;
  /** When this password and role were set (a `--replace` sets it again): sessions opened before are refused. */
  createdAt: string;
  createdBy: string;
}

export interface SessionRecord {
  /** sha256 (hex) of the session id: the id itself is never stored. */
  idHash: string;
  user: string;
  role: Role;
  csrf: string;
  createdAt: string;
  expiresAt: string;
}

export interface AuthStore {
  getUser(name: string): Promise<UserRecord | undefined>;
  /** Create or replace a user. */
  putUser(user: UserRecord): Promise<void>;
  /** Create iff absent; false when the user exists. */
  createUser(user: UserRecord): Promise<boolean>;
  listUsers(): Promise<UserRecord[]>;
  putSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Delete a user; false when there was none. */
  deleteUser(name: string): Promise<boolean>;
  /** Delete every session of a user; returns how many there were. */
  deleteSessionsOf(user: string): Promise<number>;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export const UserNameSchema = z.string().trim().regex(/^[a-z][a-z0-9_.-]{1,31}$/, 'a user name: 2–32 of a-z 0-9 _ . - starting with a letter');
export const PasswordSchema = z.string().min(12, 'at least 12 characters').max(200);

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new InputError(`${what}: ${r.error.issues[0]!.message}`);
  return r.data;
}

export async function addUser(
  store: AuthStore,
  input: { name: string; role: string; password: string; by: string; replace?: boolean },
  clock: Clock,
): Promise<UserRecord> {
  const name = parse(UserNameSchema, input.name, 'name');
  const role = parse(z.enum(ROLES), input.role, 'role');
  const password = parse(PasswordSchema, input.password, 'password');
  const user: UserRecord = { name, role, passwordHash: await hashPassword(password), createdAt: clock.now().toISOString(), createdBy: input.by };
  if (input.replace) {
    await store.putUser(user);
    // a new password or role: whoever held the old one is logged out
    await store.deleteSessionsOf(name);
  } else if (!(await store.createUser(user))) throw new InputError(`user ${name} exists (use --replace to set a new password or role)`);
  return user;
}

/**
 * Remove a user and end their sessions. An unknown user, or the last admin (nobody could manage users or sites
 * from the dashboard then), is an InputError.
 */
export async function removeUser(store: AuthStore, name: string): Promise<UserRecord> {
  const n = parse(UserNameSchema, name, 'name');
  const user = await store.getUser(n);
  if (!user) throw new InputError(`没有用户 ${n} / no user ${n}`);
  if (user.role === 'admin' && !(await store.listUsers()).some((u) => u.role === 'admin' && u.name !== n)) {
    throw new InputError(`${n} 是最后一个管理员，不能删除 / ${n} is the last admin: add another admin first`);
  }
  await store.deleteUser(n);
  await store.deleteSessionsOf(n);
  return user;
}

/** At first start, when nobody can log in: create `admin` with a random password, returned once to be printed. */
export async function ensureInitialAdmin(store: AuthStore, clock: Clock): Promise<{ name: string; password: string } | null> {
  if ((await store.listUsers()).length > 0) return null;
  const password = randomBytes(18).toString('base64url');
  const created = await store.createUser({ name: 'admin', role: 'admin', passwordHash: await hashPassword(password), createdAt: clock.now().toISOString(), createdBy: 'system' });
  return created ? { name: 'admin', password } : null;
}

export const sessionHash = (id: string) => createHash('sha256').update(id).digest('hex');

export const SESSION_TTL_MS = 8 * 3_600_000;

/** Check a password and open a session. Null when the user or the password is wrong (same answer for both). */
export async function login(
  store: AuthStore,
  name: string,
  password: string,
  clock: Clock,
  ttlMs = SESSION_TTL_MS,
): Promise<{ sessionId: string; session: SessionRecord } | null> {
  const user = typeof name === 'string' && name.length <= 64 ? await store.getUser(name.trim()) : undefined;
  // Verify against a dummy hash when the user does not exist, so timing does not tell which it was.
  const okPw = await verifyPassword(typeof password === 'string' ? password : '', user?.passwordHash ?? DUMMY_HASH);
  if (!user || !okPw) return null;
  const sessionId = randomBytes(32).toString('base64url');
  const now = clock.now();
  const session: SessionRecord = {
    idHash: sessionHash(sessionId),
    user: user.name,
    role: user.role,
    csrf: randomBytes(24).toString('base64url'),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  };
  await store.putSession(session);
  return { sessionId, session };
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** A session still stands for its user: the user exists, with the role the session has, set no later than it opened. */
function sessionStillValid(s: SessionRecord, user: UserRecord | undefined): boolean {
  return !!user && user.role === s.role && Date.parse(s.createdAt) >= Date.parse(user.createdAt);
}

/**
 * The live session for a cookie's id, or undefined: unknown, expired, or no longer valid for its user (removed,
 * password or role set since it opened) — an expired or invalid one is deleted.
 */
export async function resolveSession(store: AuthStore, sessionId: string | undefined, clock: Clock): Promise<SessionRecord | undefined> {
  if (!sessionId || sessionId.length > 100) return undefined;
  const s = await store.getSession(sessionHash(sessionId));
  if (!s) return undefined;
  if (Date.parse(s.expiresAt) <= clock.now().getTime() || !sessionStillValid(s, await store.getUser(s.user))) {
    await store.deleteSession(s.idHash);
    return undefined;
  }
  return s;
}

export async function logout(store: AuthStore, sessionId: string): Promise<void> {
  await store.deleteSession(sessionHash(sessionId));
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(session: SessionRecord, header: string | undefined): boolean {
  if (!header) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class MemoryAuthStore implements AuthStore {
  private readonly users = new Map<string, UserRecord>();
  private readonly sessions = new Map<string, SessionRecord>();
  async getUser(name: string) {
    return this.users.get(name);
  }
  async putUser(user: UserRecord) {
    this.users.set(user.name, { ...user });
  }
  async createUser(user: UserRecord) {
    if (this.users.has(user.name)) return false;
    this.users.set(user.name, { ...user });
    return true;
  }
  async listUsers() {
    return [...this.users.values()];
  }
  async putSession(s: SessionRecord) {
    this.sessions.set(s.idHash, { ...s });
  }
  async getSession(h: string) {
    return this.sessions.get(h);
  }
  async deleteSession(h: string) {
    this.sessions.delete(h);
  }
  async deleteUser(name: string) {
    return this.users.delete(name);
  }
  async deleteSessionsOf(user: string) {
    const mine = [...this.sessions.values()].filter((s) => s.user === user);
    for (const s of mine) this.sessions.delete(s.idHash);
    return mine.length;
  }
}
