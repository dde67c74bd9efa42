// SailPoint's SCIM 2.0 connector (Identity Security Cloud / IdentityNow, IdentityIQ), replayed over
// HTTP against the local runner. SailPoint is a governance client: it discovers the schema, then
// aggregates (reads) everything, and writes only changes. Sequences come from
// ../shared/reference/idp-quirks-wave2.md §3 (SailPoint's connector documentation and developer
// forum) and its §7 fixture; each case is named after the row of the §8 quirk table it protects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_RESPONSES } from '#infra/gateway-responses.ts';
import { TooManyRequestsError } from '#scim/errors.ts';
import { startLocalApi, type LocalApi } from '../../support/local-api.ts';
import {
  ENTERPRISE,
  ERROR,
  GROUP,
  LIST_RESPONSE,
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

/** Accept and Content-Type default to application/scim+json in the connection settings. */
const SAILPOINT_HEADERS = { Accept: 'application/scim+json', 'Content-Type': 'application/scim+json' };

let api: LocalApi;
let sailpoint: IdpClient;
beforeAll(async () => {
  api = await startLocalApi();
  sailpoint = idpClient(api, SAILPOINT_HEADERS);
});
afterAll(async () => {
  await api?.close();
});

/** A Create Profile is the customer's own; this one maps the usual identity attributes. */
function sailpointAccount(userName = unique('Account'), extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER, ENTERPRISE],
    userName,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    displayName: 'Ada Lovelace',
    emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
    active: true,
    [ENTERPRISE]: { employeeNumber: '1815', department: 'Engineering' },
    ...extra,
  };
}

async function create(client: IdpClient, body: Record<string, unknown>) {
  const res = await client.post('/Users', body);
  expectStatus(res, 201);
  return res.body as Record<string, any> & { id: string; userName: string };
}

describe('SailPoint: schema discovery', () => {
  it('sailpoint-discovery-endpoints: /ServiceProviderConfig, /ResourceTypes, /ResourceTypes/User, /ResourceTypes/Group, /Schemas and each /Schemas/<urn> answer on their own', async () => {
    expectStatus(await sailpoint.get('/ServiceProviderConfig'), 200);
    const types = await sailpoint.get('/ResourceTypes');
    expectStatus(types, 200);
    for (const name of ['User', 'Group']) {
      const res = await sailpoint.get(`/ResourceTypes/${name}`);
      expectStatus(res, 200);
      expect(res.body, show(res)).toMatchObject({ id: name, name, endpoint: `/${name}s` });
    }
    const schemas = await sailpoint.get('/Schemas');
    expectStatus(schemas, 200);
    expect(schemas.body.schemas, show(schemas)).toContain(LIST_RESPONSE);
    const urns: string[] = schemas.body.Resources.map((s: { id: string }) => s.id);
    // Every schema a resource type names can be fetched by its URN.
    for (const t of types.body.Resources) {
      for (const urn of [t.schema, ...t.schemaExtensions.map((e: { schema: string }) => e.schema)]) {
        expect(urns, show(schemas)).toContain(urn);
        const one = await sailpoint.get(`/Schemas/${urn}`);
        expectStatus(one, 200);
        expect(one.body.id, show(one)).toBe(urn);
      }
    }
  });
});

