// Keycloak's SCIM client plugins, replayed over HTTP against the local runner: "keycloak-scim"
// (libre.sh lineage: mitodl/keycloak-scim and its maintained fork pelotech/keycloak-scim, both on
// the Captain-Goldfish SCIM-SDK client) and suvera/keycloak-scim2-storage. Sequences and bodies come
// from ../shared/reference/idp-quirks-wave2.md §4 and its §7 fixture; each case is named after the
// row of the §8 quirk table it protects. The SDK checks status codes exactly: any other success
// code (200 on POST, 204 on PUT, 200 on DELETE) counts as a failure and leaves the object unmapped.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../../support/local-api.ts';
import {
  ERROR,
  GROUP,
  USER,
  expectListResponse,
  expectStatus,
  filter,
  idpClient,
  memberIds,
  resourceIds,
  show,
  unique,
  type IdpClient,
} from './idp-client.ts';

/** The SDK client sends application/scim+json (config `content-type`); nothing else is fixed. */
const KEYCLOAK_HEADERS = { 'Content-Type': 'application/scim+json', Accept: 'application/scim+json' };

let api: LocalApi;
let keycloak: IdpClient;
beforeAll(async () => {
  api = await startLocalApi();
  keycloak = idpClient(api, KEYCLOAK_HEADERS);
});
afterAll(async () => {
  await api?.close();
});

/** UserAdapter.toSCIM (§4.1a): externalId is the Keycloak user UUID, roles are realm roles flagged scim=true. */
function keycloakUser(userName = unique('jdoe')) {
  return {
    schemas: [USER],
    externalId: randomUUID(),
    userName,
    displayName: 'Jane Doe',
    name: { givenName: 'Jane', familyName: 'Doe' },
    emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
    active: true,
    roles: [{ value: 'scim-app-user' }],
  };
}

type Resource = Record<string, any> & { id: string };

async function create(body: Record<string, unknown> = keycloakUser()): Promise<Resource> {
  const res = await keycloak.post('/Users', body);
  expectStatus(res, 201);
  return res.body;
}

/** GroupAdapter.toSCIM: members carry a relative `$ref`, and `members` is left out when empty. */
function keycloakGroup(displayName: string, externalId: string, members: string[], id?: string) {
  return {
    schemas: [GROUP],
    ...(id ? { id } : {}),
    externalId,
    displayName,
    ...(members.length ? { members: members.map((value) => ({ value, $ref: `Users/${value}` })) } : {}),
  };
}

async function membersOf(groupId: string): Promise<string[]> {
  const res = await keycloak.get(`/Groups/${groupId}`);
  expectStatus(res, 200);
  return memberIds(res.body);
}

