// The admin API's use cases: tenants, tokens and provisioning. Handlers call one function each;
// this validates input, calls the repositories and turns their errors into ScimErrors with a
// detail an admin can act on. Independent of API Gateway. The plain token exists only inside
// createToken and its response.
import { monotonicFactory } from 'ulid';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type { AppContext } from '#http/context.ts';
import {
  ConflictError, InvalidSyntaxError, InvalidValueError, NotFoundError, ScimError, TooManyRequestsError,
} from '#scim/errors.ts';
import { TENANT_ID_PATTERN } from '#store/keys.ts';
import {
  activeSlots, DEFAULT_TENANT, ensureTenant, getTenant, setProvisioning, TenantNotFound, type Tenant,
} from '#store/tenants.ts';
import {
  createToken, listTokens, ProvisioningDisabled, retireTenantTokens, revokeToken, TokenCapReached,
  TokenNotFound, TokenWriteContention, type StoredToken, type TokenScope,
} from '#store/tokens.ts';
import { generateToken, hashToken, type RandomBytes } from './token.ts';

export const MAX_TOKEN_NAME_LENGTH = 100;
export const MAX_DISPLAY_NAME_LENGTH = 200;
const DAY_MS = 86_400_000;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** Token ids sort in creation order, also for several created within one millisecond. */
const nextId = monotonicFactory();

export interface Result {
  status: number;
  body?: unknown;
}

export interface TenantView {
  id: string;
  displayName?: string;
  provisioning: { enabled: boolean };
  counts: { users: number; groups: number; activeTokens: number };
  createdAt?: string;
  updatedAt?: string;
}

export interface TokenView {
  id: string;
  name: string;
  scope: TokenScope;
  status: 'active' | 'expired';
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
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

// zod/mini (not the full `zod` API) keeps the Lambda bundles small. It registers no locale, so
// the English messages the full API gives by default are passed per parse (LOCALE below).
const tenantBody = z.strictObject({
  displayName: z.optional(z.string({ error: 'displayName must be a string' }).check(
    z.trim(),
    z.minLength(1, 'displayName must not be empty'),
    z.maxLength(MAX_DISPLAY_NAME_LENGTH, `displayName must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`),
  )),
});

const tokenBody = (maxDays: number) => {
  const wholeDays = `expiresInDays must be a whole number of days from 1 to ${maxDays}`;
  return z.strictObject({
    name: z.string({ error: 'name is required: a label for the token, e.g. "okta-prod"' }).check(
      z.trim(),
      z.minLength(1, 'name must not be empty'),
      z.maxLength(MAX_TOKEN_NAME_LENGTH, `name must be at most ${MAX_TOKEN_NAME_LENGTH} characters`),
    ),
    scope: z._default(z.enum(['full', 'read'], { error: 'scope must be "full" or "read"' }), 'full'),
    expiresInDays: z.optional(z.number({ error: wholeDays }).check(
      z.int(wholeDays),
      z.minimum(1, wholeDays),
      z.maximum(maxDays, `expiresInDays must be at most ${maxDays} (the longest token lifetime this deployment allows)`),
    )),
  });
};

const provisioningBody = z.strictObject({
  enabled: z.boolean({ error: 'enabled must be true or false' }),
});

/** English default messages (e.g. "Invalid input: expected object, received string"). */
const LOCALE = { error: en().localeError };

function parse<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  if (Array.isArray(body)) throw new InvalidSyntaxError('the request body must be a JSON object');
  const parsed = schema.safeParse(body ?? {}, LOCALE);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    throw new InvalidValueError(`unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`);
  }
  throw new InvalidValueError(issue?.message ?? 'invalid request body');
}

