// Item 5: our SCIM engine against the libraries a team would otherwise pick, on one corpus of real
// IdP filters and PATCH bodies (bench/corpus/idp-requests.ts), in the same process. Every engine is
// first checked against the corpus' expected answers (variants 0 to CHECKED_VARIANTS - 1 of each
// case); a wrong answer or a rejection is reported, never timed. Throughput is then compared on the
// cases both engines answer correctly, each iteration on a variant no iteration before it used
// (new values in the same shape, as real traffic sends), prepared outside the timed loop, and
// timed on CPU time. The summary names the machine (CPU model from os.cpus()) with the ratios.
import SCIMMY from 'scimmy';
import { filter as s2pfFilter, parse as s2pfParse } from 'scim2-parse-filter';
import { scimPatch } from 'scim-patch';
import { registryLookup } from '#scim/attribute-access.ts';
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
  type FilterCase,
  type Json,
  type PatchCase,
  type Resource,
} from './corpus/idp-requests.ts';
import { machine, type Cell, type Report } from './support/report.ts';
import { round } from './support/stats.ts';

export const TARGET_SPEEDUP = 2;
/** Variants 0 .. CHECKED_VARIANTS - 1 of every case are checked on every engine before timing. */
export const CHECKED_VARIANTS = 17;

type Outcome = { status: 'ok' } | { status: 'wrong'; detail: string } | { status: 'rejects'; detail: string };
type ResourceType = 'User' | 'Group';
type Operations = Record<string, Json>[];

interface FilterEngine {
  name: string;
  run(filter: string, resourceType: ResourceType, pool: readonly Resource[]): string[];
}

interface PatchEngine {
  name: string;
  /** `input` is a fresh copy the engine may mutate. */
  run(resourceType: ResourceType, operations: Operations, input: Resource): Resource | Promise<Resource>;
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
    // As the directory does it (shared/directory/params.ts, listing.ts): parse, then compile
    // against the memoised schema look-up of the resource type.
    name: 'ours',
    run: (filter, rt, pool) => {
      const test = compileFilter(parseFilter(filter), registryLookup(registry, rt));
      return ids(pool.filter((r) => test(r)));
    },
  },
  { name: 'scimmy', run: (filter, _, pool) => ids(new (scimmy().Types.Filter)(filter).match([...pool]) as Resource[]) },
  { name: 'scim2-parse-filter', run: (filter, _, pool) => ids(pool.filter(s2pfFilter(s2pfParse(filter)))) },
];

const PATCH_ENGINES: PatchEngine[] = [
  // Ours never modifies its input (copy on write, atomic PATCH); the peers mutate the copy they are given.
  {
    name: 'ours',
    run: (rt, operations, input) => applyPatch(input, operations, { registry, resourceType: rt }).resource as Resource,
  },
  {
    name: 'scimmy',
    run: async (rt, operations, input) => {
      const S = scimmy();
      const schema = rt === 'User' ? S.Schemas.User : S.Schemas.Group;
      const patched = await new S.Messages.PatchOp({
        schemas: [PATCH_SCHEMA as typeof S.Messages.PatchOp.id],
        Operations: operations as never,
      }).apply(new schema(input));
      // scimmy answers undefined when the PATCH changes nothing: the resource stays as it was.
      return patched === undefined ? input : (JSON.parse(JSON.stringify(patched)) as Resource);
    },
  },
  {
    name: 'scim-patch',
    run: (_, operations, input) => scimPatch(input as never, operations as never) as unknown as Resource,
  },
];

const poolFor = (rt: ResourceType) => (rt === 'User' ? USERS : GROUPS);
const errorText = (error: unknown) => ((error as Error)?.message ?? String(error)).split('\n')[0]!.slice(0, 90);
const at = (i: number) => (i === 0 ? '' : ` (variant ${i})`);

function checkFilter(engine: FilterEngine, c: FilterCase): Outcome {
  for (let i = 0; i < CHECKED_VARIANTS; i++) {
    const { filter, expected } = c.make(i);
    try {
      const got = engine.run(filter, c.resourceType, poolFor(c.resourceType));
      const same = got.length === expected.length && got.every((id, k) => id === expected[k]);
      if (!same) {
        return { status: 'wrong', detail: `matched [${got.join(',')}], expected [${expected.join(',')}]${at(i)}` };
      }
    } catch (error) {
      return { status: 'rejects', detail: `${errorText(error)}${at(i)}` };
    }
  }
  return { status: 'ok' };
}

async function checkPatch(engine: PatchEngine, c: PatchCase): Promise<Outcome> {
  for (let i = 0; i < CHECKED_VARIANTS; i++) {
    const { resource, operations, checks } = c.make(i);
    try {
      const out = await engine.run(c.resourceType, operations, structuredClone(resource));
      const failed = checks.filter((k) => !k.ok(out)).map((k) => k.what);
      if (failed.length) return { status: 'wrong', detail: `fails: ${failed.join('; ')}${at(i)}` };
    } catch (error) {
      return { status: 'rejects', detail: `${errorText(error)}${at(i)}` };
    }
  }
  return { status: 'ok' };
}

/** Runs one op on an input made by the plan's `prepare` (untimed). */
type Runner = (input: unknown) => unknown;

/**
 * CPU milliseconds this process has used. The engines are timed on CPU time, not wall time: on a
 * shared machine a slice of wall time also holds whatever other processes ran, which is noise of
 * the size of the slice itself; CPU time counts only this process's work (GC included).
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Inputs prepared at a time: few enough that they do not weigh on the timed run's garbage collection. */
const CHUNK = 256;

