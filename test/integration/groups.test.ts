import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getResource } from '#store/resources.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});

let n = 0;
async function user(): Promise<{ id: string; userName: string }> {
  const res = await api.call('POST', '/Users', { body: { schemas: [USER], userName: `g-user${++n}-${Date.now()}` } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}
async function group(extra: Record<string, unknown> = {}) {
  const res = await api.call('POST', '/Groups', {
    body: { schemas: [GROUP], displayName: `Group ${++n} ${Date.now()}`, ...extra },
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}
const patch = (id: string, Operations: unknown[], headers: Record<string, string> = {}) =>
  api.call('PATCH', `/Groups/${id}`, { body: { schemas: [PATCH], Operations }, headers });
const memberIds = async (id: string) =>
  ((await api.call('GET', `/Groups/${id}`)).body.members ?? []).map((m: { value: string }) => m.value).sort();

describe('Groups', () => {
  it("creates a group with members (Okta) and computes the users' groups", async () => {
    const [a, b] = [await user(), await user()];
    const g = await group({ members: [{ value: a.id }, { value: b.id, display: 'B' }] });
    expect(g.members.map((m: { value: string }) => m.value).sort()).toEqual([a.id, b.id].sort());
    expect(g.members[0]).toMatchObject({ type: 'User', $ref: expect.stringContaining('/Users/') });
    const ua = await api.call('GET', `/Users/${a.id}`);
    expect(ua.body.groups).toEqual([expect.objectContaining({ value: g.id })]);
  });

  it('rejects members that do not exist with 400 and creates nothing', async () => {
    const res = await api.call('POST', '/Groups', {
      body: { schemas: [GROUP], displayName: 'Ghosts', members: [{ value: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }] },
    });
    expect(res.status, res.text).toBe(400);
    const list = await api.call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Ghosts"')}`);
    expect(list.body.totalResults).toBe(0);
  });

  it('adds and removes single members with item-level writes that do not read the member list', async () => {
    const g = await group();
    const [a, b] = [await user(), await user()];
    const add = await patch(g.id, [{ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }]);
    expect(add.status, add.text).toBe(204);
    // Membership-only PATCH: one transaction (+ one GetItem of the new version for the ETag), no
    // Query of the members partition.
    expect(add.cost.operations).toEqual(['TransactWriteItemsCommand', 'GetItemCommand']);
    expect(add.headers.get('etag')).toMatch(/^W\/"\d+"$/);
    expect(await memberIds(g.id)).toEqual([a.id, b.id].sort());
    const remove = await patch(g.id, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]);
    expect(remove.status, remove.text).toBe(204);
    expect(remove.cost.operations).toEqual(['TransactWriteItemsCommand', 'GetItemCommand']);
    expect(await memberIds(g.id)).toEqual([b.id]);
  });

  it('is idempotent: adding an existing member or removing a non-member is a no-op', async () => {
    const g = await group();
    const a = await user();
    expect((await patch(g.id, [{ op: 'add', path: 'members', value: [{ value: a.id }] }])).status).toBe(204);
    expect((await patch(g.id, [{ op: 'add', path: 'members', value: [{ value: a.id }] }])).status).toBe(204);
    expect((await patch(g.id, [{ op: 'remove', path: 'members[value eq "01ARZ3NDEKTSV4RRFFQ69G5FAV"]' }])).status).toBe(
      204,
    );
    expect(await memberIds(g.id)).toEqual([a.id]);
  });

  it('bumps meta.version on membership changes and honours If-Match with 412', async () => {
    const g = await group();
    const a = await user();
    const before = (await api.call('GET', `/Groups/${g.id}`)).body.meta.version;
    await patch(g.id, [{ op: 'add', path: 'members', value: [{ value: a.id }] }]);
    const after = (await api.call('GET', `/Groups/${g.id}`)).body.meta.version;
    expect(after).not.toBe(before);
    const stale = await patch(g.id, [{ op: 'remove', path: 'members', value: [{ value: a.id }] }], {
      'If-Match': before,
    });
    expect(stale.status, stale.text).toBe(412);
    expect(await memberIds(g.id)).toEqual([a.id]);
  });

  it('loses nothing under 20 concurrent member adds to one group', async () => {
    const g = await group();
    const users = await Promise.all(Array.from({ length: 20 }, () => user()));
    const results = await Promise.all(
      users.map((u) => patch(g.id, [{ op: 'add', path: 'members', value: [{ value: u.id }] }])),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(204));
    expect(await memberIds(g.id)).toEqual(users.map((u) => u.id).sort());
  });

  it('PUT with members replaces the member list (diff)', async () => {
    const [a, b, c] = [await user(), await user(), await user()];
    const g = await group({ members: [{ value: a.id }, { value: b.id }] });
    const res = await api.call('PUT', `/Groups/${g.id}`, {
      body: { schemas: [GROUP], displayName: g.displayName, members: [{ value: b.id }, { value: c.id }] },
    });
    expect(res.status, res.text).toBe(200);
    expect(await memberIds(g.id)).toEqual([b.id, c.id].sort());
  });

  it('answers the membership check filter with key lookups', async () => {
    const a = await user();
    const g = await group({ members: [{ value: a.id }] });
    const other = await user();
    const q = (f: string) => api.call('GET', `/Groups?filter=${encodeURIComponent(f)}&excludedAttributes=members`);
    const yes = await q(`id eq "${g.id}" and members[value eq "${a.id}"]`);
    expect(yes.body.totalResults, yes.text).toBe(1);
    expect(yes.cost.operations.sort()).toEqual(['BatchGetItemCommand', 'GetItemCommand']);
    const no = await q(`id eq "${g.id}" and members[value eq "${other.id}"]`);
    expect(no.body.totalResults).toBe(0);
    const byMember = await q(`members[value eq "${a.id}"]`);
    expect(byMember.body.Resources.map((r: { id: string }) => r.id)).toEqual([g.id]);
  });

  it('filters by displayName exactly (not everything)', async () => {
    const g = await group();
    await group();
    const res = await api.call('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${g.displayName}"`)}`);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(g.id);
  });

  it('deleting a user removes its memberships; deleting a group removes its member items', async () => {
    const [a, b] = [await user(), await user()];
    const g = await group({ members: [{ value: a.id }, { value: b.id }] });
    expect((await api.call('DELETE', `/Users/${a.id}`)).status).toBe(204);
    expect(await memberIds(g.id)).toEqual([b.id]);
    expect((await api.call('DELETE', `/Groups/${g.id}`)).status).toBe(204);
    expect((await api.call('GET', `/Users/${b.id}`)).body.groups ?? []).toEqual([]);
  });

  it('deletes a group in a two-group cycle (each a member of the other)', async () => {
    const [g, h] = [await group(), await group()];
    const gAddsH = await patch(g.id, [{ op: 'add', path: 'members', value: [{ value: h.id, type: 'Group' }] }]);
    expect(gAddsH.status, gAddsH.text).toBe(204);
    const hAddsG = await patch(h.id, [{ op: 'add', path: 'members', value: [{ value: g.id, type: 'Group' }] }]);
    expect(hAddsG.status, hAddsG.text).toBe(204);
    // G's leave from H and its detach of H both change H's item: written once, in one transaction.
    const del = await api.call('DELETE', `/Groups/${g.id}`);
    expect(del.status, del.text).toBe(204);
    expect(del.cost.operations.filter((o: string) => o === 'TransactWriteItemsCommand').length).toBe(1);
    expect(await memberIds(h.id)).toEqual([]);
    // H lost G both ways: as a member (its count) and as a group it was in (its groups).
    expect(await getResource(api.ctx.db, 'default', 'Group', h.id)).toMatchObject({
      groups: [],
      memberCounts: { users: 0, groups: 0 },
    });
    expect((await api.call('DELETE', `/Groups/${h.id}`)).status).toBe(204);
  });
});

describe('paging', () => {
  it('walks users with startIndex/count and with cursors in creation order', async () => {
    const local = await startLocalApi();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        ids.push((await local.call('POST', '/Users', { body: { schemas: [USER], userName: `p${i}` } })).body.id);
      }
      const seen: string[] = [];
      for (let start = 1; start <= 7; start += 3) {
        const page = await local.call('GET', `/Users?startIndex=${start}&count=3`);
        expect(page.body).toMatchObject({ totalResults: 7, startIndex: start });
        seen.push(...page.body.Resources.map((r: { id: string }) => r.id));
      }
      expect(seen).toEqual(ids);
      const viaCursor: string[] = [];
      let cursor = '';
      for (;;) {
        const page = await local.call('GET', `/Users?count=3&cursor=${cursor}`);
        viaCursor.push(...page.body.Resources.map((r: { id: string }) => r.id));
        if (!page.body.nextCursor) break;
        cursor = page.body.nextCursor;
      }
      expect(viaCursor).toEqual(ids);
    } finally {
      await local.close();
    }
  });
});

describe('remove all members', () => {
  it('PATCH remove path "members" without a value empties the group (Microsoft suite "Patch remove all users")', async () => {
    const [a, b] = [await user(), await user()];
    const g = await group({ members: [{ value: a.id }, { value: b.id }] });
    const res = await patch(g.id, [{ op: 'remove', path: 'members' }]);
    expect(res.status, res.text).toBe(204);
    expect(await memberIds(g.id)).toEqual([]);
    expect((await api.call('GET', `/Users/${a.id}`)).body.groups ?? []).toEqual([]);
  });
});

describe('big membership changes', () => {
  it('adds 120 members in one PATCH (chunked transactions) and removes them again', async () => {
    const g = await group();
    const users = [];
    for (let i = 0; i < 120; i += 20) users.push(...(await Promise.all(Array.from({ length: 20 }, () => user()))));
    const add = await patch(g.id, [{ op: 'add', path: 'members', value: users.map((u) => ({ value: u.id })) }]);
    expect(add.status, add.text).toBe(204);
    expect(add.cost.operations.filter((o: string) => o === 'TransactWriteItemsCommand').length).toBe(3);
    expect(await memberIds(g.id)).toEqual(users.map((u) => u.id).sort());
    const remove = await patch(g.id, [{ op: 'remove', path: 'members', value: users.map((u) => ({ value: u.id })) }]);
    expect(remove.status, remove.text).toBe(204);
    expect(await memberIds(g.id)).toEqual([]);
  }, 60_000);
});
