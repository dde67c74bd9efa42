// `npm start` as a user runs it: a real child process against the shared DynamoDB Local, started
// in a folder of its own (the runner records itself in `.data/` there), then found by the admin CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { freePort } from '#infra/local/dynamodb-local.ts';
import { main, type Io } from '../../bin/admin/cli.ts';

const RUNNER = resolve('bin/local.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(
  env: Record<string, string>,
  cwd = mkdtempSync(join(tmpdir(), 'scim-project-')),
): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  // As a user's shell would run it: without the switch vitest.config.ts sets for the SDK's warning,
  // nor the BASE_URL ('/') that vitest puts in process.env (the runner reads BASE_URL).
  const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _, BASE_URL: __, ...userEnv } = process.env;
  const child = spawn(process.execPath, ['--import', TSX, RUNNER], {
    cwd,
    env: { ...userEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(check: () => Promise<boolean>, ms: number, output: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out; the runner printed:\n${output()}`);
}

describe('npm start (bin/local.ts)', () => {
  it('serves 401 on ServiceProviderConfig without a token, refuses a busy port, stops on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'scim-local-'));
    const env = {
      PORT: String(port),
      DATA_DIR: dataDir,
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      TABLE_NAME: `local-${port}`,
    };
    const first = start(env);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/scim/v2/ServiceProviderConfig`)).status === 401,
      30_000,
      first.output,
    );
    const res = await fetch(`http://127.0.0.1:${port}/scim/v2/ServiceProviderConfig`);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(first.output()).toContain(`http://localhost:${port}/scim/v2`);

    // The generated admin key is kept in DATA_DIR and works on /admin.
    const adminKey = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
    const tenant = await fetch(`http://127.0.0.1:${port}/admin/tenants/default`, {
      headers: { Authorization: `Bearer ${adminKey}` },
    });
    expect(tenant.status).toBe(200);

    const second = start(env);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(new RegExp(`Port ${port} is already in use`));

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  }, 60_000);
});

async function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), env, cwd };
  const code = await main(args, io);
  return { code, out, err };
}

describe('the admin CLI finds a running `npm start`, whatever PORT and DATA_DIR were', () => {
  it('records URL and admin-key file in DATA_DIR/runner.json, is found without flags, forgets it on stop', async () => {
    const port = await freePort();
    const project = mkdtempSync(join(tmpdir(), 'scim-project-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'scim-data-'));
    const runner = start(
      {
        PORT: String(port),
        DATA_DIR: dataDir,
        DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
        TABLE_NAME: `local-${port}`,
      },
      project,
    );
    const recordFile = join(dataDir, 'runner.json');
    await waitFor(async () => existsSync(recordFile), 30_000, runner.output);
    expect(JSON.parse(readFileSync(recordFile, 'utf8'))).toMatchObject({
      url: `http://localhost:${port}`,
      pid: runner.child.pid,
      dataDir,
      adminKey: { file: join(dataDir, 'admin-key') },
    });
    expect(runner.output()).toContain(`Runner record:  ${recordFile}`);

    // The command the banner prints, from the folder `npm start` ran in: no flags, no environment.
    const token = await cli(['token', 'create', 'default', '--name', 'banner-command'], {}, project);
    expect(token.code, token.err).toBe(0);
    expect(token.out).toMatch(/Created token \S+ for tenant default/);
    // From anywhere else, DATA_DIR (or --data-dir) says which runner.
    const elsewhere = mkdtempSync(join(tmpdir(), 'scim-elsewhere-'));
    expect((await cli(['token', 'list', 'default'], { DATA_DIR: dataDir }, elsewhere)).out).toMatch(/banner-command/);
    expect((await cli(['token', 'list', 'default', '--data-dir', dataDir], {}, elsewhere)).out).toMatch(
      /banner-command/,
    );

    runner.child.kill('SIGTERM');
    expect(await runner.exited).toBe(0);
    expect(existsSync(recordFile)).toBe(false);
    expect(readdirSync(join(project, '.data', 'runners'))).toEqual([]);
    const gone = await cli(['token', 'list', 'default'], {}, project);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/^error: no local runner found in \.data\/: start one with `npm start`/);
    // Nothing but the banner: no AWS SDK NodeVersionSupportWarning, no other warning.
    expect(runner.output()).not.toMatch(/Warning/);
  }, 60_000);
});
