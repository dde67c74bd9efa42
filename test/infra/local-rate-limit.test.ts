// The local runner's per-tenant throttle (infra/local/rate-limit.ts) with an injected clock: API
// Gateway's usage-plan semantics, a token bucket per key that holds burstLimit and refills at
// rateLimit per second.
import { describe, expect, it } from 'vitest';
import { TenantRateLimiter } from '#infra/local/rate-limit.ts';
import { TENANT_RATE_LIMIT_DEFAULTS, validRateLimits } from '#infra/rate-limit-settings.ts';

function limiter(
  limits = { default: { rateLimit: 2, burstLimit: 4 }, tiers: { large: { rateLimit: 10, burstLimit: 20 } } },
) {
  let now = 0;
  const l = new TenantRateLimiter(limits, () => now);
  return { l, advance: (ms: number) => (now += ms) };
}
const admitted = (l: TenantRateLimiter, key: string, n: number, tier?: string) =>
  Array.from({ length: n }, () => l.admit(key, tier).allowed).filter(Boolean).length;

describe('per-tenant token buckets', () => {
  it('a full bucket admits burstLimit requests at once, then refuses with a Retry-After', () => {
    const { l } = limiter();
    expect(admitted(l, 'a', 10)).toBe(4);
    expect(l.admit('a', undefined)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at rateLimit per second, up to burstLimit', () => {
    const { l, advance } = limiter();
    admitted(l, 'a', 4);
    advance(500);
    expect(admitted(l, 'a', 10)).toBe(1);
    advance(60_000);
    expect(admitted(l, 'a', 10)).toBe(4);
  });

  it('buckets are per key: one tenant at full speed leaves the others theirs', () => {
    const { l } = limiter();
    expect(admitted(l, 'a', 100)).toBe(4);
    expect(admitted(l, 'b', 100)).toBe(4);
  });

  it('a tier has its own size and rate; an unknown tier gets the default', () => {
    const { l, advance } = limiter();
    expect(admitted(l, 'big', 100, 'large')).toBe(20);
    advance(1000);
    expect(admitted(l, 'big', 100, 'large')).toBe(10);
    expect(admitted(l, 'odd', 100, 'no-such-tier')).toBe(4);
  });

  it('the default per-tenant limit is 25 rps / burst 50 (Entra asks for 25 rps per tenant)', () => {
    expect(TENANT_RATE_LIMIT_DEFAULTS.default).toEqual({ rateLimit: 25, burstLimit: 50 });
    const { l } = limiter(TENANT_RATE_LIMIT_DEFAULTS as never);
    expect(admitted(l, 'a', 100)).toBe(50);
  });

  it('bad limits are refused with a message naming the value', () => {
    expect(() => validRateLimits({ default: { rateLimit: 0, burstLimit: 5 } })).toThrow(/default: rateLimit/);
    expect(() => validRateLimits({ default: { rateLimit: 1, burstLimit: 1.5 } })).toThrow(/burstLimit/);
    expect(() =>
      validRateLimits({
        default: { rateLimit: 1, burstLimit: 1 },
        tiers: { default: { rateLimit: 1, burstLimit: 1 } },
      }),
    ).toThrow(/"default" is not a tier name/);
    expect(() =>
      validRateLimits({ default: { rateLimit: 1, burstLimit: 1 }, tiers: { Big: { rateLimit: 1, burstLimit: 1 } } }),
    ).toThrow(/"Big"/);
  });
});
