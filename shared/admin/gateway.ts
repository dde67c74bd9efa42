// What the admin use cases ask of the API in front of the directory: a usage-plan key per tenant
// (fair per-tenant rate limits) and flushing the authorizer cache (revocation within seconds).
// Deployed, functions/admin/api-gateway.ts does it with the API Gateway API; the local runner has
// its own (infra/local/gateway.ts); without one (unit tests of the use cases) nothing is done.
import { randomBytes } from 'node:crypto';
import { InvalidValueError } from '#scim/errors.ts';
import { DEFAULT_TIER, saveApiKey, setRateLimitTier } from '#store/tenant-rate-limit.ts';
import type { StoreContext, Tenant } from '#store/tenants.ts';

export { DEFAULT_TIER };

export const TIER_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

export interface GatewayControl {
  /** Per-tenant usage plans; absent when the API has none (the local runner without rate limits). */
  readonly usagePlans?: UsagePlans;
  /**
   * Flushes the stage's authorizer cache, so a revoked token or a switched-off tenant is refused
   * from the next request on. Best effort: never throws (the revocation is already stored; a
   * failed flush leaves the cache TTL as the worst case, see docs/tokens.md).
   */
  flushAuthorizerCache(): Promise<void>;
}

export interface UsagePlans {
  /** The rate-limit tiers (one usage plan each) of this deployment, DEFAULT_TIER first. */
  readonly tiers: readonly string[];
  /** Creates an API key named after the tenant with this value; returns its id. */
  createApiKey(tenantId: string, value: string): Promise<string>;
  /** Puts the key in the tier's usage plan and takes it out of the other tiers' (idempotent). */
  assignPlan(keyId: string, tier: string): Promise<void>;
}

export interface GatewayDeps extends StoreContext {
  gateway?: GatewayControl;
}

/** 256 random bits; API Gateway wants at least 20 characters. */
const newKeyValue = () => `scimrl_${randomBytes(32).toString('base64url')}`;

/** The tier an admin asked for, checked against the deployment's tiers. */
export function tierOf(deps: GatewayDeps, tier: string): string {
  const tiers = deps.gateway?.usagePlans?.tiers ?? [DEFAULT_TIER];
  if (!tiers.includes(tier)) {
    throw new InvalidValueError(
      `unknown rateLimitTier "${tier.slice(0, 40)}"; this deployment has: ${tiers.join(', ')}`,
    );
  }
  return tier;
}

/** Records the tenant's tier (the default tier is stored as no tier). */
export async function chooseTier(deps: GatewayDeps, tenantId: string, tier: string): Promise<Tenant> {
  return setRateLimitTier(deps, tenantId, tierOf(deps, tier) === DEFAULT_TIER ? undefined : tier);
}

/**
 * Makes sure the tenant has its own API key in its tier's usage plan. No API call when the tenant
 * item already says so; otherwise key created → {value, id} stored → plan → `plan` stored last, so
 * a failure anywhere is redone by the next admin call. The key is created before its value is
 * stored, so no lookup of existing keys is ever needed (that would need read access to every API
 * key of the account); a race or a failed store leaves an unused key outside every plan.
 */
export async function provisionRateLimitKey(deps: GatewayDeps, tenant: Tenant): Promise<Tenant> {
  const plans = deps.gateway?.usagePlans;
  if (!plans) return tenant;
  const tier = tenant.rateLimitTier ?? DEFAULT_TIER;
  if (tenant.apiKey?.id && tenant.apiKey.plan === tier) return tenant;
  let key = tenant.apiKey?.id ? tenant.apiKey : undefined;
  if (!key) {
    const value = newKeyValue();
    key = await saveApiKey(deps, tenant.id, { value, id: await plans.createApiKey(tenant.id, value) });
  }
  await plans.assignPlan(key.id!, tier);
  const apiKey = await saveApiKey(deps, tenant.id, { ...key, plan: tier });
  return { ...tenant, apiKey };
}

export async function flushAuthorizerCache(deps: GatewayDeps): Promise<void> {
  await deps.gateway?.flushAuthorizerCache();
}
