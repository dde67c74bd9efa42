// What the admin API (and the CLI and console that read it) shows of tenants and tokens. Never the
// token hash; the plain token only in NewTokenView, once.
import type { TokenScope } from '#auth/token.ts';
import { DEFAULT_TIER } from '#store/tenant-rate-limit.ts';
import { activeSlots, type Tenant } from '#store/tenants.ts';
import type { StoredToken } from '#store/tokens.ts';

export interface TenantView {
  id: string;
  displayName?: string;
  provisioning: { enabled: boolean };
  counts: { users: number; groups: number; activeTokens: number };
  /** The tenant's rate-limit tier (docs/deploy.md, "Per-tenant rate limits"). */
  rateLimit: { tier: string };
  createdAt?: string;
  updatedAt?: string;
}

export interface TokenView {
  id: string;
  name: string;
  scope: TokenScope;
  /** `revoked` wins over `expired`: a token revoked after it expired is shown as revoked. */
  status: 'active' | 'expired' | 'revoked';
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewTokenView {
  id: string;
  /** The plain token: shown here once, stored nowhere. */
  token: string;
  name: string;
  scope: TokenScope;
  createdAt: string;
  expiresAt: string;
}

export function tenantView(tenant: Tenant, nowMs: number): TenantView {
  return {
    id: tenant.id,
    ...(tenant.displayName !== undefined ? { displayName: tenant.displayName } : {}),
    provisioning: { enabled: tenant.provisioningEnabled },
    counts: {
      users: tenant.userCount,
      groups: tenant.groupCount,
      activeTokens: Object.keys(activeSlots(tenant.tokenSlots, nowMs)).length,
    },
    rateLimit: { tier: tenant.rateLimitTier ?? DEFAULT_TIER },
    ...(tenant.createdAt ? { createdAt: tenant.createdAt } : {}),
    ...(tenant.updatedAt ? { updatedAt: tenant.updatedAt } : {}),
  };
}

export function tokenView(token: StoredToken, nowMs: number): TokenView {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    status: token.revokedAt !== undefined ? 'revoked' : Date.parse(token.expiresAt) <= nowMs ? 'expired' : 'active',
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    lastUsedAt: token.lastUsedAt ?? null,
    revokedAt: token.revokedAt ?? null,
  };
}
