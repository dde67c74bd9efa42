// What the authorizer decides for an Authorization header: which tenant and scope a token grants,
// or why it is refused. Order of checks, cheapest first:
//   1. shape and checksum of the token       no DynamoDB call
//   2. token item by hash                    GetItem (consistent); a revoked item is refused here
//   3. expiry against ctx.clock()            every time; DynamoDB TTL only cleans up later. A token
//                                            with less than the authorizer cache TTL left is refused
//                                            already: a cached Allow must never outlive the token.
//   4. tenant: provisioning on, and the token still holds a slot   GetItem (consistent)
// The deny details are meant for the admin reading the IdP's error log; they never say whether
// a malformed or guessed token resembles a real one.
import { DEFAULT_TIER } from '#store/tenant-rate-limit.ts';
import { getTenant, type StoreContext } from '#store/tenants.ts';
import { findToken, touchToken } from '#store/token-lookup.ts';
import { bearerToken } from './bearer.ts';
import { hashToken, isWellFormed, type TokenScope } from './token.ts';

/** lastUsedAt is rewritten only when older than this: at most one write per token per interval. */
export const LAST_USED_WRITE_INTERVAL_MS = 5 * 60 * 1000;

export type DenyReason = 'malformed' | 'unknown' | 'expired' | 'disabled';

export const DENY_DETAIL: Record<DenyReason, string> = {
  malformed: 'missing or malformed bearer token',
  unknown: 'token revoked or unknown',
  expired: 'token expired',
  disabled: 'provisioning disabled',
};

export type AuthDecision =
  | {
      allow: true;
      tenantId: string;
      tokenId: string;
      scope: TokenScope;
      expiresAt: string;
      /** The tenant's rate-limit tier, and its usage-plan key once the key is in the plan. */
      rateLimitTier: string;
      usageKey?: string;
    }
  | { allow: false; reason: DenyReason; tenantId?: string; tokenId?: string };

const deny = (reason: DenyReason, ids: { tenantId?: string; tokenId?: string } = {}): AuthDecision => ({
  allow: false,
  reason,
  ...ids,
});

/** `cacheTtlMs`: how long API Gateway may cache this decision (the stage's authorizer cache TTL). */
export async function authenticate(
  ctx: StoreContext,
  authorization: string | undefined,
  cacheTtlMs = 0,
): Promise<AuthDecision> {
  const token = bearerToken(authorization);
  if (!token || !isWellFormed(token)) return deny('malformed');
  const hash = hashToken(token);

  const found = await findToken(ctx, hash);
  if (!found) return deny('unknown');
  // A revoked token stays listed for a while; it is refused as one that is gone ("revoked or unknown").
  if (found.state === 'revoked') return deny('unknown', { tenantId: found.tenantId, tokenId: found.tokenId });
  if (found.state === 'retired') {
    const tenant = await getTenant(ctx, found.tenantId);
    const ids = { tenantId: found.tenantId, tokenId: found.tokenId };
    return deny(tenant && !tenant.provisioningEnabled ? 'disabled' : 'unknown', ids);
  }

  const { token: stored } = found;
  const ids = { tenantId: stored.tenantId, tokenId: stored.id };
  const now = ctx.clock();
  if (Date.parse(stored.expiresAt) - cacheTtlMs <= now.getTime()) return deny('expired', ids);

  const tenant = await getTenant(ctx, stored.tenantId);
  if (!tenant) return deny('unknown', ids);
  if (!tenant.provisioningEnabled) return deny('disabled', ids);
  if (!(stored.id in tenant.tokenSlots)) return deny('unknown', ids);

  const staleBefore = new Date(now.getTime() - LAST_USED_WRITE_INTERVAL_MS);
  if (!stored.lastUsedAt || Date.parse(stored.lastUsedAt) < staleBefore.getTime()) {
    // Best effort: a failed bookkeeping write must not refuse a valid token.
    await touchToken(ctx, hash, now, staleBefore).catch(() => false);
  }
  return {
    allow: true,
    tenantId: stored.tenantId,
    tokenId: stored.id,
    scope: stored.scope,
    expiresAt: stored.expiresAt,
    rateLimitTier: tenant.rateLimitTier ?? DEFAULT_TIER,
    ...(tenant.apiKey?.plan ? { usageKey: tenant.apiKey.value } : {}),
  };
}
