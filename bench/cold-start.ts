// Item 4: per Lambda bundle, the minified size and the module initialisation time (median of
// fresh `node` processes importing the bundle), against a baseline bundle that only constructs the
// DynamoDB clients. Bundles are built with the same esbuild settings the stack uses.
import { spawn } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { FUNCTIONS, type FunctionName } from '#api/routes.ts';
import { median, percentile, round } from './support/stats.ts';
import type { Report } from './support/report.ts';

export const TARGET_MAX_BYTES = 300 * 1024;
export const TARGET_MAX_INIT_RATIO = 1.3;

const ROOT = resolve(import.meta.dirname, '..');

// The baseline a Lambda pays anyway: the SDK clients our code constructs at init, nothing else.
const BASELINE_SOURCE = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
const client = new DynamoDBClient({ region: process.env.AWS_REGION });
const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
export const handler = async () => ({ statusCode: 200, body: String(!!doc) });
`;

const BANNER =
  "import { createRequire as __scimCreateRequire } from 'node:module'; const require = __scimCreateRequire(import.meta.url);";

/**
 * The esbuild options the stack hands CDK (infra/scim-api.ts bundlingOptions), for the Node 22
 * arm64 runtime. Without bundleAwsSdk, CDK marks `@aws-sdk/*` external (the runtime provides it);
 * the bench then resolves it from node_modules, as the runtime does from its own copy.
 */
async function stackEsbuildOptions(bundleAwsSdk: boolean): Promise<{ options: BuildOptions; source: string }> {
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: 'node22',
    write: false,
    metafile: true,
    format: 'esm',
    treeShaking: true,
  };
  try {
    const { bundlingOptions } = await import('#infra/scim-api.ts');
    const b = bundlingOptions(false, bundleAwsSdk);
    return {
      source: `infra/scim-api.ts bundlingOptions(false, ${String(bundleAwsSdk)})`,
      options: {
        ...common,
        ...(b.mainFields ? { mainFields: [...b.mainFields] } : {}),
        minify: b.minify ?? false,
        keepNames: b.keepNames ?? false,
        sourcemap: b.sourceMap ?? false,
        ...(b.banner ? { banner: { js: b.banner } } : {}),
        external: [...(b.bundleAwsSDK ? [] : ['@aws-sdk/*']), ...(b.externalModules ?? [])],
      },
    };
  } catch (error) {
    // The stack module is being edited elsewhere; fall back to the settings it had when this was written.
    return {
      source: `fallback copy (could not import infra/scim-api.ts: ${(error as Error).message.split('\n')[0]})`,
      options: {
        ...common,
        mainFields: ['module', 'main'],
        minify: true,
        keepNames: true,
        banner: { js: BANNER },
        external: bundleAwsSdk ? [] : ['@aws-sdk/*'],
      },
    };
  }
}

interface Bundle {
  name: string;
  file?: string;
  bytes?: number;
  gzipBytes?: number;
  error?: string;
  topInputs?: { path: string; bytes: number }[];
}

async function bundleOne(
  name: string,
  entry: { file: string } | { source: string },
  options: BuildOptions,
  outDir: string,
): Promise<Bundle> {
  try {
    const result = await build({
      ...options,
      ...('file' in entry
        ? { entryPoints: [join(ROOT, entry.file)] }
        : { stdin: { contents: entry.source, resolveDir: ROOT, loader: 'ts', sourcefile: 'baseline.ts' } }),
      logLevel: 'silent',
    });
    const out = result.outputFiles?.[0];
    if (!out) throw new Error('esbuild produced no output');
    const file = join(outDir, `${name}.mjs`);
    writeFileSync(file, out.contents);
    // Where the bytes come from (by package), to say what to cut when a bundle is too big.
    const byPackage = new Map<string, number>();
    for (const [path, info] of Object.entries(result.metafile?.outputs ?? {}).flatMap(([, o]) =>
      Object.entries(o.inputs),
    )) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = m ? m[1]! : path.split('/').slice(0, 2).join('/');
      byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
    }
    const topInputs = [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([path, bytes]) => ({ path, bytes }));
    return { name, file, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length, topInputs };
  } catch (error) {
    return { name, error: (error as Error).message.split('\n').slice(0, 3).join(' ') };
  }
}

// Environment a Lambda container has (credentials included, so nothing at init looks for them).
const LAMBDA_ENV: Record<string, string> = {
  TABLE_NAME: 'scim-bench',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  LOG_LEVEL: 'WARN',
  ADMIN_KEY: 'bench-admin-key',
};

