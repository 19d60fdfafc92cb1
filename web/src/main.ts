/**
 * The staff dashboard: login, overview (ECharts), sites table, site and letter pages, work queues.
 * Hash routes: #/ (overview), #/sites?…, #/site/<id>, #/letter/<id>, #/queues. Everything from the server is
 * rendered as text; mail HTML only inside a sandboxed iframe with its own CSP.
 */
import './style.css';
import { ApiError, fileUrl, get, login, logout, needsFetchForFiles, objectUrl, post, session, useBearer, type Me } from './api.ts';
import { accessToken, finishSignIn, loadCognitoConfig, signOut, startSignIn, tokenClaims, type CognitoConfig } from './cognito.ts';
import { chart, COLORS, disposeCharts } from './charts.ts';
import { append, clear, fmtTime, h, type Child } from './dom.ts';
import { codeLabel, currentLang, reasonLabel, t, toggleLang, verdictLabel, type Key } from './i18n.ts';

interface CampaignItem {
  id: string;
  name: string;
  state: string;
  createdAt: string;
  sites: number;
}
type Counts = Record<'unavailable' | 'none' | 'late' | 'on-time' | 'pending', number>;
interface Overview {
  campaign: { id: string; name: string; state: string; windowClosesAt: string; workingDays: number };
  asOf: string;
  letters: number;
  buckets: Record<'planned' | 'sent' | 'gated' | 'awaitingReply' | 'sameDay' | 'onTime' | 'late' | 'none' | 'unavailable', number>;
  sites: Counts & { total: number; honour: number };
  byCategory: Record<string, Counts>;
  byRegion: Array<{ region: string } & Counts>;
  dueToday: number;
  dueTomorrow: number;
  overdue: number;
  progress: Array<{ date: string; submittedTotal: number; repliedTotal: number }>;
  replyTimes: Array<{ bucket: string; letters: number }>;
}
interface SiteRow {
  siteId: string;
  name: string;
  region: string;
  category: string;
  result: string;
  honour: boolean;
  health: string;
  letters: number;
  replied: number;
  lastSubmittedAt?: string;
}
interface Entry {
  eventId: string;
  at: string;
  type: string;
  actor: string;
  summary: string;
  countsAsReply: boolean;
  undone: boolean;
}
interface LetterDetail {
  letter: { id: string; siteId: string; campaignId: string; title: string; body: string; state: string; submittedAt?: string; queryCode?: string; ordinal: number; plannedAt: string };
  entries: Entry[];
  reply: { at: string; source: string; precision: string; eventId: string } | null;
  judgement: { verdict: string; deadline?: string; replyWorkingDays?: number } | null;
  judgementNote?: string;
  evidence: Array<{ eventId: string; kind: string; key: string; sha256?: string }>;
  decidedBy: Entry | null;
}
interface MailRecord {
  id: string;
  status: string;
  receivedAt: string;
  subject: string;
  from: string | null;
  excerpt: string;
  heldReason?: string;
  candidates?: string[];
}

const app = document.getElementById('app')!;
let me: Me | null = null;
let campaigns: CampaignItem[] = [];
/** Set when the dashboard runs in AWS behind Cognito (from /config.json). */
let cognito: CognitoConfig | null = null;

const can = (role: Me['role']) => !!me && ['viewer', 'operator', 'admin'].indexOf(me.role) >= ['viewer', 'operator', 'admin'].indexOf(role);
const selectedCampaign = () => {
  const id = localStorage.getItem('hx-campaign');
  return campaigns.find((c) => c.id === id)?.id ?? campaigns[0]?.id;
};

