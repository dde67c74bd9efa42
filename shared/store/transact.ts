// Conditional writes that fail become typed errors at once; transaction conflicts and throttled
// transactions are retried with jittered backoff, and when that does not help the client gets
// 503 + Retry-After (a cancelled transaction wrote nothing).
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { InvalidValueError, ScimError } from '#scim/errors.ts';
import { RETRY_AFTER_SECONDS, type Db } from './client.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on items in one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

export interface CancellationReason {
  index: number;
  code: string;
  message?: string;
  item?: Record<string, unknown>;
}

/** Cancellation codes that say "try again later", not "your condition failed". */
const BUSY = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

const isBusy = (reasons: CancellationReason[]) =>
  reasons.some((r) => BUSY.has(r.code)) && reasons.every((r) => BUSY.has(r.code) || r.code === 'None');

/**
 * Thrown when a transaction was cancelled; `reasons` says which item and why. Callers turn a
 * failed condition into their own error; one nobody handled answers for itself: 503 with
 * Retry-After when the cancellation was contention or throttling, 400 for an item DynamoDB found
 * invalid (too large), else a 500 (a bug: a condition the caller should have handled).
 */
export class TransactionFailed extends ScimError {
  // A plain field, not a parameter property: those are assigned before the (conditional) super
  // call by some transforms (vitest's), which throws a ReferenceError.
  readonly reasons: CancellationReason[];
  constructor(reasons: CancellationReason[]) {
    const invalid = reasons.find((r) => r.code === 'ValidationError');
    if (isBusy(reasons)) {
      super(
        503,
        undefined,
        'the resource is being changed by other requests right now (or DynamoDB throttled the write); nothing was written, retry after the delay',
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    } else if (invalid) {
      super(400, 'invalidValue', `DynamoDB refused the write: ${invalid.message ?? 'invalid item'} (docs/limits.md)`);
    } else {
      super(500, undefined, 'internal server error');
    }
    this.reasons = reasons;
    // For logs; clients only ever see `detail`.
    this.message = `transaction cancelled: ${reasons.map((r) => `${r.index}:${r.code}`).join(', ')}`;
  }
  /** Cancelled only because other transactions held our items: the same write may succeed later. */
  get contended(): boolean {
    return (
      this.reasons.some((r) => r.code === 'TransactionConflict') &&
      this.reasons.every((r) => r.code === 'TransactionConflict' || r.code === 'None')
    );
  }
  failed(index: number): boolean {
    return this.reasons.some((r) => r.index === index && r.code === 'ConditionalCheckFailed');
  }
  /** A string attribute of the item whose condition failed, as it was (ALL_OLD, wire format). */
  oldValue(index: number, attribute: string): string | undefined {
    const value = this.reasons.find((r) => r.index === index)?.item?.[attribute] as { S?: unknown } | undefined;
    return typeof value?.S === 'string' ? value.S : undefined;
  }
}

/** One request may not touch an item twice in a transaction (DynamoDB refuses it): the client asked for it. */
export class SameItemTwice extends InvalidValueError {
  constructor() {
    super(
      'this request would change the same item twice at once (for example: add and remove the same member, or make a group a member of itself); split it into separate requests',
    );
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Jittered exponential backoff for optimistic-concurrency retries: up to 10, 20, 40 ... 320 ms. */
export async function backoff(attempt: number): Promise<void> {
  await sleep(Math.random() * Math.min(320, 10 * 2 ** attempt));
}

function keyOfItem(item: TransactItem): string | undefined {
  const body = Object.values(item)[0] as { Key?: Record<string, unknown>; Item?: Record<string, unknown> } | undefined;
  const key = body?.Key ?? body?.Item;
  return key ? `${String(key.pk)}\u0000${String(key.sk)}` : undefined;
}

/**
 * Runs a TransactWriteItems with ReturnValuesOnConditionCheckFailure=ALL_OLD on every item.
 * TransactionConflict (another transaction touched one of our items) and throttling are retried
 * with backoff; a failed condition becomes TransactionFailed with the per-item reasons.
 */
export async function transactWrite(db: Db, items: TransactItem[], attempts = 10): Promise<void> {
  const seen = new Set<string>();
  for (const item of items) {
    const key = keyOfItem(item);
    if (key === undefined) continue;
    if (seen.has(key)) throw new SameItemTwice();
    seen.add(key);
  }
  const withOld = items.map((item) => {
    const [kind, body] = Object.entries(item)[0] as [string, Record<string, unknown>];
    return {
      [kind]: body.ConditionExpression ? { ...body, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : body,
    } as TransactItem;
  });
  for (let attempt = 0; ; attempt += 1) {
    try {
      await db.doc.send(new TransactWriteCommand({ TransactItems: withOld }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = (error.CancellationReasons ?? []).map((r, index) => ({
        index,
        code: r.Code ?? 'None',
        ...(r.Message ? { message: r.Message } : {}),
        ...(r.Item ? { item: r.Item as Record<string, unknown> } : {}),
      }));
      if (isBusy(reasons) && attempt < attempts - 1) {
        await backoff(attempt);
        continue;
      }
      throw new TransactionFailed(reasons);
    }
  }
}
