// Test harness: a local runner (the same one `npm start` uses) on a free port, backed by a fresh
// table in the shared DynamoDB Local, with an admin key, an injectable clock and helpers to mint
// SCIM tokens through the admin API and to call the API.
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { ensureTable } from '#infra/local/dynamodb-local.ts';
import { createLocalApi } from '#infra/local/server.ts';
import type { TenantRateLimits } from '#infra/rate-limit-settings.ts';
import { configFromEnv, type AppContext, type AppConfig } from '#api/context.ts';
import { createDb, type Cost } from '#store/client.ts';

export interface TestClock {
  now: Date;
  advance(ms: number): void;
}

export interface LocalApi {
  url: string;
  scimUrl: string;
  adminKey: string;
  ctx: AppContext;
  clock: TestClock;
  /** Calls the API; `token` defaults to the API's default SCIM token. */
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  admin(method: string, path: string, body?: unknown): Promise<CallResult>;
  /** Creates a tenant (if needed) and a full-scope token for it. */
  tokenFor(tenantId: string, options?: { scope?: 'full' | 'read'; name?: string }): Promise<string>;
  /** The default tenant's token, minted at start. */
  token: string;
  close(): Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  token?: string | null;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
  cost: Cost;
}

export async function startLocalApi(
  options: {
    authorizerCacheTtlSeconds?: number;
    config?: Partial<AppConfig>;
    tenantId?: string;
    /** Per-tenant rate limits, as the stack's usage plans (absent: none). */
    rateLimits?: TenantRateLimits;
  } = {},
): Promise<LocalApi> {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `scim-test-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  const clock: TestClock = {
    now: new Date(),
    advance(ms) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const ctx: AppContext = {
    db: createDb({ tableName, endpoint }),
    clock: () => clock.now,
    config: { ...configFromEnv({}), ...options.config },
  };
  const adminKey = `test-admin-${randomUUID()}`;
  const server = createLocalApi({
    ctx,
    adminKey,
    authorizerCacheTtlSeconds: options.authorizerCacheTtlSeconds ?? 0,
    exposeCost: true,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function send(
    method: string,
    path: string,
    authorization: string | undefined,
    opts: CallOptions = {},
  ): Promise<CallResult> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (authorization) headers.Authorization = authorization;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] ??= 'application/scim+json';
    }
    const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const costHeader = res.headers.get('x-dynamodb-cost');
    return {
      status: res.status,
      headers: res.headers,
      body: parsed,
      text,
      cost: costHeader ? JSON.parse(costHeader) : { requests: 0, roundTrips: 0, rcu: 0, wcu: 0, operations: [] },
    };
  }

  const api: LocalApi = {
    url,
    scimUrl: `${url}/scim/v2`,
    adminKey,
    ctx,
    clock,
    token: '',
    call(method, path, opts = {}) {
      const token = opts.token === undefined ? api.token : opts.token;
      return send(
        method,
        path.startsWith('/') ? `/scim/v2${path}` : path,
        token === null ? undefined : `Bearer ${token}`,
        opts,
      );
    },
    admin(method, path, body) {
      return send(
        method,
        `/admin${path}`,
        `Bearer ${adminKey}`,
        body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } },
      );
    },
    async tokenFor(tenantId, tokenOptions = {}) {
      const tenant = await api.admin('PUT', `/tenants/${tenantId}`, {});
      if (tenant.status >= 300) throw new Error(`PUT tenant ${tenantId}: ${tenant.status} ${tenant.text}`);
      const res = await api.admin('POST', `/tenants/${tenantId}/tokens`, {
        name: tokenOptions.name ?? `test-${randomUUID().slice(0, 8)}`,
        scope: tokenOptions.scope ?? 'full',
      });
      if (res.status !== 201) throw new Error(`POST token: ${res.status} ${res.text}`);
      return res.body.token as string;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  api.token = await api.tokenFor(options.tenantId ?? 'default');
  return api;
}
