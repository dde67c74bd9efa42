// The admin API over HTTP: tenants, status and counts, and a clear 4xx for every kind of bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type CallResult, type LocalApi } from '../support/local-api.ts';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

/** A raw admin call, for bodies the harness would not send (no JSON, arrays, wrong types). */
async function raw(method: string, path: string, body?: string): Promise<CallResult> {
  const res = await fetch(`${api.url}/admin${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${api.adminKey}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return {
    status: res.status,
    headers: res.headers,
    body: parsed,
    text,
    cost: { requests: 0, roundTrips: 0, rcu: 0, wcu: 0, operations: [] },
  };
}

function expectBadRequest(res: CallResult, detail: RegExp) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(res.body.status).toBe('400');
  expect(res.body.detail).toMatch(detail);
}

describe('tenants', () => {
  it('PUT creates (201) and is idempotent (200), keeping state; displayName can be set and changed', async () => {
    const created = await api.admin('PUT', '/tenants/acme', { displayName: 'Acme Corp' });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    expect(created.body).toEqual({
      id: 'acme',
      displayName: 'Acme Corp',
      provisioning: { enabled: true },
      counts: { users: 0, groups: 0, activeTokens: 0 },
      rateLimit: { tier: 'default' },
      createdAt: api.clock.now.toISOString(),
      updatedAt: api.clock.now.toISOString(),
    });
    await api.admin('POST', '/tenants/acme/tokens', { name: 'okta' });
    await api.admin('PUT', '/tenants/acme/provisioning', { enabled: true });

    api.clock.advance(60_000);
    const again = await api.admin('PUT', '/tenants/acme', {});
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({
      id: 'acme',
      displayName: 'Acme Corp',
      counts: { activeTokens: 1 },
      createdAt: created.body.createdAt,
    });

    const renamed = await api.admin('PUT', '/tenants/acme', { displayName: 'ACME' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ displayName: 'ACME', updatedAt: api.clock.now.toISOString() });
  });

  it('PUT without a body creates too', async () => {
    const res = await raw('PUT', '/tenants/nobody');
    expect(res.status, res.text).toBe(201);
  });

  it('GET shows provisioning and counts of users, groups and active tokens', async () => {
    const token = await api.tokenFor('counted');
    for (const userName of ['a@example.com', 'b@example.com']) {
      const res = await api.call('POST', '/Users', { token, body: { schemas: [USER], userName } });
      expect(res.status, res.text).toBe(201);
    }
    expect((await api.call('POST', '/Groups', { token, body: { schemas: [GROUP], displayName: 'eng' } })).status).toBe(
      201,
    );
    const res = await api.admin('GET', '/tenants/counted');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      id: 'counted',
      provisioning: { enabled: true },
      counts: { users: 2, groups: 1, activeTokens: 1 },
    });
  });

  it('GET of an unknown tenant is 404 with a hint', async () => {
    const res = await api.admin('GET', '/tenants/nope');
    expect(res.status, res.text).toBe(404);
    expect(res.body.detail).toMatch(/unknown tenant "nope".*PUT \/admin\/tenants\/nope/);
  });

  it('the default tenant always exists', async () => {
    const res = await api.admin('GET', '/tenants/default');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: 'default', provisioning: { enabled: true } });
  });

  it.each([
    ['upper case', 'Acme'],
    ['a hash sign', 'a%23b'],
    ['too long', 'a'.repeat(64)],
    ['a leading dash', '-acme'],
    ['a dot', 'acme.corp'],
  ])('rejects a tenant id with %s (400)', async (_name, id) => {
    expectBadRequest(await api.admin('PUT', `/tenants/${id}`, {}), /invalid tenant id/);
    expectBadRequest(await api.admin('GET', `/tenants/${id}`), /invalid tenant id/);
    expectBadRequest(await api.admin('POST', `/tenants/${id}/tokens`, { name: 'x' }), /invalid tenant id/);
  });

  it.each([
    [{ displayName: 5 }, /displayName must be a string/],
    [{ displayName: '' }, /displayName must not be empty/],
    [{ displayName: 'x'.repeat(201) }, /at most 200/],
    [{ provisioning: false }, /unknown field: provisioning/],
  ])('rejects tenant body %j', async (body, detail) => {
    expectBadRequest(await api.admin('PUT', '/tenants/acme', body), detail);
  });
});

describe('token creation input', () => {
  beforeAll(async () => {
    await api.admin('PUT', '/tenants/inputs', {});
  });

  it.each([
    [{}, /name is required/],
    [{ name: '' }, /name must not be empty/],
    [{ name: '   ' }, /name must not be empty/],
    [{ name: 'x'.repeat(101) }, /at most 100 characters/],
    [{ name: 42 }, /name is required/],
    [{ name: 'x', scope: 'admin' }, /scope must be "full" or "read"/],
    [{ name: 'x', expiresInDays: 0 }, /whole number of days from 1/],
    [{ name: 'x', expiresInDays: 1.5 }, /whole number of days/],
    [{ name: 'x', expiresInDays: '30' }, /whole number of days/],
    [{ name: 'x', expiresInDays: 731 }, /at most 730/],
    [{ name: 'x', token: 'scim_mine' }, /unknown field: token/],
  ])('rejects %j with 400', async (body, detail) => {
    expectBadRequest(await api.admin('POST', '/tenants/inputs/tokens', body), detail);
  });

  it('rejects a body that is not JSON, or not an object', async () => {
    expectBadRequest(await raw('POST', '/tenants/inputs/tokens', '{"name":'), /not valid JSON/);
    expectBadRequest(await raw('POST', '/tenants/inputs/tokens', '["x"]'), /JSON object/);
    expectBadRequest(await raw('POST', '/tenants/inputs/tokens', '"x"'), /JSON object/);
  });

  it('accepts a name at the limit and trims it', async () => {
    const res = await api.admin('POST', '/tenants/inputs/tokens', { name: `  ${'n'.repeat(100)}  ` });
    expect(res.status, res.text).toBe(201);
    expect(res.body.name).toBe('n'.repeat(100));
  });

  it('404 for an unknown tenant', async () => {
    const res = await api.admin('POST', '/tenants/ghost/tokens', { name: 'x' });
    expect(res.status, res.text).toBe(404);
    expect((await api.admin('GET', '/tenants/ghost/tokens')).status).toBe(404);
    expect((await api.admin('DELETE', '/tenants/ghost/tokens/01HZX3J4K5M6N7P8Q9R0S1T2V3')).status).toBe(404);
  });
});

describe('provisioning input', () => {
  it.each([
    [{}, /enabled must be true or false/],
    [{ enabled: 'false' }, /enabled must be true or false/],
    [{ enabled: 0 }, /enabled must be true or false/],
    [{ enabled: true, extra: 1 }, /unknown field: extra/],
  ])('rejects %j with 400', async (body, detail) => {
    await api.admin('PUT', '/tenants/prov', {});
    expectBadRequest(await api.admin('PUT', '/tenants/prov/provisioning', body), detail);
  });

  it('404 for an unknown tenant, and it is not created', async () => {
    expect((await api.admin('PUT', '/tenants/ghost2/provisioning', { enabled: false })).status).toBe(404);
    expect((await api.admin('GET', '/tenants/ghost2')).status).toBe(404);
  });
});

describe('admin authentication (local runner: ADMIN_KEY)', () => {
  it('refuses a missing or wrong key with 401', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${api.adminKey}`]) {
      const res = await fetch(`${api.url}/admin/tenants/default`, {
        headers: authorization ? { Authorization: authorization } : {},
      });
      expect(res.status).toBe(401);
    }
  });
});
