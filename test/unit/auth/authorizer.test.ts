// Each reason the authorizer refuses a token, and what it costs in DynamoDB calls, with the
// document client mocked (the real engine is exercised by test/integration/tokens.test.ts).
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DENY_DETAIL, LAST_USED_WRITE_INTERVAL_MS } from '#auth/authenticate.ts';
import { generateToken, hashToken } from '#auth/token.ts';
import { authorizerHandler, authorizerOptionsFromEnv } from '#functions/authorizer/app.ts';
import type { AppContext } from '#api/context.ts';
import { configFromEnv } from '#api/context.ts';
import { createDb } from '#store/client.ts';
import { keys } from '#store/keys.ts';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/scim/v2/Users';
const NOW = new Date('2030-06-01T12:00:00.000Z');
const TOKEN_ID = '01HZX3J4K5M6N7P8Q9R0S1T2V3';
const DAY = 86_400_000;

const db = createDb({ tableName: 'unit-authorizer', endpoint: 'http://127.0.0.1:9' });
const ddb = mockClient(db.doc);
let now = NOW;
const ctx: AppContext = { db, clock: () => now, config: configFromEnv({}) };
const authorize = authorizerHandler(ctx);
const token = generateToken();

function tokenItem(overrides: Record<string, unknown> = {}) {
  return {
    ...keys.token(hashToken(token)),
    id: TOKEN_ID,
    tenantId: 'acme',
    name: 'okta',
    scope: 'full',
    createdAt: new Date(NOW.getTime() - DAY).toISOString(),
    expiresAt: new Date(NOW.getTime() + DAY).toISOString(),
    lastUsedAt: new Date(NOW.getTime() - 60_000).toISOString(),
    ...overrides,
  };
}
function tenantItem(overrides: Record<string, unknown> = {}) {
  return {
    ...keys.tenant('acme'),
    id: 'acme',
    provisioning: true,
    tokenSlots: { [TOKEN_ID]: NOW.getTime() + DAY },
    version: 3,
    ...overrides,
  };
}
function store(tokenRecord?: Record<string, unknown>, tenant?: Record<string, unknown>) {
  ddb.on(GetCommand, { Key: keys.token(hashToken(token)) }).resolves(tokenRecord ? { Item: tokenRecord } : {});
  ddb.on(GetCommand, { Key: keys.tenant('acme') }).resolves(tenant ? { Item: tenant } : {});
}

const call = (authorizationToken: string) => authorize({ type: 'TOKEN', authorizationToken, methodArn: METHOD_ARN });
const effect = (r: APIGatewayAuthorizerResult) => (r.policyDocument.Statement[0] as { Effect: string }).Effect;

beforeEach(() => {
  ddb.reset();
  now = NOW;
});

