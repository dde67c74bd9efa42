// The local runner's stand-in for Lambda's DynamoDB Streams event source mapping: it reads DynamoDB
// Local's stream (the same Streams API: DescribeStream, GetShardIterator, GetRecords) and invokes
// the events function's handler with Lambda's event shape, keeping the mapping's failure rules
// (infra/events.ts): a partial batch failure resumes from the reported record, a thrown error
// bisects the batch, retries are bounded, and a batch that still fails goes to the dead-letter
// sink (Lambda's on-failure record, as the SQS queue would receive it). Parent shards are read
// before their children; positions are kept in a checkpoint file, so a restart resumes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { AppContext } from '#api/context.ts';
import { logPublisher } from '#events/bus.ts';
import type { DirectoryEvent } from '#events/envelope.ts';
import type { Publisher } from '#events/pipeline.ts';
import { DEFAULT_FEED_RETENTION_DAYS } from '#events/settings.ts';
import { eventsHandler } from '#functions/events/app.ts';
import { TABLE } from '#store/table.ts';
import { localClient } from './dynamodb-local.ts';

/** What Lambda sends to the on-failure destination for a batch it gave up on. */
export interface DeadLetter {
  requestContext: { condition: 'RetryAttemptsExhausted'; approximateInvokeCount: number; functionError?: string };
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    batchSize: number;
    streamArn: string;
  };
  timestamp: string;
}

export interface StreamPollerOptions {
  endpoint: string;
  tableName: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /** Records per invocation (the mapping's batchSize). @default 100 */
  batchSize?: number;
  /** Polling period; 0: no background polling, call drain(). @default 250 */
  intervalMs?: number;
  /** Retries of a failing batch before it goes to the dead-letter sink. @default 2 */
  retryAttempts?: number;
  onDeadLetter?: (letter: DeadLetter) => void;
  /** JSON file keeping each shard's last delivered sequence number. */
  checkpointFile?: string;
  log?: (message: string) => void;
}

export interface StreamPoller {
  /** Reads until every shard answers with no new record; resolves with how many records it delivered. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

interface ShardState {
  shardId: string;
  parentId?: string;
  iterator?: string;
  lastSequence?: string;
  /** The shard is closed and read to its end. */
  done: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SHARD_LIST_INTERVAL_MS = 5000;

/** Turns the stream on for a table created without it (a `.data` folder from an older version). */
async function streamArnOf(endpoint: string, tableName: string): Promise<string> {
  const client = localClient(endpoint);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.StreamSpecification?.StreamEnabled && Table.LatestStreamArn) return Table.LatestStreamArn;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamView },
      }),
    );
    const again = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!again.Table?.LatestStreamArn) throw new Error(`table ${tableName} has no stream`);
    return again.Table.LatestStreamArn;
  } finally {
    client.destroy();
  }
}

