/**
 * The AWS composition root of the campaign use cases (plan-campaign, close-campaign): DynamoDB, EventBridge Scheduler,
 * the official calendar (plus HUIXIN_CALENDAR_FILES), and the reply secret from SSM. Built once per Lambda instance.
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { loadCalendar } from '../adapters/calendar-source.ts';
import { resolveMailSettings } from '../adapters/mail/config.ts';
import { eventBridgeSchedulerFromEnv } from '../adapters/scheduler/eventbridge.ts';
import type { CampaignDeps } from '../app/campaigns.ts';
import { loadConfig } from '../config.ts';
import { openStores } from '../local/runtime.ts';

let cached: Promise<CampaignDeps> | undefined;

export function awsCampaignDeps(): Promise<CampaignDeps> {
  cached ??= (async () => {
    const stores = await openStores(loadConfig());
    return {
      sites: stores.sites,
      campaigns: stores.campaigns,
      letters: stores.letters,
      events: stores.events,
      scheduler: eventBridgeSchedulerFromEnv(new SchedulerClient({})),
      clock: { now: () => new Date() },
      calendar: loadCalendar(),
      mail: await resolveMailSettings(),
    };
  })();
  return cached;
}
