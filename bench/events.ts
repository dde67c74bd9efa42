// Change events (issue 12): what the events function costs per change, and how long a change takes
// to reach the tenant's feed. It runs the local runner's stream poller over its own table in the
// bench's DynamoDB Local, with the real events function code; EventBridge is a counting client
// (PutEvents calls and entries, as the real publisher batches them: 10 entries a call).
//
//   a. DynamoDB requests, write units and PutEvents calls per change, one change at a time (the
//      function sees each alone: the worst case for batching) and in a burst (records batched)
//   b. write → feed lag p50/p99 with the poller at its `npm start` interval (250 ms)
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { configFromEnv, type AppContext } from '#api/context.ts';
import { eventBridgePublisher } from '#events/bus.ts';
import type { DirectoryEvent } from '#events/envelope.ts';
import { eventsHandler } from '#functions/events/app.ts';
import { ensureTable } from '#infra/local/dynamodb-local.ts';
import { createLocalApi } from '#infra/local/server.ts';
import { startStreamPoller, type StreamPoller } from '#infra/local/stream-poller.ts';
import { createDb, metered } from '#store/client.ts';
import type { Report } from './support/report.ts';
import { percentile, round } from './support/stats.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Tally {
  records: number;
  invocations: number;
  events: number;
  requests: number;
  wcu: number;
  batchWrites: number;
  putEventsCalls: number;
}
const zero = (): Tally => ({
  records: 0,
  invocations: 0,
  events: 0,
  requests: 0,
  wcu: 0,
  batchWrites: 0,
  putEventsCalls: 0,
});

