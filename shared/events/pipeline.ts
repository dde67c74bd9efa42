// What the events function does with one batch of stream records:
//
//   1. translate each record, in order (translate.ts); the first record that cannot be translated
//      (a poison record) ends the batch there;
//   2. put the names of the acting tokens on the events (one Query per token, then cached);
//   3. write the events to the tenants' feeds (BatchWriteItem, 25 a call, idempotent: exactly one
//      feed item per event) and put them on the bus (PutEvents, 10 a call), both at once;
//   4. answer which record to resume from (ReportBatchItemFailures): the first whose events did
//      not all land, or the poison record. Lambda retries from there (bounded) and then hands the
//      batch to the dead-letter queue. A poison record at the head of a longer batch throws
//      instead, so that Lambda bisects the batch until the poison is alone: it then goes to the
//      dead-letter queue by itself and never holds up the records behind it.
//
// Redelivery is safe: ids are derived from the records, the feed keeps one item per id, and bus
// consumers deduplicate by id (at-least-once on the bus, exactly-once in the feed).
import type { FeedEntry } from '#store/feed.ts';
import type { DirectoryEvent } from './envelope.ts';
import { safeKey, type StreamRecord } from './records.ts';
import { eventsOf, PoisonRecord, type Renderer } from './translate.ts';

/** Puts events on the bus; answers the ids it could not deliver. */
export type Publisher = (events: DirectoryEvent[], json: Map<string, string>) => Promise<Set<string>>;

export interface PipelineDeps {
  render: Renderer;
  /** Writes feed entries; answers the ids it could not write. */
  writeFeed: (entries: FeedEntry[]) => Promise<Set<string>>;
  /** The bus (EventBridge), or the local runner's log; none: the feed only. */
  publish?: Publisher;
  tokenName: (tenantId: string, tokenId: string) => Promise<string | undefined>;
  /** Feed retention in days (DynamoDB TTL on the feed items). */
  feedRetentionDays: number;
  log?: (message: string, detail: Record<string, unknown>) => void;
}

export interface BatchOutcome {
  /** ReportBatchItemFailures: the record to resume from, when not every record was handled. */
  batchItemFailures: Array<{ itemIdentifier: string }>;
  /** The events handled (delivered to the feed and the bus) in this call. */
  delivered: DirectoryEvent[];
}

/** Thrown for a poison record at the head of a batch of several: Lambda bisects the batch. */
export class PoisonAtHead extends Error {}

/** DynamoDB's item limit is 400 KB; EventBridge's entry limit 256 KB. */
const MAX_EVENT_BYTES = 200 * 1024;

/** The event as stored and sent: an event too big for an item or a bus entry drops its resource copy. */
export function serialise(event: DirectoryEvent): string {
  const json = JSON.stringify(event);
  if (Buffer.byteLength(json) <= MAX_EVENT_BYTES) return json;
  const { changed } = event.data as { changed?: unknown };
  return JSON.stringify({ ...event, data: { ...(changed ? { changed } : {}), truncated: true } });
}

const DAY_S = 86_400;

export async function processBatch(records: StreamRecord[], deps: PipelineDeps): Promise<BatchOutcome> {
  const perRecord: DirectoryEvent[][] = [];
  let poison: { index: number; error: Error } | undefined;
  for (const [index, record] of records.entries()) {
    try {
      perRecord.push(eventsOf(record, deps.render));
    } catch (error) {
      poison = { index, error: error instanceof Error ? error : new Error(String(error)) };
      break;
    }
  }
  if (poison) {
    const record = records[poison.index]!;
    deps.log?.('poison record', {
      eventID: record.eventID,
      sequenceNumber: record.dynamodb?.SequenceNumber,
      eventName: record.eventName,
      key: safeKey(record),
      error: poison.error instanceof PoisonRecord ? poison.error.message : String(poison.error),
    });
    if (poison.index === 0 && records.length > 1)
      throw new PoisonAtHead(
        `poison record ${record.dynamodb?.SequenceNumber} at the head of a batch of ${records.length}`,
      );
  }

  const events = perRecord.flat();
  await nameActors(events, deps);
  const json = new Map(events.map((e) => [e.id, serialise(e)]));
  const entries: FeedEntry[] = events.map((e) => ({
    tenantId: e.tenantId,
    id: e.id,
    type: e.type,
    occurredAt: e.occurredAt,
    json: json.get(e.id)!,
    ttl: Math.floor(Date.parse(e.occurredAt) / 1000) + deps.feedRetentionDays * DAY_S,
  }));
  const [feedFailed, busFailed] = await Promise.all([
    entries.length ? deps.writeFeed(entries) : new Set<string>(),
    deps.publish && events.length ? deps.publish(events, json) : new Set<string>(),
  ]);

  let resumeAt = poison?.index;
  for (const [index, list] of perRecord.entries()) {
    if (list.some((e) => feedFailed.has(e.id) || busFailed.has(e.id))) {
      resumeAt = index;
      break;
    }
  }
  if (resumeAt !== undefined && resumeAt !== poison?.index) {
    deps.log?.('events not delivered; the batch resumes here', {
      sequenceNumber: records[resumeAt]!.dynamodb?.SequenceNumber,
      feedFailed: feedFailed.size,
      busFailed: busFailed.size,
    });
  }
  const delivered = perRecord.slice(0, resumeAt ?? perRecord.length).flat();
  if (resumeAt === undefined) return { batchItemFailures: [], delivered };
  const sequenceNumber = records[resumeAt]!.dynamodb?.SequenceNumber;
  if (!sequenceNumber) throw new Error('stream record without a SequenceNumber');
  return { batchItemFailures: [{ itemIdentifier: sequenceNumber }], delivered };
}

async function nameActors(events: DirectoryEvent[], deps: PipelineDeps): Promise<void> {
  const wanted = new Map<string, { tenantId: string; tokenId: string }>();
  for (const e of events)
    if (e.actor.tokenId)
      wanted.set(`${e.tenantId}/${e.actor.tokenId}`, { tenantId: e.tenantId, tokenId: e.actor.tokenId });
  const names = new Map<string, string | undefined>();
  await Promise.all(
    [...wanted].map(async ([key, { tenantId, tokenId }]) => {
      try {
        names.set(key, await deps.tokenName(tenantId, tokenId));
      } catch (error) {
        // A name is a courtesy: without it the event still says which token (by id).
        deps.log?.('token name lookup failed', { tenantId, tokenId, error: String(error) });
      }
    }),
  );
  for (const e of events) {
    const name = e.actor.tokenId ? names.get(`${e.tenantId}/${e.actor.tokenId}`) : undefined;
    if (name) e.actor = { tokenId: e.actor.tokenId!, tokenName: name };
  }
}
