// The admin CLI against the local runner: every command, readable and --json output, the admin
// key from .data/admin-key, errors and exit codes, and the `scim-admin` bin entry itself.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWellFormed } from '#auth/token.ts';
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
    expect(res.err).toMatch(/error: 401 .*\n\(check the admin key/);
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

  it('the `scim-admin` bin entry (bin/scim-admin.mjs) runs the CLI', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/scim-admin.mjs', 'tenant', 'get', 'default', '--json', '--url', api.url, '--admin-key', api.adminKey],
      { cwd: process.cwd(), env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    expect(JSON.parse(stdout)).toMatchObject({ id: 'default', provisioning: { enabled: true } });
  });
});
