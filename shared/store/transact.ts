// Conditional writes that fail become typed errors at once; transaction conflicts are retried.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on items in one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

export interface CancellationReason {
  index: number;
  code: string;
  item?: Record<string, unknown>;
}

/** Thrown when a condition in a transaction failed; `reasons` says which item and why. */
export class TransactionFailed extends Error {
  constructor(readonly reasons: CancellationReason[]) {
    super(`transaction cancelled: ${reasons.map((r) => `${r.index}:${r.code}`).join(', ')}`);
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Jittered backoff for optimistic-concurrency retries. */
export async function backoff(attempt: number): Promise<void> {
  await sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
}

/**
 * Runs a TransactWriteItems with ReturnValuesOnConditionCheckFailure=ALL_OLD on every item.
 * TransactionConflict (another transaction touched one of our items) is retried with backoff;
 * a failed condition becomes TransactionFailed with the per-item reasons.
 */
export async function transactWrite(db: Db, items: TransactItem[], attempts = 8): Promise<void> {
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
        ...(r.Item ? { item: r.Item as Record<string, unknown> } : {}),
      }));
      const conflict = reasons.some((r) => r.code === 'TransactionConflict');
      const conditionFailed = reasons.some((r) => r.code === 'ConditionalCheckFailed');
      if (conflict && !conditionFailed && attempt < attempts - 1) {
        await backoff(attempt);
        continue;
      }
      throw new TransactionFailed(reasons);
    }
  }
}
