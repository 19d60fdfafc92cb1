/**
 * What the commands that listen (serve, mail serve) share: port checks, listen errors the operator can act on, the
 * inbound SMTP's STARTTLS key and certificate, and this machine's DNS for SPF/DKIM/DMARC.
 */
import { resolve as resolveDns } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { timeoutResolver, type Resolver } from '../shared/adapters/mail/auth.ts';
import { InputError } from '../shared/domain/errors.ts';

/** This machine's DNS (as SES uses the real DNS in AWS), never hanging on a dead resolver (2 s a lookup). */
export function systemDns(): Resolver {
  return timeoutResolver((name, rr) => resolveDns(name, rr) as Promise<unknown[]>);
}

/** Whether a listen address stays on this machine. */
export function isLoopback(host: string): boolean {
  return /^(127\.|::1$|localhost$)/.test(host);
}

export function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InputError(`${flag}: 不是端口号 / not a port: ${value}`);
  return n;
}

/** A listen error as the operator can act on it (the port taken, a port below 1024 without the right, no such address). */
export function listenError(err: unknown, portFlag: string, hostFlag: string): unknown {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = `${e.address ?? '?'}:${e.port ?? '?'}`;
  if (e.code === 'EADDRINUSE')
    return new InputError(`${where} 已被另一个程序占用，请停止它或换一个 ${portFlag} / ${where} is already in use by another program: stop it or choose another ${portFlag}`);
  if (e.code === 'EACCES')
    return new InputError(
      `无权监听 ${where}：1024 以下的端口需要 root 或 CAP_NET_BIND_SERVICE / no permission to listen on ${where}: ports below 1024 need root or CAP_NET_BIND_SERVICE ` +
        `(\`sudo setcap cap_net_bind_service=+ep "$(command -v node)"\`), or keep a high ${portFlag} and redirect the port to it in the firewall`,
    );
  if (e.code === 'EADDRNOTAVAIL')
    return new InputError(`本机没有地址 ${e.address ?? '?'}，请检查 ${hostFlag} / this machine has no address ${e.address ?? '?'}: check ${hostFlag}`);
  return err;
}

/** The office's key and certificate chain (PEM files) for the inbound SMTP's STARTTLS, checked now rather than at the first mail. */
export function smtpTls(
  keyFile: string | undefined,
  certFile: string | undefined,
  [keyFlag, certFlag]: readonly [string, string] = ['--smtp-tls-key', '--smtp-tls-cert'],
): { key: Buffer; cert: Buffer } | undefined {
  if (!keyFile && !certFile) return undefined;
  if (!keyFile || !certFile) throw new InputError(`${keyFlag} 与 ${certFlag} 需同时给出 / ${keyFlag} and ${certFlag} go together`);
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new InputError(`${flag}: 无法读取 cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const tls = { key: read(keyFile, keyFlag), cert: read(certFile, certFlag) };
  try {
    createSecureContext(tls);
  } catch (err) {
    throw new InputError(`${keyFlag}/${certFlag}: 不是匹配的 PEM 私钥与证书 / not a matching PEM key and certificate: ${(err as Error).message}`);
  }
  return tls;
}
