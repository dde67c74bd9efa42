// The token lifecycle over HTTP, against the local runner and DynamoDB Local: create, list,
// revoke, the cap under concurrency, expiry with the injectable clock, the authorizer cache,
// scope, provisioning off/on, and that a plain token is never stored nor logged.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LAST_USED_WRITE_INTERVAL_MS } from '#auth/authenticate.ts';
import { hashToken, isWellFormed } from '#auth/token.ts';
import { logger } from '#http/logger.ts';
import { startLocalApi, type CallResult, type LocalApi } from '../support/local-api.ts';

const DAY = 86_400_000;
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

let api: LocalApi;
/** Every plain token this file has seen, for the "never stored, never logged" checks. */
const seen = new Set<string>();
/** Everything written to stdout/stderr while the API ran, with the logger at DEBUG (captured, not shown). */
let logged = '';
const restore: Array<() => void> = [];

beforeAll(async () => {
  logger.setLogLevel('DEBUG');
  for (const stream of [process.stdout, process.stderr]) {
    const spy = vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      logged += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    }) as typeof stream.write);
    restore.push(() => spy.mockRestore());
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged += `${args.map(String).join(' ')}\n`;
    });
    restore.push(() => spy.mockRestore());
  }
  api = await startLocalApi();
  seen.add(api.token);
});
afterAll(async () => {
  await api.close();
  for (const undo of restore) undo();
  logger.setLogLevel('SILENT');
});

let tenantSeq = 0;
async function newTenant(): Promise<string> {
  const id = `t${++tenantSeq}-${Date.now().toString(36)}`;
  const res = await api.admin('PUT', `/tenants/${id}`, {});
  expect(res.status, res.text).toBe(201);
  return id;
}

async function createToken(tenantId: string, body: Record<string, unknown> = {}): Promise<CallResult> {
  const res = await api.admin('POST', `/tenants/${tenantId}/tokens`, { name: 'okta-prod', ...body });
  if (res.status === 201) seen.add(res.body.token);
  return res;
}

async function mint(tenantId: string, body: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
  const res = await createToken(tenantId, body);
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id, token: res.body.token };
}

function expectUnauthorized(res: CallResult, detail: string) {
  expect(res.status, res.text).toBe(401);
  expect(res.body).toEqual({ schemas: [ERROR_SCHEMA], status: '401', detail });
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
}

const listUsers = (token: string) => api.call('GET', '/Users', { token });

describe('create', () => {
  it('returns 201 with the token (well-formed, shown only here), its id, name, scope and dates', async () => {
    const tenantId = await newTenant();
    const before = api.clock.now;
    const res = await createToken(tenantId, { name: 'entra', scope: 'read', expiresInDays: 30 });
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'name', 'scope', 'token']);
    expect(res.body).toMatchObject({ name: 'entra', scope: 'read', createdAt: before.toISOString() });
    expect(res.body.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isWellFormed(res.body.token)).toBe(true);
    expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt)).toBe(30 * DAY);
  });

  it('defaults to scope full and the configured lifetime (365 days)', async () => {
    const tenantId = await newTenant();
    const res = await createToken(tenantId);
    expect(res.body.scope).toBe('full');
    expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt)).toBe(365 * DAY);
  });

  it('the new token works on SCIM routes of its tenant at once', async () => {
    const { token } = await mint(await newTenant());
    const res = await listUsers(token);
    expect(res.status, res.text).toBe(200);
    expect(res.body.totalResults).toBe(0);
  });
});

describe('list', () => {
  it('shows id, name, scope, status and dates, never a secret or a hash', async () => {
    const tenantId = await newTenant();
    const a = await mint(tenantId, { name: 'okta' });
    const b = await mint(tenantId, { name: 'entra', scope: 'read' });
    const res = await api.admin('GET', `/tenants/${tenantId}/tokens`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.tokens).toEqual([
      {
        id: a.id,
        name: 'okta',
        scope: 'full',
        status: 'active',
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
        lastUsedAt: null,
        revokedAt: null,
      },
      {
        id: b.id,
        name: 'entra',
        scope: 'read',
        status: 'active',
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
        lastUsedAt: null,
        revokedAt: null,
      },
    ]);
    for (const t of [a, b]) {
      expect(res.text).not.toContain(t.token);
      expect(res.text).not.toContain(hashToken(t.token));
    }
    expect(res.text).not.toMatch(/scim_|hash|pk|gsi/);
  });
});

