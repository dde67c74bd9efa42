// Writes without If-Match never fail with 412 (RFC 7644 §3.14 reserves it for a precondition the
// client asked for): when another request changed the resource between our read and our
// conditional write, the use case reads again and re-applies the request, after a jittered
// backoff, for a while. If the resource keeps changing under it, the client gets 503 with
// Retry-After (nothing was written), never a 412 it did not ask for.
import { ServiceUnavailableError } from '#scim/errors.ts';
import { RETRY_AFTER_SECONDS } from '#store/client.ts';
import { VersionMismatch } from '#store/resources.ts';
import { TransactionFailed } from '#store/transact.ts';

/**
 * At most this many attempts, and none started after CONFLICT_WINDOW_MS: the route functions time
 * out at 20 s, and a 503 the client can retry beats API Gateway's 504.
 */
export const CONFLICT_ATTEMPTS = 50;
export const CONFLICT_WINDOW_MS = 15_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Full jitter, growing to a second: with dozens of writers on one resource (an IdP pushing a
 * group's members in parallel), the retries spread out instead of colliding again.
 */
function conflictBackoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
}

/**
 * Called with a write's error: returns (after a backoff) when the write should be retried, throws
 * otherwise: the error itself (a real failure, or a 412 the client asked for with If-Match), or
 * 503 when the retries are spent.
 */
export async function retryAfterConflict(
  error: unknown,
  ifMatch: string | undefined,
  attempt: number,
  startedAt: number,
): Promise<void> {
  // A transaction still cancelled by contention after transactWrite's own retries (dozens of
  // writers on one group) is retried here too, within the same window.
  const contended = error instanceof TransactionFailed && error.contended;
  if (!contended && (!(error instanceof VersionMismatch) || ifMatch !== undefined)) throw error;
  if (attempt + 1 >= CONFLICT_ATTEMPTS || Date.now() - startedAt > CONFLICT_WINDOW_MS) {
    throw new ServiceUnavailableError(
      `the resource kept changing under this request (${attempt + 1} attempts); nothing was written, retry after the delay`,
      RETRY_AFTER_SECONDS,
    );
  }
  await conflictBackoff(attempt);
}

/** Runs a read-modify-write, again from the read while it loses to concurrent writers (see above). */
export async function withConflictRetries<T>(ifMatch: string | undefined, write: () => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      await retryAfterConflict(error, ifMatch, attempt, startedAt);
    }
  }
}
