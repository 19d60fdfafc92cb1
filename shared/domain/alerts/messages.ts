/**
 * What people read: incident notifications → alert messages (Chinese, markdown for the group robots, plain text
 * for mail). Never a flood: more than `digestThreshold` notifications of one kind in one run become ONE digest.
 * Pure: site details and evidence locations come in as functions.
 * Every outside value (site names, URLs, reasons, mail subjects and senders, titles) goes through `mdText` /
 * `mdCode` (shared/domain/safe-text.ts): anyone can mail the reply domain, and the robots render markdown.
 */
import { beijingDate } from '../beijing-time.ts';
import { reasonText } from '../reasons.ts';
import { mdCode, mdText } from '../safe-text.ts';
import type { AlertPolicy, Incident, Notification, NotificationKind } from './incidents.ts';

export type MessageKind = NotificationKind | 'digest' | 'daily';

export interface SiteInfo {
  id: string;
  name: string;
  category?: string;
  region?: string;
  supervisorEmail?: string;
}

export interface AlertMessage {
  /** Deterministic: the same notification twice is the same message (the outbox creates it once). */
  id: string;
  kind: MessageKind;
  /** For a digest, the kind it gathers. */
  of?: NotificationKind;
  subject: string;
  markdown: string;
  text: string;
  siteIds: string[];
  letterIds: string[];
  incidentIds: string[];
  /** Screenshots to attach to the mail (object keys). */
  screenshots: { key: string; sha256: string }[];
  /** 主管单位 addresses of the sites concerned (used when configured). */
  supervisorEmails: string[];
  /** `supervisors`: a copy for the 主管单位 only (a digest run's messages about a supervisor's own sites), not the operators. */
  audience?: 'supervisors';
  createdAt: string;
}

export interface RenderContext {
  site(id: string): SiteInfo | undefined;
  /** Where a person opens an evidence object. */
  locate(key: string): string;
  /** The site's page on the dashboard (its checks, evidence and letters), when the dashboard's address is known. */
  sitePage?(siteId: string): string;
  now: Date;
}

/** "2026-03-02 10:15" in Beijing time. */
export function bjTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

const TITLE: Record<NotificationKind, string> = {
  broken: '留言栏目不可用',
  recovered: '留言栏目已恢复',
  reminder: '留言栏目仍不可用（提醒）',
};

function siteLabel(ctx: RenderContext, siteId: string): string {
  const s = ctx.site(siteId);
  return s ? `${mdText(s.name, 80)}（${mdText(siteId, 40)}）` : mdText(siteId, 40);
}

function lines(n: Notification, ctx: RenderContext): string[] {
  const i = n.incident;
  const out = [
    `- 网站 site：${siteLabel(ctx, i.siteId)}`,
    `- 栏目 channel：${mdCode(i.url)}`,
    `- 原因 reason：${i.reason ? `${mdText(reasonText(i.reason))} ${mdCode(i.reason)}` : '-'}`,
    `- 发现时间 since：${bjTime(i.startedAt)}（北京时间）`,
  ];
  if (i.confirmedAt) out.push(`- 复核确认 confirmed：${bjTime(i.confirmedAt)}`);
  if (n.kind === 'recovered' && i.recoveredAt) out.push(`- 恢复时间 recovered：${bjTime(i.recoveredAt)}`);
  if (n.kind === 'reminder') out.push(`- 第 ${i.reminders} 次提醒 reminder #${i.reminders}`);
  if (i.letterIds.length) out.push(`- 涉及信件 letters：${mdText(i.letterIds.join(', '), 400)}`);
  if (i.screenshot && n.kind !== 'recovered') out.push(`- 截图 screenshot：${mdCode(ctx.locate(i.screenshot.key))}`);
  // a link, not code: staff click it in DingTalk/WeCom and mail (the address is the operator's setting plus an encoded id)
  if (ctx.sitePage) out.push(`- 看板 dashboard：[在看板中查看 open](${ctx.sitePage(i.siteId).replace(/[()\s<>]/g, encodeURIComponent)})`);
  return out;
}

function single(n: Notification, ctx: RenderContext): AlertMessage {
  const i = n.incident;
  const name = mdText(ctx.site(i.siteId)?.name ?? i.siteId, 80);
  const subject = `【回信】${TITLE[n.kind]}：${name}`;
  const body = lines(n, ctx);
  const sup = ctx.site(i.siteId)?.supervisorEmail;
  return {
    id: `alert-${n.kind}-${i.id}${n.kind === 'reminder' ? `-${i.reminders}` : ''}`,
    kind: n.kind,
    subject,
    markdown: [`### ${subject}`, '', ...body].join('\n'),
    text: [subject, '', ...body.map((l) => l.replace(/^- /, ''))].join('\n'),
    siteIds: [i.siteId],
    letterIds: [...i.letterIds],
    incidentIds: [i.id],
    screenshots: i.screenshot && n.kind !== 'recovered' ? [i.screenshot] : [],
    supervisorEmails: sup ? [sup] : [],
    createdAt: ctx.now.toISOString(),
  };
}

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return (h >>> 0).toString(36);
}

