/**
 * A security review's findings (of 2026-12-02), pinned: hostile text is inert in the robots'
 * markdown and on the terminal, sessions end with a password/role change or the user's removal, delivery records
 * hold no webhook secret, the login throttle is per (user, address) and bounded, cookies are Secure off loopback,
 * and the data folder is owner-only.
 */
import { request } from 'node:http';
import { mkdtempSync, mkdirSync, chmodSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mdCode, mdText, safeJson, safeTerm } from '../../shared/domain/safe-text.ts';
import { dailyDigest, type RenderContext } from '../../shared/domain/alerts/messages.ts';
import { webhookPayload, type AlertSender } from '../../shared/adapters/alerts/senders.ts';
import { MemoryAlertStore } from '../../shared/adapters/alerts/memory.ts';
import { MemoryEventStore, MemoryLetterStore } from '../../shared/adapters/mail/memory.ts';
import { runDailyDigest, sendPending, type AlertDeps } from '../../shared/app/alerts.ts';
import type { AlertTarget } from '../../shared/domain/alerts/outbox.ts';
import { redactUrl } from '../../shared/domain/alerts/outbox.ts';
import { DynamoAlertStore } from '../../shared/adapters/alerts/dynamo-alerts.ts';
import { addUser, login, MemoryAuthStore, removeUser, resolveSession, type AuthStore } from '../../shared/app/auth.ts';
import { DynamoAuthStore } from '../../shared/adapters/http/dynamo-auth-store.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { openLocalStores } from '../../shared/local/runtime.ts';
import { LoginThrottle } from '../../shared/local/login-throttle.ts';
import { cookieSecurity, startWebServer, type WebServer } from '../../shared/local/web-server.ts';
import { privateDir } from '../../shared/local/data-dir.ts';

const ESC = '\x1b';
const HOSTILE_SUBJECT = `回复：${ESC}]0;pwned\x07${ESC}[2J${ESC}[1;31m请立即登录 [重新认证](https://evil.example/login) ![](https://evil.example/px.gif)${ESC}[0m\n### 管理员通知`;

