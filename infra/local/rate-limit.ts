// The local runner's per-tenant rate limit: API Gateway's usage-plan throttle (a token bucket per
// API key, refilled at rateLimit per second, holding burstLimit) for the same limits the stack
// deploys, so a test can show tenant B served while tenant A is over its limit.
import { DEFAULT_TIER_NAME, tiersOf, type RateLimit, type TenantRateLimits } from '#infra/rate-limit-settings.ts';

interface Bucket {
  tokens: number;
  at: number;
}

export type Admission = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class TenantRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly tiers: Map<string, RateLimit>;

  constructor(
    limits: TenantRateLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tiers = new Map(tiersOf(limits));
  }

  /**
   * One request of `key` (the usage-plan key the authorizer returned, else the tenant) in `tier`
   * (unknown tiers get the default): allowed while its bucket holds a token.
   */
  admit(key: string, tier: string | undefined): Admission {
    const limit = this.tiers.get(tier ?? DEFAULT_TIER_NAME) ?? this.tiers.get(DEFAULT_TIER_NAME)!;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: limit.burstLimit, at: now };
    bucket.tokens = Math.min(limit.burstLimit, bucket.tokens + ((now - bucket.at) / 1000) * limit.rateLimit);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.rateLimit)) };
  }
}
