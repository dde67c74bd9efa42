// Provisioning activity: the SCIM requests the directory refused, so an admin can see why a user
// did not arrive (Entra calls it provisioning logs). Recorded: every 4xx except 401 (the
// authorizer's, and tokens an IdP no longer has) and 404 on GET (an IdP's existence checks), and
// every 5xx; kept ACTIVITY_RETENTION_DAYS. What is kept: time, token id, method, path, status,
// scimType, detail, and the userName / displayName / externalId the body named. Never a header
// or the rest of the body, so neither a bearer token nor a password can get in.
//
// Recording costs one PutItem, after the error response is built (shared/http bounds the wait
// and swallows failures), and at most RECORDS_PER_SECOND per tenant per container: an IdP
// hammering a bad request cannot turn its errors into a write storm.
import { monotonicFactory } from 'ulid';
import { ULID_PATTERN } from '#events/event-id.ts';
import type { ScimResult } from '#scim/result.ts';
import { listRefusals, putRefusal, type Refusal, type StoredRefusal } from '#store/activity.ts';
import type { Db } from '#store/client.ts';
import { latestFeedEntry } from '#store/feed.ts';
import { DEFAULT_TENANT, getTenant, TenantNotFound } from '#store/tenants.ts';
import { listTokens, type StoredToken } from '#store/tokens.ts';
import { InvalidValueError } from '#scim/errors.ts';
import { tenantIdOf } from './validation.ts';

export const ACTIVITY_RETENTION_DAYS = 7;
export const RECORDS_PER_SECOND = 2;
const BURST = 10;
const MAX_DETAIL = 1000;
const MAX_PATH = 300;
const MAX_NAME = 256;
export const DEFAULT_ACTIVITY_LIMIT = 50;
export const MAX_ACTIVITY_LIMIT = 1000;

export interface ActivityDeps {
  db: Db;
  clock: () => Date;
}

/** What the HTTP layer reports about a refused request (structurally shared/http's RefusedRequest). */
export interface RefusedRequestInput {
  tenantId: string;
  tokenId?: string;
  method: string;
  path: string;
  error: { status: number; scimType?: string | undefined; detail: string };
  body?: unknown;
}

/** 401 is the authorizer's (and never reaches a function with a tenant); 404 on GET is a lookup. */
export function isRecorded(method: string, status: number): boolean {
  if (status >= 500) return true;
  if (status < 400 || status === 401) return false;
  return !(status === 404 && method === 'GET');
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** userName / displayName / externalId of the body, when it is a resource that has them. */
function resourceOf(body: unknown): Refusal['resource'] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const out: NonNullable<Refusal['resource']> = {};
  for (const key of ['userName', 'displayName', 'externalId'] as const) {
    if (typeof b[key] === 'string') out[key] = clip(b[key], MAX_NAME);
  }
  return Object.keys(out).length ? out : undefined;
}

/** Records refused requests: the onRefused hook of the SCIM functions (functions/users|groups). */
export function refusalRecorder(deps: ActivityDeps): (refused: RefusedRequestInput) => Promise<void> {
  const nextId = monotonicFactory();
  const buckets = new Map<string, { tokens: number; at: number }>();
  const allow = (tenantId: string, nowMs: number) => {
    const b = buckets.get(tenantId) ?? { tokens: BURST, at: nowMs };
    b.tokens = Math.min(BURST, b.tokens + ((nowMs - b.at) / 1000) * RECORDS_PER_SECOND);
    b.at = nowMs;
    buckets.set(tenantId, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
  return async (refused) => {
    const { status, scimType, detail } = refused.error;
    if (!isRecorded(refused.method, status)) return;
    const now = deps.clock();
    // The limiter runs on real time (a bucket refills as time passes), whatever clock the records use.
    if (!allow(refused.tenantId, Date.now())) return;
    const resource = resourceOf(refused.body);
    const record: Refusal = {
      at: now.toISOString(),
      ...(refused.tokenId ? { tokenId: refused.tokenId } : {}),
      method: refused.method,
      path: clip(refused.path, MAX_PATH),
      status,
      ...(scimType ? { scimType } : {}),
      detail: clip(detail, MAX_DETAIL),
      ...(resource ? { resource } : {}),
    };
    const ttl = Math.floor(now.getTime() / 1000) + ACTIVITY_RETENTION_DAYS * 86_400;
    await putRefusal(deps.db, refused.tenantId, nextId(now.getTime()), record, ttl);
  };
}

export interface TokenUse {
  id: string;
  name: string;
  lastUsedAt: string | null;
}

/** What GET /admin/tenants/{tenantId} adds: each token's last use, the last change, the last refusal. */
export interface TenantActivity {
  tokens: TokenUse[];
  lastChange: { at: string; type: string; eventId: string } | null;
  lastRefused: (StoredRefusal & { tokenName?: string }) | null;
}

const named = (r: StoredRefusal, tokens: StoredToken[]) => {
  const name = r.tokenId ? tokens.find((t) => t.id === r.tokenId)?.name : undefined;
  return name ? { ...r, tokenName: name } : r;
};

export function activityService(deps: ActivityDeps) {
  /** The tenant's tokens, or none for a tenant that does not exist (yet: `default`). */
  const tokensOf = async (tenantId: string): Promise<StoredToken[]> => {
    try {
      return (await listTokens(deps, tenantId)).tokens;
    } catch (error) {
      if (error instanceof TenantNotFound) return [];
      throw error;
    }
  };

  return {
    /** GET /admin/tenants/{tenantId}/activity?limit=&before=: newest first. */
    async list(tenantId: string, query: Record<string, string>): Promise<ScimResult> {
      const id = tenantIdOf(tenantId);
      const limit = query.limit === undefined ? DEFAULT_ACTIVITY_LIMIT : Number(query.limit);
      if (!/^\d+$/.test(query.limit ?? '1') || limit < 1 || limit > MAX_ACTIVITY_LIMIT)
        throw new InvalidValueError(`limit must be a whole number from 1 to ${MAX_ACTIVITY_LIMIT}`);
      if (query.before !== undefined && !ULID_PATTERN.test(query.before))
        throw new InvalidValueError('before must be a nextCursor from a previous answer');
      const [tenant, tokens, page] = await Promise.all([
        id === DEFAULT_TENANT ? undefined : getTenant(deps, id),
        tokensOf(id),
        listRefusals(deps.db, id, { limit, ...(query.before ? { before: query.before } : {}) }),
      ]);
      if (id !== DEFAULT_TENANT && !tenant) throw new TenantNotFound(id);
      return {
        status: 200,
        body: {
          activity: page.refusals.map((r) => named(r, tokens)),
          ...(page.next ? { nextCursor: page.next } : {}),
        },
      };
    },

    /** Each token's last use and the tenant's last change and last refused request. */
    async summary(tenantId: string): Promise<TenantActivity> {
      const id = tenantIdOf(tenantId);
      const [tokens, last, refused] = await Promise.all([
        tokensOf(id),
        latestFeedEntry(deps.db, id),
        listRefusals(deps.db, id, { limit: 1 }),
      ]);
      const lastRefused = refused.refusals[0];
      return {
        tokens: tokens.map((t) => ({ id: t.id, name: t.name, lastUsedAt: t.lastUsedAt ?? null })),
        lastChange: last ? { at: last.occurredAt, type: last.type, eventId: last.id } : null,
        lastRefused: lastRefused ? named(lastRefused, tokens) : null,
      };
    },
  };
}