describe('#3 hostile text in the robots’ markdown and on the terminal', () => {
  it('safeTerm removes ESC sequences (with OSC payloads), BEL, C1 and bidi controls; one line unless multiline', () => {
    const t = safeTerm(HOSTILE_SUBJECT);
    expect(t).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/);
    expect(t).not.toContain('pwned');
    expect(t).toBe('回复：请立即登录 [重新认证](https://evil.example/login) ![](https://evil.example/px.gif) ### 管理员通知');
    // a C1 CSI and a bidi override go; a lone CR is a line break (a space on one line), so it cannot overwrite the line
    expect(safeTerm('a\u009b2Jb\u202Ec\rd')).toBe('a2Jbc d');
    expect(safeTerm('第一行\r\n\t第二行\x1b[31m', { multiline: true })).toBe('第一行\n\t第二行');
  });

  it('safeJson escapes DEL, C1 and bidi controls that JSON.stringify leaves raw, and parses back to the same value', () => {
    const v = { s: 'a\u009b[2J\u202Eb\x7f' };
    const j = safeJson(v);
    expect(j).not.toMatch(/[\x7f-\x9f\u202e]/);
    expect(JSON.parse(j)).toEqual(v);
  });

  it('mdText leaves no link, image, heading, emphasis or HTML, one line, capped; mdCode renders a URL as code', () => {
    const md = mdText(HOSTILE_SUBJECT);
    expect(md).not.toMatch(/[[\]()!#<>*_`\n]/);
    expect(md).not.toContain('://');
    expect(md).toContain('［重新认证］（https:／/evil.example/login）');
    expect(mdText('<img src=x onerror=alert(1)>')).toBe('＜img src=x onerror=alert（1）＞');
    expect([...mdText('长'.repeat(500))]).toHaveLength(200);
    expect(mdCode('http://a.example/x_(y)`z')).toBe('`http://a.example/x_(y)｀z`');
  });

  it('the daily digest sent to DingTalk/WeCom carries a held mail’s subject and sender as inert text', () => {
    const ctx: RenderContext = { site: () => ({ id: 's1', name: '某市[人民](http://x)政府' }), locate: (k) => k, now: new Date('2026-11-02T02:00:00Z') };
    const m = dailyDigest(
      {
        asOf: ctx.now,
        overdue: [{ letterId: 'l1', siteId: 's1', title: '关于*办事*的咨询' }],
        gated: [],
        held: [{ mailId: 'm1', subject: HOSTILE_SUBJECT, from: '<img src=x onerror=alert(1)> <a@b.c>', receivedAt: '2026-11-02T01:00:00Z' }],
        openIncidents: [],
      },
      ctx,
    );
    for (const kind of ['dingtalk', 'wecom'] as const) {
      const body = JSON.stringify(webhookPayload(kind, m));
      expect(body).not.toContain('](https://evil.example');
      expect(body).not.toContain('![');
      expect(body).not.toContain('<img');
      expect(body).not.toContain('\\u001b');
    }
    // the injected heading stays inside its row: the only headings are the digest's own
    expect(m.markdown.split('\n').filter((l) => l.startsWith('#'))).toEqual([
      expect.stringMatching(/^### 【回信】每日摘要/),
      '#### 逾期未回复的信件 overdue letters (1)',
      '#### 待人工提交的信件 gated letters (0)',
      '#### 待处理邮件 held mail (1)',
      '#### 不可用的留言栏目 broken channels (0)',
    ]);
    expect(m.markdown).toContain('某市［人民］（http:／/x）政府');
    expect(m.markdown).toContain('关于＊办事＊的咨询');
  });
});

describe('#5 sessions end when the password or role changes, and users can be removed', () => {
  const clock = { now: () => new Date() };
  const pw = 'a long password 1';

  async function loggedIn(store: AuthStore, role = 'operator') {
    await addUser(store, { name: 'ops', role, password: pw, by: 'test' }, clock);
    const r = await login(store, 'ops', pw, clock);
    expect(r).not.toBeNull();
    expect(await resolveSession(store, r!.sessionId, clock)).toMatchObject({ user: 'ops', role });
    return r!.sessionId;
  }

  for (const [name, make] of [
    ['memory', async () => ({ store: new MemoryAuthStore() as AuthStore, close: async () => {} })],
    [
      'the embedded table',
      async () => {
        const s = await openLocalStores({ inMemory: true });
        return { store: new DynamoAuthStore(s.client, s.tableName) as AuthStore, close: () => s.close() };
      },
    ],
  ] as const) {
    it(`${name}: a password reset or a demotion (users add --replace) ends the user’s sessions; others keep theirs`, async () => {
      const { store, close } = await make();
      try {
        const id = await loggedIn(store);
        await addUser(store, { name: 'other', role: 'viewer', password: pw, by: 'test' }, clock);
        const other = (await login(store, 'other', pw, clock))!.sessionId;
        await addUser(store, { name: 'ops', role: 'viewer', password: 'another password 2', by: 'admin', replace: true }, clock);
        expect(await resolveSession(store, id, clock)).toBeUndefined();
        expect(await resolveSession(store, other, clock)).toMatchObject({ user: 'other' });
      } finally {
        await close();
      }
    });

    it(`${name}: users remove deletes the user and ends their sessions; an unknown user and the last admin are refused`, async () => {
      const { store, close } = await make();
      try {
        const id = await loggedIn(store);
        expect((await removeUser(store, 'ops')).name).toBe('ops');
        expect(await store.getUser('ops')).toBeUndefined();
        expect(await resolveSession(store, id, clock)).toBeUndefined();
        await expect(removeUser(store, 'ops')).rejects.toThrow(InputError);
        await addUser(store, { name: 'boss', role: 'admin', password: pw, by: 'test' }, clock);
        await expect(removeUser(store, 'boss')).rejects.toThrow(/last admin/);
      } finally {
        await close();
      }
    });
  }

  it('a session the store could not list (opened before the change) is still refused: role and time are checked per request', async () => {
    const store = new MemoryAuthStore();
    const id = await loggedIn(store);
    // the user record changes behind the session's back (no deleteSessionsOf): the next request refuses it
    const u = (await store.getUser('ops'))!;
    await store.putUser({ ...u, role: 'viewer' });
    expect(await resolveSession(store, id, clock)).toBeUndefined();
    const id2 = (await login(store, 'ops', pw, clock))!.sessionId;
    await store.putUser({ ...(await store.getUser('ops'))!, createdAt: new Date(Date.now() + 1000).toISOString() });
    expect(await resolveSession(store, id2, clock)).toBeUndefined();
  });
});

describe('#6 delivery records keep no webhook secret or token', () => {
  const TOKEN = 'ACCESS0TOKEN0abcdef1234';
  const SECRET = 'SECdingtalkSigningSecret123';

  it('a DingTalk target with a token and a 加签 secret: the stored delivery has only the host and the last 4 characters; the send uses the live configuration', async () => {
    const s = await openLocalStores({ inMemory: true });
    try {
      const store = new DynamoAlertStore(s.client, s.tableName);
      const targets: AlertTarget[] = [{ id: 'dingtalk-1', kind: 'dingtalk', url: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`, secret: SECRET }];
      const sent: AlertTarget[] = [];
      const sender: AlertSender = { send: async (t) => void sent.push(t) };
      const deps: AlertDeps = {
        alerts: store,
        events: new MemoryEventStore(),
        letters: new MemoryLetterStore(),
        sites: { listSites: async () => [], getSite: async () => undefined },
        sender,
        clock: { now: () => new Date('2026-11-02T01:00:00Z') },
        targets,
      };
      await runDailyDigest(deps, { overdue: async () => [], gated: async () => [], held: async () => [] });
      const [d] = await store.listDeliveries();
      expect(d!.target).toEqual({ id: 'dingtalk-1', kind: 'dingtalk', redacted: 'oapi.dingtalk.com …1234', signed: true });
      const raw = JSON.stringify(await s.client.send(new (await import('@aws-sdk/client-dynamodb')).ScanCommand({ TableName: s.tableName })));
      expect(raw).not.toContain(TOKEN);
      expect(raw).not.toContain(SECRET);
      await sendPending(deps);
      expect(sent).toEqual([targets[0]]);
      expect((await store.listDeliveries())[0]!.status).toBe('sent');
      expect(JSON.stringify(await store.listDeliveries())).not.toContain(SECRET);
    } finally {
      await s.close();
    }
  });

  it('a record written before redaction loses its URL and secret when it is next sent; a target no longer configured fails rather than using them', async () => {
    const alerts = new MemoryAlertStore();
    // as an older huixin stored it: the whole AlertTarget
    const legacyTarget: AlertTarget = { id: 'dingtalk-1', kind: 'dingtalk', url: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`, secret: SECRET };
    const message = { id: 'm', kind: 'daily', subject: 's', markdown: 'm', text: 't', siteIds: [], letterIds: [], incidentIds: [], screenshots: [], supervisorEmails: [], createdAt: '2026-11-02T01:00:00Z' } as const;
    await alerts.createDelivery({ id: 'm~dingtalk-1', messageId: 'm', target: legacyTarget, message: { ...message, siteIds: [], letterIds: [], incidentIds: [], screenshots: [], supervisorEmails: [] }, status: 'pending', attempts: 0, nextAttemptAt: '2026-11-02T01:00:00Z', createdAt: '2026-11-02T01:00:00Z', version: 0 });
    const sent: AlertTarget[] = [];
    await sendPending({
      alerts,
      events: new MemoryEventStore(),
      letters: new MemoryLetterStore(),
      sites: { listSites: async () => [], getSite: async () => undefined },
      sender: { send: async (t) => void sent.push(t) },
      clock: { now: () => new Date('2026-11-02T02:00:00Z') },
      targets: [],
    });
    expect(sent).toEqual([]);
    const d = (await alerts.listDeliveries())[0]!;
    expect(d.lastError).toMatch(/no longer configured/);
    expect(JSON.stringify(d)).not.toContain(TOKEN);
    expect(JSON.stringify(d)).not.toContain(SECRET);
  });

  it('redactUrl: host and the last 4 characters, nothing of the path or query', () => {
    expect(redactUrl('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa')).toBe('qyapi.weixin.qq.com …5aaa');
  });
});

describe('#7 the login throttle: per (user, address), a per-user cap, bounded memory', () => {
  const T0 = Date.parse('2026-11-02T00:00:00Z');

  it('ten failures from one address lock that address out for that name only: the admin elsewhere still logs in', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 10; i++) t.failed('admin', '203.0.113.9', T0);
    expect(t.allowed('admin', '203.0.113.9', T0)).toBe(false);
    expect(t.allowed('admin', '127.0.0.1', T0)).toBe(true);
    expect(t.allowed('ops', '203.0.113.9', T0)).toBe(true);
    expect(t.allowed('admin', '203.0.113.9', T0 + 15 * 60_000)).toBe(true);
  });

  it('guessing spread over many addresses hits the per-user cap', () => {
    const t = new LoginThrottle({ perClient: 10, perUser: 30 });
    for (let i = 0; i < 30; i++) t.failed('admin', `198.51.100.${i}`, T0);
    expect(t.allowed('admin', '198.51.100.200', T0)).toBe(false);
  });

  it('memory stays bounded under a flood of distinct names and addresses; invalid names share one bucket', () => {
    const t = new LoginThrottle({ maxEntries: 100 });
    for (let i = 0; i < 5_000; i++) t.failed(`user${i}`, `10.0.${i >> 8}.${i & 255}`, T0 + i);
    expect(t.size).toBeLessThanOrEqual(100);
    const u = new LoginThrottle();
    for (let i = 0; i < 1_000; i++) u.failed(`INVALID NAME ${i}`, '10.0.0.1', T0);
    expect(u.size).toBe(2);
  });

  describe('through the web server', () => {
    let server: WebServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    const post = (port: number, body: unknown, localAddress: string, forwardedFor?: string) =>
      new Promise<number>((resolve, reject) => {
        const data = JSON.stringify(body);
        const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) };
        const req = request({ host: '127.0.0.1', port, path: '/auth/login', method: 'POST', localAddress, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(data);
      });

    it('an attacker’s 10 wrong passwords for admin do not lock out the admin on another address', async () => {
      const auth = new MemoryAuthStore();
      const clock = { now: () => new Date() };
      await addUser(auth, { name: 'admin', role: 'admin', password: 'the right password', by: 'test' }, clock);
      server = await startWebServer({ api: { handle: async () => ({ status: 404, json: {} }) }, auth, clock, staticDir: tmpdir(), host: '127.0.0.1' });
      for (let i = 0; i < 10; i++) expect(await post(server.port, { user: 'admin', password: 'wrong' }, '127.0.0.2')).toBe(401);
      expect(await post(server.port, { user: 'admin', password: 'the right password' }, '127.0.0.2')).toBe(429);
      expect(await post(server.port, { user: 'admin', password: 'the right password' }, '127.0.0.1')).toBe(200);
    });

    it('behind the reverse proxy, the address the proxy saw is the client: one attacker does not lock out the office', async () => {
      const auth = new MemoryAuthStore();
      const clock = { now: () => new Date() };
      await addUser(auth, { name: 'admin', role: 'admin', password: 'the right password', by: 'test' }, clock);
      server = await startWebServer({ api: { handle: async () => ({ status: 404, json: {} }) }, auth, clock, staticDir: tmpdir(), host: '127.0.0.1', behindHttps: true, secureCookies: false });
      // every request comes from the proxy (127.0.0.1); the attacker also forges an entry of its own in front
      for (let i = 0; i < 10; i++) expect(await post(server.port, { user: 'admin', password: 'wrong' }, '127.0.0.1', `10.9.9.${i}, 203.0.113.66`)).toBe(401);
      expect(await post(server.port, { user: 'admin', password: 'the right password' }, '127.0.0.1', '203.0.113.66')).toBe(429);
      expect(await post(server.port, { user: 'admin', password: 'the right password' }, '127.0.0.1', '198.51.100.7')).toBe(200);
    });
  });
});

describe('the Origin check behind a reverse proxy that rewrites Host (nginx and Apache by default)', () => {
  let server: WebServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A login as the proxy sends it: from 127.0.0.1, Host = the upstream, the browser's Origin, maybe X-Forwarded-Host. */
  const login = (port: number, extra: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const data = JSON.stringify({ user: 'admin', password: 'the right password' });
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), host: `127.0.0.1:${port}`, origin: 'https://huixin.office.example', ...extra };
      const req = request({ host: '127.0.0.1', port, path: '/auth/login', method: 'POST', headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(data);
    });

  async function start(behindHttps: boolean): Promise<number> {
    const auth = new MemoryAuthStore();
    const clock = { now: () => new Date() };
    await addUser(auth, { name: 'admin', role: 'admin', password: 'the right password', by: 'test' }, clock);
    server = await startWebServer({ api: { handle: async () => ({ status: 404, json: {} }) }, auth, clock, staticDir: tmpdir(), host: '127.0.0.1', behindHttps, secureCookies: false });
    return server.port;
  }

  it('behind HTTPS, takes the host the proxy forwards: the office can log in; without it, says what the proxy must pass', async () => {
    const port = await start(true);
    expect((await login(port, { 'x-forwarded-host': 'huixin.office.example' })).status).toBe(200);
    const refused = await login(port, {});
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/X-Forwarded-Host/);
    expect((await login(port, { 'x-forwarded-host': 'huixin.office.example', origin: 'https://evil.example' })).status).toBe(403);
  });

  it('without a proxy, a forwarded host is not believed', async () => {
    const port = await start(false);
    expect((await login(port, { 'x-forwarded-host': 'huixin.office.example' })).status).toBe(403);
  });
});