describe('the cap on active tokens (2 by default)', () => {
  it('refuses a third active token with 409 and says to revoke one first', async () => {
    const tenantId = await newTenant();
    await mint(tenantId);
    await mint(tenantId);
    const res = await createToken(tenantId);
    expect(res.status, res.text).toBe(409);
    expect(res.body.detail).toMatch(/already has 2 active tokens.*revoke one first/);
    const status = await api.admin('GET', `/tenants/${tenantId}`);
    expect(status.body.counts.activeTokens).toBe(2);
  });

  it('10 concurrent creates with one free slot: exactly one 201, nine 409', async () => {
    const tenantId = await newTenant();
    await mint(tenantId);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createToken(tenantId, { name: `race-${i}` })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, results.map((r) => r.text).join('\n')).toEqual([201, ...Array(9).fill(409)]);
    const list = await api.admin('GET', `/tenants/${tenantId}/tokens`);
    expect(list.body.tokens).toHaveLength(2);
  });

  it('10 concurrent creates with two free slots: exactly two 201, both tokens work', async () => {
    const tenantId = await newTenant();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createToken(tenantId, { name: `race-${i}` })),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created, results.map((r) => r.text).join('\n')).toHaveLength(2);
    expect(results.filter((r) => r.status === 409)).toHaveLength(8);
    for (const r of created) expect((await listUsers(r.body.token)).status).toBe(200);
  });

  it('revoking frees a slot (rotation without downtime)', async () => {
    const tenantId = await newTenant();
    const old = await mint(tenantId, { name: 'old' });
    const next = await mint(tenantId, { name: 'new' });
    expect((await listUsers(old.token)).status).toBe(200);
    expect((await listUsers(next.token)).status).toBe(200);
    expect((await api.admin('DELETE', `/tenants/${tenantId}/tokens/${old.id}`)).status).toBe(204);
    // Still listed, as revoked, but it holds no slot.
    expect((await api.admin('GET', `/tenants/${tenantId}`)).body.counts.activeTokens).toBe(1);
    const newer = await mint(tenantId, { name: 'newer' });
    const list = await api.admin('GET', `/tenants/${tenantId}/tokens`);
    expect(list.body.tokens.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([
      [old.id, 'revoked'],
      [next.id, 'active'],
      [newer.id, 'active'],
    ]);
    expect((await createToken(tenantId)).status).toBe(409);
  });

  it('follows the configured maximum', async () => {
    const one = await startLocalApi({ config: { maxActiveTokens: 1 }, tenantId: 'solo' });
    try {
      const res = await one.admin('POST', '/tenants/solo/tokens', { name: 'second' });
      expect(res.status, res.text).toBe(409);
      expect(res.body.detail).toMatch(/already has 1 active token, the maximum/);
    } finally {
      await one.close();
    }
  });
});

describe('expiry (injectable clock)', () => {
  it('a token works until expiresAt and gets 401 "token expired" from then on; expired tokens stay listed', async () => {
    const tenantId = await newTenant();
    const { id, token } = await mint(tenantId, { expiresInDays: 1 });
    api.clock.advance(DAY - 1000);
    expect((await listUsers(token)).status).toBe(200);
    api.clock.advance(1000);
    expectUnauthorized(await listUsers(token), 'token expired');
    const list = await api.admin('GET', `/tenants/${tenantId}/tokens`);
    expect(list.body.tokens).toEqual([expect.objectContaining({ id, status: 'expired' })]);
  });

  it('expired tokens do not count against the cap', async () => {
    const tenantId = await newTenant();
    await mint(tenantId, { expiresInDays: 1 });
    await mint(tenantId, { expiresInDays: 2 });
    expect((await createToken(tenantId)).status).toBe(409);
    api.clock.advance(DAY);
    const third = await mint(tenantId);
    expect((await listUsers(third.token)).status).toBe(200);
    const list = await api.admin('GET', `/tenants/${tenantId}/tokens`);
    expect(list.body.tokens.map((t: { status: string }) => t.status)).toEqual(['expired', 'active', 'active']);
    expect((await api.admin('GET', `/tenants/${tenantId}`)).body.counts.activeTokens).toBe(2);
  });

  it('stores a TTL some time after expiry, so DynamoDB cleans expired tokens up later', async () => {
    const tenantId = await newTenant();
    const { token, id } = await mint(tenantId, { expiresInDays: 10 });
    const { Items = [] } = await api.ctx.db.doc.send(new ScanCommand({ TableName: api.ctx.db.tableName }));
    const item = Items.find((i) => i.id === id && i.pk === `TOKEN#${hashToken(token)}`)!;
    expect(item.ttl * 1000).toBeGreaterThan(Date.parse(item.expiresAt));
    expect(Number.isInteger(item.ttl)).toBe(true);
  });

  it('rejects a lifetime above the configured maximum', async () => {
    const tenantId = await newTenant();
    const res = await createToken(tenantId, { expiresInDays: 731 });
    expect(res.status, res.text).toBe(400);
    expect(res.body.detail).toMatch(/at most 730/);
  });
});

