/**
 * THE definition of huixin's single DynamoDB table: key schema, GSIs and the key builders every adapter uses.
 * The CDK data stack (infra/stacks/data-stack.ts) and the local `ensureTable` (dynalite) both read it, so AWS
 * and the embedded default can never drift apart. See docs/data-model.md for the access patterns.
 *
 * Plain data, no SDK imports: the CDK app loads this file too.
 */

export interface KeyAttr {
  name: string;
  type: 'S';
}

export interface GsiDef {
  indexName: string;
  partitionKey: KeyAttr;
  sortKey: KeyAttr;
  /** ALL: every read pattern wants whole items (letters for a report); sizes are small. */
  projection: 'ALL';
}

export interface TableSchema {
  partitionKey: KeyAttr;
  sortKey: KeyAttr;
  globalSecondaryIndexes: readonly GsiDef[];
}

const s = (name: string): KeyAttr => ({ name, type: 'S' });

export const TABLE_SCHEMA: TableSchema = {
  partitionKey: s('pk'),
  sortKey: s('sk'),
  globalSecondaryIndexes: [
    // Letters of a campaign by state (`<state>#<letterId>`), and all of them for the report; also the campaign list
    // (gsi1pk = CAMPAIGNS, gsi1sk = `<createdAt>#<campaignId>`).
    { indexName: 'gsi1', partitionKey: s('gsi1pk'), sortKey: s('gsi1sk'), projection: 'ALL' },
    // Letters of a site across quarters, ordered by planned time.
    { indexName: 'gsi2', partitionKey: s('gsi2pk'), sortKey: s('gsi2sk'), projection: 'ALL' },
    // Sparse: only submitted letters still without a reply. Sharded partition key, sort key = deadline (UTC).
    { indexName: 'gsi3', partitionKey: s('gsi3pk'), sortKey: s('gsi3sk'), projection: 'ALL' },
  ],
};

/** Number of shards of the open-letter index (gsi3). A few thousand writes/s per shard is far above our rate. */
export const OPEN_SHARDS = 8;

/**
 * A sortable UTC rendering of an ISO-8601 instant with any offset ("2026-03-02T09:00:00+08:00" →
 * "2026-03-02T01:00:00.000Z"). Only for key ordering: the item keeps the original string.
 */
export function sortableInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO-8601 instant: ${iso}`);
  return new Date(ms).toISOString();
}

/** A stable shard number for an id (FNV-1a), in [0, OPEN_SHARDS). */
export function shardOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % OPEN_SHARDS;
}

export const keys = {
  letter: (id: string) => ({ pk: `LETTER#${id}`, sk: 'LETTER' }),
  campaign: (id: string) => ({ pk: `CAMPAIGN#${id}`, sk: 'CAMPAIGN' }),
  /** The one pointer item naming the current registry snapshot. */
  registryPointer: () => ({ pk: 'REGISTRY', sk: 'CURRENT' }),
  /** A site inside a registry snapshot: a whole registry is one partition, so listing it is one Query. */
  registrySite: (snapshotId: string, siteId: string) => ({ pk: `REGISTRY#${snapshotId}`, sk: `SITE#${siteId}` }),
  registrySnapshotPk: (snapshotId: string) => `REGISTRY#${snapshotId}`,
  /**
   * The partition of an event stream: `letter:<id>` → `LETTER#<id>` (next to the letter item, so a letter and its
   * timeline are one Query), `campaign:<id>` → `CAMPAIGN#<id>`, `site:<id>` → `SITE#<id>`, anything else likewise.
   */
  streamPk: (stream: string) => {
    const i = stream.indexOf(':');
    if (i <= 0 || i === stream.length - 1) throw new Error(`bad event stream name: ${stream}`);
    return `${stream.slice(0, i).toUpperCase()}#${stream.slice(i + 1)}`;
  },
  eventSk: (at: string, eventId: string) => `EV#${sortableInstant(at)}#${eventId}`,
  EVENT_SK_PREFIX: 'EV#',
  campaignsGsi1Pk: 'CAMPAIGNS',
  lettersOfCampaignGsi1Pk: (campaignId: string) => `CAMPAIGN#${campaignId}`,
  lettersOfSiteGsi2Pk: (siteId: string) => `SITE#${siteId}`,
  openGsi3Pk: (shard: number) => `OPEN#${shard}`,
  /**
   * The alert feed (sparse, on gsi1): events of the alert types carry gsi1pk `ALERTFEED#<Beijing day of recordedAt>`,
   * gsi1sk `<recordedAt UTC>#<eventId>`, so "recorded since T" is one Query per Beijing day. One partition takes a
   * day's ~14,000 checks + submissions (peaks of tens/s against the 1,000 writes/s a partition takes): no sharding.
   */
  alertFeedGsi1Pk: (day: string) => `ALERTFEED#${day}`,
  alertFeedGsi1Sk: (recordedAt: string, eventId: string) => `${sortableInstant(recordedAt)}#${eventId}`,
} as const;

/** The Beijing calendar day (YYYY-MM-DD) of an instant: the alert feed's partition. */
export function beijingDayOf(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`not an ISO-8601 instant: ${iso}`);
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
}
