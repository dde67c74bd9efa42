// Issue 11 item 4: DynamoDB faults are survived. A fault-injecting HTTP proxy sits between the
// local runner and DynamoDB Local and, per DynamoDB operation, answers with throttling errors,
// a throttled transaction cancellation, a 500, a request that never answers (timeout) or a reset
// connection. Every such request ends with 503 + Retry-After and a SCIM error body, within the
// client's timeouts, and leaves nothing half-written behind.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { configFromEnv, type AppContext } from '#api/context.ts';
import { ensureTable, freePort } from '#infra/local/dynamodb-local.ts';
import { createLocalApi } from '#infra/local/server.ts';
import { createDb } from '#store/client.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

type Fault =
  | { kind: 'error'; status: number; body: Record<string, unknown> }
  /** Accept the request and never answer: the SDK's requestTimeout ends it. */
  | { kind: 'hang' }
  /** Drop the connection mid-request (ECONNRESET on the client). */
  | { kind: 'reset' };

interface Rule {
  /** DynamoDB operation, from X-Amz-Target: GetItem, Query, TransactWriteItems, ... */
  operation: string;
  fault: Fault;
  /** Inject this many times, then let requests through (default: always). */
  times?: number;
}

const DDB = 'com.amazonaws.dynamodb.v20120810';
const FAULTS = {
  provisionedThroughput: {
    kind: 'error',
    status: 400,
    body: {
      __type: `${DDB}#ProvisionedThroughputExceededException`,
      message: 'The level of configured provisioned throughput for the table was exceeded.',
    },
  },
  throttling: {
    kind: 'error',
    status: 400,
    body: {
      __type: 'com.amazon.coral.availability#ThrottlingException',
      message: 'Rate of requests exceeds the allowed throughput.',
    },
  },
  requestLimit: {
    kind: 'error',
    status: 400,
    body: {
      __type: `${DDB}#RequestLimitExceeded`,
      message: 'Throughput exceeds the current throughput limit for your account.',
    },
  },
  internal: {
    kind: 'error',
    status: 500,
    body: { __type: `${DDB}#InternalServerError`, message: 'Internal server error' },
  },
  /** A transaction cancelled because one of its items was throttled (the other reasons are None). */
  throttledTransaction: (items: number, throttled = 0): Fault => ({
    kind: 'error',
    status: 400,
    body: {
      __type: `${DDB}#TransactionCanceledException`,
      Message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ThrottlingError]',
      CancellationReasons: Array.from({ length: items }, (_, i) =>
        i === throttled
          ? { Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity of your table or index.' }
          : { Code: 'None' },
      ),
    },
  }),
  hang: { kind: 'hang' },
  reset: { kind: 'reset' },
} as const satisfies Record<string, Fault | ((...args: never[]) => Fault)>;

