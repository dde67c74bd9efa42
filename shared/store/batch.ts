// BatchWriteItem over any number of requests: 25 per call, `concurrency` calls in flight,
// unprocessed items retried with backoff. Used for clean-ups that need no transaction (and by the
// benchmark's seeding).
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import type { Key } from './keys.ts';

export type WriteRequest = { DeleteRequest: { Key: Key } } | { PutRequest: { Item: Record<string, unknown> } };

/** DynamoDB's limit on requests in one BatchWriteItem call. */
const BATCH_SIZE = 25;

export async function batchWrite(
  db: Db,
  requests: WriteRequest[],
  concurrency = 16,
  progress?: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < requests.length) {
      const chunk = requests.slice(next, next + BATCH_SIZE);
      next += BATCH_SIZE;
      let pending: Record<string, WriteRequest[]> | undefined = { [db.tableName]: chunk };
      for (let attempt = 0; pending && Object.keys(pending).length; attempt += 1) {
        const out = await db.doc.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = out.UnprocessedItems as typeof pending;
        if (pending && Object.keys(pending).length) {
          await new Promise((r) => setTimeout(r, 10 * 2 ** Math.min(attempt, 6)));
        }
      }
      done += chunk.length;
      progress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.ceil(requests.length / BATCH_SIZE)) }, worker));
}
