// The local runner's GatewayControl (shared/admin/gateway.ts): flushing its authorizer cache, and,
// when it enforces per-tenant limits, usage-plan keys. Locally a key only names the tenant's bucket
// (infra/local/rate-limit.ts) and the tier comes with the authorizer's answer, so there is no plan
// to keep: key ids are derived from the value and assigning a plan has nothing to record.
import { createHash } from 'node:crypto';
import type { GatewayControl } from '#admin/gateway.ts';
import { tiersOf, type TenantRateLimits } from '#infra/rate-limit-settings.ts';

export function localGateway(options: { flush: () => void; rateLimits?: TenantRateLimits }): GatewayControl {
  return {
    ...(options.rateLimits
      ? {
          usagePlans: {
            tiers: tiersOf(options.rateLimits).map(([name]) => name),
            createApiKey: async (_tenantId, value) =>
              `local-${createHash('sha256').update(value).digest('hex').slice(0, 12)}`,
            assignPlan: async () => undefined,
          },
        }
      : {}),
    flushAuthorizerCache: async () => options.flush(),
  };
}