function route(): { page: string; arg?: string; query: URLSearchParams } {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [p, q] = raw.split('?') as [string, string | undefined];
  const parts = p.split('/').filter(Boolean);
  return { page: parts[0] ?? 'overview', ...(parts[1] ? { arg: safeDecode(parts[1]) } : {}), query: new URLSearchParams(q ?? '') };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A page's body, saying it is loading until `ready` empties it (a first recount of a big campaign takes seconds). */
function loadingBody(): HTMLElement {
  return h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted', role: 'status', 'data-testid': 'loading' }, t('loading')));
}
function ready(body: HTMLElement): HTMLElement {
  clear(body);
  body.removeAttribute('aria-busy');
  return body;
}

/**
 * A link to an API file (evidence, an export). With the session cookie a plain link; with a bearer token (AWS) the
 * link carries no credentials, so a click fetches the file with them and saves it under `filename`.
 */
function fileLink(href: string, filename: string, ...children: Child[]): HTMLAnchorElement {
  const a: HTMLAnchorElement = h('a', {
    href,
    download: filename,
    onclick: (e: Event) => {
      if (!needsFetchForFiles()) return;
      e.preventDefault();
      fileUrl(href).then(
        (url) => {
          h('a', { href: url, download: filename }).click();
          setTimeout(() => URL.revokeObjectURL(url), 60_000);
        },
        (err: unknown) => a.after(h('span', { class: 'error', role: 'alert' }, ` ${err instanceof Error ? err.message : String(err)}`)),
      );
    },
  }, ...children);
  return a;
}

/** An evidence screenshot: its URL with the cookie; fetched with the bearer token in AWS. */
function evidenceImage(key: string, alt: string): HTMLImageElement {
  const byScript = needsFetchForFiles();
  const img = h('img', { alt, 'data-testid': 'evidence-screenshot', loading: 'lazy', ...(byScript ? {} : { src: objectUrl(key) }) });
  if (byScript) {
    fileUrl(objectUrl(key)).then(
      (url) => {
        img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
        img.src = url;
      },
      () => (img.alt = `${alt} (${t('loadFailed')})`),
    );
  }
  return img;
}

/** Previous / page n of m / next, for a paged list. */
function pager(p: { page: number; size: number; total: number }, go: (page: number) => void): HTMLElement {
  const pages = Math.max(1, Math.ceil(p.total / p.size));
  return h(
    'nav',
    { class: 'pager', 'aria-label': t('pages') },
    h('button', { type: 'button', ...(p.page <= 1 ? { disabled: true } : {}), onclick: () => go(p.page - 1) }, t('prev')),
    h('span', {}, `${p.page} / ${pages}`),
    h('button', { type: 'button', ...(p.page >= pages ? { disabled: true } : {}), onclick: () => go(p.page + 1) }, t('next')),
  );
}

function message(el: HTMLElement, err: unknown): void {
  clear(el);
  const text = err instanceof ApiError && err.status === 403 ? t('forbidden') : err instanceof Error ? err.message : String(err);
  append(el, [h('p', { class: 'error', role: 'alert' }, text)]);
}

function layout(content: HTMLElement): void {
  clear(app);
  document.title = t('title');
  const r = route();
  const link = (href: string, key: Key, page: string) => h('a', { href, ...(r.page === page ? { 'aria-current': 'page' } : {}) }, t(key));
  append(app, [
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, '回信 huixin'),
      h('nav', { 'aria-label': t('mainNav') }, link('#/', 'overview', 'overview'), link('#/sites', 'sites', 'sites'), link('#/queues', 'queues', 'queues')),
      h(
        'div',
        { class: 'who' },
        me ? h('span', { 'data-testid': 'whoami' }, `${me.user} (${codeLabel('role', me.role)})`) : null,
        h('button', { type: 'button', class: 'link', onclick: () => (toggleLang(), render()) }, t('language')),
        me
          ? h(
              'button',
              { type: 'button', class: 'link', onclick: async () => (cognito ? signOut(cognito) : (await logout(), (me = null), void render())) },
              t('logout'),
            )
          : null,
      ),
    ),
    h('main', { id: 'main' }, content),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// login

function loginPage(): void {
  if (cognito) {
    const c = cognito;
    clear(app);
    append(app, [h('main', { id: 'main' }, h('div', { class: 'login card' }, h('h1', {}, t('title')), h('button', { type: 'button', onclick: () => void startSignIn(c) }, t('login'))))]);
    return;
  }
  const err = h('div', { 'aria-live': 'polite' });
  const user = h('input', { id: 'user', name: 'user', autocomplete: 'username', required: true });
  const pw = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form',
    { class: 'login card' },
    h('h1', {}, t('title')),
    h('label', { for: 'user' }, t('user')),
    user,
    h('label', { for: 'password' }, t('password')),
    pw,
    h('button', { type: 'submit' }, t('login')),
    err,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      me = await login(user.value, pw.value);
      if (location.hash.startsWith('#/login')) location.hash = '#/';
      await render();
    } catch (x) {
      message(err, x instanceof ApiError && x.status === 401 ? new Error(t('loginFailed')) : x);
    }
  });
  clear(app);
  append(app, [h('main', { id: 'main' }, form)]);
  user.focus();
}

