// A user's groups live on the user item and a group's member counts on the group item, both kept
// by the membership transactions. These tests hold them to the member items under concurrency,
// through the cascades (user and group delete), and across the upgrade of older items.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#store/keys.ts';
import { backfillMemberships } from '#store/membership-backfill.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const TENANT = 'memberships';

let api: LocalApi;
let token: string;
let n = 0;

beforeAll(async () => {
  api = await startLocalApi();
  token = await api.tokenFor(TENANT);
});
afterAll(async () => {
  await api.close();
});

const call = (method: string, path: string, body?: unknown) =>
  api.call(method, path, { token, ...(body ? { body } : {}) });
const user = async (): Promise<{ id: string }> => {
  const res = await call('POST', '/Users', { schemas: [USER], userName: `m${(n += 1)}-${Date.now()}@example.com` });
  expect(res.status, res.text).toBe(201);
  return res.body;
};
const group = async (members: string[] = []): Promise<{ id: string }> => {
  const res = await call('POST', '/Groups', {
    schemas: [GROUP],
    displayName: `g${(n += 1)}`,
    members: members.map((value) => ({ value })),
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
};
const addTo = (groupId: string, ids: string[]) =>
  call('PATCH', `/Groups/${groupId}`, {
    schemas: [PATCH],
    Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }],
  });
const groupsOf = async (id: string): Promise<string[]> => {
  const res = await call('GET', `/Users/${id}`);
  expect(res.status, res.text).toBe(200);
  return (res.body.groups ?? []).map((g: { value: string }) => g.value).sort();
};
const membersOf = async (id: string): Promise<string[]> => {
  const res = await call('GET', `/Groups/${id}`);
  expect(res.status, res.text).toBe(200);
  return (res.body.members ?? []).map((m: { value: string }) => m.value).sort();
};
/** The group's user count as the group item keeps it (totalResults of the indexed filter). */
const userCount = async (groupId: string): Promise<number> => {
  const res = await call('GET', `/Users?count=0&filter=${encodeURIComponent(`groups.value eq "${groupId}"`)}`);
  expect(res.status, res.text).toBe(200);
  return res.body.totalResults;
};

