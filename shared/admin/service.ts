// The admin API's use cases: tenants, tokens and provisioning. Handlers call one function each;
// this validates input and calls the repositories, whose failed conditions are already SCIM errors
// with a detail an admin can act on. Independent of API Gateway. The plain token exists only
// inside createToken and its response.
import { monotonicFactory } from 'ulid';
import { generateToken, hashToken, type RandomBytes } from '#auth/token.ts';
import { NotFoundError } from '#scim/errors.ts';
import type { ScimResult } from '#scim/result.ts';
import type { Db } from '#store/client.ts';
import {
  DEFAULT_TENANT,
  ensureTenant,
  getTenant,
  setProvisioning,
  TenantNotFound,
  type Tenant,
} from '#store/tenants.ts';
import { createToken, listTokens, retireTenantTokens, revokeToken } from '#store/tokens.ts';
import { parse, provisioningBody, tenantBody, tenantIdOf, tokenBody } from './validation.ts';
import { tenantView, tokenView, type NewTokenView } from './views.ts';

const DAY_MS = 86_400_000;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** Token ids sort in creation order, also for several created within one millisecond. */
const nextId = monotonicFactory();

export interface AdminConfig {
  /** Max active (unexpired) tokens per tenant. */
  maxActiveTokens: number;
  /** Default token lifetime in days; callers may ask for less, never for more than maxTokenLifetimeDays. */
  tokenLifetimeDays: number;
  maxTokenLifetimeDays: number;
}

export interface AdminDeps {
  db: Db;
  clock: () => Date;
  config: AdminConfig;
}

export interface AdminOptions {
  /** Random source for new tokens; tests may pin it. */
  random?: RandomBytes;
}

export function adminService(ctx: AdminDeps, options: AdminOptions = {}) {
  const now = () => ctx.clock().getTime();

  /** The tenant, or 404. `default` always exists: it is created on first use if need be. */
  async function loadTenant(tenantId: string): Promise<Tenant> {
    const tenant = await getTenant(ctx, tenantId);
    if (tenant) return tenant;
    if (tenantId === DEFAULT_TENANT) return (await ensureTenant(ctx, tenantId)).tenant;
    throw new TenantNotFound(tenantId);
  }

  return {
    /** PUT /admin/tenants/{tenantId}: 201 when created, 200 when it existed (displayName updated if given). */
    async putTenant(tenantId: string, body: unknown): Promise<ScimResult> {
      const id = tenantIdOf(tenantId);
      const changes = parse(tenantBody, body);
      const { tenant, created } = await ensureTenant(
        ctx,
        id,
        changes.displayName === undefined ? {} : { displayName: changes.displayName },
      );
      return { status: created ? 201 : 200, body: tenantView(tenant, now()) };
    },

    async getTenant(tenantId: string): Promise<ScimResult> {
      const tenant = await loadTenant(tenantIdOf(tenantId));
      return { status: 200, body: tenantView(tenant, now()) };
    },

    async createToken(tenantId: string, body: unknown): Promise<ScimResult> {
      const id = tenantIdOf(tenantId);
      const input = parse(tokenBody(ctx.config.maxTokenLifetimeDays), body);
      const tenant = await loadTenant(id);
      const issuedAt = ctx.clock();
      const days = input.expiresInDays ?? Math.min(ctx.config.tokenLifetimeDays, ctx.config.maxTokenLifetimeDays);
      const token = generateToken(options.random);
      const stored = await createToken(
        ctx,
        {
          tenantId: id,
          id: nextId(issuedAt.getTime()),
          hash: hashToken(token),
          name: input.name,
          scope: input.scope,
          createdAt: issuedAt,
          expiresAt: new Date(issuedAt.getTime() + days * DAY_MS),
          maxActive: ctx.config.maxActiveTokens,
        },
        tenant,
      );
      const view: NewTokenView = {
        id: stored.id,
        token,
        name: stored.name,
        scope: stored.scope,
        createdAt: stored.createdAt,
        expiresAt: stored.expiresAt,
      };
      return { status: 201, body: view };
    },

    async listTokens(tenantId: string): Promise<ScimResult> {
      const id = tenantIdOf(tenantId);
      if (id === DEFAULT_TENANT) await loadTenant(id);
      const { tokens } = await listTokens(ctx, id);
      const nowMs = now();
      return { status: 200, body: { tokens: tokens.map((t) => tokenView(t, nowMs)) } };
    },

    async revokeToken(tenantId: string, tokenId: string): Promise<ScimResult> {
      const id = tenantIdOf(tenantId);
      if (!ULID.test(tokenId)) throw new NotFoundError(`tenant "${id}" has no token ${tokenId.slice(0, 80)}`);
      if (id === DEFAULT_TENANT) await loadTenant(id);
      await revokeToken(ctx, id, tokenId);
      return { status: 204 };
    },

    /** Off empties the tenant's token slots (every token stops at once), then retires the token items. */
    async setProvisioning(tenantId: string, body: unknown): Promise<ScimResult> {
      const id = tenantIdOf(tenantId);
      const { enabled } = parse(provisioningBody, body);
      if (id === DEFAULT_TENANT) await loadTenant(id);
      const tenant = await setProvisioning(ctx, id, enabled);
      const revokedTokens = enabled ? 0 : await retireTenantTokens(ctx, id);
      return { status: 200, body: { ...tenantView(tenant, now()), ...(enabled ? {} : { revokedTokens }) } };
    },
  };
}
