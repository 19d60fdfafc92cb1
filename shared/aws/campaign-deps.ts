/**
 * The AWS composition roots of the campaign use cases: DynamoDB, EventBridge Scheduler, the official calendar (plus
 * HUIXIN_CALENDAR_FILES). Built once per Lambda instance.
 * - `awsCampaignDeps` (plan-campaign): also the reply secret from SSM, for each planned letter's reply address.
 * - `awsCampaignControlDeps` (close-campaign, the dashboard API): start, pause, resume, cancel and close make no
 *   letter, so they read no secret (and their functions are granted none); a letter made with these deps would
 *   fail loudly (`replyAddress` refuses an empty secret), never get an address nobody can verify.
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { loadCalendar } from '../adapters/calendar-source.ts';
import { loadMailConfig, resolveMailSettings } from '../adapters/mail/config.ts';
import { eventBridgeSchedulerFromEnv } from '../adapters/scheduler/eventbridge.ts';
import type { CampaignDeps } from '../app/campaigns.ts';
import { loadConfig } from '../config.ts';
import { openStores } from '../local/runtime.ts';

let planning: Promise<CampaignDeps> | undefined;
let control: Promise<CampaignDeps> | undefined;

async function build(mail: () => Promise<CampaignDeps['mail']>): Promise<CampaignDeps> {
  const stores = await openStores(loadConfig());
  return {
    sites: stores.sites,
    campaigns: stores.campaigns,
    letters: stores.letters,
    events: stores.events,
    scheduler: eventBridgeSchedulerFromEnv(new SchedulerClient({})),
    clock: { now: () => new Date() },
    calendar: loadCalendar(),
    mail: await mail(),
  };
}

export function awsCampaignDeps(): Promise<CampaignDeps> {
  planning ??= build(() => resolveMailSettings());
  return planning;
}

/** Without the reply secret: for functions that change a campaign's state but never plan letters. */
export function awsCampaignControlDeps(): Promise<CampaignDeps> {
  control ??= build(async () => ({ secret: '', domain: loadMailConfig().mailDomain }));
  return control;
}
