// The shared corpus for the engine side-by-side (item 5): filters and PATCH bodies that real IdPs
// send, taken from /work/shared/reference/idp-quirks.md (section numbers in `source`), evaluated
// against a small fixed directory. Each case carries the answer a correct SCIM server gives, so
// every engine, ours included, is checked before it is timed.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Resource = { [key: string]: Json };

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Whether a case follows RFC 7644 or is a client quirk the RFC does not require servers to accept. */
export type Conformance = 'rfc' | 'quirk';

export interface FilterCase {
  name: string;
  client: string;
  source: string;
  conformance: Conformance;
  resourceType: 'User' | 'Group';
  filter: string;
  /** ids of the corpus resources the filter must match, in corpus order. */
  expected: string[];
}

export interface PatchCase {
  name: string;
  client: string;
  source: string;
  conformance: Conformance;
  resourceType: 'User' | 'Group';
  /** id of the corpus resource the PATCH is applied to. */
  target: string;
  operations: Record<string, Json>[];
  /** What the patched resource must look like; each check names what it protects. */
  checks: { what: string; ok: (r: Resource) => boolean }[];
}

const meta = (type: string, id: string, created: string): Json => ({
  resourceType: type,
  created,
  lastModified: created,
  location: `https://scim.example.com/scim/v2/${type}s/${id}`,
  version: 'W/"1"',
});

export const USERS: Resource[] = [
  {
    schemas: [USER, ENTERPRISE],
    id: 'u1',
    externalId: '00ujl29u0le5T6Aj10h7',
    userName: 'bjensen@example.com',
    name: { formatted: 'Barbara Jensen', familyName: 'Jensen', givenName: 'Barbara' },
    displayName: 'Barbara Jensen',
    title: 'Tour Guide',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    [ENTERPRISE]: {
      employeeNumber: '701984',
      department: 'Tour Operations',
      manager: { value: 'u3', displayName: 'Kim Lee' },
    },
    meta: meta('User', 'u1', '2024-03-01T10:00:00Z'),
  },
  {
    schemas: [USER],
    id: 'u2',
    externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
    userName: 'Test_User_00aa00aa@testuser.com',
    name: { familyName: 'familyName', givenName: 'givenName' },
    active: false,
    emails: [{ value: 'Test_User_00aa00aa@testuser.com', type: 'work', primary: true }],
    meta: meta('User', 'u2', '2023-11-20T08:30:00Z'),
  },
  {
    schemas: [USER, ENTERPRISE],
    id: 'u3',
    externalId: '2a69c9a6-7c1b-4d2e-9d3f-0e1f2a3b4c5d',
    userName: 'kim.lee@example.com',
    name: { familyName: 'Lee', givenName: 'Kim' },
    displayName: 'Kim Lee',
    active: true,
    emails: [{ value: 'kim.lee@example.com', type: 'work' }],
    [ENTERPRISE]: { employeeNumber: '1234567', department: 'Engineering' },
    meta: meta('User', 'u3', '2025-01-15T12:00:00Z'),
  },
  {
    schemas: [USER],
    id: 'u4',
    userName: 'onelogin-test-user01',
    name: { familyName: ' User 01', givenName: 'OneLogin' },
    active: true,
    emails: [{ value: 'ol01@example.org', type: 'home' }],
    meta: meta('User', 'u4', '2024-07-04T00:00:00Z'),
  },
];

export const GROUPS: Resource[] = [
  {
    schemas: [GROUP],
    id: 'g1',
    externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    displayName: 'Engineering',
    members: [
      { value: 'u1', display: 'bjensen@example.com' },
      { value: 'u3', display: 'kim.lee@example.com' },
    ],
    meta: meta('Group', 'g1', '2024-02-01T00:00:00Z'),
  },
  {
    schemas: [GROUP],
    id: 'g2',
    displayName: 'Test SCIMv2',
    members: [{ value: 'u2', display: 'Test_User_00aa00aa@testuser.com' }],
    meta: meta('Group', 'g2', '2024-02-02T00:00:00Z'),
  },
];

