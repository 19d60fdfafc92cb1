/**
 * `huixin users add NAME --role viewer|operator|admin [--password-stdin] [--replace]`, `huixin users remove NAME`
 * and `huixin users list`: the dashboard's local users (in AWS, Cognito groups play the roles). Passwords are
 * hashed with scrypt. `--replace` and `remove` end the user's dashboard sessions.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../shared/config.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { addUser, removeUser } from '../../shared/app/auth.ts';
import { DynamoAuthStore } from '../../shared/adapters/http/dynamo-auth-store.ts';
import { openStores } from '../../shared/local/runtime.ts';
import { beijingTime, out, errOut } from '../output.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Read a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    if (!stdin.isTTY) return reject(new InputError('no terminal to ask for the password: use --password-stdin'));
    errOut(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          errOut('\n');
          return resolve(value);
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          stdin.off('data', onData);
          return reject(new InputError('cancelled'));
        }
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export function register(program: Command): void {
  const users = program.command('users').description('看板用户 / dashboard users');

  users
    .command('add')
    .description('添加用户（或用 --replace 重设密码/角色）/ add a user (or reset password/role with --replace)')
    .argument('<name>', '用户名 / user name')
    .requiredOption('--role <role>', '角色 viewer（只读）| operator（处理队列）| admin（网站、活动）/ role')
    .option('--password-stdin', '从标准输入读取密码 / read the password from standard input')
    .option('--replace', '用户已存在时替换 / replace an existing user')
    .action(async (name: string, opts: { role: string; passwordStdin?: boolean; replace?: boolean }) => {
      let password: string;
      if (opts.passwordStdin) password = await readStdin();
      else {
        password = await promptHidden('密码 password: ');
        const again = await promptHidden('再次输入 again: ');
        if (again !== password) throw new InputError('the two passwords differ');
      }
      const stores = await openStores(loadConfig());
      try {
        const u = await addUser(
          new DynamoAuthStore(stores.client, stores.tableName),
          { name, role: opts.role, password, by: process.env.USER ?? 'cli', ...(opts.replace ? { replace: true } : {}) },
          { now: () => new Date() },
        );
        out(
          opts.replace ? `已设置 set ${u.name} (${u.role})；其登录会话已结束 / their sessions are ended\n` : `已添加 added ${u.name} (${u.role})\n`,
        );
      } finally {
        await stores.close();
      }
    });

  users
    .command('remove')
    .description('删除用户并结束其登录会话（不能删除最后一个管理员）/ remove a user and end their sessions (not the last admin)')
    .argument('<name>', '用户名 / user name')
    .addHelpText('after', '\n退出码 exit codes: 0 已删除 removed；2 无此用户、用户名无效或是最后一个管理员 / no such user, a bad name, or the last admin')
    .action(async (name: string) => {
      const stores = await openStores(loadConfig());
      try {
        const u = await removeUser(new DynamoAuthStore(stores.client, stores.tableName), name);
        out(`已删除 removed ${u.name} (${u.role})；其登录会话已结束 / their sessions are ended\n`);
      } finally {
        await stores.close();
      }
    });

  users
    .command('list')
    .description('列出用户 / list users')
    .action(async () => {
      const stores = await openStores(loadConfig());
      try {
        const list = await new DynamoAuthStore(stores.client, stores.tableName).listUsers();
        for (const u of list) out(`${u.name}\t${u.role}\t${beijingTime(u.createdAt)}\n`);
        if (list.length === 0) out('（无用户 no users: `huixin serve-web` creates admin at first start）\n');
      } finally {
        await stores.close();
      }
    });
}
