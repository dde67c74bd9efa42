// The bench's own copy of the local runner (the one `npm start` and the tests use): DynamoDB Local
// in memory, one table, the local API Gateway emulation with `x-dynamodb-cost` on every response,
// and helpers to mint tokens per tenant and to call the API with timings.
import type { AddressInfo } from 'node:net';
import http, { type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ensureTable, startDynamoDbLocal, type DynamoDbLocal } from '#infra/local/dynamodb-local.ts';
import { createLocalApi } from '#infra/local/server.ts';
import { configFromEnv, type AppContext } from '#api/context.ts';
import { createDb, emptyCost, type Cost } from '#store/client.ts';
import { TransactionCapacityModel } from './capacity-model.ts';
import { nowMs } from './stats.ts';

export interface CallResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
  text: string;
  /** From `x-dynamodb-cost`, with transaction write units recomputed (support/capacity-model.ts). */
  cost: Cost;
  /** What DynamoDB Local itself reported as write units. */
  localWcu: number;
  /** Wall time of the HTTP call, client side. */
  ms: number;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Scim {
  tenantId: string;
  /** The tenant's bearer token (for calling the authorizer directly). */
  token: string;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
}

export interface LocalStack {
  ddb: DynamoDbLocal;
  ctx: AppContext;
  url: string;
  admin(method: string, path: string, body?: unknown): Promise<CallResult>;
  /** A SCIM client for a tenant (created if needed), with a full-scope token. */
  tenant(tenantId: string): Promise<Scim>;
  close(): Promise<void>;
}

// node:http rather than fetch: `x-dynamodb-cost` lists every DynamoDB call, and an operation that
// makes thousands of them overflows fetch's 16 KB header limit.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent, maxHeaderSize: 64 * 1024 * 1024 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function send(
  model: TransactionCapacityModel,
  url: string,
  method: string,
  authorization: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { Authorization: authorization, ...(options.headers ?? {}) };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/scim+json';
  }
  model.take();
  const start = nowMs();
  const res = await request(url, method, headers, body);
  const ms = nowMs() - start;
  let parsed: unknown;
  try {
    parsed = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    parsed = undefined;
  }
  const costHeader = res.headers['x-dynamodb-cost'];
  const cost = typeof costHeader === 'string' ? (JSON.parse(costHeader) as Cost) : emptyCost();
  const transactions = model.take();
  const localWcu = cost.wcu;
  cost.wcu = cost.wcu - transactions.reported + transactions.modelled;
  return { status: res.status, headers: res.headers, body: parsed, text: res.text, ms, cost, localWcu };
}

export async function startLocalStack(options: { authorizerCacheTtlSeconds?: number } = {}): Promise<LocalStack> {
  const ddb = await startDynamoDbLocal();
  try {
    const tableName = `scim-bench-${randomUUID().slice(0, 8)}`;
    await ensureTable(ddb.endpoint, tableName);
    const ctx: AppContext = {
      db: createDb({ tableName, endpoint: ddb.endpoint }),
      clock: () => new Date(),
      config: configFromEnv({}),
    };
    const model = new TransactionCapacityModel();
    model.attach(ctx.db.doc);
    const adminKey = `bench-admin-${randomUUID()}`;
    // A long authorizer cache, as deployed: the bench measures the route functions, not the token check.
    const server: Server = createLocalApi({
      ctx,
      adminKey,
      authorizerCacheTtlSeconds: options.authorizerCacheTtlSeconds ?? 3600,
      exposeCost: true,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const admin = (method: string, path: string, body?: unknown) =>
      send(
        model,
        `${url}/admin${path}`,
        method,
        `Bearer ${adminKey}`,
        body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } },
      );
    return {
      ddb,
      ctx,
      url,
      admin,
      async tenant(tenantId) {
        const put = await admin('PUT', `/tenants/${tenantId}`, {});
        if (put.status >= 300) throw new Error(`PUT /admin/tenants/${tenantId}: ${put.status} ${put.text}`);
        const res = await admin('POST', `/tenants/${tenantId}/tokens`, {
          name: `bench-${randomUUID().slice(0, 8)}`,
          scope: 'full',
        });
        if (res.status !== 201) throw new Error(`POST /admin/tenants/${tenantId}/tokens: ${res.status} ${res.text}`);
        const token = res.body.token as string;
        return {
          tenantId,
          token,
          call: (method, path, opts) => send(model, `${url}/scim/v2${path}`, method, `Bearer ${token}`, opts),
        };
      },
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await ddb.stop();
      },
    };
  } catch (error) {
    await ddb.stop();
    throw error;
  }
}

/** Throws with the response body when the status is not the expected one. */
export function expectStatus(res: CallResult, status: number | number[], what: string): CallResult {
  const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
  if (!ok) throw new Error(`${what}: expected ${String(status)}, got ${res.status} ${res.text.slice(0, 300)}`);
  return res;
}
