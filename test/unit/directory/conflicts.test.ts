// Writes without If-Match are re-read and re-applied when they lose to another writer (a version
// that moved, or a transaction DynamoDB cancelled because another held the item), never a 412.
import { describe, expect, it } from 'vitest';
import { withConflictRetries } from '#directory/conflicts.ts';
import { VersionMismatch } from '#store/resources.ts';
import { TransactionFailed } from '#store/transact.ts';

/** A write that fails with `error` the first `times` calls, then answers 'written'. */
function flaky(error: () => unknown, times: number) {
  let calls = 0;
  const write = async () => {
    calls += 1;
    if (calls <= times) throw error();
    return 'written';
  };
  return { write, calls: () => calls };
}

const conflict = () =>
  new TransactionFailed([
    { index: 0, code: 'TransactionConflict' },
    { index: 1, code: 'None' },
  ]);
const throttled = () => new TransactionFailed([{ index: 0, code: 'ThrottlingError' }]);
const stale = () => new VersionMismatch();

describe('withConflictRetries', () => {
  it('re-applies a write whose transaction was cancelled by contention (TransactionConflict)', async () => {
    const w = flaky(conflict, 3);
    await expect(withConflictRetries(undefined, w.write)).resolves.toBe('written');
    expect(w.calls()).toBe(4);
  });

  it('re-applies a write that lost to another version without If-Match, and gives the 412 with If-Match', async () => {
    const w = flaky(stale, 2);
    await expect(withConflictRetries(undefined, w.write)).resolves.toBe('written');
    const pinned = flaky(stale, 1);
    await expect(withConflictRetries('W/"3"', pinned.write)).rejects.toBeInstanceOf(VersionMismatch);
    expect(pinned.calls()).toBe(1);
  });

  it('does not retry throttling or other failures: they answer at once (503 with Retry-After, or their own error)', async () => {
    const w = flaky(throttled, 1);
    const error = await withConflictRetries(undefined, w.write).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionFailed);
    expect((error as TransactionFailed).status).toBe(503);
    expect(w.calls()).toBe(1);
    const other = flaky(() => new Error('boom'), 1);
    await expect(withConflictRetries(undefined, other.write)).rejects.toThrow('boom');
    expect(other.calls()).toBe(1);
  });
});
