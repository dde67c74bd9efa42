import { it } from 'vitest';
import { startLocalApi } from '../../support/local-api.ts';
it('probe', async () => {
  const api = await startLocalApi();
  const U = 'urn:ietf:params:scim:schemas:core:2.0:User', E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  const a = (await api.call('POST', '/Users', { body: { schemas: [U], userName: 'a', title: 'T1', name: { familyName: 'Fa' }, emails: [{ type: 'work', value: 'x@e.com' }], [E]: { employeeNumber: '1', manager: { value: 'm1' } } } })).body;
  await api.call('POST', '/Users', { body: { schemas: [U], userName: 'b', title: 'T2', name: { familyName: 'Fb' }, emails: [{ type: 'home', value: 'x@e.com' }], [E]: { employeeNumber: '2' } } });
  await api.call('POST', '/Users', { body: { schemas: [U], userName: 'c', title: 'T3', name: { familyName: 'Fc' }, emails: [{ type: 'home', value: 'y@e.com' }] } });
  for (const f of ['title eq "T1"', 'name.familyName eq "Fa"', 'emails.value eq "x@e.com"', 'emails eq "x@e.com"', 'emails[type eq "work"]', 'emails[type eq "work" and value eq "x@e.com"]',
    'emails[type eq "work"].value eq "x@e.com"', `${E}:employeeNumber eq "1"`, 'employeeNumber eq "1"', `id eq "${a.id}"`, `id eq "${a.id}" and manager eq "m1"`, `id eq "${a.id}" and manager.value eq "m1"`,
    `manager eq "m1"`, `${E}:manager.value eq "m1"`, 'emails.value co "x@"', 'userName eq "a" and title eq "T2"', 'title eq "T1" or title eq "T3"', 'USERNAME EQ "A"', 'userName sw "a"', 'meta.created gt "2015-10-10T14:38:21.8617979-07:00"']) {
    const r = await api.call('GET', `/Users?filter=${encodeURIComponent(f)}&attributes=userName`);
    console.log(f.padEnd(70), r.status, r.status === 200 ? r.body.Resources.map((x: any) => x.userName).join(',') : r.text);
  }
  await api.close();
});
