/**
 * `huixin sites import FILE [--dry-run]` and `huixin sites list [--json] [--category C] [--region R]`.
 * Thin: parse options, call shared/app/import-sites.ts or the site store, print.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../shared/config.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { SITE_CATEGORIES, type Site } from '../../shared/domain/model.ts';
import { readRegistryFile } from '../../shared/adapters/registry-file.ts';
import { importSites } from '../../shared/app/import-sites.ts';
import { openStores } from '../../shared/local/runtime.ts';
import { out, safeJson, safeTerm } from '../output.ts';

export function register(program: Command): void {
  const sites = program
    .command('sites')
    .description('站点名录：导入与查看 / the site registry: import and list');

  sites
    .command('import')
    .description('导入站点名录（CSV 或 XLSX；整份文件要么全部导入，要么不做任何改动）/ import a registry file (CSV or XLSX), all or nothing')
    .argument('<file>', 'CSV/TXT（UTF-8、GBK 或 Excel 的“Unicode 文本”；逗号或制表符分隔）或 XLSX 文件 / CSV or tab-separated TXT (UTF-8, GBK, or Excel\'s UTF-16 "Unicode text") or XLSX')
    .option('--dry-run', '只校验并统计，不写入 / validate and count, write nothing')
    .option(
      '--allow-private-hosts',
      '允许本机与内网地址（模拟站点沙箱、内网测试；链路本地与云元数据地址始终拒绝）/ accept loopback and private-network hosts (the sandbox, intranet tests)',
    )
    .action(async (file: string, opts: { dryRun?: boolean; allowPrivateHosts?: boolean }) => {
      const config = loadConfig();
      const stores = await openStores(config);
      try {
        const r = await importSites(
          { sites: stores.sites, events: stores.events, clock: { now: () => new Date() }, read: readRegistryFile },
          file,
          { dryRun: !!opts.dryRun, actor: 'cli', allowPrivateHosts: !!opts.allowPrivateHosts },
        );
        const verb = r.dryRun ? '将' : '已';
        out(
          `${r.dryRun ? '[dry-run] ' : ''}${verb}导入 ${r.total} 个站点：新增 ${r.added}，更新 ${r.updated}，未变 ${r.unchanged}` +
            ` / ${r.dryRun ? 'would import' : 'imported'} ${r.total} sites: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged\n`,
        );
      } finally {
        await stores.close();
      }
    });

  sites
    .command('list')
    .description('列出当前名录中的站点 / list the sites in the current registry')
    .option('--json', '输出 JSON / print JSON')
    .option('--category <category>', `按类别筛选（${SITE_CATEGORIES.join('/')}）/ filter by category`)
    .option('--region <region>', '按地区筛选（包含即可）/ filter by region (substring)')
    .action(async (opts: { json?: boolean; category?: string; region?: string }) => {
      if (opts.category !== undefined && !(SITE_CATEGORIES as readonly string[]).includes(opts.category)) {
        throw new InputError(`未知类别 / unknown category "${opts.category}": one of ${SITE_CATEGORIES.join(', ')}`);
      }
      const config = loadConfig();
      const stores = await openStores(config);
      let list: Site[];
      try {
        list = await stores.sites.listSites();
      } finally {
        await stores.close();
      }
      list = list.filter(
        (s) => (!opts.category || s.category === opts.category) && (!opts.region || s.region.includes(opts.region)),
      );
      if (opts.json) {
        out(`${safeJson(list, 2)}\n`);
        return;
      }
      if (list.length === 0) {
        out('没有站点 / no sites\n');
        return;
      }
      out(
        renderTable(
          ['网站标识码', '网站名称', '类别', '地区', '咨询栏目地址'],
          list.map((s) => [s.id, s.name, s.category, s.region, s.consultUrl].map((v) => safeTerm(v))),
        ),
      );
      out(`共 ${list.length} 个站点 / ${list.length} sites\n`);
    });
}

/** Display width: CJK and full-width characters take two columns in a terminal. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function renderTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c)))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