/** One fresh process: import the bundle, print how long the import (module init) took in ms. */
function measureInit(file: string): Promise<number> {
  const script = `const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t0));`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...LAMBDA_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const ms = Number(out.trim());
      if (code === 0 && Number.isFinite(ms)) resolvePromise(ms);
      else reject(new Error(`init of ${file} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

async function buildAll(esbuildOptions: BuildOptions, outDir: string): Promise<Bundle[]> {
  mkdirSync(outDir, { recursive: true });
  const bundles: Bundle[] = [await bundleOne('baseline', { source: BASELINE_SOURCE }, esbuildOptions, outDir)];
  for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
    bundles.push(await bundleOne(name, { file: FUNCTIONS[name].entry }, esbuildOptions, outDir));
  }
  return bundles;
}

export async function runColdStart(report: Report, options: { runs: number; outDir: string }): Promise<void> {
  // What deploys by default (the runtime's SDK), timed; and with the SDK bundled (bundleAwsSdk: true), sized.
  const { options: esbuildOptions, source } = await stackEsbuildOptions(false);
  const bundles = await buildAll(esbuildOptions, join(options.outDir, 'bundles'));
  const pinned = await buildAll((await stackEsbuildOptions(true)).options, join(options.outDir, 'bundles-sdk-bundled'));

  // Interleave the runs (baseline, a, b, ..., baseline, a, b, ...) so machine noise hits all alike.
  const samples = new Map<string, number[]>();
  const initErrors = new Map<string, string>();
  for (let run = 0; run < options.runs + 2; run += 1) {
    for (const b of bundles) {
      if (!b.file || initErrors.has(b.name)) continue;
      try {
        const ms = await measureInit(b.file);
        // The first two rounds warm the OS file cache and are not counted.
        if (run >= 2) (samples.get(b.name) ?? samples.set(b.name, []).get(b.name)!).push(ms);
      } catch (error) {
        initErrors.set(b.name, (error as Error).message);
      }
    }
  }

  const baseline = median(samples.get('baseline') ?? []);
  const rows = bundles.map((b) => {
    const s = samples.get(b.name) ?? [];
    const med = median(s);
    return {
      bundle: b.name,
      entry: b.name === 'baseline' ? '(DynamoDB clients only)' : FUNCTIONS[b.name as FunctionName].entry,
      bytes: b.bytes,
      gzipBytes: b.gzipBytes,
      bytesWithSdkBundled: pinned.find((p) => p.name === b.name)?.bytes,
      initMedianMs: s.length ? round(med, 1) : undefined,
      initP90Ms: s.length ? round(percentile(s, 90), 1) : undefined,
      ratio: s.length && Number.isFinite(baseline) ? round(med / baseline, 2) : undefined,
      runs: s.length,
      error: b.error ?? initErrors.get(b.name),
      topInputs: b.topInputs,
    };
  });
  report.data.coldStart = { esbuildOptionsFrom: source, runsPerBundle: options.runs, bundles: rows };
  report.table('coldStart', {
    title: `4. Cold start: bundle size and module init (median of ${options.runs} fresh node ${process.version} processes)`,
    columns: [
      'bundle',
      'minified KB',
      'gzip KB',
      'KB with SDK bundled',
      'init median ms',
      'init p90 ms',
      '× baseline',
      'status',
    ],
    rows: rows.map((r) => [
      r.bundle,
      r.bytes === undefined ? undefined : round(r.bytes / 1024, 1),
      r.gzipBytes === undefined ? undefined : round(r.gzipBytes / 1024, 1),
      r.bytesWithSdkBundled === undefined ? undefined : round(r.bytesWithSdkBundled / 1024, 1),
      r.initMedianMs,
      r.initP90Ms,
      r.ratio,
      r.error ? `not measured: ${r.error.slice(0, 80)}` : 'ok',
    ]),
    notes: [
      `esbuild ${esbuildOptions.format}, minify=${String(esbuildOptions.minify)}, target ${String(esbuildOptions.target)}, external ${JSON.stringify(esbuildOptions.external ?? [])}; settings from ${source}. "KB with SDK bundled": the same bundle with bundleAwsSdk: true (sized, not timed); the SDK's DynamoDB document client alone is about 350 KB of it.`,
      "With the SDK external, init includes loading @aws-sdk/* from node_modules, as Lambda loads the runtime's copy; the baseline pays the same.",
      "Init = time for `await import(bundle)` in a fresh process (what Lambda bills as Init Duration, minus the runtime's own start). Measured on this machine with Node " +
        `${process.version}; Lambda runs Node 22 on arm64, so read the ratio, not the absolute ms.`,
    ],
  });

  for (const r of rows) {
    if (r.bundle === 'baseline') continue;
    if (r.error) {
      report.target({
        section: '4 cold start',
        target: `${r.bundle} bundle measured`,
        met: false,
        detail: r.error.slice(0, 200),
      });
      continue;
    }
    const sizeOk = (r.bytes ?? Infinity) <= TARGET_MAX_BYTES;
    report.target({
      section: '4 cold start',
      target: `${r.bundle} < 300 KB minified`,
      met: sizeOk,
      detail:
        `${round((r.bytes ?? 0) / 1024, 1)} KB` +
        (sizeOk
          ? ''
          : `; largest inputs: ${(r.topInputs ?? []).map((i) => `${i.path} ${round(i.bytes / 1024, 0)} KB`).join(', ')}`),
    });
    report.target({
      section: '4 cold start',
      target: `${r.bundle} init < ${TARGET_MAX_INIT_RATIO}× baseline`,
      met: (r.ratio ?? Infinity) < TARGET_MAX_INIT_RATIO,
      detail: `${r.initMedianMs} ms vs baseline ${round(baseline, 1)} ms = ${r.ratio}×`,
    });
  }
}
