// authentik's SCIM provider, replayed over HTTP against the local runner. Sequences and bodies come
// from ../shared/reference/idp-quirks-wave2.md §1 (read in goauthentik/authentik's clients/*.py
// and tests/test_{user,group,membership}.py) and its §7 fixtures; each case is named after the row
// of the §8 quirk table it protects. authentik reads the ServiceProviderConfig first and picks its
// behaviour from it, so the first block checks that document the way its pydantic parser does.
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../../support/local-api.ts';
import {
  ENTERPRISE,
  ERROR,
  GROUP,
  USER,
  expectListResponse,
  expectStatus,
  idpClient,
  inBatches,
  memberIds,
  resourceIds,
  show,
  unique,
  type Exchange,
  type IdpClient,
} from './idp-client.ts';

/** What authentik puts on every request, GET and DELETE included (clients/base.py, lib/utils/http.py). */
const AUTHENTIK_HEADERS = {
  'User-Agent': 'authentik@2025.10.1',
  Accept: 'application/scim+json',
  'Content-Type': 'application/scim+json',
};

let api: LocalApi;
let authentik: IdpClient;
beforeAll(async () => {
  api = await startLocalApi();
  authentik = idpClient(api, AUTHENTIK_HEADERS);
});
afterAll(async () => {
  await api?.close();
});

/** The body of the default user mapping (§1.5a, test_user.py): externalId is the user's uid hash. */
function authentikUser(userName = unique('jdoe'), extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    schemas: [USER],
    userName,
    name: { formatted: 'Jane Doe', givenName: 'Jane', familyName: 'Doe' },
    displayName: 'Jane Doe',
    active: true,
    emails: [{ value: `${userName}@example.com`, type: 'other', primary: true }],
    externalId: randomBytes(32).toString('hex'),
    ...extra,
  };
}

type Resource = Record<string, any> & { id: string };

async function create(body: Record<string, unknown> = authentikUser()): Promise<Resource> {
  const res = await authentik.post('/Users', body);
  expectStatus(res, 201);
  return res.body;
}

async function createGroup(displayName = unique('Engineering')): Promise<Resource> {
  const res = await authentik.post('/Groups', { schemas: [GROUP], displayName, externalId: crypto.randomUUID() });
  expectStatus(res, 201);
  return res.body;
}

async function membersOf(groupId: string): Promise<string[]> {
  const res = await authentik.get(`/Groups/${groupId}`);
  expectStatus(res, 200);
  return memberIds(res.body);
}

/** `?filter=` as authentik builds it: Python's urlencode, so spaces become `+` (users.py). */
const pyFilter = (expression: string) => new URLSearchParams({ filter: expression }).toString();

/**
 * What authentik's pydantic model (pydantic-scim ServiceProviderConfiguration, with authentik's
 * `bulk.maxOperations: int` added in clients/schema.py) rejects in a ServiceProviderConfig. Any
 * problem makes authentik fall back to "patch, bulk, filter, sort all unsupported" silently.
 */
function pydanticSpcProblems(spc: Record<string, any>): string[] {
  const problems: string[] = [];
  const isUrl = (v: unknown) => typeof v === 'string' && /^https?:\/\/[^\s/]+/.test(v);
  for (const key of ['patch', 'bulk', 'filter', 'changePassword', 'sort']) {
    if (typeof spc[key]?.supported !== 'boolean') problems.push(`${key}.supported must be a boolean`);
  }
  if (!Number.isInteger(spc.bulk?.maxOperations)) problems.push('bulk.maxOperations must be an integer');
  if (spc.filter?.maxResults !== undefined && !Number.isInteger(spc.filter.maxResults)) {
    problems.push('filter.maxResults must be an integer');
  }
  if (spc.documentationUri !== undefined && !isUrl(spc.documentationUri)) problems.push('documentationUri: not a URL');
  if (!Array.isArray(spc.authenticationSchemes)) problems.push('authenticationSchemes must be a list');
  for (const [i, scheme] of (spc.authenticationSchemes ?? []).entries()) {
    for (const key of ['name', 'description']) {
      if (typeof scheme?.[key] !== 'string') problems.push(`authenticationSchemes[${i}].${key} must be a string`);
    }
    for (const key of ['specUri', 'documentationUri']) {
      if (scheme?.[key] !== undefined && !isUrl(scheme[key])) problems.push(`authenticationSchemes[${i}].${key}`);
    }
  }
  return problems;
}

