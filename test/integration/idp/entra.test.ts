// Microsoft Entra ID's provisioning traffic, replayed over HTTP against the local runner, in both
// of its modes: the default (capitalised ops, "False" strings, remove-by-value) and the RFC mode
// switched on by `?aadOptscim062020` on the Tenant URL. Sequences and bodies come from
// ../shared/reference/idp-quirks.md §2 (MS-TUT, MS-COMPAT, customize-application-attributes);
// each case is named after the fixture id listed in its §10.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../../support/local-api.ts';
import {
  APP_EXTENSION,
  ENTERPRISE,
  GROUP,
  USER,
  expectListResponse,
  expectStatus,
  filter,
  idpClient,
  memberIds,
  nullPaths,
  resourceIds,
  show,
  type IdpClient,
} from './idp-client.ts';

const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const EMPLOYEE_NUMBER = `${ENTERPRISE}:employeeNumber`;

let api: LocalApi;
let entra: IdpClient;
beforeAll(async () => {
  api = await startLocalApi();
  entra = idpClient(api, { 'Content-Type': 'application/scim+json' });
});
afterAll(async () => {
  await api?.close();
});

/** The POST Entra sends with its default attribute mappings (MS-TUT "Create User"). */
function entraUser(extra: Record<string, unknown> = {}) {
  const guid = randomUUID();
  return {
    schemas: [USER, ENTERPRISE],
    externalId: guid,
    userName: `Test_User_${guid}@testuser.com`,
    active: true,
    emails: [{ primary: true, type: 'work', value: `Test_User_${guid}@testuser.com` }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
    ...extra,
  };
}

/** Create with the matching pre-checks Entra runs first (userName, then externalId). */
async function provision(body: Record<string, any> = entraUser()) {
  for (const expression of [`userName eq "${body.userName}"`, `externalId eq "${body.externalId}"`]) {
    expectListResponse(await entra.get(`/Users?${filter(expression)}`), { totalResults: 0 });
  }
  const res = await entra.post('/Users', body);
  expectStatus(res, 201);
  return res.body as Record<string, any> & { id: string; userName: string };
}

async function group(members: string[] = []) {
  const res = await entra.post('/Groups', {
    schemas: [GROUP],
    displayName: `Entra ${randomUUID()}`,
    members: members.map((value) => ({ value })),
  });
  expectStatus(res, 201);
  return res.body as { id: string; displayName: string };
}

async function read(id: string, resource: 'Users' | 'Groups' = 'Users') {
  const res = await entra.get(`/${resource}/${id}`);
  expectStatus(res, 200);
  return res;
}

describe('Entra: test connection', () => {
  it('entra-test-connection-random-guid: filter on a random GUID answers 200 with an empty ListResponse (Users and Groups)', async () => {
    const users = await entra.get(`/Users?${filter(`userName eq "${randomUUID()}"`)}`);
    expectListResponse(users, { totalResults: 0 });
    expect(users.body.Resources, show(users)).toEqual([]);
    expect(users.headers.get('content-type'), show(users)).toMatch(/^application\/scim\+json/);
    const groups = await entra.get(`/Groups?excludedAttributes=members&${filter(`displayName eq "${randomUUID()}"`)}`);
    expectListResponse(groups, { totalResults: 0 });
  });
});

describe('Entra: users', () => {
  it('entra-create-with-nulls-and-meta: POST with meta, roles: [], JSON nulls (top level, in the extension, inside addresses) and the mistyped schema URN answers 201 with no nulls', async () => {
    const body = entraUser({
      schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      addresses: [{ type: 'work', streetAddress: null, locality: 'Redmond', postalCode: null, country: null }],
      phoneNumbers: null,
      title: null,
      [ENTERPRISE]: { department: null, manager: null, employeeNumber: '42' },
    });
    const user = await provision(body);
    expect(nullPaths(user), JSON.stringify(user)).toEqual([]);
    expect(user.addresses, JSON.stringify(user)).toEqual([{ type: 'work', locality: 'Redmond' }]);
    expect(user[ENTERPRISE], JSON.stringify(user)).toEqual({ employeeNumber: '42' });
    expect(user, JSON.stringify(user)).not.toHaveProperty('phoneNumbers');
    expect(user, JSON.stringify(user)).not.toHaveProperty('title');
  });

  it('entra-ext-without-schemas-entry: extension objects whose URN is missing from schemas are stored (enterprise and the custom extension)', async () => {
    const user = await provision(
      entraUser({
        schemas: [USER],
        [ENTERPRISE]: { department: 'R&D', employeeNumber: '7' },
        [APP_EXTENSION]: { role: 'admin' },
      }),
    );
    const res = await read(user.id);
    expect(res.body[ENTERPRISE], show(res)).toMatchObject({ department: 'R&D', employeeNumber: '7' });
    expect(res.body[APP_EXTENSION], show(res)).toEqual({ role: 'admin' });
  });

  it('entra-roundtrip-no-repatch: every attribute comes back under the name and in the shape it was sent, so Entra finds no difference to re-PATCH', async () => {
    const body = entraUser({
      displayName: 'Test User',
      title: 'Engineer',
      preferredLanguage: 'en-US',
      userType: 'Employee',
      phoneNumbers: [
        { type: 'work', value: '+1 425 555 0100' },
        { type: 'mobile', value: '+1 425 555 0101' },
      ],
      addresses: [
        {
          type: 'work',
          formatted: '1 Microsoft Way\nRedmond, WA 98052',
          streetAddress: '1 Microsoft Way',
          locality: 'Redmond',
          region: 'WA',
          postalCode: '98052',
          country: 'US',
          primary: true,
        },
      ],
      [ENTERPRISE]: {
        employeeNumber: '1234567',
        department: 'R&D',
        costCenter: 'CC-1',
        organization: 'Contoso',
        division: 'Cloud',
      },
      [APP_EXTENSION]: { role: 'Editor' },
    });
    const user = await provision(body);
    const got = (await read(user.id)).body;
    const { schemas: _s, meta: _m, roles: _r, ...sent } = body;
    for (const [key, value] of Object.entries(sent)) {
      expect(
        got[key],
        `attribute ${key} must round-trip exactly\nsent: ${JSON.stringify(value)}\ngot:  ${JSON.stringify(got[key])}`,
      ).toEqual(value);
    }
    // A later filtered-email update keeps the element's shape (primary, type, value) intact.
    const newEmail = `updated-${randomUUID()}@testuser.com`;
    expectStatus(
      await entra.patch(`/Users/${user.id}`, [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: newEmail },
      ]),
      200,
    );
    const after = await read(user.id);
    expect(after.body.emails, show(after)).toEqual([{ primary: true, type: 'work', value: newEmail }]);
  });

  it('entra-replace-capitalised: default-mode update sends one "Replace" per path (filtered email, name parts, externalId, URN-prefixed extension attribute)', async () => {
    const user = await provision();
    const email = `updatedEmail-${randomUUID()}@microsoft.com`;
    const externalId = randomUUID();
    const res = await entra.patch(`/Users/${user.id}`, [
      { op: 'Replace', path: 'displayName', value: 'Updated Display' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: email },
      { op: 'Replace', path: 'name.givenName', value: 'updatedGivenName' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      { op: 'Replace', path: 'externalId', value: externalId },
      { op: 'Replace', path: EMPLOYEE_NUMBER, value: '99' },
    ]);
    expectStatus(res, 200);
    expect(res.body, show(res)).toMatchObject({
      displayName: 'Updated Display',
      emails: [{ primary: true, type: 'work', value: email }],
      name: { givenName: 'updatedGivenName', familyName: 'updatedFamilyName', formatted: 'givenName familyName' },
      externalId,
      [ENTERPRISE]: { employeeNumber: '99' },
    });
  });

  it('entra-upn-rename: Replace userName renames the user and moves the uniqueness claim', async () => {
    const user = await provision();
    const renamed = `${randomUUID()}@testuser.com`;
    const res = await entra.patch(`/Users/${user.id}`, [{ op: 'Replace', path: 'userName', value: renamed }]);
    expectStatus(res, 200);
    expect(res.body.userName, show(res)).toBe(renamed);
    expectListResponse(await entra.get(`/Users?${filter(`userName eq "${renamed}"`)}`), { totalResults: 1 });
    expectListResponse(await entra.get(`/Users?${filter(`userName eq "${user.userName}"`)}`), { totalResults: 0 });
  });

  it('entra-add-single-valued: "Add" on a single-valued attribute (nickName) replaces it', async () => {
    const user = await provision();
    expectStatus(await entra.patch(`/Users/${user.id}`, [{ op: 'Add', path: 'nickName', value: 'Babs' }]), 200);
    const res = await entra.patch(`/Users/${user.id}`, [{ op: 'Add', path: 'nickName', value: 'Barbara' }]);
    expectStatus(res, 200);
    expect(res.body.nickName, show(res)).toBe('Barbara');
  });

  it('entra-active-string-False: default mode disables with "False" and re-enables with "True" (strings coerced to booleans); the user stays visible', async () => {
    const user = await provision();
    const off = await entra.patch(`/Users/${user.id}`, [{ op: 'Replace', path: 'active', value: 'False' }]);
    expectStatus(off, 200);
    expect(off.body.active, show(off)).toBe(false);
    const byId = await read(user.id);
    expect(byId.body.active, show(byId)).toBe(false);
    for (const expression of [`userName eq "${user.userName}"`, `externalId eq "${user.externalId}"`]) {
      const found = await entra.get(`/Users?${filter(expression)}`);
      expectListResponse(found, { totalResults: 1 });
      expect(found.body.Resources[0].active, show(found)).toBe(false);
    }
    const on = await entra.patch(`/Users/${user.id}`, [{ op: 'Replace', path: 'active', value: 'True' }]);
    expectStatus(on, 200);
    expect(on.body.active, show(on)).toBe(true);
    const lower = await entra.patch(`/Users/${user.id}`, [{ op: 'Replace', path: 'active', value: 'false' }]);
    expectStatus(lower, 200);
    expect(lower.body.active, show(lower)).toBe(false);
  });

  it('entra-flag-active-boolean: with aadOptscim062020, disable is a lower-case replace with a JSON boolean', async () => {
    const user = await provision();
    const res = await entra.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'active', value: false }]);
    expectStatus(res, 200);
    expect(res.body.active, show(res)).toBe(false);
  });

  it('entra-flag-no-path-dotted-urn-keys: with aadOptscim062020, one no-path replace carries dotted and URN-prefixed keys; they are expanded, not stored as literal keys', async () => {
    const user = await provision(entraUser({ [ENTERPRISE]: { department: 'Keep' } }));
    const email = `flag-${randomUUID()}@testuser.com`;
    const externalId = randomUUID();
    const res = await entra.patch(`/Users/${user.id}`, [
      { op: 'replace', path: 'emails[type eq "work"].value', value: email },
      {
        op: 'replace',
        value: {
          displayName: 'Flag Mode',
          'name.givenName': 'Kkom',
          'name.familyName': 'Lee',
          externalId,
          [EMPLOYEE_NUMBER]: 'Aklq',
        },
      },
    ]);
    expectStatus(res, 200);
    expect(res.body, show(res)).toMatchObject({
      displayName: 'Flag Mode',
      name: { givenName: 'Kkom', familyName: 'Lee', formatted: 'givenName familyName' },
      externalId,
      emails: [{ primary: true, type: 'work', value: email }],
      [ENTERPRISE]: { employeeNumber: 'Aklq', department: 'Keep' },
    });
    expect(res.body, show(res)).not.toHaveProperty(['name.givenName']);
    expect(res.body, show(res)).not.toHaveProperty([EMPLOYEE_NUMBER]);
  });

  it('entra-filtered-add-creates-email: "Add" on emails[type eq "work"].value for a user without a work email creates {type: "work", value}', async () => {
    const user = await provision(entraUser({ emails: [{ type: 'home', value: 'home@example.com' }] }));
    const res = await entra.patch(`/Users/${user.id}`, [
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'work@example.com' },
    ]);
    expectStatus(res, 200);
    expect(res.body.emails, show(res)).toEqual(
      expect.arrayContaining([
        { type: 'home', value: 'home@example.com' },
        expect.objectContaining({ type: 'work', value: 'work@example.com' }),
      ]),
    );
    expect(res.body.emails, show(res)).toHaveLength(2);
  });

  it('entra-filtered-replace-creates-element: "Replace" on a filtered path with no match creates the element too', async () => {
    const user = await provision();
    const res = await entra.patch(`/Users/${user.id}`, [
      { op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0102' },
    ]);
    expectStatus(res, 200);
    expect(res.body.phoneNumbers, show(res)).toEqual([
      expect.objectContaining({ type: 'mobile', value: '+1 555 0102' }),
    ]);
  });

  it('entra-multi-add-same-address: several ops on addresses[type eq "work"].* build one work address', async () => {
    const user = await provision();
    const at = (sub: string) => `addresses[type eq "work"].${sub}`;
    const res = await entra.patch(`/Users/${user.id}`, [
      { op: 'Add', path: at('streetAddress'), value: '1 Microsoft Way' },
      { op: 'Add', path: at('locality'), value: 'Redmond' },
      { op: 'Add', path: at('region'), value: 'WA' },
      { op: 'Add', path: at('postalCode'), value: '98052' },
      { op: 'Add', path: at('country'), value: 'US' },
      { op: 'Add', path: at('formatted'), value: '1 Microsoft Way, Redmond, WA 98052, US' },
    ]);
    expectStatus(res, 200);
    expect(res.body.addresses, show(res)).toEqual([
      {
        type: 'work',
        streetAddress: '1 Microsoft Way',
        locality: 'Redmond',
        region: 'WA',
        postalCode: '98052',
        country: 'US',
        formatted: '1 Microsoft Way, Redmond, WA 98052, US',
      },
    ]);
  });

  it('entra-manager-string: "Add" of the enterprise manager (URN path) with a bare string value stores {value}', async () => {
    const user = await provision();
    const res = await entra.patch(`/Users/${user.id}`, [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: '271' }]);
    expectStatus(res, 200);
    expect(res.body[ENTERPRISE]?.manager, show(res)).toMatchObject({ value: '271' });
  });

  it('entra-manager-array: "Add" on path "manager" with [{$ref, value}] stores the enterprise manager', async () => {
    const manager = await provision();
    const user = await provision();
    const res = await entra.patch(`/Users/${user.id}`, [
      { op: 'Add', path: 'manager', value: [{ $ref: `${api.scimUrl}/Users/${manager.id}`, value: manager.id }] },
    ]);
    expectStatus(res, 200);
    expect(res.body[ENTERPRISE]?.manager, show(res)).toMatchObject({ value: manager.id });
  });

  it('entra-filter-id-and-manager: the reference check "id eq u and manager eq m" with attributes=id finds the user only when m is its manager', async () => {
    const manager = await provision();
    const other = await provision();
    const user = await provision(entraUser({ [ENTERPRISE]: { manager: { value: manager.id } } }));
    const yes = await entra.get(`/Users?${filter(`id eq "${user.id}" and manager eq "${manager.id}"`)}&attributes=id`);
    expectListResponse(yes, { totalResults: 1 });
    expect(yes.body.Resources[0].id, show(yes)).toBe(user.id);
    expect(Object.keys(yes.body.Resources[0]).sort(), show(yes)).toEqual(expect.arrayContaining(['id']));
    expect(yes.body.Resources[0], show(yes)).not.toHaveProperty('userName');
    const no = await entra.get(`/Users?${filter(`id eq "${user.id}" and manager eq "${other.id}"`)}&attributes=id`);
    expectListResponse(no, { totalResults: 0 });
  });

  it('entra-roles-json-string: role values JSON-encoded inside strings (SingleAppRoleAssignment PATCH) are kept exactly as sent', async () => {
    const user = await provision(
      entraUser({ roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }] }),
    );
    expect(user.roles, JSON.stringify(user)).toEqual([
      { primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' },
    ]);
    const encoded = JSON.stringify({
      id: '06b07648-ecfe-589f-9d2f-6325724a46ee',
      value: '25',
      displayName: 'Role1234',
    });
    const res = await entra.patch(`/Users/${user.id}`, [{ op: 'Add', path: 'roles', value: [{ value: encoded }] }]);
    expectStatus(res, 200);
    const roles = (await read(user.id)).body.roles;
    expect(roles, JSON.stringify(roles)).toEqual(expect.arrayContaining([expect.objectContaining({ value: encoded })]));
  });

  it('entra-roles-primary-true-filter: Replace on roles[primary eq "True"].value creates one primary role, then updates it', async () => {
    const user = await provision();
    const first = await entra.patch(`/Users/${user.id}`, [
      { op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Admin' },
    ]);
    expectStatus(first, 200);
    expect(first.body.roles, show(first)).toEqual([expect.objectContaining({ primary: true, value: 'Admin' })]);
    const second = await entra.patch(`/Users/${user.id}`, [
      { op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Editor' },
    ]);
    expectStatus(second, 200);
    expect(second.body.roles, show(second)).toEqual([expect.objectContaining({ primary: true, value: 'Editor' })]);
  });

  it('entra-assertive-roles-replace: AssertiveAppRoleAssignmentsComplex replaces roles with exactly the assigned set', async () => {
    const user = await provision(
      entraUser({ roles: [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', value: 'Old' }] }),
    );
    const roles = [
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: 'Admin' },
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'Reader' },
    ];
    const res = await entra.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'roles', value: roles }]);
    expectStatus(res, 200);
    expect(res.body.roles, show(res)).toEqual(roles);
  });

  it('entra-custom-extension-path: "Add" on urn:…:extension:<Name>:2.0:User:<attr> sets the custom extension attribute', async () => {
    const user = await provision();
    const res = await entra.patch(`/Users/${user.id}`, [{ op: 'Add', path: `${APP_EXTENSION}:role`, value: 'viewer' }]);
    expectStatus(res, 200);
    expect(res.body[APP_EXTENSION], show(res)).toEqual({ role: 'viewer' });
  });

  it('entra-legacy-dotted-extension-path: an old customappsso path urn:scim:schemas:extension:enterprise:2.0.department reaches the enterprise extension', async () => {
    const user = await provision();
    const res = await entra.patch(`/Users/${user.id}`, [
      { op: 'Replace', path: 'urn:scim:schemas:extension:enterprise:2.0.department', value: 'Sales' },
    ]);
    expectStatus(res, 200);
    expect(res.body[ENTERPRISE], show(res)).toMatchObject({ department: 'Sales' });
  });

  it('entra-filter-emails-value-eq: the non-RFC filter emails[type eq "work"].value eq "x" matches work emails only', async () => {
    const value = `shared-${randomUUID()}@contoso.com`;
    const work = await provision(entraUser({ emails: [{ type: 'work', value }] }));
    await provision(entraUser({ emails: [{ type: 'home', value }] }));
    const res = await entra.get(`/Users?${filter(`emails[type eq "work"].value eq "${value}"`)}`);
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([work.id]);
    const any = await entra.get(`/Users?${filter(`emails.value eq "${value}"`)}`);
    expectListResponse(any, { totalResults: 2 });
  });

  it('entra-filter-urn-employeeNumber: a URN-prefixed attribute path in a filter matches the extension attribute', async () => {
    const employeeNumber = String(Math.floor(Math.random() * 1e9));
    const user = await provision(entraUser({ [ENTERPRISE]: { employeeNumber } }));
    await provision(entraUser({ [ENTERPRISE]: { employeeNumber: `${employeeNumber}0` } }));
    const res = await entra.get(`/Users?${filter(`${EMPLOYEE_NUMBER} eq "${employeeNumber}"`)}`);
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([user.id]);
  });

  it('entra-aadOptscim062020-query-ignored: the flag (and the AzureAdScimPatch062020 spelling) in request URLs is ignored on every route', async () => {
    const body = entraUser();
    const check = await entra.get(`/Users?aadOptscim062020&${filter(`userName eq "${body.userName}"`)}`);
    expectListResponse(check, { totalResults: 0 });
    const created = await entra.post('/Users?aadOptscim062020', body);
    expectStatus(created, 201);
    const id = created.body.id as string;
    expectStatus(await entra.get(`/Users/${id}?aadOptscim062020`), 200);
    const found = await entra.get(`/Users?${filter(`userName eq "${body.userName}"`)}&aadOptscim062020`);
    expectListResponse(found, { totalResults: 1 });
    expectStatus(
      await entra.patch(`/Users/${id}?aadOptscim062020`, [{ op: 'replace', path: 'active', value: false }]),
      200,
    );
    expectStatus(await entra.get(`/Users/${id}?AzureAdScimPatch062020`), 200);
    const groups = await entra.get(
      `/Groups?AzureAdScimPatch062020&excludedAttributes=members&${filter('displayName eq "none"')}`,
    );
    expectListResponse(groups, { totalResults: 0 });
    expectStatus(await entra.delete(`/Users/${id}?aadOptscim062020`), 204);
  });

  it('entra-delete-user: DELETE /Users/{id} answers 204, then GET and a second DELETE answer 404', async () => {
    const user = await provision();
    expectStatus(await entra.delete(`/Users/${user.id}`), 204);
    expectStatus(await entra.get(`/Users/${user.id}`), 404);
    expectStatus(await entra.delete(`/Users/${user.id}`), 404);
  });
});