// ---------------------------------------------------------------------------------------------------------------
// overview

function stat(testid: string, key: Key, value: number, color?: string): HTMLElement {
  return h('div', { class: 'stat', 'data-testid': testid, ...(color ? { style: `border-top-color:${color}` } : {}) }, h('span', { class: 'n' }, value), h('span', { class: 'l' }, t(key)));
}

function campaignPicker(onChange: () => void): HTMLElement {
  const sel = h('select', { id: 'campaign', 'aria-label': t('campaign') });
  for (const c of campaigns) sel.appendChild(h('option', { value: c.id, ...(c.id === selectedCampaign() ? { selected: true } : {}) }, `${c.name} (${codeLabel('campaign', c.state)})`));
  sel.addEventListener('change', () => {
    localStorage.setItem('hx-campaign', sel.value);
    onChange();
  });
  return h('div', { class: 'picker' }, h('label', { for: 'campaign' }, t('campaign')), sel);
}

async function overviewPage(): Promise<void> {
  const body = loadingBody();
  layout(body);
  const id = selectedCampaign();
  if (!id) return append(ready(body), [h('h1', {}, t('overview')), h('p', {}, t('noCampaign'))]);
  const { overview: o, computedAt } = await get<{ overview: Overview; computedAt: string }>(`/api/campaigns/${encodeURIComponent(id)}/overview`);
  ready(body);
  const b = o.buckets;
  const charts = {
    progress: h('div', { class: 'chart', role: 'img', 'aria-label': t('progress') }),
    replyTimes: h('div', { class: 'chart', role: 'img', 'aria-label': t('replyTimes') }),
    byCategory: h('div', { class: 'chart', role: 'img', 'aria-label': t('byCategory') }),
    byRegion: h('div', { class: 'chart', role: 'img', 'aria-label': t('byRegion') }),
  };
  append(body, [
    h('h1', {}, t('overview')),
    campaignPicker(() => void render()),
    h('p', { class: 'muted' }, `${o.campaign.name} · ${t('computedAt')} ${fmtTime(computedAt)} · N=${o.campaign.workingDays}`),
    h(
      'section',
      { 'aria-labelledby': 'h-letters' },
      h('h2', { id: 'h-letters' }, `${t('letters')} (${o.letters})`),
      h(
        'div',
        { class: 'stats' },
        stat('b-planned', 'planned', b.planned),
        stat('b-sent', 'sent', b.sent),
        stat('b-gated', 'gated', b.gated),
        stat('b-awaiting', 'awaitingReply', b.awaitingReply, COLORS.pending),
        stat('b-same-day', 'sameDay', b.sameDay, COLORS.sameDay),
        stat('b-on-time', 'onTime', b.onTime, COLORS.onTime),
        stat('b-late', 'late', b.late, COLORS.late),
        stat('b-none', 'none', b.none, COLORS.none),
        stat('b-unavailable', 'unavailable', b.unavailable, COLORS.unavailable),
      ),
    ),
    h(
      'div',
      { class: 'two' },
      h(
        'section',
        { 'aria-labelledby': 'h-four' },
        h('h2', { id: 'h-four' }, t('fourCategories')),
        h(
          'div',
          { class: 'stats' },
          stat('s-on-time', 'onTime', o.sites['on-time'], COLORS.onTime),
          stat('s-late', 'late', o.sites.late, COLORS.late),
          stat('s-none', 'none', o.sites.none, COLORS.none),
          stat('s-unavailable', 'unavailable', o.sites.unavailable, COLORS.unavailable),
          stat('s-pending', 'pending', o.sites.pending, COLORS.pending),
          stat('s-honour', 'honour', o.sites.honour, COLORS.sameDay),
        ),
      ),
      h(
        'section',
        { 'aria-labelledby': 'h-due' },
        h('h2', { id: 'h-due' }, t('deadlinePressure')),
        h('div', { class: 'stats' }, stat('due-today', 'dueToday', o.dueToday, COLORS.late), stat('due-tomorrow', 'dueTomorrow', o.dueTomorrow), stat('overdue', 'overdue', o.overdue, COLORS.none)),
      ),
    ),
    h(
      'div',
      { class: 'grid' },
      h('section', {}, h('h2', {}, t('progress')), charts.progress),
      h('section', {}, h('h2', {}, t('replyTimes')), charts.replyTimes),
      h('section', {}, h('h2', {}, t('byCategory')), charts.byCategory),
      h('section', {}, h('h2', {}, t('byRegion')), charts.byRegion),
    ),
  ]);
  const series = (rows: Array<Counts>, labels: string[]) =>
    (['on-time', 'late', 'none', 'unavailable', 'pending'] as const).map((k) => ({
      name: verdictLabel(k),
      type: 'bar',
      stack: 'all',
      data: rows.map((r) => r[k]),
      itemStyle: { color: { 'on-time': COLORS.onTime, late: COLORS.late, none: COLORS.none, unavailable: COLORS.unavailable, pending: COLORS.pending }[k] },
      label: { show: false },
      labels,
    }));
  chart(charts.progress, {
    tooltip: { trigger: 'axis' },
    legend: {},
    xAxis: { type: 'category', data: o.progress.map((p) => p.date) },
    yAxis: { type: 'value' },
    series: [
      { name: t('sent'), type: 'line', data: o.progress.map((p) => p.submittedTotal) },
      { name: t('replied'), type: 'line', data: o.progress.map((p) => p.repliedTotal) },
    ],
  });
  chart(charts.replyTimes, {
    tooltip: {},
    xAxis: { type: 'category', data: o.replyTimes.map((r) => (r.bucket === 'none' ? t('none') : r.bucket)) },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: o.replyTimes.map((r) => r.letters), itemStyle: { color: COLORS.onTime } }],
  });
  const cats = Object.keys(o.byCategory);
  chart(charts.byCategory, { tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: cats }, yAxis: { type: 'value' }, series: series(cats.map((c) => o.byCategory[c]!), cats) });
  const regions = o.byRegion.map((r) => r.region);
  chart(charts.byRegion, { tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: regions }, yAxis: { type: 'value' }, series: series(o.byRegion, regions) });
}

