// Okta's provisioning traffic, replayed over HTTP against the local runner. Sequences and bodies
// come from ../shared/reference/idp-quirks.md §1 (OKTA-20, OKTA-FAQ, OKTA-LEGACY, the SPEC test);
// each case is named after the fixture id listed in its §10.
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
  inBatches,
  memberIds,
  resourceIds,
  show,
  unique,
  type IdpClient,
} from './idp-client.ts';

/** What Okta's SCIM client puts on every request (okta-blog-archive PR #1956 captures). */
const OKTA_HEADERS = {
  'User-Agent': 'Okta SCIM Client 1.0.0',
  Accept: 'application/scim+json',
  'Accept-Charset': 'utf-8',
  'Accept-Encoding': 'gzip,deflate',
  'Content-Type': 'application/scim+json; charset=utf-8',
};

let api: LocalApi;
let okta: IdpClient;
beforeAll(async () => {
  api = await startLocalApi();
  okta = idpClient(api, OKTA_HEADERS);
});
afterAll(async () => {
  await api?.close();
});

/** The body Okta POSTs on "Push New Users" (OKTA-20), password placeholder and `groups: []` included. */
function oktaUser(userName = `${unique('test.user')}@okta.local`) {
  return {
    schemas: [USER],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId: `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`,
    groups: [],
    password: '1mz050nq',
    active: true,
  };
}

/** "Push New Users": the unique-identifier pre-check, then the POST. */
async function provision(body = oktaUser()) {
  const check = await okta.get(`/Users?${filter(`userName eq "${body.userName}"`)}&startIndex=1&count=100`);
  expectListResponse(check, { totalResults: 0 });
  const created = await okta.post('/Users', body);
  expectStatus(created, 201);
  return created.body as { id: string; userName: string; externalId: string; [k: string]: any };
}

async function pushGroup(displayName = unique('Test SCIMv2'), members: Array<{ value: string; display: string }> = []) {
  const check = await okta.get(`/Groups?${filter(`displayName eq "${displayName}"`)}`);
  expectListResponse(check, { totalResults: 0 });
  const created = await okta.post('/Groups', { schemas: [GROUP], displayName, members });
  expectStatus(created, 201);
  return created.body as { id: string; displayName: string; members?: Array<{ value: string }> };
}

const membersOf = async (groupId: string) => {
  const res = await okta.get(`/Groups/${groupId}`);
  expectStatus(res, 200);
  return memberIds(res.body);
};
const member = (u: { id: string; userName: string }) => ({ value: u.id, display: u.userName });

describe('Okta: test connection and SPEC-test expectations', () => {
  it('okta-test-connection: GET /Users?startIndex=1&count=2 answers a ListResponse with integer counts', async () => {
    await provision();
    const res = await okta.get('/Users?startIndex=1&count=2');
    expectListResponse(res);
    expect(res.body.startIndex, show(res)).toBe(1);
    expect(res.body.Resources.length, show(res)).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('content-type'), show(res)).toMatch(/^application\/scim\+json/);
  });

  it('okta-unknown-id-404: GET /Users/{unknown} is a 404 Error with status "404" and a detail', async () => {
    const res = await okta.get('/Users/00919288221112222');
    expectStatus(res, 404);
    expect(res.body, show(res)).toMatchObject({ schemas: [ERROR], status: '404', detail: expect.any(String) });
  });

  it('okta-bad-token-401: a request without a valid bearer token is a 401 Error with status "401"', async () => {
    const res = await okta.call('GET', `/Users?${filter('userName eq "nobody@okta.local"')}`, {
      token: null,
      headers: { Authorization: 'non-token' },
    });
    expectStatus(res, 401);
    expect(res.body, show(res)).toMatchObject({ schemas: [ERROR], status: '401', detail: expect.any(String) });
  });
});

