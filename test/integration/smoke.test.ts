// Issue 11 item 12: `npm run smoke -- --url <SCIM base URL> --token <t>` (scripts/smoke.ts), run
// here as a user runs it (a child process) against the local runner: every check passes, and the
// tenant holds afterwards exactly what it held before.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unavailableReason } from '../conformance/suites.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

function smoke(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/smoke.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const count = async (token: string, endpoint: string) =>
  (await api.call('GET', `/${endpoint}?count=0`, { token })).body.totalResults as number;

describe('npm run smoke', () => {
  it('passes against the local runner on an empty tenant (both suites and the CRUD sequence) and leaves it empty', async () => {
    const token = await api.tokenFor('smoke');
    const { code, output } = await smoke(['--url', api.scimUrl, '--token', token]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/smoke: \d+ checks passed/);
    expect(output).toContain('ok    DELETE /Users/{id}');
    if (!unavailableReason()) {
      expect(output).toMatch(/ok {4}conformance: Okta/);
      expect(output).toMatch(/ok {4}conformance: Microsoft/);
    }
    expect(await count(token, 'Users')).toBe(0);
    expect(await count(token, 'Groups')).toBe(0);
  }, 600_000);

  it('touches nothing that existed before, and skips the Microsoft suite on a tenant with data', async () => {
    const token = await api.tokenFor('smoke-busy');
    const kept = await api.call('POST', '/Users', {
      token,
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'kept@example.com' },
    });
    expect(kept.status, kept.text).toBe(201);
    const { code, output } = await smoke(['--url', api.scimUrl, '--token', token, '--skip-suites']);
    expect(code, output).toBe(0);
    expect((await api.call('GET', `/Users/${kept.body.id}`, { token })).status).toBe(200);
    expect(await count(token, 'Users')).toBe(1);
  }, 300_000);

  it('fails (exit 1) with a bad token, before writing anything', async () => {
    const { code, output } = await smoke(['--url', api.scimUrl, '--token', 'scim_not-a-token']);
    expect(code, output).toBe(1);
    expect(output).toContain('FAIL  GET /ServiceProviderConfig with the token');
  }, 120_000);
});
