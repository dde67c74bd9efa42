// Item 1: the DynamoDB work behind each SCIM operation an IdP sends, measured through the local
// runner's `x-dynamodb-cost` header (ConsumedCapacity of every call the handler made), at two
// directory sizes. Every operation (scim-operations.ts) also carries its theoretical minimum under
// the single-table design (DESIGN.md) with the reason, so the gap is visible.
import type { Cost } from '#store/client.ts';
import type { Directory } from './support/directory.ts';
import type { Report } from './support/report.ts';
import { median, round } from './support/stats.ts';
import { OPERATIONS, type RunState } from './scim-operations.ts';

export interface MeasuredOperation {
  name: string;
  cost: Cost;
  /** All runs gave the same requests / round trips / capacity. */
  stable: boolean;
  ms: number;
  error?: string;
}

const sameCost = (a: Cost, b: Cost) =>
  a.requests === b.requests && a.roundTrips === b.roundTrips && a.rcu === b.rcu && a.wcu === b.wcu;

/** Runs the operation list `runs` times (fresh user and group per run) against one directory. */
export async function measureOperations(dir: Directory, runs: number): Promise<Map<string, MeasuredOperation>> {
  const samples = new Map<string, { costs: Cost[]; ms: number[]; error?: string }>();
  for (let run = 0; run < runs; run += 1) {
    const state: RunState = { run };
    for (const op of OPERATIONS) {
      const entry = samples.get(op.name) ?? samples.set(op.name, { costs: [], ms: [] }).get(op.name)!;
      try {
        const res = await op.call(dir, state);
        if (res.status !== op.status) {
          entry.error = `HTTP ${res.status}: ${res.text.slice(0, 160)}`;
          continue;
        }
        op.after?.(res, state);
        entry.costs.push(res.cost);
        entry.ms.push(res.ms);
      } catch (error) {
        entry.error = (error as Error).message.slice(0, 160);
      }
    }
  }
  const out = new Map<string, MeasuredOperation>();
  for (const [name, e] of samples) {
    const last = e.costs[e.costs.length - 1];
    out.set(name, {
      name,
      cost: last ?? { requests: Number.NaN, roundTrips: Number.NaN, rcu: Number.NaN, wcu: Number.NaN, operations: [] },
      stable: e.costs.every((c) => last !== undefined && sameCost(c, last)),
      ms: median(e.ms),
      ...(e.error ? { error: e.error } : {}),
    });
  }
  return out;
}

const cell = (m: MeasuredOperation | undefined) =>
  !m
    ? '–'
    : m.error && !Number.isFinite(m.cost.requests)
      ? `ERROR ${m.error.slice(0, 60)}`
      : `${m.cost.requests} / ${m.cost.roundTrips} / ${round(m.cost.rcu, 1)} / ${round(m.cost.wcu, 1)}`;

/** What the operations' DynamoDB calls were (for the JSON and the closing notes). */
function summariseOperations(list: string[]): string {
  const counts = new Map<string, number>();
  for (const o of list) counts.set(o.replace(/Command$/, ''), (counts.get(o.replace(/Command$/, '')) ?? 0) + 1);
  return [...counts].map(([k, v]) => (v > 1 ? `${v}×${k}` : k)).join(' + ');
}

export function reportOperationCosts(
  report: Report,
  small: { size: number; ops: Map<string, MeasuredOperation> },
  large: { size: number; ops: Map<string, MeasuredOperation> },
): void {
  const label = (n: number) => n.toLocaleString('en-US');
  const rows = OPERATIONS.map((op) => {
    const a = small.ops.get(op.name);
    const b = large.ops.get(op.name);
    const same = !!a && !!b && !a.error && !b.error && sameCost(a.cost, b.cost);
    const gap = b && Number.isFinite(b.cost.roundTrips) ? b.cost.roundTrips - op.min.roundTrips : Number.NaN;
    return { op, a, b, same, gap };
  });
  report.table('cost', {
    title: `1. DynamoDB cost per SCIM operation: requests / sequential round trips / RCU / WCU, at ${label(small.size)} and ${label(large.size)} users`,
    columns: [
      'operation',
      'sent by',
      `at ${label(small.size)} users`,
      `at ${label(large.size)} users`,
      'equal',
      'minimum req / RT',
      'gap (RT)',
      'DynamoDB calls',
      'ms (local)',
    ],
    rows: rows.map(({ op, a, b, same, gap }) => [
      op.name,
      op.client,
      cell(a),
      cell(b),
      same,
      `${op.min.requests} / ${op.min.roundTrips}`,
      Number.isFinite(gap) ? (gap > 0 ? `+${gap}` : String(gap)) : '–',
      b ? summariseOperations(b.cost.operations) : '–',
      b ? round(b.ms, 1) : undefined,
    ]),
    notes: [
      "RCU/WCU: DynamoDB Local's ConsumedCapacity (TOTAL, index writes included), except TransactWriteItems, for which Local reports a flat figure and the bench applies DynamoDB's rule (2 WRU per item-KB + 1 per index entry; bench/support/capacity-model.ts).",
      'A round trip is a set of calls in flight together. The minimum is what the single-table design needs at best; the reason is in the JSON (minimum.why).',
      'Every operation ran on a fresh user/group per run; "equal" compares requests, round trips, RCU and WCU between the two sizes.',
    ],
  });
  report.data.cost = {
    sizes: [small.size, large.size],
    operations: rows.map(({ op, a, b, same, gap }) => ({
      name: op.name,
      client: op.client,
      request: op.request,
      minimum: op.min,
      small: a,
      large: b,
      equal: same,
      gapRoundTrips: gap,
    })),
  };
  for (const { op, a, b, same, gap } of rows) {
    const err = a?.error ?? b?.error;
    report.target({
      section: '1 cost',
      target: `${op.name}: same cost at both sizes`,
      met: same && !err,
      detail: err ? `error: ${err}` : `${cell(a)} vs ${cell(b)}`,
    });
    report.target({
      section: '1 cost',
      target: `${op.name}: within 1 round trip of the minimum (${op.min.roundTrips})`,
      met: Number.isFinite(gap) && gap <= 1,
      detail: Number.isFinite(gap)
        ? `${b!.cost.roundTrips} round trips, ${b!.cost.requests} requests (${summariseOperations(b!.cost.operations)}); minimum: ${op.min.why}`
        : `not measured${err ? `: ${err}` : ''}`,
    });
  }
}
