// The small fixed directory the engine corpus runs against: four users as Okta, Entra and OneLogin
// create them, one user as Entra provisions it with roles, addresses and phone numbers, and two
// groups. Filters are evaluated against every resource of their type; PATCHes start from one.

import type { Json, Resource } from './types.ts';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** The default custom extension (shared/scim/schema/custom-extension.ts), Entra's URN pattern. */
export const APP_EXTENSION = 'urn:ietf:params:scim:schemas:extension:app:2.0:User';

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
  {
    // As Entra's provisioning creates a user (idp-quirks §2.3): roles, a work address and phone.
    schemas: [USER, ENTERPRISE],
    id: 'u5',
    externalId: '5e0c7a21-9b3d-4c8e-a1f2-6d7e8f9a0b1c',
    userName: 'Test_User_5e0c7a21@testuser.com',
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    displayName: 'Test User 5',
    active: true,
    emails: [{ value: 'Test_User_5e0c7a21@testuser.com', type: 'work', primary: true }],
    phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
    addresses: [
      {
        type: 'work',
        streetAddress: '1 Microsoft Way',
        locality: 'Redmond',
        region: 'WA',
        postalCode: '98052',
        country: 'US',
        primary: true,
      },
    ],
    roles: [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', value: 'Old' }],
    [ENTERPRISE]: { employeeNumber: '5555', department: 'Sales' },
    meta: meta('User', 'u5', '2024-05-01T00:00:00Z'),
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

export function corpusResource(id: string): Resource {
  const r = [...USERS, ...GROUPS].find((x) => x.id === id);
  if (!r) throw new Error(`no corpus resource ${id}`);
  return r;
}

/** `id` with its members replaced by `ids` (so a variant can name members no other variant has). */
export function withMembers(id: string, ids: readonly string[]): Resource {
  return { ...corpusResource(id), members: ids.map((value) => ({ value, display: `${value}@example.com` })) };
}