describe('Okta: users (Push New Users, Push Profile Updates, deactivation)', () => {
  it('okta-create-with-password-and-groups: userName pre-check finds nothing, POST with the password placeholder and groups: [] answers 201 with the full user, never the password', async () => {
    const body = oktaUser();
    const user = await provision(body);
    expect(user.id, JSON.stringify(user)).toEqual(expect.any(String));
    expect(user, JSON.stringify(user)).toMatchObject({
      schemas: expect.arrayContaining([USER]),
      userName: body.userName,
      name: body.name,
      emails: body.emails,
      displayName: body.displayName,
      locale: body.locale,
      externalId: body.externalId,
      active: true,
    });
    expect(user, JSON.stringify(user)).not.toHaveProperty('password');
    const read = await okta.get(`/Users/${user.id}`);
    expectStatus(read, 200);
    expect(read.body, show(read)).not.toHaveProperty('password');
    expect(read.body.groups ?? [], show(read)).toEqual([]);
  });

  it('okta-filter-uppercase-username: the userName pre-check matches case-insensitively (SPEC test 09)', async () => {
    const user = await provision();
    const res = await okta.get(
      `/Users?${filter(`userName eq "${user.userName.toUpperCase()}"`)}&startIndex=1&count=100`,
    );
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([user.id]);
  });

  it('okta-legacy-externalId-precheck: the pre-check on externalId (legacy unique identifier) finds the user', async () => {
    const user = await provision();
    const res = await okta.get(`/Users?${filter(`externalId eq "${user.externalId}"`)}&startIndex=1&count=100`);
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([user.id]);
  });

  it('okta-duplicate-409: a POST of an existing userName is 409 uniqueness with an Error body naming the existing user', async () => {
    const user = await provision();
    const again = await okta.post('/Users', oktaUser(user.userName));
    expectStatus(again, 409);
    expect(again.body, show(again)).toMatchObject({
      schemas: [ERROR],
      status: '409',
      scimType: 'uniqueness',
      detail: expect.any(String),
    });
    expect(again.body.detail, show(again)).toContain(user.id);
    const list = await okta.get(`/Users?${filter(`userName eq "${user.userName}"`)}`);
    expectListResponse(list, { totalResults: 1 });
  });

  it('okta-put-full-object: Push Profile Updates GETs the user and PUTs the whole object back (id, meta, schemas, groups, middleName "")', async () => {
    const user = await provision();
    const g = await pushGroup(unique('Profile group'), [member(user)]);
    const read = await okta.get(`/Users/${user.id}`);
    expectStatus(read, 200);
    expect(memberIds({ members: read.body.groups }), show(read)).toEqual([g.id]);
    const updated = {
      ...read.body,
      name: { ...read.body.name, givenName: 'Changed', middleName: '' },
      title: 'Engineer',
    };
    const put = await okta.put(`/Users/${user.id}`, updated);
    expectStatus(put, 200);
    expect(put.body, show(put)).toMatchObject({
      id: user.id,
      userName: user.userName,
      title: 'Engineer',
      name: { givenName: 'Changed', familyName: 'User' },
    });
    expect(put.body.meta.version, show(put)).not.toBe(read.body.meta.version);
    // `groups` is read-only: echoing it back (or sending `groups: []`) must not change memberships.
    expect(await membersOf(g.id)).toEqual([user.id]);
    const emptied = await okta.put(`/Users/${user.id}`, { ...put.body, groups: [] });
    expectStatus(emptied, 200);
    expect(await membersOf(g.id)).toEqual([user.id]);
  });

  it('okta-put-roundtrip: PUT of exactly what GET returned is accepted and changes no attribute', async () => {
    const user = await provision();
    const read = await okta.get(`/Users/${user.id}`);
    const put = await okta.put(`/Users/${user.id}`, read.body);
    expectStatus(put, 200);
    const { meta: _m1, ...before } = read.body;
    const { meta: _m2, ...after } = put.body;
    expect(after, show(put)).toEqual(before);
  });

  it('okta-oiw-patch-profile: OIW "Support PATCH for User" sends a no-path replace with nested objects and pathed replaces', async () => {
    const user = await provision();
    const res = await okta.patch(`/Users/${user.id}`, [
      {
        op: 'replace',
        value: { name: { givenName: 'Nested', familyName: 'User' }, displayName: 'Nested User', nickName: 'Nesty' },
      },
      { op: 'replace', path: 'title', value: 'Director' },
    ]);
    expectStatus(res, 200);
    expect(res.body, show(res)).toMatchObject({
      name: { givenName: 'Nested', familyName: 'User' },
      displayName: 'Nested User',
      nickName: 'Nesty',
      title: 'Director',
    });
    expect(res.body.emails, show(res)).toEqual(user.emails);
  });

  it('okta-deactivate-no-path: PATCH replace {active:false} without a path deactivates; the user stays visible by id and by filter', async () => {
    const user = await provision();
    const res = await okta.patch(`/Users/${user.id}`, [{ op: 'replace', value: { active: false } }]);
    expectStatus(res, 200, 204);
    if (res.status === 200) expect(res.body.active, show(res)).toBe(false);
    const byId = await okta.get(`/Users/${user.id}`);
    expectStatus(byId, 200);
    expect(byId.body.active, show(byId)).toBe(false);
    const byName = await okta.get(`/Users?${filter(`userName eq "${user.userName}"`)}&startIndex=1&count=100`);
    expectListResponse(byName, { totalResults: 1 });
    expect(byName.body.Resources[0].active, show(byName)).toBe(false);
  });

  it('okta-reactivate-no-path: PATCH replace {active:true} without a path reactivates', async () => {
    const user = await provision();
    expectStatus(await okta.patch(`/Users/${user.id}`, [{ op: 'replace', value: { active: false } }]), 200, 204);
    const res = await okta.patch(`/Users/${user.id}`, [{ op: 'replace', value: { active: true } }]);
    expectStatus(res, 200, 204);
    const byId = await okta.get(`/Users/${user.id}`);
    expect(byId.body.active, show(byId)).toBe(true);
  });

  it('okta-aiw-put-deactivate: an AIW app deactivates with PUT of the full object and active:false, and reactivates the same way', async () => {
    const user = await provision();
    const read = await okta.get(`/Users/${user.id}`);
    const off = await okta.put(`/Users/${user.id}`, { ...read.body, active: false });
    expectStatus(off, 200);
    expect(off.body.active, show(off)).toBe(false);
    const on = await okta.put(`/Users/${user.id}`, { ...off.body, active: true });
    expectStatus(on, 200);
    expect(on.body.active, show(on)).toBe(true);
  });

  it('okta-repost-inactive-user: re-assigning a deactivated user re-POSTs its userName: 409 uniqueness naming the existing id and PATCH reactivation, never a duplicate', async () => {
    const body = oktaUser();
    const user = await provision(body);
    expectStatus(await okta.patch(`/Users/${user.id}`, [{ op: 'replace', value: { active: false } }]), 200, 204);
    const again = await okta.post('/Users', { ...body, name: { givenName: 'Test', familyName: 'Again' } });
    expectStatus(again, 409);
    expect(again.body, show(again)).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    expect(again.body.detail, show(again)).toContain(user.id);
    expect(again.body.detail, `the detail tells the admin how to fix it${show(again)}`).toMatch(/PATCH/);
    expect(again.body.detail, `the detail tells the admin how to fix it${show(again)}`).toMatch(/reactivat|active/i);
    const list = await okta.get(`/Users?${filter(`userName eq "${body.userName}"`)}`);
    expectListResponse(list, { totalResults: 1 });
    expect(list.body.Resources[0], show(list)).toMatchObject({ id: user.id, active: false });
    const fix = await okta.patch(`/Users/${user.id}`, [{ op: 'replace', value: { active: true } }]);
    expectStatus(fix, 200, 204);
    expect((await okta.get(`/Users/${user.id}`)).body.active).toBe(true);
  });

  it('okta-unknown-core-attribute: a custom attribute mapped into the core namespace (Statsig style) is not rejected', async () => {
    const res = await okta.post('/Users', { ...oktaUser(), statsigOrgRole: 'admin' });
    expectStatus(res, 201);
  });
});

