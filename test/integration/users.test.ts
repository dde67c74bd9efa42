import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

let n = 0;
const newUser = (extra: Record<string, unknown> = {}) => ({
  schemas: [USER],
  userName: `user${++n}-${Date.now()}@example.com`,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: `ada${n}@example.com`, type: 'work', primary: true }],
  active: true,
  ...extra,
});

async function create(extra: Record<string, unknown> = {}) {
  const res = await api.call('POST', '/Users', { body: newUser(extra) });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

describe('POST /Users', () => {
  it('creates a user: 201, full resource, Location, ETag, meta', async () => {
    const body = newUser({ password: 'S3cret!pass', [ENTERPRISE]: { department: 'R&D', manager: { value: 'm1' } } });
    const res = await api.call('POST', '/Users', { body });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(res.body.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.body.userName).toBe(body.userName);
    expect(res.body.name).toEqual({ givenName: 'Ada', familyName: 'Lovelace' });
    expect(res.body[ENTERPRISE].department).toBe('R&D');
    expect(res.body.schemas).toEqual(expect.arrayContaining([USER, ENTERPRISE]));
    expect(res.body).not.toHaveProperty('password');
    expect(res.body.meta).toMatchObject({ resourceType: 'User', location: `${api.scimUrl}/Users/${res.body.id}` });
    expect(res.body.meta.version).toBe(res.headers.get('etag'));
    expect(res.headers.get('location')).toBe(res.body.meta.location);
  });

  it('rejects a duplicate userName case-insensitively with 409 uniqueness', async () => {
    const u = await create();
    const res = await api.call('POST', '/Users', { body: newUser({ userName: u.userName.toUpperCase() }) });
    expect(res.status, res.text).toBe(409);
    expect(res.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect(res.body.detail).toContain(u.id);
  });

  it('lets exactly one of 10 concurrent creates of one userName win', async () => {
    const userName = `race-${Date.now()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => api.call('POST', '/Users', { body: newUser({ userName }) })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const list = await api.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(list.body.totalResults).toBe(1);
  });

  it('answers malformed JSON with 400 invalidSyntax and a missing userName with 400', async () => {
    const bad = await api.call('POST', '/Users', {
      rawBody: '{"userName": ',
      headers: { 'Content-Type': 'application/scim+json' },
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.scimType).toBe('invalidSyntax');
    const missing = await api.call('POST', '/Users', { body: { schemas: [USER], name: { givenName: 'x' } } });
    expect(missing.status, missing.text).toBe(400);
    expect(missing.body.detail).toMatch(/userName/);
  });

  it('answers an unsupported media type with 415', async () => {
    const res = await api.call('POST', '/Users', {
      rawBody: '<user/>',
      headers: { 'Content-Type': 'application/xml' },
    });
    expect(res.status, res.text).toBe(415);
  });
});

describe('GET /Users/{id}', () => {
  it('returns the user with ETag, honours If-None-Match with 304, 404 for unknown', async () => {
    const u = await create();
    const res = await api.call('GET', `/Users/${u.id}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.userName).toBe(u.userName);
    expect(res.body.groups ?? []).toEqual([]);
    const cached = await api.call('GET', `/Users/${u.id}`, { headers: { 'If-None-Match': res.headers.get('etag')! } });
    expect(cached.status).toBe(304);
    const missing = await api.call('GET', '/Users/01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: '404' });
  });

  it('projects attributes and excludedAttributes', async () => {
    const u = await create();
    const only = await api.call('GET', `/Users/${u.id}?attributes=userName,name.givenName`);
    expect(Object.keys(only.body).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
    expect(only.body.name).toEqual({ givenName: 'Ada' });
    const without = await api.call('GET', `/Users/${u.id}?excludedAttributes=emails,groups`);
    expect(without.body).not.toHaveProperty('emails');
    expect(without.body).not.toHaveProperty('groups');
    expect(without.body.userName).toBe(u.userName);
  });

  it('answers application/json when that is all the client accepts', async () => {
    const u = await create();
    const res = await api.call('GET', `/Users/${u.id}`, { headers: { Accept: 'application/json' } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('PUT /Users/{id}', () => {
  it('replaces, bumps the version, ignores readOnly, moves the userName claim', async () => {
    const u = await create();
    const newName = `renamed-${Date.now()}@example.com`;
    const res = await api.call('PUT', `/Users/${u.id}`, {
      body: { schemas: [USER], id: 'ignored', userName: newName, active: false, meta: { version: 'x' } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.id).toBe(u.id);
    expect(res.body.userName).toBe(newName);
    expect(res.body.active).toBe(false);
    expect(res.body).not.toHaveProperty('emails');
    expect(res.body.meta.version).not.toBe(u.meta.version);
    // The old userName is free again, the new one is taken.
    expect((await api.call('POST', '/Users', { body: newUser({ userName: u.userName }) })).status).toBe(201);
    expect((await api.call('POST', '/Users', { body: newUser({ userName: newName }) })).status).toBe(409);
  });

  it('enforces If-Match with 412', async () => {
    const u = await create();
    const stale = await api.call('PUT', `/Users/${u.id}`, {
      body: { ...newUser(), userName: u.userName },
      headers: { 'If-Match': 'W/"999"' },
    });
    expect(stale.status, stale.text).toBe(412);
    const fresh = await api.call('PUT', `/Users/${u.id}`, {
      body: { ...newUser(), userName: u.userName },
      headers: { 'If-Match': u.meta.version },
    });
    expect(fresh.status, fresh.text).toBe(200);
  });
});

describe('PATCH /Users/{id}', () => {
  it('applies add/replace/remove atomically and keeps inactive users visible', async () => {
    const u = await create();
    const res = await api.call('PATCH', `/Users/${u.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'replace', path: 'active', value: false },
          { op: 'add', path: 'emails[type eq "home"].value', value: 'home@example.com' },
          { op: 'replace', path: 'name.givenName', value: 'Augusta' },
        ],
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.active).toBe(false);
    expect(res.body.name.givenName).toBe('Augusta');
    expect(res.body.emails).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'home', value: 'home@example.com' })]),
    );
    const found = await api.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${u.userName}"`)}`);
    expect(found.body.Resources[0].active).toBe(false);
  });

  it('changes nothing when one operation fails', async () => {
    const u = await create();
    const res = await api.call('PATCH', `/Users/${u.id}`, {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'replace', path: 'displayName', value: 'Changed' },
          { op: 'bogus', path: 'displayName', value: 'x' },
        ],
      },
    });
    expect(res.status, res.text).toBe(400);
    const after = await api.call('GET', `/Users/${u.id}`);
    expect(after.body.displayName).toBeUndefined();
    expect(after.body.meta.version).toBe(u.meta.version);
  });
});

describe('DELETE /Users/{id}', () => {
  it('deletes (204), then 404; frees the userName', async () => {
    const u = await create();
    expect((await api.call('DELETE', `/Users/${u.id}`)).status).toBe(204);
    expect((await api.call('GET', `/Users/${u.id}`)).status).toBe(404);
    expect((await api.call('DELETE', `/Users/${u.id}`)).status).toBe(404);
    expect((await api.call('POST', '/Users', { body: newUser({ userName: u.userName }) })).status).toBe(201);
  });
});

describe('GET /Users (list and filter)', () => {
  it('filters by userName (case-insensitive), externalId, and returns an empty ListResponse on no match', async () => {
    const u = await create({ externalId: `ext-${Date.now()}` });
    const byName = await api.call(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${u.userName.toUpperCase()}"`)}`,
    );
    expect(byName.status, byName.text).toBe(200);
    expect(byName.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
    expect(byName.body.Resources[0].id).toBe(u.id);
    const byExt = await api.call('GET', `/Users?filter=${encodeURIComponent(`externalId eq "${u.externalId}"`)}`);
    expect(byExt.body.Resources.map((r: { id: string }) => r.id)).toEqual([u.id]);
    const none = await api.call('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody-at-all"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('rejects a bad filter with 400 invalidFilter', async () => {
    const res = await api.call('GET', `/Users?filter=${encodeURIComponent('userName xx "a"')}`);
    expect(res.status, res.text).toBe(400);
    expect(res.body.scimType).toBe('invalidFilter');
  });

  it('answers POST /Users/.search like GET', async () => {
    const u = await create();
    const res = await api.call('POST', '/Users/.search', {
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: `userName eq "${u.userName}"`,
        attributes: ['userName'],
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.Resources).toEqual([{ schemas: [USER], id: u.id, userName: u.userName }]);
  });
});

describe('sorting, root search, limits, password storage', () => {
  it('sorts by userName ascending and descending (RFC 7644 §3.4.2.3)', async () => {
    const local = await startLocalApi();
    try {
      for (const name of ['charlie', 'Alpha', 'bravo'])
        await local.call('POST', '/Users', { body: { userName: name } });
      const asc = await local.call('GET', '/Users?sortBy=userName');
      expect(asc.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['Alpha', 'bravo', 'charlie']);
      const desc = await local.call('GET', '/Users?sortBy=userName&sortOrder=descending&count=2');
      expect(desc.body).toMatchObject({ totalResults: 3, itemsPerPage: 2 });
      expect(desc.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['charlie', 'bravo']);
      const bad = await local.call('GET', '/Users?sortBy=userName&sortOrder=sideways');
      expect(bad.status).toBe(400);
    } finally {
      await local.close();
    }
  });

  it('POST /.search searches users and groups together', async () => {
    const u = await create();
    await api.call('POST', '/Groups', { body: { displayName: `search-${u.id}` } });
    const res = await api.call('POST', '/.search', {
      body: { filter: `userName eq "${u.userName}" or displayName eq "search-${u.id}"` },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.totalResults).toBe(2);
    expect(res.body.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType).sort()).toEqual([
      'Group',
      'User',
    ]);
  });

  it('answers a body over 1 MB with 413 and stores nothing', async () => {
    const userName = `big-${Date.now()}`;
    const res = await api.call('POST', '/Users', { body: { userName, displayName: 'x'.repeat(1_100_000) } });
    expect(res.status, res.text.slice(0, 200)).toBe(413);
    const found = await api.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(found.body.totalResults).toBe(0);
  });

  it('stores the password only as a salted hash and never returns it', async () => {
    const password = `Pw-${Date.now()}-secret`;
    const u = await create({ password });
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const scan = await api.ctx.db.doc.send(new ScanCommand({ TableName: api.ctx.db.tableName }));
    expect(JSON.stringify(scan.Items)).not.toContain(password);
    const item = scan.Items!.find((i) => i.sk === u.id)!;
    expect(item.pwd).toMatch(/^scrypt\$/);
    expect((await api.call('GET', `/Users/${u.id}?attributes=password`)).body).not.toHaveProperty('password');
  });
});
