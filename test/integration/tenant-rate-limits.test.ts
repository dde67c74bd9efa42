// Fair per-tenant limits (issue 11, item 5) through the local runner, which enforces the stack's
// usage-plan throttle (a token bucket per tenant key, after the authorizer): tenant A over its
// limit gets 429 with a SCIM body and Retry-After while tenant B, at the same moment, is served.
// The AWS side (usage plans, apiKeySource AUTHORIZER, the keys) is pinned by
// test/infra/rate-limits.test.ts and test/unit/auth/authorizer.test.ts.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_RESPONSES } from '#infra/gateway-responses.ts';
import { keys } from '#store/keys.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
// The bucket refills one request per 100 s: nothing refills while the test runs, so the counts
// below are exact (the refill itself is tested with a clock in test/infra/local-rate-limit.test.ts).
const LIMITS = { default: { rateLimit: 0.01, burstLimit: 5 }, tiers: { large: { rateLimit: 0.01, burstLimit: 40 } } };

let api: LocalApi;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  api = await startLocalApi({ rateLimits: LIMITS, tenantId: 'rl-default' });
  tokenA = await api.tokenFor('rl-a');
  tokenB = await api.tokenFor('rl-b');
});
afterAll(() => api?.close());

describe('one stage-wide rate limit shared by every tenant: fixed (per-tenant buckets)', () => {
  it('tenant A over its limit gets 429 + Retry-After + a SCIM error; tenant B is served meanwhile', async () => {
    // At the same moment: A sends 3× its burst, B a few requests.
    const [a, b] = await Promise.all([
      Promise.all(Array.from({ length: 15 }, () => api.call('GET', '/Users?count=1', { token: tokenA }))),
      Promise.all(Array.from({ length: 4 }, () => api.call('GET', '/Users?count=1', { token: tokenB }))),
    ]);
    const aStatuses = a.map((r) => r.status).sort();
    expect(aStatuses, aStatuses.join()).toEqual([...Array(5).fill(200), ...Array(10).fill(429)]);
    expect(b.map((r) => r.status)).toEqual([200, 200, 200, 200]);

    const throttled = a.find((r) => r.status === 429)!;
    expect(throttled.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(throttled.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(throttled.body).toEqual({
      schemas: [ERROR_SCHEMA],
      status: '429',
      detail: GATEWAY_RESPONSES.find((g) => g.type === 'THROTTLED')!.detail,
    });
    // Refused before the function ran: no DynamoDB work for a throttled request.
    expect(throttled.cost.requests).toBe(0);
  });

  it('a tenant over its limit stays refused while others are still served', async () => {
    expect((await api.call('GET', '/Users?count=1', { token: tokenA })).status).toBe(429);
    expect((await api.call('GET', '/Users?count=1', { token: tokenB })).status).toBe(200);
  });
});

describe('per-tenant override: a tenant moved to another tier gets that tier’s limit', () => {
  it('PUT /admin/tenants/{id} {"rateLimitTier":"large"} → a bigger bucket for that tenant only', async () => {
    const tokenC = await api.tokenFor('rl-c');
    const moved = await api.admin('PUT', '/tenants/rl-c', { rateLimitTier: 'large' });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.rateLimit).toEqual({ tier: 'large' });
    // The tier travels with the authorizer's answer; the cache here has TTL 0.
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await api.call('GET', '/Users?count=1', { token: tokenC })).status);
    expect(statuses, statuses.join()).toEqual(statuses.map(() => 200));

    const back = await api.admin('PUT', '/tenants/rl-c', { rateLimitTier: 'default' });
    expect(back.body.rateLimit).toEqual({ tier: 'default' });
  });

  it('an unknown tier is a 400 that lists the tiers', async () => {
    const res = await api.admin('PUT', '/tenants/rl-c', { rateLimitTier: 'huge' });
    expect(res.status, res.text).toBe(400);
    expect(res.body.detail).toBe('unknown rateLimitTier "huge"; this deployment has: default, large');
  });
});

describe('one API key per tenant, created by the admin API, stored on the tenant (never a SCIM token)', () => {
  it('the tenant item holds its own usage-plan key, in its plan, different from its tokens and other tenants’ keys', async () => {
    const item = async (tenantId: string) =>
      (
        await api.ctx.db.doc.send(
          new GetCommand({ TableName: api.ctx.db.tableName, Key: keys.tenant(tenantId), ConsistentRead: true }),
        )
      ).Item!;
    const a = (await item('rl-a')).apiKey as { value: string; id: string; plan: string };
    const b = (await item('rl-b')).apiKey as { value: string; id: string; plan: string };
    expect(a).toMatchObject({ plan: 'default' });
    expect(a.value).toMatch(/^scimrl_[A-Za-z0-9_-]{43}$/);
    expect(a.id).toMatch(/^local-/);
    expect(b.value).not.toBe(a.value);
    expect(a.value).not.toBe(tokenA);
    expect(JSON.stringify(await item('rl-a'))).not.toContain(tokenA);
  });
});