describe('Entra: groups', () => {
  it('entra-group-create-adscim-schema: pre-check with excludedAttributes=members, POST with the ADSCIM schema URN, externalId and meta answers 201 with no members', async () => {
    const displayName = `Entra group ${randomUUID()}`;
    const check = await entra.get(`/Groups?excludedAttributes=members&${filter(`displayName eq "${displayName}"`)}`);
    expectListResponse(check, { totalResults: 0 });
    const externalId = randomUUID();
    const res = await entra.post('/Groups', {
      schemas: [GROUP, ADSCIM_GROUP],
      externalId,
      displayName,
      meta: { resourceType: 'Group' },
    });
    expectStatus(res, 201);
    expect(res.body, show(res)).toMatchObject({ id: expect.any(String), displayName, externalId });
    expect(res.body.members ?? [], show(res)).toEqual([]);
    const byExternalId = await entra.get(
      `/Groups?excludedAttributes=members&${filter(`externalId eq "${externalId}"`)}`,
    );
    expectListResponse(byExternalId, { totalResults: 1 });
    expect(resourceIds(byExternalId), show(byExternalId)).toEqual([res.body.id]);
  });

  it('entra-excludedAttributes-members: GET /Groups/{id} and the displayName filter with excludedAttributes=members omit members', async () => {
    const user = await provision();
    const g = await group([user.id]);
    const one = await entra.get(`/Groups/${g.id}?excludedAttributes=members`);
    expectStatus(one, 200);
    expect(one.body, show(one)).not.toHaveProperty('members');
    expect(one.body.displayName, show(one)).toBe(g.displayName);
    const list = await entra.get(`/Groups?excludedAttributes=members&${filter(`displayName eq "${g.displayName}"`)}`);
    expectListResponse(list, { totalResults: 1 });
    expect(list.body.Resources[0], show(list)).not.toHaveProperty('members');
  });

  it('entra-group-replace-displayName: "Replace" displayName answers 204 (or 200) and renames', async () => {
    const g = await group();
    const renamed = `${g.displayName} updatedDisplayName`;
    const res = await entra.patch(`/Groups/${g.id}`, [{ op: 'Replace', path: 'displayName', value: renamed }]);
    expectStatus(res, 204, 200);
    expect((await read(g.id, 'Groups')).body.displayName).toBe(renamed);
  });

  it('entra-add-members-ref-null: "Add" members with $ref: null, several in one PATCH', async () => {
    const users = [await provision(), await provision(), await provision()];
    const g = await group();
    const res = await entra.patch(`/Groups/${g.id}`, [
      { op: 'Add', path: 'members', value: users.map((u) => ({ $ref: null, value: u.id })) },
    ]);
    expectStatus(res, 204, 200);
    const got = await read(g.id, 'Groups');
    expect(memberIds(got.body), show(got)).toEqual(users.map((u) => u.id).sort());
    expect(nullPaths(got.body), show(got)).toEqual([]);
  });

  it('entra-remove-members-by-value: default-mode "Remove" members with a value array removes only the listed members, never all', async () => {
    const [a, b, c] = [await provision(), await provision(), await provision()];
    const g = await group([a.id, b.id, c.id]);
    const res = await entra.patch(`/Groups/${g.id}`, [
      { op: 'Remove', path: 'members', value: [{ $ref: null, value: b.id }] },
    ]);
    expectStatus(res, 204, 200);
    const got = await read(g.id, 'Groups');
    expect(memberIds(got.body), show(got)).toEqual([a.id, c.id].sort());
  });

  it('entra-flag-remove-member-filter: with aadOptscim062020, remove uses members[value eq "…"]', async () => {
    const [a, b] = [await provision(), await provision()];
    const g = await group([a.id, b.id]);
    const res = await entra.patch(`/Groups/${g.id}`, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]);
    expectStatus(res, 204, 200);
    expect(memberIds((await read(g.id, 'Groups')).body)).toEqual([b.id]);
  });

  it('entra-filter-id-and-members: the membership reference check "id eq g and members eq u" (members as members.value, either order) answers from the group', async () => {
    const [a, b] = [await provision(), await provision()];
    const g = await group([a.id]);
    for (const expression of [
      `id eq "${g.id}" and members eq "${a.id}"`,
      `members eq "${a.id}" and id eq "${g.id}"`,
      `id eq "${g.id}" and members.value eq "${a.id}"`,
    ]) {
      const yes = await entra.get(`/Groups?${filter(expression)}&excludedAttributes=members`);
      expectListResponse(yes, { totalResults: 1 });
      expect(resourceIds(yes), show(yes)).toEqual([g.id]);
    }
    const no = await entra.get(
      `/Groups?${filter(`id eq "${g.id}" and members eq "${b.id}"`)}&excludedAttributes=members`,
    );
    expectListResponse(no, { totalResults: 0 });
  });

  it('entra-group-filter-exact: displayName filter returns exactly the match (otherwise Entra merges all groups into one)', async () => {
    const a = await group();
    await group();
    const res = await entra.get(`/Groups?excludedAttributes=members&${filter(`displayName eq "${a.displayName}"`)}`);
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([a.id]);
  });

  it('entra-delete-group: DELETE /Groups/{id} answers 204', async () => {
    const g = await group();
    expectStatus(await entra.delete(`/Groups/${g.id}`), 204);
    expectStatus(await entra.get(`/Groups/${g.id}`), 404);
  });
});
