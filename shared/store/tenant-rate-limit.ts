// The tenant item's rate-limit attributes (fair per-tenant limits, docs/deploy.md):
//
//   rateLimitTier   string                       the tier (usage plan) the admin chose; absent: default
//   apiKey          { value, id?, plan? }        the tenant's API Gateway usage-plan key
//
// The authorizer returns apiKey.value as `usageIdentifierKey`, so API Gateway counts the tenant's
// requests against its own bucket of the plan. The value is random, made here and never shown; it
// is not a credential (with apiKeySource AUTHORIZER a client cannot present an API key at all).
// The value and id are stored once the key exists in API Gateway, `plan` only after the key is in
// its usage plan, so a failed step is redone by the next admin call (shared/admin/gateway.ts).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import { TenantNotFound, tenantFromItem, type StoreContext, type Tenant, type TenantApiKey } from './tenants.ts';

/** The tier every tenant is in unless an admin picks another one (stored as no tier). */
export const DEFAULT_TIER = 'default';

/**
 * Stores the tenant's key. A new key is written only if the tenant has none yet (two admins racing
 * keep the first one); a plan only for the key already stored:
 *
 *   ConditionExpression: attribute_exists(pk) AND (attribute_not_exists(apiKey) OR apiKey.#value = :value)
 *
 * Returns the key as stored afterwards (the other value, if another call won the race).
 */
export async function saveApiKey(ctx: StoreContext, tenantId: string, key: TenantApiKey): Promise<TenantApiKey> {
  try {
    const { Attributes } = await ctx.db.doc.send(
      new UpdateCommand({
        TableName: ctx.db.tableName,
        Key: keys.tenant(tenantId),
        UpdateExpression: 'SET apiKey = :key',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(apiKey) OR apiKey.#value = :value)',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':key': key, ':value': key.value },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return tenantFromItem(Attributes ?? {}).apiKey ?? key;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (!error.Item) throw new TenantNotFound(tenantId);
    // Another value won; the raw item is an AttributeValue map: read it again through the model.
    const raw = error.Item as Record<string, { S?: string; M?: Record<string, { S?: string }> }>;
    const stored = raw.apiKey?.M ?? {};
    const won = tenantFromItem({
      id: tenantId,
      apiKey: Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, v.S])),
    });
    if (!won.apiKey) throw error;
    return won.apiKey;
  }
}

/** Sets the tenant's tier (absent = the default tier). ConditionExpression: attribute_exists(pk). */
export async function setRateLimitTier(ctx: StoreContext, tenantId: string, tier: string | undefined): Promise<Tenant> {
  try {
    const { Attributes } = await ctx.db.doc.send(
      new UpdateCommand({
        TableName: ctx.db.tableName,
        Key: keys.tenant(tenantId),
        UpdateExpression: tier === undefined ? 'REMOVE rateLimitTier' : 'SET rateLimitTier = :tier',
        ConditionExpression: 'attribute_exists(pk)',
        ...(tier === undefined ? {} : { ExpressionAttributeValues: { ':tier': tier } }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return tenantFromItem(Attributes ?? {});
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new TenantNotFound(tenantId);
    throw error;
  }
}
