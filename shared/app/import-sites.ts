/**
 * Import a site registry file: read → validate the WHOLE file → if anything is wrong, throw
 * RegistryValidationError listing every problem and write nothing; else load it as one new registry snapshot
 * (the store flips one pointer at the end, so a crash midway changes nothing) and record `registry.imported`.
 */
import { InputError } from '../domain/errors.ts';
import { formatProblem, validateRegistry, type RawTable, type RegistryOptions, type RegistryProblem } from '../domain/registry.ts';
import type { Site } from '../domain/model.ts';
import { ids } from './ids.ts';
import type { Clock, EventStore, SiteStore } from './ports.ts';

export const REGISTRY_STREAM = 'registry:sites';

export class RegistryValidationError extends InputError {
  override readonly name = 'RegistryValidationError';
  constructor(
    readonly problems: readonly RegistryProblem[],
    /** XLSX: the worksheet read; every line names it. */
    readonly sheet?: string,
  ) {
    super(
      `站点名录有 ${problems.length} 处错误，未导入任何站点 / the registry has ${problems.length} problem(s); nothing was imported:\n` +
        problems.map((p) => `${sheet === undefined ? '' : `工作表「${sheet}」`}${formatProblem(p)}`).join('\n'),
    );
  }
}

export interface ImportSitesResult {
  source: string;
  total: number;
  added: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
}

export interface ImportSitesDeps {
  sites: SiteStore;
  events: EventStore;
  clock: Clock;
  /** Reads a file into a RawTable (shared/adapters/registry-file.ts). */
  read: (file: string) => Promise<RawTable>;
}

export async function importSites(
  deps: ImportSitesDeps,
  file: string,
  options: { dryRun?: boolean; actor?: string } & RegistryOptions = {},
): Promise<ImportSitesResult> {
  const table = await deps.read(file);
  const result = validateRegistry(table, { allowPrivateHosts: !!options.allowPrivateHosts });
  if (!result.ok) throw new RegistryValidationError(result.problems, table.sheet);
  const sites = result.sites;
  if (options.dryRun) {
    const current = new Map((await deps.sites.listSites()).map((s) => [s.id, s]));
    let added = 0;
    let updated = 0;
    for (const s of sites) {
      const before = current.get(s.id);
      if (!before) added++;
      else if (!sameSite(before, s)) updated++;
    }
    return { source: file, total: sites.length, added, updated, unchanged: sites.length - added - updated, dryRun: true };
  }
  const now = deps.clock.now();
  const importedAt = now.toISOString();
  const { added, updated } = await deps.sites.importSites(sites, { source: file, importedAt });
  await deps.events.append({
    id: ids.event(now),
    stream: REGISTRY_STREAM,
    type: 'registry.imported',
    at: importedAt,
    recordedAt: importedAt,
    actor: options.actor ?? 'system',
    data: { source: file, total: sites.length, added, updated, siteIds: sites.map((s) => s.id) },
  });
  return { source: file, total: sites.length, added, updated, unchanged: sites.length - added - updated, dryRun: false };
}

function sameSite(a: Site, b: Site): boolean {
  const fields: Array<keyof Site> = ['name', 'category', 'region', 'homeUrl', 'consultUrl', 'supervisorEmail'];
  return fields.every((f) => (a[f] ?? '') === (b[f] ?? ''));
}
