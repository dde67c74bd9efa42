// OneLogin's "SCIM Provisioner with SAML" traffic, replayed over HTTP against the local runner.
// The admin-editable JSON template is the user body, so legacy schema URNs, empty strings and
// custom keys are normal; the observed wire format adds `+` for spaces and a trailing `?`/`&`.
// Source: ../shared/reference/idp-quirks.md §3 (implement-scim-api, onelogin-scim-node,
// authentik#11249 nginx log, django-scim2's emails-as-object handling).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../../support/local-api.ts';
import {
  GROUP,
  expectListResponse,
  expectStatus,
  idpClient,
  memberIds,
  resourceIds,
  show,
  unique,
  type IdpClient,
} from './idp-client.ts';

const LEGACY_CORE = 'urn:scim:schemas:core:2.0';
const LEGACY_ENTERPRISE = 'urn:scim:schemas:extension:enterprise:2.0';

let api: LocalApi;
let onelogin: IdpClient;
beforeAll(async () => {
  api = await startLocalApi();
  onelogin = idpClient(api, { 'Content-Type': 'application/json', Accept: 'application/json' });
});
afterAll(async () => {
  await api?.close();
});

/** The user body as OneLogin's published template renders it (authentik#11249 PUT). */
function templateUser(userName = unique('onelogin-test-user')) {
  return {
    schemas: [LEGACY_CORE, LEGACY_ENTERPRISE],
    userName,
    name: { givenName: 'OneLogin', familyName: ' User 01' },
    emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
    displayName: 'OneLogin User 01',
    title: '',
    active: true,
  };
}

/** OneLogin's userName filter: `+` for spaces, `%22` quotes, and a trailing `&`. */
const oneloginFilter = (userName: string) => `/Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22&`;

async function provision(body: Record<string, any> = templateUser()) {
  expectListResponse(await onelogin.get(oneloginFilter(body.userName)), { totalResults: 0 });
  const res = await onelogin.post('/Users', body);
  expectStatus(res, 201);
  return res.body as Record<string, any> & { id: string; userName: string };
}