// ---------------------------------------------------------------------------------------------------------------
// sites table

const CATEGORIES = ['省政府门户', '省级部门', '市县政府门户', '市县部门'];
const RESULTS = ['on-time', 'late', 'none', 'unavailable', 'pending', 'honour'];
const HEALTH = ['ok', 'gated', 'script-broken', 'unavailable', 'unknown'];

async function sitesPage(query: URLSearchParams): Promise<void> {
  const body = loadingBody();
  layout(body);
  const id = selectedCampaign();
  if (!id) return append(ready(body), [h('h1', {}, t('sites')), h('p', {}, t('noCampaign'))]);
  const q = Object.fromEntries(query.entries());
  const data = await get<{ total: number; page: number; size: number; rows: SiteRow[] }>(`/api/campaigns/${encodeURIComponent(id)}/sites`, q);
  ready(body);
  const go = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(patch)) if (v) next.set(k, v);
    else next.delete(k);
    location.hash = `#/sites?${next.toString()}`;
  };
  const select = (name: string, key: Key, values: string[], label: (v: string) => string) => {
    const s = h('select', { id: `f-${name}`, name }, h('option', { value: '' }, t('any')));
    for (const v of values) s.appendChild(h('option', { value: v, ...(q[name] === v ? { selected: true } : {}) }, label(v)));
    return h('span', { class: 'field' }, h('label', { for: `f-${name}` }, t(key)), s);
  };
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    h('span', { class: 'field' }, h('label', { for: 'f-q' }, t('search')), h('input', { id: 'f-q', name: 'q', value: q.q ?? '', type: 'search' })),
    h('span', { class: 'field' }, h('label', { for: 'f-region' }, t('region')), h('input', { id: 'f-region', name: 'region', value: q.region ?? '' })),
    select('category', 'category', CATEGORIES, (v) => v),
    select('result', 'result', RESULTS, (v) => (v === 'honour' ? t('honour') : verdictLabel(v))),
    select('health', 'health', HEALTH, (v) => codeLabel('health', v)),
    h('button', { type: 'submit' }, t('apply')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    go({ q: String(fd.get('q') ?? ''), region: String(fd.get('region') ?? ''), category: String(fd.get('category') ?? ''), result: String(fd.get('result') ?? ''), health: String(fd.get('health') ?? ''), page: undefined });
  });
  const exportQuery = new URLSearchParams(query);
  exportQuery.delete('page');
  exportQuery.delete('size');
  const sortHeader = (key: string, label: Key) => {
    const active = (q.sort ?? 'siteId') === key;
    const dir = active && q.dir !== 'desc' ? 'desc' : 'asc';
    return h(
      'th',
      { scope: 'col', 'aria-sort': active ? (q.dir === 'desc' ? 'descending' : 'ascending') : 'none' },
      h('button', { type: 'button', class: 'link', onclick: () => go({ sort: key, dir, page: undefined }) }, t(label), active ? (q.dir === 'desc' ? ' ▼' : ' ▲') : ''),
    );
  };
  const exportHref = (format: 'csv' | 'xlsx') => `/api/campaigns/${encodeURIComponent(id)}/sites/export?format=${format}&${exportQuery.toString()}`;
  append(body, [
    h('h1', {}, t('sites')),
    campaignPicker(() => void render()),
    form,
    h(
      'p',
      { class: 'actions' },
      h('span', { 'data-testid': 'sites-total' }, `${t('total')} ${data.total}`),
      fileLink(exportHref('csv'), `huixin-sites-${id}.csv`, t('exportCsv')),
      fileLink(exportHref('xlsx'), `huixin-sites-${id}.xlsx`, t('exportXlsx')),
    ),
    h(
      'table',
      { class: 'sites' },
      h('thead', {}, h('tr', {}, sortHeader('siteId', 'siteId'), sortHeader('name', 'name'), sortHeader('region', 'region'), sortHeader('category', 'category'), sortHeader('result', 'result'), sortHeader('health', 'health'), sortHeader('replied', 'replied'), sortHeader('lastSubmittedAt', 'lastSubmitted'))),
      h(
        'tbody',
        {},
        data.rows.map((r) =>
          h(
            'tr',
            { 'data-site': r.siteId },
            h('td', {}, r.siteId),
            h('td', {}, h('a', { href: `#/site/${encodeURIComponent(r.siteId)}` }, r.name)),
            h('td', {}, r.region),
            h('td', {}, r.category),
            h('td', {}, h('span', { class: `tag v-${r.result}` }, verdictLabel(r.result)), r.honour ? ` ★` : ''),
            h('td', {}, codeLabel('health', r.health)),
            h('td', {}, `${r.replied}/${r.letters}`),
            h('td', {}, fmtTime(r.lastSubmittedAt)),
          ),
        ),
      ),
    ),
    data.total === 0 ? h('p', { class: 'muted' }, t('empty')) : null,
    pager(data, (n) => go({ page: String(n) })),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// site and letter pages

function letterCard(d: LetterDetail, refresh: () => void): HTMLElement {
  const l = d.letter;
  const status = h('div', { 'aria-live': 'polite' });
  const verdict = d.judgement ? d.judgement.verdict : null;
  const card = h(
    'article',
    { class: 'card letter', 'data-letter': l.id },
    h('h3', {}, h('a', { href: `#/letter/${encodeURIComponent(l.id)}` }, `${currentLang() === 'zh' ? `第${l.ordinal}次` : `#${l.ordinal}`} · ${l.title}`)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('state')),
      h('dd', {}, codeLabel('state', l.state)),
      h('dt', {}, t('submitted')),
      h('dd', {}, fmtTime(l.submittedAt)),
      h('dt', {}, t('queryCode')),
      h('dd', {}, l.queryCode ?? '—'),
      h('dt', {}, t('verdict')),
      h('dd', { 'data-testid': 'verdict' }, verdict ? h('span', { class: `tag v-${verdict}` }, verdictLabel(verdict)) : (d.judgementNote ?? '—')),
      h('dt', {}, t('deadline')),
      h('dd', {}, d.judgement ? fmtTime(d.judgement.deadline) : '—'),
      h('dt', {}, t('decidedBy')),
      h('dd', { 'data-testid': 'decided-by' }, d.decidedBy ? `${fmtTime(d.decidedBy.at)} · ${d.decidedBy.summary} (${d.decidedBy.actor})` : '—'),
    ),
    h('details', {}, h('summary', {}, t('letter')), h('p', { class: 'pre' }, l.body)),
    d.evidence.length
      ? h(
          'section',
          {},
          h('h4', {}, t('evidence')),
          d.evidence.map((e) =>
            e.kind === 'screenshot'
              ? h('figure', {}, evidenceImage(e.key, `${t('screenshot')} ${l.id}`), h('figcaption', {}, `sha256 ${e.sha256 ?? ''}`))
              : h('p', {}, fileLink(objectUrl(e.key), e.key.split('/').at(-1) ?? 'evidence', `${e.kind}: ${e.key}`)),
          ),
        )
      : null,
    h('h4', {}, t('timeline')),
    h(
      'ol',
      { class: 'timeline' },
      d.entries.map((e) =>
        h(
          'li',
          { class: e.undone ? 'undone' : e.countsAsReply ? 'reply' : '' },
          h('time', {}, fmtTime(e.at)),
          ' ',
          e.summary,
          h('span', { class: 'muted' }, ` — ${e.actor}`),
          e.type === 'staff.edit' && !e.undone && can('operator')
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  onclick: async () => {
                    try {
                      await post(`/api/letters/${l.id}/undo`, { eventId: e.eventId });
                      refresh();
                    } catch (x) {
                      message(status, x);
                    }
                  },
                },
                t('undo'),
              )
            : null,
        ),
      ),
    ),
    status,
  );
  if (can('operator') && l.submittedAt) {
    const at = h('input', { id: `ra-${l.id}`, name: 'repliedAt', placeholder: '2026-03-05T10:00:00+08:00', required: true });
    const ch = h('select', { id: `rc-${l.id}`, name: 'channel' }, ['phone', 'sms', 'mail', 'letter', 'visit', 'other'].map((c) => h('option', { value: c }, codeLabel('channel', c))));
    const note = h('input', { id: `rn-${l.id}`, name: 'note' });
    const f = h(
      'form',
      { class: 'inline' },
      h('strong', {}, t('recordReply')),
      h('label', { for: `ra-${l.id}` }, t('repliedAt')),
      at,
      h('label', { for: `rc-${l.id}` }, t('channel')),
      ch,
      h('label', { for: `rn-${l.id}` }, t('note')),
      note,
      h('button', { type: 'submit' }, t('save')),
    );
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await post(`/api/letters/${l.id}/replies`, { repliedAt: at.value, channel: ch.value, ...(note.value ? { note: note.value } : {}) });
        refresh();
      } catch (x) {
        message(status, x);
      }
    });
    card.appendChild(f);
  }
  return card;
}