/** authentik's MERGE_LIST_UNIQUE (deepmerge): objects merge, lists append unseen items, the rest overrides. */
function mergeListUnique(base: unknown, next: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(next)) {
    return [...base, ...next.filter((item) => !base.some((seen) => isDeepStrictEqual(seen, item)))];
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(base) && isObject(next)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(next)) out[key] = key in out ? mergeListUnique(out[key], value) : value;
    return out;
  }
  return next;
}

/**
 * users.py `diff()`: the stored "last known" attributes are our last POST/PUT response body. The
 * next full sync PUTs the user again unless merging the new payload into them changes nothing.
 */
function authentikWouldPutAgain(lastResponse: Record<string, unknown>, payload: Record<string, unknown>): boolean {
  const merged = mergeListUnique(mergeListUnique({}, lastResponse), payload);
  return JSON.stringify(merged) !== JSON.stringify(lastResponse);
}

/** users.py `discover()`: GET /Users, then `?startIndex=seen+1` with no count, until seen reaches totalResults. */
async function discover(client: IdpClient, resource: 'Users' | 'Groups') {
  const pages: Exchange[] = [];
  const ids: string[] = [];
  let res = await client.get(`/${resource}`);
  for (;;) {
    expectListResponse(res);
    pages.push(res);
    ids.push(...resourceIds(res));
    if (ids.length >= Number(res.body.totalResults)) break;
    // authentik loops forever on an empty page before totalResults; a test must not.
    expect(
      res.body.Resources.length,
      `empty page before totalResults: authentik would loop${show(res)}`,
    ).toBeGreaterThan(0);
    res = await client.get(`/${resource}?startIndex=${ids.length + 1}`);
  }
  return { pages, ids };
}

describe('authentik: ServiceProviderConfig (read first, parsed strictly)', () => {
  it('authentik-spc-strict-parse: the ServiceProviderConfig passes the pydantic model authentik parses it with, and declares PATCH and filter', async () => {
    const res = await authentik.get('/ServiceProviderConfig');
    expectStatus(res, 200);
    expect(pydanticSpcProblems(res.body), show(res)).toEqual([]);
    // Without these two, authentik sends members inline and gives up 409 adoption.
    expect(res.body.patch.supported, show(res)).toBe(true);
    expect(res.body.filter.supported, show(res)).toBe(true);
  });

  it('authentik-bulk-maxOperations-as-patch-chunk: bulk.maxOperations is the per-PATCH operation limit authentik chunks by (0 = everything in one PATCH), and a PATCH of that many one-member adds is accepted', async () => {
    const spc = await authentik.get('/ServiceProviderConfig');
    expectStatus(spc, 200);
    const maxOperations = Number(spc.body.bulk.maxOperations);
    // With 0 (or less) authentik puts a whole group's membership into one PATCH; a group of 1,001
    // members then arrives as 1,001 operations. The five users repeat to keep the test cheap: what
    // is under test is the operation count the server accepts, not the number of distinct members.
    const operations = maxOperations > 0 ? maxOperations : 1001;
    const users = await Promise.all(Array.from({ length: 5 }, () => create()));
    const g = await createGroup();
    const res = await authentik.patch(
      `/Groups/${g.id}`,
      Array.from({ length: operations }, (_, i) => ({
        op: 'add',
        path: 'members',
        value: [{ value: users[i % users.length]!.id }],
      })),
    );
    expect(
      [200, 204],
      `bulk.maxOperations=${maxOperations} advertised, so authentik sends ${operations} one-member adds in one PATCH\n<<< ${res.status} ${res.text}`,
    ).toContain(res.status);
    expect(await membersOf(g.id)).toEqual(users.map((u) => u.id).sort());
  });

  it('authentik-spc-not-called-first: in GitLab/vCenter mode (no SPC call) the first request of a new connection is a POST, and it works', async () => {
    const fresh = idpClient(api, AUTHENTIK_HEADERS, await api.tokenFor('authentik-vcenter'));
    const user = await fresh.post('/Users', authentikUser());
    expectStatus(user, 201);
    const g = await fresh.post('/Groups', {
      schemas: [GROUP],
      displayName: unique('vCenter'),
      members: [{ value: user.body.id }],
    });
    expectStatus(g, 201);
    expect(memberIds(g.body), show(g)).toEqual([user.body.id]);
  });

  it('authentik-sfdc-fallback-no-patch: /ServiceProviderConfigs (Salesforce mode) is not served, so authentik runs "nothing supported": members inline in POST, full PUT with id and members, GET, then PATCH for stray members anyway', async () => {
    const plural = await authentik.get('/ServiceProviderConfigs');
    expectStatus(plural, 404);
    expect(plural.body, show(plural)).toMatchObject({ schemas: [ERROR], status: '404' });
    const [a, b, c] = await Promise.all([create(), create(), create()]);
    const displayName = unique('Fallback');
    const externalId = crypto.randomUUID();
    const created = await authentik.post('/Groups', {
      schemas: [GROUP],
      externalId,
      displayName,
      members: [{ value: a.id }, { value: b.id }],
    });
    expectStatus(created, 201);
    const g = created.body as Resource;
    expect(memberIds(created.body), show(created)).toEqual([a.id, b.id].sort());
    // Membership signal: the full group, own id included, with the new member list.
    const put = await authentik.put(`/Groups/${g.id}`, {
      schemas: [GROUP],
      id: g.id,
      externalId,
      displayName,
      members: [{ value: b.id }, { value: c.id }],
    });
    expectStatus(put, 200, 204);
    const read = await authentik.get(`/Groups/${g.id}`);
    expectStatus(read, 200);
    expect(memberIds(read.body), show(read)).toEqual([b.id, c.id].sort());
    // A member that only the remote group has (added by someone else) is PATCHed away although
    // the SPC was never read: patch_compare_users sends it regardless.
    expectStatus(
      await authentik.patch(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: a.id }] }]),
      200,
      204,
    );
    const stray = await authentik.patch(`/Groups/${g.id}`, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]);
    expectStatus(stray, 200, 204);
    expect(await membersOf(g.id)).toEqual([b.id, c.id].sort());
  });
});

