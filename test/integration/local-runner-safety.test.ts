// Issue 11 item 11: the local runner is safe by default. `npm start` listens on 127.0.0.1 (HOST
// changes it), DynamoDB Local too (it has no authentication: whoever reaches it can write token
// items), and Location / meta.location come from the configured base URL, never from the Host
// header a client sends.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '#infra/local/dynamodb-local.ts';
import { startLocalApi } from '../support/local-api.ts';

/** An address of this machine other than loopback: what someone else on the network would dial. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function startRunner(
  env: Record<string, string>,
): Promise<{ port: number; dataDir: string; child: ChildProcess }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-safety-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      TABLE_NAME: `safety-${port}`,
      PUBLIC_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const up = await fetch(`http://127.0.0.1:${port}/scim/v2/ServiceProviderConfig`).then(
      (r) => r.status === 401,
      () => false,
    );
    if (up) return { port, dataDir, child };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`bin/local.ts did not answer on port ${port}:\n${output}`);
}

/** A raw request with the Host header we choose (fetch does not let a caller set Host). */
function post(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; location?: string; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { 'Content-Type': 'application/scim+json', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ...(res.headers.location ? { location: res.headers.location } : {}),
            body: text ? JSON.parse(text) : undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('issue 11 item 11: the local runner is safe by default', () => {
  it.skipIf(!external)(
    'finding: npm start listens on 127.0.0.1 only (not on every interface); HOST=0.0.0.0 opts in',
    async () => {
      const { port } = await startRunner({});
      expect(await connects('127.0.0.1', port)).toBe(true);
      expect(await connects(external!, port), `reachable on ${external}:${port}`).toBe(false);
      // The check can fail: with HOST=0.0.0.0 the same probe connects.
      const open = await startRunner({ HOST: '0.0.0.0' });
      expect(await connects(external!, open.port)).toBe(true);
    },
    300_000,
  );

  it.skipIf(!external)('finding: DynamoDB Local listens on 127.0.0.1 only', async () => {
    const endpoint = new URL(inject('dynamodbEndpoint'));
    expect(endpoint.hostname).toBe('127.0.0.1');
    expect(await connects('127.0.0.1', Number(endpoint.port))).toBe(true);
    expect(await connects(external!, Number(endpoint.port)), `reachable on ${external}:${endpoint.port}`).toBe(false);
  });

  it('finding: Location and meta.location come from the configured base URL, not from the Host header', async () => {
    // The test harness: no base URL configured, so the address the runner listens on.
    const api = await startLocalApi();
    try {
      const port = Number(new URL(api.url).port);
      const res = await post(
        port,
        '/scim/v2/Users',
        { Authorization: `Bearer ${api.token}`, Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' },
        { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'host@example.com' },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.location).toBe(`${api.scimUrl}/Users/${res.body.id}`);
      expect(res.body.meta.location).toBe(res.location);
    } finally {
      await api.close();
    }
    // npm start with PUBLIC_URL (behind a proxy, say): that is what Location says.
    const { port, dataDir } = await startRunner({ PUBLIC_URL: 'https://scim.example.com' });
    const adminKey = readFileSync(join(dataDir, 'admin-key'), 'utf8').trim();
    const token = await post(
      port,
      '/admin/tenants/default/tokens',
      { Authorization: `Bearer ${adminKey}` },
      { name: 'safety' },
    );
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    const res = await post(
      port,
      '/scim/v2/Users',
      { Authorization: `Bearer ${token.body.token}`, Host: 'evil.example' },
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'based@example.com' },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.location).toBe(`https://scim.example.com/scim/v2/Users/${res.body.id}`);
  }, 300_000);
});
