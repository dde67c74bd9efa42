// The exact DynamoDB requests behind the token access patterns of DESIGN.md (token by hash, a
// tenant's tokens, the cap), pinned with a mocked document client, and the optimistic-lock
// retry that uses the item returned by a failed condition instead of a second read.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '#store/client.ts';
import { keys } from '#store/keys.ts';
import { writingAs } from '#store/write-actor.ts';
import { findToken, touchToken } from '#store/token-lookup.ts';
import {
  createToken,
  listTokens,
  retireTenantTokens,
  revokeToken,
  TokenCapReached,
  TokenNotFound,
  type NewToken,
} from '#store/tokens.ts';

const db = createDb({ tableName: 'unit-tokens', endpoint: 'http://127.0.0.1:9' });
const ddb = mockClient(db.doc);
const NOW = new Date('2030-06-01T12:00:00.000Z');
const ctx = { db, clock: () => NOW };
const DAY = 86_400_000;
const HASH = 'a'.repeat(64);
const ID = '01HZX3J4K5M6N7P8Q9R0S1T2V3';
const OTHER = '01HZX3J4K5M6N7P8Q9R0S1T2V4';

const tenant = (version: number, tokenSlots: Record<string, number>) => ({
  ...keys.tenant('acme'),
  id: 'acme',
  provisioning: true,
  version,
  tokenSlots,
});
const input: NewToken = {
  tenantId: 'acme',
  id: ID,
  hash: HASH,
  name: 'okta',
  scope: 'full',
  createdAt: NOW,
  expiresAt: new Date(NOW.getTime() + 365 * DAY),
  maxActive: 2,
};
function cancelled(reasons: Array<{ Code: string; Item?: Record<string, unknown> }>) {
  return new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: reasons as never,
  });
}

beforeEach(() => ddb.reset());

describe('token by hash', () => {
  it('is one strongly consistent GetItem on TOKEN#<sha256>', async () => {
    ddb.on(GetCommand).resolves({});
    await findToken(ctx, HASH);
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 'unit-tokens', Key: { pk: `TOKEN#${HASH}`, sk: 'TOKEN' }, ConsistentRead: true },
    ]);
  });
});

describe("a tenant's tokens", () => {
  it('is one Query on gsi1 (TENANT#<t>#TOKENS), plus the tenant item read alongside', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(GetCommand).resolves({ Item: tenant(1, {}) });
    await listTokens(ctx, 'acme');
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: 'unit-tokens',
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'TENANT#acme#TOKENS' },
      },
    ]);
  });
});

