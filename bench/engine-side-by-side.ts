// Item 5: our SCIM engine against the libraries a team would otherwise pick, on one corpus of real
// IdP filters and PATCH bodies (bench/corpus/idp-requests.ts), in the same process. Every engine is
// first checked against the corpus' expected answers; a wrong answer or a rejection is reported,
// never timed. Throughput is then compared on the cases both engines answer correctly.
import SCIMMY from 'scimmy';
import { filter as s2pfFilter, parse as s2pfParse } from 'scim2-parse-filter';
import { scimPatch } from 'scim-patch';
import { parseFilter } from '#scim/filter.ts';
import { compileFilter } from '#scim/filter-eval.ts';
import { applyPatch } from '#scim/patch.ts';
import { createRegistry } from '#scim/schema/registry.ts';
import {
  FILTERS,
  GROUPS,
  PATCH_SCHEMA,
  PATCHES,
  USERS,
  corpusResource,
  type FilterCase,
  type PatchCase,
  type Resource,
} from './corpus/idp-requests.ts';
import type { Cell, Report } from './support/report.ts';
import { median, nowMs, round } from './support/stats.ts';

export const TARGET_SPEEDUP = 2;

type Outcome = { status: 'ok' } | { status: 'wrong'; detail: string } | { status: 'rejects'; detail: string };

interface FilterEngine {
  name: string;
  run(c: FilterCase, pool: readonly Resource[]): string[];
}

interface PatchEngine {
  name: string;
  /** `input` is a fresh copy the engine may mutate. */
  run(c: PatchCase, input: Resource): Resource | Promise<Resource>;
}

const registry = createRegistry();

let scimmyReady = false;
function scimmy() {
  if (!scimmyReady) {
    // What a scimmy server declares at start-up: the two resource types and the enterprise extension.
    SCIMMY.Resources.declare(SCIMMY.Resources.User);
    SCIMMY.Resources.declare(SCIMMY.Resources.Group);
    SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser as never);
    scimmyReady = true;
  }
  return SCIMMY;
}

const ids = (list: readonly Resource[]) => list.map((r) => r.id as string);

const FILTER_ENGINES: FilterEngine[] = [
  {
    name: 'ours',
    run: (c, pool) => {
      const test = compileFilter(parseFilter(c.filter), (path) => registry.resolve(c.resourceType, path));
      return ids(pool.filter((r) => test(r)));
    },
  },
  { name: 'scimmy', run: (c, pool) => ids(new (scimmy().Types.Filter)(c.filter).match([...pool]) as Resource[]) },
  { name: 'scim2-parse-filter', run: (c, pool) => ids(pool.filter(s2pfFilter(s2pfParse(c.filter)))) },
];

const PATCH_ENGINES: PatchEngine[] = [
  // Ours never modifies its input (copy on write, atomic PATCH); the peers mutate the copy they are given.
  {
    name: 'ours',
    run: (c, input) => applyPatch(input, c.operations, { registry, resourceType: c.resourceType }).resource as Resource,
  },
  {
    name: 'scimmy',
    run: async (c, input) => {
      const S = scimmy();
      const schema = c.resourceType === 'User' ? S.Schemas.User : S.Schemas.Group;
      const patched = await new S.Messages.PatchOp({
        schemas: [PATCH_SCHEMA as typeof S.Messages.PatchOp.id],
        Operations: c.operations as never,
      }).apply(new schema(input));
      return JSON.parse(JSON.stringify(patched)) as Resource;
    },
  },
  { name: 'scim-patch', run: (c, input) => scimPatch(input as never, c.operations as never) as unknown as Resource },
];

const poolFor = (c: FilterCase) => (c.resourceType === 'User' ? USERS : GROUPS);
const errorText = (error: unknown) => ((error as Error)?.message ?? String(error)).split('\n')[0]!.slice(0, 90);

function checkFilter(engine: FilterEngine, c: FilterCase): Outcome {
  try {
    const got = engine.run(c, poolFor(c));
    const same = got.length === c.expected.length && got.every((id, i) => id === c.expected[i]);
    return same
      ? { status: 'ok' }
      : { status: 'wrong', detail: `matched [${got.join(',')}], expected [${c.expected.join(',')}]` };
  } catch (error) {
    return { status: 'rejects', detail: errorText(error) };
  }
}

async function checkPatch(engine: PatchEngine, c: PatchCase): Promise<Outcome> {
  try {
    const out = await engine.run(c, structuredClone(corpusResource(c.target)));
    const failed = c.checks.filter((k) => !k.ok(out)).map((k) => k.what);
    return failed.length ? { status: 'wrong', detail: `fails: ${failed.join('; ')}` } : { status: 'ok' };
  } catch (error) {
    return { status: 'rejects', detail: errorText(error) };
  }
}

