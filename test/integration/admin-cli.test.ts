// The admin CLI against the local runner: every command, readable and --json output, finding the
// runner through the runner.json `npm start` writes (test/integration/local-runner.test.ts runs the
// real thing), the override flags, errors that name their fix, exit codes, and the bin entry.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWellFormed } from '#auth/token.ts';
import { writeRunnerRecord, type RunnerRecord } from '#infra/local/runner-record.ts';
import { main, type Io } from '../../bin/admin/cli.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

async function cli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; target?: boolean } = {}) {
  let out = '';
  let err = '';
  const io: Io = {
    out: (text) => {
      out += `${text}\n`;
    },
    err: (text) => {
      err += `${text}\n`;
    },
    env: options.env ?? {},
    cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'scim-admin-')),
  };
  const target = options.target === false ? [] : ['--url', api.url, '--admin-key', api.adminKey];
  const code = await main([...args, ...target], io);
  return { code, out, err };
}

describe('scim-admin against the local runner', () => {
  it('tenant create and get', async () => {
    const created = await cli(['tenant', 'create', 'cli-co', '--display-name', 'CLI Co']);
    expect(created.code, created.err).toBe(0);
    expect(created.out).toMatch(/^Tenant cli-co \(CLI Co\)\n {2}provisioning {3}on\n/);
    const got = await cli(['tenant', 'get', 'cli-co']);
    expect(got.code, got.err).toBe(0);
    expect(got.out).toContain('active tokens  0');
  });

  it('token create prints the token once, clearly, with the warning; list never shows it', async () => {
    const res = await cli(['token', 'create', 'cli-co', '--name', 'okta-prod', '--scope', 'read', '--days', '30']);
    expect(res.code, res.err).toBe(0);
    const tokens = res.out.match(/scim_[0-9A-Za-z]+/g) ?? [];
    expect(tokens).toHaveLength(1);
    const token = tokens[0]!;
    expect(isWellFormed(token)).toBe(true);
    expect(res.out).toMatch(new RegExp(`\\n\\n {4}${token}\\n\\n`));
    expect(res.out).toMatch(/only time it is shown/);
    expect(res.out).toMatch(/scope {4}read/);
    expect((await api.call('GET', '/Users', { token })).status).toBe(200);

    const list = await cli(['token', 'list', 'cli-co']);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/^ID +NAME +SCOPE +STATUS +EXPIRES +LAST USED\n/);
    expect(list.out).toMatch(/okta-prod +read +active/);
    expect(list.out).not.toContain(token);
  });

  it('--json prints the API response for scripts, then revoke works with the id from it', async () => {
    const res = await cli(['token', 'create', 'cli-co', '--name', 'scripted', '--json']);
    expect(res.code, res.err).toBe(0);
    const body = JSON.parse(res.out);
    expect(Object.keys(body).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'name', 'scope', 'token']);
    const list = JSON.parse((await cli(['token', 'list', 'cli-co', '--json'])).out);
    expect(list.tokens.map((t: { id: string }) => t.id)).toContain(body.id);

    const revoked = await cli(['token', 'revoke', 'cli-co', body.id]);
    expect(revoked.code, revoked.err).toBe(0);
    expect(revoked.out).toMatch(new RegExp(`Revoked token ${body.id}`));
    expect((await api.call('GET', '/Users', { token: body.token })).status).toBe(401);
    const after = await cli(['token', 'list', 'cli-co']);
    expect(after.code, after.err).toBe(0);
    expect(after.out).toMatch(new RegExp(`${body.id} +scripted +full +revoked `));
    expect(after.out).toMatch(/okta-prod +read +active/);
  });

  it('provisioning off revokes the tokens, on does not restore them', async () => {
    const off = await cli(['provisioning', 'off', 'cli-co']);
    expect(off.code, off.err).toBe(0);
    expect(off.out).toMatch(/provisioning {3}off/);
    expect(off.out).toMatch(/1 token\(s\) revoked/);
    const on = await cli(['provisioning', 'on', 'cli-co', '--json']);
    expect(on.code, on.err).toBe(0);
    expect(JSON.parse(on.out)).toMatchObject({
      id: 'cli-co',
      provisioning: { enabled: true },
      counts: { activeTokens: 0 },
    });
    expect((await cli(['token', 'list', 'cli-co'])).out).toMatch(/has no tokens/);
  });

  it('reports API errors on stderr with exit code 1', async () => {
    expect((await cli(['tenant', 'create', 'cli-cap'])).code).toBe(0);
    await cli(['token', 'create', 'cli-cap', '--name', 'a']);
    await cli(['token', 'create', 'cli-cap', '--name', 'b']);
    const res = await cli(['token', 'create', 'cli-cap', '--name', 'c']);
    expect(res.code).toBe(1);
    expect(res.out).toBe('');
    expect(res.err).toMatch(/^error: 409 tenant "cli-cap" already has 2 active tokens/);

    const unknown = await cli(['tenant', 'get', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/error: 404 unknown tenant "nope"/);
  });

  it('a wrong admin key: 401 with a hint', async () => {
    const res = await cli(['tenant', 'get', 'default', '--url', api.url, '--admin-key', 'wrong'], { target: false });
    expect(res.code).toBe(1);
    expect(res.err).toMatch(
      /error: 401 .*\n\(the admin key from --admin-key was refused: pass the runner's key with --admin-key, or --data-dir/,
    );
  });

  it('reads the admin key from env ADMIN_KEY / SCIM_ADMIN_URL, or from .data/admin-key as `npm start` writes it', async () => {
    const fromEnv = await cli(['tenant', 'get', 'default'], {
      env: { SCIM_ADMIN_URL: api.url, ADMIN_KEY: api.adminKey },
      target: false,
    });
    expect(fromEnv.code, fromEnv.err).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'scim-admin-'));
    mkdirSync(join(dir, '.data'));
    writeFileSync(join(dir, '.data', 'admin-key'), `${api.adminKey}\n`);
    const fromFile = await cli(['tenant', 'get', 'default', '--url', api.url], { cwd: dir, target: false });
    expect(fromFile.code, fromFile.err).toBe(0);
    const none = await cli(['tenant', 'get', 'default', '--url', api.url], { target: false });
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/no admin key/);
  });

  it.each([
    [['token', 'create', 'default'], /needs --name/],
    [['token', 'create', 'default', '--name', 'x', '--scope', 'admin'], /--scope must be/],
    [['token', 'create', 'default', '--name', 'x', '--days', 'soon'], /--days must be/],
    [['token', 'revoke', 'default'], /usage: scim-admin token revoke/],
    [['tenant', 'delete', 'default'], /unknown command/],
    [['tenant', 'get', 'default', '--bogus'], /Unknown option '--bogus'/],
  ])('usage errors exit 2: %j', async (args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(message);
    expect(res.err).toContain('Usage: scim-admin');
  });

  it('cannot reach a runner that is not there: a clear message', async () => {
    const res = await cli(['tenant', 'get', 'default', '--url', 'http://127.0.0.1:9', '--admin-key', 'k'], {
      target: false,
    });
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/cannot reach the admin API at http:\/\/127\.0\.0\.1:9 .*npm start/);
  });

  it('the `scim-admin` bin entry (bin/scim-admin.mjs) runs the CLI, with nothing on stderr', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['bin/scim-admin.mjs', 'tenant', 'get', 'default', '--json', '--url', api.url, '--admin-key', api.adminKey],
      { cwd: process.cwd() },
    );
    expect(JSON.parse(stdout)).toMatchObject({ id: 'default', provisioning: { enabled: true } });
    expect(stderr).toBe('');
  });
});