async function sitePage(id: string): Promise<void> {
  const body = loadingBody();
  layout(body);
  const d = await get<{ site: { id: string; name: string; region: string; category: string; homeUrl: string; consultUrl: string }; health: Entry[]; alerts: Entry[]; letters: LetterDetail[] }>(`/api/sites/${encodeURIComponent(id)}`);
  ready(body);
  const events = (list: Array<{ at: string; type: string; actor: string; data?: Record<string, unknown> }>) =>
    list.length ? h('ul', {}, list.map((e) => h('li', {}, `${fmtTime(e.at)} ${e.type} ${typeof e.data?.reason === 'string' ? reasonLabel(e.data.reason) : ''} (${e.actor})`))) : h('p', { class: 'muted' }, t('empty'));
  append(body, [
    h('h1', {}, d.site.name),
    h('p', {}, `${d.site.id} · ${d.site.region} · ${d.site.category} · `, h('span', { class: 'url' }, d.site.consultUrl)),
    h('div', { class: 'two' }, h('section', {}, h('h2', {}, t('channelHistory')), events(d.health as never)), h('section', {}, h('h2', {}, t('alerts')), events(d.alerts as never))),
    h('h2', {}, t('letters')),
    d.letters.length ? d.letters.map((l) => letterCard(l, () => void render())) : h('p', { class: 'muted' }, t('empty')),
  ]);
}

