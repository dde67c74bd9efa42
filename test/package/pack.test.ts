// The construct as another team uses it: `npm pack` this repository (prepack builds dist/), put the
// tarball in a fresh CDK app outside it, and synthesize that app with plain `node`: no tsx, no
// TypeScript sources, only what the tarball ships. Offline: instead of `npm install` fetching the
// consumer's other dependencies (aws-cdk-lib, constructs, esbuild and the package's own
// dependencies), the app links this repository's node_modules, as a hoisted install would lay them out.
// The pack runs in a copy of the working tree, so the test never writes dist/ into the repository.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#api/routes.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
/** Never copied: installed or generated. */
const NOT_SOURCES = new Set([
  'node_modules',
  '.git',
  '.data',
  '.dynamodb',
  'dist',
  'cdk.out',
  'coverage',
  'bench-results',
]);

/** The environment of a shell: without the npm_* variables `npm test` sets (npm_config_local_prefix
 * would point the inner npm back at this repository) and without a loader in NODE_OPTIONS. */
function shellEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') && k !== 'NODE_OPTIONS'),
  );
}

let work: string;
let tarball: string;
let packed: { path: string }[];
let consumer: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'scim-pack-'));
  const copy = join(work, 'scim-directory');
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (from) => !NOT_SOURCES.has(relative(ROOT, from).split(sep)[0] ?? ''),
  });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: copy,
    env: shellEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  // Lifecycle output (the build's one line) may precede the JSON report.
  const [report] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  tarball = join(work, report.filename);
  packed = report.files;

  // The consumer: `npm install <tarball>` lays the package out in node_modules/scim-directory.
  consumer = join(work, 'consumer-app');
  const modules = join(consumer, 'node_modules');
  mkdirSync(join(modules, 'scim-directory'), { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', join(modules, 'scim-directory'), '--strip-components=1']);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    const target = join(ROOT, 'node_modules', name);
    if (name === '.cache' || !statSync(target).isDirectory()) continue;
    symlinkSync(target, join(modules, name), 'dir');
  }
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({
      name: 'consumer-app',
      private: true,
      type: 'module',
      dependencies: { 'scim-directory': `file:${tarball}`, 'aws-cdk-lib': '*', constructs: '*' },
      devDependencies: { esbuild: '*' },
    }),
  );
  // NodejsFunction finds the project root (and npm) through the app's lock file.
  writeFileSync(
    join(consumer, 'package-lock.json'),
    JSON.stringify({ name: 'consumer-app', lockfileVersion: 3, requires: true, packages: {} }),
  );
  writeFileSync(
    join(consumer, 'app.mjs'),
    `import { App, Stack } from 'aws-cdk-lib';
import { ScimApi } from 'scim-directory';
import { ScimStack } from 'scim-directory/stack';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'ConsumerStack');
const scim = new ScimApi(stack, 'Directory', { stageName: 'v1', maxActiveTokens: 3 });
console.log(JSON.stringify({ stack: typeof ScimStack, functions: Object.keys(scim.functions) }));
app.synth();
`,
  );
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack: the package another CDK app installs', () => {
  it('ships compiled JavaScript, declarations, the CLI, LICENSE and docs; no tests, bench, CI or TypeScript sources', () => {
    const paths = packed.map((f) => f.path);
    for (const file of [
      'package.json',
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'bin/scim-admin.mjs',
      'dist/infra/scim-api.js',
      'dist/infra/scim-api.d.ts',
      'dist/infra/scim-stack.js',
      'dist/bin/admin.js',
      'docs/deploy.md',
      ...Object.values(FUNCTIONS).map((f) => `dist/${f.entry.replace(/\.ts$/, '.js')}`),
    ]) {
      expect(paths, file).toContain(file);
    }
    const unwanted = paths.filter(
      (p) =>
        /^(test|bench|scripts|\.ci)\//.test(p) || (p.endsWith('.ts') && !p.endsWith('.d.ts')) || p.includes('.cases.'),
    );
    expect(unwanted).toEqual([]);
  });

  it('dist/ never uses the "imports" map: every project-internal import is a relative .js path', () => {
    const dist = join(consumer, 'node_modules', 'scim-directory', 'dist');
    const offending: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/(from |import\()["']#|from ["']\.{1,2}\/[^"']*\.ts["']/.test(readFileSync(full, 'utf8')))
          offending.push(relative(dist, full));
      }
    };
    walk(dist);
    expect(offending).toEqual([]);
  });

  // The synth (esbuild, several cores) and the type check (one core) run side by side.
  it.concurrent(
    'a consumer CDK app synthesizes with plain node: the API, the table and every function, bundled',
    async () => {
      const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: consumer, env: shellEnv() });
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
        stack: 'function',
        functions: Object.keys(FUNCTIONS),
      });
      const out = join(consumer, 'cdk.out');
      const template = JSON.parse(readFileSync(join(out, 'ConsumerStack.template.json'), 'utf8')) as {
        Resources: Record<
          string,
          { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }
        >;
      };
      const resources = Object.values(template.Resources);
      const ofType = (type: string) => resources.filter((r) => r.Type === type);
      expect(ofType('AWS::ApiGateway::RestApi')).toHaveLength(1);
      expect(ofType('AWS::ApiGateway::Stage').map((s) => s.Properties.StageName)).toEqual(['v1']);
      expect(ofType('AWS::DynamoDB::Table')).toHaveLength(1);
      const lambdas = ofType('AWS::Lambda::Function');
      for (const spec of Object.values(FUNCTIONS)) {
        const fn = lambdas.find((l) => l.Properties.Description === spec.description);
        expect(fn, spec.entry).toBeDefined();
        expect(fn!.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler' });
        // The bundle esbuild made from the shipped dist/functions/<name>/handler.js.
        const code = fn!.Properties.Code as { S3Key: string };
        const bundle = readFileSync(join(out, `asset.${code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs'), 'utf8');
        expect(bundle.length, spec.entry).toBeGreaterThan(1000);
        expect(bundle, spec.entry).toMatch(/\bhandler\b/);
      }
    },
    300_000,
  );

  it.concurrent(
    'a TypeScript consumer gets the declarations through "exports"',
    async () => {
      writeFileSync(
        join(consumer, 'typed.ts'),
        `import { App, Duration, Stack } from 'aws-cdk-lib';
import { ScimApi, type ScimApiProps } from 'scim-directory';
import { ScimStack } from 'scim-directory/stack';

const props: ScimApiProps = { stageName: 'v1', authorizerCacheTtl: Duration.seconds(30) };
// @ts-expect-error: a number is not a stage name (unused, hence an error, if the types were any)
export const wrong: ScimApiProps = { stageName: 1 };
const app = new App();
export const url: string = new ScimApi(new Stack(app, 'A'), 'Scim', props).scimBaseUrl;
export const stack: ScimStack = new ScimStack(app, 'B');
`,
      );
      writeFileSync(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            skipLibCheck: true,
            noEmit: true,
            types: [],
          },
          files: ['typed.ts'],
        }),
      );
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const res = await run(process.execPath, [tsc, '-p', consumer], { cwd: consumer, env: shellEnv() }).catch(
        (error: { stdout: string; code: number }) => error,
      );
      expect(res.stdout).toBe('');
    },
    300_000,
  );

  it('the installed `scim-admin` bin runs the compiled CLI', async () => {
    const bin = join(consumer, 'node_modules', 'scim-directory', 'bin', 'scim-admin.mjs');
    expect(existsSync(join(dirname(bin), 'admin.ts'))).toBe(false);
    const { stdout, stderr } = await run(process.execPath, [bin, '--help'], { cwd: consumer, env: shellEnv() });
    expect(stdout).toMatch(/^Usage: scim-admin <command>/);
    expect(stderr).toBe('');
  }, 60_000);

  it('the installed console serves its pre-built script and stylesheet (esbuild is not a dependency)', async () => {
    const consoleDir = join(consumer, 'node_modules', 'scim-directory', 'dist', 'bin', 'admin', 'console');
    const script = join(consoleDir, 'ui.bundle.js');
    const probe = `const { buildUi } = await import(${JSON.stringify(join(consoleDir, 'bundle.js'))});
const { js, css } = await buildUi();
console.log(JSON.stringify({ js: js.length, css: css.length }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: consumer,
      env: shellEnv(),
    });
    const served = JSON.parse(stdout) as { js: number; css: number };
    expect(served.js).toBe(readFileSync(script, 'utf8').length);
    expect(served.js).toBeGreaterThan(1000);
    expect(served.css).toBeGreaterThan(100);
  }, 60_000);
});