/**
 * Runs `run` in a batch sized to take about `sliceMs` of CPU time; returns ms per op. Inputs are
 * made by `prepare`, untimed, CHUNK at a time: a whole batch of fresh inputs alive at once (up
 * to a million resources) would make every young-generation collection in the timed loop copy
 * them, a cost that grows with how much an engine allocates and that no server has.
 */
async function sample(
  run: Runner,
  prepare: () => unknown,
  sliceMs: number,
  batch: number,
): Promise<{ msPerOp: number; batch: number }> {
  for (;;) {
    let ms = 0;
    for (let done = 0; done < batch; done += CHUNK) {
      const inputs = Array.from({ length: Math.min(CHUNK, batch - done) }, prepare);
      const start = cpuMs();
      for (const input of inputs) {
        const out = run(input);
        if (out instanceof Promise) await out;
      }
      ms += cpuMs() - start;
    }
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
 * so machine noise hits all engines alike. The fastest slice counts: on a shared machine noise
 * (cache and core contention, which CPU time still feels) only ever adds time.
 */
async function compare(
  runners: Record<string, Runner>,
  prepare: Record<string, () => unknown>,
  budgetMs: number,
): Promise<Record<string, number>> {
  const rounds = 5;
  const sliceMs = budgetMs / rounds;
  const batches: Record<string, number> = {};
  const samples: Record<string, number[]> = {};
  for (const [name, run] of Object.entries(runners)) {
    batches[name] = (await sample(run, prepare[name]!, sliceMs, 1)).batch;
    samples[name] = [];
  }
  for (let r = 0; r < rounds; r += 1) {
    for (const [name, run] of Object.entries(runners)) {
      const s = await sample(run, prepare[name]!, sliceMs, batches[name]!);
      batches[name] = s.batch;
      samples[name]!.push(s.msPerOp);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, 1000 / Math.min(...list)]));
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
  const plans: { row: CaseResult; runners: Record<string, Runner>; prepare: Record<string, () => unknown> }[] = [];
  /** Each engine times the same sequence of fresh variants, from the first one not checked. */
  const variants = () => {
    let next = CHECKED_VARIANTS;
    return () => next++;
  };

  // Correctness first: only the engines that answer a case right are timed on it.
  for (const c of FILTERS) {
    const row: CaseResult = {
      kind: 'filter',
      name: c.name,
      client: c.client,
      conformance: c.conformance,
      input: `${c.resourceType}: ${c.make(0).filter}`,
      engines: {},
    };
    const pool = poolFor(c.resourceType);
    const runners: Record<string, Runner> = {};
    const prepare: Record<string, () => unknown> = {};
    for (const engine of FILTER_ENGINES) {
      const outcome = checkFilter(engine, c);
      row.engines[engine.name] = { outcome };
      if (outcome.status !== 'ok') continue;
      const variant = variants();
      prepare[engine.name] = () => c.make(variant()).filter;
      runners[engine.name] = (filter) => engine.run(filter as string, c.resourceType, pool);
    }
    plans.push({ row, runners, prepare });
  }
  for (const c of PATCHES) {
    const first = c.make(0);
    const row: CaseResult = {
      kind: 'patch',
      name: c.name,
      client: c.client,
      conformance: c.conformance,
      input: `${c.resourceType} ${String(first.resource.id)}: ${JSON.stringify(first.operations)}`,
      engines: {},
    };
    const runners: Record<string, Runner> = {};
    const prepare: Record<string, () => unknown> = {};
    for (const engine of PATCH_ENGINES) {
      const outcome = await checkPatch(engine, c);
      row.engines[engine.name] = { outcome };
      if (outcome.status !== 'ok') continue;
      const variant = variants();
      prepare[engine.name] = () => {
        const { resource, operations } = c.make(variant());
        return { operations, input: structuredClone(resource) };
      };
      runners[engine.name] = (prepared) => {
        const { operations, input } = prepared as { operations: Operations; input: Resource };
        return engine.run(c.resourceType, operations, input);
      };
    }
    plans.push({ row, runners, prepare });
  }

  // Warm every engine on the whole corpus first, so the first case timed is not the one that pays for the JIT.
  for (let round = 0; round < 3; round += 1) {
    for (const plan of plans) {
      for (const [name, run] of Object.entries(plan.runners)) await sample(run, plan.prepare[name]!, 5, 1);
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
  const m = machine();
  const ranOn = `${m.cpu} (${m.cores} cores), Node ${m.node}`;

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
      `Measured on ${ranOn}. Same process; per case and engine a warm-up, then 5 interleaved slices of ${options.budgetMs / 5} ms of CPU time (process.cpuUsage, so other processes on the machine do not count), fastest slice.`,
      `Every iteration runs a variant of the case no earlier iteration used (same shape, new values: another userName, another member id), made outside the timed loop (${CHUNK} at a time) with a fresh copy of the resource; variants 0-${CHECKED_VARIANTS - 1} are checked on every engine first. Peers mutate the copy, ours copies on write (atomic PATCH).`,
      'scimmy and scim2-parse-filter match filters without a schema, as their APIs offer; "wrong" means a result a correct SCIM server must not give (e.g. userName is caseExact=false per RFC 7643), "rejects" means the engine threw.',
      `Ours: ${oursWrong.length === 0 ? 'no wrong answers or rejections on the corpus' : `${oursWrong.length} cases not ok: ${oursWrong.map((r) => r.name).join(', ')}`}.`,
    ],
  });
  report.data.engine = {
    corpus: { filters: FILTERS.length, patches: PATCHES.length, checkedVariants: CHECKED_VARIANTS },
    machine: m,
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
        ? `all ${results.length} corpus cases correct (variants 0-${CHECKED_VARIANTS - 1} of each)`
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
        `; fastest peer relative to us: ${fastest.peer}; on ${ranOn}`,
    });
  }
}
