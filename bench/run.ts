// `npm run bench` — proves the cost model (issue 6): DynamoDB work per SCIM operation at two
// directory sizes, paging a large directory, a huge group, cold starts, the engine against peer
// libraries, local latency and the AWS bill. Prints tables, writes JSON under bench-results/.
//
//   npm run bench                  full run: 100 and 100,000 users (5-8 minutes on 2 cores)
//   npm run bench -- --quick       100 and 2,000 users, shorter timings (2-3 minutes)
//   npm run bench -- --only=cost,engine   some sections: cost, hugeGroup, paging, latency, price, coldStart, engine, events
import '../bin/quiet-sdk-warning.ts';
import { resolve } from 'node:path';
import { authorizerHandler } from '#functions/authorizer/app.ts';
import { metered, type Cost } from '#store/client.ts';
import { runAwsPrice, type PricedOperation } from './aws-price.ts';
import { runColdStart } from './cold-start.ts';
import { measureOperations, reportOperationCosts, type MeasuredOperation } from './cost-per-operation.ts';
import { runEngineSideBySide } from './engine-side-by-side.ts';
import { runEvents } from './events.ts';
import { runHugeGroup } from './huge-group.ts';
import { runLatency } from './latency.ts';
import { runPaging } from './paging.ts';
import { OPERATIONS } from './scim-operations.ts';
import { buildDirectory, verifySeedFormat, type Directory } from './support/directory.ts';
import { startLocalStack, type LocalStack } from './support/local-stack.ts';
import { machine, Report } from './support/report.ts';
import { round } from './support/stats.ts';

// The AWS SDK warns that its 2027 releases will need Node 22; Lambda runs Node 22, so the warning only adds noise here.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (/node >=22|NodeVersionSupportWarning/.test(text) || rest.includes('NodeVersionSupportWarning')) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const SECTIONS = ['coldStart', 'engine', 'cost', 'hugeGroup', 'paging', 'latency', 'price', 'events'] as const;
type Section = (typeof SECTIONS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',') as Section[] | undefined;
for (const s of only ?? [])
  if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}; known: ${SECTIONS.join(', ')}`);
const wanted = (s: Section) => !only || only.includes(s);

const settings = quick
  ? {
      mode: 'quick',
      small: 100,
      large: 2_000,
      opRuns: 2,
      coldStartRuns: 20,
      engineBudgetMs: 150,
      latencyRequests: 200,
      latencyWorkers: 8,
    }
  : {
      mode: 'full',
      small: 100,
      large: 100_000,
      opRuns: 3,
      coldStartRuns: 20,
      engineBudgetMs: 500,
      latencyRequests: 1_000,
      latencyWorkers: 8,
    };

const report = new Report();
const started = Date.now();
const outDir = resolve(import.meta.dirname, '..', 'bench-results');

async function section(name: Section, fn: () => Promise<void>): Promise<void> {
  if (!wanted(name)) return;
  const t = Date.now();
  console.log(`\n## ${name} (${round((t - started) / 1000, 0)} s into the run)`);
  try {
    await fn();
  } catch (error) {
    const message = (error as Error).stack ?? String(error);
    report.errors.push({ section: name, error: message.split('\n').slice(0, 4).join(' | ') });
    console.log(`  ! ${name} failed: ${message.split('\n').slice(0, 6).join('\n    ')}`);
  }
  console.log(`  (${name}: ${round((Date.now() - t) / 1000, 1)} s)`);
}

const m = machine();
console.log(`# npm run bench${quick ? ' -- --quick' : ''}`);
console.log(
  `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; sizes ${settings.small} and ${settings.large.toLocaleString('en-US')} users`,
);

// CPU-only sections first, before DynamoDB Local (a JVM) shares the cores.
await section('coldStart', () => runColdStart(report, { runs: settings.coldStartRuns, outDir }));
await section('engine', () => runEngineSideBySide(report, { budgetMs: settings.engineBudgetMs }));

const needsStack = SECTIONS.filter((s) => !['coldStart', 'engine'].includes(s)).some(wanted);
if (needsStack) {
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack();
    console.log(`\n## directories (DynamoDB Local at ${stack.ddb.endpoint})`);
    const small = await buildDirectory(stack, 'small', settings.small);
    console.log(`  ${settings.small} users seeded in ${round(small.seedMs / 1000, 1)} s`);
    const seedProblem = await verifySeedFormat(small);
    if (seedProblem) throw new Error(`seeded users do not read back like created ones: ${seedProblem}`);
    const large = await buildDirectory(stack, 'large', settings.large);
    const rate = (settings.large * 3) / (large.seedMs / 1000);
    console.log(
      `  ${settings.large.toLocaleString('en-US')} users + memberships seeded in ${round(large.seedMs / 1000, 1)} s (${round(rate, 0)} items/s)`,
    );
    report.data.directories = {
      small: { size: small.size, seedSeconds: small.seedMs / 1000 },
      large: { size: large.size, seedSeconds: large.seedMs / 1000 },
      seedFormatVerified: true,
    };

    let largeOps: Map<string, MeasuredOperation> | undefined;
    await section('cost', async () => {
      const smallOps = await measureOperations(small, settings.opRuns);
      largeOps = await measureOperations(large, settings.opRuns);
      reportOperationCosts(report, { size: small.size, ops: smallOps }, { size: large.size, ops: largeOps });
    });
    await section('hugeGroup', () => runHugeGroup(report, small, large));
    await section('paging', () => runPaging(report, large));
    await section('latency', () =>
      runLatency(report, large, stack!.ctx.db, {
        requests: settings.latencyRequests,
        workers: settings.latencyWorkers,
      }),
    );
    await section('events', () => runEvents(report, { endpoint: stack!.ddb.endpoint, changes: quick ? 50 : 200 }));
    await section('price', async () => {
      if (!largeOps) largeOps = await measureOperations(large, 1);
      const ops: PricedOperation[] = OPERATIONS.flatMap((op) => {
        const measured = largeOps!.get(op.name);
        return measured && !measured.error
          ? [
              {
                name: op.name,
                function: op.request.includes('/Groups') ? ('groups' as const) : ('users' as const),
                cost: measured.cost,
              },
            ]
          : [];
      });
      runAwsPrice(report, ops, await authorizerCost(stack!, large));
    });
  } catch (error) {
    report.errors.push({ section: 'directories', error: (error as Error).message });
    console.log(`  ! could not build the directories: ${(error as Error).stack}`);
  } finally {
    await stack?.close();
  }
}

/** One authorizer cache miss, measured by calling the authorizer the way API Gateway does. */
async function authorizerCost(stack: LocalStack, dir: Directory): Promise<Cost | undefined> {
  try {
    const authorize = authorizerHandler(stack.ctx);
    const { cost } = await metered(() =>
      authorize({
        type: 'TOKEN',
        authorizationToken: `Bearer ${dir.scim.token}`,
        methodArn: 'arn:aws:execute-api:us-east-1:000000000000:api/prod/GET/scim/v2/Users',
      }),
    );
    return cost;
  } catch {
    return undefined;
  }
}

report.printTargets();
const file = report.write(outDir, {
  mode: settings.mode,
  settings,
  startedAt: new Date(started).toISOString(),
  durationSeconds: (Date.now() - started) / 1000,
  command: `npm run bench${quick ? ' -- --quick' : ''}`,
});
console.log(`\nWrote ${file} (${round((Date.now() - started) / 1000, 0)} s in all)`);