describe('revocation', () => {
  it('DELETE revokes at once (no cache): 204, then 401 "token revoked or unknown", then 404', async () => {
    const tenantId = await newTenant();
    const { id, token } = await mint(tenantId);
    expect((await listUsers(token)).status).toBe(200);
    const del = await api.admin('DELETE', `/tenants/${tenantId}/tokens/${id}`);
    expect(del.status, del.text).toBe(204);
    expect(del.text).toBe('');
    expectUnauthorized(await listUsers(token), 'token revoked or unknown');
    const again = await api.admin('DELETE', `/tenants/${tenantId}/tokens/${id}`);
    expect(again.status, again.text).toBe(404);
    expect(again.body.detail).toBe(`tenant "${tenantId}" has no token ${id}`);
  });

  it('a revoked token stays listed as revoked, with revokedAt, for 30 days (TTL), and stays refused', async () => {
    const tenantId = await newTenant();
    const { id, token } = await mint(tenantId, { name: 'okta-old' });
    expect((await listUsers(token)).status).toBe(200);
    api.clock.advance(60_000);
    const revokedAt = api.clock.now.toISOString();
    expect((await api.admin('DELETE', `/tenants/${tenantId}/tokens/${id}`)).status).toBe(204);

    const list = await api.admin('GET', `/tenants/${tenantId}/tokens`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.tokens).toEqual([
      {
        id,
        name: 'okta-old',
        scope: 'full',
        status: 'revoked',
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
        lastUsedAt: expect.any(String),
        revokedAt,
      },
    ]);
    const { Items = [] } = await api.ctx.db.doc.send(new ScanCommand({ TableName: api.ctx.db.tableName }));
    const item = Items.find((i) => i.pk === `TOKEN#${hashToken(token)}`)!;
    expect(item.ttl).toBe(Math.floor((Date.parse(revokedAt) + 30 * DAY) / 1000));

    // Refused on every later call, also once its expiry has passed (revoked, not expired).
    expectUnauthorized(await listUsers(token), 'token revoked or unknown');
    api.clock.advance(400 * DAY);
    try {
      expectUnauthorized(await listUsers(token), 'token revoked or unknown');
      const later = await api.admin('GET', `/tenants/${tenantId}/tokens`);
      expect(later.body.tokens.map((t: { status: string }) => t.status)).toEqual(['revoked']);
    } finally {
      api.clock.advance(-400 * DAY);
    }
  });

  it('revoking an expired token shows it as revoked and keeps its earlier TTL', async () => {
    const tenantId = await newTenant();
    const { id, token } = await mint(tenantId, { expiresInDays: 1 });
    api.clock.advance(2 * DAY);
    try {
      expect((await api.admin('DELETE', `/tenants/${tenantId}/tokens/${id}`)).status).toBe(204);
      const list = await api.admin('GET', `/tenants/${tenantId}/tokens`);
      expect(list.body.tokens).toEqual([
        expect.objectContaining({ id, status: 'revoked', revokedAt: api.clock.now.toISOString() }),
      ]);
      expectUnauthorized(await listUsers(token), 'token revoked or unknown');
      const { Items = [] } = await api.ctx.db.doc.send(new ScanCommand({ TableName: api.ctx.db.tableName }));
      const item = Items.find((i) => i.pk === `TOKEN#${hashToken(token)}`)!;
      expect(item.ttl).toBe(Math.floor((Date.parse(item.expiresAt) + 30 * DAY) / 1000));
    } finally {
      api.clock.advance(-2 * DAY);
    }
  });

  it('takes effect at once through the authorizer cache: the revocation flushes it (issue 11)', async () => {
    const cached = await startLocalApi({ authorizerCacheTtlSeconds: 300, tenantId: 'cached' });
    try {
      seen.add(cached.token);
      const { token, id } = (await cached.admin('POST', '/tenants/cached/tokens', { name: 'second' })).body;
      seen.add(token);
      expect((await cached.call('GET', '/Users', { token })).status).toBe(200);
      expect((await cached.admin('DELETE', `/tenants/cached/tokens/${id}`)).status).toBe(204);
      // The cached Allow is gone with the flush: the very next request is refused.
      expectUnauthorized(await cached.call('GET', '/Users', { token }), 'token revoked or unknown');
    } finally {
      await cached.close();
    }
  });

  it('a token of another tenant cannot be revoked through this tenant (404)', async () => {
    const a = await newTenant();
    const b = await newTenant();
    const { id, token } = await mint(a);
    expect((await api.admin('DELETE', `/tenants/${b}/tokens/${id}`)).status).toBe(404);
    expect((await listUsers(token)).status).toBe(200);
  });

  it('unknown or malformed token ids get 404', async () => {
    const tenantId = await newTenant();
    expect((await api.admin('DELETE', `/tenants/${tenantId}/tokens/01HZX3J4K5M6N7P8Q9R0S1T2V3`)).status).toBe(404);
    expect((await api.admin('DELETE', `/tenants/${tenantId}/tokens/not-a-token-id`)).status).toBe(404);
  });
});

