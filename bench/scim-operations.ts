// The SCIM operations item 1 measures (cost-per-operation.ts), in the order an IdP sends them
// during one run: each with the client that sends it, the expected status, and its theoretical
// minimum DynamoDB work under the single-table design (DESIGN.md) with the reason.
import type { Directory } from './support/directory.ts';
import type { CallResult } from './support/local-stack.ts';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface Minimum {
  requests: number;
  roundTrips: number;
  why: string;
}

/** What one run's operations hand each other: the user and group it created. */
export interface RunState {
  run: number;
  userId?: string;
  userName?: string;
  externalId?: string;
  userBody?: Record<string, unknown>;
  groupId?: string;
}

export interface OperationSpec {
  name: string;
  client: string;
  request: string;
  status: number;
  min: Minimum;
  call(dir: Directory, s: RunState): Promise<CallResult>;
  after?(res: CallResult, s: RunState): void;
}

const q = encodeURIComponent;
const patch = (ops: unknown[]) => ({ body: { schemas: [PATCH_OP], Operations: ops } });

export const OPERATIONS: OperationSpec[] = [
  {
    name: 'filter userName (no match)',
    client: 'Okta/Entra pre-create check',
    request: 'GET /Users?filter=userName eq',
    status: 200,
    min: { requests: 1, roundTrips: 1, why: 'GetItem on the userName claim' },
    call: (d, s) =>
      d.scim.call(
        'GET',
        `/Users?filter=${q(`userName eq "bench${s.run}.new@${d.scim.tenantId}.example.com"`)}&startIndex=1&count=100`,
      ),
  },
  {
    name: 'create user',
    client: 'Entra, Okta',
    request: 'POST /Users',
    status: 201,
    min: { requests: 1, roundTrips: 1, why: 'one transaction: user, userName claim, tenant counter' },
    call: (d, s) => {
      s.userName = `bench${s.run}.new@${d.scim.tenantId}.example.com`;
      s.externalId = `bench-${d.scim.tenantId}-${s.run}`;
      return d.scim.call('POST', '/Users', {
        body: {
          schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
          externalId: s.externalId,
          userName: s.userName,
          active: true,
          emails: [{ primary: true, type: 'work', value: s.userName }],
          meta: { resourceType: 'User' },
          name: { formatted: 'Bench User', familyName: 'User', givenName: 'Bench' },
          displayName: 'Bench User',
          roles: [],
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
            employeeNumber: '4242',
            department: 'Engineering',
          },
        },
      });
    },
    after: (res, s) => {
      s.userId = res.body.id as string;
    },
  },
  {
    name: 'get user',
    client: 'Entra (read before update), Okta',
    request: 'GET /Users/{id}',
    status: 200,
    min: { requests: 1, roundTrips: 1, why: 'GetItem user (its groups are kept on the item)' },
    call: (d, s) => d.scim.call('GET', `/Users/${s.userId}`),
    after: (res, s) => {
      s.userBody = res.body as Record<string, unknown>;
    },
  },
  {
    name: 'filter userName',
    client: 'all IdPs',
    request: 'GET /Users?filter=userName eq',
    status: 200,
    min: { requests: 2, roundTrips: 2, why: 'GetItem claim → GetItem user' },
    call: (d, s) => d.scim.call('GET', `/Users?filter=${q(`userName eq "${s.userName}"`)}`),
  },
  {
    name: 'filter externalId',
    client: 'Entra, Okta (legacy)',
    request: 'GET /Users?filter=externalId eq',
    status: 200,
    min: { requests: 1, roundTrips: 1, why: 'Query externalId index (the item carries its groups)' },
    call: (d, s) => d.scim.call('GET', `/Users?filter=${q(`externalId eq "${s.externalId}"`)}`),
  },
  {
    name: 'PUT user',
    client: 'Okta (AIW), OneLogin, PingFederate',
    request: 'PUT /Users/{id}',
    status: 200,
    min: { requests: 2, roundTrips: 2, why: 'GetItem user → conditional write' },
    call: (d, s) =>
      d.scim.call('PUT', `/Users/${s.userId}`, { body: { ...s.userBody, displayName: 'Bench User (PUT)' } }),
  },
  {
    name: 'PATCH user',
    client: 'Entra',
    request: 'PATCH /Users/{id}',
    status: 200,
    min: { requests: 2, roundTrips: 2, why: 'GetItem user → conditional write' },
    call: (d, s) =>
      d.scim.call(
        'PATCH',
        `/Users/${s.userId}`,
        patch([
          { op: 'Replace', path: 'emails[type eq "work"].value', value: `x.${s.userName}` },
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        ]),
      ),
  },
  {
    name: 'deactivate user',
    client: 'Okta',
    request: 'PATCH /Users/{id} active=false',
    status: 200,
    min: { requests: 2, roundTrips: 2, why: 'GetItem user → conditional write' },
    call: (d, s) => d.scim.call('PATCH', `/Users/${s.userId}`, patch([{ op: 'replace', value: { active: false } }])),
  },
  {
    name: 'create group',
    client: 'Entra, Okta',
    request: 'POST /Groups',
    status: 201,
    min: { requests: 1, roundTrips: 1, why: 'one transaction: group, tenant counter' },
    call: (d, s) =>
      d.scim.call('POST', '/Groups', {
        body: {
          schemas: [GROUP_SCHEMA],
          displayName: `Bench group ${s.run}`,
          externalId: `bench-group-${s.run}`,
          meta: { resourceType: 'Group' },
        },
      }),
    after: (res, s) => {
      s.groupId = res.body.id as string;
    },
  },
  {
    name: 'filter group displayName (Entra)',
    client: 'Entra',
    request: 'GET /Groups?excludedAttributes=members&filter=displayName eq',
    status: 200,
    min: { requests: 1, roundTrips: 1, why: 'Query displayName index' },
    call: (d) => d.scim.call('GET', `/Groups?excludedAttributes=members&filter=${q('displayName eq "Engineering"')}`),
  },
  {
    name: 'filter group displayName (Okta)',
    client: 'Okta',
    request: 'GET /Groups?filter=displayName eq (3 members)',
    status: 200,
    min: { requests: 2, roundTrips: 2, why: 'Query displayName index → Query members' },
    call: (d) => d.scim.call('GET', `/Groups?filter=${q('displayName eq "Engineering"')}`),
  },
  {
    name: 'get group without members',
    client: 'Entra',
    request: 'GET /Groups/{id}?excludedAttributes=members',
    status: 200,
    min: { requests: 1, roundTrips: 1, why: 'GetItem group' },
    call: (d) => d.scim.call('GET', `/Groups/${d.bigGroupId}?excludedAttributes=members`),
  },
  {
    name: 'rename group',
    client: 'Entra',
    request: 'PATCH /Groups/{id} displayName',
    status: 204,
    min: { requests: 2, roundTrips: 2, why: 'GetItem group → conditional write' },
    call: (d, s) =>
      d.scim.call(
        'PATCH',
        `/Groups/${s.groupId}`,
        patch([{ op: 'Replace', path: 'displayName', value: `Bench group ${s.run} renamed` }]),
      ),
  },
  {
    name: 'add one member',
    client: 'Okta, Entra',
    request: 'PATCH /Groups/{id} add members (group of all users)',
    status: 204,
    min: {
      requests: 2,
      roundTrips: 2,
      why: "one transaction: member item, the user's groups and version, the group's version and count → GetItem the new version for the ETag",
    },
    call: (d, s) =>
      d.scim.call(
        'PATCH',
        `/Groups/${d.bigGroupId}`,
        patch([{ op: 'add', path: 'members', value: [{ value: s.userId, display: s.userName }] }]),
      ),
  },
  {
    name: 'membership check',
    client: 'IAM-IC style clients',
    request: 'GET /Groups?excludedAttributes=members&filter=id eq and members eq',
    status: 200,
    min: { requests: 2, roundTrips: 1, why: 'GetItem group ‖ GetItem member item' },
    call: (d, s) =>
      d.scim.call(
        'GET',
        `/Groups?excludedAttributes=members&filter=${q(`id eq "${d.bigGroupId}" and members eq "${s.userId}"`)}`,
      ),
  },
  {
    name: 'remove one member',
    client: 'Okta, Entra (flag)',
    request: 'PATCH /Groups/{id} remove members[value eq]',
    status: 204,
    min: {
      requests: 2,
      roundTrips: 2,
      why: "one transaction: delete member item, the user's groups and version, the group's version and count → GetItem the new version for the ETag",
    },
    call: (d, s) =>
      d.scim.call(
        'PATCH',
        `/Groups/${d.bigGroupId}`,
        patch([{ op: 'remove', path: `members[value eq "${s.userId}"]` }]),
      ),
  },
  {
    name: 'add 100 members in one PATCH',
    client: 'Entra (batched adds)',
    request: 'PATCH /Groups/{id} add 100 members',
    status: 204,
    min: {
      requests: 4,
      roundTrips: 3,
      why: '100 × (member item + user) + the group in each = 3 transactions (the first decides, the other two in parallel) → GetItem the new version for the ETag',
    },
    call: (d, s) =>
      d.scim.call(
        'PATCH',
        `/Groups/${s.groupId}`,
        patch([{ op: 'Add', path: 'members', value: d.users.slice(0, 100).map((u) => ({ value: u.id })) }]),
      ),
  },
  {
    name: 'users of a group (count=1)',
    client: 'the application, IAM-IC style clients',
    request: 'GET /Users?filter=groups.value eq &count=1 (group of all users)',
    status: 200,
    min: {
      requests: 3,
      roundTrips: 2,
      why: 'GetItem group (its user count = totalResults) ‖ Query 2 member items → BatchGetItem 1 user',
    },
    call: (d) => d.scim.call('GET', `/Users?count=1&filter=${q(`groups.value eq "${d.bigGroupId}"`)}`),
  },
  {
    name: 'users of a group (count=100)',
    client: 'the application, IAM-IC style clients',
    request: 'GET /Users?filter=groups.value eq &count=100 (group of all users)',
    status: 200,
    min: {
      requests: 3,
      roundTrips: 2,
      why: 'GetItem group ‖ Query 101 member items → BatchGetItem 100 users',
    },
    call: (d) => d.scim.call('GET', `/Users?count=100&filter=${q(`groups.value eq "${d.bigGroupId}"`)}`),
  },
  {
    name: 'list page (startIndex=1, count=100)',
    client: 'Okta import, PingFederate',
    request: 'GET /Users?startIndex=1&count=100',
    status: 200,
    min: {
      requests: 3,
      roundTrips: 2,
      why: 'GetItem counter ‖ Query page (groups are on the items) → PutItem the next page position',
    },
    call: (d) => d.scim.call('GET', '/Users?startIndex=1&count=100'),
  },
  {
    name: 'delete user',
    client: 'Entra, JumpCloud',
    request: 'DELETE /Users/{id}',
    status: 204,
    min: { requests: 2, roundTrips: 2, why: 'GetItem user (its groups) → one transaction' },
    call: (d, s) => d.scim.call('DELETE', `/Users/${s.userId}`),
  },
  {
    name: 'delete group (100 members)',
    client: 'Okta, Entra',
    request: 'DELETE /Groups/{id}',
    status: 204,
    min: {
      requests: 5,
      roundTrips: 4,
      why: "GetItem (version, count) → Query members → transaction (group + 49 members' groups) → 2 transactions in parallel (51 more)",
    },
    call: (d, s) => d.scim.call('DELETE', `/Groups/${s.groupId}`),
  },
];
