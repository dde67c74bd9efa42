// The repository for tenant items: the only code that reads or writes them, apart from the
// `ADD userCount|groupCount :n` counters the Users/Groups repository adds in its own transactions.
//
// Tenant item (keys.tenant(t)):
//   id, displayName?, provisioning (bool), createdAt, updatedAt   what the admin API shows
//   userCount, groupCount                                        kept by shared/store/resources.ts
//   tokenSlots  { <tokenId>: <expiresAt epoch ms> }             the tenant's active tokens
//   version     number                                          optimistic lock over tokenSlots and provisioning
//   gsi1pk/sk   TENANTS / id                                    the list of tenants (by ensureTenant, and by tokens.ts with tokenSlots)
//
// tokenSlots is the source of truth for "this token may be used": the authorizer checks the
// token id is in it, token creation enforces the cap on it, and revocation and switching
// provisioning off remove entries from it. Every write of tokenSlots or provisioning bumps
// version, and every write that depends on what it read conditions on version (see tokens.ts).
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '#scim/errors.ts';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { TABLE } from './table.ts';
import { actorAttributes } from './write-actor.ts';

export const DEFAULT_TENANT = 'default';

/** What the repositories need from the app context (AppContext satisfies it). */
export interface StoreContext {
  db: Db;
  clock: () => Date;
}

export interface Tenant {
  id: string;
  displayName?: string;
  provisioningEnabled: boolean;
  createdAt?: string;
  updatedAt?: string;
  userCount: number;
  groupCount: number;
  /** Token id → expiry (epoch ms), for tokens that were active when last written. */
  tokenSlots: Record<string, number>;
  /** undefined when the attribute is missing (an item made only by counter ADDs). */
  version: number | undefined;
  /** The rate-limit tier (API Gateway usage plan) chosen for the tenant; absent: the default. */
  rateLimitTier?: string;
  /** The tenant's API Gateway usage-plan key (see tenant-rate-limit.ts); never a SCIM token. */
  apiKey?: TenantApiKey;
}

export interface TenantApiKey {
  /** The key's value: what the authorizer returns as usageIdentifierKey. Not a credential. */
  value: string;
  /** API Gateway's id of the key, once created. */
  id?: string;
  /** The tier whose usage plan the key was last confirmed to be in. */
  plan?: string;
}

export class TenantNotFound extends NotFoundError {
  constructor(readonly tenantId: string) {
    super(`unknown tenant "${tenantId}"; create it first with PUT /admin/tenants/${tenantId}`);
  }
}

/** Slots whose token has not expired at `nowMs`. */
export function activeSlots(slots: Record<string, number>, nowMs: number): Record<string, number> {
  return Object.fromEntries(Object.entries(slots).filter(([, expiresAt]) => expiresAt > nowMs));
}

export function tenantFromItem(item: Record<string, unknown>): Tenant {
  const slots: Record<string, number> = {};
  for (const [id, value] of Object.entries((item.tokenSlots ?? {}) as Record<string, unknown>))
    slots[id] = Number(value);
  return {
    id: typeof item.id === 'string' ? item.id : String(item.pk).slice('TENANT#'.length),
    ...(typeof item.displayName === 'string' ? { displayName: item.displayName } : {}),
    // An item made only by counter ADDs has no provisioning flag yet: the default is on.
    provisioningEnabled: item.provisioning !== false,
    ...(typeof item.createdAt === 'string' ? { createdAt: item.createdAt } : {}),
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    userCount: Number(item.userCount ?? 0),
    groupCount: Number(item.groupCount ?? 0),
    tokenSlots: slots,
    version: item.version === undefined ? undefined : Number(item.version),
    ...(typeof item.rateLimitTier === 'string' ? { rateLimitTier: item.rateLimitTier } : {}),
    ...(apiKeyOf(item.apiKey) ?? {}),
  };
}

function apiKeyOf(raw: unknown): { apiKey: TenantApiKey } | undefined {
  const key = raw as Partial<Record<keyof TenantApiKey, unknown>> | undefined;
  if (!key || typeof key.value !== 'string') return undefined;
  return {
    apiKey: {
      value: key.value,
      ...(typeof key.id === 'string' ? { id: key.id } : {}),
      ...(typeof key.plan === 'string' ? { plan: key.plan } : {}),
    },
  };
}

type Raw = Record<string, { S?: string; N?: string; BOOL?: boolean; M?: Raw } | undefined>;

/**
 * The tenant from the raw (AttributeValue) item DynamoDB returns with a failed condition in a
 * transaction (ReturnValuesOnConditionCheckFailure=ALL_OLD); only the attributes tokens.ts needs.
 */
export function tenantFromRawItem(raw: Record<string, unknown>): Tenant {
  const item = raw as Raw;
  const slots: Record<string, number> = {};
  for (const [id, value] of Object.entries(item.tokenSlots?.M ?? {})) slots[id] = Number(value?.N);
  return tenantFromItem({
    pk: item.pk?.S,
    ...(item.id?.S !== undefined ? { id: item.id.S } : {}),
    ...(item.provisioning?.BOOL !== undefined ? { provisioning: item.provisioning.BOOL } : {}),
    ...(item.version?.N !== undefined ? { version: Number(item.version.N) } : {}),
    tokenSlots: slots,
  });
}

/** Strongly consistent: the authorizer and the token-cap check must see the latest state. */
export async function getTenant(ctx: StoreContext, tenantId: string): Promise<Tenant | undefined> {
  const { Item } = await ctx.db.doc.send(
    new GetCommand({
      TableName: ctx.db.tableName,
      Key: keys.tenant(tenantId),
      ConsistentRead: true,
    }),
  );
  return Item ? tenantFromItem(Item) : undefined;
}