describe('create (the cap)', () => {
  it('is one transaction: the slot map under the version lock, and a Put that never overwrites', async () => {
    ddb.on(GetCommand).resolves({ Item: tenant(7, { [OTHER]: NOW.getTime() + DAY, expired: NOW.getTime() - 1 }) });
    ddb.on(TransactWriteCommand).resolves({});
    await createToken(ctx, input);
    const [call] = ddb.commandCalls(TransactWriteCommand);
    expect(call!.args[0].input.TransactItems).toEqual([
      {
        Update: {
          TableName: 'unit-tokens',
          Key: { pk: 'TENANT#acme', sk: 'TENANT' },
          // With the tenant's entry in the list of tenants (gsi1 TENANTS / id), as ensureTenant writes it.
          UpdateExpression: 'SET #tokenSlots = :slots, #version = :next, #gsi1pk = :allTenants, #gsi1sk = :id',
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: {
            '#tokenSlots': 'tokenSlots',
            '#version': 'version',
            '#gsi1pk': 'gsi1pk',
            '#gsi1sk': 'gsi1sk',
          },
          // Expired slots are pruned in the same write.
          ExpressionAttributeValues: {
            ':slots': { [OTHER]: NOW.getTime() + DAY, [ID]: input.expiresAt.getTime() },
            ':next': 8,
            ':allTenants': 'TENANTS',
            ':id': 'acme',
            ':expected': 7,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: 'unit-tokens',
          Item: {
            pk: `TOKEN#${HASH}`,
            sk: 'TOKEN',
            gsi1pk: 'TENANT#acme#TOKENS',
            gsi1sk: ID,
            id: ID,
            tenantId: 'acme',
            name: 'okta',
            scope: 'full',
            createdAt: NOW.toISOString(),
            expiresAt: input.expiresAt.toISOString(),
            ttl: Math.floor((input.expiresAt.getTime() + 30 * DAY) / 1000),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ]);
  });

  it('a tenant item without a version or a list entry (made by counter ADDs, or older) gets its entry in the list of tenants', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...keys.tenant('acme'), userCount: 3 } });
    ddb.on(TransactWriteCommand).resolves({});
    await createToken(ctx, input);
    const lock = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Update!;
    expect(lock.ConditionExpression).toBe('attribute_exists(pk) AND attribute_not_exists(#version)');
    expect(lock.UpdateExpression).toContain('#gsi1pk = :allTenants, #gsi1sk = :id');
    expect(lock.ExpressionAttributeValues).toMatchObject({ ':allTenants': 'TENANTS', ':id': 'acme', ':next': 1 });
  });

  it('a lost race ends in TokenCapReached from the returned item, without a second read', async () => {
    ddb.on(GetCommand).resolves({ Item: tenant(1, { [OTHER]: NOW.getTime() + DAY }) });
    const full = {
      pk: { S: 'TENANT#acme' },
      version: { N: '2' },
      provisioning: { BOOL: true },
      tokenSlots: { M: { [OTHER]: { N: String(NOW.getTime() + DAY) }, winner: { N: String(NOW.getTime() + DAY) } } },
    };
    ddb.on(TransactWriteCommand).rejects(cancelled([{ Code: 'ConditionalCheckFailed', Item: full }, { Code: 'None' }]));
    await expect(createToken(ctx, input)).rejects.toBeInstanceOf(TokenCapReached);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('a lost race with a slot still free retries against the returned version', async () => {
    ddb.on(GetCommand).resolves({ Item: tenant(1, {}) });
    const changed = {
      pk: { S: 'TENANT#acme' },
      version: { N: '2' },
      provisioning: { BOOL: true },
      tokenSlots: { M: { [OTHER]: { N: String(NOW.getTime() + DAY) } } },
    };
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled([{ Code: 'ConditionalCheckFailed', Item: changed }, { Code: 'None' }]))
      .resolves({});
    await createToken(ctx, input);
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    const lock = calls[1]!.args[0].input.TransactItems![0]!.Update!;
    expect(lock.ExpressionAttributeValues).toMatchObject({ ':expected': 2, ':next': 3 });
    expect(Object.keys(lock.ExpressionAttributeValues![':slots'] as object).sort()).toEqual([ID, OTHER].sort());
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });
});

describe('revoke', () => {
  it('finds the token by id on gsi1, then marks it revoked and frees its slot in one transaction', async () => {
    ddb.on(GetCommand).resolves({ Item: tenant(4, { [ID]: NOW.getTime() + DAY, [OTHER]: NOW.getTime() + DAY }) });
    const ttl = Math.floor((NOW.getTime() + 365 * DAY) / 1000);
    ddb.on(QueryCommand).resolves({ Items: [{ pk: `TOKEN#${HASH}`, sk: 'TOKEN', id: ID, ttl }] });
    ddb.on(TransactWriteCommand).resolves({});
    await revokeToken(ctx, 'acme', ID);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': 'TENANT#acme#TOKENS', ':sk': ID },
    });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Update!.ExpressionAttributeValues).toMatchObject({
      ':slots': { [OTHER]: NOW.getTime() + DAY },
      ':expected': 4,
      ':allTenants': 'TENANTS',
      ':id': 'acme',
    });
    // Kept (listed as revoked) 30 days from now, then TTL removes it; outside a request no actor.
    expect(items[1]).toEqual({
      Update: {
        TableName: 'unit-tokens',
        Key: { pk: `TOKEN#${HASH}`, sk: 'TOKEN' },
        UpdateExpression: 'SET revokedAt = :revokedAt, #ttl = :ttl',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND attribute_not_exists(retired)',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':revokedAt': NOW.toISOString(),
          ':ttl': Math.floor((NOW.getTime() + 30 * DAY) / 1000),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
  });

  it('stamps who revokes on the item, so the event names them', async () => {
    ddb.on(GetCommand).resolves({ Item: tenant(4, { [ID]: NOW.getTime() + DAY }) });
    ddb
      .on(QueryCommand)
      .resolves({ Items: [{ pk: `TOKEN#${HASH}`, sk: 'TOKEN', id: ID, actor: { admin: 'issuer' } }] });
    ddb.on(TransactWriteCommand).resolves({});
    await writingAs(
      { admin: 'arn:revoker' },
      () => NOW,
      () => revokeToken(ctx, 'acme', ID),
    );
    const update = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![1]!.Update!;
    expect(update.UpdateExpression).toBe('SET revokedAt = :revokedAt, #ttl = :ttl, #actor = :actor');
    expect(update.ExpressionAttributeValues![':actor']).toEqual({ admin: 'arn:revoker' });
  });

  it('an expired token keeps its earlier TTL (30 days after it expired)', async () => {
    ddb.on(GetCommand).resolves({ Item: tenant(4, {}) });
    const ttl = Math.floor((NOW.getTime() - 5 * DAY + 30 * DAY) / 1000);
    ddb.on(QueryCommand).resolves({ Items: [{ pk: `TOKEN#${HASH}`, sk: 'TOKEN', id: ID, ttl }] });
    ddb.on(TransactWriteCommand).resolves({});
    await revokeToken(ctx, 'acme', ID);
    const update = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![1]!.Update!;
    expect(update.ExpressionAttributeValues![':ttl']).toBe(ttl);
  });

  it('a token revoked already is not found (404), without a write', async () => {
    ddb.on(GetCommand).resolves({ Item: tenant(4, {}) });
    ddb
      .on(QueryCommand)
      .resolves({ Items: [{ pk: `TOKEN#${HASH}`, sk: 'TOKEN', id: ID, revokedAt: NOW.toISOString() }] });
    await expect(revokeToken(ctx, 'acme', ID)).rejects.toBeInstanceOf(TokenNotFound);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('a revoked token is listed (with revokedAt) though it holds no slot, and found by hash as revoked', async () => {
    const revoked = {
      pk: `TOKEN#${HASH}`,
      sk: 'TOKEN',
      id: ID,
      tenantId: 'acme',
      name: 'okta',
      scope: 'full',
      createdAt: NOW.toISOString(),
      expiresAt: new Date(NOW.getTime() + DAY).toISOString(),
      revokedAt: NOW.toISOString(),
    };
    ddb.on(GetCommand, { Key: keys.tenant('acme') }).resolves({ Item: tenant(4, {}) });
    ddb.on(GetCommand, { Key: keys.token(HASH) }).resolves({ Item: revoked });
    ddb.on(QueryCommand).resolves({ Items: [revoked] });
    expect((await listTokens(ctx, 'acme')).tokens).toEqual([
      expect.objectContaining({ id: ID, revokedAt: NOW.toISOString() }),
    ]);
    expect(await findToken(ctx, HASH)).toEqual({ state: 'revoked', tenantId: 'acme', tokenId: ID });
    // Retired later (provisioning off): still revoked, not "provisioning disabled".
    ddb.on(GetCommand, { Key: keys.token(HASH) }).resolves({
      Item: {
        pk: revoked.pk,
        sk: 'TOKEN',
        id: ID,
        tenantId: 'acme',
        retired: 'provisioning-disabled',
        revokedAt: NOW.toISOString(),
      },
    });
    expect(await findToken(ctx, HASH)).toEqual({ state: 'revoked', tenantId: 'acme', tokenId: ID });
  });
});

describe('retire (provisioning off)', () => {
  it("replaces each token by a marker stamped with the store's clock (retiredAt: the token.revoked event's time)", async () => {
    const ttl = Math.floor((NOW.getTime() + 395 * DAY) / 1000);
    ddb.on(QueryCommand).resolves({
      Items: [
        { pk: `TOKEN#${HASH}`, sk: 'TOKEN', id: ID, tenantId: 'acme', name: 'okta', ttl },
        { pk: `TOKEN#${'b'.repeat(64)}`, sk: 'TOKEN', id: OTHER, revokedAt: NOW.toISOString(), ttl },
      ],
    });
    ddb.on(BatchWriteCommand).resolves({});
    expect(await retireTenantTokens(ctx, 'acme')).toBe(1);
    expect(ddb.commandCalls(BatchWriteCommand)[0]!.args[0].input.RequestItems).toEqual({
      'unit-tokens': [
        {
          PutRequest: {
            Item: {
              pk: `TOKEN#${HASH}`,
              sk: 'TOKEN',
              id: ID,
              tenantId: 'acme',
              retired: 'provisioning-disabled',
              retiredAt: NOW.toISOString(),
              ttl,
            },
          },
        },
        {
          PutRequest: {
            Item: {
              pk: `TOKEN#${'b'.repeat(64)}`,
              sk: 'TOKEN',
              id: OTHER,
              tenantId: 'acme',
              retired: 'provisioning-disabled',
              retiredAt: NOW.toISOString(),
              revokedAt: NOW.toISOString(),
              ttl,
            },
          },
        },
      ],
    });
  });
});

describe('lastUsedAt', () => {
  it('is a conditional UpdateItem that never re-creates a removed token, nor touches a retired or revoked one', async () => {
    ddb.on(UpdateCommand).resolves({});
    const stale = new Date(NOW.getTime() - 300_000);
    await touchToken(ctx, HASH, NOW, stale);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toEqual({
      TableName: 'unit-tokens',
      Key: { pk: `TOKEN#${HASH}`, sk: 'TOKEN' },
      UpdateExpression: 'SET lastUsedAt = :now',
      ConditionExpression:
        'attribute_exists(pk) AND attribute_not_exists(retired) AND attribute_not_exists(revokedAt) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :staleBefore)',
      ExpressionAttributeValues: { ':now': NOW.toISOString(), ':staleBefore': stale.toISOString() },
    });
  });
});
