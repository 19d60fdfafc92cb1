/**
 * `huixin mail parse FILE.eml [--json]`, `huixin mail ingest FILE.eml [--json]`, `huixin mail held [--json]`,
 * `huixin mail attach MAIL LETTER --staff U`, `huixin mail discard MAIL --staff U`. Thin: logic in shared/.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../shared/config.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { MailRejectedError } from '../../shared/domain/mail/errors.ts';
import { parseReplyAddress } from '../../shared/domain/mail/reply-address.ts';
import { parseMail } from '../../shared/adapters/mail/parse.ts';
import { loadMailConfig, localMailConfig, type MailConfig } from '../../shared/adapters/mail/config.ts';
import { mailDeps } from '../../shared/adapters/mail/wiring.ts';
import { attachHeldMail, classifyParsedMail, discardHeldMail, ingestMail } from '../../shared/app/ingest-mail.ts';
import { openStores } from '../../shared/local/runtime.ts';
import { startInboundSmtp } from '../../shared/adapters/mail/smtp-inbound.ts';
import { beijingTime, out, errOut, safeJson, safeTerm } from '../output.ts';
import { isLoopback, listenError, port, smtpTls, systemDns } from '../listen.ts';

async function readMailFile(file: string, mc: MailConfig): Promise<Buffer> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new InputError(`不是文件 / not a file: ${file}`);
    size = s.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`无法读取 / cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (size > mc.maxBytes) throw new InputError(`邮件过大 / mail too large: ${size} bytes > ${mc.maxBytes}`);
  return readFile(file);
}

const quietLog = () => {};

export async function describeMail(raw: Buffer, mc: MailConfig) {
  const m = await parseMail(raw, { limits: { maxBytes: mc.maxBytes }, log: quietLog });
  const c = classifyParsedMail(m);
  let letter: string | null = null;
  if (mc.replySecret) {
    for (const a of [...m.to, ...m.cc, ...m.deliveredTo, ...m.originalTo]) {
      letter = parseReplyAddress(a, mc.replySecret, mc.mailDomain);
      if (letter) break;
    }
  }
  return {
    kind: c.kind,
    subject: m.subject,
    from: m.from?.address ?? null,
    fromName: m.from?.name ?? null,
    to: m.to,
    cc: m.cc,
    date: m.date,
    messageId: m.messageId,
    inReplyTo: m.inReplyTo,
    references: m.references,
    text: m.text,
    letter,
    reasons: c.reasons,
    substantive: c.substantive,
    attachments: m.attachments,
    forwarded: m.forwarded,
    htmlUnsafe: m.html !== null,
    headers: m.headers,
    sha256: m.sha256,
    size: m.size,
  };
}

function asInput(err: unknown): never {
  if (err instanceof MailRejectedError) throw new InputError(`不是可接受的邮件 / mail refused (${err.reason}): ${err.message}`);
  throw err;
}

export function register(program: Command): void {
  const mail = program.command('mail').description('回复邮件：解析、收取、待认领 / reply mail: parse, ingest, holding pen');

  mail
    .command('parse')
    .description('解析并分类一封邮件（不写入）/ parse and classify one mail (writes nothing)')
    .argument('<file>', '.eml 文件 / an RFC 5322 .eml file')
    .option('--json', '输出 JSON / print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const mc = loadMailConfig();
      const d = await describeMail(await readMailFile(file, mc), mc).catch(asInput);
      if (opts.json) {
        out(`${safeJson(d, 2)}\n`);
        return;
      }
      out(
        [
          `类别 kind:    ${d.kind}  (${safeTerm(d.reasons.join('; '))})`,
          `主题 subject: ${safeTerm(d.subject)}`,
          `发件 from:    ${safeTerm(d.from ?? '-')}`,
          `时间 date:    ${safeTerm(d.date ? beijingTime(d.date) : '-')}`,
          `信件 letter:  ${d.letter ?? '-'}`,
          `附件 attachments: ${safeTerm(d.attachments.map((a) => `${a.filename ?? '?'} (${a.size} B, sha256 ${a.sha256.slice(0, 12)}…)`).join(', ')) || '-'}`,
          '',
          safeTerm(d.text, { multiline: true }),
        ].join('\n') + '\n',
      );
    });

  mail
    .command('ingest')
    .description('收取一封邮件：解析、匹配信件、记录（匹配不上则进入待认领）/ ingest one mail: parse, match, record (or hold)')
    .argument('<file>', '.eml 文件 / an RFC 5322 .eml file')
    .option('--json', '输出 JSON / print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const config = loadConfig();
      const mc = localMailConfig(process.env, config.dataDir);
      const raw = await readMailFile(file, mc);
      const stores = await openStores(config);
      try {
        const deps = mailDeps(stores, mc, { dataDir: config.dataDir, actor: 'cli' });
        const r = await ingestMail(deps, raw).catch(asInput);
        if (opts.json) out(`${safeJson(r, 2)}\n`);
        else if (r.duplicate) out(`已收取过 / already ingested: ${r.mailId}\n`);
        else if (r.held) out(`待认领 / held: ${r.mailId} (${r.kind}; ${safeTerm(r.heldReason ?? '')}; candidates: ${r.candidates.join(', ') || '-'})\n`);
        else out(`已匹配 / matched ${r.mailId} → letter ${r.letterId} by ${r.match} (${r.kind})\n`);
      } finally {
        await stores.close();
      }
    });

  mail
    .command('held')
    .description('列出待认领邮件 / list the holding pen')
    .option('--json', '输出 JSON / print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const stores = await openStores(config);
      try {
        const list = await mailDeps(stores, localMailConfig(process.env, config.dataDir), { dataDir: config.dataDir }).mails.listHeld();
        if (opts.json) out(`${safeJson(list, 2)}\n`);
        else if (list.length === 0) out('没有待认领邮件 / the holding pen is empty\n');
        else
          for (const m of list)
            out(`${m.id}  ${beijingTime(m.receivedAt)}  ${m.kind}  ${safeTerm(m.from ?? '-')}  ${safeTerm(m.subject)}  [${safeTerm(m.heldReason ?? '')}; ${m.candidates?.join(',') ?? ''}]\n`);
      } finally {
        await stores.close();
      }
    });

  mail
    .command('attach')
    .description('把待认领邮件归到一封信 / attach a held mail to a letter')
    .argument('<mail>', '邮件 id / mail id')
    .argument('<letter>', '信件 id / letter id')
    .requiredOption('--staff <user>', '操作人 / who does it')
    .option('--note <text>', '备注 / note')
    .action(async (mailId: string, letterId: string, opts: { staff: string; note?: string }) => {
      const config = loadConfig();
      const stores = await openStores(config);
      try {
        const r = await attachHeldMail(mailDeps(stores, localMailConfig(process.env, config.dataDir), { dataDir: config.dataDir }), mailId, letterId, opts.staff, opts.note);
        out(`已归档 / attached ${mailId} → ${letterId}${r.firstReplyChanged ? '（首次回复已更新 / first reply updated）' : ''}\n`);
      } finally {
        await stores.close();
      }
    });

  mail
    .command('discard')
    .description('丢弃待认领邮件（留有记录）/ discard a held mail (recorded)')
    .argument('<mail>', '邮件 id / mail id')
    .requiredOption('--staff <user>', '操作人 / who does it')
    .option('--note <text>', '备注 / note')
    .action(async (mailId: string, opts: { staff: string; note?: string }) => {
      const config = loadConfig();
      const stores = await openStores(config);
      try {
        await discardHeldMail(mailDeps(stores, localMailConfig(process.env, config.dataDir), { dataDir: config.dataDir }), mailId, opts.staff, opts.note);
        out(`已丢弃 / discarded ${mailId}\n`);
      } finally {
        await stores.close();
      }
    });

  mail
    .command('serve')
    .description('运行收信 SMTP 服务，收到即入库（Ctrl-C 退出）/ run the inbound SMTP gateway until Ctrl-C')
    .option('--port <port>', 'SMTP 端口 / SMTP port', '2525')
    .option('--host <host>', '监听地址（本机作 MX 时用 0.0.0.0）/ listen address (0.0.0.0 when this machine is the MX)', '127.0.0.1')
    .option('--tls-key <file>', 'STARTTLS 私钥（PEM）/ the PEM key for STARTTLS')
    .option('--tls-cert <file>', 'STARTTLS 证书链（PEM）/ the PEM certificate chain for STARTTLS')
    .action(async (opts: { port: string; host: string; tlsKey?: string; tlsCert?: string }) => {
      const smtpPort = port(opts.port, '--port');
      const tls = smtpTls(opts.tlsKey, opts.tlsCert, ['--tls-key', '--tls-cert']);
      const config = loadConfig();
      const mc = localMailConfig(process.env, config.dataDir);
      const stores = await openStores(config);
      // SPF/DKIM/DMARC with this machine's DNS: real mail arrives here
      const deps = mailDeps(stores, mc, { dataDir: config.dataDir, actor: 'function:ingest-mail', dns: systemDns() });
      const server = await startInboundSmtp({
        mailDomain: mc.mailDomain,
        port: smtpPort,
        host: opts.host,
        ...(tls ? { tls } : {}),
        maxBytes: mc.maxBytes,
        log: (m) => errOut(`huixin: ${m}\n`),
        onMail: async (raw, envelope) => {
          const r = await ingestMail(deps, raw, envelope);
          out(`${r.held ? `待认领 held ${r.mailId}` : `${r.mailId} → ${r.letterId} (${r.match})`} ${r.kind}${r.duplicate ? ' (duplicate)' : ''}\n`);
        },
      }).catch(async (err: unknown) => {
        await stores.close();
        throw listenError(err, '--port', '--host');
      });
      if (!tls && !isLoopback(opts.host)) {
        errOut(`huixin: 警告：未启用 STARTTLS，回信在网络上明文传输 / WARNING: no STARTTLS on ${opts.host}: replies cross the network in clear; give --tls-key and --tls-cert\n`);
      }
      out(`收信服务 / SMTP gateway for @${mc.mailDomain} on ${server.host}:${server.port}${tls ? ' STARTTLS' : ''}${mc.replySecret ? '' : ' (HUIXIN_REPLY_SECRET unset: no exact matching)'}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      await stores.close();
    });
}