describe('SailPoint: aggregation (reads)', () => {
  let reader: IdpClient;
  let ids: string[];
  const names = ['Admin-ada', 'admin-bob', 'ADMIN-cy', 'user-dee', 'user-eve'];

  beforeAll(async () => {
    reader = idpClient(api, SAILPOINT_HEADERS, await api.tokenFor('sailpoint-aggregation'));
    ids = [];
    for (const userName of names) ids.push((await create(reader, sailpointAccount(userName))).id);
    for (const displayName of ['SecGroup-admins', 'secgroup-ops', 'Other']) {
      expectStatus(await reader.post('/Groups', { schemas: [GROUP], displayName, members: [{ value: ids[0] }] }), 201);
    }
  });

  it('sailpoint-filter-case-insensitive-sw: admin filters with any attribute casing (`username sw "Admin"`, `DisplayName sw "SecGroup"`) match case-insensitively', async () => {
    for (const expression of ['username sw "Admin"', 'USERNAME SW "admin"', 'userName sw "ADMIN"']) {
      const res = await reader.get(`/Users?${filter(expression)}&startIndex=1&count=100`);
      expectListResponse(res, { totalResults: 3 });
      expect(resourceIds(res), show(res)).toEqual(ids.slice(0, 3));
    }
    const groups = await reader.get(`/Groups?${filter('DisplayName sw "SecGroup"')}`);
    expectListResponse(groups, { totalResults: 2 });
    expect(
      groups.body.Resources.map((g: { displayName: string }) => g.displayName),
      show(groups),
    ).toEqual(['SecGroup-admins', 'secgroup-ops']);
  });

  it('sailpoint-explicit-attributes: ?attributes= listing every schema attribute (any case, extension URNs, names this server lacks) returns those attributes, paged', async () => {
    const schemas = await reader.get('/Schemas');
    expectStatus(schemas, 200);
    const core = schemas.body.Resources.find((s: { id: string }) => s.id === USER);
    const enterprise = schemas.body.Resources.find((s: { id: string }) => s.id === ENTERPRISE);
    const requested = [
      ...core.attributes.map((a: { name: string }) => a.name),
      ...enterprise.attributes.map((a: { name: string }) => `${ENTERPRISE}:${a.name}`),
      'DisplayName',
      'sailpointOnlyAttribute',
    ];
    const pages: string[] = [];
    for (let startIndex = 1; startIndex <= names.length; startIndex += 2) {
      const res = await reader.get(
        `/Users?attributes=${encodeURIComponent(requested.join(','))}&startIndex=${startIndex}&count=2`,
      );
      expectListResponse(res, { totalResults: names.length });
      for (const user of res.body.Resources) {
        expect(user, show(res)).toMatchObject({
          id: expect.any(String),
          userName: expect.any(String),
          displayName: 'Ada Lovelace',
          emails: [expect.objectContaining({ type: 'work' })],
          active: true,
          [ENTERPRISE]: { employeeNumber: '1815', department: 'Engineering' },
        });
        expect(user, show(res)).not.toHaveProperty('sailpointOnlyAttribute');
      }
      pages.push(...resourceIds(res));
    }
    expect(pages).toEqual(ids);
    // A narrow request returns only what was asked for (and id).
    const narrow = await reader.get(`/Users?attributes=UserName,${ENTERPRISE}:employeeNumber&count=1`);
    expectListResponse(narrow, { totalResults: names.length });
    expect(Object.keys(narrow.body.Resources[0]).sort(), show(narrow)).toEqual(
      ['id', 'schemas', 'userName', ENTERPRISE].sort(),
    );
  });
});

describe('SailPoint: delta aggregation', () => {
  it('sailpoint-delta-lastModified-gt-and: `meta.lastModified gt "<ts>" and username sw "…"` (and ge) returns exactly the accounts changed since the last aggregation', async () => {
    const reader = idpClient(api, SAILPOINT_HEADERS, await api.tokenFor('sailpoint-delta'));
    const old = [await create(reader, sailpointAccount('delta-a')), await create(reader, sailpointAccount('delta-b'))];
    await create(reader, sailpointAccount('other-c'));
    api.clock.advance(60_000);
    const since = new Date(api.clock.now.getTime() - 1_000);
    api.clock.advance(60_000);
    const changed = await reader.patch(`/Users/${old[1]!.id}`, [{ op: 'replace', path: 'title', value: 'Countess' }]);
    expectStatus(changed, 200, 204);
    const added = await create(reader, sailpointAccount('delta-d'));
    await create(reader, sailpointAccount('other-e'));
    // The source's configured timestamp format: with or without milliseconds.
    for (const ts of [since.toISOString(), since.toISOString().replace(/\.\d{3}Z$/, 'Z')]) {
      for (const op of ['gt', 'ge']) {
        const res = await reader.get(`/Users?${filter(`meta.lastModified ${op} "${ts}" and username sw "delta-"`)}`);
        expectListResponse(res, { totalResults: 2 });
        expect(resourceIds(res), show(res)).toEqual([old[1]!.id, added.id]);
      }
    }
    const none = await reader.get(`/Users?${filter(`meta.lastModified gt "${api.clock.now.toISOString()}"`)}`);
    expectListResponse(none, { totalResults: 0 });
  });
});