async function letterPage(id: string): Promise<void> {
  const body = loadingBody();
  layout(body);
  const d = await get<LetterDetail>(`/api/letters/${encodeURIComponent(id)}`);
  append(ready(body), [h('h1', {}, `${t('letter')} ${d.letter.id}`), h('p', {}, h('a', { href: `#/site/${encodeURIComponent(d.letter.siteId)}` }, `${t('site')} ${d.letter.siteId}`)), letterCard(d, () => void render())]);
}

// ---------------------------------------------------------------------------------------------------------------
// queues

/** Hostile mail HTML: only in a sandboxed frame (no scripts, no same-origin) with a CSP that blocks remote images. */
function mailFrame(html: string): HTMLIFrameElement {
  const frame = h('iframe', { sandbox: '', title: t('mail'), referrerpolicy: 'no-referrer', class: 'mailframe', 'data-testid': 'mail-frame' });
  frame.srcdoc = `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">${html}`;
  return frame;
}

interface QueuePage<T> {
  total: number;
  page: number;
  size: number;
  items: T[];
}

async function queuesPage(query: URLSearchParams): Promise<void> {
  const body = loadingBody();
  layout(body);
  // each queue is paged on its own: #/queues?gated=2&held=1&overdue=3
  const pageOf = (name: string) => ({ page: query.get(name) ?? undefined });
  const [gatedPage, heldPage, overduePage] = await Promise.all([
    get<QueuePage<{ letter: LetterDetail['letter']; site?: { name: string }; reason: string; campaignName: string }>>('/api/queues/gated', pageOf('gated')),
    get<QueuePage<MailRecord>>('/api/queues/held', pageOf('held')),
    get<QueuePage<{ letter: LetterDetail['letter'] & { deadlineAt?: string }; site: { name: string } | null }>>('/api/queues/overdue', pageOf('overdue')),
  ]);
  ready(body);
  const gated = gatedPage.items;
  const held = heldPage.items;
  const overdue = overduePage.items;
  const go = (name: string) => (n: number) => {
    const next = new URLSearchParams(query);
    next.set(name, String(n));
    location.hash = `#/queues?${next.toString()}`;
  };
  const status = h('div', { 'aria-live': 'polite', 'data-testid': 'queue-status' });
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      await render();
      const s = document.querySelector('[data-testid="queue-status"]');
      if (s) append(s, [h('p', { class: 'ok' }, t('done'))]);
    } catch (x) {
      message(status, x);
    }
  };
  append(body, [
    h('h1', {}, t('queues')),
    status,
    h(
      'section',
      { 'aria-labelledby': 'h-gated' },
      h('h2', { id: 'h-gated' }, `${t('gatedQueue')} (${gatedPage.total})`),
      gated.length === 0 ? h('p', { class: 'muted' }, t('empty')) : null,
      gated.map((g) => {
        const at = h('input', { id: `gs-${g.letter.id}`, name: 'submittedAt', placeholder: '2026-03-05T14:30:00+08:00', required: true });
        const code = h('input', { id: `gq-${g.letter.id}`, name: 'queryCode', required: true });
        const f = h(
          'form',
          { class: 'card inline', 'data-gated': g.letter.id },
          h('p', {}, h('a', { href: `#/letter/${g.letter.id}` }, g.letter.title), ` · ${g.site?.name ?? g.letter.siteId} · ${t('reason')}: ${reasonLabel(g.reason)}`),
          h('label', { for: `gs-${g.letter.id}` }, t('submitted')),
          at,
          h('label', { for: `gq-${g.letter.id}` }, t('queryCode')),
          code,
          h('button', { type: 'submit' }, t('recordSubmission')),
        );
        f.addEventListener('submit', (e) => (e.preventDefault(), void act(() => post(`/api/letters/${g.letter.id}/submission`, { submittedAt: at.value, queryCode: code.value }))));
        return f;
      }),
      gatedPage.total > gatedPage.size ? pager(gatedPage, go('gated')) : null,
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-held' },
      h('h2', { id: 'h-held' }, `${t('heldQueue')} (${heldPage.total})`),
      held.length === 0 ? h('p', { class: 'muted' }, t('empty')) : null,
      held.map((m) => {
        const letter = h('input', { id: `ml-${m.id}`, name: 'letterId', list: `mc-${m.id}`, required: true });
        const view = h('div', {});
        const f = h(
          'form',
          { class: 'card', 'data-mail': m.id },
          h('p', {}, h('strong', {}, m.subject || '—'), ` · ${t('from')} ${m.from ?? '—'} · ${fmtTime(m.receivedAt)} · ${t('reason')}: ${m.heldReason ?? ''}`),
          h('p', { class: 'pre excerpt' }, m.excerpt),
          h('datalist', { id: `mc-${m.id}` }, (m.candidates ?? []).map((c) => h('option', { value: c }))),
          h('label', { for: `ml-${m.id}` }, t('letterId')),
          letter,
          h('button', { type: 'submit' }, t('attach')),
          h('button', { type: 'button', class: 'secondary', onclick: () => window.confirm(t('discardConfirm')) && void act(() => post(`/api/mails/${m.id}/discard`, {})) }, t('discard')),
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              onclick: async () => {
                clear(view);
                append(view, [h('p', { class: 'muted', role: 'status' }, t('loading'))]);
                try {
                  const d = await get<{ text: string; html: string | null }>(`/api/mails/${encodeURIComponent(m.id)}`);
                  clear(view);
                  append(view, [h('p', { class: 'pre' }, d.text), d.html ? mailFrame(d.html) : null]);
                } catch (x) {
                  message(view, x);
                }
              },
            },
            t('showMail'),
          ),
          view,
        );
        f.addEventListener('submit', (e) => (e.preventDefault(), void act(() => post(`/api/mails/${m.id}/attach`, { letterId: letter.value.trim() }))));
        return f;
      }),
      heldPage.total > heldPage.size ? pager(heldPage, go('held')) : null,
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-overdue' },
      h('h2', { id: 'h-overdue' }, `${t('overdueQueue')} (${overduePage.total})`),
      overdue.length === 0
        ? h('p', { class: 'muted' }, t('empty'))
        : h(
            'table',
            {},
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('letter')), h('th', { scope: 'col' }, t('site')), h('th', { scope: 'col' }, t('submitted')), h('th', { scope: 'col' }, t('deadline')))),
            h(
              'tbody',
              {},
              overdue.map((o) =>
                h('tr', {}, h('td', {}, h('a', { href: `#/letter/${o.letter.id}` }, o.letter.title)), h('td', {}, o.site?.name ?? o.letter.siteId), h('td', {}, fmtTime(o.letter.submittedAt)), h('td', {}, fmtTime(o.letter.deadlineAt))),
              ),
            ),
          ),
      overduePage.total > overduePage.size ? pager(overduePage, go('overdue')) : null,
    ),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------

