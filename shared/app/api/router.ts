/**
 * The dashboard API: a table of routes, each with the role it needs, and one `handle(request)` that checks the
 * principal (none → 401, too weak a role → 403), validates the input with zod and calls the other engineers' use
 * cases (campaign status pieces, gated queue and hand submission, holding pen, letter timelines, staff replies
 * and undo). Every state-changing action is an event recording who and when (the use cases write it); an undo
 * is a new event. Errors map to statuses: InputError 400, NotFoundError 404, ConflictError 409, else 500.
 */
import { z } from 'zod';
import { beijingDate, formatBeijing } from '../../domain/beijing-time.ts';
import { ConflictError, InputError, NotFoundError } from '../../domain/errors.ts';
import { streamOf, type DomainEvent } from '../../domain/events.ts';
import {
  cancelCampaign,
  gatedQueue,
  pauseCampaign,
  recordSubmission,
  resumeCampaign,
  startCampaign,
  type CampaignDeps,
} from '../campaigns.ts';
import { attachHeldMail, discardHeldMail, type HoldingPenDeps } from '../ingest-mail.ts';
import { letterTimeline, recordStaffReply, undoStaffEdit } from '../letter-timeline.ts';
import { mapLimit } from '../map-limit.ts';
import type { ObjectStore } from '../ports.ts';
import { computeCampaignView, countsOf, overviewFromCounts, type CampaignOverview, type SiteRow } from './campaign-view.ts';
import { exportCsv, exportXlsx, filterRows, pageRows, parseSitesQuery } from './sites-table.ts';
import { roleAllows, type ApiRequest, type ApiResponse, type Principal, type Role } from './types.ts';
import type { OverviewCounters, ViewStore } from './views.ts';

export interface ApiDeps {
  /** E's campaign wiring (its letter store should be `countingLetterStore(…)` so changes invalidate views). */
  campaign: CampaignDeps;
  /** D's holding-pen wiring (its finder should be `countingFinder(…)`). */
  holding: HoldingPenDeps;
  objects: ObjectStore;
  /** The overview counters item (one read per overview). */
  views: ViewStore;
  /** The tracker the counting stores above report to; the sites table cache listens to it. */
  counters?: OverviewCounters;
  /** Reads a raw mail's readable text and HTML (D's parseMail); without it the mail page shows the excerpt. */
  readMail?: (raw: Uint8Array) => Promise<{ text: string; html: string | null }>;
  /** The sites table's rows (in memory) are rebuilt from the letters when older than this. Default 5 min. */
  maxAgeMs?: number;
  /**
   * The counters item is recounted when older than this, to catch letter changes written by processes that do
   * not count them (until every writer does, or a DynamoDB stream feeds `letterChanged`). Default 10 min.
   */
  maxCountersAgeMs?: number;
}

type Params = Record<string, string>;
type Handler = (req: ApiRequest & { principal: Principal }, params: Params) => Promise<ApiResponse>;

export interface Route {
  method: 'GET' | 'POST';
  /** e.g. /api/letters/:id/undo */
  pattern: string;
  role: Role;
  /** One line for the route list. */
  summary: string;
  handler: Handler;
}

const ok = (json: unknown): ApiResponse => ({ status: 200, json });

