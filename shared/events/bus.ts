// Where events go besides the feed: an EventBridge bus when deployed (source `scim.directory`,
// detail-type = the event type, detail = the envelope), or one JSON line per event on the local
// runner's stdout (EVENTS_LOG=1), where there is no EventBridge.
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from './envelope.ts';
import type { Publisher } from './pipeline.ts';

/** PutEvents takes at most 10 entries and 256 KB per call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
const PUT_EVENTS_MAX_BYTES = 256 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** EventBridge's size of an entry: Source, DetailType, Detail, Resources and 14 bytes for Time. */
const entrySize = (e: PutEventsRequestEntry) =>
  Buffer.byteLength(e.Source ?? '') + Buffer.byteLength(e.DetailType ?? '') + Buffer.byteLength(e.Detail ?? '') + 14;

/**
 * PutEvents in calls of at most 10 entries / 256 KB; entries EventBridge refuses (throttled,
 * internal failure) are retried `attempts` times with backoff. Answers the ids still refused.
 */
export function eventBridgePublisher(client: EventBridgeClient, busName: string, attempts = 3): Publisher {
  return async (events, json) => {
    const failed = new Set<string>();
    const calls: Array<Array<{ id: string; entry: PutEventsRequestEntry }>> = [];
    let call: (typeof calls)[number] = [];
    let bytes = 0;
    for (const e of events) {
      const entry: PutEventsRequestEntry = {
        Source: EVENT_SOURCE,
        DetailType: e.type,
        Detail: json.get(e.id)!,
        EventBusName: busName,
        Time: new Date(e.occurredAt),
      };
      const size = entrySize(entry);
      if (call.length === PUT_EVENTS_MAX_ENTRIES || (call.length && bytes + size > PUT_EVENTS_MAX_BYTES)) {
        calls.push(call);
        call = [];
        bytes = 0;
      }
      call.push({ id: e.id, entry });
      bytes += size;
    }
    if (call.length) calls.push(call);

    await Promise.all(
      calls.map(async (entries) => {
        let pending = entries;
        for (let attempt = 0; pending.length && attempt < attempts; attempt += 1) {
          if (attempt > 0) await sleep(Math.random() * 50 * 2 ** attempt);
          try {
            const out = await client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
            if (!out.FailedEntryCount) {
              pending = [];
              break;
            }
            // Results come back in the order of the entries; a failed one has an ErrorCode.
            pending = pending.filter((_, i) => out.Entries?.[i]?.ErrorCode !== undefined || !out.Entries?.[i]);
          } catch {
            // The whole call failed (throttled, network): try all of it again.
          }
        }
        for (const p of pending) failed.add(p.id);
      }),
    );
    return failed;
  };
}

/** The local runner's stand-in for the bus: each event as one JSON line. */
export function logPublisher(write: (line: string) => void): Publisher {
  return async (events, json) => {
    for (const e of events) write(json.get(e.id)!);
    return new Set();
  };
}
