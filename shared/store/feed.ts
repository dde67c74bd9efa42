// The tenant's event feed: what the events function (functions/events) writes for every change
// and the admin API's pull feed reads. One item per event:
//
//   pk keys.feed(t)   sk <event id>   type, occurredAt, event (the envelope as JSON text), ttl
//
// The event id is a ULID derived from the stream record (shared/events/event-id.ts), so the sort
// key is the feed's order and a redelivered record maps to the same item: writing it again
// rewrites the same key with the same content (exactly one item per event, and DynamoDB Streams
// emits nothing for a write that changes nothing). That is why plain BatchWriteItem puts suffice:
// 25 events per request, no read, no condition to fail.
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { backoff } from './transact.ts';

export interface FeedEntry {
  tenantId: string;
  id: string;
  type: string;
  occurredAt: string;
  /** The event envelope, serialised once (the bus sends the same text). */
  json: string;
  /** Epoch seconds: DynamoDB TTL removes the item after the feed's retention. */
  ttl: number;
}

/** DynamoDB's limit on requests in one BatchWriteItem call. */
export const FEED_BATCH = 25;

const feedItem = (e: FeedEntry) => ({
  pk: keys.feed(e.tenantId),
  sk: e.id,
  type: e.type,
  occurredAt: e.occurredAt,
  event: e.json,
  ttl: e.ttl,
});

/**
 * Writes the entries, FEED_BATCH per BatchWriteItem (in order, unprocessed items retried with
 * backoff). Returns the ids that could not be written after `attempts` rounds (empty: all written).
 */
export async function writeFeed(db: Db, entries: FeedEntry[], attempts = 5): Promise<Set<string>> {
  const failed = new Set<string>();
  // One request may not name a key twice; the same event twice in a batch is one item anyway.
  const unique = [...new Map(entries.map((e) => [`${e.tenantId}/${e.id}`, e])).values()];
  for (let i = 0; i < unique.length; i += FEED_BATCH) {
    const chunk = unique.slice(i, i + FEED_BATCH);
    let pending = chunk.map((e) => ({ PutRequest: { Item: feedItem(e) } }));
    try {
      for (let attempt = 0; pending.length && attempt < attempts; attempt += 1) {
        if (attempt > 0) await backoff(attempt);
        const out = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: pending } }));
        pending = (out.UnprocessedItems?.[db.tableName] ?? []) as typeof pending;
      }
    } catch {
      // The whole request failed (throttled, network): every entry still pending is failed.
    }
    for (const request of pending) failed.add(request.PutRequest.Item.sk);
  }
  return failed;
}

export interface FeedPage {
  /** The envelopes as stored (JSON text), oldest first. */
  events: string[];
  /** The last id read (returned or skipped by the type filter): where the next read starts. */
  position?: string;
}

/**
 * Lambda's response payload limit is 6 MB, and 1,000 events of a few KB each (a user's groups are
 * in its events) can pass it: API Gateway would then answer 502 at that cursor on every retry. A
 * page therefore also stops before its events' JSON passes this size (always at least one event).
 */
export const FEED_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * Events with `after` < id <= `upTo`, oldest first, at most `limit` and at most `maxBytes` of JSON
 * (FEED_PAGE_BYTES), optionally only some types. Strongly consistent, so an event already written
 * is never skipped by a cursor that moves past it.
 * With a type filter DynamoDB reads (and bills) the skipped events too; `maxRead` bounds that.
 */
export async function readFeed(
  db: Db,
  tenantId: string,
  options: {
    after?: string;
    upTo: string;
    limit: number;
    types?: readonly string[];
    maxRead?: number;
    maxBytes?: number;
  },
): Promise<FeedPage> {
  const { limit, types } = options;
  const maxRead = options.maxRead ?? Math.max(limit * 10, 1000);
  const maxBytes = options.maxBytes ?? FEED_PAGE_BYTES;
  // ULIDs are 26 characters: `<after>0` sorts right after `after` and before any later id.
  const low = options.after ? `${options.after}0` : '0';
  // A cursor at or past the upper bound (BETWEEN needs low <= high): nothing to read yet.
  if (low > options.upTo) return { events: [] };
  const events: string[] = [];
  let position: string | undefined;
  let read = 0;
  let bytes = 0;
  /** The page reached `maxBytes`: it ends at the last event returned, the next one starts the next. */
  let full = false;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
        ExpressionAttributeValues: {
          ':pk': keys.feed(tenantId),
          ':low': low,
          ':high': options.upTo,
          ...Object.fromEntries((types ?? []).map((t, i) => [`:t${i}`, t])),
        },
        ...(types?.length
          ? {
              FilterExpression: `#type IN (${types.map((_, i) => `:t${i}`).join(', ')})`,
              ExpressionAttributeNames: { '#type': 'type' },
            }
          : {}),
        ProjectionExpression: 'sk, event',
        // With a filter, read ahead: most events read may be of other types.
        Limit: Math.min(1000, (limit - events.length) * (types?.length ? 4 : 1)),
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      if (events.length === limit) break;
      const size = Buffer.byteLength(item.event as string);
      if (events.length && bytes + size > maxBytes) {
        full = true;
        break;
      }
      bytes += size;
      events.push(item.event as string);
      position = item.sk as string;
    }
    read += out.ScannedCount ?? 0;
    start = out.LastEvaluatedKey;
    // Filtered reads: the key the page stopped at is a position too (skipped events are not re-read).
    if (start && !full && events.length < limit) position = start.sk as string;
  } while (start && !full && events.length < limit && read < maxRead);
  return { events, ...(position ? { position } : {}) };
}

/** The newest event of the tenant's feed: one Query, newest first, one item. */
export async function latestFeedEntry(
  db: Db,
  tenantId: string,
): Promise<{ id: string; type: string; occurredAt: string } | undefined> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.feed(tenantId) },
      ExpressionAttributeNames: { '#type': 'type' },
      ProjectionExpression: 'sk, #type, occurredAt',
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const item = out.Items?.[0];
  return item ? { id: item.sk as string, type: item.type as string, occurredAt: item.occurredAt as string } : undefined;
}