describe('read scope', () => {
  it('reads and searches succeed, every write gets 403', async () => {
    const tenantId = await newTenant();
    const full = await mint(tenantId, { name: 'writer' });
    const created = await api.call('POST', '/Users', {
      token: full.token,
      body: { schemas: [USER], userName: 'reader-target@example.com' },
    });
    expect(created.status, created.text).toBe(201);
    const userId = created.body.id;
    const { token } = await mint(tenantId, { name: 'reader', scope: 'read' });

    for (const [method, path, body] of [
      ['GET', '/Users', undefined],
      ['GET', `/Users/${userId}`, undefined],
      ['GET', '/Groups', undefined],
      [
        'POST',
        '/Users/.search',
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
          filter: 'userName eq "reader-target@example.com"',
        },
      ],
      ['GET', '/ServiceProviderConfig', undefined],
    ] as const) {
      const res = await api.call(method, path, { token, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(200);
    }
    for (const [method, path, body] of [
      ['POST', '/Users', { schemas: [USER], userName: 'nope@example.com' }],
      ['PUT', `/Users/${userId}`, { schemas: [USER], userName: 'reader-target@example.com' }],
      [
        'PATCH',
        `/Users/${userId}`,
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'active', value: false }],
        },
      ],
      ['DELETE', `/Users/${userId}`, undefined],
      ['POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'nope' }],
    ] as const) {
      const res = await api.call(method, path, { token, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(403);
      expect(res.body.detail).toMatch(/read-only/);
    }
    expect((await api.call('GET', `/Users/${userId}`, { token })).body.active).not.toBe(false);
  });
});

describe('provisioning off and on', () => {
  it('off: every token gets 401 "provisioning disabled", tokens are gone, none can be created; on does not restore them', async () => {
    const tenantId = await newTenant();
    const a = await mint(tenantId);
    const b = await mint(tenantId, { scope: 'read' });
    const off = await api.admin('PUT', `/tenants/${tenantId}/provisioning`, { enabled: false });
    expect(off.status, off.text).toBe(200);
    expect(off.body).toMatchObject({
      id: tenantId,
      provisioning: { enabled: false },
      counts: { activeTokens: 0 },
      revokedTokens: 2,
    });

    for (const t of [a, b]) expectUnauthorized(await listUsers(t.token), 'provisioning disabled');
    expect((await api.admin('GET', `/tenants/${tenantId}/tokens`)).body.tokens).toEqual([]);
    const refused = await createToken(tenantId);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.detail).toMatch(/provisioning is off/);

    const on = await api.admin('PUT', `/tenants/${tenantId}/provisioning`, { enabled: true });
    expect(on.status, on.text).toBe(200);
    expect(on.body.provisioning).toEqual({ enabled: true });
    for (const t of [a, b]) expectUnauthorized(await listUsers(t.token), 'token revoked or unknown');
    expect((await api.admin('GET', `/tenants/${tenantId}/tokens`)).body.tokens).toEqual([]);

    const fresh = await mint(tenantId);
    expect((await listUsers(fresh.token)).status).toBe(200);
  });

  it('off after a revocation: the revoked token is not counted again, leaves the list, and is still "revoked"', async () => {
    const tenantId = await newTenant();
    const revoked = await mint(tenantId, { name: 'revoked' });
    const live = await mint(tenantId, { name: 'live' });
    expect((await api.admin('DELETE', `/tenants/${tenantId}/tokens/${revoked.id}`)).status).toBe(204);
    const off = await api.admin('PUT', `/tenants/${tenantId}/provisioning`, { enabled: false });
    expect(off.status, off.text).toBe(200);
    expect(off.body.revokedTokens).toBe(1);
    expect((await api.admin('GET', `/tenants/${tenantId}/tokens`)).body.tokens).toEqual([]);
    expectUnauthorized(await listUsers(revoked.token), 'token revoked or unknown');
    expectUnauthorized(await listUsers(live.token), 'provisioning disabled');
  });

  it('off is idempotent and leaves other tenants alone', async () => {
    const a = await newTenant();
    const b = await newTenant();
    const tb = await mint(b);
    await mint(a);
    expect((await api.admin('PUT', `/tenants/${a}/provisioning`, { enabled: false })).status).toBe(200);
    const again = await api.admin('PUT', `/tenants/${a}/provisioning`, { enabled: false });
    expect(again.status).toBe(200);
    expect(again.body.revokedTokens).toBe(0);
    expect((await listUsers(tb.token)).status).toBe(200);
  });
});

