// The cost model, pinned: each IdP operation costs the same DynamoDB work (requests and capacity
// units) in a tenant with 10 users as in one with 2,000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';
import type { Cost } from '#store/client.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let api: LocalApi;
const tokens: Record<string, string> = {};
const SIZES = { small: 10, large: 2000 };

async function seed(token: string, size: number, tenant: string) {
  for (let i = 0; i < size; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, size - i) }, (_, j) =>
        api.call('POST', '/Users', {
          token,
          body: { schemas: [USER], userName: `seed-${tenant}-${i + j}@example.com`, externalId: `x-${i + j}` },
        }),
      ),
    );
  }
}

beforeAll(async () => {
  api = await startLocalApi();
  for (const [tenant, size] of Object.entries(SIZES)) {
    tokens[tenant] = await api.tokenFor(`cost-${tenant}`);
    await seed(tokens[tenant]!, size, tenant);
  }
}, 300_000);
afterAll(async () => {
  await api.close();
});

// Round trips are left out: how much two parallel calls overlap depends on timing. The benchmark
// reports them; requests and capacity units are deterministic.
type Costed = Pick<Cost, 'requests' | 'rcu' | 'wcu'> & { operations: string[] };

/** Runs the IdP operations in one tenant and returns what each cost. */
async function scenario(token: string): Promise<Record<string, Costed>> {
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
  await run('add member', 'PATCH', `/Groups/${g.id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }],
  });
  await run(
    'membership check',
    'GET',
    `/Groups?filter=${encodeURIComponent(`id eq "${g.id}" and members[value eq "${u.id}"]`)}&excludedAttributes=members`,
  );
  await run('remove member', 'PATCH', `/Groups/${g.id}`, {
    schemas: [PATCH],
    Operations: [{ op: 'remove', path: `members[value eq "${u.id}"]` }],
  });
  await run('list page', 'GET', '/Users?startIndex=1&count=5');
  await run('next page', 'GET', '/Users?startIndex=6&count=5');
  await run('delete user', 'DELETE', `/Users/${u.id}`);
  await run('delete group', 'DELETE', `/Groups/${g.id}`);
  return costs;
}

describe('DynamoDB cost per IdP operation', () => {
  it('is the same for 10 and 2,000 users, and pinned', async () => {
    const small = await scenario(tokens.small!);
    const large = await scenario(tokens.large!);
    expect(large).toEqual(small);
    // DynamoDB requests per operation (see README "Performance"); a user's `groups` and a page's
    // users' groups are one Query each, issued in parallel.
    const pinned = Object.fromEntries(Object.entries(small).map(([k, v]) => [k, v.requests]));
    expect(pinned).toEqual({
      'create user': 1,
      'get user': 2,
      'filter userName': 3,
      'filter externalId': 2,
      'put user': 3,
      'patch user': 3,
      'deactivate user': 3,
      'create group': 1,
      'filter displayName': 1,
      'add member': 1,
      'membership check': 2,
      'remove member': 1,
      'list page': 8,
      'next page': 9,
      'delete user': 3,
      'delete group': 4,
    });
  });
});
