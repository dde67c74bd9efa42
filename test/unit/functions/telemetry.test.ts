// Powertools Metrics (EMF) and Tracer in every function (issue 11, item 9): the entry wrapper
// publishes one EMF record per invocation with the DynamoDB cost, in the stack's namespace.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrument } from '#functions/telemetry.ts';
import { METRIC, METRICS_NAMESPACE } from '#functions/metric-names.ts';
import type { Context } from 'aws-lambda';

const context = { functionName: 'scim-users' } as Context;

/** EMF records written to stdout while `run` runs. */
async function emf(run: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write);
  try {
    await run().catch(() => undefined);
  } finally {
    spy.mockRestore();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

afterEach(() => vi.restoreAllMocks());

describe('no metrics from the functions: fixed (Powertools EMF in every function)', () => {
  it('each invocation publishes its DynamoDB cost (here: none) in the ScimDirectory namespace', async () => {
    const handler = instrument(async (event: { n: number }) => ({ doubled: event.n * 2 }));
    let result: unknown;
    const records = await emf(async () => {
      result = await handler({ n: 21 }, context);
    });
    expect(result).toEqual({ doubled: 42 });
    const costs = records.find((r) => METRIC.dynamoDbRequests in r)!;
    expect(costs._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    expect(costs[METRIC.dynamoDbRequests]).toBe(0);
    expect(costs[METRIC.dynamoDbReadUnits]).toBe(0);
    expect(costs[METRIC.dynamoDbWriteUnits]).toBe(0);
  });

  it('record() adds metrics about the result; a failing handler still flushes and rethrows', async () => {
    const handler = instrument(async () => 'allowed', {
      record: (_result, metrics) => metrics.addMetric(METRIC.tokensAllowed, 'Count', 1),
    });
    const records = await emf(() => handler({}, context));
    expect(records.some((r) => r[METRIC.tokensAllowed] === 1)).toBe(true);

    const failing = instrument(async () => {
      throw new Error('boom');
    });
    await expect(failing({}, context)).rejects.toThrow('boom');
  });
});
