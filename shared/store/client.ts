// DynamoDB document client plus a cost meter. Every command asks for ConsumedCapacity and the
// meter adds requests, capacity units and sequential round trips to the current request's tally
// (AsyncLocalStorage), so tests and the benchmark can assert what an operation costs.
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface Cost {
  requests: number;
  /** Sequential round trips: a call started while another is in flight shares its round trip. */
  roundTrips: number;
  rcu: number;
  wcu: number;
  operations: string[];
}

interface Tally extends Cost {
  inFlight: number;
}

const meter = new AsyncLocalStorage<Tally>();

const READS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);

export function emptyCost(): Cost {
  return { requests: 0, roundTrips: 0, rcu: 0, wcu: 0, operations: [] };
}

/** Runs fn and returns its result together with the DynamoDB cost it incurred. */
export async function metered<T>(fn: () => Promise<T>): Promise<{ result: T; cost: Cost }> {
  const tally: Tally = { ...emptyCost(), inFlight: 0 };
  const result = await meter.run(tally, fn);
  const { inFlight: _ignored, ...cost } = tally;
  return { result, cost };
}

type CapacityLike = { CapacityUnits?: number } | undefined;

function capacityOf(output: Record<string, unknown>): number {
  const consumed = output.ConsumedCapacity as CapacityLike | CapacityLike[];
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((sum, c) => sum + (c?.CapacityUnits ?? 0), 0);
}

export interface DbConfig {
  tableName: string;
  endpoint?: string;
  region?: string;
}

export interface Db {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

export function createDb({ tableName, endpoint, region }: DbConfig): Db {
  const config: DynamoDBClientConfig = { region: region ?? process.env.AWS_REGION ?? 'us-east-1' };
  if (endpoint) {
    config.endpoint = endpoint;
    // DynamoDB Local accepts any credentials; never fall back to a real credential chain locally.
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  const client = new DynamoDBClient(config);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const tally = meter.getStore();
      if (!tally) return next(args);
      if (tally.inFlight === 0) tally.roundTrips += 1;
      tally.inFlight += 1;
      tally.requests += 1;
      tally.operations.push(context.commandName ?? 'unknown');
      try {
        const result = await next(args);
        const units = capacityOf(result.output as unknown as Record<string, unknown>);
        if (READS.has(context.commandName ?? '')) tally.rcu += units;
        else tally.wcu += units;
        return result;
      } finally {
        tally.inFlight -= 1;
      }
    },
    { step: 'initialize', name: 'scimCostMeter' },
  );
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return { doc, tableName };
}