/** An HTTP proxy in front of DynamoDB Local that injects the faults its rules name. */
async function startFaultProxy(upstream: string) {
  const rules: Rule[] = [];
  const seen: string[] = [];
  const hanging = new Set<http.ServerResponse>();
  const target = new URL(upstream);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      seen.push(operation);
      const rule = rules.find((r) => r.operation === operation && (r.times === undefined || r.times > 0));
      if (rule) {
        if (rule.times !== undefined) rule.times -= 1;
        const { fault } = rule;
        if (fault.kind === 'hang') {
          hanging.add(res);
          return;
        }
        if (fault.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        res.writeHead(fault.status, { 'Content-Type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(fault.body));
        return;
      }
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', () => req.socket.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rules,
    seen,
    inject(rule: Rule) {
      rules.push(rule);
    },
    clear() {
      rules.length = 0;
      seen.length = 0;
      for (const res of hanging) res.socket?.destroy();
      hanging.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.socket?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
let server: http.Server;
let url = '';
let token = '';
let adminKey = '';
let userId = '';
let groupId = '';
/** Straight to DynamoDB Local, never through the proxy: what is really stored. */
let truth: AppContext['db'];

// Short timeouts and one retry, so each fault ends within a few seconds; the production values
// (shared/store/client.ts) keep the same shape: attempts × timeout well inside the 20 s.
const TIMEOUTS = { requestTimeoutMs: 2000, connectionTimeoutMs: 2000, maxAttempts: 2 };

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const started = Date.now();
  const res = await fetch(`${url}${path.startsWith('/admin') ? path : `/scim/v2${path}`}`, {
    method,
    headers: {
      Authorization: `Bearer ${path.startsWith('/admin') ? adminKey : token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: text ? JSON.parse(text) : undefined,
    ms: Date.now() - started,
  };
}

const expect503 = (res: Awaited<ReturnType<typeof call>>) => {
  expect(res.status, res.text).toBe(503);
  expect(res.headers.get('retry-after'), res.text).toMatch(/^\d+$/);
  expect(res.body).toMatchObject({ schemas: [ERROR], status: '503' });
  expect(res.body.detail, res.text).toMatch(/nothing was written, retry after the delay/);
  // Within the client's timeouts: nowhere near API Gateway's 29 s.
  expect(res.ms).toBeLessThan(10_000);
};

beforeAll(async () => {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `scim-faults-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  proxy = await startFaultProxy(endpoint);
  truth = createDb({ tableName, endpoint });
  const ctx: AppContext = {
    db: createDb({ tableName, endpoint: proxy.url, ...TIMEOUTS }),
    clock: () => new Date(),
    config: configFromEnv({}),
  };
  adminKey = `faults-${randomUUID()}`;
  // A long authorizer cache: faults are injected into the route functions' calls, not the token check.
  server = createLocalApi({ ctx, adminKey, authorizerCacheTtlSeconds: 3600 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  expect((await call('PUT', '/admin/tenants/faults', {})).status).toBeLessThan(300);
  const created = await call('POST', '/admin/tenants/faults/tokens', { name: 'faults' });
  expect(created.status, created.text).toBe(201);
  token = created.body.token;
  const user = await call('POST', '/Users', { schemas: [USER], userName: 'steady@example.com' });
  expect(user.status, user.text).toBe(201);
  userId = user.body.id;
  const group = await call('POST', '/Groups', {
    schemas: [GROUP],
    displayName: 'Steady',
    members: [{ value: userId }],
  });
  expect(group.status, group.text).toBe(201);
  groupId = group.body.id;
}, 120_000);
beforeEach(() => proxy.clear());
afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await proxy?.close();
});

/** The directory as DynamoDB Local holds it, read past the proxy. */
async function stored() {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const items = async (pk: string) =>
    (
      await truth.doc.send(
        new QueryCommand({
          TableName: truth.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      )
    ).Items ?? [];
  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const tenant = (
    await truth.doc.send(new GetCommand({ TableName: truth.tableName, Key: { pk: 'TENANT#faults', sk: 'TENANT' } }))
  ).Item;
  return {
    counts: { users: tenant?.userCount, groups: tenant?.groupCount },
    users: (await items('T#faults#USER')).map((i) => i.sk as string),
    groups: (await items('T#faults#GROUP')).map((i) => ({ id: i.sk as string, v: i.v as number })),
    claims:
      (
        await truth.doc.send(
          new QueryCommand({
            TableName: truth.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'T#faults#USERNAME#faulty@example.com' },
          }),
        )
      ).Items ?? [],
    members: (await items(`T#faults#MEMBERS#${groupId}`)).map((i) => i.sk as string),
  };
}

describe('issue 11 item 4: DynamoDB faults are survived', () => {
  for (const [name, fault] of [
    ['ProvisionedThroughputExceededException', FAULTS.provisionedThroughput],
    ['ThrottlingException', FAULTS.throttling],
    ['RequestLimitExceeded', FAULTS.requestLimit],
    ['InternalServerError (HTTP 500)', FAULTS.internal],
    ['a timeout (DynamoDB never answers)', FAULTS.hang],
    ['a reset connection', FAULTS.reset],
  ] as const) {
    it(`finding: ${name} on a read → 503 with Retry-After and a SCIM error body`, async () => {
      proxy.inject({ operation: 'GetItem', fault });
      expect503(await call('GET', `/Users/${userId}`));
      expect(proxy.seen.filter((op) => op === 'GetItem').length, 'the SDK retried once').toBeGreaterThanOrEqual(2);
    });

    it(`finding: ${name} on a write → 503 with Retry-After, and nothing written`, async () => {
      const before = await stored();
      proxy.inject({ operation: 'TransactWriteItems', fault });
      expect503(await call('POST', '/Users', { schemas: [USER], userName: 'faulty@example.com' }));
      proxy.clear();
      expect(await stored()).toEqual(before);
    });
  }

  it('finding: TransactionCanceledException with ThrottlingError reasons → retried, then 503; the group unchanged', async () => {
    const before = await stored();
    proxy.inject({ operation: 'TransactWriteItems', fault: FAULTS.throttledTransaction(4, 1) });
    const res = await call('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Renamed' },
        { op: 'remove', path: `members[value eq "${userId}"]` },
      ],
    });
    expect503(res);
    expect(proxy.seen.filter((op) => op === 'TransactWriteItems').length, 'retried before giving up').toBeGreaterThan(
      2,
    );
    proxy.clear();
    expect(await stored()).toEqual(before);
    const group = await call('GET', `/Groups/${groupId}`);
    expect(group.body.displayName).toBe('Steady');
  });

  it('a throttled transaction that succeeds on a retry answers as if nothing happened', async () => {
    proxy.inject({ operation: 'TransactWriteItems', fault: FAULTS.throttledTransaction(3, 0), times: 2 });
    const res = await call('POST', '/Users', { schemas: [USER], userName: 'patient@example.com' });
    expect(res.status, res.text).toBe(201);
  });

  it('a throttled read that succeeds on the SDK retry is a normal 200', async () => {
    proxy.inject({ operation: 'GetItem', fault: FAULTS.throttling, times: 1 });
    const res = await call('GET', `/Users/${userId}`);
    expect(res.status, res.text).toBe(200);
  });

  it('finding: throttled listing (Query) and a reset during a filter → 503, never 500', async () => {
    proxy.inject({ operation: 'Query', fault: FAULTS.provisionedThroughput });
    expect503(await call('GET', '/Groups'));
    proxy.clear();
    proxy.inject({ operation: 'Query', fault: FAULTS.reset });
    expect503(await call('GET', `/Users?filter=${encodeURIComponent('title pr')}`));
    proxy.clear();
    proxy.inject({ operation: 'BatchGetItem', fault: FAULTS.throttling });
    proxy.inject({ operation: 'Query', fault: FAULTS.throttling });
    expect503(await call('POST', '/.search', { filter: `members eq "${userId}"` }));
  });

  it('a fault while the authorizer reads a token → 503 with Retry-After (AUTHORIZER_FAILURE when deployed), never 500', async () => {
    // A token the authorizer has not seen yet, so the check runs (the file's own token is cached).
    const issued = await call('POST', '/admin/tenants/faults/tokens', { name: 'uncached' });
    expect(issued.status, issued.text).toBe(201);
    proxy.inject({ operation: 'GetItem', fault: FAULTS.throttling });
    const res = await call('GET', '/Users', undefined, { Authorization: `Bearer ${issued.body.token}` });
    expect(res.status, res.text).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '503' });
    expect(res.body.detail).toMatch(/the token could not be checked right now/);
    // The failure was not cached: once DynamoDB answers, the same token works.
    proxy.clear();
    const again = await call('GET', '/Users', undefined, { Authorization: `Bearer ${issued.body.token}` });
    expect(again.status, again.text).toBe(200);
    expect((await call('DELETE', `/admin/tenants/faults/tokens/${issued.body.id}`)).status).toBe(204);
  });

  it('finding: DynamoDB unreachable (connection refused) → 503', async () => {
    const port = await freePort();
    const ctx: AppContext = {
      db: createDb({ tableName: truth.tableName, endpoint: `http://127.0.0.1:${port}`, ...TIMEOUTS }),
      clock: () => new Date(),
      config: configFromEnv({}),
    };
    // Admin routes need no token: the outage shows on the first DynamoDB call.
    const down = createLocalApi({ ctx, adminKey });
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(down.address() as AddressInfo).port}/admin/tenants/faults`, {
        headers: { Authorization: `Bearer ${adminKey}` },
      });
      const text = await res.text();
      expect(res.status, text).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      down.closeAllConnections();
      down.close();
    }
  });
});