function digest(kind: NotificationKind, ns: readonly Notification[], ctx: RenderContext): AlertMessage {
  const subject = `【回信】${ns.length} 个网站${TITLE[kind]}（汇总 digest）`;
  const rows = ns.map((n) => `- ${siteLabel(ctx, n.incident.siteId)}：${mdText(reasonText(n.incident.reason)) || '-'}，${bjTime(n.incident.startedAt)} 起`);
  const ids = ns.map((n) => n.incident.id + (kind === 'reminder' ? `-${n.incident.reminders}` : '')).sort();
  return {
    id: `alert-digest-${kind}-${beijingDate(ctx.now.getTime())}-${fnv(ids.join(','))}`,
    kind: 'digest',
    of: kind,
    subject,
    markdown: [`### ${subject}`, '', ...rows, '', `详情见 huixin alerts list`].join('\n'),
    text: [subject, '', ...rows.map((l) => l.replace(/^- /, '')), '', '详情见 / details: huixin alerts list'].join('\n'),
    siteIds: ns.map((n) => n.incident.siteId),
    letterIds: [...new Set(ns.flatMap((n) => n.incident.letterIds))],
    incidentIds: ns.map((n) => n.incident.id),
    screenshots: [],
    // a digest goes to the operators only: a 主管单位 gets the messages about its own sites
    supervisorEmails: [],
    createdAt: ctx.now.toISOString(),
  };
}

/**
 * One run's notifications → messages: per kind, one message each, or one digest when more than K. The digest goes
 * to the operators only; each 主管单位 still gets its own sites' messages (one each, or its own digest when more than
 * K), as copies for the supervisors only (sent when supervisors are configured).
 */
export function composeMessages(notifications: readonly Notification[], policy: Pick<AlertPolicy, 'digestThreshold'>, ctx: RenderContext): AlertMessage[] {
  const out: AlertMessage[] = [];
  for (const kind of ['broken', 'recovered', 'reminder'] as const) {
    const ns = notifications.filter((n) => n.kind === kind);
    if (ns.length === 0) continue;
    if (ns.length <= policy.digestThreshold) {
      out.push(...ns.map((n) => single(n, ctx)));
      continue;
    }
    out.push(digest(kind, ns, ctx));
    const bySupervisor = new Map<string, Notification[]>();
    for (const n of ns) {
      const email = ctx.site(n.incident.siteId)?.supervisorEmail;
      if (email) bySupervisor.set(email, [...(bySupervisor.get(email) ?? []), n]);
    }
    for (const [email, own] of bySupervisor) {
      const copies = own.length > policy.digestThreshold ? [{ ...digest(kind, own, ctx), supervisorEmails: [email] }] : own.map((n) => single(n, ctx));
      out.push(...copies.map((m) => ({ ...m, id: `${m.id}-supervisor`, audience: 'supervisors' as const })));
    }
  }
  return out;
}

export interface DailyDigestInput {
  asOf: Date;
  overdue: { letterId: string; siteId: string; title: string; submittedAt?: string; deadlineAt?: string }[];
  gated: { letterId: string; siteId: string; reason: string; campaignName: string; gatedAt?: string }[];
  held: { mailId: string; subject: string; from: string | null; receivedAt: string; reason?: string }[];
  openIncidents: Incident[];
}

/** The staff's daily digest: overdue letters, gated letters waiting for a person, held mail, broken channels. */
export function dailyDigest(input: DailyDigestInput, ctx: RenderContext, limit = 50): AlertMessage {
  const date = beijingDate(input.asOf.getTime());
  const subject = `【回信】每日摘要 ${date}：逾期未复 ${input.overdue.length}，待人工提交 ${input.gated.length}，待处理邮件 ${input.held.length}，栏目不可用 ${input.openIncidents.length}`;
  const more = (n: number) => (n > limit ? [`- ……另有 ${n - limit} 项 / ${n - limit} more`] : []);
  const section = (title: string, rows: string[]) => [`#### ${title}`, ...(rows.length ? rows.slice(0, limit) : ['- 无 none']), ...more(rows.length), ''];
  const md = [
    `### ${subject}`,
    '',
    ...section(
      `逾期未回复的信件 overdue letters (${input.overdue.length})`,
      input.overdue.map((o) => `- ${siteLabel(ctx, o.siteId)} ${mdText(o.letterId, 60)}「${mdText(o.title)}」提交 ${o.submittedAt ? bjTime(o.submittedAt) : '-'}，期限 ${o.deadlineAt ? bjTime(o.deadlineAt) : '-'}`),
    ),
    ...section(
      `待人工提交的信件 gated letters (${input.gated.length})`,
      input.gated.map((g) => `- ${siteLabel(ctx, g.siteId)} ${mdText(g.letterId, 60)}（${mdText(g.campaignName, 80)}）：${mdText(reasonText(g.reason))}${g.gatedAt ? `，${bjTime(g.gatedAt)}` : ''}`),
    ),
    ...section(
      `待处理邮件 held mail (${input.held.length})`,
      input.held.map((h) => `- ${mdText(h.mailId, 60)}「${mdText(h.subject)}」来自 ${mdText(h.from, 120) || '-'}，${bjTime(h.receivedAt)}${h.reason ? `：${mdText(h.reason)}` : ''}`),
    ),
    ...section(
      `不可用的留言栏目 broken channels (${input.openIncidents.length})`,
      input.openIncidents.map((i) => `- ${siteLabel(ctx, i.siteId)}：${mdText(reasonText(i.reason)) || '-'}，${bjTime(i.startedAt)} 起`),
    ),
  ];
  return {
    id: `daily-${date}`,
    kind: 'daily',
    subject,
    markdown: md.join('\n').trimEnd(),
    text: md.map((l) => l.replace(/^#+ /, '').replace(/^- /, '  ')).join('\n').trimEnd(),
    siteIds: [],
    letterIds: [],
    incidentIds: input.openIncidents.map((i) => i.id),
    screenshots: [],
    supervisorEmails: [],
    createdAt: ctx.now.toISOString(),
  };
}
