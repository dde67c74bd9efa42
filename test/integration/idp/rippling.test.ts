// Rippling's custom SCIM 2.0 app, replayed over HTTP against the local runner. Rippling publishes
// no wire specification: its behaviour follows the per-app checkboxes ("Use PATCH to edit Groups",
// "Supports Pagination", "Mutually Exclusive Groups", "Supported SCIM Attributes"), as third-party
// integration guides (WorkOS, Kombo, Adaptive Security) describe them. Source:
// ../shared/reference/idp-quirks-wave2.md §2 and the Rippling row of its §8 table. So every name
// here says [3p], or [unverified] for claims the reference could not confirm; capture one tenant's
// traffic before relying on these shapes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../../support/local-api.ts';
import {
  ENTERPRISE,
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

const RIPPLING_HEADERS = { Accept: 'application/scim+json', 'Content-Type': 'application/scim+json' };

let api: LocalApi;
let rippling: IdpClient;
beforeAll(async () => {
  api = await startLocalApi();
  rippling = idpClient(api, RIPPLING_HEADERS);
});
afterAll(async () => {
  await api?.close();
});

/** Only the "Supported SCIM Attributes" are sent: externalId, emails.primary, name parts, employeeNumber. */
function ripplingUser(email = `${unique('employee')}@example.com`) {
  return {
    schemas: [USER, ENTERPRISE],
    userName: email,
    externalId: randomUUID(),
    name: { givenName: 'Riley', familyName: 'Park' },
    emails: [{ value: email, primary: true }],
    [ENTERPRISE]: { employeeNumber: String(Math.floor(Math.random() * 1e6)) },
  };
}

async function create(client: IdpClient = rippling) {
  const res = await client.post('/Users', ripplingUser());
  expectStatus(res, 201);
  return res.body as Record<string, any> & { id: string; userName: string };
}

async function createGroup(members: string[] = []) {
  const displayName = unique('Department');
  const res = await rippling.post('/Groups', {
    schemas: [GROUP],
    displayName,
    members: members.map((value) => ({ value })),
  });
  expectStatus(res, 201);
  return res.body as { id: string; displayName: string };
}

async function membersOf(groupId: string) {
  const res = await rippling.get(`/Groups/${groupId}`);
  expectStatus(res, 200);
  return memberIds(res.body);
}

describe('Rippling: groups', () => {
  it('rippling-group-put [3p]: without "Use PATCH to edit Groups", group edits are a full PUT /Groups/{id} with members: renames, adds and removes by the list, [] empties', async () => {
    const [a, b, c] = [await create(), await create(), await create()];
    const g = await createGroup([a.id, b.id]);
    const renamed = `${g.displayName} (renamed)`;
    const res = await rippling.put(`/Groups/${g.id}`, {
      schemas: [GROUP],
      displayName: renamed,
      members: [{ value: b.id }, { value: c.id }],
    });
    expectStatus(res, 200);
    expect(res.body.displayName, show(res)).toBe(renamed);
    expect(await membersOf(g.id)).toEqual([b.id, c.id].sort());
    const emptied = await rippling.put(`/Groups/${g.id}`, { schemas: [GROUP], displayName: renamed, members: [] });
    expectStatus(emptied, 200);
    expect(await membersOf(g.id)).toEqual([]);
  });

  it('rippling-group-patch [3p]: with "Use PATCH to edit Groups" ticked, members are added and removed by PATCH', async () => {
    const [a, b] = [await create(), await create()];
    const g = await createGroup([a.id]);
    expectStatus(
      await rippling.patch(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: b.id }] }]),
      200,
      204,
    );
    expectStatus(
      await rippling.patch(`/Groups/${g.id}`, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]),
      200,
      204,
    );
    expect(await membersOf(g.id)).toEqual([b.id]);
  });

  it('rippling-mutually-exclusive-groups [3p]: the server does not rely on "Mutually Exclusive Groups": a user may be in several groups, and a move is a PUT of each group', async () => {
    const user = await create();
    const [sales, ops] = [await createGroup([user.id]), await createGroup([user.id])];
    const groups = (await rippling.get(`/Users/${user.id}`)).body.groups.map((g: { value: string }) => g.value);
    expect(groups.sort()).toEqual([sales.id, ops.id].sort());
    expectStatus(
      await rippling.put(`/Groups/${sales.id}`, { schemas: [GROUP], displayName: sales.displayName, members: [] }),
      200,
    );
    const after = (await rippling.get(`/Users/${user.id}`)).body.groups.map((g: { value: string }) => g.value);
    expect(after).toEqual([ops.id]);
  });
});

