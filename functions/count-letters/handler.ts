/**
 * count-letters: keeps the dashboard's overview counters in step with every letter change in AWS, whoever wrote
 * it (the submitter, mail ingest, the scheduler, the API), from the table's DynamoDB stream (NEW_AND_OLD_IMAGES):
 * each letter item's old and new image go to `OverviewCounters.letterChanged`, which adds the site's difference
 * with one atomic ADD. Partial batch failures: a record that fails is retried, the ones before it are not.
 * Wiring (not yet done): the data stack enables the stream; an event source mapping with ReportBatchItemFailures;
 * then set HUIXIN_COUNTERS=stream on the API function so that it stops counting its own writes.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { fromItem } from '../../shared/adapters/dynamo/codec.ts';
import { DynamoViewStore } from '../../shared/adapters/http/dynamo-views.ts';
import { OverviewCounters } from '../../shared/app/api/views.ts';
import type { Letter } from '../../shared/domain/model.ts';
import { loadConfig } from '../../shared/config.ts';
import { openStores } from '../../shared/local/runtime.ts';

type Image = Record<string, AttributeValue>;

export function makeHandler(counters: () => Promise<Pick<OverviewCounters, 'letterChanged'>>) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const c = await counters();
    for (const r of event.Records) {
      const n = r.dynamodb?.NewImage as Image | undefined;
      const o = r.dynamodb?.OldImage as Image | undefined;
      if (!n || n.entity?.S !== 'letter') continue; // not a letter, or a deletion (letters are never deleted)
      try {
        await c.letterChanged(o && o.entity?.S === 'letter' ? fromItem<Letter>(o) : undefined, fromItem<Letter>(n));
      } catch (err) {
        console.error(JSON.stringify({ level: 'error', msg: 'count-letters: could not apply a change', error: err instanceof Error ? err.message : String(err) }));
        // in order: this record and every later one are retried
        return { batchItemFailures: [{ itemIdentifier: r.dynamodb?.SequenceNumber ?? r.eventID ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  };
}

let cached: Promise<OverviewCounters> | undefined;
export const handler = makeHandler(() => {
  cached ??= (async () => {
    const stores = await openStores(loadConfig());
    return new OverviewCounters({
      campaigns: stores.campaigns,
      sites: stores.sites,
      letters: stores.letters,
      calendar: loadCalendar(),
      clock: { now: () => new Date() },
      views: new DynamoViewStore(stores.client, stores.tableName),
    });
  })();
  return cached;
});
