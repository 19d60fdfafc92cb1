/**
 * api: the dashboard API behind an API Gateway HTTP API with a Cognito JWT authorizer. Thin: the event becomes
 * the same plain request the local server builds (principal = the token's user, role = the highest of its
 * `cognito:groups`), the same router answers. No cookies here (a bearer token), so no CSRF token either.
 * Env (set by the pipeline stack's `grantDashboardApi`): HUIXIN_EVIDENCE_BUCKET (screenshots, page snapshots),
 * HUIXIN_MAIL_BUCKET (raw mail, `mail/raw/…`, read only), the scheduler's ARNs, HUIXIN_MAIL_DOMAIN; no reply
 * secret (the API plans no letter: a letter made here would fail loudly rather than get an unverifiable address).
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { DynamoViewStore } from '../../shared/adapters/http/dynamo-views.ts';
import { loadMailConfig } from '../../shared/adapters/mail/config.ts';
import { parseMail } from '../../shared/adapters/mail/parse.ts';
import { S3ObjectStore } from '../../shared/adapters/mail/s3-object-store.ts';
import { mailDeps } from '../../shared/adapters/mail/wiring.ts';
import { eventBridgeSchedulerFromEnv } from '../../shared/adapters/scheduler/eventbridge.ts';
import { createApi, type Api } from '../../shared/app/api/router.ts';
import { highestRole, type ApiRequest, type ApiResponse } from '../../shared/app/api/types.ts';
import type { ObjectStore } from '../../shared/app/ports.ts';
import { countingFinder, countingLetterStore, OverviewCounters } from '../../shared/app/api/views.ts';
import { loadConfig } from '../../shared/config.ts';
import { openStores } from '../../shared/local/runtime.ts';
import { SECURITY_HEADERS } from '../../shared/local/web-server.ts';

/** Cognito puts groups in the JWT as an array, or (through API Gateway) as a string like "[admin viewer]". */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  return claim.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
}

export function toApiRequest(event: APIGatewayProxyEventV2WithJWTAuthorizer): ApiRequest {
  const claims = (event.requestContext.authorizer?.jwt?.claims ?? {}) as Record<string, unknown>;
  const user = String(claims['cognito:username'] ?? claims.username ?? claims.sub ?? '');
  const role = highestRole(groupsOf(claims['cognito:groups']));
  let body: unknown;
  if (event.body) {
    const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    try {
      body = JSON.parse(text);
    } catch {
      body = Symbol.for('bad-json');
    }
  }
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: { ...(event.queryStringParameters ?? {}) },
    ...(body !== undefined ? { body } : {}),
    ...(user && role ? { principal: { user, role } } : {}),
  };
}

export function toResult(r: ApiResponse): APIGatewayProxyStructuredResultV2 {
  const headers = { ...SECURITY_HEADERS, 'cache-control': 'no-store', ...(r.headers ?? {}) };
  if (r.json !== undefined) return { statusCode: r.status, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(r.json) };
  if (r.body instanceof Uint8Array) return { statusCode: r.status, headers, body: Buffer.from(r.body).toString('base64'), isBase64Encoded: true };
  return { statusCode: r.status, headers, body: r.body ?? '' };
}

export function makeHandler(api: () => Promise<Pick<Api, 'handle'>>) {
  return async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> => {
    const req = toApiRequest(event);
    if (req.body === Symbol.for('bad-json')) return toResult({ status: 400, json: { error: 'body: not JSON' } });
    return toResult(await (await api()).handle(req));
  };
}

/** Where ingest-mail keeps raw mail (shared/app/ingest-mail.ts): those keys live in the raw-mail bucket, the rest in the evidence bucket. */
const MAIL_KEYS = 'mail/';

/** One object store over the two buckets the dashboard reads: a mail's raw message by its `mail/…` key, evidence otherwise. */
export function dashboardObjects(evidence: ObjectStore, mail: ObjectStore): ObjectStore {
  const of = (key: string) => (key.startsWith(MAIL_KEYS) ? mail : evidence);
  return {
    put: (key, body, contentType) => of(key).put(key, body, contentType),
    get: (key) => of(key).get(key),
    locate: (key) => of(key).locate(key),
  };
}

let cached: Promise<Api> | undefined;
function awsApi(): Promise<Api> {
  cached ??= (async () => {
    const config = loadConfig();
    const stores = await openStores(config);
    const bucket = process.env.HUIXIN_EVIDENCE_BUCKET;
    const mailBucket = process.env.HUIXIN_MAIL_BUCKET;
    if (!bucket) throw new Error('HUIXIN_EVIDENCE_BUCKET is not set');
    if (!mailBucket) throw new Error('HUIXIN_MAIL_BUCKET is not set');
    const s3 = new S3Client({});
    const objects = dashboardObjects(new S3ObjectStore(s3, bucket), new S3ObjectStore(s3, mailBucket));
    const views = new DynamoViewStore(stores.client, stores.tableName);
    const clock = { now: () => new Date() };
    const calendar = loadCalendar();
    const counters = new OverviewCounters({ campaigns: stores.campaigns, sites: stores.sites, letters: stores.letters, calendar, clock, views });
    // HUIXIN_COUNTERS=stream: functions/count-letters counts every letter change from the table's stream; the API
    // must then not count its own writes a second time.
    const byStream = process.env.HUIXIN_COUNTERS === 'stream';
    const letters = byStream ? stores.letters : countingLetterStore(stores.letters, counters);
    const mailConfig = loadMailConfig();
    const mail = mailDeps({ ...stores, letters }, mailConfig, { objects, authenticate: false });
    return createApi({
      campaign: {
        sites: stores.sites,
        campaigns: stores.campaigns,
        letters,
        events: stores.events,
        scheduler: eventBridgeSchedulerFromEnv(new SchedulerClient({})),
        clock,
        calendar,
        mail: { secret: mailConfig.replySecret, domain: mailConfig.mailDomain },
      },
      holding: { letters, finder: byStream ? mail.finder : countingFinder(mail.finder, stores.letters, counters), mails: mail.mails, events: stores.events, clock },
      objects,
      views,
      ...(byStream ? {} : { counters }),
      readMail: async (raw) => {
        const m = await parseMail(raw, { log: () => {} });
        return { text: m.text, html: m.html?.content ?? null };
      },
    });
  })();
  return cached;
}

export const handler = makeHandler(awsApi);