export const FILTERS: FilterCase[] = [
  {
    name: 'userName eq',
    client: 'Okta, Entra, OneLogin (create pre-check)',
    source: '§1.3, §2.3',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'userName eq "bjensen@example.com"',
    expected: ['u1'],
  },
  {
    name: 'userName eq, other case',
    client: 'Okta SPEC test (upper case)',
    source: '§1.3',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'userName eq "BJENSEN@EXAMPLE.COM"',
    expected: ['u1'],
  },
  {
    name: 'random GUID, no match',
    client: 'Entra test connection',
    source: '§2.3',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'userName eq "7b7e3c5a-1d5f-4a53-9f43-3c2e1f0a9b8c"',
    expected: [],
  },
  {
    name: 'externalId eq',
    client: 'Entra, Okta (legacy)',
    source: '§0 #10',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
    expected: ['u2'],
  },
  {
    name: 'capitalised operator',
    client: 'PingOne',
    source: '§5.2',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'username Eq "kim.lee@example.com"',
    expected: ['u3'],
  },
  {
    name: 'emails[type eq work and value eq]',
    client: 'Entra (RFC form)',
    source: '§0 #8',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'emails[type eq "work" and value eq "bjensen@example.com"]',
    expected: ['u1'],
  },
  {
    name: 'emails.value eq',
    client: 'Entra',
    source: '§8.2',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'emails.value eq "kim.lee@example.com"',
    expected: ['u3'],
  },
  {
    name: 'enterprise URN attribute',
    client: 'Entra (matching on employeeNumber)',
    source: '§0 #9',
    conformance: 'rfc',
    resourceType: 'User',
    filter: `${ENTERPRISE}:employeeNumber eq "1234567"`,
    expected: ['u3'],
  },
  {
    name: 'active eq false',
    client: 'reconciliation scripts',
    source: 'RFC 7644 §3.4.2.2',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'active eq false',
    expected: ['u2'],
  },
  {
    name: 'userName sw',
    client: 'PingOne (admin-defined)',
    source: '§5.2',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'userName sw "KIM."',
    expected: ['u3'],
  },
  {
    name: 'or of userNames',
    client: 'custom scripts',
    source: 'RFC 7644 §3.4.2.2',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'userName eq "kim.lee@example.com" or userName eq "onelogin-test-user01"',
    expected: ['u3', 'u4'],
  },
  {
    name: 'meta.lastModified gt',
    client: 'incremental sync scripts',
    source: 'RFC 7644 §3.4.2.2',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'meta.lastModified gt "2024-06-01T00:00:00Z"',
    expected: ['u3', 'u4'],
  },
  {
    name: 'and / not / pr',
    client: 'custom scripts',
    source: 'RFC 7644 §3.4.2.2',
    conformance: 'rfc',
    resourceType: 'User',
    filter: 'title pr and not (active eq false) and emails[type eq "work" and value co "@example.com"]',
    expected: ['u1'],
  },
  {
    name: 'emails[type eq work].value eq',
    client: 'Entra (non-RFC form)',
    source: '§0 #8',
    conformance: 'quirk',
    resourceType: 'User',
    filter: 'emails[type eq "work"].value eq "kim.lee@example.com"',
    expected: ['u3'],
  },
  {
    name: 'id and manager eq',
    client: 'Entra reference check',
    source: '§2.3',
    conformance: 'quirk',
    resourceType: 'User',
    filter: 'id eq "u1" and manager eq "u3"',
    expected: ['u1'],
  },
  {
    name: 'boolean as "True"',
    client: 'Entra',
    source: '§2.3 roles, §8.2',
    conformance: 'quirk',
    resourceType: 'User',
    filter: 'active eq "True"',
    expected: ['u1', 'u3', 'u4'],
  },
  {
    name: 'displayName eq',
    client: 'Okta, Entra, Rippling',
    source: '§0 #11',
    conformance: 'rfc',
    resourceType: 'Group',
    filter: 'displayName eq "Engineering"',
    expected: ['g1'],
  },
  {
    name: 'group externalId eq',
    client: 'Entra',
    source: '§0 #10',
    conformance: 'rfc',
    resourceType: 'Group',
    filter: 'externalId eq "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"',
    expected: ['g1'],
  },
  {
    name: 'members[value eq]',
    client: 'membership check',
    source: '§8.2',
    conformance: 'rfc',
    resourceType: 'Group',
    filter: 'members[value eq "u3"]',
    expected: ['g1'],
  },
  {
    name: 'id and members eq',
    client: 'IAM Identity Center style membership check',
    source: '§8.2',
    conformance: 'quirk',
    resourceType: 'Group',
    filter: 'id eq "g1" and members eq "u1"',
    expected: ['g1'],
  },
];

