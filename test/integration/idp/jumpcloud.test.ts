// JumpCloud's "Custom SCIM" connector, replayed over HTTP against the local runner: its test
// connection creates and deletes real objects, it repeats member adds, removes members with a
// value array and updates users with one replace per attribute.
// Source: ../shared/reference/idp-quirks.md §4 (JumpCloud support article, Infisical PR #2138,
// uni-moni KB and a Rust crate's jumpcloud_remove_member_with_value fixture).
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
  show,
  unique,
  type IdpClient,
} from './idp-client.ts';

let api: LocalApi;
let jumpcloud: IdpClient;
beforeAll(async () => {
  api = await startLocalApi();
  jumpcloud = idpClient(api, { 'Content-Type': 'application/scim+json', Accept: 'application/scim+json' });
});
afterAll(async () => {
  await api?.close();
});

function jcUser(email = `${unique('jc')}@example.com`) {
  return {
    schemas: [USER],
    userName: email,
    name: { givenName: 'Jump', familyName: 'Cloud' },
    emails: [{ value: email, type: 'work', primary: true }],
    active: true,
  };
}

async function provision() {
  const res = await jumpcloud.post('/Users', jcUser());
  expectStatus(res, 201);
  return res.body as { id: string; userName: string };
}

async function group(members: string[] = []) {
  const res = await jumpcloud.post('/Groups', {
    schemas: [GROUP],
    displayName: unique('JC group'),
    members: members.map((value) => ({ value })),
  });
  expectStatus(res, 201);
  return res.body as { id: string };
}

async function members(groupId: string) {
  const res = await jumpcloud.get(`/Groups/${groupId}`);
  expectStatus(res, 200);
  return memberIds(res.body);
}

describe('JumpCloud', () => {
  it('jumpcloud-test-user-create-delete: "test connection" creates a test user and a test group, deletes both, and can run again with the same names', async () => {
    const email = `${unique('jc-test-user')}@example.com`;
    const displayName = unique('JumpCloud Test Group');
    for (let run = 1; run <= 2; run += 1) {
      const user = await jumpcloud.post('/Users', jcUser(email));
      expectStatus(user, 201);
      const g = await jumpcloud.post('/Groups', { schemas: [GROUP], displayName });
      expectStatus(g, 201);
      expectStatus(await jumpcloud.delete(`/Users/${user.body.id}`), 204);
      expectStatus(await jumpcloud.delete(`/Groups/${g.body.id}`), 204);
      expectListResponse(await jumpcloud.get(`/Users?${filter(`userName eq "${email}"`)}`), { totalResults: 0 });
      expectListResponse(await jumpcloud.get(`/Groups?${filter(`displayName eq "${displayName}"`)}`), {
        totalResults: 0,
      });
    }
  });

  it('jumpcloud-duplicate-member-add: repeating an add of an existing member is a no-op, never a 409', async () => {
    const [a, b] = [await provision(), await provision()];
    const g = await group();
    for (let i = 0; i < 3; i += 1) {
      const res = await jumpcloud.patch(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: a.id }] }]);
      expectStatus(res, 200, 204);
    }
    // Existing + new in one op, and the same member twice in one value array.
    const mixed = await jumpcloud.patch(`/Groups/${g.id}`, [
      { op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }, { value: b.id }] },
    ]);
    expectStatus(mixed, 200, 204);
    expect(await members(g.id)).toEqual([a.id, b.id].sort());
  });

  it('jumpcloud-remove-member-with-value: remove with path "members" and a value array of {value} removes only those members', async () => {
    const [a, b, c] = [await provision(), await provision(), await provision()];
    const g = await group([a.id, b.id, c.id]);
    const res = await jumpcloud.patch(`/Groups/${g.id}`, [
      { op: 'remove', path: 'members', value: [{ value: a.id }, { value: c.id }] },
    ]);
    expectStatus(res, 200, 204);
    expect(await members(g.id)).toEqual([b.id]);
  });

  it('jumpcloud-remove-non-member: removing a member twice (or one never added) is a no-op', async () => {
    const [a, b] = [await provision(), await provision()];
    const g = await group([a.id, b.id]);
    for (let i = 0; i < 2; i += 1) {
      const res = await jumpcloud.patch(`/Groups/${g.id}`, [
        { op: 'remove', path: 'members', value: [{ value: a.id }] },
      ]);
      expectStatus(res, 200, 204);
    }
    const stranger = await provision();
    expectStatus(
      await jumpcloud.patch(`/Groups/${g.id}`, [{ op: 'remove', path: 'members', value: [{ value: stranger.id }] }]),
      200,
      204,
    );
    expect(await members(g.id)).toEqual([b.id]);
  });

  it('jumpcloud-replace-per-attribute: user updates arrive as one replace op per attribute, including active', async () => {
    const user = await provision();
    const res = await jumpcloud.patch(`/Users/${user.id}`, [
      { op: 'replace', path: 'name.givenName', value: 'Jumpy' },
      { op: 'replace', path: 'name.familyName', value: 'Clouds' },
      { op: 'replace', path: 'title', value: 'Ops' },
      { op: 'replace', path: 'active', value: false },
    ]);
    expectStatus(res, 200);
    expect(res.body, show(res)).toMatchObject({
      name: { givenName: 'Jumpy', familyName: 'Clouds' },
      title: 'Ops',
      active: false,
    });
    const back = await jumpcloud.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'active', value: true }]);
    expectStatus(back, 200);
    expect(back.body.active, show(back)).toBe(true);
  });

  it('jumpcloud-user-group-scope: deleting a provisioned user (removed from the bound group) drops its memberships', async () => {
    const [a, b] = [await provision(), await provision()];
    const g = await group([a.id, b.id]);
    expectStatus(await jumpcloud.delete(`/Users/${a.id}`), 204);
    expect(await members(g.id)).toEqual([b.id]);
  });
});
