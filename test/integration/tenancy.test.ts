// Tenant isolation: a token of tenant beta tries every SCIM route of the route table against
// tenant alpha's users and groups, and reaches none of them. The case table is checked against
// ROUTES, so a new route without an isolation case fails this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, SCIM_PREFIX } from '#api/routes.ts';
import { startLocalApi, type CallResult, type LocalApi } from '../support/local-api.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

let api: LocalApi;
let alphaToken: string;
let betaToken: string;
const alpha = { userId: '', groupId: '', userVersion: '', groupVersion: '' };

beforeAll(async () => {
  api = await startLocalApi({ tenantId: 'alpha' });
  alphaToken = api.token;
  betaToken = await api.tokenFor('beta');
  const user = await api.call('POST', '/Users', {
    token: alphaToken,
    body: { schemas: [USER], userName: 'shared@example.com', externalId: 'ext-shared', displayName: 'Alpha Person' },
  });
  expect(user.status, user.text).toBe(201);
  const group = await api.call('POST', '/Groups', {
    token: alphaToken,
    body: {
      schemas: [GROUP],
      displayName: 'Shared Group',
      externalId: 'ext-group',
      members: [{ value: user.body.id }],
    },
  });
  expect(group.status, group.text).toBe(201);
  // Joining the group moved the user's version (its groups changed): read it after.
  const joined = await api.call('GET', `/Users/${user.body.id}`, { token: alphaToken });
  Object.assign(alpha, {
    userId: user.body.id,
    groupId: group.body.id,
    userVersion: joined.body.meta.version,
    groupVersion: group.body.meta.version,
  });
});
afterAll(async () => {
  await api.close();
});

const ids = (res: CallResult): string[] => (res.body?.Resources ?? []).map((r: { id: string }) => r.id);
const asBeta = (method: string, path: string, body?: unknown) =>
  api.call(method, path, { token: betaToken, ...(body === undefined ? {} : { body }) });
const noAlphaData = (res: CallResult) => {
  expect(res.status, res.text).toBe(200);
  expect(ids(res)).not.toContain(alpha.userId);
  expect(ids(res)).not.toContain(alpha.groupId);
  expect(res.text).not.toContain('Alpha Person');
};
const notFound = (res: CallResult) => {
  expect(res.status, res.text).toBe(404);
  expect(res.text).not.toContain('Alpha Person');
};

