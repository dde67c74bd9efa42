// The cost model, pinned: each IdP operation costs the same DynamoDB work (requests and capacity
// units) in a tenant with 10 users as in one with 2,000, and reading the users of a group costs
// the same for a group of 10 members as for one of 2,000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMembers, seedUsers } from '../../bench/support/seed.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';
import type { Cost } from '#store/client.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let api: LocalApi;
const tokens: Record<string, string> = {};
/** The seed group of each tenant: every seeded user is a member. */
const seedGroups: Record<string, string> = {};
const SIZES = { small: 10, large: 2000 };

/**
 * Seeds `size` users, all members of one group, straight into the table (bench/support/seed.ts
 * writes exactly the items the store writes): 2,000 POSTs and PATCHes over HTTP took most of
 * this file's two minutes. The tags have the same length, so both tenants' items have one size.
 */
async function seed(tenantId: string, token: string, size: number, tag: string): Promise<string> {
  const g = await api.call('POST', '/Groups', { token, body: { schemas: [GROUP], displayName: 'Everyone' } });
  expect(g.status, g.text).toBe(201);
  const users = await seedUsers(api.ctx.db, tenantId, size, { tag, groupIds: [g.body.id] });
  await seedMembers(api.ctx.db, tenantId, g.body.id, users);
  return g.body.id as string;
}

beforeAll(async () => {
  api = await startLocalApi();
  for (const [tenant, size] of Object.entries(SIZES)) {
    tokens[tenant] = await api.tokenFor(`cost-${tenant}`);
    seedGroups[tenant] = await seed(`cost-${tenant}`, tokens[tenant]!, size, tenant);
  }
}, 300_000);
afterAll(async () => {
  await api.close();
});

// Round trips are left out: how much two parallel calls overlap depends on timing. The benchmark
// reports them; requests and capacity units are deterministic.
type Costed = Pick<Cost, 'requests' | 'rcu' | 'wcu'> & { operations: string[] };

/** Runs the IdP operations in one tenant and returns what each cost. */
async function scenario(token: string, seedGroup: string): Promise<Record<string, Costed>> {
  const costs: Record<string, Costed> = {};
  const run = async (name: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await api.call(method, path, { token, ...(body ? { body } : {}), ...(headers ? { headers } : {}) });
    expect(res.status, `${name}: ${res.text}`).toBeLessThan(300);
    const { requests, rcu, wcu, operations } = res.cost;
    costs[name] = { requests, rcu, wcu, operations: [...operations].sort() };
    return res;
  };
  const u = (
    await run('create user', 'POST', '/Users', {
      schemas: [USER],
      userName: 'costly@example.com',
      externalId: 'costly-ext',
      name: { givenName: 'C' },
    })
  ).body;
  await run('get user', 'GET', `/Users/${u.id}`);
  await run('filter userName', 'GET', `/Users?filter=${encodeURIComponent('userName eq "costly@example.com"')}`);
  await run('filter externalId', 'GET', `/Users?filter=${encodeURIComponent('externalId eq "costly-ext"')}`);
  await run('put user', 'PUT', `/Users/${u.id}`, {
    schemas: [USER],
    userName: 'costly@example.com',
    externalId: 'costly-ext',
    name: { givenName: 'D' },
  });
  await run('patch user', 'PATCH', `/Users/${u.id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'replace', path: 'name.givenName', value: 'E' }],
  });
  await run('deactivate user', 'PATCH', `/Users/${u.id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'replace', path: 'active', value: false }],
  });
  const g = (await run('create group', 'POST', '/Groups', { schemas: [GROUP], displayName: 'Cost Group' })).body;
  await run(
    'filter displayName',
    'GET',
    `/Groups?filter=${encodeURIComponent('displayName eq "Cost Group"')}&excludedAttributes=members`,
  );
  const added = await run('add member', 'PATCH', `/Groups/${g.id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }],
  });
  // Every membership PATCH answers with the new version: read back once without If-Match...
  const etag = added.headers.get('etag');
  expect(etag).toMatch(/^W\/"\d+"$/);
  await run(
    'membership check',
    'GET',
    `/Groups?filter=${encodeURIComponent(`id eq "${g.id}" and members[value eq "${u.id}"]`)}&excludedAttributes=members`,
  );
  // ... and known without a read when If-Match pinned the version the write started from.
  const removed = await run(
    'remove member (If-Match)',
    'PATCH',
    `/Groups/${g.id}`,
    { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${u.id}"]` }] },
    { 'If-Match': etag! },
  );
  expect(removed.headers.get('etag')).toBe(`W/"${Number(/\d+/.exec(etag!)![0]) + 1}"`);
  const inGroup = (count: number) =>
    `/Users?count=${count}&filter=${encodeURIComponent(`groups.value eq "${seedGroup}"`)}`;
  const one = await run('users of a group, count=1', 'GET', inGroup(1));
  expect(one.body.Resources).toHaveLength(1);
  await run('users of a group, count=5', 'GET', inGroup(5));
  await run('list page', 'GET', '/Users?startIndex=1&count=5');
  await run('next page', 'GET', '/Users?startIndex=6&count=5');
  await run('delete user', 'DELETE', `/Users/${u.id}`);
  await run('delete group', 'DELETE', `/Groups/${g.id}`);
  return costs;
}

describe('DynamoDB cost per IdP operation', () => {
  it('is the same for 10 and 2,000 users, and pinned', async () => {
    const small = await scenario(tokens.small!, seedGroups.small!);
    const large = await scenario(tokens.large!, seedGroups.large!);
    expect(large).toEqual(small);
    // DynamoDB requests per operation (docs/performance.md). A user's `groups` come with its item;
    // the users of a group are one page of its member items (Limit count+1), then the users by key.
    const pinned = Object.fromEntries(Object.entries(small).map(([k, v]) => [k, v.requests]));
    expect(pinned).toEqual({
      'create user': 1,
      'get user': 1,
      'filter userName': 2,
      'filter externalId': 1,
      'put user': 2,
      'patch user': 2,
      'deactivate user': 2,
      'create group': 1,
      'filter displayName': 1,
      'add member': 2,
      'membership check': 2,
      'remove member (If-Match)': 1,
      'users of a group, count=1': 3,
      'users of a group, count=5': 3,
      'list page': 3,
      'next page': 4,
      'delete user': 2,
      'delete group': 2,
    });
    // What each of those requests is.
    expect(small['get user']!.operations).toEqual(['GetItemCommand']);
    expect(small['users of a group, count=1']!.operations).toEqual([
      'BatchGetItemCommand',
      'GetItemCommand',
      'QueryCommand',
    ]);
    expect(small['list page']!.operations).toEqual(['GetItemCommand', 'PutItemCommand', 'QueryCommand']);
  });
});