describe('credentials stay on their side', () => {
  it('the admin key never works on a SCIM route', async () => {
    for (const header of [`Bearer ${api.adminKey}`, api.adminKey]) {
      const res = await api.call('GET', '/Users', { token: null, headers: { Authorization: header } });
      expectUnauthorized(res, 'missing or malformed bearer token');
    }
  });

  it('a SCIM token never works on an admin route', async () => {
    for (const [method, path] of [
      ['GET', '/admin/tenants/default'],
      ['POST', '/admin/tenants/default/tokens'],
      ['GET', '/admin/tenants/default/tokens'],
      ['PUT', '/admin/tenants/default/provisioning'],
    ] as const) {
      const res = await fetch(`${api.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/json' },
        ...(method === 'GET' ? {} : { body: JSON.stringify(method === 'POST' ? { name: 'x' } : { enabled: false }) }),
      });
      const text = await res.text();
      expect(res.status, `${method} ${path}: ${text}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    }
    expect((await listUsers(api.token)).status).toBe(200);
  });
});

describe('401 responses', () => {
  it('missing header, garbage, typo, unknown token: a SCIM error with an actionable detail', async () => {
    expectUnauthorized(await api.call('GET', '/Users', { token: null }), 'missing or malformed bearer token');
    expectUnauthorized(await api.call('GET', '/Users', { token: 'not-a-token' }), 'missing or malformed bearer token');
    const typo = api.token.slice(0, 10) + (api.token[10] === 'x' ? 'y' : 'x') + api.token.slice(11);
    expectUnauthorized(await api.call('GET', '/Users', { token: typo }), 'missing or malformed bearer token');
    expectUnauthorized(
      await api.call('GET', '/Users', { token: 'scim_' + 'A'.repeat(49) }),
      'missing or malformed bearer token',
    );
  });

  it('accepts the scheme in any case and extra spaces (what IdPs send)', async () => {
    for (const header of [`bearer ${api.token}`, `BEARER   ${api.token}`, `Bearer ${api.token} `]) {
      const res = await api.call('GET', '/Users', { token: null, headers: { Authorization: header } });
      expect(res.status, `${JSON.stringify(header)}: ${res.text}`).toBe(200);
    }
  });
});

describe('lastUsedAt', () => {
  it('is set on first use and rewritten at most once per interval', async () => {
    const tenantId = await newTenant();
    const { id, token } = await mint(tenantId);
    const lastUsed = async () =>
      (await api.admin('GET', `/tenants/${tenantId}/tokens`)).body.tokens.find((t: { id: string }) => t.id === id)
        .lastUsedAt;
    expect(await lastUsed()).toBeNull();
    const first = api.clock.now.toISOString();
    await listUsers(token);
    expect(await lastUsed()).toBe(first);

    api.clock.advance(LAST_USED_WRITE_INTERVAL_MS - 1000);
    await listUsers(token);
    await listUsers(token);
    expect(await lastUsed()).toBe(first);

    api.clock.advance(2000);
    await listUsers(token);
    expect(await lastUsed()).toBe(api.clock.now.toISOString());
  });
});

describe('the plain token is never stored nor logged', () => {
  it('no stored item contains a plain token; tokens are stored under their SHA-256', async () => {
    expect(seen.size).toBeGreaterThan(20);
    const items: Array<Record<string, unknown>> = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await api.ctx.db.doc.send(
        new ScanCommand({ TableName: api.ctx.db.tableName, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const dump = JSON.stringify(items);
    for (const token of seen) expect(dump.includes(token)).toBe(false);
    expect(dump).not.toContain('scim_');
    expect(items.some((i) => i.pk === `TOKEN#${hashToken(api.token)}`)).toBe(true);
  });

  it('no log line contains a plain token (the logger ran at DEBUG through every test above)', () => {
    // Denials are logged (with ids), so this checks real output rather than silence.
    expect(logged).toContain('token denied');
    for (const token of seen) expect(logged.includes(token)).toBe(false);
    expect(logged).not.toMatch(/scim_[0-9A-Za-z]{20}/);
  });
});
