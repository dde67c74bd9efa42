// Item 6 (informational): end-to-end latency through the local runner under a small closed-loop
// load (N workers, each sending its next request when the previous one returns), next to the
// latency of a bare GetItem on DynamoDB Local, which dominates every figure here.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '#store/client.ts';
import { keys } from '#store/keys.ts';
import type { Directory } from './support/directory.ts';
import type { CallResult } from './support/local-stack.ts';
import type { Report } from './support/report.ts';
import { nowMs, percentile, round } from './support/stats.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Load {
  name: string;
  request: string;
  send(i: number): Promise<{ ok: boolean; ms: number }>;
}

async function closedLoop(load: Load, total: number, workers: number) {
  const ms: number[] = [];
  let errors = 0;
  let next = 0;
  const start = nowMs();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) {
        const i = next;
        next += 1;
        const r = await load.send(i);
        ms.push(r.ms);
        if (!r.ok) errors += 1;
      }
    }),
  );
  const seconds = (nowMs() - start) / 1000;
  return {
    name: load.name,
    request: load.request,
    n: ms.length,
    errors,
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    max: percentile(ms, 100),
    rps: ms.length / seconds,
  };
}

const http = (p: Promise<CallResult>, status: number) => p.then((r) => ({ ok: r.status === status, ms: r.ms }));

export async function runLatency(
  report: Report,
  dir: Directory,
  db: Db,
  options: { requests: number; workers: number },
): Promise<void> {
  // Spread over the directory so DynamoDB Local's caches do not flatter the figures.
  const pick = (i: number) => dir.users[(i * 7919) % dir.users.length]!;
  const loads: Load[] = [
    {
      name: 'DynamoDB Local GetItem (reference)',
      request: 'GetItem, consistent',
      send: async (i) => {
        const start = nowMs();
        await db.doc.send(
          new GetCommand({
            TableName: db.tableName,
            Key: keys.user(dir.scim.tenantId, pick(i).id),
            ConsistentRead: true,
          }),
        );
        return { ok: true, ms: nowMs() - start };
      },
    },
    {
      name: 'GET user',
      request: 'GET /Users/{id}',
      send: (i) => http(dir.scim.call('GET', `/Users/${pick(i).id}`), 200),
    },
    {
      name: 'filter userName',
      request: 'GET /Users?filter=userName eq',
      send: (i) =>
        http(dir.scim.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${pick(i).userName}"`)}`), 200),
    },
    {
      name: 'PATCH user',
      request: 'PATCH /Users/{id} (Entra replace)',
      send: (i) =>
        http(
          dir.scim.call('PATCH', `/Users/${pick(i).id}`, {
            body: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: `Renamed ${i}` }] },
          }),
          200,
        ),
    },
  ];
  const rows = [];
  for (const load of loads) {
    await closedLoop(load, Math.min(50, options.requests), options.workers); // warm-up
    rows.push(await closedLoop(load, options.requests, options.workers));
  }
  report.table('latency', {
    title: `6. Local end-to-end latency (informational): ${options.requests} requests per row, ${options.workers} concurrent clients, ${dir.size.toLocaleString('en-US')} users`,
    columns: ['operation', 'request', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'req/s', 'errors'],
    rows: rows.map((r) => [
      r.name,
      r.request,
      round(r.p50, 1),
      round(r.p90, 1),
      round(r.p99, 1),
      round(r.max, 1),
      round(r.rps, 0),
      r.errors,
    ]),
    notes: [
      "Client, local API emulation, handlers and DynamoDB Local (Java) share this machine's cores; DynamoDB Local's own latency (first row) dominates. Figures on AWS differ: read the cost tables for what scales.",
    ],
  });
  report.data.latency = { ...options, rows };
}