/** A GetRecords record as Lambda hands it to the function (creation time in epoch seconds). */
function lambdaRecord(r: _Record, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime: created, ...rest } = r.dynamodb ?? {};
  return {
    ...(r.eventID ? { eventID: r.eventID } : {}),
    ...(r.eventName ? { eventName: r.eventName } : {}),
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion ?? 'local',
    eventSourceARN: streamArn,
    ...(r.userIdentity ? { userIdentity: r.userIdentity } : {}),
    dynamodb: {
      ...(rest as NonNullable<DynamoDBRecord['dynamodb']>),
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
    },
  };
}

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { endpoint, tableName, handler } = options;
  const batchSize = options.batchSize ?? 100;
  const retryAttempts = options.retryAttempts ?? 2;
  const log = options.log ?? (() => undefined);
  const streamArn = await streamArnOf(endpoint, tableName);
  const client = new DynamoDBStreamsClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  const shards = new Map<string, ShardState>();
  let saved: Record<string, string> = {};
  if (options.checkpointFile && existsSync(options.checkpointFile)) {
    const file = JSON.parse(readFileSync(options.checkpointFile, 'utf8')) as {
      streamArn?: string;
      shards?: Record<string, string>;
    };
    if (file.streamArn === streamArn) saved = file.shards ?? {};
  }
  const checkpoint = () => {
    if (!options.checkpointFile) return;
    const positions = Object.fromEntries(
      [...shards.values()].filter((s) => s.lastSequence).map((s) => [s.shardId, s.lastSequence!]),
    );
    writeFileSync(options.checkpointFile, JSON.stringify({ streamArn, shards: positions }, null, 2));
  };

  async function refreshShards(): Promise<void> {
    let start: string | undefined;
    const found: Shard[] = [];
    do {
      const out = await client.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }),
      );
      found.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const shard of found) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        ...(shard.ParentShardId ? { parentId: shard.ParentShardId } : {}),
        ...(saved[shard.ShardId] ? { lastSequence: saved[shard.ShardId] } : {}),
        done: false,
      });
    }
  }

  async function iteratorFor(shard: ShardState): Promise<string | undefined> {
    const out = await client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.shardId,
        ...(shard.lastSequence
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSequence }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  }

  async function invoke(batch: DynamoDBRecord[]): Promise<{ failedAt?: number; error?: unknown }> {
    try {
      const res = await handler({ Records: batch });
      const failures = res?.batchItemFailures ?? [];
      if (!failures.length) return {};
      // Lambda resumes from the lowest reported sequence number; an unknown one fails the batch.
      const indexes = failures.map((f) => batch.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier));
      return { failedAt: indexes.some((i) => i < 0) ? 0 : Math.min(...indexes) };
    } catch (error) {
      return { error };
    }
  }

  /** One GetRecords result through the function, with the mapping's failure rules. */
  async function deliver(shardId: string, records: DynamoDBRecord[]): Promise<void> {
    const queue: DynamoDBRecord[][] = [records];
    while (queue.length) {
      let batch = queue.shift()!;
      for (let attempts = 0; ;) {
        const { failedAt, error } = await invoke(batch);
        if (failedAt === undefined && error === undefined) break;
        if (error !== undefined && batch.length > 1) {
          // bisectBatchOnError: both halves are retried, in order, as batches of their own.
          const mid = Math.ceil(batch.length / 2);
          queue.unshift(batch.slice(0, mid), batch.slice(mid));
          break;
        }
        if (failedAt !== undefined) batch = batch.slice(failedAt);
        attempts += 1;
        if (attempts > retryAttempts) {
          const letter: DeadLetter = {
            requestContext: {
              condition: 'RetryAttemptsExhausted',
              approximateInvokeCount: attempts,
              ...(error !== undefined ? { functionError: String(error) } : {}),
            },
            DDBStreamBatchInfo: {
              shardId,
              startSequenceNumber: batch[0]!.dynamodb!.SequenceNumber!,
              endSequenceNumber: batch[batch.length - 1]!.dynamodb!.SequenceNumber!,
              batchSize: batch.length,
              streamArn,
            },
            timestamp: new Date().toISOString(),
          };
          log(`events: batch of ${batch.length} record(s) sent to the dead-letter sink (shard ${shardId})`);
          options.onDeadLetter?.(letter);
          break;
        }
        await sleep(Math.min(1000, 20 * 2 ** attempts));
      }
    }
  }

  async function pollShard(shard: ShardState): Promise<number> {
    shard.iterator ??= await iteratorFor(shard);
    if (!shard.iterator) {
      shard.done = true;
      return 0;
    }
    let out;
    try {
      out = await client.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: batchSize }));
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        delete shard.iterator;
        return 0;
      }
      if (error instanceof TrimmedDataAccessException) {
        // Older than the stream keeps (24 h): start over from what is left.
        delete shard.lastSequence;
        delete shard.iterator;
        return 0;
      }
      throw error;
    }
    const records = (out.Records ?? []).map((r) => lambdaRecord(r, streamArn));
    if (records.length) {
      await deliver(shard.shardId, records);
      shard.lastSequence = records[records.length - 1]!.dynamodb!.SequenceNumber!;
      checkpoint();
    }
    if (out.NextShardIterator) shard.iterator = out.NextShardIterator;
    else {
      delete shard.iterator;
      shard.done = true;
    }
    return records.length;
  }

  /** One pass over the shards whose parents are read to the end. */
  let listedAt = 0;
  async function pollOnce(): Promise<number> {
    // New shards appear when DynamoDB (Local) rolls the stream over: look for them now and then,
    // or as soon as no open shard is left to read.
    const open = [...shards.values()].some((s) => !s.done);
    if (!open || Date.now() - listedAt > SHARD_LIST_INTERVAL_MS) {
      await refreshShards();
      listedAt = Date.now();
    }
    let count = 0;
    for (const shard of shards.values()) {
      if (shard.done) continue;
      const parent = shard.parentId ? shards.get(shard.parentId) : undefined;
      if (parent && !parent.done) continue;
      count += await pollShard(shard);
    }
    return count;
  }

  // One pass at a time, whether from the timer or from drain().
  let running: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = running.then(fn, fn);
    running = next.catch(() => undefined);
    return next;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const intervalMs = options.intervalMs ?? 250;
  const tick = () => {
    if (stopped) return;
    exclusive(pollOnce)
      .catch((error: unknown) => log(`events: stream poll failed: ${String(error)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  if (intervalMs > 0) tick();

  return {
    drain: () =>
      exclusive(async () => {
        let total = 0;
        for (let idle = 0; idle < 2;) {
          const n = await pollOnce();
          total += n;
          idle = n === 0 ? idle + 1 : 0;
        }
        return total;
      }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      client.destroy();
    },
  };
}

export interface LocalEventsOptions {
  ctx: AppContext;
  endpoint: string;
  /** `http://localhost:<port>/scim/v2`. */
  scimBase: string;
  /** EVENTS_LOG=1: each event as one JSON line (there is no EventBridge locally). */
  write?: (line: string) => void;
  /** Another bus instead (tests: an EventBridge client pointed at an emulator). */
  publish?: Publisher;
  onDelivered?: (events: DirectoryEvent[]) => void;
  onDeadLetter?: (letter: DeadLetter) => void;
  checkpointFile?: string;
  intervalMs?: number;
  retryAttempts?: number;
  log?: (message: string) => void;
}

/** `npm start`'s events: the same function code over DynamoDB Local's stream, filling the same feed. */
export function startLocalEvents(options: LocalEventsOptions): Promise<StreamPoller> {
  const handler = eventsHandler(options.ctx, {
    ...(options.publish ? { publish: options.publish } : options.write ? { publish: logPublisher(options.write) } : {}),
    scimBase: options.scimBase,
    feedRetentionDays: DEFAULT_FEED_RETENTION_DAYS,
    ...(options.onDelivered ? { onDelivered: options.onDelivered } : {}),
  });
  return startStreamPoller({
    endpoint: options.endpoint,
    tableName: options.ctx.db.tableName,
    handler,
    ...(options.onDeadLetter ? { onDeadLetter: options.onDeadLetter } : {}),
    ...(options.checkpointFile ? { checkpointFile: options.checkpointFile } : {}),
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
    ...(options.retryAttempts !== undefined ? { retryAttempts: options.retryAttempts } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
