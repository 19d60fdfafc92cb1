/** Wire the alert use cases over opened DynamoDB/dynalite stores (CLI, Lambda, local stack). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { gatedQueue } from '../../app/campaigns.ts';
import type { AlertDeps, DigestSources } from '../../app/alerts.ts';
import type { Clock, CampaignStore, EventStore, LetterStore, ObjectStore, SiteStore } from '../../app/ports.ts';
import { DynamoMailStore } from '../mail/dynamo-mail.ts';
import type { AlertConfig } from './config.ts';
import { DynamoAlertStore } from './dynamo-alerts.ts';
import { AlertSenders } from './senders.ts';

export interface AlertStoreSet {
  client: DynamoDBClient;
  tableName: string;
  sites: SiteStore;
  letters: LetterStore;
  events: EventStore;
  campaigns: CampaignStore;
}

export function alertDeps(
  stores: AlertStoreSet,
  config: AlertConfig,
  options: { objects?: ObjectStore; clock?: Clock; log?: (m: string) => void; recheck?: AlertDeps['recheck']; sleep?: AlertDeps['sleep'] } = {},
): AlertDeps & { senders: AlertSenders; sources: DigestSources } {
  const clock = options.clock ?? { now: () => new Date() };
  const senders = AlertSenders.fromSmtpUrl(config.smtpUrl, { from: config.from, ...(options.objects ? { objects: options.objects } : {}), now: () => clock.now() });
  const mails = new DynamoMailStore(stores.client, stores.tableName);
  return {
    alerts: new DynamoAlertStore(stores.client, stores.tableName),
    events: stores.events,
    sites: stores.sites,
    letters: stores.letters,
    sender: senders,
    senders,
    clock,
    targets: config.targets,
    notifySupervisors: config.notifySupervisors,
    ...(config.dashboardUrl ? { dashboardUrl: config.dashboardUrl } : {}),
    policy: config.policy,
    retry: config.retry,
    ...(options.objects ? { objects: options.objects } : {}),
    ...(options.recheck ? { recheck: options.recheck } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.log ? { log: options.log } : {}),
    sources: {
      overdue: (asOf) => stores.letters.overdueLetters(asOf),
      gated: () => gatedQueue({ campaigns: stores.campaigns, letters: stores.letters, sites: stores.sites, events: stores.events }),
      held: () => mails.listHeld(),
    },
  };
}
