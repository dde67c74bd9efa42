// CyberArk Identity's outbound SCIM 2.0 provisioning, replayed over HTTP against the local runner.
// CyberArk documents the exact set of calls it makes ("SCIM API Requirements"); the request bodies
// are not documented, so they are the RFC 7644 shapes. Source: ../shared/reference/idp-quirks-wave2.md
// §6 and its §7 fixture; each case is named after the row of the §8 quirk table it protects.
// That the documented set has no DELETE, so offboarding is a PUT with active:false, is an inference
// the reference marks for verification: those test names say [unverified].
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../../support/local-api.ts';
import {
  GROUP,
  USER,
  expectListResponse,
  expectStatus,
  idpClient,
  memberIds,
  resourceIds,
  show,
  unique,
  type IdpClient,
} from './idp-client.ts';

const CYBERARK_HEADERS = { Accept: 'application/scim+json', 'Content-Type': 'application/scim+json' };

let api: LocalApi;
let cyberark: IdpClient;
beforeAll(async () => {
  api = await startLocalApi();
  cyberark = idpClient(api, CYBERARK_HEADERS);
});
afterAll(async () => {
  await api?.close();
});

function cyberarkUser(userName = `${unique('jdoe')}@example.com`) {
  return {
    schemas: [USER],
    userName,
    name: { givenName: 'Jane', familyName: 'Doe' },
    displayName: 'Jane Doe',
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
  };
}

/** The documented filter, value unquoted: `userName eq <value>`. */
const unquoted = (userName: string) => `filter=${encodeURIComponent(`userName eq ${userName}`)}`;

describe('CyberArk Identity', () => {
  it('cyberark-probe-count-1: the connection probe GET /Users?count=1 (no filter, no startIndex) answers a ListResponse, on an empty directory too', async () => {
    const fresh = idpClient(api, CYBERARK_HEADERS, await api.tokenFor('cyberark-empty'));
    const empty = await fresh.get('/Users?count=1');
    expectListResponse(empty, { totalResults: 0 });
    expect(empty.body.Resources, show(empty)).toEqual([]);
    for (let i = 0; i < 3; i += 1) expectStatus(await fresh.post('/Users', cyberarkUser()), 201);
    const res = await fresh.get('/Users?count=1');
    expectListResponse(res, { totalResults: 3 });
    expect(res.body.itemsPerPage, show(res)).toBe(1);
    expect(res.body.startIndex, show(res)).toBe(1);
  });

  it('cyberark-documented-sequence: probe, ServiceProviderConfig, ResourceTypes/User and /Group, Schemas/<urn>, unquoted userName lookup, POST, GET, PUT, GET /Groups, POST /Groups, GET and PATCH the group', async () => {
    expectStatus(await cyberark.get('/Users?count=1'), 200);
    expectStatus(await cyberark.get('/ServiceProviderConfig'), 200);
    for (const name of ['User', 'Group']) {
      const type = await cyberark.get(`/ResourceTypes/${name}`);
      expectStatus(type, 200);
      const schema = await cyberark.get(`/Schemas/${type.body.schema}`);
      expectStatus(schema, 200);
      expect(schema.body.id, show(schema)).toBe(type.body.schema);
    }
    const body = cyberarkUser();
    expectListResponse(await cyberark.get(`/Users?${unquoted(body.userName)}`), { totalResults: 0 });
    const created = await cyberark.post('/Users', body);
    expectStatus(created, 201);
    const id = created.body.id as string;
    const read = await cyberark.get(`/Users/${id}`);
    expectStatus(read, 200);
    const put = await cyberark.put(`/Users/${id}`, { ...body, id, displayName: 'Jane Q. Doe' });
    expectStatus(put, 200);
    expect(put.body.displayName, show(put)).toBe('Jane Q. Doe');
    expectListResponse(await cyberark.get('/Groups'));
    const g = await cyberark.post('/Groups', { schemas: [GROUP], displayName: unique('CyberArk role') });
    expectStatus(g, 201);
    expectStatus(await cyberark.get(`/Groups/${g.body.id}`), 200);
    const patch = await cyberark.patch(`/Groups/${g.body.id}`, [
      { op: 'add', path: 'members', value: [{ value: id }] },
    ]);
    expectStatus(patch, 200, 204);
    expect(memberIds((await cyberark.get(`/Groups/${g.body.id}`)).body)).toEqual([id]);
  });

  it('cyberark-unquoted-filter: `userName eq <value>` with the value unquoted (an email address) finds the user, and nothing else', async () => {
    const body = cyberarkUser();
    const user = await cyberark.post('/Users', body);
    expectStatus(user, 201);
    await cyberark.post('/Users', cyberarkUser());
    const res = await cyberark.get(`/Users?${unquoted(body.userName)}`);
    expectListResponse(res, { totalResults: 1 });
    expect(resourceIds(res), show(res)).toEqual([user.body.id]);
    expectListResponse(await cyberark.get(`/Users?${unquoted(`nobody-${body.userName}`)}`), { totalResults: 0 });
  });

  it('cyberark-offboard-put-active-false [unverified]: with no DELETE in the call set, offboarding is a PUT with active false; the user stays, inactive, in its groups, and a later PUT reactivates', async () => {
    const body = cyberarkUser();
    const user = await cyberark.post('/Users', body);
    expectStatus(user, 201);
    const id = user.body.id as string;
    const g = await cyberark.post('/Groups', {
      schemas: [GROUP],
      displayName: unique('CyberArk role'),
      members: [{ value: id }],
    });
    expectStatus(g, 201);
    const off = await cyberark.put(`/Users/${id}`, { ...body, id, active: false });
    expectStatus(off, 200);
    expect(off.body.active, show(off)).toBe(false);
    const found = await cyberark.get(`/Users?${unquoted(body.userName)}`);
    expectListResponse(found, { totalResults: 1 });
    expect(found.body.Resources[0], show(found)).toMatchObject({ id, active: false });
    expect(memberIds((await cyberark.get(`/Groups/${g.body.id}`)).body)).toEqual([id]);
    const on = await cyberark.put(`/Users/${id}`, { ...body, id, active: true });
    expectStatus(on, 200);
    expect(on.body.active, show(on)).toBe(true);
  });

  it('cyberark-group-patch [unverified body shape]: group membership and renames go through PATCH /Groups/{id} (add members, remove members[value eq], replace displayName)', async () => {
    const [a, b] = await Promise.all([
      cyberark.post('/Users', cyberarkUser()),
      cyberark.post('/Users', cyberarkUser()),
    ]);
    expectStatus(a, 201);
    expectStatus(b, 201);
    const g = await cyberark.post('/Groups', { schemas: [GROUP], displayName: unique('CyberArk role') });
    expectStatus(g, 201);
    const add = await cyberark.patch(`/Groups/${g.body.id}`, [
      { op: 'add', path: 'members', value: [{ value: a.body.id }, { value: b.body.id }] },
    ]);
    expectStatus(add, 200, 204);
    const res = await cyberark.patch(`/Groups/${g.body.id}`, [
      { op: 'remove', path: `members[value eq "${a.body.id}"]` },
      { op: 'replace', path: 'displayName', value: `${g.body.displayName} (renamed)` },
    ]);
    expectStatus(res, 200, 204);
    const read = await cyberark.get(`/Groups/${g.body.id}`);
    expect(read.body.displayName, show(read)).toBe(`${g.body.displayName} (renamed)`);
    expect(memberIds(read.body), show(read)).toEqual([b.body.id]);
  });
});