/** One case per SCIM route: what beta's token does there, and what must hold. */
const CASES: Record<string, () => Promise<void>> = {
  'GET /Users': async () => {
    noAlphaData(await asBeta('GET', '/Users'));
    noAlphaData(await asBeta('GET', `/Users?filter=${encodeURIComponent('userName eq "shared@example.com"')}`));
    noAlphaData(await asBeta('GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-shared"')}`));
    noAlphaData(await asBeta('GET', `/Users?filter=${encodeURIComponent(`id eq "${alpha.userId}"`)}`));
  },
  'POST /Users': async () => {
    // userName is unique per tenant, not across tenants: no 409, no hint that alpha has it.
    const res = await asBeta('POST', '/Users', {
      schemas: [USER],
      userName: 'shared@example.com',
      externalId: 'ext-shared',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.id).not.toBe(alpha.userId);
  },
  'POST /Users/.search': async () => {
    const res = await asBeta('POST', '/Users/.search', { schemas: [SEARCH], filter: 'displayName eq "Alpha Person"' });
    noAlphaData(res);
    expect(res.body.totalResults).toBe(0);
  },
  'GET /Users/{id}': async () => notFound(await asBeta('GET', `/Users/${alpha.userId}`)),
  'PUT /Users/{id}': async () =>
    notFound(await asBeta('PUT', `/Users/${alpha.userId}`, { schemas: [USER], userName: 'taken-over@example.com' })),
  'PATCH /Users/{id}': async () =>
    notFound(
      await asBeta('PATCH', `/Users/${alpha.userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      }),
    ),
  'DELETE /Users/{id}': async () => notFound(await asBeta('DELETE', `/Users/${alpha.userId}`)),
  'POST /.search': async () => noAlphaData(await asBeta('POST', '/.search', { schemas: [SEARCH] })),

  'GET /Groups': async () => {
    noAlphaData(await asBeta('GET', '/Groups'));
    noAlphaData(await asBeta('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Shared Group"')}`));
    noAlphaData(await asBeta('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${alpha.userId}"]`)}`));
  },
  'POST /Groups': async () => {
    // alpha's user is not a valid member in beta.
    const res = await asBeta('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Beta Group',
      members: [{ value: alpha.userId }],
    });
    expect(res.status, res.text).toBe(400);
    const own = await asBeta('POST', '/Groups', { schemas: [GROUP], displayName: 'Shared Group' });
    expect(own.status, own.text).toBe(201);
    // ... nor can a beta group take alpha's user by PATCH.
    const patch = await asBeta('PATCH', `/Groups/${own.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: alpha.userId }] }],
    });
    expect(patch.status, patch.text).toBe(400);
  },
  'POST /Groups/.search': async () =>
    noAlphaData(await asBeta('POST', '/Groups/.search', { schemas: [SEARCH], filter: 'externalId eq "ext-group"' })),
  'GET /Groups/{id}': async () => notFound(await asBeta('GET', `/Groups/${alpha.groupId}`)),
  'PUT /Groups/{id}': async () =>
    notFound(await asBeta('PUT', `/Groups/${alpha.groupId}`, { schemas: [GROUP], displayName: 'Hijacked' })),
  'PATCH /Groups/{id}': async () =>
    notFound(
      await asBeta('PATCH', `/Groups/${alpha.groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'remove', path: `members[value eq "${alpha.userId}"]` }],
      }),
    ),
  'DELETE /Groups/{id}': async () => notFound(await asBeta('DELETE', `/Groups/${alpha.groupId}`)),

  // Discovery is the same for every tenant: no tenant data to leak.
  'GET /ServiceProviderConfig': async () => expect((await asBeta('GET', '/ServiceProviderConfig')).status).toBe(200),
  'GET /ResourceTypes': async () => expect((await asBeta('GET', '/ResourceTypes')).status).toBe(200),
  'GET /ResourceTypes/{id}': async () => expect((await asBeta('GET', '/ResourceTypes/User')).status).toBe(200),
  'GET /Schemas': async () => expect((await asBeta('GET', '/Schemas')).status).toBe(200),
  'GET /Schemas/{id}': async () => expect((await asBeta('GET', `/Schemas/${USER}`)).status).toBe(200),

  // /Me is not supported (501 for every tenant): nothing of alpha's either way.
  ...Object.fromEntries(
    ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => [
      `${method} /Me`,
      async () => {
        const res = await asBeta(method, '/Me', method === 'GET' || method === 'DELETE' ? undefined : {});
        expect(res.status, res.text).toBe(501);
        expect(res.text).not.toContain('Alpha Person');
      },
    ]),
  ),
};

describe('tenant isolation', () => {
  it('has a case for every SCIM route in the route table', () => {
    const routes = ROUTES.filter((r) => r.auth === 'scim').map(
      (r) => `${r.method} ${r.path.slice(SCIM_PREFIX.length)}`,
    );
    expect(Object.keys(CASES).sort()).toEqual(routes.sort());
  });

  for (const [route, run] of Object.entries(CASES)) {
    it(`beta's token on ${route} reaches nothing of alpha's`, run);
  }

  it("alpha's user and group are untouched afterwards", async () => {
    const user = await api.call('GET', `/Users/${alpha.userId}`, { token: alphaToken });
    expect(user.status, user.text).toBe(200);
    expect(user.body).toMatchObject({
      userName: 'shared@example.com',
      displayName: 'Alpha Person',
      meta: { version: alpha.userVersion },
    });
    expect(user.body.active).not.toBe(false);
    const group = await api.call('GET', `/Groups/${alpha.groupId}`, { token: alphaToken });
    expect(group.status, group.text).toBe(200);
    expect(group.body).toMatchObject({ displayName: 'Shared Group', meta: { version: alpha.groupVersion } });
    expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([alpha.userId]);
    const counts = await api.admin('GET', '/tenants/alpha');
    expect(counts.body.counts).toMatchObject({ users: 1, groups: 1 });
  });

  it("alpha's token sees none of beta's resources either", async () => {
    const users = await api.call('GET', '/Users', { token: alphaToken });
    expect(ids(users)).toEqual([alpha.userId]);
    const groups = await api.call('GET', '/Groups', { token: alphaToken });
    expect(ids(groups)).toEqual([alpha.groupId]);
  });
});
