// DynamoDB document client plus a cost meter. Every command asks for ConsumedCapacity and the
// meter adds requests, capacity units and sequential round trips to the current request's tally
// (AsyncLocalStorage), so tests and the benchmark can assert what an operation costs.
//
// Also the client's failure policy (docs/limits.md): timeouts and retries sized so a request ends
// well inside the route functions' 20 s (API Gateway gives up at 29 s); throttling, timeouts and
// connection errors that outlast the SDK's retries become 503 + Retry-After, never a 500; and a
// request may run under a budget of DynamoDB requests and read units (`withBudget`), past which
// it stops with 400 tooMany instead of reading on.
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidValueError, ServiceUnavailableError, TooManyError } from '#scim/errors.ts';

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
  /** Per attempt, from sending the request to the last byte of the answer (default 3,000 ms; 30,000 locally). */
  requestTimeoutMs?: number;
  /** To get a connection, waiting for a free socket included (default 2,000 ms; 30,000 locally). */
  connectionTimeoutMs?: number;
  /** Attempts per call, the first included (default 3): the SDK retries throttling and transient errors. */
  maxAttempts?: number;
}

/** Seconds a client is told to wait (Retry-After) when DynamoDB throttles or does not answer. */
export const RETRY_AFTER_SECONDS = 1;

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const UNAVAILABLE = new Set(['InternalServerError', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeout']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * What a DynamoDB failure means for the client, once the SDK's own retries are spent: throttling
 * and outages are 503 + Retry-After (the write did not happen: single requests and transactions
 * are atomic), an item over DynamoDB's size limit is the client's 400. Anything else is left as is.
 */
export function classifyDynamoDbError(error: unknown): unknown {
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (!e || typeof e !== 'object') return error;
  const name = e.name ?? '';
  if (THROTTLING.has(name)) {
    return new ServiceUnavailableError(
      'the directory is busy (DynamoDB throttled the request); nothing was written, retry after the delay',
      RETRY_AFTER_SECONDS,
    );
  }
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (UNAVAILABLE.has(name) || NETWORK.has(e.code ?? '') || status >= 500) {
    return new ServiceUnavailableError(
      "the directory's database did not answer in time; nothing was written, retry after the delay",
      RETRY_AFTER_SECONDS,
    );
  }
  if (name === 'ValidationException' && /item size/i.test(e.message ?? '')) {
    return new InvalidValueError(
      'the resource would be larger than DynamoDB stores in one item (400 KB); see docs/limits.md',
    );
  }
  return error;
}

/** The most one request may ask of DynamoDB (docs/limits.md). */
export interface Budget {
  requests: number;
  /** Read capacity units (a strongly consistent read of 4 KB is one). */
  readUnits: number;
}

/** The budget of a list, filter or search request. */
export const REQUEST_BUDGET: Budget = { requests: 1000, readUnits: 10_000 };

interface Spending {
  limit: Budget;
  /** What the request is doing, for the error detail: "this filter", "POST /.search", ... */
  what: string;
  requests: number;
  readUnits: number;
}

const budgets = new AsyncLocalStorage<Spending>();

/** Over budget: stopped before the next DynamoDB call. */
export class BudgetExceeded extends TooManyError {
  constructor(spending: Spending, cause: string) {
    super(
      `${spending.what} needs more than ${cause} of DynamoDB work; one request may use at most ${spending.limit.requests} requests and ${spending.limit.readUnits} read units (docs/limits.md). Narrow it with an indexed equality (id, externalId, userName, displayName, members) or page with a smaller count`,
    );
  }
}

/** Runs fn under a DynamoDB budget; a call past it throws BudgetExceeded (400 tooMany). */
export function withBudget<T>(what: string, fn: () => Promise<T>, limit: Budget = REQUEST_BUDGET): Promise<T> {
  return budgets.run({ limit, what, requests: 0, readUnits: 0 }, fn);
}

/** What is left of the current budget (the whole default budget outside withBudget). */
export function budgetLeft(): Budget {
  const spending = budgets.getStore();
  if (!spending) return { ...REQUEST_BUDGET };
  return {
    requests: spending.limit.requests - spending.requests,
    readUnits: spending.limit.readUnits - spending.readUnits,
  };
}

/** Refuses up front what a request can tell will not fit its budget (`requests` calls to make). */
export function checkBudget(requests: number, cause: string): void {
  const spending = budgets.getStore() ?? { limit: REQUEST_BUDGET, what: 'this request', requests: 0, readUnits: 0 };
  if (spending.requests + requests > spending.limit.requests) throw new BudgetExceeded(spending, cause);
}

export interface Db {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

export function createDb({
  tableName,
  endpoint,
  region,
  requestTimeoutMs,
  connectionTimeoutMs,
  maxAttempts,
}: DbConfig): Db {
  const config: DynamoDBClientConfig = {
    region: region ?? process.env.AWS_REGION ?? 'us-east-1',
    // Worst case for one call: 3 attempts × (2 s to connect + 3 s to answer) plus the SDK's backoff
    // (under 1.5 s): about 16.5 s, inside the route functions' 20 s timeout. DynamoDB Local (one
    // JVM on a busy laptop or CI machine, no API Gateway in front) gets 30 s per attempt.
    maxAttempts: maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: connectionTimeoutMs ?? (endpoint ? 30_000 : 2000),
      requestTimeout: requestTimeoutMs ?? (endpoint ? 30_000 : 3000),
      throwOnRequestTimeout: true,
    },
  };
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
      const isRead = READS.has(context.commandName ?? '');
      const spending = budgets.getStore();
      if (spending) {
        if (spending.requests >= spending.limit.requests)
          throw new BudgetExceeded(spending, `${spending.limit.requests} requests`);
        if (spending.readUnits >= spending.limit.readUnits)
          throw new BudgetExceeded(spending, `${spending.limit.readUnits} read units`);
        spending.requests += 1;
      }
      const tally = meter.getStore();
      if (tally) {
        if (tally.inFlight === 0) tally.roundTrips += 1;
        tally.inFlight += 1;
        tally.requests += 1;
        tally.operations.push(context.commandName ?? 'unknown');
      }
      try {
        const result = await next(args);
        const units = capacityOf(result.output as unknown as Record<string, unknown>);
        if (spending && isRead) spending.readUnits += units;
        if (tally) {
          if (isRead) tally.rcu += units;
          else tally.wcu += units;
        }
        return result;
      } catch (error) {
        throw classifyDynamoDbError(error);
      } finally {
        if (tally) tally.inFlight -= 1;
      }
    },
    { step: 'initialize', name: 'scimCostMeter' },
  );
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return { doc, tableName };
}