describe('Okta: Push Groups', () => {
  it('okta-push-group: displayName pre-check finds nothing, POST {displayName, members: []} answers 201 with the group', async () => {
    const displayName = unique('Test SCIMv2');
    const g = await pushGroup(displayName);
    expect(g, JSON.stringify(g)).toMatchObject({
      schemas: expect.arrayContaining([GROUP]),
      displayName,
      id: expect.any(String),
    });
    const found = await okta.get(`/Groups?${filter(`displayName eq "${displayName}"`)}`);
    expectListResponse(found, { totalResults: 1 });
    expect(resourceIds(found), show(found)).toEqual([g.id]);
  });

  it('okta-group-filter-is-exact: GET /Groups?filter=displayName eq "x" returns only that group, never all groups', async () => {
    const a = await pushGroup(unique('Eng'));
    await pushGroup(unique('Eng'));
    await pushGroup(`${a.displayName} suffix`);
    const res = await okta.get(`/Groups?${filter(`displayName eq "${a.displayName}"`)}`);
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([a.id]);
  });

  it('okta-post-group-with-members: members inside POST /Groups are applied', async () => {
    const [a, b] = [await provision(), await provision()];
    const g = await pushGroup(unique('With members'), [member(a), member(b)]);
    expect(memberIds(g), JSON.stringify(g)).toEqual([a.id, b.id].sort());
    expect(await membersOf(g.id)).toEqual([a.id, b.id].sort());
  });

  it('okta-group-unknown-extension: an unknown group extension object (urn:okta:custom:group:1.0 description) is accepted and ignored', async () => {
    const res = await okta.post('/Groups', {
      schemas: [GROUP, 'urn:okta:custom:group:1.0'],
      displayName: unique('Described'),
      'urn:okta:custom:group:1.0': { description: 'Pushed from Okta' },
      members: [],
    });
    expectStatus(res, 201);
  });

  it('okta-group-remove-filter-add-members: one PATCH removes members[value eq "…"] and adds [{value, display}]', async () => {
    const [a, b, c] = [await provision(), await provision(), await provision()];
    const g = await pushGroup(unique('Membership'), [member(a), member(b)]);
    const res = await okta.patch(`/Groups/${g.id}`, [
      { op: 'remove', path: `members[value eq "${a.id}"]` },
      { op: 'add', path: 'members', value: [member(c)] },
    ]);
    expectStatus(res, 200, 204);
    expect(await membersOf(g.id)).toEqual([b.id, c.id].sort());
  });

  it("okta-group-rename-with-id: the rename PATCH (sent after every membership change) carries the group's own id; it is ignored, not a 400", async () => {
    const a = await provision();
    const g = await pushGroup(unique('Test SCIMv2'));
    expectStatus(await okta.patch(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [member(a)] }]), 200, 204);
    const renamed = `${g.displayName} renamed`;
    const res = await okta.patch(`/Groups/${g.id}`, [{ op: 'replace', value: { id: g.id, displayName: renamed } }]);
    expectStatus(res, 200, 204);
    const read = await okta.get(`/Groups/${g.id}`);
    expect(read.body, show(read)).toMatchObject({ id: g.id, displayName: renamed });
    expect(memberIds(read.body), show(read)).toEqual([a.id]);
    // The same rename again (Okta repeats it after each membership update) is harmless.
    expectStatus(
      await okta.patch(`/Groups/${g.id}`, [{ op: 'replace', value: { id: g.id, displayName: renamed } }]),
      200,
      204,
    );
  });

  it('okta-group-replace-members: a full re-push PATCH replace members sets exactly the given list', async () => {
    const [a, b, c] = [await provision(), await provision(), await provision()];
    const g = await pushGroup(unique('Re-push'), [member(a), member(b)]);
    const res = await okta.patch(`/Groups/${g.id}`, [
      { op: 'replace', path: 'members', value: [member(b), member(c)] },
    ]);
    expectStatus(res, 200, 204);
    expect(await membersOf(g.id)).toEqual([b.id, c.id].sort());
  });

  it('okta-aiw-put-group-members: an AIW app PUTs the group with its full members list (rename + membership diff)', async () => {
    const [a, b, c] = [await provision(), await provision(), await provision()];
    const g = await pushGroup(unique('AIW'), [member(a), member(b)]);
    const renamed = `${g.displayName} (AIW)`;
    const res = await okta.put(`/Groups/${g.id}`, {
      schemas: [GROUP],
      id: g.id,
      displayName: renamed,
      members: [member(b), member(c)],
    });
    expectStatus(res, 200);
    expect(res.body.displayName, show(res)).toBe(renamed);
    expect(await membersOf(g.id)).toEqual([b.id, c.id].sort());
    const user = await okta.get(`/Users/${a.id}`);
    expect(user.body.groups ?? [], show(user)).toEqual([]);
  });

  it('okta-delete-group: DELETE /Groups/{id} answers 204, then 404; its members are untouched', async () => {
    const a = await provision();
    const g = await pushGroup(unique('Doomed'), [member(a)]);
    const res = await okta.delete(`/Groups/${g.id}`);
    expectStatus(res, 204);
    expectStatus(await okta.get(`/Groups/${g.id}`), 404);
    const user = await okta.get(`/Users/${a.id}`);
    expectStatus(user, 200);
    expect(user.body.groups ?? [], show(user)).toEqual([]);
  });
});

