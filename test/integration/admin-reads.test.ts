// The admin API's read routes over HTTP: the list of tenants, token limits, and the read-only
// directory views (user and group search, a user with its groups, a group with its member count and
// first members), with their validation, tenant isolation and DynamoDB cost.
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#store/keys.ts';
import { memberItem } from '#store/resources.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

let api: LocalApi;
let acmeToken: string;
const users: Record<string, string> = {};

beforeAll(async () => {
  api = await startLocalApi({ config: { maxActiveTokens: 3 } });
  acmeToken = await api.tokenFor('acme');
  await api.admin('PUT', '/tenants/zeta', { displayName: 'Zeta' });
  await api.admin('PUT', '/tenants/beta', {});
  for (const [userName, externalId] of [
    ['alice@example.com', 'ext-alice'],
    ['alan@example.com', 'ext-alan'],
    ['bob@example.com', 'ext-bob'],
  ] as const) {
    const res = await api.call('POST', '/Users', {
      token: acmeToken,
      body: { userName, externalId, displayName: userName.split('@')[0], emails: [{ value: userName }] },
    });
    expect(res.status, res.text).toBe(201);
    users[userName] = res.body.id;
  }
});
afterAll(async () => {
  await api.close();
});

describe('GET /admin/tenants', () => {
  it('lists every tenant in id order with provisioning state and counts, in one index Query', async () => {
    const res = await api.admin('GET', '/tenants');
    expect(res.status, res.text).toBe(200);
    expect(res.body.tenants.map((t: { id: string }) => t.id)).toEqual(['acme', 'beta', 'default', 'zeta']);
    const acme = res.body.tenants[0];
    expect(acme).toMatchObject({
      id: 'acme',
      provisioning: { enabled: true },
      counts: { users: 3, groups: 0, activeTokens: 1 },
    });
    expect(res.body.tenants[3].displayName).toBe('Zeta');
    expect(res.body.nextCursor).toBeUndefined();
    expect(res.cost.requests, JSON.stringify(res.cost)).toBe(1);
  });

  it('pages with count and nextCursor', async () => {
    const first = await api.admin('GET', '/tenants?count=3');
    expect(first.body.tenants.map((t: { id: string }) => t.id)).toEqual(['acme', 'beta', 'default']);
    expect(first.body.nextCursor, first.text).toEqual(expect.any(String));
    const second = await api.admin('GET', `/tenants?count=3&cursor=${first.body.nextCursor}`);
    expect(second.body.tenants.map((t: { id: string }) => t.id)).toEqual(['zeta']);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('refuses a bad count or cursor with 400 and a detail', async () => {
    for (const [query, detail] of [
      ['count=0', /count must be a whole number from 1 to 100/],
      ['count=101', /count must be a whole number from 1 to 100/],
      ['count=x', /count must be a whole number/],
      ['cursor=%23%23%23', /invalid cursor/],
    ] as const) {
      const res = await api.admin('GET', `/tenants?${query}`);
      expect(res.status, res.text).toBe(400);
      expect(res.body.detail).toMatch(detail);
    }
  });

  it('needs the admin credential: a SCIM token does not open it', async () => {
    for (const authorization of [undefined, `Bearer ${acmeToken}`]) {
      const res = await fetch(`${api.url}/admin/tenants`, authorization ? { headers: { authorization } } : {});
      expect(res.status, await res.text()).toBe(401);
    }
  });
});

describe('GET /admin/tenants/{t}/tokens', () => {
  it('says how many active tokens the tenant may hold and the lifetimes allowed', async () => {
    const res = await api.admin('GET', '/tenants/acme/tokens');
    expect(res.status, res.text).toBe(200);
    expect(res.body.limits).toEqual({ maxActiveTokens: 3, defaultLifetimeDays: 365, maxLifetimeDays: 730 });
    expect(res.body.tokens).toHaveLength(1);
  });
});

describe('user search', () => {
  it('finds a user by exact userName (case-insensitively) or externalId, with index lookups only', async () => {
    const byName = await api.admin('GET', '/tenants/acme/users?q=ALICE@example.com');
    expect(byName.status, byName.text).toBe(200);
    expect(byName.body).toEqual({
      totalResults: 1,
      users: [
        {
          id: users['alice@example.com'],
          userName: 'alice@example.com',
          externalId: 'ext-alice',
          displayName: 'alice',
          active: true,
        },
      ],
    });
    const byExternalId = await api.admin('GET', '/tenants/acme/users?q=ext-bob');
    expect(byExternalId.body.users.map((u: { userName: string }) => u.userName)).toEqual(['bob@example.com']);
    // The tenant check, the userName claim and the externalId index, then the user item: whatever
    // the directory's size.
    expect([...byName.cost.operations].sort(), JSON.stringify(byName.cost)).toEqual([
      'BatchGetItemCommand',
      'GetItemCommand',
      'GetItemCommand',
      'QueryCommand',
    ]);
    expect(byName.cost.wcu).toBe(0);
  });

  it('finds users by prefix (the bounded scan), and lists everyone by cursor when q is empty', async () => {
    const prefix = await api.admin('GET', '/tenants/acme/users?q=al&match=prefix');
    expect(prefix.body.users.map((u: { userName: string }) => u.userName)).toEqual([
      'alice@example.com',
      'alan@example.com',
    ]);
    const first = await api.admin('GET', '/tenants/acme/users?count=2');
    expect(first.body.totalResults).toBe(3);
    expect(first.body.users).toHaveLength(2);
    const rest = await api.admin('GET', `/tenants/acme/users?count=2&cursor=${first.body.nextCursor}`);
    expect(rest.body.users.map((u: { userName: string }) => u.userName)).toEqual(['bob@example.com']);
    expect(rest.body.nextCursor).toBeUndefined();
  });

  it("never shows another tenant's users", async () => {
    const res = await api.admin('GET', '/tenants/beta/users?q=alice@example.com');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ totalResults: 0, users: [] });
  });

  it('refuses bad input with 400, an unknown tenant with 404', async () => {
    for (const [query, detail] of [
      ['match=fuzzy', /match must be "exact" or "prefix"/],
      ['count=0', /count must be a whole number from 1 to 100/],
      [`q=${'x'.repeat(257)}`, /q must be at most 256 characters/],
      ['q=a&cursor=nope', /cursor/],
    ] as const) {
      const res = await api.admin('GET', `/tenants/acme/users?${query}`);
      expect(res.status, `${query}: ${res.text}`).toBe(400);
      expect(res.body.detail).toMatch(detail);
    }
    const unknown = await api.admin('GET', '/tenants/nope/users');
    expect(unknown.status, unknown.text).toBe(404);
    expect(unknown.body.detail).toMatch(/unknown tenant "nope"/);
    const badTenant = await api.admin('GET', '/tenants/Not_Valid/users');
    expect(badTenant.status, badTenant.text).toBe(400);
  });

  it('a search text with quotes and backslashes is a literal, not filter syntax', async () => {
    const res = await api.admin('GET', `/tenants/acme/users?q=${encodeURIComponent('" or userName pr or "\\')}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.users).toEqual([]);
  });
});

describe('user and group details', () => {
  let engineering: string;
  let big: string;

  beforeAll(async () => {
    const eng = await api.call('POST', '/Groups', {
      token: acmeToken,
      body: {
        displayName: 'Engineering',
        externalId: 'grp-eng',
        members: [{ value: users['alice@example.com'] }, { value: users['bob@example.com'] }],
      },
    });
    expect(eng.status, eng.text).toBe(201);
    engineering = eng.body.id;
    const many: string[] = [];
    for (let i = 0; i < 22; i += 1) {
      const u = await api.call('POST', '/Users', { token: acmeToken, body: { userName: `member${i}@example.com` } });
      many.push(u.body.id);
    }
    const all = await api.call('POST', '/Groups', {
      token: acmeToken,
      body: { displayName: 'Everyone', members: [...many, engineering].map((value) => ({ value })) },
    });
    expect(all.status, all.text).toBe(201);
    big = all.body.id;
  });

  it('a user: its SCIM attributes and its groups by name', async () => {
    const res = await api.admin('GET', `/tenants/acme/users/${users['alice@example.com']}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.user).toMatchObject({
      id: users['alice@example.com'],
      userName: 'alice@example.com',
      emails: [{ value: 'alice@example.com' }],
      meta: { resourceType: 'User', location: `${api.scimUrl}/Users/${users['alice@example.com']}` },
    });
    expect(res.body.user.groups).toBeUndefined();
    expect(res.body.groupCount).toBe(1);
    expect(res.body.groups).toEqual([{ id: engineering, displayName: 'Engineering' }]);
  });

  it('a group: its attributes, member count and first 20 members with their names (users and groups)', async () => {
    const res = await api.admin('GET', `/tenants/acme/groups/${big}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.group).toMatchObject({ id: big, displayName: 'Everyone' });
    expect(res.body.group.members).toBeUndefined();
    expect(res.body.memberCount).toEqual({ exact: true, value: 23 });
    expect(res.body.members).toHaveLength(20);
    // The tenant, the group and its count (group item), one page of members; then the names.
    expect(
      res.cost.operations.filter((o: string) => o === 'QueryCommand'),
      JSON.stringify(res.cost),
    ).toEqual(['QueryCommand']);
    expect(res.cost.wcu).toBe(0);
    for (const m of res.body.members) {
      if (m.type === 'User') expect(m.userName, JSON.stringify(m)).toMatch(/^member\d+@example\.com$/);
      else expect(m).toEqual({ id: engineering, type: 'Group', displayName: 'Engineering' });
    }
  });

  it('group search by exact displayName (case-insensitively), by prefix, and all groups', async () => {
    const exact = await api.admin('GET', '/tenants/acme/groups?q=engineering');
    expect(exact.body).toEqual({
      totalResults: 1,
      groups: [{ id: engineering, displayName: 'Engineering', externalId: 'grp-eng' }],
    });
    const prefix = await api.admin('GET', '/tenants/acme/groups?q=Ev&match=prefix');
    expect(prefix.body.groups.map((g: { displayName: string }) => g.displayName)).toEqual(['Everyone']);
    const all = await api.admin('GET', '/tenants/acme/groups');
    expect(all.body.totalResults).toBe(2);
  });

  it('an unknown or malformed id is 404, and so is an id of another tenant', async () => {
    for (const path of [
      `/tenants/acme/users/01ARZ3NDEKTSV4RRFFQ69G5FAV`,
      `/tenants/acme/users/${'x'.repeat(2000)}`,
      `/tenants/acme/groups/not-an-id`,
      `/tenants/beta/users/${users['alice@example.com']}`,
      `/tenants/beta/groups/${engineering}`,
    ]) {
      const res = await api.admin('GET', path);
      expect(res.status, `${path.slice(0, 60)}: ${res.text}`).toBe(404);
    }
  });

  it('a group of thousands: the count from the group item, and only the first page of members read', async () => {
    const created = await api.call('POST', '/Groups', {
      token: acmeToken,
      body: { displayName: 'Thousands', members: [{ value: users['alice@example.com'] }] },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    // 3,000 more members written as membership writes leave them (items, and the group's kept count).
    const extra = Array.from({ length: 3000 }, (_, i) => `7ZZZZZZZZZ${String(i).padStart(16, '0')}`);
    for (let i = 0; i < extra.length; i += 25) {
      const puts = extra.slice(i, i + 25).map((value) => ({
        PutRequest: { Item: memberItem('acme', id, { value, type: 'User' }) },
      }));
      await api.ctx.db.doc.send(new BatchWriteCommand({ RequestItems: { [api.ctx.db.tableName]: puts } }));
    }
    await api.ctx.db.doc.send(
      new UpdateCommand({
        TableName: api.ctx.db.tableName,
        Key: keys.group('acme', id),
        UpdateExpression: 'ADD mcu :n',
        ExpressionAttributeValues: { ':n': extra.length },
      }),
    );
    const res = await api.admin('GET', `/tenants/acme/groups/${id}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.memberCount).toEqual({ exact: true, value: 3001 });
    expect(res.body.members).toHaveLength(20);
    expect(res.body.members[0]).toEqual({
      id: users['alice@example.com'],
      type: 'User',
      userName: 'alice@example.com',
      displayName: 'alice',
    });
    // One Query of the first members (not 3,001 member items in pages of 1,000).
    expect(
      res.cost.operations.filter((o: string) => o === 'QueryCommand'),
      JSON.stringify(res.cost),
    ).toEqual(['QueryCommand']);
    expect(res.cost.rcu, JSON.stringify(res.cost)).toBeLessThan(40);
    // A group item from before counts were kept: counted from its member items (projected).
    await api.ctx.db.doc.send(
      new UpdateCommand({
        TableName: api.ctx.db.tableName,
        Key: keys.group('acme', id),
        UpdateExpression: 'REMOVE mk',
      }),
    );
    const legacy = await api.admin('GET', `/tenants/acme/groups/${id}`);
    expect(legacy.body.memberCount).toEqual({ exact: true, value: 3001 });
    expect(legacy.body.members).toEqual(res.body.members);
  });
});
