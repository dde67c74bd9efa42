// User PATCH bodies beyond the RFC that real IdPs send, as `make(variant)`: variant 0 is the body
// as the client sends it; other variants keep the shape and change the values (see idp-requests.ts).

import { ENTERPRISE, corpusResource } from './resources.ts';
import { op, list, emails, obj, ext, even } from './checks.ts';
import { v, type PatchCase } from './types.ts';

export const USER_QUIRK_PATCHES: PatchCase[] = [
  {
    name: 'legacy dotted extension path',
    client: 'Entra (old customappsso mappings)',
    source: 'entra-legacy-dotted-extension-path',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u3'),
      operations: [
        op({ op: 'Replace', path: 'urn:scim:schemas:extension:enterprise:2.0.department', value: `Sales${v(i)}` }),
      ],
      checks: [
        { what: 'department replaced', ok: (r) => ext(r).department === `Sales${v(i)}` },
        { what: 'employeeNumber kept', ok: (r) => ext(r).employeeNumber === '1234567' },
      ],
    }),
  },
  {
    name: 'capitalised ops, "False" string',
    client: 'Entra (default, no flag)',
    source: '§0 #1, #2; entra-active-string-False',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u1'),
      operations: [op({ op: 'Replace', path: 'active', value: even(i) ? 'False' : 'True' })],
      checks: [{ what: 'active is a boolean', ok: (r) => r.active === !even(i) }],
    }),
  },
  {
    name: 'Entra default-mode update',
    client: 'Entra (default, one Replace per attribute)',
    source: 'entra-replace-capitalised',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u5'),
      operations: [
        op({ op: 'Replace', path: 'displayName', value: `Updated Display${v(i)}` }),
        op({ op: 'Replace', path: 'emails[type eq "work"].value', value: `updated${v(i)}@testuser.com` }),
        op({ op: 'Replace', path: 'name.givenName', value: `updatedGivenName${v(i)}` }),
        op({ op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' }),
        op({ op: 'Replace', path: 'externalId', value: `5e0c7a21-0000-4000-8000${v(i)}` }),
        op({ op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: `99${i}` }),
      ],
      checks: [
        { what: 'displayName', ok: (r) => r.displayName === `Updated Display${v(i)}` },
        {
          what: 'one work email, primary kept',
          ok: (r) =>
            emails(r).length === 1 &&
            emails(r)[0]!.value === `updated${v(i)}@testuser.com` &&
            emails(r)[0]!.primary === true,
        },
        { what: 'givenName', ok: (r) => obj(r, 'name').givenName === `updatedGivenName${v(i)}` },
        { what: 'formatted kept', ok: (r) => obj(r, 'name').formatted === 'givenName familyName' },
        { what: 'externalId', ok: (r) => r.externalId === `5e0c7a21-0000-4000-8000${v(i)}` },
        { what: 'employeeNumber', ok: (r) => ext(r).employeeNumber === `99${i}` },
        { what: 'department kept', ok: (r) => ext(r).department === 'Sales' },
      ],
    }),
  },
  {
    name: 'no-path replace with dotted and URN keys',
    client: 'Entra (flag)',
    source: '§0 #4; entra-flag-no-path-dotted-urn-keys',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u1'),
      operations: [
        op({
          op: 'replace',
          value: { 'name.givenName': `Kkom${v(i)}`, [`${ENTERPRISE}:employeeNumber`]: `Aklq${v(i)}` },
        }),
      ],
      checks: [
        { what: 'name.givenName set', ok: (r) => obj(r, 'name').givenName === `Kkom${v(i)}` },
        { what: 'familyName kept', ok: (r) => obj(r, 'name').familyName === 'Jensen' },
        { what: 'employeeNumber in extension', ok: (r) => ext(r).employeeNumber === `Aklq${v(i)}` },
        { what: 'no dotted key left', ok: (r) => !('name.givenName' in r) },
      ],
    }),
  },
  {
    name: 'emails replaced by an object',
    client: 'OneLogin',
    source: '§3; onelogin-emails-object',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u4'),
      operations: [op({ op: 'replace', path: 'emails', value: { value: `other${v(i)}@example.com`, type: 'work' } })],
      checks: [
        {
          what: 'one work email',
          ok: (r) =>
            emails(r).length === 1 &&
            emails(r)[0]!.value === `other${v(i)}@example.com` &&
            emails(r)[0]!.type === 'work',
        },
      ],
    }),
  },
  {
    name: 'filtered add creates missing email',
    client: 'Entra',
    source: '§0 #5; entra-filtered-add-creates-email',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u3'),
      operations: [op({ op: 'Add', path: 'emails[type eq "home"].value', value: `kim${v(i)}@home.example` })],
      checks: [
        {
          what: 'home email created',
          ok: (r) => emails(r).some((e) => e.type === 'home' && e.value === `kim${v(i)}@home.example`),
        },
        {
          what: 'work email kept',
          ok: (r) => emails(r).some((e) => e.type === 'work' && e.value === 'kim.lee@example.com'),
        },
      ],
    }),
  },
  {
    name: 'filtered replace creates missing phone',
    client: 'Entra',
    source: 'entra-filtered-replace-creates-element',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u5'),
      operations: [op({ op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: `+1 555 01${i}` })],
      checks: [
        {
          what: 'mobile created, work kept',
          ok: (r) =>
            list(r, 'phoneNumbers').length === 2 &&
            list(r, 'phoneNumbers').some((p) => p.type === 'mobile' && p.value === `+1 555 01${i}`),
        },
      ],
    }),
  },
  {
    name: 'one address built by five filtered adds',
    client: 'Entra',
    source: 'entra-multi-add-same-address',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => {
      const at = (sub: string) => `addresses[type eq "home"].${sub}`;
      return {
        resource: corpusResource('u5'),
        operations: [
          op({ op: 'Add', path: at('streetAddress'), value: `${i + 1} Main Street` }),
          op({ op: 'Add', path: at('locality'), value: 'Redmond' }),
          op({ op: 'Add', path: at('region'), value: 'WA' }),
          op({ op: 'Add', path: at('postalCode'), value: '98052' }),
          op({ op: 'Add', path: at('country'), value: 'US' }),
        ],
        checks: [
          {
            what: 'one home address with every part',
            ok: (r) => {
              const home = list(r, 'addresses').filter((a) => a.type === 'home');
              return (
                home.length === 1 &&
                home[0]!.streetAddress === `${i + 1} Main Street` &&
                home[0]!.locality === 'Redmond' &&
                home[0]!.country === 'US'
              );
            },
          },
          { what: 'work address kept', ok: (r) => list(r, 'addresses').some((a) => a.type === 'work') },
        ],
      };
    },
  },
  {
    name: 'manager as a bare string',
    client: 'Entra',
    source: '§0 #6; entra-manager-string',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u3'),
      operations: [op({ op: 'Add', path: `${ENTERPRISE}:manager`, value: `${271 + i}` })],
      checks: [{ what: 'manager.value set', ok: (r) => obj(ext(r), 'manager').value === `${271 + i}` }],
    }),
  },
  {
    name: 'manager as a one-element array, no URN',
    client: 'Entra',
    source: 'entra-manager-array',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u1'),
      operations: [
        op({
          op: 'Add',
          path: 'manager',
          value: [{ $ref: `https://scim.example.com/scim/v2/Users/u5${v(i)}`, value: `u5${v(i)}` }],
        }),
      ],
      checks: [
        { what: 'manager.value replaced', ok: (r) => obj(ext(r), 'manager').value === `u5${v(i)}` },
        { what: 'department kept', ok: (r) => ext(r).department === 'Tour Operations' },
      ],
    }),
  },
  {
    name: 'roles[primary eq "True"].value',
    client: 'Entra',
    source: 'entra-roles-primary-true-filter',
    conformance: 'quirk',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u5'),
      operations: [op({ op: 'Replace', path: 'roles[primary eq "True"].value', value: `Admin${v(i)}` })],
      checks: [
        {
          what: 'one primary role created',
          ok: (r) => {
            const primary = list(r, 'roles').filter((x) => x.primary === true);
            return primary.length === 1 && primary[0]!.value === `Admin${v(i)}`;
          },
        },
        { what: 'old role kept', ok: (r) => list(r, 'roles').some((x) => x.value === 'Old') },
      ],
    }),
  },
];