type Runner = (input: Resource | undefined) => unknown;

/** Runs `run` in a batch sized to take about `sliceMs`; returns ms per op. `prepare` makes untimed inputs. */
async function sample(
  run: Runner,
  prepare: (() => Resource) | undefined,
  sliceMs: number,
  batch: number,
): Promise<{ msPerOp: number; batch: number }> {
  for (;;) {
    const inputs = prepare ? Array.from({ length: batch }, prepare) : undefined;
    const start = nowMs();
    for (let i = 0; i < batch; i += 1) {
      const out = run(inputs?.[i]);
      if (out instanceof Promise) await out;
    }
    const ms = nowMs() - start;
    // Too short to time reliably: grow the batch and measure again.
    if (ms < sliceMs / 4 && batch < 1_000_000) {
      batch *= 4;
      continue;
    }
    return { msPerOp: ms / batch, batch };
  }
}

/**
 * Ops/s of each runner: a warm-up, then `rounds` interleaved slices (engine a, b, c, a, b, c, ...)
 * so machine noise hits all engines alike; the median slice counts.
 */
async function compare(
  runners: Record<string, Runner>,
  prepare: (() => Resource) | undefined,
  budgetMs: number,
): Promise<Record<string, number>> {
  const rounds = 5;
  const sliceMs = budgetMs / rounds;
  const batches: Record<string, number> = {};
  const samples: Record<string, number[]> = {};
  for (const [name, run] of Object.entries(runners)) {
    batches[name] = (await sample(run, prepare, sliceMs, 1)).batch;
    samples[name] = [];
  }
  for (let r = 0; r < rounds; r += 1) {
    for (const [name, run] of Object.entries(runners)) {
      const s = await sample(run, prepare, sliceMs, batches[name]!);
      batches[name] = s.batch;
      samples[name]!.push(s.msPerOp);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, 1000 / median(list)]));
}

interface CaseResult {
  kind: 'filter' | 'patch';
  name: string;
  client: string;
  conformance: string;
  input: string;
  engines: Record<string, { outcome: Outcome; opsPerSec?: number }>;
}

const describe = (o: Outcome) => (o.status === 'ok' ? 'ok' : `${o.status.toUpperCase()}: ${o.detail}`);

