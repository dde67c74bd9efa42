// Instant revocation (issue 11, item 8) through the local runner, whose authorizer cache behaves
// like API Gateway's (per token, TTL) and is flushed by the admin API as FlushStageAuthorizersCache
// flushes the stage's when deployed. With a 5-minute TTL, a revoked token, a switched-off tenant
// and an expiring token are all refused on the very next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DENY_DETAIL } from '#auth/authenticate.ts';
import { startLocalApi, type CallResult, type LocalApi } from '../support/local-api.ts';

const TTL_SECONDS = 300;
let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi({ authorizerCacheTtlSeconds: TTL_SECONDS, tenantId: 'rv-default' });
});
afterAll(() => api?.close());

const expect401 = (res: CallResult, detail: string) => {
  expect(res.status, res.text).toBe(401);
  expect(res.body.detail).toBe(detail);
};

async function mint(tenantId: string, body: Record<string, unknown> = {}) {
  await api.admin('PUT', `/tenants/${tenantId}`, {});
  const res = await api.admin('POST', `/tenants/${tenantId}/tokens`, { name: 'okta', ...body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; token: string; expiresAt: string };
}

describe('a revoked token keeps working for up to the authorizer cache TTL: fixed (the cache is flushed)', () => {
  it('revoking a token refuses it on the next request, though its Allow was cached for 5 minutes', async () => {
    const { id, token } = await mint('rv-a');
    expect((await api.call('GET', '/Users', { token })).status).toBe(200); // cached now
    expect((await api.admin('DELETE', `/tenants/rv-a/tokens/${id}`)).status).toBe(204);
    expect401(await api.call('GET', '/Users', { token }), DENY_DETAIL.unknown);
  });

  it('switching provisioning off refuses every token of the tenant on the next request', async () => {
    const first = await mint('rv-b');
    const second = await mint('rv-b', { name: 'entra' });
    for (const { token } of [first, second]) expect((await api.call('GET', '/Groups', { token })).status).toBe(200);
    expect((await api.admin('PUT', '/tenants/rv-b/provisioning', { enabled: false })).status).toBe(200);
    for (const { token } of [first, second])
      expect401(await api.call('GET', '/Groups', { token }), DENY_DETAIL.disabled);
  });

  it('other tenants keep working after a flush (their next call re-runs the authorizer)', async () => {
    const other = await mint('rv-c');
    const revoked = await mint('rv-d');
    expect((await api.call('GET', '/Users', { token: other.token })).status).toBe(200);
    expect((await api.admin('DELETE', `/tenants/rv-d/tokens/${revoked.id}`)).status).toBe(204);
    expect((await api.call('GET', '/Users', { token: other.token })).status).toBe(200);
  });
});

describe('a token whose expiry passed was still accepted for a write: fixed', () => {
  it('a token with less life left than the cache TTL is refused, so no cached Allow outlives it', async () => {
    const write = (token: string) =>
      api.call('POST', '/Users', {
        token,
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `u${Math.random()}` },
      });
    const early = await mint('rv-e', { expiresInDays: 1 });
    const late = await mint('rv-e', { name: 'entra', expiresInDays: 1 });
    const start = api.clock.now;
    try {
      // More than one TTL left: allowed (an Allow cached now expires before the token does).
      api.clock.now = new Date(Date.parse(early.expiresAt) - (TTL_SECONDS + 5) * 1000);
      expect((await write(early.token)).status).toBe(201);
      // Less than one TTL left: refused already, so API Gateway never caches an Allow past the expiry.
      api.clock.now = new Date(Date.parse(late.expiresAt) - (TTL_SECONDS - 1) * 1000);
      expect401(await write(late.token), DENY_DETAIL.expired);
    } finally {
      api.clock.now = start;
    }
  });
});
