// The real thing, once per run: synthesize with bundling on (the local esbuild that CDK finds in
// node_modules, no Docker, no network), then load every bundle in Node the way the Lambda runtime
// does (ESM `index.mjs`, export `handler`). This also fails when a function's imports do not resolve.

import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CfnElement } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionName } from '#api/routes.ts';
import { PACKAGE_ROOT } from '#infra/scim-api.ts';
import { resourcesOf, synth } from './synth.ts';

const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const outdir = mkdtempSync(join(tmpdir(), 'scim-bundle-'));
const bundleDirs = new Map<FunctionName, string>();

beforeAll(() => {
  const { template, stack, scim } = synth({ bundle: true, outdir });
  for (const name of FUNCTION_NAMES) {
    const id = stack.getLogicalId(scim.functions[name].node.defaultChild as CfnElement);
    const assetPath = (resourcesOf(template)[id]!.Metadata as Record<string, string>)['aws:asset:path']!;
    bundleDirs.set(name, join(outdir, assetPath));
  }
}, 180_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('bundling', () => {
  it.each(FUNCTION_NAMES)('%s: one minified ESM index.mjs with the createRequire banner, no source map', (name) => {
    const dir = bundleDirs.get(name)!;
    expect(readdirSync(dir)).toEqual(['index.mjs']);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire as __scimCreateRequire } from 'node:module';")).toBe(true);
    // Minified: long lines (only template literals keep their newlines).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
    // Resolved: no TypeScript import or package subpath import left for the runtime to fail on.
    expect(code).not.toMatch(/from\s*["'](#|\.{1,2}\/)[^"']*\.ts["']/);
  });

  it('every bundle loads as an ES module in Node and exports handler()', async () => {
    // `@aws-sdk/*` is external (the Lambda runtime provides it): load the bundles from a folder
    // under node_modules so they resolve it from the project's node_modules, as from the runtime's.
    const probeDir = join(PACKAGE_ROOT, 'node_modules', '.cache', 'scim-bundle-probe');
    const files = FUNCTION_NAMES.map((name) => {
      const source = join(bundleDirs.get(name)!, 'index.mjs');
      expect(existsSync(source), source).toBe(true);
      mkdirSync(join(probeDir, name), { recursive: true });
      copyFileSync(source, join(probeDir, name, 'index.mjs'));
      return join(probeDir, name, 'index.mjs');
    });
    const probe = `
      for (const file of process.argv.slice(1)) {
        const mod = await import(file);
        if (typeof mod.handler !== 'function') throw new Error(file + ': handler is ' + typeof mod.handler);
      }`;
    const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe, ...files], {
      env: { PATH: process.env.PATH, TABLE_NAME: 'bundle-probe', AWS_REGION: 'eu-west-1', LOG_LEVEL: 'SILENT' },
    });
    expect(stderr).not.toMatch(/Error/);
    rmSync(probeDir, { recursive: true, force: true });
  }, 60_000);

  // 300 KB before Powertools Tracer (issue 11): the X-Ray SDK it wraps adds ~120 KB to each bundle.
  it('leaves the AWS SDK to the runtime and stays under 450 KB per bundle', () => {
    for (const name of FUNCTION_NAMES) {
      const code = readFileSync(join(bundleDirs.get(name)!, 'index.mjs'), 'utf8');
      expect(code, name).toMatch(/from\s*["']@aws-sdk\/client-dynamodb["']/);
      expect(Buffer.byteLength(code), name).toBeLessThan(450 * 1024);
    }
  });
});