describe('OneLogin: users', () => {
  it('onelogin-trailing-ampersand-plus: the "Enable" check filter=userName+eq+%22…%22& (plus for space, trailing &) answers 200 with an empty list', async () => {
    const res = await onelogin.get(oneloginFilter(unique('nobody')));
    expectListResponse(res, { totalResults: 0 });
  });

  it('onelogin-plus-filter-finds-user: the same filter form finds an existing user', async () => {
    const user = await provision();
    const res = await onelogin.get(oneloginFilter(user.userName));
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([user.id]);
  });

  it('onelogin-legacy-schema-urns: a template body with schemas ["urn:scim:schemas:core:2.0", "urn:scim:schemas:extension:enterprise:2.0"] creates the user', async () => {
    const body = templateUser();
    const user = await provision(body);
    expect(user, JSON.stringify(user)).toMatchObject({
      userName: body.userName,
      displayName: body.displayName,
      emails: body.emails,
      active: true,
    });
    expect(user.name.givenName, JSON.stringify(user)).toBe('OneLogin');
  });

  it('onelogin-core-1.0-schema: a template with schemas ["urn:scim:schemas:core:1.0"] creates the user too', async () => {
    await provision({ ...templateUser(), schemas: ['urn:scim:schemas:core:1.0'] });
  });

  it('onelogin-values-as-sent: template values (leading space in familyName) come back exactly as sent', async () => {
    const user = await provision();
    const res = await onelogin.get(`/Users/${user.id}`);
    expectStatus(res, 200);
    expect(res.body.name.familyName, show(res)).toBe(' User 01');
  });

  it('onelogin-custom-template-keys: a custom key the admin added to the template is not rejected', async () => {
    await provision({ ...templateUser(), department: 'Engineering', costCenter: '' });
  });

  it('onelogin-emails-object: emails sent as an object (not an array) is stored as a one-element array, on POST and in a PATCH replace', async () => {
    const userName = unique('onelogin-object-email');
    const user = await provision({
      ...templateUser(userName),
      emails: { value: `${userName}@example.com`, type: 'work', primary: true },
    });
    expect(user.emails, JSON.stringify(user)).toEqual([
      { value: `${userName}@example.com`, type: 'work', primary: true },
    ]);
    const res = await onelogin.patch(`/Users/${user.id}`, [
      { op: 'replace', path: 'emails', value: { value: 'other@example.com', type: 'work' } },
    ]);
    expectStatus(res, 200);
    expect(res.body.emails, show(res)).toEqual([{ value: 'other@example.com', type: 'work' }]);
  });

  it('onelogin-trailing-question-mark: Get User by ID and PUT /Users/{id}? with a trailing "?" work', async () => {
    const user = await provision();
    expectStatus(await onelogin.get(`/Users/${user.id}?`), 200);
    const res = await onelogin.put(`/Users/${user.id}?`, { ...templateUser(user.userName), title: 'Engineer' });
    expectStatus(res, 200);
    expect(res.body.title, show(res)).toBe('Engineer');
  });

  it('onelogin-put-update: updates are a PUT of the full template body', async () => {
    const user = await provision();
    const res = await onelogin.put(`/Users/${user.id}?`, {
      ...templateUser(user.userName),
      name: { givenName: 'Renamed', familyName: ' User 01' },
      displayName: 'Renamed User',
    });
    expectStatus(res, 200);
    expect(res.body, show(res)).toMatchObject({
      id: user.id,
      displayName: 'Renamed User',
      name: { givenName: 'Renamed', familyName: ' User 01' },
    });
  });

  it('onelogin-suspend-put: the "Suspend" deprovision choice PUTs active:false; the user stays readable', async () => {
    const user = await provision();
    const res = await onelogin.put(`/Users/${user.id}?`, { ...templateUser(user.userName), active: false });
    expectStatus(res, 200);
    expect(res.body.active, show(res)).toBe(false);
    const found = await onelogin.get(oneloginFilter(user.userName));
    expectListResponse(found, { totalResults: 1 });
    expect(found.body.Resources[0].active, show(found)).toBe(false);
  });

  it('onelogin-delete-user: the "Delete" deprovision choice answers 204', async () => {
    const user = await provision();
    expectStatus(await onelogin.delete(`/Users/${user.id}?`), 204);
    expectStatus(await onelogin.get(`/Users/${user.id}`), 404);
  });

  it('onelogin-application-json: responses are application/json when that is all OneLogin accepts', async () => {
    const user = await provision();
    const res = await onelogin.get(`/Users/${user.id}`);
    expect(res.headers.get('content-type'), show(res)).toMatch(/^application\/json/);
    const list = await onelogin.get(oneloginFilter(user.userName));
    expect(list.headers.get('content-type'), show(list)).toMatch(/^application\/json/);
  });
});

describe('OneLogin: groups (from roles)', () => {
  it('onelogin-groups: Get Groups, Create Group, then Patch Group adds and removes members', async () => {
    const [a, b] = [await provision(), await provision()];
    const list = await onelogin.get('/Groups?');
    expectListResponse(list);
    const displayName = unique('Role: Admins');
    const created = await onelogin.post('/Groups', { schemas: [GROUP], displayName });
    expectStatus(created, 201);
    const id = created.body.id as string;
    const add = await onelogin.patch(`/Groups/${id}`, [
      { op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] },
    ]);
    expectStatus(add, 200, 204);
    const remove = await onelogin.patch(`/Groups/${id}`, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]);
    expectStatus(remove, 200, 204);
    const got = await onelogin.get(`/Groups/${id}`);
    expectStatus(got, 200);
    expect(memberIds(got.body), show(got)).toEqual([b.id]);
  });
});
