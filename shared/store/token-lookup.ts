// The authorizer's side of the token repository: the read by hash on every uncached SCIM call,
// and the lastUsedAt stamp (item layout in tokens.ts).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import type { StoreContext } from './tenants.ts';
import { tokenFromItem, type TokenLookup } from './tokens.ts';

/** The token stored under this hash: one strongly consistent GetItem (the authorizer's read). */
export async function findToken(ctx: StoreContext, hash: string): Promise<TokenLookup | undefined> {
  const { Item } = await ctx.db.doc.send(
    new GetCommand({
      TableName: ctx.db.tableName,
      Key: keys.token(hash),
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  // Revoked first: a revoked token retired later is still answered as revoked.
  if (Item.revokedAt !== undefined)
    return { state: 'revoked', tenantId: Item.tenantId as string, tokenId: Item.id as string };
  if (Item.retired) return { state: 'retired', tenantId: Item.tenantId as string, tokenId: Item.id as string };
  return { state: 'live', token: tokenFromItem(Item) };
}

/**
 * Records a use of the token, at most once per interval: the write only happens when the stored
 * lastUsedAt is older than `staleBefore`, so concurrent requests write once between them.
 *
 *   ConditionExpression: attribute_exists(pk) AND attribute_not_exists(retired)
 *                        AND attribute_not_exists(revokedAt)
 *                        AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :staleBefore)
 *
 * (the first three so an update never re-creates a removed token, nor touches a retired or
 * revoked one: a check that raced the revocation does not count as a use).
 * Returns whether it wrote.
 */
export async function touchToken(ctx: StoreContext, hash: string, now: Date, staleBefore: Date): Promise<boolean> {
  try {
    await ctx.db.doc.send(
      new UpdateCommand({
        TableName: ctx.db.tableName,
        Key: keys.token(hash),
        UpdateExpression: 'SET lastUsedAt = :now',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(retired) AND attribute_not_exists(revokedAt) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :staleBefore)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':staleBefore': staleBefore.toISOString() },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