describe('keycloak-scim (mitodl, pelotech): default settings (PUT)', () => {
  it('keycloak-scim-exact-statuses: POST answers exactly 201, PUT exactly 200, DELETE exactly 204, PATCH 200 or 204, for users and groups', async () => {
    const body = keycloakUser();
    const user = await keycloak.post('/Users', body);
    expect(user.status, `the SDK accepts only 201 on POST${show(user)}`).toBe(201);
    expect(user.body.id, show(user)).toEqual(expect.any(String));
    const put = await keycloak.put(`/Users/${user.body.id}`, { ...body, id: user.body.id, displayName: 'J. Doe' });
    expect(put.status, `the SDK accepts only 200 on PUT${show(put)}`).toBe(200);
    const patch = await keycloak.patch(`/Users/${user.body.id}`, [{ op: 'replace', path: 'displayName', value: 'JD' }]);
    expectStatus(patch, 200, 204);
    const g = await keycloak.post('/Groups', keycloakGroup(unique('eng'), randomUUID(), [user.body.id]));
    expect(g.status, `the SDK accepts only 201 on POST${show(g)}`).toBe(201);
    const gPut = await keycloak.put(
      `/Groups/${g.body.id}`,
      keycloakGroup(g.body.displayName, g.body.externalId, [user.body.id], g.body.id),
    );
    expect(gPut.status, `the SDK accepts only 200 on PUT${show(gPut)}`).toBe(200);
    const gPatch = await keycloak.patch(`/Groups/${g.body.id}`, [
      { op: 'replace', path: 'displayName', value: `${g.body.displayName}!` },
    ]);
    expectStatus(gPatch, 200, 204);
    const gDel = await keycloak.delete(`/Groups/${g.body.id}`);
    expect(gDel.status, `the SDK accepts only 204 on DELETE${show(gDel)}`).toBe(204);
    const del = await keycloak.delete(`/Users/${user.body.id}`);
    expect(del.status, `the SDK accepts only 204 on DELETE${show(del)}`).toBe(204);
  });

  it('keycloak-scim-relative-ref: members with a relative $ref ("Users/<id>") are keyed on value, on POST and on PUT', async () => {
    const [a, b] = [await create(), await create()];
    const g = await keycloak.post('/Groups', keycloakGroup(unique('eng'), randomUUID(), [a.id, b.id]));
    expectStatus(g, 201);
    expect(memberIds(g.body), show(g)).toEqual([a.id, b.id].sort());
    expect(await membersOf(g.body.id)).toEqual([a.id, b.id].sort());
  });

  it('keycloak-scim-put-group-full-member-list: every membership change PUTs the group with its whole member list, and the list is applied exactly', async () => {
    const [a, b, c] = [await create(), await create(), await create()];
    const displayName = unique('eng');
    const externalId = randomUUID();
    const g = await keycloak.post('/Groups', keycloakGroup(displayName, externalId, [a.id, b.id]));
    expectStatus(g, 201);
    const res = await keycloak.put(
      `/Groups/${g.body.id}`,
      keycloakGroup(displayName, externalId, [b.id, c.id], g.body.id),
    );
    expect(res.status, show(res)).toBe(200);
    expect(await membersOf(g.body.id)).toEqual([b.id, c.id].sort());
  });

  it('keycloak-scim-put-group-members-empty: a PUT with members: [] empties the group', async () => {
    const [a, b] = [await create(), await create()];
    const displayName = unique('eng');
    const externalId = randomUUID();
    const g = await keycloak.post('/Groups', keycloakGroup(displayName, externalId, [a.id, b.id]));
    expectStatus(g, 201);
    const res = await keycloak.put(`/Groups/${g.body.id}`, {
      schemas: [GROUP],
      id: g.body.id,
      externalId,
      displayName,
      members: [],
    });
    expect(res.status, show(res)).toBe(200);
    expect(await membersOf(g.body.id)).toEqual([]);
  });

  it('keycloak-scim-put-group-last-member-removed: removing the last member PUTs the group without members (toSCIM leaves an empty list out), and the group is then empty', async () => {
    const a = await create();
    const displayName = unique('eng');
    const externalId = randomUUID();
    const g = await keycloak.post('/Groups', keycloakGroup(displayName, externalId, [a.id]));
    expectStatus(g, 201);
    const sent = keycloakGroup(displayName, externalId, [], g.body.id);
    expect(sent, 'the body GroupAdapter.toSCIM builds for an empty group').not.toHaveProperty('members');
    const res = await keycloak.put(`/Groups/${g.body.id}`, sent);
    expect(res.status, show(res)).toBe(200);
    expect(
      await membersOf(g.body.id),
      `a PUT is a replace: the member removed in Keycloak must go${show(res)}`,
    ).toEqual([]);
  });

  it('keycloak-scim-put-user-deactivate: PUT of the full user plus id, with active false, answers 200 and deactivates', async () => {
    const body = keycloakUser();
    const user = await create(body);
    const res = await keycloak.put(`/Users/${user.id}`, { ...body, id: user.id, active: false });
    expect(res.status, show(res)).toBe(200);
    expect(res.body, show(res)).toMatchObject({ id: user.id, active: false, roles: body.roles });
  });

  it('keycloak-scim-no-lookup-duplicate-post: with no lookup before create, a re-sent POST (same externalId and userName) is 409 uniqueness every time, never a second user', async () => {
    const body = keycloakUser();
    const user = await create(body);
    for (let sync = 0; sync < 2; sync += 1) {
      const again = await keycloak.post('/Users', body);
      expectStatus(again, 409);
      expect(again.body, show(again)).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    }
    const list = await keycloak.get(`/Users?${filter(`externalId eq "${body.externalId}"`)}`);
    expectListResponse(list, { totalResults: 1 });
    expect(resourceIds(list), show(list)).toEqual([user.id]);
  });

  it('keycloak-scim-update-404-recreate: a PUT to a user deleted on this side is 404 (never 400, which pelotech would also answer with a re-create), and the re-create POST succeeds', async () => {
    const body = keycloakUser();
    const user = await create(body);
    expectStatus(await keycloak.delete(`/Users/${user.id}`), 204);
    const update = await keycloak.put(`/Users/${user.id}`, { ...body, id: user.id });
    expectStatus(update, 404);
    const again = await keycloak.post('/Users', body);
    expect(again.status, show(again)).toBe(201);
  });

  it('keycloak-scim-double-slash: an endpoint configured with a trailing "/" makes the plugin call //Users; it reaches the Users endpoint', async () => {
    const body = keycloakUser();
    const created = await keycloak.post('//Users', body);
    expect(created.status, show(created)).toBe(201);
    const read = await keycloak.get(`//Users/${created.body.id}`);
    expectStatus(read, 200);
  });

  it('keycloak-scim-sync-import-first-page: sync-import lists GET /Users and /Groups with no paging parameters and matches on userName, emails and displayName', async () => {
    const client = idpClient(api, KEYCLOAK_HEADERS, await api.tokenFor('keycloak-import'));
    const body = keycloakUser();
    const user = await client.post('/Users', body);
    expectStatus(user, 201);
    const g = await client.post('/Groups', keycloakGroup(unique('eng'), randomUUID(), [user.body.id]));
    expectStatus(g, 201);
    const users = await client.get('/Users');
    expectListResponse(users, { totalResults: 1 });
    expect(users.body.Resources[0], show(users)).toMatchObject({ userName: body.userName, emails: body.emails });
    const groups = await client.get('/Groups');
    expectListResponse(groups, { totalResults: 1 });
    expect(groups.body.Resources[0].displayName, show(groups)).toBe(g.body.displayName);
  });

  it('keycloak-scim-401-then-refresh: an invalid or expired token is 401 (pelotech refreshes its client-credentials token once on 401/403)', async () => {
    const bad = await keycloak.call('GET', '/Users', { token: 'scim_not-a-real-token' });
    expectStatus(bad, 401);
    expect(bad.body, show(bad)).toMatchObject({ schemas: [ERROR], status: '401' });
    const token = await api.tokenFor('keycloak-expiry');
    const client = idpClient(api, KEYCLOAK_HEADERS, token);
    expectStatus(await client.get('/Users'), 200);
    const before = api.clock.now;
    try {
      api.clock.advance(366 * 24 * 3600 * 1000);
      const expired = await client.get('/Users');
      expectStatus(expired, 401);
      expect(expired.body.detail, show(expired)).toMatch(/expired/);
    } finally {
      api.clock.now = before;
    }
  });
});