describe('#8 the session cookie is Secure off loopback, with a warning over plain HTTP', () => {
  it('cookieSecurity: loopback plain → not Secure; any other address → Secure and a bilingual warning; behind HTTPS → Secure, no warning', () => {
    expect(cookieSecurity('127.0.0.1')).toEqual({ secure: false });
    expect(cookieSecurity('::1')).toEqual({ secure: false });
    expect(cookieSecurity('localhost')).toEqual({ secure: false });
    const lan = cookieSecurity('0.0.0.0');
    expect(lan.secure).toBe(true);
    expect(lan.warning).toMatch(/警告.*明文 HTTP/);
    expect(lan.warning).toMatch(/WARNING.*plain HTTP/);
    expect(cookieSecurity('127.0.0.1', true)).toEqual({ secure: true });
    expect(cookieSecurity('0.0.0.0', true)).toEqual({ secure: true });
  });

  it('a server on 0.0.0.0 warns at start and sets Secure on the session cookie', async () => {
    const auth = new MemoryAuthStore();
    const clock = { now: () => new Date() };
    await addUser(auth, { name: 'admin', role: 'admin', password: 'the right password', by: 'test' }, clock);
    const logged: string[] = [];
    const server = await startWebServer({ api: { handle: async () => ({ status: 404, json: {} }) }, auth, clock, staticDir: tmpdir(), host: '0.0.0.0', log: (l) => logged.push(l) });
    try {
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/0\.0\.0\.0/);
      const res = await fetch(`http://127.0.0.1:${server.port}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'admin', password: 'the right password' }) });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await server.close();
    }
  });
});

describe('#9 the data folder is owner-only', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the embedded stores create HUIXIN_DATA_DIR and its database folder 0700', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hx-perm-'));
    const data = path.join(dir, 'new', 'data');
    const s = await openLocalStores({ dataDir: data });
    await s.close();
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(data, 'dynamodb')).mode & 0o777).toBe(0o700);
  });

  it('an existing 0755 folder is tightened to 0700 with a one-line notice', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hx-perm-'));
    const data = path.join(dir, 'old');
    mkdirSync(data);
    chmodSync(data, 0o755);
    const lines: string[] = [];
    privateDir(data, (l) => lines.push(l));
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/收紧为 0700.*tightened .* from 0755 to 0700/);
  });
});