let rendering = 0;
async function render(): Promise<void> {
  const mine = ++rendering;
  disposeCharts();
  document.documentElement.lang = currentLang() === 'zh' ? 'zh-CN' : 'en';
  if (!me) return loginPage();
  const r = route();
  try {
    campaigns = await get<CampaignItem[]>('/api/campaigns');
    if (mine !== rendering) return;
    if (r.page === 'sites') await sitesPage(r.query);
    else if (r.page === 'site' && r.arg) await sitePage(r.arg);
    else if (r.page === 'letter' && r.arg) await letterPage(r.arg);
    else if (r.page === 'queues') await queuesPage(r.query);
    else await overviewPage();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      me = null;
      return loginPage();
    }
    const box = h('div', {});
    layout(box);
    message(box, err);
  }
}

window.addEventListener('hashchange', () => void render());
/** The signed-in user from a Cognito access token (the API checks the token; this is for display and UI hints). */
function meFromToken(token: string): Me | null {
  const c = tokenClaims(token);
  const groups = Array.isArray(c?.['cognito:groups']) ? (c['cognito:groups'] as string[]) : [];
  const role = (['admin', 'operator', 'viewer'] as const).find((r) => groups.includes(r));
  return c && role ? { user: String(c.username ?? c['cognito:username'] ?? ''), role, csrf: '' } : null;
}

void (async () => {
  cognito = await loadCognitoConfig();
  if (cognito) {
    await finishSignIn(cognito);
    const token = accessToken();
    useBearer(token);
    me = token ? meFromToken(token) : null;
  } else {
    me = await session().catch(() => null);
  }
  await render();
})();

export type { Child };