describe('keycloak-scim (mitodl, pelotech): user-patchOp and group-patchOp', () => {
  it('keycloak-scim-user-patchOp-active-string: PATCH replace active with the string "false" / "true" (plus userName, displayName) sets the boolean', async () => {
    const body = keycloakUser();
    const user = await create(body);
    const off = await keycloak.patch(`/Users/${user.id}`, [
      { op: 'replace', path: 'active', value: 'false' },
      { op: 'replace', path: 'userName', value: body.userName },
      { op: 'replace', path: 'displayName', value: 'Jane Doe' },
    ]);
    expectStatus(off, 200, 204);
    const read = await keycloak.get(`/Users/${user.id}`);
    expect(read.body.active, show(read)).toBe(false);
    expectStatus(
      await keycloak.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'active', value: 'true' }]),
      200,
      204,
    );
    const back = await keycloak.get(`/Users/${user.id}`);
    expect(back.body.active, show(back)).toBe(true);
  });

  it('keycloak-scim-group-patchOp-replace-members: a membership change replaces the whole member list (with displayName and externalId), and an empty group is a pathed remove of members', async () => {
    const [a, b, c] = [await create(), await create(), await create()];
    const displayName = unique('eng');
    const externalId = randomUUID();
    const g = await keycloak.post('/Groups', keycloakGroup(displayName, externalId, [a.id, b.id]));
    expectStatus(g, 201);
    const res = await keycloak.patch(`/Groups/${g.body.id}`, [
      { op: 'replace', path: 'members', value: [{ value: b.id }, { value: c.id }] },
      { op: 'replace', path: 'displayName', value: displayName },
      { op: 'replace', path: 'externalId', value: externalId },
    ]);
    expectStatus(res, 200, 204);
    expect(await membersOf(g.body.id)).toEqual([b.id, c.id].sort());
    const emptied = await keycloak.patch(`/Groups/${g.body.id}`, [
      { op: 'remove', path: 'members' },
      { op: 'replace', path: 'displayName', value: displayName },
      { op: 'replace', path: 'externalId', value: externalId },
    ]);
    expectStatus(emptied, 200, 204);
    expect(await membersOf(g.body.id)).toEqual([]);
  });

  it('keycloak-scim-pelotech-membership-delta: pelotech sends one-member deltas: add members [{value}] and remove members[value eq "u"]', async () => {
    const [a, b] = [await create(), await create()];
    const g = await keycloak.post('/Groups', keycloakGroup(unique('eng'), randomUUID(), [a.id]));
    expectStatus(g, 201);
    expectStatus(
      await keycloak.patch(`/Groups/${g.body.id}`, [{ op: 'add', path: 'members', value: [{ value: b.id }] }]),
      200,
      204,
    );
    expectStatus(
      await keycloak.patch(`/Groups/${g.body.id}`, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]),
      200,
      204,
    );
    expect(await membersOf(g.body.id)).toEqual([b.id]);
  });
});

