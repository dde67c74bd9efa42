// Change events when things go wrong, with the event source mapping's rules (the local runner's
// poller keeps them: partial batch failures, bisect on error, bounded retries, dead-letter queue):
// EventBridge refusing some entries, EventBridge refusing everything for a while, and a poison
// record in the stream. Nothing is lost from the feed or doubled in it, the shard never stalls,
// and what could not be delivered is in the dead-letter queue.
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgePublisher } from '#events/bus.ts';
import type { DirectoryEvent } from '#events/envelope.ts';
import { keys } from '#store/keys.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';
import { realClock, startEvents, type EventsHarness } from '../support/events.ts';
import { startEventBridgeEmulator, type EventBridgeEmulator } from '../support/eventbridge-emulator.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let api: LocalApi;
let bus: EventBridgeEmulator;
let events: EventsHarness;

beforeAll(async () => {
  api = await startLocalApi({ config: { feedSettleMs: 0 } });
  realClock(api);
  bus = await startEventBridgeEmulator();
  events = await startEvents(api, { publish: eventBridgePublisher(bus.client, 'fault-bus'), retryAttempts: 3 });
  await events.drain();
}, 120_000);
afterAll(async () => {
  await events?.stop();
  await bus?.close();
  await api?.close();
});

async function createUser(): Promise<string> {
  const res = await api.call('POST', '/Users', { body: { schemas: [USER], userName: `${randomUUID()}@faults.test` } });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

const onBus = (from: number) => bus.accepted.slice(from).map((e) => JSON.parse(e.Detail) as DirectoryEvent);
const count = (list: DirectoryEvent[], type: string, id: string) =>
  list.filter((e) => e.type === type && e.resource.id === id).length;

describe('EventBridge partial failure', () => {
  it('refused entries are retried; the batch resumes at the first undelivered record; the feed has each event once', async () => {
    const busFrom = bus.accepted.length;
    let refusals = 0;
    // Deactivations are throttled 4 times: more than one invocation's 3 attempts.
    bus.refuse = (entry) =>
      entry.DetailType === 'user.deactivated' && refusals++ < 4 ? 'ThrottlingException' : undefined;
    const a = await createUser();
    const b = await createUser();
    const patch = await api.call('PATCH', `/Users/${a}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] },
    });
    expect(patch.status, patch.text).toBe(200);
    const c = await createUser();
    await events.drain();
    bus.refuse = () => undefined;

    expect(refusals, 'the deactivation was refused 4 times, then accepted').toBe(5);
    expect(events.deadLetters).toEqual([]);
    const sent = onBus(busFrom);
    // Before the refused record: delivered once. The refused one: accepted once. After it: at least once.
    expect(count(sent, 'user.created', a)).toBe(1);
    expect(count(sent, 'user.created', b)).toBe(1);
    expect(count(sent, 'user.deactivated', a)).toBe(1);
    expect(count(sent, 'user.created', c)).toBeGreaterThanOrEqual(1);
    const feed = await events.feed('default');
    for (const [type, id] of [
      ['user.created', a],
      ['user.created', b],
      ['user.deactivated', a],
      ['user.created', c],
    ] as const) {
      expect(count(feed, type, id), `${type} ${id} in the feed`).toBe(1);
    }
    expect(new Set(sent.map((e) => e.id))).toEqual(
      new Set(feed.filter((e) => [a, b, c].includes(e.resource.id)).map((e) => e.id)),
    );
  });

  it('a bus refusing everything: after bounded retries the batch goes to the dead-letter queue and the shard moves on', async () => {
    const busFrom = bus.accepted.length;
    const letters = events.deadLetters.length;
    bus.refuse = () => 'InternalFailure';
    const d = await createUser();
    await events.drain();
    bus.refuse = () => undefined;
    expect(events.deadLetters.length).toBe(letters + 1);
    const [letter] = events.deadLetters.slice(letters);
    expect(letter!.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 });
    expect(letter!.DDBStreamBatchInfo.batchSize).toBeGreaterThanOrEqual(1);
    expect(onBus(busFrom)).toEqual([]);
    // The feed write did not depend on the bus.
    expect(count(await events.feed('default'), 'user.created', d)).toBe(1);

    const e = await createUser();
    await events.drain();
    expect(events.deadLetters.length, 'nothing more to the dead-letter queue').toBe(letters + 1);
    expect(count(onBus(busFrom), 'user.created', e)).toBe(1);
  });
});

describe('poison record', () => {
  it('goes to the dead-letter queue alone; the records before and after it are delivered', async () => {
    const letters = events.deadLetters.length;
    const before = await createUser();
    // An item with the user key shape that no code of ours writes: a timestamp that is not one.
    const poisonId = ulid();
    await api.ctx.db.doc.send(
      new PutCommand({
        TableName: api.ctx.db.tableName,
        Item: { ...keys.user('default', poisonId), rt: 'User', v: 1, lastModified: 'yesterday', doc: {} },
      }),
    );
    const after = await createUser();
    await events.drain();

    const added = events.deadLetters.slice(letters);
    expect(added).toHaveLength(1);
    expect(added[0]!.DDBStreamBatchInfo.batchSize, 'bisected down to the poison record alone').toBe(1);
    expect(added[0]!.DDBStreamBatchInfo.startSequenceNumber).toBe(added[0]!.DDBStreamBatchInfo.endSequenceNumber);
    const feed = await events.feed('default');
    expect(count(feed, 'user.created', before)).toBe(1);
    expect(count(feed, 'user.created', after)).toBe(1);
    expect(feed.some((e) => e.resource.id === poisonId)).toBe(false);
  });
});
