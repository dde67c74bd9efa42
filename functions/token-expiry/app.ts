// The daily token-expiry check (EventBridge schedule → this function): for every tenant that has
// provisioning on and at least one token slot, the whole days until its newest active token
// expires (0 once all have expired). Published per tenant and as the minimum over all tenants, so
// an alarm fires a month before an IdP would start getting 401s (docs/tokens.md).
import { listTenants, type StoreContext } from '#store/tenants.ts';

const DAY_MS = 86_400_000;
/** Tenants read per Query of the list of tenants. */
const PAGE = 100;

export interface TokenExpiry {
  tenantId: string;
  /** Whole days until the newest active token expires; 0 when none is active any more. */
  daysLeft: number;
}

export interface ExpiryReport {
  tenants: TokenExpiry[];
  /** The smallest daysLeft, absent when no tenant has a token. */
  minDaysLeft?: number;
}

export async function tokenExpiryReport(ctx: StoreContext): Promise<ExpiryReport> {
  const nowMs = ctx.clock().getTime();
  const tenants: TokenExpiry[] = [];
  let after: string | undefined;
  do {
    const page = await listTenants(ctx, { limit: PAGE, ...(after ? { after } : {}) });
    for (const tenant of page.tenants) {
      const expiries = Object.values(tenant.tokenSlots);
      // No slot: never connected (or every token revoked on purpose): nothing to warn about.
      if (!tenant.provisioningEnabled || expiries.length === 0) continue;
      const newest = Math.max(...expiries);
      tenants.push({ tenantId: tenant.id, daysLeft: Math.max(0, Math.floor((newest - nowMs) / DAY_MS)) });
    }
    after = page.after;
  } while (after);
  return {
    tenants,
    ...(tenants.length ? { minDaysLeft: Math.min(...tenants.map((t) => t.daysLeft)) } : {}),
  };
}

export function tokenExpiryHandler(ctx: StoreContext, publish: (report: ExpiryReport) => void) {
  return async (): Promise<{ tenants: number; minDaysLeft?: number }> => {
    const report = await tokenExpiryReport(ctx);
    publish(report);
    return {
      tenants: report.tenants.length,
      ...(report.minDaysLeft === undefined ? {} : { minDaysLeft: report.minDaysLeft }),
    };
  };
}
