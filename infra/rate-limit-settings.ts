// Per-tenant rate limits as data, shared by the stack's usage plans (infra/rate-limits.ts) and the
// local runner's token buckets (infra/local/rate-limit.ts). No CDK import: the local runner loads it.

/** API Gateway's throttle: a token bucket refilled at `rateLimit` per second, holding `burstLimit`. */
export interface RateLimit {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Requests allowed at once (the bucket's size). */
  readonly burstLimit: number;
}

export interface TenantRateLimits {
  /** Every tenant's own limit unless an admin puts it in another tier. */
  readonly default: RateLimit;
  /**
   * More tiers, by name (e.g. `{ large: { rateLimit: 100, burstLimit: 200 } }`): one usage plan
   * each; `PUT /admin/tenants/{id} {"rateLimitTier": "large"}` moves a tenant into one.
   */
  readonly tiers?: Readonly<Record<string, RateLimit>>;
}

/**
 * Microsoft's gallery checklist asks a SCIM app to "support at least 25 requests per second per
 * tenant" (learn.microsoft.com, "Tutorial: Develop and plan provisioning for a SCIM endpoint").
 */
export const TENANT_RATE_LIMIT_DEFAULTS: TenantRateLimits = { default: { rateLimit: 25, burstLimit: 50 } };

export const DEFAULT_TIER_NAME = 'default';
const TIER_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** The limits with every value checked; throws a message naming the bad value (at synth). */
export function validRateLimits(limits: TenantRateLimits): TenantRateLimits {
  const check = (where: string, limit: RateLimit) => {
    if (!(Number.isFinite(limit.rateLimit) && limit.rateLimit > 0))
      throw new Error(`tenantRateLimits ${where}: rateLimit must be a positive number, got ${limit.rateLimit}`);
    if (!(Number.isInteger(limit.burstLimit) && limit.burstLimit >= 1))
      throw new Error(`tenantRateLimits ${where}: burstLimit must be a whole number ≥ 1, got ${limit.burstLimit}`);
  };
  check(DEFAULT_TIER_NAME, limits.default);
  for (const [name, limit] of Object.entries(limits.tiers ?? {})) {
    if (name === DEFAULT_TIER_NAME || !TIER_NAME.test(name))
      throw new Error(`tenantRateLimits: "${name}" is not a tier name (a-z, 0-9, "-"; not "default")`);
    check(name, limit);
  }
  return limits;
}

/** Tier name → limit, the default tier first. */
export function tiersOf(limits: TenantRateLimits): [string, RateLimit][] {
  return [[DEFAULT_TIER_NAME, limits.default], ...Object.entries(limits.tiers ?? {})];
}
