// The repository for SCIM tokens: with token-lookup.ts (the authorizer's read), the only code that
// reads or writes token items.
//
// Token item (keys.token(sha256 hex of the token); gsi1 = keys.tenantTokens(t) / token id):
//   id (ULID), tenantId, name, scope, createdAt, expiresAt, lastUsedAt?, revokedAt?, ttl (epoch s)
// Revoked token: the same item with revokedAt, its slot freed and its ttl moved to 30 days after the
// revocation (or kept, if it expired earlier), so it stays listed as revoked until TTL removes it.
// Retired token (the tenant switched provisioning off): the same key, no gsi1 keys (so it is not
// listed), only id, tenantId, retired, retiredAt (the store's clock: the token.revoked event's
// time), revokedAt (if it had been revoked before), ttl; the authorizer can still say
// "provisioning disabled".
//
// The plain token never reaches this module: callers pass its hash.
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TokenScope } from '#auth/token.ts';
import { ConflictError, NotFoundError, TooManyRequestsError } from '#scim/errors.ts';
import { keys } from './keys.ts';
import { TABLE } from './table.ts';
import {
  activeSlots,
  getTenant,
  TenantNotFound,
  tenantFromRawItem,
  type StoreContext,
  type Tenant,
} from './tenants.ts';
import { backoff, TransactionFailed, transactWrite, type TransactItem } from './transact.ts';
import { actorAttributes } from './write-actor.ts';

export interface StoredToken {
  id: string;
  tenantId: string;
  name: string;
  scope: TokenScope;
  createdAt: string;
  expiresAt: string;
  lastUsedAt?: string;
  /** Set once the token is revoked (it stays listed, as revoked, until TTL removes it). */
  revokedAt?: string;
}

/** What the authorizer finds under a token hash. */
export type TokenLookup =
  | { state: 'live'; token: StoredToken }
  | { state: 'revoked'; tenantId: string; tokenId: string }
  | { state: 'retired'; tenantId: string; tokenId: string };

/** Expired and revoked tokens stay (listed as such) this long before DynamoDB TTL removes them. */
export const TOKEN_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
/** Optimistic-lock rounds for one token write before giving up (each failure re-reads nothing:
 *  the failed condition returns the current tenant item). */
export const TOKEN_WRITE_ATTEMPTS = 10;

export class TokenCapReached extends ConflictError {
  constructor(
    readonly tenantId: string,
    readonly max: number,
  ) {
    super(
      `tenant "${tenantId}" already has ${max} active token${max === 1 ? '' : 's'}, the maximum; ` +
        `revoke one first (DELETE /admin/tenants/${tenantId}/tokens/{tokenId}) or wait until one expires`,
    );
  }
}
export class ProvisioningDisabled extends ConflictError {
  constructor(readonly tenantId: string) {
    super(
      `provisioning is off for tenant "${tenantId}"; turn it on first (PUT /admin/tenants/${tenantId}/provisioning {"enabled": true})`,
    );
  }
}
export class TokenNotFound extends NotFoundError {
  constructor(
    readonly tenantId: string,
    readonly tokenId: string,
  ) {
    super(`tenant "${tenantId}" has no token ${tokenId}`);
  }
}
/** Too many concurrent changes to one tenant's tokens; the caller may retry. */
export class TokenWriteContention extends TooManyRequestsError {
  constructor(readonly tenantId: string) {
    super(`the tokens of tenant "${tenantId}" are being changed concurrently; retry`, 1);
  }
}

/** The TTL of a token that stops working at `end` (its expiry or its revocation). */
const ttlOf = (end: Date) => Math.floor((end.getTime() + TOKEN_RETENTION_DAYS * DAY_MS) / 1000);