function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new InputError(`${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return r.data;
}

const letterId = z.string().regex(/^[0-9A-Za-z_-]{1,80}$/, 'an id');

/** A page of a work queue: a 14,000-site campaign can have thousands of overdue letters. */
const QueuePageSchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  size: z.coerce.number().int().min(1).max(500).default(100),
});

export function queuePage<T>(items: readonly T[], query: Record<string, string | undefined>): { total: number; page: number; size: number; items: T[] } {
  const q = parseBody(QueuePageSchema, Object.fromEntries(Object.entries(query).filter(([k, v]) => (k === 'page' || k === 'size') && v)));
  const start = (q.page - 1) * q.size;
  return { total: items.length, page: q.page, size: q.size, items: items.slice(start, start + q.size) };
}

/** Path parameters, percent-decoded; a malformed escape (`%E0`) is bad input, not a crash. */
function decodeParams(groups: Record<string, string>): Params {
  try {
    return Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, decodeURIComponent(v)]));
  } catch {
    throw new InputError('path: malformed percent-encoding');
  }
}
const isoTime = z.string().trim().min(10).max(40);

export function createApi(deps: ApiDeps) {
  const maxAgeMs = deps.maxAgeMs ?? 300_000;
  const rowsCache = new Map<string, { day: string; at: number; rows: SiteRow[] }>();
  const now = () => deps.campaign.clock.now();
  deps.counters?.onSiteChanged((campaignId, rows, siteId) => {
    const hit = rowsCache.get(campaignId);
    if (hit) hit.rows = [...hit.rows.filter((r) => r.siteId !== siteId), ...rows];
  });

  /** Rebuild the counters item (and the sites table rows) from every letter of the campaign. */
  async function recount(campaignId: string): Promise<{ overview: CampaignOverview; computedAt: string; rows: SiteRow[] }> {
    const t = now();
    const day = beijingDate(t.getTime());
    const gen = (await deps.views.load(campaignId))?.gen ?? 0;
    const v = await computeCampaignView(deps.campaign, campaignId, formatBeijing(t.getTime()));
    const computedAt = t.toISOString();
    await deps.views.save({ campaignId, day, computedAt, counts: countsOf(v.overview) }, gen); // lost to a concurrent change: the next read recounts
    rowsCache.set(campaignId, { day, at: t.getTime(), rows: v.rows });
    return { overview: v.overview, computedAt, rows: v.rows };
  }

  /** The overview from the counters item (one read) while it is for today; a recount otherwise. */
  async function overview(campaignId: string): Promise<{ overview: CampaignOverview; cached: boolean; computedAt: string }> {
    const t = now();
    const [stored, campaign] = await Promise.all([deps.views.load(campaignId), deps.campaign.campaigns.getCampaign(campaignId)]);
    if (!campaign) throw new NotFoundError(`没有这个活动 / no campaign ${campaignId}`);
    const fresh = stored && stored.day === beijingDate(t.getTime()) && t.getTime() - Date.parse(stored.computedAt) < (deps.maxCountersAgeMs ?? 600_000);
    if (stored && fresh) {
      return { overview: overviewFromCounts(campaign, stored.counts, t.toISOString()), cached: true, computedAt: stored.computedAt };
    }
    const r = await recount(campaignId);
    return { overview: r.overview, cached: false, computedAt: r.computedAt };
  }

  async function siteRows(campaignId: string): Promise<SiteRow[]> {
    const t = now();
    const hit = rowsCache.get(campaignId);
    if (hit && hit.day === beijingDate(t.getTime()) && t.getTime() - hit.at < maxAgeMs) return hit.rows;
    return (await recount(campaignId)).rows;
  }

  const staff = (p: Principal) => p.user;

  const routes: Route[] = [
    { method: 'GET', pattern: '/api/me', role: 'viewer', summary: 'who am I', handler: async (r) => ok(r.principal) },
    {
      method: 'GET',
      pattern: '/api/campaigns',
      role: 'viewer',
      summary: 'campaigns, newest first',
      handler: async () => {
        const list = await deps.campaign.campaigns.listCampaigns();
        return ok(
          list
            .map((c) => ({ id: c.id, name: c.name, state: c.state, createdAt: c.createdAt, windowClosesAt: c.windowClosesAt, sites: c.siteIds.length, lettersPerSite: c.lettersPerSite }))
            .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)),
        );
      },
    },
    {
      method: 'GET',
      pattern: '/api/campaigns/:id/overview',
      role: 'viewer',
      summary: 'letters by state, verdicts, the four categories, deadline pressure, progress, reply times, by category and region',
      handler: async (_r, p) => ok(await overview(p.id!)),
    },
    {
      method: 'POST',
      pattern: '/api/campaigns/:id/recount',
      role: 'admin',
      summary: 'recompute the stored overview from the letters (repairs the counters)',
      handler: async (_r, p) => {
        const r = await recount(p.id!);
        return ok({ overview: r.overview, cached: false, computedAt: r.computedAt });
      },
    },
    {
      method: 'POST',
      pattern: '/api/campaigns/:id/state',
      role: 'admin',
      summary: 'start / pause / resume / cancel a campaign',
      handler: async (r, p) => {
        const b = parseBody(z.object({ action: z.enum(['start', 'pause', 'resume', 'cancel']), reason: z.string().max(500).optional() }).strict(), r.body);
        const actor = `staff:${staff(r.principal)}`;
        const fn = { start: startCampaign, pause: pauseCampaign, resume: resumeCampaign }[b.action as 'start'];
        const c = b.action === 'cancel' ? await cancelCampaign(deps.campaign, p.id!, { actor, ...(b.reason ? { reason: b.reason } : {}) }) : await fn(deps.campaign, p.id!, { actor });
        return ok({ id: c.id, state: c.state });
      },
    },
    {
      method: 'GET',
      pattern: '/api/campaigns/:id/sites',
      role: 'viewer',
      summary: 'sites table: q, region, category, result, health, sort, dir, page, size',
      handler: async (r, p) => {
        const q = parseSitesQuery(r.query);
        return ok(pageRows(filterRows(await siteRows(p.id!), q), q));
      },
    },
    {
      method: 'GET',
      pattern: '/api/campaigns/:id/sites/export',
      role: 'viewer',
      summary: 'export what the table shows (every page): format=csv|xlsx',
      handler: async (r, p) => {
        const format = r.query.format === 'xlsx' ? 'xlsx' : r.query.format === 'csv' || !r.query.format ? 'csv' : null;
        if (!format) throw new InputError('format: csv or xlsx');
        const rows = filterRows(await siteRows(p.id!), parseSitesQuery({ ...r.query, format: undefined, page: undefined, size: undefined }));
        const name = `huixin-sites-${p.id}.${format}`;
        return format === 'csv'
          ? { status: 200, body: exportCsv(rows), headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` } }
          : {
              status: 200,
              body: await exportXlsx(rows),
              headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': `attachment; filename="${name}"` },
            };
      },
    },
    {
      method: 'GET',
      pattern: '/api/sites/:id',
      role: 'viewer',
      summary: 'site page: the site, channel health history, alerts, letters with timelines and verdicts',
      handler: async (_r, p) => {
        const site = await deps.campaign.sites.getSite(p.id!);
        if (!site) throw new NotFoundError(`没有这个网站 / no site ${p.id}`);
        const events = await deps.campaign.events.stream(streamOf.site(site.id));
        const letters = await deps.campaign.letters.lettersOfSite(site.id);
        const asOf = now().toISOString();
        const timelines = await Promise.all(letters.map((l) => letterDetail(l.id, asOf)));
        return ok({
          site,
          health: events.filter((e) => e.type.startsWith('channel.')).map(eventView),
          alerts: events.filter((e) => e.type.startsWith('alert.')).map(eventView),
          letters: timelines.sort((a, b) => (a.letter.plannedAt < b.letter.plannedAt ? 1 : -1)),
        });
      },
    },
    {
      method: 'GET',
      pattern: '/api/letters/:id',
      role: 'viewer',
      summary: 'a letter: timeline, evidence, verdict and the evidence that decided it',
      handler: async (_r, p) => ok(await letterDetail(parseBody(letterId, p.id), now().toISOString())),
    },
    {
      method: 'GET',
      pattern: '/api/objects',
      role: 'viewer',
      summary: 'an evidence object by key (screenshots inline; HTML only as a sandboxed download)',
      handler: async (r) => {
        const key = r.query.key ?? '';
        if (!/^[\w\-./\u4e00-\u9fff]{1,300}$/.test(key) || key.split('/').includes('..') || key.startsWith('/')) throw new InputError('key: an object key');
        const body = await deps.objects.get(key);
        if (!body) throw new NotFoundError(`没有这个文件 / no object ${key}`);
        const ext = key.split('.').at(-1)?.toLowerCase() ?? '';
        const type = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', pdf: 'application/pdf', txt: 'text/plain; charset=utf-8' }[ext];
        const headers: Record<string, string> = type
          ? { 'content-type': type, 'content-security-policy': "default-src 'none'; sandbox" }
          : { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment', 'content-security-policy': "default-src 'none'; sandbox" };
        return { status: 200, body, headers };
      },
    },
    {
      method: 'GET',
      pattern: '/api/queues/gated',
      role: 'viewer',
      summary: 'gated letters waiting for a person: page, size (≤ 500) → {total, page, size, items}',
      handler: async (r) => ok(queuePage(await gatedQueue(deps.campaign), r.query)),
    },
    {
      method: 'POST',
      pattern: '/api/letters/:id/submission',
      role: 'operator',
      summary: 'record a hand submission of a gated letter: time + 查询码',
      handler: async (r, p) => {
        const b = parseBody(z.object({ submittedAt: isoTime, queryCode: z.string().trim().min(1).max(100) }).strict(), r.body);
        const l = await recordSubmission(deps.campaign, parseBody(letterId, p.id), { ...b, by: staff(r.principal) });
        return ok(l);
      },
    },
    {
      method: 'POST',
      pattern: '/api/letters/:id/replies',
      role: 'operator',
      summary: 'record a reply that came by phone/SMS/…',
      handler: async (r, p) => {
        const b = parseBody(z.object({ repliedAt: isoTime, channel: z.string().max(20), note: z.string().max(2000).optional() }).strict(), r.body);
        const e = await recordStaffReply({ ...deps.holding, objects: deps.objects }, parseBody(letterId, p.id), { ...b, staff: staff(r.principal) });
        return ok(eventView(e));
      },
    },
    {
      method: 'POST',
      pattern: '/api/letters/:id/undo',
      role: 'operator',
      summary: 'undo a staff edit (a new staff.undo event)',
      handler: async (r, p) => {
        const b = parseBody(z.object({ eventId: letterId, note: z.string().max(2000).optional() }).strict(), r.body);
        const e = await undoStaffEdit(deps.holding, parseBody(letterId, p.id), b.eventId, staff(r.principal), b.note);
        return ok(eventView(e));
      },
    },
    {
      method: 'GET',
      pattern: '/api/queues/held',
      role: 'viewer',
      summary: 'the holding pen: mails that matched no letter, oldest first: page, size (≤ 500) → {total, page, size, items}',
      handler: async (r) => ok(queuePage(await deps.holding.mails.listHeld(), r.query)),
    },
    {
      method: 'GET',
      pattern: '/api/mails/:id',
      role: 'viewer',
      summary: 'one mail: its record, readable text, and its HTML for a sandboxed frame',
      handler: async (_r, p) => {
        const record = await deps.holding.mails.getMail(p.id!);
        if (!record) throw new NotFoundError(`没有这封邮件 / no mail ${p.id}`);
        let text = record.excerpt;
        let html: string | null = null;
        const raw = deps.readMail ? await deps.objects.get(record.rawKey) : undefined;
        if (raw && deps.readMail) ({ text, html } = await deps.readMail(raw));
        return ok({ record, text, html });
      },
    },
    {
      method: 'POST',
      pattern: '/api/mails/:id/attach',
      role: 'operator',
      summary: 'attach a held mail to a letter',
      handler: async (r, p) => {
        const b = parseBody(z.object({ letterId, note: z.string().max(2000).optional() }).strict(), r.body);
        const res = await attachHeldMail(deps.holding, p.id!, b.letterId, staff(r.principal), b.note);
        return ok({ record: res.record, event: eventView(res.event), firstReplyChanged: res.firstReplyChanged });
      },
    },
    {
      method: 'POST',
      pattern: '/api/mails/:id/discard',
      role: 'operator',
      summary: 'discard a held mail (recorded, never erased)',
      handler: async (r, p) => {
        const b = parseBody(z.object({ note: z.string().max(2000).optional() }).strict(), r.body);
        return ok(await discardHeldMail(deps.holding, p.id!, staff(r.principal), b.note));
      },
    },
    {
      method: 'GET',
      pattern: '/api/queues/overdue',
      role: 'viewer',
      summary: 'submitted letters without a reply past their deadline: page, size (≤ 500) → {total, page, size, items}',
      handler: async (r) => {
        const shown = queuePage(await deps.campaign.letters.overdueLetters(now().toISOString()), r.query);
        // the sites of this page only (≤ 500), not the whole registry (14,000 sites) on every view
        const ids = [...new Set(shown.items.map((l) => l.siteId))];
        const found = await mapLimit(ids, 16, (id) => deps.campaign.sites.getSite(id));
        const sites = new Map(ids.map((id, i) => [id, found[i]]));
        return ok({ ...shown, items: shown.items.map((l) => ({ letter: l, site: sites.get(l.siteId) ?? null })) });
      },
    },
  ];

  async function letterDetail(id: string, asOf: string) {
    const t = await letterTimeline({ letters: deps.campaign.letters, events: deps.campaign.events, campaigns: deps.campaign.campaigns, calendar: deps.campaign.calendar }, id, asOf);
    const evidence: Array<{ eventId: string; kind: string; key: string; sha256?: string }> = [];
    for (const e of t.entries) {
      const ev = e.data.evidence as Record<string, unknown> | undefined;
      if (!ev || typeof ev !== 'object') continue;
      for (const kind of ['screenshot', 'html']) {
        const o = ev[kind] as { key?: string; sha256?: string } | undefined;
        if (o?.key) evidence.push({ eventId: e.eventId, kind, key: o.key, ...(o.sha256 ? { sha256: o.sha256 } : {}) });
      }
      if (typeof ev.key === 'string') evidence.push({ eventId: e.eventId, kind: 'staff', key: ev.key, ...(typeof ev.sha256 === 'string' ? { sha256: ev.sha256 } : {}) });
    }
    const decidedBy = t.reply ? (t.entries.find((e) => e.eventId === t.reply!.eventId) ?? null) : null;
    return { ...t, evidence, decidedBy };
  }

  const compiled = routes.map((r) => ({
    route: r,
    regex: new RegExp(`^${r.pattern.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`),
  }));

  async function handle(req: ApiRequest): Promise<ApiResponse> {
    const method = req.method.toUpperCase();
    let match: { route: Route; groups: Record<string, string> } | undefined;
    let pathKnown = false;
    for (const c of compiled) {
      const m = c.regex.exec(req.path);
      if (!m) continue;
      pathKnown = true;
      if (c.route.method === method) {
        match = { route: c.route, groups: m.groups ?? {} };
        break;
      }
    }
    if (!req.principal) return { status: 401, json: { error: 'unauthenticated', message: '请先登录 / log in first' } };
    if (!match) return pathKnown ? { status: 405, json: { error: 'method not allowed' } } : { status: 404, json: { error: 'not found' } };
    if (!roleAllows(req.principal.role, match.route.role)) {
      return { status: 403, json: { error: 'forbidden', message: `需要 ${match.route.role} 权限 / needs the ${match.route.role} role`, need: match.route.role } };
    }
    try {
      return await match.route.handler(req as ApiRequest & { principal: Principal }, decodeParams(match.groups));
    } catch (err) {
      return errorResponse(err);
    }
  }

  return { handle, routes, overview, recount };
}

export type Api = ReturnType<typeof createApi>;

export function errorResponse(err: unknown): ApiResponse {
  if (err instanceof NotFoundError) return { status: 404, json: { error: 'not found', message: err.message } };
  if (err instanceof InputError) return { status: 400, json: { error: 'bad input', message: err.message } };
  if (err instanceof ConflictError) return { status: 409, json: { error: 'conflict', message: err.message } };
  return { status: 500, json: { error: 'internal', message: '内部错误 / internal error' } };
}

function eventView(e: DomainEvent | { eventId: string }): Record<string, unknown> {
  if ('eventId' in e) return e as unknown as Record<string, unknown>;
  return { eventId: e.id, type: e.type, at: e.at, recordedAt: e.recordedAt, actor: e.actor, data: e.data };
}