const emails = (r: Resource) => (Array.isArray(r.emails) ? (r.emails as Resource[]) : []);
const members = (r: Resource) => (Array.isArray(r.members) ? (r.members as Resource[]).map((m) => m.value) : []);
const ext = (r: Resource) => (r[ENTERPRISE] ?? {}) as Resource;
const sameSet = (a: unknown[], b: string[]) => a.length === b.length && b.every((v) => a.includes(v));
const op = (o: Record<string, Json>) => o;

export const PATCHES: PatchCase[] = [
  {
    name: 'deactivate, no path',
    client: 'Okta',
    source: '§1.3',
    conformance: 'rfc',
    resourceType: 'User',
    target: 'u1',
    operations: [op({ op: 'replace', value: { active: false } })],
    checks: [
      { what: 'active is false', ok: (r) => r.active === false },
      { what: 'userName kept', ok: (r) => r.userName === 'bjensen@example.com' },
    ],
  },
  {
    name: 'reactivate, no path',
    client: 'Okta',
    source: '§1.3',
    conformance: 'rfc',
    resourceType: 'User',
    target: 'u2',
    operations: [op({ op: 'replace', value: { active: true } })],
    checks: [{ what: 'active is true', ok: (r) => r.active === true }],
  },
  {
    name: 'replace work email and family name',
    client: 'Entra (flag)',
    source: '§2.3',
    conformance: 'rfc',
    resourceType: 'User',
    target: 'u1',
    operations: [
      op({ op: 'replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' }),
      op({ op: 'replace', path: 'name.familyName', value: 'updatedFamilyName' }),
    ],
    checks: [
      {
        what: 'work email replaced',
        ok: (r) => emails(r).some((e) => e.type === 'work' && e.value === 'updatedEmail@microsoft.com'),
      },
      { what: 'home email kept', ok: (r) => emails(r).some((e) => e.type === 'home' && e.value === 'babs@jensen.org') },
      { what: 'familyName replaced', ok: (r) => (r.name as Resource | undefined)?.familyName === 'updatedFamilyName' },
      { what: 'givenName kept', ok: (r) => (r.name as Resource | undefined)?.givenName === 'Barbara' },
    ],
  },
  {
    name: 'userName rename',
    client: 'Entra (UPN change)',
    source: '§2.3',
    conformance: 'rfc',
    resourceType: 'User',
    target: 'u3',
    operations: [op({ op: 'replace', path: 'userName', value: 'kim.lee2@example.com' })],
    checks: [{ what: 'userName replaced', ok: (r) => r.userName === 'kim.lee2@example.com' }],
  },
  {
    name: 'replace name object',
    client: 'OneLogin / scripts',
    source: 'RFC 7644 §3.5.2.3',
    conformance: 'rfc',
    resourceType: 'User',
    target: 'u4',
    operations: [op({ op: 'replace', path: 'name', value: { givenName: 'One', familyName: 'Login' } })],
    checks: [
      {
        what: 'name replaced',
        ok: (r) =>
          (r.name as Resource | undefined)?.givenName === 'One' &&
          (r.name as Resource | undefined)?.familyName === 'Login',
      },
    ],
  },
  {
    name: 'remove home email by filter',
    client: 'RFC',
    source: 'RFC 7644 §3.5.2.2',
    conformance: 'rfc',
    resourceType: 'User',
    target: 'u1',
    operations: [op({ op: 'remove', path: 'emails[type eq "home"]' })],
    checks: [
      { what: 'home email gone', ok: (r) => !emails(r).some((e) => e.type === 'home') },
      {
        what: 'work email kept',
        ok: (r) => emails(r).some((e) => e.type === 'work' && e.value === 'bjensen@example.com'),
      },
    ],
  },
  {
    name: 'add single-valued attribute',
    client: 'Entra (flag)',
    source: '§2.2',
    conformance: 'rfc',
    resourceType: 'User',
    target: 'u3',
    operations: [op({ op: 'add', path: 'nickName', value: 'Babs' })],
    checks: [{ what: 'nickName set', ok: (r) => r.nickName === 'Babs' }],
  },
  {
    name: 'URN-qualified path',
    client: 'Entra',
    source: '§2.3 custom attributes',
    conformance: 'rfc',
    resourceType: 'User',
    target: 'u3',
    operations: [op({ op: 'replace', path: `${ENTERPRISE}:department`, value: 'Research' })],
    checks: [
      { what: 'department replaced', ok: (r) => ext(r).department === 'Research' },
      { what: 'employeeNumber kept', ok: (r) => ext(r).employeeNumber === '1234567' },
    ],
  },
  {
    name: 'capitalised ops, "False" string',
    client: 'Entra (default, no flag)',
    source: '§0 #1, #2',
    conformance: 'quirk',
    resourceType: 'User',
    target: 'u1',
    operations: [op({ op: 'Replace', path: 'active', value: 'False' })],
    checks: [{ what: 'active is boolean false', ok: (r) => r.active === false }],
  },
  {
    name: 'no-path replace with dotted and URN keys',
    client: 'Entra (flag)',
    source: '§0 #4',
    conformance: 'quirk',
    resourceType: 'User',
    target: 'u1',
    operations: [op({ op: 'replace', value: { 'name.givenName': 'Kkom', [`${ENTERPRISE}:employeeNumber`]: 'Aklq' } })],
    checks: [
      { what: 'name.givenName set', ok: (r) => (r.name as Resource | undefined)?.givenName === 'Kkom' },
      { what: 'familyName kept', ok: (r) => (r.name as Resource | undefined)?.familyName === 'Jensen' },
      { what: 'employeeNumber in extension', ok: (r) => ext(r).employeeNumber === 'Aklq' },
      { what: 'no dotted key left', ok: (r) => !('name.givenName' in r) },
    ],
  },
  {
    name: 'filtered add creates missing email',
    client: 'Entra',
    source: '§0 #5',
    conformance: 'quirk',
    resourceType: 'User',
    target: 'u3',
    operations: [op({ op: 'Add', path: 'emails[type eq "home"].value', value: 'kim@home.example' })],
    checks: [
      {
        what: 'home email created',
        ok: (r) => emails(r).some((e) => e.type === 'home' && e.value === 'kim@home.example'),
      },
      {
        what: 'work email kept',
        ok: (r) => emails(r).some((e) => e.type === 'work' && e.value === 'kim.lee@example.com'),
      },
    ],
  },
  {
    name: 'manager as a bare string',
    client: 'Entra',
    source: '§0 #6',
    conformance: 'quirk',
    resourceType: 'User',
    target: 'u3',
    operations: [op({ op: 'Add', path: `${ENTERPRISE}:manager`, value: '271' })],
    checks: [{ what: 'manager.value is "271"', ok: (r) => (ext(r).manager as Resource | undefined)?.value === '271' }],
  },
  {
    name: 'add member',
    client: 'Okta, Entra (flag)',
    source: '§1.3',
    conformance: 'rfc',
    resourceType: 'Group',
    target: 'g1',
    operations: [op({ op: 'add', path: 'members', value: [{ value: 'u4', display: 'onelogin-test-user01' }] })],
    checks: [{ what: 'members = u1,u3,u4', ok: (r) => sameSet(members(r), ['u1', 'u3', 'u4']) }],
  },
  {
    name: 'remove member by filter',
    client: 'Okta, Entra (flag)',
    source: '§1.3, §2.2',
    conformance: 'rfc',
    resourceType: 'Group',
    target: 'g1',
    operations: [op({ op: 'remove', path: 'members[value eq "u1"]' })],
    checks: [{ what: 'members = u3', ok: (r) => sameSet(members(r), ['u3']) }],
  },
  {
    name: 'remove + add members in one PATCH',
    client: 'Okta',
    source: '§1.3',
    conformance: 'rfc',
    resourceType: 'Group',
    target: 'g1',
    operations: [
      op({ op: 'remove', path: 'members[value eq "u3"]' }),
      op({ op: 'add', path: 'members', value: [{ value: 'u2', display: 'Test_User_00aa00aa@testuser.com' }] }),
    ],
    checks: [{ what: 'members = u1,u2', ok: (r) => sameSet(members(r), ['u1', 'u2']) }],
  },
  {
    name: 'replace members (full re-push)',
    client: 'Okta',
    source: '§1.3',
    conformance: 'rfc',
    resourceType: 'Group',
    target: 'g1',
    operations: [op({ op: 'replace', path: 'members', value: [{ value: 'u2' }, { value: 'u4' }] })],
    checks: [{ what: 'members = u2,u4', ok: (r) => sameSet(members(r), ['u2', 'u4']) }],
  },
  {
    name: 'rename',
    client: 'Entra',
    source: '§2.3 groups',
    conformance: 'quirk',
    resourceType: 'Group',
    target: 'g2',
    operations: [op({ op: 'Replace', path: 'displayName', value: 'Test SCIMv2 updatedDisplayName' })],
    checks: [{ what: 'displayName replaced', ok: (r) => r.displayName === 'Test SCIMv2 updatedDisplayName' }],
  },
  {
    name: 'rename with id in value',
    client: 'Okta',
    source: '§0 #14',
    conformance: 'quirk',
    resourceType: 'Group',
    target: 'g2',
    operations: [op({ op: 'replace', value: { id: 'g2', displayName: 'Test SCIMv2 renamed' } })],
    checks: [
      { what: 'displayName replaced', ok: (r) => r.displayName === 'Test SCIMv2 renamed' },
      { what: 'id kept', ok: (r) => r.id === 'g2' },
    ],
  },
  {
    name: 'remove member by value array',
    client: 'Entra (default), JumpCloud',
    source: '§0 #3',
    conformance: 'quirk',
    resourceType: 'Group',
    target: 'g1',
    operations: [op({ op: 'Remove', path: 'members', value: [{ value: 'u1' }] })],
    checks: [{ what: 'only u1 removed', ok: (r) => sameSet(members(r), ['u3']) }],
  },
  {
    name: 'add member with $ref null',
    client: 'Entra',
    source: '§2.3 groups',
    conformance: 'quirk',
    resourceType: 'Group',
    target: 'g2',
    operations: [op({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u4' }] })],
    checks: [{ what: 'members = u2,u4', ok: (r) => sameSet(members(r), ['u2', 'u4']) }],
  },
];

export const PATCH_SCHEMA = PATCH_OP;

export function corpusResource(id: string): Resource {
  const r = [...USERS, ...GROUPS].find((x) => x.id === id);
  if (!r) throw new Error(`no corpus resource ${id}`);
  return r;
}
