// Test harness for change events: the local runner's stream poller over a LocalApi's table in
// DynamoDB Local, drained on demand (no background polling), with what it delivered, what went to
// the dead-letter sink, and the pull feed read through the admin API.
import { inject } from 'vitest';
import type { DirectoryEvent } from '#events/envelope.ts';
import type { Publisher } from '#events/pipeline.ts';
import { startLocalEvents, type DeadLetter, type StreamPoller } from '#infra/local/stream-poller.ts';
import type { LocalApi } from './local-api.ts';

export interface EventsHarness {
  poller: StreamPoller;
  /** Every event the function delivered, in delivery order. */
  delivered: DirectoryEvent[];
  deadLetters: DeadLetter[];
  /** Runs the events function over everything in the stream so far. */
  drain(): Promise<number>;
  /** The whole feed of a tenant through GET /admin/tenants/{t}/events, page by page. */
  feed(tenantId: string, query?: Record<string, string>): Promise<DirectoryEvent[]>;
  stop(): Promise<void>;
}

/** The API's clock follows real time (events are ordered by when changes happen). */
export function realClock(api: LocalApi): void {
  Object.defineProperty(api.clock, 'now', { get: () => new Date(), configurable: true });
}

export async function startEvents(
  api: LocalApi,
  options: { publish?: Publisher; retryAttempts?: number } = {},
): Promise<EventsHarness> {
  const delivered: DirectoryEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  const poller = await startLocalEvents({
    ctx: api.ctx,
    endpoint: inject('dynamodbEndpoint'),
    scimBase: api.scimUrl,
    intervalMs: 0,
    ...(options.publish ? { publish: options.publish } : {}),
    ...(options.retryAttempts !== undefined ? { retryAttempts: options.retryAttempts } : {}),
    onDelivered: (events) => delivered.push(...events),
    onDeadLetter: (letter) => deadLetters.push(letter),
  });
  return {
    poller,
    delivered,
    deadLetters,
    drain: () => poller.drain(),
    async feed(tenantId, query = {}) {
      const out: DirectoryEvent[] = [];
      let after: string | undefined;
      for (;;) {
        const params = new URLSearchParams({ limit: '1000', ...query, ...(after ? { after } : {}) });
        const res = await api.admin('GET', `/tenants/${tenantId}/events?${params}`);
        if (res.status !== 200) throw new Error(`GET events: ${res.status} ${res.text}`);
        out.push(...(res.body.events as DirectoryEvent[]));
        if (!res.body.events.length) return out;
        after = res.body.nextCursor as string;
      }
    },
    stop: () => poller.stop(),
  };
}