describe('keycloak-scim2-storage (suvera)', () => {
  it('keycloak-scim2-storage-empty-arrays: POST with empty arrays for every unused multi-valued attribute is 201, and the arrays read back empty', async () => {
    const userName = unique('suvera');
    const res = await keycloak.post('/Users', {
      schemas: [USER],
      userName,
      name: { givenName: userName, familyName: 'Doe' },
      emails: [],
      externalId: randomUUID(),
      active: true,
      displayName: userName,
      addresses: [],
      phoneNumbers: [],
      ims: [],
      photos: [],
      entitlements: [],
      x509Certificates: [],
    });
    expectStatus(res, 201);
    for (const key of ['emails', 'addresses', 'phoneNumbers', 'ims', 'photos', 'entitlements', 'x509Certificates']) {
      expect(res.body[key] ?? [], `${key}${show(res)}`).toEqual([]);
    }
  });

  it("keycloak-scim2-storage-user-groups-own-ids: User.groups carrying Keycloak's own group ids is read-only: ignored on POST and PUT (memberships unchanged), a 400 mutability on a PATCH that targets it, never a 5xx", async () => {
    const body = {
      ...keycloakUser(),
      groups: [{ value: randomUUID(), display: 'eng', type: 'direct' }],
      roles: [{ value: randomUUID() }],
    };
    const created = await keycloak.post('/Users', body);
    expectStatus(created, 201);
    expect(created.body.groups ?? [], show(created)).toEqual([]);
    const g = await keycloak.post('/Groups', { schemas: [GROUP], displayName: unique('eng') });
    expectStatus(g, 201);
    const put = await keycloak.put(`/Users/${created.body.id}`, {
      ...body,
      id: created.body.id,
      groups: [{ value: g.body.id, display: g.body.displayName, type: 'direct' }],
    });
    expectStatus(put, 200);
    expect(await membersOf(g.body.id)).toEqual([]);
    const patch = await keycloak.patch(`/Users/${created.body.id}`, [
      { op: 'add', path: 'groups', value: [{ value: g.body.id }] },
    ]);
    expectStatus(patch, 400);
    expect(patch.body, show(patch)).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'mutability' });
    expect(patch.body.detail, show(patch)).toMatch(/groups/);
  });

  it('keycloak-scim2-storage-get-then-put: an update GETs the user and PUTs it back whole (empty arrays included); the PUT answers 200', async () => {
    const user = await create();
    const read = await keycloak.get(`/Users/${user.id}`);
    expectStatus(read, 200);
    const res = await keycloak.put(`/Users/${user.id}`, { ...read.body, ims: [], photos: [], title: 'Engineer' });
    expectStatus(res, 200);
    expect(res.body.title, show(res)).toBe('Engineer');
  });
});
