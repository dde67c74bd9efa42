// Ping Identity's two outbound connectors, replayed over HTTP against the local runner:
// PingOne "SCIM outbound" (admin-written filter templates such as `username Eq "%s"`) and the
// PingFederate "SCIM Provisioner" (full PUT for users, PUT or PATCH for groups, groups matched by
// listing them all). Source: ../shared/reference/idp-quirks.md §5 (docs.pingidentity.com).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../../support/local-api.ts';
import {
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

let api: LocalApi;
let ping: IdpClient;
beforeAll(async () => {
  api = await startLocalApi();
  ping = idpClient(api, { 'Content-Type': 'application/scim+json', Accept: 'application/scim+json' });
});
afterAll(async () => {
  await api?.close();
});

function pingUser(extra: Record<string, unknown> = {}) {
  const userName = `${unique('ping.user')}@example.com`;
  return {
    schemas: [USER],
    userName,
    name: { givenName: 'Ping', familyName: 'Identity' },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    ...extra,
  };
}

async function create(extra: Record<string, unknown> = {}) {
  const res = await ping.post('/Users', pingUser(extra));
  expectStatus(res, 201);
  return res.body as Record<string, any> & { id: string; userName: string };
}

describe('PingOne', () => {
  it('pingone-Eq-capitalised-username: the filter template `username Eq "%s"` (capitalised operator, lower-case attribute) matches', async () => {
    const user = await create();
    const res = await ping.get(`/Users?${filter(`username Eq "${user.userName}"`)}`);
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([user.id]);
    const none = await ping.get(`/Users?${filter(`username Eq "${unique('nobody')}@example.com"`)}`);
    expectListResponse(none, { totalResults: 0 });
  });

  it('pingone-case-insensitive-names: attribute names and operators in any case (USERNAME EQ, UserName eQ, ACTIVE EQ true AND …)', async () => {
    const user = await create();
    for (const expression of [
      `USERNAME EQ "${user.userName}"`,
      `UserName eQ "${user.userName.toUpperCase()}"`,
      `userName eq "${user.userName}" AND ACTIVE EQ true`,
      `EMAILS.VALUE Eq "${user.userName}"`,
    ]) {
      const res = await ping.get(`/Users?${filter(expression)}`);
      expectListResponse(res, { totalResults: 1 });
      expect(resourceIds(res), show(res)).toEqual([user.id]);
    }
  });

  it('pingone-Co-email-template: an admin-chosen `Co` template on emails.value matches by substring', async () => {
    const marker = unique('contains');
    const user = await create({ emails: [{ value: `${marker}@ping.example.com`, type: 'work' }] });
    const res = await ping.get(`/Users?${filter(`emails.value Co "${marker}"`)}`);
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([user.id]);
  });
});

describe('PingFederate', () => {
  it('pingfed-provision-disabled-user: "provision disabled users" creates with active:false; the user is readable and filterable', async () => {
    const user = await create({ active: false });
    expect(user.active, JSON.stringify(user)).toBe(false);
    const res = await ping.get(`/Users?${filter(`userName eq "${user.userName}"`)}`);
    expectListResponse(res, { totalResults: 1 });
    expect(res.body.Resources[0].active, show(res)).toBe(false);
  });

  it('pingfed-put-user: users are updated with a full PUT (no PATCH), and disabled with PUT active:false', async () => {
    const user = await create();
    const { id: _id, meta: _meta, groups: _groups, ...rest } = user;
    const res = await ping.put(`/Users/${user.id}`, {
      ...rest,
      name: { givenName: 'Fed', familyName: 'Identity' },
      title: 'Engineer',
    });
    expectStatus(res, 200);
    expect(res.body, show(res)).toMatchObject({
      id: user.id,
      name: { givenName: 'Fed', familyName: 'Identity' },
      title: 'Engineer',
      active: true,
    });
    const off = await ping.put(`/Users/${user.id}`, { ...rest, active: false });
    expectStatus(off, 200);
    expect(off.body.active, show(off)).toBe(false);
  });

  it('pingfed-delete-user: the "Delete" Remove User Action answers 204', async () => {
    const user = await create();
    expectStatus(await ping.delete(`/Users/${user.id}`), 204);
    expectStatus(await ping.get(`/Users/${user.id}`), 404);
  });

  it('pingfed-list-all-groups: group matching lists every group, unfiltered and paged, each with its displayName', async () => {
    const client = idpClient(api, { 'Content-Type': 'application/scim+json' }, await api.tokenFor('pingfed-groups'));
    const names = Array.from({ length: 7 }, (_, i) => `Ping group ${i}`);
    const ids: string[] = [];
    for (const displayName of names) {
      const res = await client.post('/Groups', { schemas: [GROUP], displayName });
      expectStatus(res, 201);
      ids.push(res.body.id);
    }
    const all = await client.get('/Groups');
    expectListResponse(all, { totalResults: 7 });
    expect(
      all.body.Resources.map((g: { displayName: string }) => g.displayName),
      show(all),
    ).toEqual(names);
    const paged: string[] = [];
    for (let startIndex = 1; startIndex <= 7; startIndex += 3) {
      const page = await client.get(`/Groups?startIndex=${startIndex}&count=3`);
      expectListResponse(page, { totalResults: 7 });
      for (const g of page.body.Resources) expect(g.displayName, show(page)).toEqual(expect.any(String));
      paged.push(...resourceIds(page));
    }
    expect(paged).toEqual(ids);
  });

  it('pingfed-put-group-members: without PATCH support, groups are PUT with the full member list (adds and removes by diff)', async () => {
    const [a, b, c] = [await create(), await create(), await create()];
    const displayName = unique('PingFed group');
    const g = await ping.post('/Groups', {
      schemas: [GROUP],
      displayName,
      members: [{ value: a.id }, { value: b.id }],
    });
    expectStatus(g, 201);
    const res = await ping.put(`/Groups/${g.body.id}`, {
      schemas: [GROUP],
      displayName,
      members: [{ value: b.id }, { value: c.id }],
    });
    expectStatus(res, 200);
    const got = await ping.get(`/Groups/${g.body.id}`);
    expect(memberIds(got.body), show(got)).toEqual([b.id, c.id].sort());
    const emptied = await ping.put(`/Groups/${g.body.id}`, { schemas: [GROUP], displayName, members: [] });
    expectStatus(emptied, 200);
    expect(memberIds((await ping.get(`/Groups/${g.body.id}`)).body)).toEqual([]);
  });

  it('pingfed-patch-group-members: with "Use PATCH for groups" (connector 1.4+), members are added and removed by PATCH', async () => {
    const [a, b] = [await create(), await create()];
    const g = await ping.post('/Groups', { schemas: [GROUP], displayName: unique('PingFed patch') });
    expectStatus(g, 201);
    expectStatus(
      await ping.patch(`/Groups/${g.body.id}`, [
        { op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] },
      ]),
      200,
      204,
    );
    expectStatus(
      await ping.patch(`/Groups/${g.body.id}`, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]),
      200,
      204,
    );
    const got = await ping.get(`/Groups/${g.body.id}`);
    expect(memberIds(got.body), show(got)).toEqual([b.id]);
  });
});