export async function runEngineSideBySide(report: Report, options: { budgetMs: number }): Promise<void> {
  const results: CaseResult[] = [];
  const plans: { row: CaseResult; runners: Record<string, Runner>; prepare?: () => Resource }[] = [];

  // Correctness first: only the engines that answer a case right are timed on it.
  for (const c of FILTERS) {
    const row: CaseResult = {
      kind: 'filter',
      name: c.name,
      client: c.client,
      conformance: c.conformance,
      input: `${c.resourceType}: ${c.filter}`,
      engines: {},
    };
    const pool = poolFor(c);
    const runners: Record<string, Runner> = {};
    for (const engine of FILTER_ENGINES) {
      const outcome = checkFilter(engine, c);
      row.engines[engine.name] = { outcome };
      if (outcome.status === 'ok') runners[engine.name] = () => engine.run(c, pool);
    }
    plans.push({ row, runners });
  }
  for (const c of PATCHES) {
    const row: CaseResult = {
      kind: 'patch',
      name: c.name,
      client: c.client,
      conformance: c.conformance,
      input: `${c.resourceType} ${c.target}: ${JSON.stringify(c.operations)}`,
      engines: {},
    };
    const source = corpusResource(c.target);
    const runners: Record<string, Runner> = {};
    for (const engine of PATCH_ENGINES) {
      const outcome = await checkPatch(engine, c);
      row.engines[engine.name] = { outcome };
      if (outcome.status === 'ok') runners[engine.name] = (input) => engine.run(c, input!);
    }
    plans.push({ row, runners, prepare: () => structuredClone(source) });
  }

  // Warm every engine on the whole corpus first, so the first case timed is not the one that pays for the JIT.
  for (let round = 0; round < 3; round += 1) {
    for (const plan of plans) {
      for (const run of Object.values(plan.runners)) await sample(run, plan.prepare, 5, 1);
    }
  }
  for (const plan of plans) {
    for (const [name, ops] of Object.entries(await compare(plan.runners, plan.prepare, options.budgetMs)))
      plan.row.engines[name]!.opsPerSec = ops;
    results.push(plan.row);
  }

  const summaries: {
    kind: string;
    peer: string;
    cases: number;
    oursOps: number;
    peerOps: number;
    speedup: number;
    wrong: number;
    rejects: number;
  }[] = [];
  for (const kind of ['filter', 'patch'] as const) {
    const engines = (kind === 'filter' ? FILTER_ENGINES : PATCH_ENGINES).map((e) => e.name);
    const rows = results.filter((r) => r.kind === kind);
    report.table('engine', {
      title:
        kind === 'filter'
          ? '5a. Filter parse + evaluate against the corpus resources (ops/s; one op = parse the filter and test every resource of its type)'
          : '5b. PATCH apply (ops/s; one op = apply the whole Operations array to one resource)',
      columns: ['case', 'client', 'kind', ...engines.map((e) => `${e} ops/s`)],
      rows: rows.map((r) => [
        r.name,
        r.client,
        r.conformance,
        ...engines.map((e): Cell => {
          const x = r.engines[e]!;
          return x.outcome.status === 'ok' ? Math.round(x.opsPerSec!) : describe(x.outcome);
        }),
      ]),
    });
    // Corpus throughput: the time to run every case both engines get right once, as ops/s.
    for (const peer of engines.filter((e) => e !== 'ours')) {
      const shared = rows.filter(
        (r) => r.engines.ours!.outcome.status === 'ok' && r.engines[peer]!.outcome.status === 'ok',
      );
      const time = (e: string) => shared.reduce((s, r) => s + 1 / r.engines[e]!.opsPerSec!, 0);
      const oursOps = shared.length / time('ours');
      const peerOps = shared.length / time(peer);
      summaries.push({
        kind,
        peer,
        cases: shared.length,
        oursOps,
        peerOps,
        speedup: oursOps / peerOps,
        wrong: rows.filter((r) => r.engines[peer]!.outcome.status === 'wrong').length,
        rejects: rows.filter((r) => r.engines[peer]!.outcome.status === 'rejects').length,
      });
    }
  }
  const oursWrong = results.filter((r) => r.engines.ours!.outcome.status !== 'ok');

  report.table('engine', {
    title: '5c. Corpus throughput, ours vs each peer (on the cases both answer correctly)',
    columns: ['kind', 'peer', 'shared cases', 'ours ops/s', 'peer ops/s', 'ours ÷ peer', 'peer wrong', 'peer rejects'],
    rows: summaries.map((s) => [
      s.kind,
      s.peer,
      `${s.cases}/${s.kind === 'filter' ? FILTERS.length : PATCHES.length}`,
      Math.round(s.oursOps),
      Math.round(s.peerOps),
      round(s.speedup, 2),
      s.wrong,
      s.rejects,
    ]),
    notes: [
      `Same process; per case and engine a warm-up, then 5 interleaved slices of ${options.budgetMs / 5} ms, median slice. Every engine gets a fresh copy of the resource per PATCH, made outside the timed loop; peers mutate it, ours copies on write (atomic PATCH).`,
      'scimmy and scim2-parse-filter match filters without a schema, as their APIs offer; "wrong" means a result a correct SCIM server must not give (e.g. userName is caseExact=false per RFC 7643), "rejects" means the engine threw.',
      `Ours: ${oursWrong.length === 0 ? 'no wrong answers or rejections on the corpus' : `${oursWrong.length} cases not ok: ${oursWrong.map((r) => r.name).join(', ')}`}.`,
    ],
  });
  report.data.engine = {
    corpus: { filters: FILTERS.length, patches: PATCHES.length },
    budgetMs: options.budgetMs,
    cases: results,
    summaries,
  };

  report.target({
    section: '5 engine',
    target: 'no wrong answers from our engine',
    met: oursWrong.length === 0,
    detail:
      oursWrong.length === 0
        ? `all ${results.length} corpus cases correct`
        : oursWrong.map((r) => `${r.kind} "${r.name}": ${describe(r.engines.ours!.outcome)}`).join('; '),
  });
  for (const kind of ['filter', 'patch'] as const) {
    const list = summaries.filter((s) => s.kind === kind);
    const fastest = list.reduce((a, b) => (b.peerOps / b.oursOps > a.peerOps / a.oursOps ? b : a));
    report.target({
      section: '5 engine',
      target: `${kind}: ≥ ${TARGET_SPEEDUP}× the fastest peer`,
      met: list.every((s) => s.speedup >= TARGET_SPEEDUP),
      detail:
        list.map((s) => `${round(s.speedup, 2)}× ${s.peer} (${s.cases} shared cases)`).join(', ') +
        `; fastest peer relative to us: ${fastest.peer}`,
    });
  }
}
