// The admin API's use cases: tenants, tokens and provisioning. Handlers call one function each;
// this validates input and calls the repositories, whose failed conditions are already SCIM errors
// with a detail an admin can act on. Independent of API Gateway. The plain token exists only
// inside createToken and its response.
import { monotonicFactory } from 'ulid';
import { generateToken, hashToken, type RandomBytes } from '#auth/token.ts';
import { InvalidValueError, NotFoundError } from '#scim/errors.ts';
import type { ScimResult } from '#scim/result.ts';
import type { Db } from '#store/client.ts';
import { TENANT_ID_PATTERN } from '#store/keys.ts';
import {
  DEFAULT_TENANT,
  ensureTenant,
  getTenant,
  listTenants,
  setProvisioning,
  TenantNotFound,
  type Tenant,
} from '#store/tenants.ts';
import { createToken, listTokens, retireTenantTokens, revokeToken } from '#store/tokens.ts';
import { chooseTier, flushAuthorizerCache, provisionRateLimitKey, type GatewayControl } from './gateway.ts';
import { parse, provisioningBody, tenantBody, tenantIdOf, tokenBody } from './validation.ts';
import { tenantView, tokenView, type NewTokenView } from './views.ts';

const DAY_MS = 86_400_000;
/** GET /admin/tenants pages: at most this many tenants per request. */
export const MAX_TENANTS_PER_PAGE = 100;
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
  /** Usage-plan keys and authorizer cache flushes (gateway.ts); absent: neither. */
  gateway?: GatewayControl;
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
      const ensured = await ensureTenant(
        ctx,
        id,
        changes.displayName === undefined ? {} : { displayName: changes.displayName },
      );
      const chosen =
        changes.rateLimitTier === undefined ? ensured.tenant : await chooseTier(ctx, id, changes.rateLimitTier);
      const tenant = await provisionRateLimitKey(ctx, chosen);
      return { status: ensured.created ? 201 : 200, body: tenantView(tenant, now()) };
    },

    /** GET /admin/tenants?count=&cursor=: tenants in id order, one index Query per page. */
    async listTenants(query: Record<string, string>): Promise<ScimResult> {
      const count = query.count === undefined ? MAX_TENANTS_PER_PAGE : Number(query.count);
      if (!Number.isInteger(count) || count < 1 || count > MAX_TENANTS_PER_PAGE)
        throw new InvalidValueError(`count must be a whole number from 1 to ${MAX_TENANTS_PER_PAGE}`);
      const after = query.cursor ? Buffer.from(query.cursor, 'base64url').toString() : undefined;
      if (after !== undefined && !TENANT_ID_PATTERN.test(after))
        throw new InvalidValueError('invalid cursor: pass the nextCursor of the previous page unchanged');
      const page = await listTenants(ctx, { limit: count, ...(after ? { after } : {}) });
      const nowMs = now();
      return {
        status: 200,
        body: {
          tenants: page.tenants.map((t) => tenantView(t, nowMs)),
          ...(page.after ? { nextCursor: Buffer.from(page.after).toString('base64url') } : {}),
        },
      };
    },

    async getTenant(tenantId: string): Promise<ScimResult> {
      const tenant = await loadTenant(tenantIdOf(tenantId));
      return { status: 200, body: tenantView(tenant, now()) };
    },

    async createToken(tenantId: string, body: unknown): Promise<ScimResult> {
      const id = tenantIdOf(tenantId);
      const input = parse(tokenBody(ctx.config.maxTokenLifetimeDays), body);
      // The tenant's usage-plan key first: a token must never work without its rate limit.
      const tenant = await provisionRateLimitKey(ctx, await loadTenant(id));
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
      const { maxActiveTokens, tokenLifetimeDays, maxTokenLifetimeDays } = ctx.config;
      return {
        status: 200,
        body: {
          tokens: tokens.map((t) => tokenView(t, nowMs)),
          // What a new token may be, so a client can say why "create" is unavailable before trying.
          limits: {
            maxActiveTokens,
            defaultLifetimeDays: Math.min(tokenLifetimeDays, maxTokenLifetimeDays),
            maxLifetimeDays: maxTokenLifetimeDays,
          },
        },
      };
    },

    async revokeToken(tenantId: string, tokenId: string): Promise<ScimResult> {
      const id = tenantIdOf(tenantId);
      if (!ULID.test(tokenId)) throw new NotFoundError(`tenant "${id}" has no token ${tokenId.slice(0, 80)}`);
      if (id === DEFAULT_TENANT) await loadTenant(id);
      await revokeToken(ctx, id, tokenId);
      await flushAuthorizerCache(ctx);
      return { status: 204 };
    },

    /** Off empties the tenant's token slots (every token stops at once), then retires the token items. */
    async setProvisioning(tenantId: string, body: unknown): Promise<ScimResult> {
      const id = tenantIdOf(tenantId);
      const { enabled } = parse(provisioningBody, body);
      if (id === DEFAULT_TENANT) await loadTenant(id);
      const tenant = await setProvisioning(ctx, id, enabled);
      // Off: the emptied token slots already refuse every token; the flush drops cached answers.
      if (!enabled) await flushAuthorizerCache(ctx);
      const revokedTokens = enabled ? 0 : await retireTenantTokens(ctx, id);
      if (enabled) await provisionRateLimitKey(ctx, tenant);
      return { status: 200, body: { ...tenantView(tenant, now()), ...(enabled ? {} : { revokedTokens }) } };
    },
  };
}