describe('authentik: users (POST, full PUT, 409 adoption, DELETE)', () => {
  it('authentik-post-returns-id: POST /Users and POST /Groups answer 201 with the full resource and a non-empty string id', async () => {
    const body = authentikUser();
    const res = await authentik.post('/Users', body);
    expectStatus(res, 201);
    expect(typeof res.body.id === 'string' && res.body.id.length > 0, show(res)).toBe(true);
    const { schemas: _s, ...sent } = body;
    expect(res.body, show(res)).toMatchObject(sent);
    const g = await authentik.post('/Groups', {
      schemas: [GROUP],
      displayName: unique('Engineering'),
      externalId: crypto.randomUUID(),
    });
    expectStatus(g, 201);
    expect(typeof g.body.id === 'string' && g.body.id.length > 0, show(g)).toBe(true);
  });

  it('authentik-response-stored-no-re-put: the POST and PUT responses, stored as "last known", hold every attribute sent (name.formatted, emails[].type, the enterprise block), so the hourly full sync sends no PUT', async () => {
    const body = authentikUser(unique('jdoe'), {
      locale: 'de-DE',
      [ENTERPRISE]: { employeeNumber: '1042', department: 'R&D' },
      schemas: [USER, ENTERPRISE],
    });
    const created = await create(body);
    const payload = { ...body, id: created.id };
    expect(authentikWouldPutAgain(created, payload), `POST answer ${JSON.stringify(created)}`).toBe(false);
    const changed = { ...payload, displayName: 'Jane Q. Doe', name: { ...body.name, formatted: 'Jane Q. Doe' } };
    const put = await authentik.put(`/Users/${created.id}`, changed);
    expectStatus(put, 200);
    expect(authentikWouldPutAgain(put.body, changed), show(put)).toBe(false);
  });

  it('authentik-user-without-name: the default mapping for a bare username (name.formatted "<name> ", familyName " ", displayName "") is created and read back exactly as sent', async () => {
    const userName = unique('svc');
    const body = authentikUser(userName, {
      name: { formatted: `${userName} `, givenName: userName, familyName: ' ' },
      displayName: '',
    });
    const created = await create(body);
    expect(created, JSON.stringify(created)).toMatchObject({ userName, name: body.name, displayName: '' });
    const read = await authentik.get(`/Users/${created.id}`);
    expect(read.body, show(read)).toMatchObject({ name: body.name, displayName: '' });
    expect(authentikWouldPutAgain(created, { ...body, id: created.id }), `POST answer ${JSON.stringify(created)}`).toBe(
      false,
    );
  });

  it("authentik-empty-emails-no-re-put: a user without an email is sent with emails: []; the POST and PUT answers must leave authentik's diff nothing to change, or it PUTs that user again on every hourly sync", async () => {
    const body = authentikUser(unique('svc'), { emails: [] });
    const created = await create(body);
    expect(created.emails ?? [], JSON.stringify(created)).toEqual([]);
    const payload = { ...body, id: created.id };
    expect(authentikWouldPutAgain(created, payload), `POST answer ${JSON.stringify(created)}`).toBe(false);
    const put = await authentik.put(`/Users/${created.id}`, payload);
    expectStatus(put, 200);
    expect(authentikWouldPutAgain(put.body, payload), show(put)).toBe(false);
  });

  it('authentik-put-full-with-id: updates are a full PUT carrying the id; it replaces (an attribute left out is removed) and answers 200 with the full user', async () => {
    const body = authentikUser(unique('jdoe'), { locale: 'de-DE' });
    const user = await create(body);
    const { locale: _dropped, ...rest } = body;
    const res = await authentik.put(`/Users/${user.id}`, {
      ...rest,
      id: user.id,
      name: { formatted: 'Jane Smith', givenName: 'Jane', familyName: 'Smith' },
      displayName: 'Jane Smith',
    });
    expectStatus(res, 200);
    expect(res.body, show(res)).toMatchObject({
      id: user.id,
      userName: body.userName,
      name: { formatted: 'Jane Smith', givenName: 'Jane', familyName: 'Smith' },
      displayName: 'Jane Smith',
      emails: body.emails,
      externalId: body.externalId,
    });
    expect(res.body, show(res)).not.toHaveProperty('locale');
  });

  it('authentik-deactivate-put: deactivation and reactivation are the same full PUT with active false / true; the user stays readable', async () => {
    const body = authentikUser();
    const user = await create(body);
    const off = await authentik.put(`/Users/${user.id}`, { ...body, id: user.id, active: false });
    expectStatus(off, 200);
    expect(off.body.active, show(off)).toBe(false);
    const read = await authentik.get(`/Users/${user.id}`);
    expect(read.body.active, show(read)).toBe(false);
    const on = await authentik.put(`/Users/${user.id}`, { ...body, id: user.id, active: true });
    expectStatus(on, 200);
    expect(on.body.active, show(on)).toBe(true);
  });

  it('authentik-409-adopt-quoted: a POST of an existing userName is 409 uniqueness, and `userName eq "x"` (urlencoded with +) finds the user to adopt in Resources[0]', async () => {
    const body = authentikUser(`${unique('jane.doe')}@example.com`);
    const user = await create(body);
    const again = await authentik.post('/Users', { ...body, externalId: randomBytes(32).toString('hex') });
    expectStatus(again, 409);
    expect(again.body, show(again)).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    const found = await authentik.get(`/Users?${pyFilter(`userName eq "${body.userName}"`)}`);
    expectListResponse(found, { totalResults: 1 });
    expect(found.request.path, 'authentik encodes spaces as +').toContain('filter=userName+eq+%22');
    expect(found.body.Resources[0], show(found)).toMatchObject({ id: user.id, userName: body.userName });
  });

  it('authentik-409-adopt-unquoted-legacy: older releases adopt with an unquoted `userName eq x`; it finds the same user, case-insensitively', async () => {
    const body = authentikUser(`${unique('jane.doe')}@example.com`);
    const user = await create(body);
    expectStatus(await authentik.post('/Users', body), 409);
    for (const value of [body.userName, body.userName.toUpperCase()]) {
      const found = await authentik.get(`/Users?${pyFilter(`userName eq ${value}`)}`);
      expectListResponse(found, { totalResults: 1 });
      expect(resourceIds(found), show(found)).toEqual([user.id]);
    }
  });

  it('authentik-delete-404-userName-free: DELETE answers 204 and a repeat 404 (authentik counts it done); a PUT to the deleted id is 404, and the POST that follows reuses the userName', async () => {
    const body = authentikUser();
    const user = await create(body);
    expectStatus(await authentik.delete(`/Users/${user.id}`), 204);
    const again = await authentik.delete(`/Users/${user.id}`);
    expectStatus(again, 404);
    expect(again.body, show(again)).toMatchObject({ schemas: [ERROR], status: '404' });
    // write(): 404 on update drops the mapping and re-creates with POST.
    const update = await authentik.put(`/Users/${user.id}`, { ...body, id: user.id });
    expectStatus(update, 404);
    const recreated = await authentik.post('/Users', body);
    expectStatus(recreated, 201);
    expect(recreated.body.id, show(recreated)).not.toBe(user.id);
    const found = await authentik.get(`/Users?${pyFilter(`userName eq "${body.userName}"`)}`);
    expectListResponse(found, { totalResults: 1 });
    expect(resourceIds(found), show(found)).toEqual([recreated.body.id]);
  });

  it('authentik-validation-400-detail: a request that is really invalid gets 400 with a SCIM Error detail authentik logs, never a 5xx', async () => {
    const user = await create();
    const { userName: _missing, ...noUserName } = authentikUser();
    for (const res of [
      await authentik.post('/Users', noUserName),
      await authentik.put(`/Users/${user.id}`, { ...noUserName, id: user.id }),
      await authentik.post('/Users', { ...authentikUser(), active: 'maybe' }),
    ]) {
      expectStatus(res, 400);
      expect(res.body, show(res)).toMatchObject({ schemas: [ERROR], status: '400', detail: expect.any(String) });
    }
  });

  it('authentik-empty-array-clears: `emails: []` in a later PUT (the user lost their address) clears the emails', async () => {
    const body = authentikUser();
    const user = await create(body);
    const res = await authentik.put(`/Users/${user.id}`, { ...body, id: user.id, emails: [] });
    expectStatus(res, 200);
    expect(res.body.emails ?? [], show(res)).toEqual([]);
    const read = await authentik.get(`/Users/${user.id}`);
    expect(read.body.emails ?? [], show(read)).toEqual([]);
  });
});

