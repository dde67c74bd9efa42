// The console server without a browser: who may talk to it (the URL secret, same origin, its own
// Host names, its own request header), what it forwards (the allow-list), that the admin credential
// never reaches the browser, and the `scim-admin console` command, which must never print a token.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyCallFor } from '../../bin/admin/console/proxy.ts';
import { startConsole, type RunningConsole } from '../../bin/admin/console/server.ts';
import { resolveTarget } from '../../bin/admin/target.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let api: LocalApi;
let console_: RunningConsole;
let cookie: string;

beforeAll(async () => {
  api = await startLocalApi();
  const target = await resolveTarget({ url: api.url, adminKey: api.adminKey }, {}, ROOT);
  console_ = await startConsole({ target });
  const res = await fetch(console_.url, { redirect: 'manual' });
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
});
afterAll(async () => {
  await console_?.close();
  await api?.close();
});

/** A raw request (fetch would set Host itself), answered with its status and body text. */
function get(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; text: () => Promise<string>; json: () => Promise<any> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${console_.origin}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, text: async () => text, json: async () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
const apiHeaders = () => ({ cookie, 'x-scim-console': '1' });

describe('the URL secret', () => {
  it('is traded once for an HttpOnly, SameSite=Strict cookie, and the address bar loses it', async () => {
    const res = await fetch(console_.url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(res.headers.get('set-cookie')).toMatch(
      new RegExp(`^scim_console_${console_.port}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/$`),
    );
  });

  it('without it (or with a wrong one) the page, the script and the API are refused', async () => {
    const wrongCookie = `scim_console_${console_.port}=${'x'.repeat(43)}`;
    for (const [path, headers] of [
      ['/', {}],
      ['/?token=not-the-secret', {}],
      ['/app.js', {}],
      ['/api/session', { 'x-scim-console': '1' }],
      ['/api/tenants', { 'x-scim-console': '1', cookie: wrongCookie }],
    ] as const) {
      const res = await get(path, headers);
      expect(res.status, path).toBe(403);
      expect(await res.text(), path).toMatch(/secret/);
    }
  });

  it('with it, the page loads with a strict content security policy and no caching', async () => {
    const res = await fetch(`${console_.origin}/`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('other origins', () => {
  it('are refused: a foreign Origin, a cross-site or same-site fetch, a foreign Host (DNS rebinding)', async () => {
    for (const [path, headers] of [
      ['/api/tenants', { ...apiHeaders(), origin: 'http://evil.example' }],
      ['/api/tenants', { ...apiHeaders(), origin: 'http://127.0.0.1:1' }],
      ['/api/tenants', { ...apiHeaders(), 'sec-fetch-site': 'cross-site' }],
      ['/api/tenants', { ...apiHeaders(), 'sec-fetch-site': 'same-site' }],
      ['/api/tenants', { ...apiHeaders(), host: `evil.example:${console_.port}` }],
      ['/', { cookie, origin: 'http://evil.example' }],
    ] as const) {
      const res = await get(path, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
  });

  it('refuses a state-changing call from another origin before it reaches the admin API', async () => {
    const res = await get(
      '/api/tenants/default/tokens',
      { ...apiHeaders(), origin: 'http://localhost:3000', 'content-type': 'text/plain' },
      'POST',
      '{"name":"csrf"}',
    );
    expect(res.status).toBe(403);
    const tokens = await api.admin('GET', '/tenants/default/tokens');
    expect(tokens.body.tokens.map((t: { name: string }) => t.name)).not.toContain('csrf');
  });

  it('API calls need the console header (a cross-origin page cannot send it without a preflight)', async () => {
    const res = await get('/api/tenants', { cookie });
    expect(res.status).toBe(403);
    expect((await res.json()).detail).toMatch(/x-scim-console/);
  });

  it('its own origin, on 127.0.0.1 or localhost, is accepted', async () => {
    for (const origin of [console_.origin, `http://localhost:${console_.port}`]) {
      const res = await get('/api/tenants', { ...apiHeaders(), origin, host: new URL(origin).host });
      expect(res.status, origin).toBe(200);
    }
  });
});

describe('the allow-list', () => {
  it('forwards only the admin calls of the screens, with only their query parameters', () => {
    const q = (s: string) => new URLSearchParams(s);
    expect(proxyCallFor('GET', '/tenants/acme/users', q('q=alice&match=prefix&evil=1'))).toEqual({
      method: 'GET',
      adminPath: '/admin/tenants/acme/users?q=alice&match=prefix',
      withBody: false,
    });
    // A space travels as %20 (API Gateway keeps `+` literal); a real `+` stays %2B.
    expect(proxyCallFor('GET', '/tenants/acme/groups', q('q=Sales+Team%2Bx'))?.adminPath).toBe(
      '/admin/tenants/acme/groups?q=Sales%20Team%2Bx',
    );
    expect(proxyCallFor('POST', '/tenants/acme/tokens', q(''))?.withBody).toBe(true);
    for (const [method, path] of [
      ['DELETE', '/tenants/acme'],
      ['PUT', '/tenants/acme/tokens'],
      ['GET', '/tenants/ACME'],
      ['GET', '/tenants/acme%2F..%2Fx/tokens'],
      ['GET', '/tenants/acme/users/..'],
      ['GET', '/scim/v2/Users'],
      ['POST', '/tenants/acme/provisioning'],
    ] as const) {
      expect(proxyCallFor(method, path, q('')), `${method} ${path}`).toBeUndefined();
    }
  });

  it('answers 404 for anything else, and proxies the allowed calls to the admin API', async () => {
    const refused = await get('/api/tenants/acme', apiHeaders(), 'DELETE');
    expect(refused.status).toBe(404);
    const created = await get(
      '/api/tenants/acme',
      { ...apiHeaders(), 'content-type': 'application/json' },
      'PUT',
      '{"displayName":"Acme"}',
    );
    expect(created.status).toBe(201);
    expect((await created.json()).displayName).toBe('Acme');
    expect((await api.admin('GET', '/tenants/acme')).body.displayName).toBe('Acme');
  });

  it('never gives the browser the admin key', async () => {
    for (const path of ['/', '/app.js', '/app.css', '/api/session', '/api/tenants']) {
      const res = await get(path, apiHeaders());
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).not.toContain(api.adminKey);
    }
    const session = await (await get('/api/session', apiHeaders())).json();
    expect(session).toEqual({ target: { kind: 'local', url: api.url }, scimBaseUrl: `${api.url}/scim/v2` });
  });
});

describe('scim-admin console', () => {
  it('prints the URL with the secret, serves it, never prints a token or the admin key, stops on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      ['bin/scim-admin.mjs', 'console', '--url', api.url, '--admin-key', api.adminKey],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const started = Date.now();
      while (!/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.test(output) && Date.now() - started < 20_000)
        await new Promise((r) => setTimeout(r, 100));
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(output)?.[0];
      expect(url, output).toBeDefined();
      const entry = await fetch(url!, { redirect: 'manual' });
      expect(entry.status).toBe(303);
      const session = (entry.headers.get('set-cookie') ?? '').split(';')[0]!;
      const issued = await fetch(`${new URL(url!).origin}/api/tenants/default/tokens`, {
        method: 'POST',
        headers: { cookie: session, 'x-scim-console': '1', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'from-console' }),
      });
      expect(issued.status).toBe(201);
      const { token } = await issued.json();
      expect(token).toMatch(/^scim_/);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toMatch(/Console stopped\./);
      expect(output).not.toContain(token);
      expect(output).not.toContain(api.adminKey);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses a bad --port and extra arguments as usage errors', async () => {
    const { main } = await import('../../bin/admin/cli.ts');
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t), env: {}, cwd: ROOT };
    expect(await main(['console', '--port', 'x', '--url', api.url, '--admin-key', api.adminKey], io)).toBe(2);
    expect(lines.join('\n')).toMatch(/--port must be a port number/);
    expect(await main(['console', 'extra', '--url', api.url, '--admin-key', api.adminKey], io)).toBe(2);
    expect(lines.join('\n')).toMatch(/usage: scim-admin console/);
  });
});