describe('memberships on the user and group items', () => {
  it('100 parallel member adds to one group lose nothing', async () => {
    const g = await group();
    const users: { id: string }[] = [];
    for (let i = 0; i < 100; i += 25) users.push(...(await Promise.all(Array.from({ length: 25 }, user))));
    const results = await Promise.all(users.map((u) => addTo(g.id, [u.id])));
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(204));
    // Each answer's ETag names the version its own write made: no two are the same.
    const etags = results.map((r) => r.headers.get('etag')).filter((e): e is string => e !== null);
    expect(new Set(etags).size).toBe(etags.length);
    expect(await membersOf(g.id)).toEqual(users.map((u) => u.id).sort());
    expect(await userCount(g.id)).toBe(100);
    for (const u of users.slice(0, 10)) expect(await groupsOf(u.id)).toEqual([g.id]);
  }, 120_000);

  it('50 parallel adds of one user to 50 groups lose nothing, and its version moves each time', async () => {
    const u = await user();
    const before = (await call('GET', `/Users/${u.id}`)).body.meta.version;
    const groups = await Promise.all(Array.from({ length: 50 }, () => group()));
    const results = await Promise.all(groups.map((g) => addTo(g.id, [u.id])));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(204));
    expect(await groupsOf(u.id)).toEqual(groups.map((g) => g.id).sort());
    const after = (await call('GET', `/Users/${u.id}`)).body.meta.version;
    expect(after).toBe('W/"51"');
    expect(before).toBe('W/"1"');
    // Deleting the user leaves all 50 groups in the same transactions: their counts go back to 0.
    expect((await call('DELETE', `/Users/${u.id}`)).status).toBe(204);
    expect(await Promise.all(groups.map((g) => userCount(g.id)))).toEqual(Array(50).fill(0));
  }, 120_000);

  it('parallel adds and removes of the same members keep count, members and groups equal', async () => {
    const g = await group();
    const users = await Promise.all(Array.from({ length: 20 }, user));
    await addTo(
      g.id,
      users.map((u) => u.id),
    );
    const ops = users.flatMap((u, i) => [
      call('PATCH', `/Groups/${g.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'remove', path: `members[value eq "${u.id}"]` }],
      }),
      ...(i % 2 ? [addTo(g.id, [u.id])] : []),
    ]);
    expect((await Promise.all(ops)).map((r) => r.status)).toEqual(Array(ops.length).fill(204));
    const members = await membersOf(g.id);
    expect(await userCount(g.id)).toBe(members.length);
    for (const u of users) expect(await groupsOf(u.id)).toEqual(members.includes(u.id) ? [g.id] : []);
  }, 120_000);

  it('a group delete takes its id out of every member, chunk by chunk (120 members)', async () => {
    const users = await Promise.all(Array.from({ length: 120 }, user));
    const g = await group(users.slice(0, 30).map((u) => u.id));
    const other = await group([users[0]!.id]);
    expect(
      (
        await addTo(
          g.id,
          users.slice(30).map((u) => u.id),
        )
      ).status,
    ).toBe(204);
    expect(await userCount(g.id)).toBe(120);
    expect(await groupsOf(users[0]!.id)).toEqual([g.id, other.id].sort());
    expect((await call('DELETE', `/Groups/${g.id}`)).status).toBe(204);
    for (const u of [users[0]!, users[59]!, users[119]!])
      expect(await groupsOf(u.id)).toEqual(u === users[0] ? [other.id] : []);
  }, 120_000);

  it('the users of a group page by cursor and by startIndex from its member items, groups left out', async () => {
    const users = await Promise.all(Array.from({ length: 25 }, user));
    const inner = await group();
    const g = await group([...users.slice(0, 12).map((u) => u.id), inner.id, ...users.slice(12).map((u) => u.id)]);
    const filter = encodeURIComponent(`groups.value eq "${g.id}"`);
    const byCursor: string[] = [];
    let cursor = '';
    for (let page = 0; page < 5; page += 1) {
      const res = await call('GET', `/Users?filter=${filter}&count=10&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.totalResults).toBe(25);
      // GetItem group ‖ Query its member items → BatchGetItem the users, on every page.
      expect(res.cost.requests).toBe(3);
      byCursor.push(...res.body.Resources.map((r: { id: string }) => r.id));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    expect(byCursor).toEqual(users.map((u) => u.id).sort());
    const byIndex: string[] = [];
    for (let start = 1; start <= 25; start += 10) {
      const res = await call('GET', `/Users?filter=${filter}&count=10&startIndex=${start}`);
      expect(res.body.startIndex).toBe(start);
      byIndex.push(...res.body.Resources.map((r: { id: string }) => r.id));
    }
    expect(byIndex).toEqual(byCursor);
  });

  it('a full GET of a group over the member limit is refused from its count, not by reading members', async () => {
    const g = await group([(await user()).id]);
    // As if it had 20,001 members: the count on the group item is what the read trusts.
    const { db } = api.ctx;
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.group(TENANT, g.id),
        UpdateExpression: 'SET mcu = :n',
        ExpressionAttributeValues: { ':n': 20_001 },
      }),
    );
    const res = await call('GET', `/Groups/${g.id}`);
    expect(res.status, res.text).toBe(400);
    expect(res.body.scimType).toBe('tooMany');
    // Read: the group item and its first page of members (here 1 item), in parallel. (The PutItem
    // is the refused request, kept as the tenant's provisioning activity.)
    expect(res.cost.operations.filter((o) => o !== 'PutItemCommand').sort()).toEqual([
      'GetItemCommand',
      'QueryCommand',
    ]);
  });

  it('a full GET of a group uses its member count: an empty group reads no member item', async () => {
    const g = await group();
    const res = await call('GET', `/Groups/${g.id}`);
    expect(res.body.members ?? []).toEqual([]);
    const page = await call('GET', `/Groups?filter=${encodeURIComponent(`id eq "${g.id}"`)}`);
    expect(page.cost.operations).toEqual(['BatchGetItemCommand']);
  });
});

describe('items from before memberships were kept', () => {
  it('read correctly through the index, and are upgraded by the backfill', async () => {
    const [a, b] = [await user(), await user()];
    const g = await group([a.id, b.id]);
    const h = await group([a.id]);
    // Make them look like items written by the previous release: no grp, counts or mark.
    const { db } = api.ctx;
    for (const key of [
      keys.user(TENANT, a.id),
      keys.user(TENANT, b.id),
      keys.group(TENANT, g.id),
      keys.group(TENANT, h.id),
    ])
      await db.doc.send(
        new UpdateCommand({ TableName: db.tableName, Key: key, UpdateExpression: 'REMOVE grp, mk, mcu, mcg' }),
      );

    const legacy = await call('GET', `/Users/${a.id}`);
    expect(legacy.body.groups.map((x: { value: string }) => x.value).sort()).toEqual([g.id, h.id].sort());
    expect(legacy.cost.operations.sort()).toEqual(['GetItemCommand', 'QueryCommand']);
    expect(await userCount(g.id)).toBe(2);
    // A membership change on an older item keeps working; its result is not trusted until backfilled.
    expect(
      (
        await call('PATCH', `/Groups/${h.id}`, {
          schemas: [PATCH],
          Operations: [{ op: 'remove', path: `members[value eq "${a.id}"]` }],
        })
      ).status,
    ).toBe(204);
    expect(await groupsOf(a.id)).toEqual([g.id]);

    const written = await backfillMemberships(db, TENANT);
    expect(written.users).toBeGreaterThanOrEqual(2);
    expect(written.groups).toBeGreaterThanOrEqual(2);
    const upgraded = await call('GET', `/Users/${a.id}`);
    expect(upgraded.body.groups.map((x: { value: string }) => x.value)).toEqual([g.id]);
    expect(upgraded.cost.operations).toEqual(['GetItemCommand']);
    expect(await userCount(g.id)).toBe(2);
    expect(await userCount(h.id)).toBe(0);
    // Idempotent: a second run finds nothing to do.
    expect(await backfillMemberships(db, TENANT)).toEqual({ users: 0, groups: 0 });
  });
});