export function tokenFromItem(item: Record<string, unknown>): StoredToken {
  return {
    id: item.id as string,
    tenantId: item.tenantId as string,
    name: item.name as string,
    scope: item.scope === 'read' ? 'read' : 'full',
    createdAt: item.createdAt as string,
    expiresAt: item.expiresAt as string,
    ...(typeof item.lastUsedAt === 'string' ? { lastUsedAt: item.lastUsedAt } : {}),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
  };
}

/**
 * The write of a tenant's tokenSlots, guarded by the optimistic lock:
 *
 *   ConditionExpression: #version = :expected
 *     (or, for an item that never had a version: attribute_exists(pk) AND attribute_not_exists(#version))
 *
 * i.e. "nobody changed tokenSlots or provisioning since I read the tenant". The whole map is
 * written (pruned of expired entries), which is only correct because of that condition.
 *
 * It also writes the tenant's entry in the list of tenants (gsi1 TENANTS / id, as ensureTenant
 * does): a tenant item from before that entry existed, or made by counter ADDs, would otherwise
 * be missing from the list, and so from the daily token-expiry check (functions/token-expiry).
 */
function writeSlots(ctx: StoreContext, tenant: Tenant, slots: Record<string, number>): TransactItem {
  const unversioned = tenant.version === undefined;
  return {
    Update: {
      TableName: ctx.db.tableName,
      Key: keys.tenant(tenant.id),
      UpdateExpression: 'SET #tokenSlots = :slots, #version = :next, #gsi1pk = :allTenants, #gsi1sk = :id',
      ConditionExpression: unversioned
        ? 'attribute_exists(pk) AND attribute_not_exists(#version)'
        : '#version = :expected',
      ExpressionAttributeNames: {
        '#tokenSlots': 'tokenSlots',
        '#version': 'version',
        '#gsi1pk': TABLE.indexes.gsi1.partitionKey,
        '#gsi1sk': TABLE.indexes.gsi1.sortKey,
      },
      ExpressionAttributeValues: {
        ':slots': slots,
        ':next': (tenant.version ?? 0) + 1,
        ':allTenants': keys.allTenants(),
        ':id': tenant.id,
        ...(unversioned ? {} : { ':expected': tenant.version }),
      },
    },
  };
}

/**
 * Runs `attempt` against the tenant's current state until its transaction commits. When the lock
 * condition (item 0) fails, the cancellation carries the current tenant item (ALL_OLD), which is
 * the state for the next round: no re-read. A TransactionConflict that outlived transactWrite's
 * own retries is followed by a consistent re-read.
 */
async function withTenantLock<T>(
  ctx: StoreContext,
  tenantId: string,
  attempt: (tenant: Tenant) => { items: TransactItem[]; result: T },
  first?: Tenant,
): Promise<T> {
  let tenant = first ?? (await getTenant(ctx, tenantId));
  for (let round = 0; round < TOKEN_WRITE_ATTEMPTS; round += 1) {
    if (!tenant) throw new TenantNotFound(tenantId);
    const { items, result } = attempt(tenant);
    try {
      await transactWrite(ctx.db, items);
      return result;
    } catch (error) {
      if (!(error instanceof TransactionFailed)) throw error;
      const lock = error.reasons.find((r) => r.index === 0);
      if (lock?.code === 'ConditionalCheckFailed') {
        tenant = lock.item ? tenantFromRawItem(lock.item) : await getTenant(ctx, tenantId);
      } else if (error.reasons.some((r) => r.code === 'TransactionConflict')) {
        tenant = await getTenant(ctx, tenantId);
      } else {
        throw error;
      }
      await backoff(round);
    }
  }
  throw new TokenWriteContention(tenantId);
}

export interface NewToken {
  tenantId: string;
  id: string;
  /** SHA-256 hex of the plain token. */
  hash: string;
  name: string;
  scope: TokenScope;
  createdAt: Date;
  expiresAt: Date;
  /** The tenant's cap on active (unexpired) tokens. */
  maxActive: number;
}

