/**
 * An in-process SMTP server (`smtp-server`), on 127.0.0.1 unless told otherwise (`serve --smtp-host 0.0.0.0` for an
 * MX): accepts mail for the mail domain only (never a relay), enforces the size limit while streaming (chunks past
 * the limit are dropped, the message is refused with 552), and hands each raw message with its envelope to
 * `onMail` — the same ingest code the SES path uses. With the office's key and certificate it offers STARTTLS (an
 * MTA then delivers the replies encrypted); without them it offers none (smtp-server's built-in certificate would
 * only be a self-signed stand-in). Connections are capped (`maxClients`) and an idle one is dropped after a minute
 * (smtp-server's socket timeout), as an open port needs.
 */
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { Envelope } from '../../app/ingest-mail.ts';
import { DEFAULT_MAIL_LIMITS } from './parse.ts';

export interface InboundOptions {
  mailDomain: string;
  /** Called once per accepted message. A thrown InputError → 550 (permanent), anything else → 451 (retry later). */
  onMail: (raw: Buffer, envelope: Envelope) => Promise<unknown>;
  port?: number;
  host?: string;
  maxBytes?: number;
  /** The office's key and certificate chain (PEM): offer STARTTLS with them. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Connections at once (default 50); more are told 421 and come back later, as MTAs do. */
  maxClients?: number;
  clock?: () => Date;
  log?: (message: string) => void;
}

export interface InboundServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

export async function startInboundSmtp(options: InboundOptions): Promise<InboundServer> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAIL_LIMITS.maxBytes;
  const host = options.host ?? '127.0.0.1';
  const domain = options.mailDomain.toLowerCase();
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? (() => {});
  const server = new SMTPServer({
    name: domain,
    banner: 'huixin inbound',
    size: maxBytes,
    authOptional: true,
    disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    maxClients: options.maxClients ?? 50,
    logger: false,
    onRcptTo(address, _session, callback) {
      const at = address.address.lastIndexOf('@');
      const d = address.address.slice(at + 1).toLowerCase();
      if (d !== domain) {
        const err = new Error(`relay denied: we only accept mail for ${domain}`) as Error & { responseCode: number };
        err.responseCode = 550;
        return callback(err);
      }
      callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) over = true;
        if (!over) chunks.push(c);
      });
      stream.on('error', (e) => callback(e));
      stream.on('end', () => {
        if (over || stream.sizeExceeded) {
          log(`smtp: refused a message of ${size} bytes (limit ${maxBytes})`);
          const err = new Error(`message exceeds fixed maximum message size ${maxBytes}`) as Error & { responseCode: number };
          err.responseCode = 552;
          return callback(err);
        }
        const raw = Buffer.concat(chunks, size);
        const envelope: Envelope = {
          receivedAt: clock().toISOString(),
          ...(session.remoteAddress ? { remoteIp: session.remoteAddress.replace(/^::ffff:/, '') } : {}),
          ...(session.hostNameAppearsAs ? { helo: session.hostNameAppearsAs } : {}),
          ...(session.envelope.mailFrom ? { mailFrom: session.envelope.mailFrom.address } : {}),
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        };
        options.onMail(raw, envelope).then(
          () => callback(),
          (err: unknown) => {
            const e = err instanceof Error ? err : new Error(String(err));
            log(`smtp: ingest failed: ${e.message}`);
            const out = new Error(e.message) as Error & { responseCode: number };
            out.responseCode = e.name === 'MailRejectedError' || e.name === 'InputError' ? 550 : 451;
            callback(out);
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const addr = server.server.address() as AddressInfo;
  return {
    port: addr.port,
    host,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