function tenantIdOf(tenantId: string): string {
  if (!TENANT_ID_PATTERN.test(tenantId)) {
    throw new InvalidValueError(
      `invalid tenant id "${tenantId.slice(0, 80)}": use 1 to 63 lower-case letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
  return tenantId;
}

const unknownTenant = (tenantId: string) =>
  new NotFoundError(`unknown tenant "${tenantId}"; create it first with PUT /admin/tenants/${tenantId}`);

/** Repository errors as the admin sees them. */
function toScimError(error: unknown): unknown {
  if (error instanceof ScimError) return error;
  if (error instanceof TenantNotFound) return unknownTenant(error.tenantId);
  if (error instanceof TokenNotFound) return new NotFoundError(`tenant "${error.tenantId}" has no token ${error.tokenId}`);
  if (error instanceof TokenCapReached) {
    return new ConflictError(
      `tenant "${error.tenantId}" already has ${error.max} active token${error.max === 1 ? '' : 's'}, the maximum; ` +
      `revoke one first (DELETE /admin/tenants/${error.tenantId}/tokens/{tokenId}) or wait until one expires`,
    );
  }
  if (error instanceof ProvisioningDisabled) {
    return new ConflictError(
      `provisioning is off for tenant "${error.tenantId}"; turn it on first ` +
      `(PUT /admin/tenants/${error.tenantId}/provisioning {"enabled": true})`,
    );
  }
  if (error instanceof TokenWriteContention) {
    return new TooManyRequestsError(`the tokens of tenant "${error.tenantId}" are being changed concurrently; retry`, 1);
  }
  return error;
}

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toScimError(error);
  }
}

function tenantView(tenant: Tenant, nowMs: number): TenantView {
  return {
    id: tenant.id,
    ...(tenant.displayName !== undefined ? { displayName: tenant.displayName } : {}),
    provisioning: { enabled: tenant.provisioningEnabled },
    counts: {
      users: tenant.userCount,
      groups: tenant.groupCount,
      activeTokens: Object.keys(activeSlots(tenant.tokenSlots, nowMs)).length,
    },
    ...(tenant.createdAt ? { createdAt: tenant.createdAt } : {}),
    ...(tenant.updatedAt ? { updatedAt: tenant.updatedAt } : {}),
  };
}

function tokenView(token: StoredToken, nowMs: number): TokenView {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    status: Date.parse(token.expiresAt) <= nowMs ? 'expired' : 'active',
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    lastUsedAt: token.lastUsedAt ?? null,
  };
}

export interface AdminOptions {
  /** Random source for new tokens; tests may pin it. */
  random?: RandomBytes;
}

export function adminService(ctx: AppContext, options: AdminOptions = {}) {
  const now = () => ctx.clock().getTime();

  /** The tenant, or 404. `default` always exists: it is created on first use if need be. */
  async function loadTenant(tenantId: string): Promise<Tenant> {
    const tenant = await getTenant(ctx, tenantId);
    if (tenant) return tenant;
    if (tenantId === DEFAULT_TENANT) return (await ensureTenant(ctx, tenantId)).tenant;
    throw unknownTenant(tenantId);
  }

  return {
    /** PUT /admin/tenants/{tenantId}: 201 when created, 200 when it existed (displayName updated if given). */
    putTenant: (tenantId: string, body: unknown): Promise<Result> => mapped(async () => {
      const id = tenantIdOf(tenantId);
      const changes = parse(tenantBody, body);
      const { tenant, created } = await ensureTenant(ctx, id, changes.displayName === undefined ? {} : { displayName: changes.displayName });
      return { status: created ? 201 : 200, body: tenantView(tenant, now()) };
    }),

    getTenant: (tenantId: string): Promise<Result> => mapped(async () => {
      const tenant = await loadTenant(tenantIdOf(tenantId));
      return { status: 200, body: tenantView(tenant, now()) };
    }),

    createToken: (tenantId: string, body: unknown): Promise<Result> => mapped(async () => {
      const id = tenantIdOf(tenantId);
      const input = parse(tokenBody(ctx.config.maxTokenLifetimeDays), body);
      const tenant = await loadTenant(id);
      const issuedAt = ctx.clock();
      const days = input.expiresInDays ?? Math.min(ctx.config.tokenLifetimeDays, ctx.config.maxTokenLifetimeDays);
      const token = generateToken(options.random);
      const stored = await createToken(ctx, {
        tenantId: id,
        id: nextId(issuedAt.getTime()),
        hash: hashToken(token),
        name: input.name,
        scope: input.scope,
        createdAt: issuedAt,
        expiresAt: new Date(issuedAt.getTime() + days * DAY_MS),
        maxActive: ctx.config.maxActiveTokens,
      }, tenant);
      const view: NewTokenView = {
        id: stored.id,
        token,
        name: stored.name,
        scope: stored.scope,
        createdAt: stored.createdAt,
        expiresAt: stored.expiresAt,
      };
      return { status: 201, body: view };
    }),

    listTokens: (tenantId: string): Promise<Result> => mapped(async () => {
      const id = tenantIdOf(tenantId);
      if (id === DEFAULT_TENANT) await loadTenant(id);
      const { tokens } = await listTokens(ctx, id);
      const nowMs = now();
      return { status: 200, body: { tokens: tokens.map((t) => tokenView(t, nowMs)) } };
    }),

    revokeToken: (tenantId: string, tokenId: string): Promise<Result> => mapped(async () => {
      const id = tenantIdOf(tenantId);
      if (!ULID.test(tokenId)) throw new NotFoundError(`tenant "${id}" has no token ${tokenId.slice(0, 80)}`);
      if (id === DEFAULT_TENANT) await loadTenant(id);
      await revokeToken(ctx, id, tokenId);
      return { status: 204 };
    }),

    /** Off empties the tenant's token slots (every token stops at once), then retires the token items. */
    setProvisioning: (tenantId: string, body: unknown): Promise<Result> => mapped(async () => {
      const id = tenantIdOf(tenantId);
      const { enabled } = parse(provisioningBody, body);
      if (id === DEFAULT_TENANT) await loadTenant(id);
      const tenant = await setProvisioning(ctx, id, enabled);
      const revokedTokens = enabled ? 0 : await retireTenantTokens(ctx, id);
      return { status: 200, body: { ...tenantView(tenant, now()), ...(enabled ? {} : { revokedTokens }) } };
    }),
  };
}
