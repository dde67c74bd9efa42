// Issue 11, items 1 and 2: each request the fuzzer found answering 5xx (or doing unbounded work)
// has a test named after the finding. They go through HTTP against the local runner and DynamoDB
// Local; `cost` is the route function's DynamoDB work (x-dynamodb-cost).
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBudget } from '#store/client.ts';
import { keys } from '#store/keys.ts';
import { MAX_INDEXED_VALUE_BYTES, MAX_RESOURCE_BYTES } from '#scim/resource.ts';
import { startLocalApi, type CallResult, type LocalApi } from '../support/local-api.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let api: LocalApi;
let userId = '';
let groupId = '';
beforeAll(async () => {
  api = await startLocalApi();
  const user = await api.call('POST', '/Users', { body: { schemas: [USER], userName: 'finder@example.com' } });
  expect(user.status, user.text).toBe(201);
  userId = user.body.id;
  const group = await api.call('POST', '/Groups', {
    body: { schemas: [GROUP], displayName: 'Finders', members: [{ value: userId }] },
  });
  expect(group.status, group.text).toBe(201);
  groupId = group.body.id;
});
afterAll(async () => {
  await api.close();
});

/** DynamoDB calls of the request's own work: a refused request is also logged as the tenant's activity (one PutItem). */
const work = (res: CallResult) => res.cost.operations.filter((op) => op !== 'PutItemCommand');

const expectError = (res: CallResult, status: number, scimType?: string, detail?: RegExp) => {
  expect(res.status, res.text).toBe(status);
  expect(res.body?.schemas, res.text).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  expect(res.body.status).toBe(String(status));
  if (scimType) expect(res.body.scimType, res.text).toBe(scimType);
  if (detail) expect(res.body.detail, res.text).toMatch(detail);
};

describe('issue 11 item 1: keys over DynamoDB limits', () => {
  it('finding: GET /Users/<1,100-char id> is 404 without a DynamoDB call (ids that are not ULIDs are not ours)', async () => {
    for (const [method, path] of [
      ['GET', `/Users/${'a'.repeat(1100)}`],
      ['PUT', `/Groups/${'b'.repeat(1100)}`],
      ['PATCH', `/Users/${userId.toLowerCase()}`],
      ['DELETE', `/Groups/${'é'.repeat(600)}`],
    ] as const) {
      const res = await api.call(method, encodeURI(path), {
        ...(method === 'GET' || method === 'DELETE'
          ? {}
          : { body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title', value: 'x' }] } }),
      });
      expectError(res, 404, undefined, /not found/);
      expect(work(res), `${method} ${path.slice(0, 30)}`).toEqual([]);
    }
  });

  it(`finding: a 3,000-char userName is 400 invalidValue (limit ${MAX_INDEXED_VALUE_BYTES} bytes)`, async () => {
    const res = await api.call('POST', '/Users', { body: { schemas: [USER], userName: 'u'.repeat(3000) } });
    expectError(res, 400, 'invalidValue', /'userName' is 3000 bytes long .*limit is 1024 bytes/);
    expect(work(res)).toEqual([]);
    // Multi-byte text is measured in bytes: 513 × "é" is 1,026 bytes.
    const wide = await api.call('POST', '/Users', { body: { schemas: [USER], userName: 'é'.repeat(513) } });
    expectError(wide, 400, 'invalidValue', /'userName' is 1026 bytes long/);
    const fits = await api.call('POST', '/Users', { body: { schemas: [USER], userName: 'é'.repeat(512) } });
    expect(fits.status, fits.text).toBe(201);
  });

  it('finding: a 2,100-char externalId or group displayName is 400 invalidValue', async () => {
    const long = 'x'.repeat(2100);
    for (const [path, body, attribute] of [
      ['/Users', { schemas: [USER], userName: 'ext@example.com', externalId: long }, 'externalId'],
      ['/Groups', { schemas: [GROUP], displayName: long }, 'displayName'],
      ['/Groups', { schemas: [GROUP], displayName: 'G', externalId: long }, 'externalId'],
    ] as const) {
      expectError(
        await api.call('POST', path, { body }),
        400,
        'invalidValue',
        new RegExp(`'${attribute}' is 2100 bytes`),
      );
    }
    // And through PATCH, which normalises the patched resource the same way.
    const patched = await api.call('PATCH', `/Groups/${groupId}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: long }] },
    });
    expectError(patched, 400, 'invalidValue', /'displayName' is 2100 bytes/);
  });

  it('finding: long `id eq` and `userName eq` filter values match nothing (200), with no key lookup', async () => {
    for (const filter of [
      `id eq "${'i'.repeat(1100)}"`,
      `userName eq "${'u'.repeat(3000)}"`,
      `externalId eq "${'e'.repeat(2100)}"`,
      `groups.value eq "${'g'.repeat(1100)}"`,
    ]) {
      const res = await api.call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.totalResults).toBe(0);
      expect(work(res), filter.slice(0, 20)).toEqual([]);
    }
    for (const filter of [`displayName eq "${'d'.repeat(2100)}"`, `members eq "${'m'.repeat(1100)}"`]) {
      const res = await api.call('GET', `/Groups?filter=${encodeURIComponent(filter)}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.totalResults).toBe(0);
    }
  });

  it('fuzz finding (seed 1, #7603): removing `members[value eq ""]` is 400 invalidValue, not a 500 (an empty key)', async () => {
    const res = await api.call('PATCH', `/Groups/${groupId}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members[value eq ""]' }] },
    });
    expectError(res, 400, 'invalidValue', /member value must not be empty/);
    const after = await api.call('GET', `/Groups/${groupId}`);
    expect(after.body.members.map((m: { value: string }) => m.value)).toEqual([userId]);
  });

  it('finding: members[].value over the key limit is 400 invalidValue (POST and PATCH)', async () => {
    const long = 'v'.repeat(1100);
    const post = await api.call('POST', '/Groups', {
      body: { schemas: [GROUP], displayName: 'Long member', members: [{ value: long }] },
    });
    expectError(post, 400, 'invalidValue', /members\[0\]\.value' is 1100 bytes/);
    const patch = await api.call('PATCH', `/Groups/${groupId}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: long }] }] },
    });
    expect(patch.status, patch.text).toBe(400);
  });
});

