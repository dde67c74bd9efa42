// Filters real IdPs send, as `make(variant)`: variant 0 is the filter as the client documents or
// sends it; other variants keep the shape and change the values (see idp-requests.ts).

import { ENTERPRISE } from './resources.ts';
import { hex12, v, type FilterCase } from './types.ts';

const ALL_ACTIVE = ['u1', 'u3', 'u4', 'u5'];

/** A date-time on 2024-06-01 that differs per variant (up to 86,400,000 of them). */
function juneFirst(variant: number): string {
  const ms = variant % 86_400_000;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const s = Math.floor(ms / 1000);
  return `2024-06-01T${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${pad(ms % 1000, 3)}Z`;
}

export const FILTERS: FilterCase[] = [
  {
    name: 'userName eq',
    client: 'Okta, Entra, OneLogin (create pre-check)',
    source: '§1.3, §2.3',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) =>
      i === 0
        ? { filter: 'userName eq "bjensen@example.com"', expected: ['u1'] }
        : { filter: `userName eq "new.user${v(i)}@example.com"`, expected: [] },
  },
  {
    name: 'userName eq, other case',
    client: 'Okta SPEC test (upper case)',
    source: '§1.3; okta-filter-uppercase-username',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) =>
      i === 0
        ? { filter: 'userName eq "BJENSEN@EXAMPLE.COM"', expected: ['u1'] }
        : { filter: `userName eq "NEW.USER${v(i).toUpperCase()}@EXAMPLE.COM"`, expected: [] },
  },
  {
    name: 'random GUID, no match',
    client: 'Entra test connection',
    source: '§2.3; entra-test-connection-random-guid',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({ filter: `userName eq "7b7e3c5a-1d5f-4a53-9f43-${hex12(i + 0x3c2e1f0a9b8c)}"`, expected: [] }),
  },
  {
    name: 'externalId eq',
    client: 'Entra, Okta (legacy)',
    source: '§0 #10',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) =>
      i === 0
        ? { filter: 'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"', expected: ['u2'] }
        : { filter: `externalId eq "0a21f0f2-8d2a-4f8e-bf98-${hex12(i)}"`, expected: [] },
  },
  {
    name: 'capitalised operator',
    client: 'PingOne',
    source: '§5.2; pingone-Eq-capitalised-username',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({ filter: `username Eq "kim.lee${v(i)}@example.com"`, expected: i === 0 ? ['u3'] : [] }),
  },
  {
    name: 'USERNAME EQ',
    client: 'PingOne (any case)',
    source: 'pingone-case-insensitive-names',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({ filter: `USERNAME EQ "kim.lee${v(i)}@example.com"`, expected: i === 0 ? ['u3'] : [] }),
  },
  {
    name: 'UserName eQ, value upper case',
    client: 'PingOne (any case)',
    source: 'pingone-case-insensitive-names',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      filter: `UserName eQ "KIM.LEE${v(i).toUpperCase()}@EXAMPLE.COM"`,
      expected: i === 0 ? ['u3'] : [],
    }),
  },
  {
    name: 'eq AND ACTIVE EQ true',
    client: 'PingOne (any case)',
    source: 'pingone-case-insensitive-names',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      filter: `userName eq "kim.lee${v(i)}@example.com" AND ACTIVE EQ true`,
      expected: i === 0 ? ['u3'] : [],
    }),
  },
  {
    name: 'EMAILS.VALUE Eq',
    client: 'PingOne (any case)',
    source: 'pingone-case-insensitive-names',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({ filter: `EMAILS.VALUE Eq "kim.lee${v(i)}@example.com"`, expected: i === 0 ? ['u3'] : [] }),
  },
  {
    name: 'emails.value Co',
    client: 'PingOne (admin-chosen template)',
    source: 'pingone-Co-email-template',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({ filter: `emails.value Co "jensen${v(i)}"`, expected: i === 0 ? ['u1'] : [] }),
  },
  {
    name: 'emails[type eq work and value eq]',
    client: 'Entra (RFC form)',
    source: '§0 #8',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      filter: `emails[type eq "work" and value eq "bjensen${v(i)}@example.com"]`,
      expected: i === 0 ? ['u1'] : [],
    }),
  },
  {
    name: 'emails.value eq',
    client: 'Entra',
    source: '§8.2; entra-filter-emails-value-eq',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({ filter: `emails.value eq "kim.lee${v(i)}@example.com"`, expected: i === 0 ? ['u3'] : [] }),
  },
  {
    name: 'enterprise URN attribute',
    client: 'Entra (matching on employeeNumber)',
    source: '§0 #9; entra-filter-urn-employeeNumber',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      filter: `${ENTERPRISE}:employeeNumber eq "${1234567 + i}"`,
      expected: i === 0 ? ['u3'] : [],
    }),
  },
  {
    name: 'active eq false',
    client: 'reconciliation scripts',
    source: 'RFC 7644 §3.4.2.2',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) =>
      i % 2 === 0
        ? { filter: 'active eq false', expected: ['u2'] }
        : { filter: 'active eq true', expected: ALL_ACTIVE },
  },
  {
    name: 'userName sw',
    client: 'PingOne (admin-defined)',
    source: '§5.2',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({ filter: `userName sw "KIM.${i === 0 ? '' : i}"`, expected: i === 0 ? ['u3'] : [] }),
  },
  {
    name: 'or of userNames',
    client: 'custom scripts',
    source: 'RFC 7644 §3.4.2.2',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      filter: `userName eq "kim.lee@example.com" or userName eq "onelogin-test-user01${v(i)}"`,
      expected: i === 0 ? ['u3', 'u4'] : ['u3'],
    }),
  },
  {
    name: 'meta.lastModified gt',
    client: 'incremental sync scripts',
    source: 'RFC 7644 §3.4.2.2',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({ filter: `meta.lastModified gt "${juneFirst(i)}"`, expected: ['u3', 'u4'] }),
  },
  {
    name: 'and / not / pr',
    client: 'custom scripts',
    source: 'RFC 7644 §3.4.2.2',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      filter: `title pr and not (active eq false) and emails[type eq "work" and value co "@example.com${v(i)}"]`,
      expected: i === 0 ? ['u1'] : [],
    }),
  },
  {
    name: 'emails[type eq work].value eq',
    client: 'Entra (non-RFC form)',
    source: '§0 #8; entra-filter-emails-value-eq',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      filter: `emails[type eq "work"].value eq "kim.lee${v(i)}@example.com"`,
      expected: i === 0 ? ['u3'] : [],
    }),
  },
  {
    name: 'id and manager eq',
    client: 'Entra reference check',
    source: '§2.3; entra-filter-id-and-manager',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({ filter: `id eq "u1" and manager eq "u3${v(i)}"`, expected: i === 0 ? ['u1'] : [] }),
  },
  {
    name: 'boolean as "True"',
    client: 'Entra',
    source: '§2.3 roles, §8.2',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) =>
      i % 2 === 0
        ? { filter: 'active eq "True"', expected: ALL_ACTIVE }
        : { filter: 'active eq "False"', expected: ['u2'] },
  },
  {
    name: 'legacy dotted extension URN',
    client: 'Entra (old customappsso mappings)',
    source: '§2.3; shared/scim/filter.ts',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      filter: `urn:scim:schemas:extension:enterprise:2.0.department eq "Engineering${v(i)}"`,
      expected: i === 0 ? ['u3'] : [],
    }),
  },
  {
    name: 'unquoted value',
    client: "Entra (its own documentation's example)",
    source: '§2.3',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) =>
      i === 0
        ? { filter: 'externalId eq 0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', expected: ['u2'] }
        : { filter: `externalId eq 0a21f0f2-8d2a-4f8e-bf98-${hex12(i)}`, expected: [] },
  },
  {
    name: 'displayName eq',
    client: 'Okta, Entra, Rippling',
    source: '§0 #11; okta-group-filter-is-exact',
    conformance: 'rfc',
    resourceType: 'Group',
    make: (i) => ({ filter: `displayName eq "Engineering${v(i)}"`, expected: i === 0 ? ['g1'] : [] }),
  },
  {
    name: 'group random GUID',
    client: 'Entra test connection',
    source: 'entra-test-connection-random-guid',
    conformance: 'rfc',
    resourceType: 'Group',
    make: (i) => ({ filter: `displayName eq "4f1d2c3b-5a69-4e7d-8c9b-${hex12(i + 0xa1b2c3)}"`, expected: [] }),
  },
  {
    name: 'group externalId eq',
    client: 'Entra',
    source: '§0 #10',
    conformance: 'rfc',
    resourceType: 'Group',
    make: (i) =>
      i === 0
        ? { filter: 'externalId eq "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"', expected: ['g1'] }
        : { filter: `externalId eq "8aa1a0c0-c4c3-4bc0-b4a5-${hex12(i)}"`, expected: [] },
  },
  {
    name: 'members[value eq]',
    client: 'membership check',
    source: '§8.2',
    conformance: 'rfc',
    resourceType: 'Group',
    make: (i) => ({ filter: `members[value eq "u3${v(i)}"]`, expected: i === 0 ? ['g1'] : [] }),
  },
  {
    name: 'id and members eq',
    client: 'Entra membership reference check',
    source: '§8.2; entra-filter-id-and-members',
    conformance: 'quirk',
    resourceType: 'Group',
    make: (i) => ({ filter: `id eq "g1" and members eq "u1${v(i)}"`, expected: i === 0 ? ['g1'] : [] }),
  },
  {
    name: 'members eq and id eq',
    client: 'Entra membership reference check (other order)',
    source: 'entra-filter-id-and-members',
    conformance: 'quirk',
    resourceType: 'Group',
    make: (i) => ({ filter: `members eq "u3${v(i)}" and id eq "g1"`, expected: i === 0 ? ['g1'] : [] }),
  },
];