/**
 * Stores a token if the tenant has a free slot, atomically: one transaction writes
 *   0. the tenant's tokenSlots with the new id added (optimistic lock, see writeSlots), and
 *   1. the token item, ConditionExpression: attribute_not_exists(pk) -- never overwrite a token.
 * Two concurrent creates that both saw one free slot: one commits, the other's lock condition
 * fails, its next round sees the slot taken and it gets TokenCapReached.
 * `current` is the tenant as the caller just read it (consistently), to spare a read.
 */
export async function createToken(ctx: StoreContext, input: NewToken, current?: Tenant): Promise<StoredToken> {
  const token: StoredToken = {
    id: input.id,
    tenantId: input.tenantId,
    name: input.name,
    scope: input.scope,
    createdAt: input.createdAt.toISOString(),
    expiresAt: input.expiresAt.toISOString(),
  };
  return withTenantLock(
    ctx,
    input.tenantId,
    (tenant) => {
      if (!tenant.provisioningEnabled) throw new ProvisioningDisabled(tenant.id);
      const live = activeSlots(tenant.tokenSlots, ctx.clock().getTime());
      if (Object.keys(live).length >= input.maxActive) throw new TokenCapReached(tenant.id, input.maxActive);
      return {
        result: token,
        items: [
          writeSlots(ctx, tenant, { ...live, [input.id]: input.expiresAt.getTime() }),
          {
            Put: {
              TableName: ctx.db.tableName,
              Item: {
                ...keys.token(input.hash),
                gsi1pk: keys.tenantTokens(input.tenantId),
                gsi1sk: input.id,
                ...token,
                ttl: ttlOf(input.expiresAt),
                ...actorAttributes(),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      };
    },
    current,
  );
}

/** The tenant's tokens (live, expired and revoked; not retired), oldest first: one Query on gsi1. */
async function queryTenantTokens(
  ctx: StoreContext,
  tenantId: string,
  tokenId?: string,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await ctx.db.doc.send(
      new QueryCommand({
        TableName: ctx.db.tableName,
        IndexName: TABLE.indexes.gsi1.name,
        KeyConditionExpression: tokenId === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk = :sk',
        ExpressionAttributeValues: {
          ':pk': keys.tenantTokens(tenantId),
          ...(tokenId === undefined ? {} : { ':sk': tokenId }),
        },
        ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** A token's name by id (until TTL removes it, also once revoked): one Query on gsi1. Names events' actors. */
export async function tokenNameOf(ctx: StoreContext, tenantId: string, tokenId: string): Promise<string | undefined> {
  const [item] = await queryTenantTokens(ctx, tenantId, tokenId);
  return typeof item?.name === 'string' ? item.name : undefined;
}

/**
 * The tenant's tokens that can still be shown: unexpired ones that hold a slot, and expired and
 * revoked ones until TTL removes them. An unexpired, unrevoked token without a slot was cut off by
 * switching provisioning off while its item was not yet visible in the index; it is dead and not listed.
 */
export async function listTokens(
  ctx: StoreContext,
  tenantId: string,
): Promise<{ tenant: Tenant; tokens: StoredToken[] }> {
  const [tenant, items] = await Promise.all([getTenant(ctx, tenantId), queryTenantTokens(ctx, tenantId)]);
  if (!tenant) throw new TenantNotFound(tenantId);
  const now = ctx.clock().getTime();
  const tokens = items
    .map(tokenFromItem)
    .filter((t) => t.revokedAt !== undefined || Date.parse(t.expiresAt) <= now || t.id in tenant.tokenSlots);
  return { tenant, tokens };
}

/**
 * Marks a token revoked and frees its slot, in one transaction:
 *   0. tenant tokenSlots without the id (optimistic lock, see writeSlots)
 *   1. Update token item: SET revokedAt, ttl (30 days on), actor (who revokes: the event names them),
 *      ConditionExpression: attribute_exists(pk) AND attribute_not_exists(revokedAt)
 *                           AND attribute_not_exists(retired)
 *      -- never re-creates a token, and of two concurrent revokes one wins, the other gets 404.
 * The item stays in the index, listed as revoked, until TTL removes it (which makes no event).
 */
export async function revokeToken(ctx: StoreContext, tenantId: string, tokenId: string): Promise<void> {
  const [tenant, found] = await Promise.all([getTenant(ctx, tenantId), queryTenantTokens(ctx, tenantId, tokenId)]);
  const item = found[0];
  if (!tenant) throw new TenantNotFound(tenantId);
  // Already revoked: the same answer as before revoked tokens stayed listed (it is no live token).
  if (!item || item.revokedAt !== undefined) throw new TokenNotFound(tenantId, tokenId);
  const now = ctx.clock();
  // Kept 30 days after the token stopped working: now, or its expiry if that came first.
  const ttl = typeof item.ttl === 'number' ? Math.min(item.ttl, ttlOf(now)) : ttlOf(now);
  const { actor } = actorAttributes();
  try {
    await withTenantLock(
      ctx,
      tenantId,
      (current) => {
        const { [tokenId]: _revoked, ...rest } = activeSlots(current.tokenSlots, ctx.clock().getTime());
        return {
          result: undefined,
          items: [
            writeSlots(ctx, current, rest),
            {
              Update: {
                TableName: ctx.db.tableName,
                Key: { pk: item.pk as string, sk: item.sk as string },
                UpdateExpression: `SET revokedAt = :revokedAt, #ttl = :ttl${actor ? ', #actor = :actor' : ''}`,
                ConditionExpression:
                  'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND attribute_not_exists(retired)',
                ExpressionAttributeNames: { '#ttl': 'ttl', ...(actor ? { '#actor': 'actor' } : {}) },
                ExpressionAttributeValues: {
                  ':revokedAt': now.toISOString(),
                  ':ttl': ttl,
                  ...(actor ? { ':actor': actor } : {}),
                },
              },
            },
          ],
        };
      },
      tenant,
    );
  } catch (error) {
    if (error instanceof TransactionFailed && error.failed(1)) throw new TokenNotFound(tenantId, tokenId);
    throw error;
  }
}

/**
 * Replaces every listed token item of the tenant by a retired marker (no name, no index keys,
 * same TTL). Called after setProvisioning(off) emptied tokenSlots, which already cut the tokens
 * off; this is clean-up, safe to run again. A token revoked before keeps its revokedAt on the
 * marker (the authorizer still calls it revoked; its retirement makes no second event) and is not
 * counted. Returns how many tokens were retired that were not revoked already.
 */
export async function retireTenantTokens(ctx: StoreContext, tenantId: string): Promise<number> {
  const items = await queryTenantTokens(ctx, tenantId);
  // The token.revoked events' time: read after setProvisioning's updatedAt, so they follow the
  // provisioning.disabled event (a stream record's own time is only to the second).
  const retiredAt = ctx.clock().toISOString();
  const puts = items.map((item) => ({
    PutRequest: {
      Item: {
        pk: item.pk,
        sk: item.sk,
        id: item.id,
        tenantId,
        retired: 'provisioning-disabled',
        retiredAt,
        ...(item.revokedAt !== undefined ? { revokedAt: item.revokedAt } : {}),
        ttl: item.ttl,
        ...actorAttributes(),
      },
    },
  }));
  for (let i = 0; i < puts.length; i += 25) {
    let pending: Array<(typeof puts)[number]> = puts.slice(i, i + 25);
    for (let attempt = 0; pending.length; attempt += 1) {
      const out = await ctx.db.doc.send(new BatchWriteCommand({ RequestItems: { [ctx.db.tableName]: pending } }));
      pending = (out.UnprocessedItems?.[ctx.db.tableName] ?? []) as typeof pending;
      if (pending.length) await backoff(attempt);
    }
  }
  return items.filter((item) => item.revokedAt === undefined).length;
}