/**
 * Creates the tenant if it does not exist (provisioning on, no tokens) and otherwise leaves it as
 * it is, apart from displayName when given. Idempotent: every attribute is written with
 * if_not_exists, so concurrent calls and items made by counter ADDs end up the same.
 */
export async function ensureTenant(
  ctx: StoreContext,
  tenantId: string,
  changes: { displayName?: string } = {},
): Promise<{ tenant: Tenant; created: boolean }> {
  const now = ctx.clock().toISOString();
  const set = [
    '#id = :id',
    // The tenant's entry in the list of tenants (gsi1 TENANTS / id).
    '#gsi1pk = :allTenants',
    '#gsi1sk = :id',
    '#createdAt = if_not_exists(#createdAt, :now)',
    '#provisioning = if_not_exists(#provisioning, :true)',
    '#tokenSlots = if_not_exists(#tokenSlots, :empty)',
    '#version = if_not_exists(#version, :zero)',
    '#updatedAt = ' + (changes.displayName === undefined ? 'if_not_exists(#updatedAt, :now)' : ':now'),
    ...(changes.displayName === undefined ? [] : ['#displayName = :displayName']),
  ];
  const { Attributes: old } = await ctx.db.doc.send(
    new UpdateCommand({
      TableName: ctx.db.tableName,
      Key: keys.tenant(tenantId),
      UpdateExpression: `SET ${set.join(', ')}`,
      ExpressionAttributeNames: {
        '#id': 'id',
        '#gsi1pk': TABLE.indexes.gsi1.partitionKey,
        '#gsi1sk': TABLE.indexes.gsi1.sortKey,
        '#createdAt': 'createdAt',
        '#provisioning': 'provisioning',
        '#tokenSlots': 'tokenSlots',
        '#version': 'version',
        '#updatedAt': 'updatedAt',
        ...(changes.displayName === undefined ? {} : { '#displayName': 'displayName' }),
      },
      ExpressionAttributeValues: {
        ':id': tenantId,
        ':allTenants': keys.allTenants(),
        ':now': now,
        ':true': true,
        ':empty': {},
        ':zero': 0,
        ...(changes.displayName === undefined ? {} : { ':displayName': changes.displayName }),
      },
      ReturnValues: 'ALL_OLD',
    }),
  );
  const created = !old?.createdAt;
  const before = old ?? {};
  const tenant = tenantFromItem({
    createdAt: now,
    updatedAt: now,
    provisioning: true,
    tokenSlots: {},
    version: 0,
    ...before,
    id: tenantId,
    ...(changes.displayName === undefined ? {} : { displayName: changes.displayName, updatedAt: now }),
  });
  return { tenant, created };
}

/**
 * One page of tenants in id order: a single Query on gsi1 (TENANTS / tenant id), eventually
 * consistent like every index read. `after` is the last tenant id of the previous page.
 */
export async function listTenants(
  ctx: StoreContext,
  options: { limit: number; after?: string },
): Promise<{ tenants: Tenant[]; after?: string }> {
  const { gsi1 } = TABLE.indexes;
  const out = await ctx.db.doc.send(
    new QueryCommand({
      TableName: ctx.db.tableName,
      IndexName: gsi1.name,
      KeyConditionExpression: options.after ? '#pk = :pk AND #sk > :after' : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': gsi1.partitionKey, ...(options.after ? { '#sk': gsi1.sortKey } : {}) },
      ExpressionAttributeValues: { ':pk': keys.allTenants(), ...(options.after ? { ':after': options.after } : {}) },
      Limit: options.limit,
    }),
  );
  const tenants = (out.Items ?? []).map(tenantFromItem);
  const last = tenants[tenants.length - 1];
  return { tenants, ...(out.LastEvaluatedKey && last ? { after: last.id } : {}) };
}

/**
 * Switches provisioning on or off. Off also empties tokenSlots, so every token of the tenant stops
 * working at once (the token items are retired afterwards by tokens.retireTenantTokens). The
 * version bump makes any token creation that read the tenant before this write fail its condition.
 *
 *   ConditionExpression: attribute_exists(pk)        -- never creates a tenant
 */
export async function setProvisioning(ctx: StoreContext, tenantId: string, enabled: boolean): Promise<Tenant> {
  // Who switched it: the provisioning.enabled/disabled event names them (write-actor.ts).
  const { actor } = actorAttributes();
  try {
    const { Attributes } = await ctx.db.doc.send(
      new UpdateCommand({
        TableName: ctx.db.tableName,
        Key: keys.tenant(tenantId),
        UpdateExpression:
          'SET #provisioning = :enabled, #updatedAt = :now, #version = if_not_exists(#version, :zero) + :one' +
          (enabled ? '' : ', #tokenSlots = :empty') +
          (actor ? ', #actor = :actor' : ''),
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: {
          '#provisioning': 'provisioning',
          '#updatedAt': 'updatedAt',
          '#version': 'version',
          ...(enabled ? {} : { '#tokenSlots': 'tokenSlots' }),
          ...(actor ? { '#actor': 'actor' } : {}),
        },
        ExpressionAttributeValues: {
          ':enabled': enabled,
          ':now': ctx.clock().toISOString(),
          ':zero': 0,
          ':one': 1,
          ...(enabled ? {} : { ':empty': {} }),
          ...(actor ? { ':actor': actor } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return tenantFromItem(Attributes ?? {});
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new TenantNotFound(tenantId);
    throw error;
  }
}