describe('Rippling: reading the directory', () => {
  const USERS = 105;
  let reader: IdpClient;
  let ids: string[];

  beforeAll(async () => {
    reader = idpClient(api, RIPPLING_HEADERS, await api.tokenFor('rippling-read'));
    ids = await inBatches(
      Array.from({ length: USERS }, (_, i) => i),
      8,
      async () => (await create(reader)).id,
    );
  }, 120_000);

  it('rippling-supports-pagination [3p]: with "Supports Pagination", GET /Users?startIndex=&count= walks every user once', async () => {
    const seen: string[] = [];
    for (let startIndex = 1; startIndex <= USERS; startIndex += 50) {
      const page = await reader.get(`/Users?startIndex=${startIndex}&count=50`);
      expectListResponse(page, { totalResults: USERS });
      expect(page.body.startIndex, show(page)).toBe(startIndex);
      seen.push(...resourceIds(page));
    }
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('rippling-unpaged-read [3p]: without "Supports Pagination", GET /Users answers the first page and a truthful totalResults, so more users than a page need the box ticked', async () => {
    const res = await reader.get('/Users');
    expectListResponse(res, { totalResults: USERS });
    expect(res.body.itemsPerPage, show(res)).toBeLessThan(USERS);
    expect(res.body.startIndex, show(res)).toBe(1);
  });

  it('rippling-match-existing [3p]: "Match existing users" finds an application account by userName or by email', async () => {
    const user = (await reader.get(`/Users/${ids[7]}`)).body;
    for (const expression of [`userName eq "${user.userName}"`, `emails.value eq "${user.emails[0].value}"`]) {
      const res = await reader.get(`/Users?${filter(expression)}`);
      expectListResponse(res, { totalResults: 1 });
      expect(resourceIds(res), show(res)).toEqual([ids[7]]);
    }
  });
});

describe('Rippling: users', () => {
  it('rippling-minimal-body [3p]: a POST with only the allow-listed attributes (no displayName, no active, employeeNumber in the enterprise extension) creates an active user', async () => {
    const body = ripplingUser();
    const res = await rippling.post('/Users', body);
    expectStatus(res, 201);
    expect(res.body, show(res)).toMatchObject({
      userName: body.userName,
      externalId: body.externalId,
      emails: body.emails,
      [ENTERPRISE]: body[ENTERPRISE],
    });
    expect(res.body.active ?? true, show(res)).toBe(true);
  });

  it('rippling-test-connection-spc [unverified]: "Test connection" reads /ServiceProviderConfig, answered as application/scim+json', async () => {
    const res = await rippling.get('/ServiceProviderConfig');
    expectStatus(res, 200);
    expect(res.headers.get('content-type'), show(res)).toMatch(/^application\/scim\+json/);
  });

  it('rippling-retried-post [unverified]: a retried POST of the same employee (same externalId and userName) is 409 uniqueness, never a second user', async () => {
    const body = ripplingUser();
    expectStatus(await rippling.post('/Users', body), 201);
    const again = await rippling.post('/Users', body);
    expectStatus(again, 409);
    expect(again.body, show(again)).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    expectListResponse(await rippling.get(`/Users?${filter(`externalId eq "${body.externalId}"`)}`), {
      totalResults: 1,
    });
  });

  it('rippling-termination [unverified]: a termination arrives as PATCH active false or as DELETE; both work', async () => {
    const [a, b] = [await create(), await create()];
    const off = await rippling.patch(`/Users/${a.id}`, [{ op: 'replace', path: 'active', value: false }]);
    expectStatus(off, 200, 204);
    expect((await rippling.get(`/Users/${a.id}`)).body.active).toBe(false);
    expectStatus(await rippling.delete(`/Users/${b.id}`), 204);
    expectStatus(await rippling.get(`/Users/${b.id}`), 404);
  });
});