describe('Okta: Import Users / Import Groups', () => {
  const USERS = 230;
  let importer: IdpClient;
  let created: string[];

  async function walk(client: IdpClient, resource: 'Users' | 'Groups', count: number) {
    const ids: string[] = [];
    const pages: Array<Awaited<ReturnType<IdpClient['get']>>> = [];
    for (let startIndex = 1; ; startIndex += count) {
      const page = await client.get(`/${resource}?startIndex=${startIndex}&count=${count}`);
      expectListResponse(page);
      expect(page.body.startIndex, show(page)).toBe(startIndex);
      pages.push(page);
      ids.push(...resourceIds(page));
      if (startIndex + count > page.body.totalResults) break;
    }
    return { ids, pages };
  }

  beforeAll(async () => {
    importer = idpClient(api, OKTA_HEADERS, await api.tokenFor('okta-import'));
    created = await inBatches(
      Array.from({ length: USERS }, (_, i) => i),
      8,
      async (i) => {
        const res = await importer.post('/Users', oktaUser(`import-${i}@okta.local`));
        expectStatus(res, 201);
        return res.body.id as string;
      },
    );
  }, 120_000);

  it('okta-import-paging-100: startIndex=1,101,201 with count=100 returns every user once, integer counts, totalResults exact', async () => {
    const { ids, pages } = await walk(importer, 'Users', 100);
    expect(pages.length).toBe(3);
    expect(pages.map((p) => p.body.totalResults)).toEqual([USERS, USERS, USERS]);
    expect(pages.map((p) => p.body.itemsPerPage)).toEqual([100, 100, USERS - 200]);
    expect(new Set(ids).size).toBe(USERS);
    expect([...ids].sort()).toEqual([...created].sort());
  });

  it('okta-import-stable-order: the order is the same whatever count is, and membership or profile changes do not move users', async () => {
    const first = (await walk(importer, 'Users', 100)).ids;
    expect((await walk(importer, 'Users', 37)).ids).toEqual(first);
    const g = await importer.post('/Groups', {
      schemas: [GROUP],
      displayName: 'import group',
      members: first.slice(50, 60).map((value) => ({ value })),
    });
    expectStatus(g, 201);
    for (const id of [first[0]!, first[150]!]) {
      expectStatus(await importer.patch(`/Users/${id}`, [{ op: 'replace', value: { displayName: 'moved?' } }]), 200);
    }
    expect((await walk(importer, 'Users', 100)).ids).toEqual(first);
  });

  it('okta-import-linear-cost: walking the pages in order costs O(page) per page, not O(startIndex)', async () => {
    const { pages } = await walk(importer, 'Users', 100);
    const [p1, p2] = pages;
    const detail = pages.map((p, i) => `page ${i + 1}: ${JSON.stringify(p.cost)}`).join('\n');
    // Page 2 holds as many users as page 1; skipping the first 100 must not be paid again.
    expect(p2!.cost.rcu, detail).toBeLessThanOrEqual(p1!.cost.rcu * 1.5 + 1);
    expect(p2!.cost.requests, detail).toBeLessThanOrEqual(p1!.cost.requests + 2);
  });

  it('okta-import-groups: GET /Groups?startIndex=1&count=100 lists the groups with integer counts', async () => {
    const client = idpClient(api, OKTA_HEADERS, await api.tokenFor('okta-import-groups'));
    const names = Array.from({ length: 5 }, (_, i) => `Imported ${i}`);
    for (const displayName of names) expectStatus(await client.post('/Groups', { schemas: [GROUP], displayName }), 201);
    const res = await client.get('/Groups?startIndex=1&count=100');
    expectListResponse(res, { totalResults: 5 });
    expect(res.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(names);
  });
});