describe('issue 11 item 1: items over 400 KB', () => {
  it(`finding: a 450 KB title is 400 invalidValue naming 'title' (resources stop at ${MAX_RESOURCE_BYTES} bytes)`, async () => {
    const res = await api.call('POST', '/Users', {
      body: { schemas: [USER], userName: 'big-title@example.com', title: 't'.repeat(450_000) },
    });
    expectError(res, 400, 'invalidValue', /limit is 102400 bytes.*largest attribute is 'title' \(450002 bytes\)/);
    expect(work(res)).toEqual([]);
    const put = await api.call('PUT', `/Users/${userId}`, {
      body: { schemas: [USER], userName: 'finder@example.com', title: 't'.repeat(450_000) },
    });
    expectError(put, 400, 'invalidValue', /'title'/);
  });

  it("finding: 40k emails are 400 invalidValue naming 'emails'", async () => {
    const emails = Array.from({ length: 40_000 }, (_, i) => ({ value: `${i}@x.io` }));
    const res = await api.call('POST', '/Users', { body: { schemas: [USER], userName: 'many@example.com', emails } });
    expectError(res, 400, 'invalidValue', /largest attribute is 'emails'/);
  });
});

describe('issue 11 item 1: transactions, numbers and operation shapes', () => {
  it('finding: a transaction DynamoDB would refuse (a group made a member of itself) is 400, not 500', async () => {
    const res = await api.call('PUT', `/Groups/${groupId}`, {
      body: {
        schemas: [GROUP],
        displayName: 'Finders',
        members: [{ value: userId }, { value: groupId, type: 'Group' }],
      },
    });
    expect(res.status, res.text).toBe(400);
    const patch = await api.call('PATCH', `/Groups/${groupId}`, {
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: groupId, type: 'Group' }] }],
      },
    });
    expect(patch.status, patch.text).toBe(400);
    const after = await api.call('GET', `/Groups/${groupId}`);
    expect(after.body.members.map((m: { value: string }) => m.value)).toEqual([userId]);
  });

  it('finding: POST /.search startIndex 2147483648, 1e15 and 1e300 never reach a DynamoDB Limit (400 tooMany)', async () => {
    for (const startIndex of [2147483648, 1e15, 1e300, '2147483648']) {
      const res = await api.call('POST', '/.search', { body: { startIndex } });
      expectError(res, 400, 'tooMany', /POST \/\.search pages Users and Groups together/);
      expect(work(res)).toEqual([]);
    }
    const ok = await api.call('POST', '/.search', { body: { startIndex: 2, count: 10 } });
    expect(ok.status, ok.text).toBe(200);
    // Per type, a startIndex past the end is an empty page.
    const users = await api.call('POST', '/Users/.search', { body: { startIndex: 1e15 } });
    expect(users.status, users.text).toBe(200);
    expect(users.body.Resources).toEqual([]);
  });

  it('finding: PATCH {"Operations":[null]} is 400 invalidSyntax, not a TypeError', async () => {
    for (const Operations of [[null], [1], ['add'], [[]], [{ op: 'add', path: 'title', value: 'x' }, null]]) {
      for (const path of [`/Groups/${groupId}`, `/Users/${userId}`]) {
        const res = await api.call('PATCH', path, { body: { Operations } });
        expectError(res, 400, 'invalidSyntax', /Operations\[\d\] must be an object/);
      }
    }
  });

  it('finding: malformed % escapes in the path are 400 invalidSyntax, not 502', async () => {
    for (const path of ['/Users/%', '/Users/%E0%A4%A', '/Groups/%G1', '/Schemas/%%', '/ResourceTypes/%ED%A0']) {
      const res = await api.call('GET', path);
      expectError(res, 400, 'invalidSyntax', /malformed percent-escape/);
    }
    const admin = await api.admin('GET', '/tenants/%');
    expect(admin.status, admin.text).toBe(400);
  });

  it('finding: "userName": 12345 is 400 invalidValue, not stored as "12345"', async () => {
    const res = await api.call('POST', '/Users', { body: { schemas: [USER], userName: 12345 } });
    expectError(res, 400, 'invalidValue', /Attribute 'userName' must be a string, got 12345/);
    const found = await api.call('GET', `/Users?filter=${encodeURIComponent('userName eq "12345"')}`);
    expect(found.body.totalResults).toBe(0);
  });

  it('finding: "emails": "not-an-array" is 400 invalidValue, not [{"value":"not-an-array"}]', async () => {
    const res = await api.call('POST', '/Users', {
      body: { schemas: [USER], userName: 'emails@example.com', emails: 'not-an-array' },
    });
    expectError(res, 400, 'invalidValue', /'emails\[0\]' must be a complex value/);
    // The documented quirks stay: OneLogin's single email object, Entra's "False" and bare manager id.
    const quirks = await api.call('POST', '/Users', {
      body: {
        schemas: [USER],
        userName: 'quirks@example.com',
        emails: { value: 'quirks@example.com', type: 'work' },
        active: 'False',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: userId },
      },
    });
    expect(quirks.status, quirks.text).toBe(201);
    expect(quirks.body.emails).toEqual([{ value: 'quirks@example.com', type: 'work' }]);
    expect(quirks.body.active).toBe(false);
  });

  it('finding: GET /Me is 501 (RFC 7644 §3.11), not 404', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await api.call(method, '/Me', method === 'GET' || method === 'DELETE' ? {} : { body: {} });
      expectError(res, 501, undefined, /\/Me is not supported/);
    }
  });

  it('finding: DELETE /Users is 405 with Allow, not 404', async () => {
    const res = await api.call('DELETE', '/Users');
    expectError(res, 405, undefined, /DELETE is not supported on \/scim\/v2\/Users/);
    expect(res.headers.get('allow')).toBe('GET, POST');
    const put = await api.call('PUT', '/Groups', { body: {} });
    expect(put.status, put.text).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });
});