describe('malformed tokens are refused without any DynamoDB call', () => {
  const wellFormed = generateToken();
  it.each([
    ['an empty header', ''],
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    [
      'a token with a typo',
      `Bearer ${wellFormed.slice(0, 20)}${wellFormed[20] === 'a' ? 'b' : 'a'}${wellFormed.slice(21)}`,
    ],
    ['a truncated token', `Bearer ${wellFormed.slice(0, -2)}`],
    ['two tokens', `Bearer ${wellFormed} ${wellFormed}`],
    ['an admin key', 'Bearer 6f1c2a9e-admin-key'],
    ['the scheme alone', 'Bearer'],
  ])('%s', async (_name, header) => {
    const result = await call(header);
    expect(effect(result)).toBe('Deny');
    expect(result.context).toEqual({ error: 'missing or malformed bearer token' });
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('deny reasons', () => {
  it('unknown or revoked token', async () => {
    store(undefined, tenantItem());
    const result = await call(`Bearer ${token}`);
    expect(effect(result)).toBe('Deny');
    expect(result.context).toEqual({ error: 'token revoked or unknown' });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('a revoked token (listed until TTL removes it) is refused like one that is gone, from its item alone', async () => {
    // Even with a slot left in the tenant item: the token item decides, with one read.
    store(tokenItem({ revokedAt: NOW.toISOString() }), tenantItem());
    const result = await call(`Bearer ${token}`);
    expect(effect(result)).toBe('Deny');
    expect(result.context).toEqual({ error: 'token revoked or unknown' });
    expect(result.principalId).toBe(TOKEN_ID);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('expired token, checked against the clock on every call (no tenant read needed)', async () => {
    store(tokenItem({ expiresAt: NOW.toISOString() }), tenantItem());
    const result = await call(`Bearer ${token}`);
    expect(result.context).toEqual({ error: 'token expired' });
    expect(result.principalId).toBe(TOKEN_ID);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);

    now = new Date(NOW.getTime() - 1);
    expect(effect(await call(`Bearer ${token}`))).toBe('Allow');
  });

  it('provisioning disabled for the tenant', async () => {
    store(tokenItem(), tenantItem({ provisioning: false, tokenSlots: {} }));
    expect((await call(`Bearer ${token}`)).context).toEqual({ error: 'provisioning disabled' });
  });

  it('a token retired by switching provisioning off says so while it is off...', async () => {
    store(
      { ...keys.token(hashToken(token)), id: TOKEN_ID, tenantId: 'acme', retired: 'provisioning-disabled' },
      tenantItem({ provisioning: false, tokenSlots: {} }),
    );
    expect((await call(`Bearer ${token}`)).context).toEqual({ error: 'provisioning disabled' });
  });

  it('...and is revoked once provisioning is back on', async () => {
    store(
      { ...keys.token(hashToken(token)), id: TOKEN_ID, tenantId: 'acme', retired: 'provisioning-disabled' },
      tenantItem({ tokenSlots: {} }),
    );
    expect((await call(`Bearer ${token}`)).context).toEqual({ error: 'token revoked or unknown' });
  });

  it('a token that no longer holds a slot in its tenant is revoked', async () => {
    store(tokenItem(), tenantItem({ tokenSlots: {} }));
    expect((await call(`Bearer ${token}`)).context).toEqual({ error: 'token revoked or unknown' });
  });

  it('a token whose tenant item is gone is revoked', async () => {
    store(tokenItem(), undefined);
    expect((await call(`Bearer ${token}`)).context).toEqual({ error: 'token revoked or unknown' });
  });
});

describe('allow', () => {
  it('passes tenant, token and scope to the handlers', async () => {
    store(tokenItem({ scope: 'read' }), tenantItem());
    const result = await call(`Bearer ${token}`);
    expect(effect(result)).toBe('Allow');
    expect(result.principalId).toBe(TOKEN_ID);
    expect(result.context).toEqual({ tenantId: 'acme', tokenId: TOKEN_ID, scope: 'read', rateLimitTier: 'default' });
    // Both reads strongly consistent: a revocation is seen by the next uncached check.
    for (const get of ddb.commandCalls(GetCommand)) expect(get.args[0].input.ConsistentRead).toBe(true);
  });

  it.each([
    ['lower-case scheme (many scripts)', (t: string) => `bearer ${t}`],
    ['upper-case scheme', (t: string) => `BEARER ${t}`],
    ['several spaces after the scheme (Okta has been seen sending them)', (t: string) => `Bearer    ${t}`],
    ['a tab and trailing whitespace', (t: string) => `Bearer\t${t}  `],
    ['the bare token without a scheme', (t: string) => t],
  ])('accepts %s', async (_name, header) => {
    store(tokenItem(), tenantItem());
    expect(effect(await call(header(token)))).toBe('Allow');
  });
});

describe('lastUsedAt', () => {
  it('is not written when it is fresher than the interval', async () => {
    store(
      tokenItem({ lastUsedAt: new Date(NOW.getTime() - LAST_USED_WRITE_INTERVAL_MS + 1000).toISOString() }),
      tenantItem(),
    );
    await call(`Bearer ${token}`);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('is written, conditionally, when older than the interval or never set', async () => {
    for (const lastUsedAt of [new Date(NOW.getTime() - LAST_USED_WRITE_INTERVAL_MS - 1).toISOString(), undefined]) {
      ddb.reset();
      store(tokenItem({ lastUsedAt }), tenantItem());
      ddb.on(UpdateCommand).resolves({});
      await call(`Bearer ${token}`);
      const updates = ddb.commandCalls(UpdateCommand);
      expect(updates).toHaveLength(1);
      const input = updates[0]!.args[0].input;
      expect(input.Key).toEqual(keys.token(hashToken(token)));
      expect(input.ExpressionAttributeValues).toEqual({
        ':now': NOW.toISOString(),
        ':staleBefore': new Date(NOW.getTime() - LAST_USED_WRITE_INTERVAL_MS).toISOString(),
      });
      expect(input.ConditionExpression).toContain('lastUsedAt < :staleBefore');
    }
  });

  it('a lost race or failed write does not refuse the token', async () => {
    store(tokenItem({ lastUsedAt: undefined }), tenantItem());
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'x', $metadata: {} }));
    expect(effect(await call(`Bearer ${token}`))).toBe('Allow');
    ddb.on(UpdateCommand).rejects(new Error('throttled'));
    expect(effect(await call(`Bearer ${token}`))).toBe('Allow');
  });
});

describe('deny details', () => {
  it('are plain text: the stack substitutes them unescaped into a JSON gateway response (infra/gateway-responses.ts)', () => {
    for (const detail of Object.values(DENY_DETAIL)) expect(detail).toMatch(/^[a-z ]+$/);
  });
});

describe('failures', () => {
  it('a DynamoDB error is thrown (API Gateway answers 500 and caches nothing), not a cached Deny', async () => {
    ddb.on(GetCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    await expect(call(`Bearer ${token}`)).rejects.toThrow();
  });
});

describe('per-tenant rate limits (usage plans with apiKeySource AUTHORIZER)', () => {
  const withKey = (plan?: string) => ({ apiKey: { value: 'scimrl_acme', id: 'k1', ...(plan ? { plan } : {}) } });

  it("returns the tenant's own usage-plan key as usageIdentifierKey, and its tier in the context", async () => {
    store(tokenItem(), tenantItem({ ...withKey('large'), rateLimitTier: 'large' }));
    const result = await call(`Bearer ${token}`);
    expect(result.usageIdentifierKey).toBe('scimrl_acme');
    expect(result.context).toMatchObject({ tenantId: 'acme', rateLimitTier: 'large' });
  });

  it('a tenant whose key is not confirmed in a plan yet (or has none) gets the shared key', async () => {
    const shared = authorizerHandler(ctx, { sharedUsageKey: 'scim-shared-key' });
    for (const tenant of [tenantItem(withKey()), tenantItem()]) {
      ddb.reset();
      store(tokenItem(), tenant);
      const result = await shared({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });
      expect(result.usageIdentifierKey).toBe('scim-shared-key');
    }
  });

  it('without a shared key (the local runner) such a tenant gets no usageIdentifierKey; a Deny never has one', async () => {
    store(tokenItem(), tenantItem());
    expect(await call(`Bearer ${token}`)).not.toHaveProperty('usageIdentifierKey');
    ddb.reset();
    store(undefined, tenantItem(withKey('default')));
    expect(await call(`Bearer ${token}`)).not.toHaveProperty('usageIdentifierKey');
  });
});

describe('a token whose expiry passed was still accepted (through the authorizer cache): fixed', () => {
  const TTL = 300;
  const cached = authorizerHandler(ctx, { cacheTtlSeconds: TTL });
  const callCached = () => cached({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });

  it('refuses a token with less life left than the cache TTL: a cached Allow never outlives the token', async () => {
    store(tokenItem({ expiresAt: new Date(NOW.getTime() + TTL * 1000).toISOString() }), tenantItem());
    expect((await callCached()).context).toEqual({ error: 'token expired' });
  });

  it('allows it while more than one TTL is left', async () => {
    store(tokenItem({ expiresAt: new Date(NOW.getTime() + TTL * 1000 + 1).toISOString() }), tenantItem());
    expect(effect(await callCached())).toBe('Allow');
  });

  it('reads the TTL and the shared key from the environment the stack sets', () => {
    expect(authorizerOptionsFromEnv({ AUTHORIZER_CACHE_TTL_SECONDS: '60', SHARED_USAGE_PLAN_KEY: 'k' })).toEqual({
      cacheTtlSeconds: 60,
      sharedUsageKey: 'k',
    });
    expect(authorizerOptionsFromEnv({ AUTHORIZER_CACHE_TTL_SECONDS: '0' })).toEqual({});
  });
});