export async function runEvents(report: Report, options: { endpoint: string; changes: number }): Promise<void> {
  const tableName = `bench-events-${randomUUID()}`;
  await ensureTable(options.endpoint, tableName);
  const ctx: AppContext = {
    db: createDb({ tableName, endpoint: options.endpoint }),
    clock: () => new Date(),
    config: { ...configFromEnv({}), feedSettleMs: 0 },
  };
  const adminKey = `bench-${randomUUID()}`;
  const server = createLocalApi({ ctx, adminKey, authorizerCacheTtlSeconds: 60 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, at: Date.now() };
  };

  const tally = zero();
  const deliveredAt = new Map<string, number>();
  // EventBridge stand-in: counts calls; the real publisher does the batching.
  const bus = {
    send: async (command: PutEventsCommand) => {
      tally.putEventsCalls += 1;
      return { FailedEntryCount: 0, Entries: (command.input.Entries ?? []).map(() => ({ EventId: randomUUID() })) };
    },
  } as unknown as EventBridgeClient;
  const handler = eventsHandler(ctx, {
    publish: eventBridgePublisher(bus, 'bench-bus'),
    scimBase: `${url}/scim/v2`,
    feedRetentionDays: 30,
    onDelivered: (events: DirectoryEvent[]) => {
      const now = Date.now();
      tally.events += events.length;
      for (const e of events) {
        const version = (e.data.user as { meta?: { version?: string } } | undefined)?.meta?.version;
        if (version) deliveredAt.set(`${e.resource.id}/${version}`, now);
      }
    },
  });
  const measured = async (event: DynamoDBStreamEvent) => {
    const { result, cost } = await metered(() => handler(event));
    tally.invocations += 1;
    tally.records += event.Records.length;
    tally.requests += cost.requests;
    tally.wcu += cost.wcu;
    tally.batchWrites += cost.operations.filter((o) => o === 'BatchWriteItemCommand').length;
    return result;
  };

  let poller: StreamPoller | undefined;
  try {
    const admin = (method: string, path: string, body?: unknown) => call(method, `/admin${path}`, adminKey, body);
    await admin('PUT', '/tenants/bench', {});
    const token = (await admin('POST', '/tenants/bench/tokens', { name: 'bench-idp' })).body.token as string;
    const checkpointFile = join(mkdtempSync(join(tmpdir(), 'bench-events-')), 'checkpoints.json');
    poller = await startStreamPoller({
      endpoint: options.endpoint,
      tableName,
      handler: measured,
      intervalMs: 0,
      checkpointFile,
    });
    await poller.drain();

    const n = options.changes;
    const users: string[] = [];
    const createUser = async () => {
      const res = await call('POST', '/scim/v2/Users', token, { schemas: [USER], userName: `${randomUUID()}@bench` });
      users.push(res.body.id as string);
      return res;
    };
    const group = (await call('POST', '/scim/v2/Groups', token, { schemas: [GROUP], displayName: 'bench' })).body
      .id as string;
    const patch = (path: string, ops: unknown[]) =>
      call('PATCH', path, token, { schemas: [PATCH_OP], Operations: ops });
    await poller.drain();

    const kinds: Array<[string, (i: number) => Promise<unknown>]> = [
      ['create user', () => createUser()],
      [
        'PATCH user (one attribute)',
        (i) => patch(`/scim/v2/Users/${users[i]}`, [{ op: 'replace', path: 'title', value: `t${i}` }]),
      ],
      ['deactivate user', (i) => patch(`/scim/v2/Users/${users[i]}`, [{ op: 'replace', value: { active: false } }])],
      [
        'add one member',
        (i) => patch(`/scim/v2/Groups/${group}`, [{ op: 'add', path: 'members', value: [{ value: users[i] }] }]),
      ],
      [
        'remove one member',
        (i) => patch(`/scim/v2/Groups/${group}`, [{ op: 'remove', path: `members[value eq "${users[i]}"]` }]),
      ],
      ['delete user', (i) => call('DELETE', `/scim/v2/Users/${users[i]}`, token)],
    ];
    const rows: Array<Array<string | number>> = [];
    const measure = async (
      label: string,
      count: number,
      change: (i: number) => Promise<unknown>,
      oneByOne: boolean,
    ) => {
      const before = { ...tally };
      for (let i = 0; i < count; i += 1) {
        await change(i);
        if (oneByOne) await poller!.drain();
      }
      await poller!.drain();
      const d = Object.fromEntries(
        Object.entries(tally).map(([k, v]) => [k, v - before[k as keyof Tally]]),
      ) as unknown as Tally;
      rows.push([
        label,
        oneByOne ? 'one at a time' : `burst of ${count}`,
        round(d.events / count, 2),
        round(d.records / count, 2),
        round(d.requests / count, 2),
        round(d.batchWrites / count, 2),
        round(d.wcu / count, 2),
        round(d.putEventsCalls / count, 2),
        round(d.invocations / count, 2),
      ]);
    };
    const one = Math.min(20, n);
    for (const [label, change] of kinds) await measure(label, one, change, true);
    users.length = 0;
    await measure('create user', n, () => createUser(), false);
    await measure('add one member', n, kinds[3]![1], false);

    report.table('events', {
      title: 'events a. per change: events, stream records, DynamoDB requests and write units, PutEvents calls',
      columns: [
        'change',
        'arrival',
        'events',
        'records',
        'DynamoDB requests',
        'BatchWriteItem',
        'WCU',
        'PutEvents',
        'invocations',
      ],
      rows,
      notes: [
        'Records: every stream record the change makes (claims, counters, memberships); deployed, the event source mapping filters out those that cannot make an event, so invocations there are fewer.',
        'DynamoDB requests of the events function: one BatchWriteItem per ≤ 25 feed items, plus one Query per acting token per container (its name, then cached). PutEvents: one call per ≤ 10 events.',
      ],
    });
    report.data.eventsCost = rows;

    // b. Lag: the poller runs in the background as under `npm start`.
    await poller.stop();
    // From where the first poller stopped (its checkpoint), in the background as under `npm start`.
    poller = await startStreamPoller({
      endpoint: options.endpoint,
      tableName,
      handler: measured,
      intervalMs: 250,
      checkpointFile,
    });
    const written = new Map<string, number>();
    const ids = users.slice(0, Math.min(users.length, n));
    for (let i = 0; i < ids.length; i += 1) {
      const res = await patch(`/scim/v2/Users/${ids[i]}`, [{ op: 'replace', path: 'displayName', value: `lag ${i}` }]);
      written.set(`${ids[i]}/${(res.body as { meta: { version: string } }).meta.version}`, res.at);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
    }
    const deadline = Date.now() + 30_000;
    while ([...written.keys()].some((k) => !deliveredAt.has(k)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const lags = [...written].map(([k, at]) => Math.max(0, (deliveredAt.get(k) ?? Number.NaN) - at));
    const missing = lags.filter((l) => Number.isNaN(l)).length;
    const ok = lags.filter((l) => !Number.isNaN(l));
    const p50 = percentile(ok, 50);
    const p99 = percentile(ok, 99);
    report.table('events', {
      title: 'events b. write → feed lag locally (poller every 250 ms, as `npm start`)',
      columns: ['changes', 'p50 ms', 'p99 ms', 'max ms', 'not delivered in 30 s'],
      rows: [[ok.length, round(p50, 0), round(p99, 0), round(percentile(ok, 100), 0), missing]],
      notes: [
        'From the HTTP response of the PATCH to the moment its event is in the feed (and on the bus). The pull feed shows it after its settle time on top (FEED_SETTLE_MS, 3 s by default).',
      ],
    });
    report.data.eventsLag = { n: ok.length, p50, p99, missing };
    report.target({
      section: 'events',
      target: 'a change reaches the feed within ~2 s locally (p99)',
      met: missing === 0 && p99 <= 2000,
      detail: `p50 ${round(p50, 0)} ms, p99 ${round(p99, 0)} ms over ${ok.length} changes`,
    });
  } finally {
    await poller?.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
