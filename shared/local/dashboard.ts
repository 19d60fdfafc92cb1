/**
 * Wiring of the dashboard on one machine: the API over the embedded stores (letter writes counted so the
 * precomputed overview stays current), D's holding pen, E's campaign use cases, the evidence folder, and the
 * user/session store. Used by `huixin serve-web`, the e2e test and the bench.
 */
import path from 'node:path';
import { localMailConfig } from '../adapters/mail/config.ts';
import { parseMail } from '../adapters/mail/parse.ts';
import { mailDeps } from '../adapters/mail/wiring.ts';
import { FsObjectStore } from '../adapters/object-store-fs.ts';
import { DynamoAuthStore } from '../adapters/http/dynamo-auth-store.ts';
import { DynamoViewStore } from '../adapters/http/dynamo-views.ts';
import { createApi, type Api, type ApiDeps } from '../app/api/router.ts';
import { countingFinder, countingLetterStore, OverviewCounters } from '../app/api/views.ts';
import type { AuthStore } from '../app/auth.ts';
import type { Clock, ObjectStore } from '../app/ports.ts';
import { campaignRuntime } from './campaign-runtime.ts';
import type { OpenStores } from './runtime.ts';

export interface DashboardWiring {
  api: Api;
  deps: ApiDeps;
  auth: AuthStore;
}

export function dashboardWiring(
  stores: Pick<OpenStores, 'sites' | 'campaigns' | 'letters' | 'events' | 'client' | 'tableName'>,
  options: { dataDir: string; clock?: Clock; objects?: ObjectStore; env?: Record<string, string | undefined>; maxAgeMs?: number },
): DashboardWiring {
  const clock = options.clock ?? { now: () => new Date() };
  const env = options.env ?? process.env;
  const views = new DynamoViewStore(stores.client, stores.tableName);
  const runtime = campaignRuntime(stores, { clock, env, dataDir: options.dataDir }).deps;
  const counters = new OverviewCounters({ campaigns: stores.campaigns, sites: stores.sites, letters: stores.letters, calendar: runtime.calendar, clock, views });
  const letters = countingLetterStore(stores.letters, counters);
  const objects = options.objects ?? new FsObjectStore(path.join(options.dataDir, 'objects'));
  const campaign = { ...runtime, letters };
  const mailConfig = localMailConfig(env, options.dataDir);
  const mail = mailDeps(
    { client: stores.client, tableName: stores.tableName, letters, events: stores.events, sites: stores.sites },
    mailConfig,
    { objects, authenticate: false, now: () => clock.now() },
  );
  const deps: ApiDeps = {
    campaign,
    holding: { letters, finder: countingFinder(mail.finder, stores.letters, counters), mails: mail.mails, events: stores.events, clock },
    objects,
    views,
    counters,
    readMail: async (raw) => {
      const m = await parseMail(raw, { log: () => {} });
      return { text: m.text, html: m.html?.content ?? null };
    },
    ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
  };
  return { api: createApi(deps), deps, auth: new DynamoAuthStore(stores.client, stores.tableName) };
}
