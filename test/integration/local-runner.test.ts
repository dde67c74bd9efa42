// `npm start` as a user runs it: a real child process against the shared DynamoDB Local.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { freePort } from '#infra/local/dynamodb-local.ts';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    env: { ...process.env, ...env },
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

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out');
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
