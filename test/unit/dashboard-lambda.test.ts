import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
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
