import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { groupsOf, makeHandler, toApiRequest } from '../../functions/api/handler.ts';
import { createApi, type ApiDeps } from '../../shared/app/api/router.ts';

function event(method: string, path: string, claims?: Record<string, unknown>, body?: string): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    version: '2.0',
    routeKey: `${method} /api/{proxy+}`,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    ...(body !== undefined ? { body } : {}),
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' },
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] }, principalId: '', integrationLatency: 0 } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

// The router refuses before it touches any dependency: no store needed for these.
const handler = makeHandler(async () => createApi({ campaign: { clock: { now: () => new Date() } } } as unknown as ApiDeps));

describe('api Lambda', () => {
  it('reads Cognito groups as an array or as API Gateway’s "[a b]" string, and takes the highest role', () => {
    expect(groupsOf('[viewer operator]')).toEqual(['viewer', 'operator']);
    expect(groupsOf(['admin'])).toEqual(['admin']);
    expect(groupsOf(undefined)).toEqual([]);
    const req = toApiRequest(event('GET', '/api/me', { 'cognito:username': 'li', 'cognito:groups': '[viewer operator]' }));
    expect(req.principal).toEqual({ user: 'li', role: 'operator' });
  });

  it('answers 401 without a user or without any role group, 403 for a role below the route’s, 400 for a bad body', async () => {
    expect((await handler(event('GET', '/api/campaigns'))).statusCode).toBe(401);
    expect((await handler(event('GET', '/api/campaigns', { 'cognito:username': 'li', 'cognito:groups': '[guests]' }))).statusCode).toBe(401);
    const refused = await handler(event('POST', '/api/mails/m1/attach', { 'cognito:username': 'li', 'cognito:groups': '[viewer]' }, '{"letterId":"l1"}'));
    expect(refused.statusCode).toBe(403);
    expect(refused.headers?.['x-content-type-options']).toBe('nosniff');
    expect((await handler(event('POST', '/api/mails/m1/attach', { 'cognito:username': 'li', 'cognito:groups': '[operator]' }, '{not json'))).statusCode).toBe(400);
  });
});

describe('count-letters (DynamoDB stream → overview counters)', () => {
  it('passes each letter item’s old and new image to the counters, skips other items, and reports the first failure for retry', async () => {
    const { makeHandler: makeCounter } = await import('../../functions/count-letters/handler.ts');
    const { marshall } = await import('@aws-sdk/util-dynamodb');
    const seen: Array<[string | undefined, string]> = [];
    let failOn = '';
    const h = makeCounter(async () => ({
      letterChanged: async (before: { state: string } | undefined, after: { id: string; state: string }) => {
        if (after.id === failOn) throw new Error('boom');
        seen.push([before?.state, after.state]);
      },
    }) as never);
    const img = (o: Record<string, unknown>) => marshall(o) as never;
    const rec = (seq: string, n?: Record<string, unknown>, o?: Record<string, unknown>) => ({ eventID: seq, dynamodb: { SequenceNumber: seq, ...(n ? { NewImage: img(n) } : {}), ...(o ? { OldImage: img(o) } : {}) } });
    const letter = (id: string, state: string) => ({ pk: `LETTER#${id}`, sk: 'LETTER', entity: 'letter', id, state });
    const event = { Records: [rec('1', letter('a', 'submitted'), letter('a', 'planned')), rec('2', { pk: 'X', sk: 'Y', entity: 'event' }), rec('3', letter('b', 'planned')), rec('4', letter('c', 'gated'), letter('c', 'planned')), rec('5', letter('d', 'gated'))] };
    failOn = 'c';
    expect(await h(event as never)).toEqual({ batchItemFailures: [{ itemIdentifier: '4' }] });
    expect(seen).toEqual([['planned', 'submitted'], [undefined, 'planned']]);
  });
});

describe('AWS composition roots (api, close-campaign)', () => {
  it('the API reads a mail’s raw message from the raw-mail bucket and evidence from the evidence bucket, by key', async () => {
    const { dashboardObjects } = await import('../../functions/api/handler.ts');
    const store = (bucket: string) => ({
      put: async (key: string) => ({ key, sha256: bucket, size: 0, contentType: 'x' }),
      get: async (key: string) => new TextEncoder().encode(`${bucket}:${key}`),
      locate: (key: string) => `s3://${bucket}/${key}`,
    });
    const objects = dashboardObjects(store('evidence'), store('raw-mail'));
    const read = async (key: string) => new TextDecoder().decode(await objects.get(key));
    expect(await read('mail/raw/abc.eml')).toBe('raw-mail:mail/raw/abc.eml');
    expect(await read('evidence/l1/1/screenshot.png')).toBe('evidence:evidence/l1/1/screenshot.png');
    expect(await read('channel-checks/s1/pages/x.html')).toBe('evidence:channel-checks/s1/pages/x.html');
    expect(objects.locate('mail/raw/abc.eml')).toBe('s3://raw-mail/mail/raw/abc.eml');
  });

  it('close-campaign’s deps read no reply secret (its function is granted none), and a letter made with them would fail loudly', async () => {
    const env = {
      HUIXIN_STORE: 'dynamodb',
      HUIXIN_TABLE: 'huixin',
      AWS_REGION: 'cn-north-1',
      AWS_ACCESS_KEY_ID: 'none',
      AWS_SECRET_ACCESS_KEY: 'none',
      AWS_EC2_METADATA_DISABLED: 'true',
      HUIXIN_MAIL_DOMAIN: 'reply.example.gov.cn',
      // named but unreadable here (no SSM endpoint): were it read, building the deps would fail
      HUIXIN_REPLY_SECRET_PARAM: '/huixin/reply-secret',
      AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:9',
      HUIXIN_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/s',
      HUIXIN_SCHEDULER_DLQ_ARN: 'arn:aws:sqs:cn-north-1:123456789012:dlq',
    };
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    try {
      const { awsCampaignControlDeps } = await import('../../shared/aws/campaign-deps.ts');
      const deps = await awsCampaignControlDeps();
      expect(deps.mail).toEqual({ secret: '', domain: 'reply.example.gov.cn' });
      const { replyAddress } = await import('../../shared/domain/mail/reply-address.ts');
      expect(() => replyAddress('l0000000000000000', deps.mail.secret, deps.mail.domain)).toThrow(/secret/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