describe('SailPoint: provisioning (writes)', () => {
  it('sailpoint-patch-pathless-add-active: enable and disable with usePatch are a pathless add of {active}, treated as replace', async () => {
    const user = await create(sailpoint, sailpointAccount());
    const off = await sailpoint.patch(`/Users/${user.id}`, [{ op: 'add', value: { active: false } }]);
    expectStatus(off, 200, 204);
    expect((await sailpoint.get(`/Users/${user.id}`)).body.active).toBe(false);
    const on = await sailpoint.patch(`/Users/${user.id}`, [{ op: 'add', value: { active: true } }]);
    expectStatus(on, 200, 204);
    expect((await sailpoint.get(`/Users/${user.id}`)).body.active).toBe(true);
  });

  it('sailpoint-put-update: without usePatch an account update is a PUT of the whole account', async () => {
    const body = sailpointAccount();
    const user = await create(sailpoint, body);
    const res = await sailpoint.put(`/Users/${user.id}`, {
      ...body,
      title: 'Analyst',
      [ENTERPRISE]: { employeeNumber: '1815', department: 'Research' },
    });
    expectStatus(res, 200);
    expect(res.body, show(res)).toMatchObject({ title: 'Analyst', [ENTERPRISE]: { department: 'Research' } });
  });

  it('sailpoint-update-groups-via-users-policy [forum; exact shape unverified]: with updateGroupsViaUsers, membership written to User.groups is refused by a PATCH with 400 mutability naming the attribute and ignored in a PUT; membership written to /Groups works', async () => {
    const body = sailpointAccount();
    const user = await create(sailpoint, body);
    const g = await sailpoint.post('/Groups', { schemas: [GROUP], displayName: unique('Entitlement') });
    expectStatus(g, 201);
    for (const op of ['add', 'replace']) {
      const res = await sailpoint.patch(`/Users/${user.id}`, [{ op, path: 'groups', value: [{ value: g.body.id }] }]);
      expectStatus(res, 400);
      expect(res.body, show(res)).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'mutability' });
      expect(res.body.detail, show(res)).toMatch(/groups/);
    }
    const put = await sailpoint.put(`/Users/${user.id}`, { ...body, groups: [{ value: g.body.id }] });
    expectStatus(put, 200);
    expect(put.body.groups ?? [], show(put)).toEqual([]);
    // The supported way: modify group membership on the Group.
    const add = await sailpoint.patch(`/Groups/${g.body.id}`, [
      { op: 'add', path: 'members', value: [{ value: user.id }] },
    ]);
    expectStatus(add, 200, 204);
    const read = await sailpoint.get(`/Groups/${g.body.id}`);
    expect(memberIds(read.body), show(read)).toEqual([user.id]);
    const groups = (await sailpoint.get(`/Users/${user.id}`)).body.groups;
    expect(groups.map((x: { value: string }) => x.value)).toEqual([g.body.id]);
  });

  it('sailpoint-group-membership-patch [unverified shape]: entitlement add and remove through PATCH /Groups (add members, remove members[value eq])', async () => {
    const [a, b] = [await create(sailpoint, sailpointAccount()), await create(sailpoint, sailpointAccount())];
    const g = await sailpoint.post('/Groups', { schemas: [GROUP], displayName: unique('Entitlement') });
    expectStatus(g, 201);
    expectStatus(
      await sailpoint.patch(`/Groups/${g.body.id}`, [
        { op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] },
      ]),
      200,
      204,
    );
    expectStatus(
      await sailpoint.patch(`/Groups/${g.body.id}`, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]),
      200,
      204,
    );
    expect(memberIds((await sailpoint.get(`/Groups/${g.body.id}`)).body)).toEqual([b.id]);
  });
});

describe('SailPoint: throttling', () => {
  it('sailpoint-rate-limit-headers: every 429 the stack answers (API Gateway THROTTLED / QUOTA_EXCEEDED, and TooManyRequestsError from the functions) carries x-rate-limit-retry-after-seconds and x-rate-limit-remaining: 0 beside Retry-After, the headers SailPoint paces on', () => {
    const lower = (headers: Record<string, string> = {}) =>
      Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const throttles = GATEWAY_RESPONSES.filter((r) => r.status === 429);
    expect(throttles.map((r) => r.type).sort()).toEqual(['QUOTA_EXCEEDED', 'THROTTLED']);
    const answers = [
      ...throttles.map((r) => ({ source: `gateway ${r.type}`, headers: lower(r.headers) })),
      { source: 'TooManyRequestsError', headers: lower(new TooManyRequestsError('slow down', 3).headers) },
    ];
    for (const { source, headers } of answers) {
      const context = `${source}: ${JSON.stringify(headers)}`;
      expect(headers['retry-after'], context).toMatch(/^\d+$/);
      expect(headers['x-rate-limit-retry-after-seconds'], context).toBe(headers['retry-after']);
      expect(headers['x-rate-limit-remaining'], context).toBe('0');
    }
  });
});