describe('authentik: groups and membership', () => {
  it('authentik-one-add-per-member: POST the group, then one PATCH with one add operation per member', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => create()));
    const g = await createGroup();
    const res = await authentik.patch(
      `/Groups/${g.id}`,
      users.map((u) => ({ op: 'add', path: 'members', value: [{ value: u.id }] })),
    );
    expectStatus(res, 200, 204);
    expect(await membersOf(g.id)).toEqual(users.map((u) => u.id).sort());
  });

  it('authentik-remove-member-filter-path: current main removes with path members[value eq "u"] and no value; only that member goes', async () => {
    const [a, b, c] = await Promise.all([create(), create(), create()]);
    const g = await createGroup();
    await authentik.patch(
      `/Groups/${g.id}`,
      [a, b, c].map((u) => ({ op: 'add', path: 'members', value: [{ value: u.id }] })),
    );
    const res = await authentik.patch(`/Groups/${g.id}`, [{ op: 'remove', path: `members[value eq "${b.id}"]` }]);
    expectStatus(res, 200, 204);
    expect(await membersOf(g.id)).toEqual([a.id, c.id].sort());
  });

  it('authentik-remove-member-value-array-legacy: older releases remove with path members and a value array; only the listed members go', async () => {
    const [a, b, c] = await Promise.all([create(), create(), create()]);
    const g = await createGroup();
    await authentik.patch(
      `/Groups/${g.id}`,
      [a, b, c].map((u) => ({ op: 'add', path: 'members', value: [{ value: u.id }] })),
    );
    const res = await authentik.patch(`/Groups/${g.id}`, [
      { op: 'remove', path: 'members', value: [{ value: a.id }] },
      { op: 'remove', path: 'members', value: [{ value: c.id }] },
    ]);
    expectStatus(res, 200, 204);
    expect(await membersOf(g.id)).toEqual([b.id]);
  });

  it('authentik-pathless-group-replace-with-id-schemas: a rename is one pathless replace whose value carries schemas, the own id and externalId; members stay', async () => {
    const a = await create();
    const g = await createGroup();
    await authentik.patch(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: a.id }] }]);
    const renamed = `${g.displayName} (renamed)`;
    const res = await authentik.patch(`/Groups/${g.id}`, [
      { op: 'replace', value: { schemas: [GROUP], id: g.id, externalId: g.externalId, displayName: renamed } },
    ]);
    expectStatus(res, 200, 204);
    const read = await authentik.get(`/Groups/${g.id}`);
    expect(read.body, show(read)).toMatchObject({ id: g.id, displayName: renamed, externalId: g.externalId });
    expect(memberIds(read.body), show(read)).toEqual([a.id]);
  });

  it('authentik-put-group-members-empty: without PATCH, removing the last member PUTs the group with members: [], which empties it', async () => {
    const [a, b] = await Promise.all([create(), create()]);
    const g = await createGroup();
    await authentik.patch(
      `/Groups/${g.id}`,
      [a, b].map((u) => ({ op: 'add', path: 'members', value: [{ value: u.id }] })),
    );
    const res = await authentik.put(`/Groups/${g.id}`, {
      schemas: [GROUP],
      id: g.id,
      externalId: g.externalId,
      displayName: g.displayName,
      members: [],
    });
    expectStatus(res, 200, 204);
    expect(await membersOf(g.id)).toEqual([]);
  });

  it('authentik-get-group-has-members: GET /Groups/{id} (read after every group update) carries displayName and members by default, in a shape its pydantic Group model parses', async () => {
    const [a, b] = await Promise.all([create(), create()]);
    const g = await createGroup();
    await authentik.patch(
      `/Groups/${g.id}`,
      [a, b].map((u) => ({ op: 'add', path: 'members', value: [{ value: u.id }] })),
    );
    const res = await authentik.get(`/Groups/${g.id}`);
    expectStatus(res, 200);
    expect(res.body.displayName, show(res)).toBe(g.displayName);
    expect(memberIds(res.body), show(res)).toEqual([a.id, b.id].sort());
    for (const m of res.body.members) {
      expect(typeof m.value, show(res)).toBe('string');
      // pydantic-scim's GroupMemberKind enum: "User" or "Group", exactly.
      if (m.type !== undefined) expect(['User', 'Group'], show(res)).toContain(m.type);
    }
  });

  it('authentik-webex-member-type-user: Webex mode adds members as {value, type: "user"}; the add is accepted and reads back as a User member', async () => {
    const a = await create();
    const g = await createGroup();
    const res = await authentik.patch(`/Groups/${g.id}`, [
      { op: 'add', path: 'members', value: [{ value: a.id, type: 'user' }] },
    ]);
    expectStatus(res, 200, 204);
    const read = await authentik.get(`/Groups/${g.id}`);
    expect(memberIds(read.body), show(read)).toEqual([a.id]);
    const type = read.body.members[0].type;
    if (type !== undefined) expect(type, show(read)).toBe('User');
  });

  it('authentik-group-adopt-displayName: a group found again by `displayName eq "<name>"` is exactly that group', async () => {
    const g = await createGroup();
    await createGroup(`${g.displayName} 2`);
    const res = await authentik.get(`/Groups?${pyFilter(`displayName eq "${g.displayName}"`)}`);
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([g.id]);
  });
});