describe('issue 11 item 2: bounded work per request', () => {
  let groups: string[] = [];
  beforeAll(async () => {
    const other = await api.tokenFor('amplify');
    for (let i = 0; i < 100; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          api.call('POST', '/Groups', { token: other, body: { schemas: [GROUP], displayName: `g-${i + j}` } }),
        ),
      );
      groups = [...groups, ...batch.map((r) => r.body.id as string)];
    }
    expect(groups).toHaveLength(100);
    (api as LocalApi & { amplify?: string }).amplify = other;
  }, 120_000);

  const token = () => (api as LocalApi & { amplify?: string }).amplify!;

  it('finding: `displayName pr or members eq "0" or … "199"` on 100 groups is bounded (no read per term and group)', async () => {
    const terms = Array.from({ length: 200 }, (_, i) => `members eq "${i}"`).join(' or ');
    const res = await api.call('GET', `/Groups?filter=${encodeURIComponent(`displayName pr or ${terms}`)}`, {
      token: token(),
    });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.body.totalResults).toBe(100);
    // Values that are not ids cannot be members: one scan, no membership reads (was 5,001 requests, 26 s).
    expect(res.cost.requests).toBeLessThanOrEqual(3);
  });

  it('finding: the same filter with 80 id-shaped terms costs what one term does: the members say which groups hold them', async () => {
    // 80 terms: what fits in the 4,096-character filter limit with ULIDs. Before: one read per
    // group and term (8,000), then refused by the budget.
    const ids = Array.from({ length: 80 }, (_, i) => `01J0000000000000000000${String(i).padStart(4, '0')}`);
    const user = await api.call('POST', '/Users', {
      token: token(),
      body: { schemas: [USER], userName: 'held@example.com' },
    });
    expect(user.status, user.text).toBe(201);
    const [first, second] = groups;
    for (const g of [first, second]) {
      const add = await api.call('PATCH', `/Groups/${g}`, {
        token: token(),
        body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }] },
      });
      expect(add.status, add.text).toBe(204);
    }
    const terms = [...ids, user.body.id].map((id) => `members eq "${id}"`).join(' or ');
    // The 81 ids are looked up as users and as groups (one BatchGetItem each); then the groups:
    // scanned (one page) when `displayName pr` needs them all, else fetched by key.
    const BATCH = 'BatchGetItemCommand';
    for (const [filter, total, operations] of [
      [`displayName pr or ${terms}`, 100, ['QueryCommand', BATCH, BATCH]],
      [terms, 2, [BATCH, BATCH, BATCH]],
    ] as const) {
      const res = await api.call('GET', `/Groups?filter=${encodeURIComponent(filter)}&excludedAttributes=members`, {
        token: token(),
      });
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      expect(res.body.totalResults).toBe(total);
      expect(work(res)).toEqual(operations);
      const search = await api.call('POST', '/Groups/.search', {
        token: token(),
        body: { filter, excludedAttributes: ['members'] },
      });
      expect(search.body.totalResults, search.text.slice(0, 300)).toBe(total);
    }
    const matched = await api.call('GET', `/Groups?filter=${encodeURIComponent(terms)}&attributes=id`, {
      token: token(),
    });
    expect(matched.body.Resources.map((r: { id: string }) => r.id).sort()).toEqual([first, second].sort());
  });

  it('a member filter other than `members eq <id>` reads each group member list, within the budget', async () => {
    const res = await api.call('GET', `/Groups?filter=${encodeURIComponent('members.type eq "Group"')}`, {
      token: token(),
    });
    // 100 groups' member lists fit the 1,000-request budget: answered, none has a group member.
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.body.totalResults).toBe(0);
  });

  it('the budget stops the next DynamoDB call past its limit with 400 tooMany', async () => {
    const read = () =>
      api.ctx.db.doc.send(new GetCommand({ TableName: api.ctx.db.tableName, Key: keys.tenant('default') }));
    const error = await withBudget(
      'this test',
      async () => {
        for (let i = 0; i < 5; i += 1) await read();
      },
      { requests: 3, readUnits: 100 },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, scimType: 'tooMany' });
    expect((error as Error).message).toMatch(/this test needs more than 3 requests of DynamoDB work/);
  });
});
