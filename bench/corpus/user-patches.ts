// User PATCH bodies in the RFC's shapes that real IdPs send, as `make(variant)`: variant 0 is the
// body as the client sends it; other variants keep the shape and change the values (see
// idp-requests.ts).

import { APP_EXTENSION, ENTERPRISE, corpusResource } from './resources.ts';
import { op, list, emails, obj, ext, sameSet, even } from './checks.ts';
import { v, type PatchCase } from './types.ts';

export const USER_PATCHES: PatchCase[] = [
  {
    name: 'deactivate, no path',
    client: 'Okta',
    source: '§1.3; okta-deactivate-no-path',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u1'),
      operations: [op({ op: 'replace', value: { active: !even(i) } })],
      checks: [
        { what: 'active set', ok: (r) => r.active === !even(i) },
        { what: 'userName kept', ok: (r) => r.userName === 'bjensen@example.com' },
      ],
    }),
  },
  {
    name: 'reactivate, no path',
    client: 'Okta',
    source: '§1.3; okta-reactivate-no-path',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u2'),
      operations: [op({ op: 'replace', value: { active: even(i) } })],
      checks: [{ what: 'active set', ok: (r) => r.active === even(i) }],
    }),
  },
  {
    name: 'replace work email and family name',
    client: 'Entra (flag)',
    source: '§2.3',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u1'),
      operations: [
        op({ op: 'replace', path: 'emails[type eq "work"].value', value: `updatedEmail${v(i)}@microsoft.com` }),
        op({ op: 'replace', path: 'name.familyName', value: `updatedFamilyName${v(i)}` }),
      ],
      checks: [
        {
          what: 'work email replaced',
          ok: (r) => emails(r).some((e) => e.type === 'work' && e.value === `updatedEmail${v(i)}@microsoft.com`),
        },
        {
          what: 'home email kept',
          ok: (r) => emails(r).some((e) => e.type === 'home' && e.value === 'babs@jensen.org'),
        },
        { what: 'familyName replaced', ok: (r) => obj(r, 'name').familyName === `updatedFamilyName${v(i)}` },
        { what: 'givenName kept', ok: (r) => obj(r, 'name').givenName === 'Barbara' },
      ],
    }),
  },
  {
    name: 'userName rename',
    client: 'Entra (UPN change)',
    source: '§2.3; entra-upn-rename',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u3'),
      operations: [op({ op: 'replace', path: 'userName', value: `kim.lee2${v(i)}@example.com` })],
      checks: [{ what: 'userName replaced', ok: (r) => r.userName === `kim.lee2${v(i)}@example.com` }],
    }),
  },
  {
    name: 'replace name object',
    client: 'OneLogin / scripts',
    source: 'RFC 7644 §3.5.2.3',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u4'),
      operations: [op({ op: 'replace', path: 'name', value: { givenName: `One${v(i)}`, familyName: 'Login' } })],
      checks: [
        { what: 'givenName replaced', ok: (r) => obj(r, 'name').givenName === `One${v(i)}` },
        { what: 'familyName replaced', ok: (r) => obj(r, 'name').familyName === 'Login' },
      ],
    }),
  },
  {
    name: 'remove home email by filter',
    client: 'RFC',
    source: 'RFC 7644 §3.5.2.2',
    conformance: 'rfc',
    resourceType: 'User',
    make: () => ({
      resource: corpusResource('u1'),
      operations: [op({ op: 'remove', path: 'emails[type eq "home"]' })],
      checks: [
        { what: 'home email gone', ok: (r) => !emails(r).some((e) => e.type === 'home') },
        {
          what: 'work email kept',
          ok: (r) => emails(r).some((e) => e.type === 'work' && e.value === 'bjensen@example.com'),
        },
      ],
    }),
  },
  {
    name: 'add single-valued attribute',
    client: 'Entra (flag)',
    source: '§2.2; entra-add-single-valued',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u3'),
      operations: [op({ op: 'add', path: 'nickName', value: `Babs${v(i)}` })],
      checks: [{ what: 'nickName set', ok: (r) => r.nickName === `Babs${v(i)}` }],
    }),
  },
  {
    name: 'URN-qualified path',
    client: 'Entra',
    source: '§2.3 custom attributes',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u3'),
      operations: [op({ op: 'replace', path: `${ENTERPRISE}:department`, value: `Research${v(i)}` })],
      checks: [
        { what: 'department replaced', ok: (r) => ext(r).department === `Research${v(i)}` },
        { what: 'employeeNumber kept', ok: (r) => ext(r).employeeNumber === '1234567' },
      ],
    }),
  },
  {
    name: 'custom extension path',
    client: 'Entra (urn:…:extension:<Name>:2.0:User:<attr>)',
    source: 'entra-custom-extension-path',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u3'),
      operations: [op({ op: 'Add', path: `${APP_EXTENSION}:role`, value: `viewer${v(i)}` })],
      checks: [
        { what: 'role set in the extension', ok: (r) => obj(r, APP_EXTENSION).role === `viewer${v(i)}` },
        { what: 'enterprise kept', ok: (r) => ext(r).department === 'Engineering' },
      ],
    }),
  },
  {
    name: 'no-path replace with nested objects',
    client: 'Okta (OIW "Support PATCH for User")',
    source: 'okta-oiw-patch-profile',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u1'),
      operations: [
        op({
          op: 'replace',
          value: {
            name: { givenName: `Nested${v(i)}`, familyName: 'User' },
            displayName: `Nested User${v(i)}`,
            nickName: 'Nesty',
          },
        }),
        op({ op: 'replace', path: 'title', value: `Director${v(i)}` }),
      ],
      checks: [
        { what: 'givenName', ok: (r) => obj(r, 'name').givenName === `Nested${v(i)}` },
        { what: 'familyName', ok: (r) => obj(r, 'name').familyName === 'User' },
        { what: 'displayName', ok: (r) => r.displayName === `Nested User${v(i)}` },
        { what: 'title', ok: (r) => r.title === `Director${v(i)}` },
        { what: 'emails kept', ok: (r) => emails(r).length === 2 },
      ],
    }),
  },
  {
    name: 'four pathed replaces',
    client: 'JumpCloud',
    source: '§4; jumpcloud-replace-per-attribute',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u3'),
      operations: [
        op({ op: 'replace', path: 'name.givenName', value: `Jumpy${v(i)}` }),
        op({ op: 'replace', path: 'name.familyName', value: 'Clouds' }),
        op({ op: 'replace', path: 'title', value: `Ops${v(i)}` }),
        op({ op: 'replace', path: 'active', value: false }),
      ],
      checks: [
        { what: 'givenName', ok: (r) => obj(r, 'name').givenName === `Jumpy${v(i)}` },
        { what: 'familyName', ok: (r) => obj(r, 'name').familyName === 'Clouds' },
        { what: 'title', ok: (r) => r.title === `Ops${v(i)}` },
        { what: 'inactive', ok: (r) => r.active === false },
      ],
    }),
  },
  {
    name: 'role with a JSON-encoded value',
    client: 'Entra (app roles)',
    source: 'entra-roles-json-string',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => {
      const encoded = JSON.stringify({ id: `06b07648-ecfe-589f-9d2f${v(i)}`, value: '25', displayName: 'Role1234' });
      return {
        resource: corpusResource('u5'),
        operations: [op({ op: 'Add', path: 'roles', value: [{ value: encoded }] })],
        checks: [
          {
            what: 'role added, old kept',
            ok: (r) => list(r, 'roles').length === 2 && list(r, 'roles').some((x) => x.value === encoded),
          },
        ],
      };
    },
  },
  {
    name: 'roles replaced by the assigned set',
    client: 'Entra (AssertiveAppRoleAssignmentsComplex)',
    source: 'entra-assertive-roles-replace',
    conformance: 'rfc',
    resourceType: 'User',
    make: (i) => ({
      resource: corpusResource('u5'),
      operations: [
        op({
          op: 'replace',
          path: 'roles',
          value: [
            { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: `Admin${v(i)}` },
            { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: `Reader${v(i)}` },
          ],
        }),
      ],
      checks: [
        {
          what: 'exactly the two roles',
          ok: (r) =>
            sameSet(
              list(r, 'roles').map((x) => x.value),
              [`Admin${v(i)}`, `Reader${v(i)}`],
            ),
        },
      ],
    }),
  },
];