describe('scim-admin finds the local runner through what `npm start` recorded', () => {
  /** A folder `npm start` runs in, with the records it writes for a runner that is `api`. */
  function project(options: { dataDir?: string; record?: Partial<RunnerRecord> } = {}) {
    const cwd = mkdtempSync(join(tmpdir(), 'scim-project-'));
    const dataDir = options.dataDir ?? join(cwd, '.data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'admin-key'), `${api.adminKey}\n`);
    const record: RunnerRecord = {
      url: api.url,
      pid: process.pid,
      dataDir,
      adminKey: { file: join(dataDir, 'admin-key') },
      startedAt: new Date().toISOString(),
      ...options.record,
    };
    writeRunnerRecord(record, cwd);
    return { cwd, dataDir };
  }
  const elsewhere = () => mkdtempSync(join(tmpdir(), 'scim-elsewhere-'));
  const getDefault = (extra: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string }) =>
    cli(['tenant', 'get', 'default', '--json', ...extra], { ...options, target: false });

  it('with the default DATA_DIR: no flags needed', async () => {
    const { cwd } = project();
    const res = await getDefault([], { cwd });
    expect(res.code, res.err).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({ id: 'default' });
  });

  it('with another DATA_DIR and PORT: found from the folder it started in, through DATA_DIR, or --data-dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scim-data-'));
    const { cwd } = project({ dataDir });
    expect((await getDefault([], { cwd })).code).toBe(0);
    expect((await getDefault([], { cwd: elsewhere(), env: { DATA_DIR: dataDir } })).code).toBe(0);
    // --data-dir wins over DATA_DIR.
    const flag = await getDefault(['--data-dir', dataDir], { cwd: elsewhere(), env: { DATA_DIR: elsewhere() } });
    expect(flag.code, flag.err).toBe(0);
  });

  it('--url and --admin-key (or ADMIN_KEY) override what was recorded', async () => {
    const { cwd } = project();
    const url = await getDefault(['--url', 'http://127.0.0.1:9'], { cwd });
    expect(url.err).toMatch(/^error: cannot reach the admin API at http:\/\/127\.0\.0\.1:9 /);
    // --url naming the recorded runner still uses its recorded key.
    const sameRunner = await getDefault(['--url', api.url.replace('127.0.0.1', 'localhost')], { cwd });
    expect(sameRunner.code, sameRunner.err).toBe(0);
    const key = await getDefault(['--admin-key', 'wrong'], { cwd });
    expect(key.err).toMatch(/^error: 401 .*\n\(the admin key from --admin-key was refused/);
    const envKey = await getDefault([], { cwd, env: { ADMIN_KEY: 'wrong' } });
    expect(envKey.err).toMatch(/^error: 401 .*\n\(the admin key from ADMIN_KEY was refused/);
  });

  it('every error names the fix', async () => {
    const empty = elsewhere();
    expect((await getDefault([], { cwd: empty })).err).toBe(
      'error: no local runner found in .data/: start one with `npm start`, or pass --url and --admin-key, or --stack <name> for a deployed stack\n',
    );

    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = project({ record: { pid: gone } });
    expect((await getDefault([], { cwd: stale.cwd })).err).toBe(
      `error: no local runner found in .data/ (the runner recorded there, process ${gone}, has stopped): start one with \`npm start\`, or pass --url and --admin-key, or --stack <name> for a deployed stack\n`,
    );

    const dir = elsewhere();
    expect((await getDefault([], { cwd: empty, env: { DATA_DIR: dir } })).err).toBe(
      `error: no local runner is running with DATA_DIR=${dir}/ (no runner.json there): start one with \`DATA_DIR=${dir}/ npm start\`, or unset DATA_DIR, or pass --url and --admin-key\n`,
    );
    expect((await getDefault(['--data-dir', dir], { cwd: empty })).err).toBe(
      `error: no local runner is running with --data-dir ${dir}/ (no runner.json there): start one with \`DATA_DIR=${dir} npm start\`, or pass --url and --admin-key\n`,
    );

    const two = project();
    const otherDir = elsewhere();
    writeRunnerRecord(
      {
        url: 'http://localhost:1',
        pid: process.pid,
        dataDir: otherDir,
        adminKey: { file: join(otherDir, 'admin-key') },
        startedAt: new Date().toISOString(),
      },
      two.cwd,
    );
    expect((await getDefault([], { cwd: two.cwd })).err).toBe(
      `error: 2 local runners are running: ${api.url} (--data-dir .data/), http://localhost:1 (--data-dir ${otherDir}/): choose one with --data-dir or --url\n`,
    );

    const envKey = project({ record: { adminKey: { env: 'ADMIN_KEY' } } });
    expect((await getDefault([], { cwd: envKey.cwd })).err).toBe(
      `error: the local runner at ${api.url} takes its admin key from its ADMIN_KEY environment variable: set ADMIN_KEY to the same value here, or pass --admin-key\n`,
    );

    expect((await getDefault(['--url', api.url], { cwd: empty })).err).toBe(
      `error: no admin key for ${api.url}: ${join(empty, '.data', 'admin-key')} does not exist. Pass --admin-key <key> or set ADMIN_KEY, or pass --data-dir <the runner's DATA_DIR> (where \`npm start\` saves admin-key)\n`,
    );

    expect((await getDefault(['--stack', 'ScimDirectory', '--data-dir', dir], { cwd: empty })).err).toBe(
      'error: --stack (a deployed stack) cannot be combined with --url, --admin-key or --data-dir (a local runner): drop one or the other\n',
    );
  });
});