describe('authentik: discovery (startIndex only, until totalResults)', () => {
  const USERS = 205;
  const DELETED = 3;
  let client: IdpClient;
  let live: string[];

  beforeAll(async () => {
    client = idpClient(api, AUTHENTIK_HEADERS, await api.tokenFor('authentik-discover'));
    const ids = await inBatches(
      Array.from({ length: USERS }, (_, i) => i),
      8,
      async (i) => {
        const res = await client.post('/Users', authentikUser(`discover-${i}`));
        expectStatus(res, 201);
        return res.body.id as string;
      },
    );
    // Deleted users must leave the count as well as the pages, or the walk never ends.
    const gone = [ids[0]!, ids[100]!, ids[204]!];
    for (const id of gone) expectStatus(await client.delete(`/Users/${id}`), 204);
    live = ids.filter((id) => !gone.includes(id));
  }, 120_000);

  it('authentik-discover-startIndex-only: GET /Users then ?startIndex=seen+1 with no count reaches exactly totalResults, each user once', async () => {
    const { pages, ids } = await discover(client, 'Users');
    expect(pages.map((p) => p.body.totalResults)).toEqual(pages.map(() => USERS - DELETED));
    expect(ids.length).toBe(USERS - DELETED);
    expect([...ids].sort()).toEqual([...live].sort());
    for (const p of pages)
      expect(p.body.startIndex, show(p)).toBe(
        Number(new URL(`http://x${p.request.path}`).searchParams.get('startIndex') ?? 1),
      );
  });

  it('authentik-discover-groups: the same walk over /Groups returns every group with displayName and members', async () => {
    const groups: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await client.post('/Groups', {
        schemas: [GROUP],
        displayName: `discover group ${i}`,
        members: [{ value: live[i]! }],
      });
      expectStatus(res, 201);
      groups.push(res.body.id);
    }
    const { pages, ids } = await discover(client, 'Groups');
    expect(ids).toEqual(groups);
    for (const g of pages[0]!.body.Resources) {
      expect(g.displayName, show(pages[0]!)).toEqual(expect.any(String));
      expect(memberIds(g).length, show(pages[0]!)).toBe(1);
    }
  });
});
