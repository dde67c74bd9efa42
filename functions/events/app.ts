// The events function: the table's stream in (DynamoDB Streams event source mapping, or the local
// runner's poller), events out to the tenants' feeds and the bus. The work is in shared/events.
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { AppContext } from '#api/context.ts';
import { registryFor } from '#api/scim-routes.ts';
import type { DirectoryEvent } from '#events/envelope.ts';
import { processBatch, type Publisher } from '#events/pipeline.ts';
import type { StreamRecord } from '#events/records.ts';
import { resourceRenderer } from '#events/render.ts';
import { tokenNames } from '#events/token-names.ts';
import { logger } from '#http/logger.ts';
import { writeFeed } from '#store/feed.ts';

export interface EventsOptions {
  /** The bus (or the local log); none: the feed only. */
  publish?: Publisher;
  /** `https://<api>/<stage>/scim/v2`, for meta.location in events. */
  scimBase: string;
  feedRetentionDays: number;
  /** Called with the events of each batch once they are in the feed and on the bus (bench, local runner). */
  onDelivered?: (events: DirectoryEvent[]) => void;
}

export type EventsHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

export function eventsHandler(ctx: AppContext, options: EventsOptions): EventsHandler {
  const deps = {
    render: resourceRenderer(registryFor(ctx), options.scimBase),
    writeFeed: (entries: Parameters<typeof writeFeed>[1]) => writeFeed(ctx.db, entries),
    ...(options.publish ? { publish: options.publish } : {}),
    tokenName: tokenNames(ctx),
    feedRetentionDays: options.feedRetentionDays,
    log: (message: string, detail: Record<string, unknown>) => logger.warn(message, detail),
  };
  return async (event) => {
    const { batchItemFailures, delivered } = await processBatch(event.Records as StreamRecord[], deps);
    if (delivered.length) options.onDelivered?.(delivered);
    return { batchItemFailures };
  };
}
