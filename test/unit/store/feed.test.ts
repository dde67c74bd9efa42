// The pull feed's page bounds (shared/store/feed.ts readFeed) over a mocked document client: a page
// stops at `limit` events and also before its JSON passes FEED_PAGE_BYTES (Lambda answers at most
// 6 MB), and the next page resumes right after the last event returned: no event skipped or repeated.
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '#store/client.ts';
import { FEED_PAGE_BYTES, readFeed } from '#store/feed.ts';

const db = createDb({ tableName: 'unit-feed', endpoint: 'http://127.0.0.1:9' });
const ddb = mockClient(db.doc);
const UP_TO = '7ZZZZZZZZZZZZZZZZZZZZZZZZZ';

/** Event ids that sort in order: 01KBE5Q7Y1 + 16 digits. */
const idOf = (i: number) => `01KBE5Q7Y1${String(i).padStart(16, '0')}`;

/** `count` events of about `size` bytes of JSON each (a user in many groups). */
const feedOf = (count: number, size: number) =>
  Array.from({ length: count }, (_, i) => ({
    sk: idOf(i),
    event: JSON.stringify({ id: idOf(i), type: 'user.updated', data: { pad: 'x'.repeat(size - 80) } }),
  }));

/** Answers Queries from `items` as DynamoDB would: key range, Limit, at most 1 MB, LastEvaluatedKey. */
function serve(items: Array<{ sk: string; event: string }>) {
  ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues as Record<string, string>;
    const [low, high] = [values[':low']!, values[':high']!];
    const after = (input.ExclusiveStartKey?.sk as string | undefined) ?? '';
    const range = items.filter((i) => i.sk >= low && i.sk <= high && i.sk > after);
    const out: typeof items = [];
    let bytes = 0;
    for (const item of range) {
      if (out.length === input.Limit || bytes >= 1024 * 1024) break;
      out.push(item);
      bytes += item.event.length;
    }
    const more = out.length < range.length;
    return {
      Items: out,
      ScannedCount: out.length,
      ...(more ? { LastEvaluatedKey: { pk: values[':pk'], sk: out.at(-1)!.sk } } : {}),
    };
  });
}

beforeEach(() => ddb.reset());

describe('readFeed page size', () => {
  it('1,000 events of ~6 KB: a page stops under FEED_PAGE_BYTES, and the pages resume without a gap or a repeat', async () => {
    const items = feedOf(1000, 6000);
    serve(items);
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const out = await readFeed(db, 'acme', { ...(after ? { after } : {}), upTo: UP_TO, limit: 1000 });
      if (!out.events.length) break;
      const bytes = out.events.reduce((n, e) => n + Buffer.byteLength(e), 0);
      expect(bytes, `page ${page}`).toBeLessThanOrEqual(FEED_PAGE_BYTES);
      // The whole answer (the events parsed and serialised again) stays under Lambda's 6 MB.
      expect(
        Buffer.byteLength(JSON.stringify({ events: out.events.map((e) => JSON.parse(e) as unknown) })),
      ).toBeLessThan(6 * 1024 * 1024);
      const ids = out.events.map((e) => (JSON.parse(e) as { id: string }).id);
      expect(out.position, 'the cursor is the last event returned').toBe(ids.at(-1));
      seen.push(...ids);
      after = out.position;
    }
    expect(seen).toEqual(items.map((i) => i.sk));
    // 6 MB of events do not fit one page.
    expect(seen.length).toBe(1000);
  });

  it('stops before the event that would pass maxBytes, even mid-Query, and always returns at least one event', async () => {
    const items = feedOf(10, 1000);
    serve(items);
    const size = Buffer.byteLength(items[0]!.event);
    const first = await readFeed(db, 'acme', { upTo: UP_TO, limit: 10, maxBytes: size * 3 + 1 });
    expect(first.events).toEqual(items.slice(0, 3).map((i) => i.event));
    expect(first.position).toBe(items[2]!.sk);
    const single = await readFeed(db, 'acme', { after: first.position!, upTo: UP_TO, limit: 10, maxBytes: 10 });
    expect(single.events).toEqual([items[3]!.event]);
    expect(single.position).toBe(items[3]!.sk);
  });

  it('with a type filter, a page cut by size resumes at the last event returned, not where the Query stopped', async () => {
    const items = feedOf(10, 1000);
    // Each Query returns the whole range, with a LastEvaluatedKey beyond the events returned.
    ddb.on(QueryCommand).resolves({ Items: items, ScannedCount: 10, LastEvaluatedKey: { sk: items[9]!.sk } });
    const size = Buffer.byteLength(items[0]!.event);
    const out = await readFeed(db, 'acme', { upTo: UP_TO, limit: 10, types: ['user.updated'], maxBytes: size * 2 });
    expect(out.events.length).toBe(2);
    expect(out.position).toBe(items[1]!.sk);
    expect(ddb.commandCalls(QueryCommand).length).toBe(1);
  });
});
