// Group PATCH bodies real IdPs send, as `make(variant)`: variant 0 is the body as the client sends
// it; other variants keep the shape and change the values, member ids included (see
// idp-requests.ts).

import { GROUP, corpusResource, withMembers } from './resources.ts';
import { op, members, sameSet } from './checks.ts';
import { v, type PatchCase } from './types.ts';

export const GROUP_PATCHES: PatchCase[] = [
  {
    name: 'add member',
    client: 'Okta, Entra (flag)',
    source: '§1.3; authentik-one-add-per-member',
    conformance: 'rfc',
    resourceType: 'Group',
    make: (i) => ({
      resource: corpusResource('g1'),
      operations: [
        op({ op: 'add', path: 'members', value: [{ value: `u4${v(i)}`, display: 'onelogin-test-user01' }] }),
      ],
      checks: [{ what: 'members = u1,u3 + new', ok: (r) => sameSet(members(r), ['u1', 'u3', `u4${v(i)}`]) }],
    }),
  },
  {
    name: 'remove member by filter',
    client: 'Okta, Entra (flag), OneLogin, PingOne, authentik',
    source: '§1.3, §2.2; entra-flag-remove-member-filter',
    conformance: 'rfc',
    resourceType: 'Group',
    make: (i) => ({
      resource: withMembers('g1', [`u1${v(i)}`, `u3${v(i)}`]),
      operations: [op({ op: 'remove', path: `members[value eq "u1${v(i)}"]` })],
      checks: [{ what: 'only that member removed', ok: (r) => sameSet(members(r), [`u3${v(i)}`]) }],
    }),
  },
  {
    name: 'remove + add members in one PATCH',
    client: 'Okta',
    source: '§1.3; okta-group-remove-filter-add-members',
    conformance: 'rfc',
    resourceType: 'Group',
    make: (i) => ({
      resource: withMembers('g1', [`u1${v(i)}`, `u3${v(i)}`]),
      operations: [
        op({ op: 'remove', path: `members[value eq "u3${v(i)}"]` }),
        op({ op: 'add', path: 'members', value: [{ value: `u2${v(i)}`, display: 'Test_User_00aa00aa@testuser.com' }] }),
      ],
      checks: [{ what: 'members = u1,u2', ok: (r) => sameSet(members(r), [`u1${v(i)}`, `u2${v(i)}`]) }],
    }),
  },
  {
    name: 'replace members (full re-push)',
    client: 'Okta',
    source: '§1.3; okta-group-replace-members',
    conformance: 'rfc',
    resourceType: 'Group',
    make: (i) => ({
      resource: corpusResource('g1'),
      operations: [op({ op: 'replace', path: 'members', value: [{ value: `u2${v(i)}` }, { value: `u4${v(i)}` }] })],
      checks: [{ what: 'members = the two sent', ok: (r) => sameSet(members(r), [`u2${v(i)}`, `u4${v(i)}`]) }],
    }),
  },
  {
    name: 'add members, one twice',
    client: 'JumpCloud',
    source: '§4; jumpcloud-duplicate-member-add',
    conformance: 'quirk',
    resourceType: 'Group',
    make: (i) => ({
      resource: corpusResource('g2'),
      operations: [
        op({
          op: 'add',
          path: 'members',
          value: [{ value: `a${v(i)}` }, { value: `b${v(i)}` }, { value: `b${v(i)}` }],
        }),
      ],
      checks: [{ what: 'members = u2, a, b once', ok: (r) => sameSet(members(r), ['u2', `a${v(i)}`, `b${v(i)}`]) }],
    }),
  },
  {
    name: 'rename',
    client: 'Entra',
    source: '§2.3 groups',
    conformance: 'quirk',
    resourceType: 'Group',
    make: (i) => ({
      resource: corpusResource('g2'),
      operations: [op({ op: 'Replace', path: 'displayName', value: `Test SCIMv2 updatedDisplayName${v(i)}` })],
      checks: [{ what: 'displayName replaced', ok: (r) => r.displayName === `Test SCIMv2 updatedDisplayName${v(i)}` }],
    }),
  },
  {
    name: 'rename with id in value',
    client: 'Okta',
    source: '§0 #14',
    conformance: 'quirk',
    resourceType: 'Group',
    make: (i) => ({
      resource: corpusResource('g2'),
      operations: [op({ op: 'replace', value: { id: 'g2', displayName: `Test SCIMv2 renamed${v(i)}` } })],
      checks: [
        { what: 'displayName replaced', ok: (r) => r.displayName === `Test SCIMv2 renamed${v(i)}` },
        { what: 'id kept', ok: (r) => r.id === 'g2' },
      ],
    }),
  },
  {
    name: 'rename with schemas, id and externalId in value',
    client: 'authentik',
    source: 'authentik-pathless-group-replace-with-id-schemas',
    conformance: 'quirk',
    resourceType: 'Group',
    make: (i) => ({
      resource: corpusResource('g2'),
      operations: [
        op({
          op: 'replace',
          value: { schemas: [GROUP], id: 'g2', externalId: `ak-${i}`, displayName: `renamed${v(i)}` },
        }),
      ],
      checks: [
        { what: 'displayName replaced', ok: (r) => r.displayName === `renamed${v(i)}` },
        { what: 'externalId set', ok: (r) => r.externalId === `ak-${i}` },
        { what: 'members kept', ok: (r) => sameSet(members(r), ['u2']) },
      ],
    }),
  },
  {
    name: 'remove member by value array',
    client: 'Entra (default), JumpCloud',
    source: '§0 #3; entra-remove-members-by-value',
    conformance: 'quirk',
    resourceType: 'Group',
    make: (i) => ({
      resource: withMembers('g1', [`u1${v(i)}`, `u3${v(i)}`]),
      operations: [op({ op: 'Remove', path: 'members', value: [{ $ref: null, value: `u1${v(i)}` }] })],
      checks: [{ what: 'only that member removed', ok: (r) => sameSet(members(r), [`u3${v(i)}`]) }],
    }),
  },
  {
    name: 'remove members by value array, one not a member',
    client: 'JumpCloud',
    source: '§4; jumpcloud-remove-non-member',
    conformance: 'quirk',
    resourceType: 'Group',
    make: (i) => ({
      resource: withMembers('g1', [`u1${v(i)}`, `u3${v(i)}`]),
      operations: [
        op({ op: 'remove', path: 'members', value: [{ value: `u1${v(i)}` }, { value: `stranger${v(i)}` }] }),
      ],
      checks: [{ what: 'only the member removed', ok: (r) => sameSet(members(r), [`u3${v(i)}`]) }],
    }),
  },
  {
    name: 'add member with $ref null',
    client: 'Entra',
    source: '§2.3 groups; entra-add-members-ref-null',
    conformance: 'quirk',
    resourceType: 'Group',
    make: (i) => ({
      resource: corpusResource('g2'),
      operations: [op({ op: 'Add', path: 'members', value: [{ $ref: null, value: `u4${v(i)}` }] })],
      checks: [{ what: 'members = u2 + new', ok: (r) => sameSet(members(r), ['u2', `u4${v(i)}`]) }],
    }),
  },
  {
    name: 'add member with type "user"',
    client: 'authentik',
    source: 'authentik-webex-member-type-user',
    conformance: 'quirk',
    resourceType: 'Group',
    make: (i) => ({
      resource: corpusResource('g2'),
      operations: [op({ op: 'add', path: 'members', value: [{ value: `u4${v(i)}`, type: 'user' }] })],
      checks: [{ what: 'members = u2 + new', ok: (r) => sameSet(members(r), ['u2', `u4${v(i)}`]) }],
    }),
  },
];
