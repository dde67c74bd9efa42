import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScimError } from '#scim/errors.ts';
import { normaliseAttributeValue } from '#scim/attribute-values.ts';
import { normaliseResource, type NormaliseMode } from '#scim/resource.ts';
import type { ResourceTypeName } from '#scim/schema/registry.ts';
import { loadCases, runCases, type DataCase } from '../../support/cases.ts';
import { registry } from './fixtures.ts';

interface Case extends DataCase {
  resourceType: ResourceTypeName;
  mode: NormaliseMode;
  existing?: Record<string, unknown>;
  body: unknown;
}

// The cases run against a registry whose custom extension is TEST_EXTENSION_ID (fixtures.ts).
const cases = loadCases<Case[]>('./resource.cases.json', import.meta.url);

describe('normaliseResource (resource.cases.json)', () => {
  runCases(cases, { run: (c) => normaliseResource(registry, c.resourceType, c.body, c.mode, c.existing) });

  it('has a case for each client named in idp-quirks', () => {
    const clients = new Set(cases.map((c) => c.client));
    for (const client of ['Okta', 'Entra', 'OneLogin', 'JumpCloud', 'Ping']) expect(clients).toContain(client);
  });
});

describe('normaliseResource: writeOnly and readOnly', () => {
  it('never puts password in the stored doc, even when sent in an odd case', () => {
    const out = normaliseResource(registry, 'User', { userName: 'a', PassWord: 'hunter2' }, 'create');
    expect(out.password).toBe('hunter2');
    expect(JSON.stringify(out.doc)).not.toContain('hunter2');
  });

  it('keeps custom writeOnly attributes in the doc (projection hides them)', () => {
    const ext = 'urn:ietf:params:scim:schemas:extension:test:2.0:User';
    const out = normaliseResource(registry, 'User', { userName: 'a', [ext]: { secret: 's' } }, 'create');
    expect(out.doc[ext]).toEqual({ secret: 's' });
    expect(out.password).toBeUndefined();
  });

  it('ignores readOnly attributes whatever their shape (junk id/meta/groups)', () => {
    const out = normaliseResource(registry, 'User', { userName: 'a', id: { x: 1 }, meta: 'junk', groups: 7 }, 'create');
    expect(out.doc).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'a' });
  });

  it('serialises the same resource identically whatever the key order sent', () => {
    const a = normaliseResource(
      registry,
      'User',
      { name: { givenName: 'G', familyName: 'F' }, userName: 'a', active: true },
      'create',
    );
    const b = normaliseResource(
      registry,
      'User',
      { active: 'true', userName: 'a', name: { familyName: 'F', givenName: 'G' } },
      'create',
    );
    expect(JSON.stringify(a.doc)).toBe(JSON.stringify(b.doc));
  });

  it('is idempotent: normalising a normalised doc gives it back', () => {
    const first = cases
      .filter((c) => c.expect)
      .map((c) => normaliseResource(registry, c.resourceType, c.body, c.mode, c.existing));
    for (const [i, out] of first.entries()) {
      const rt = out.doc.schemas[0]!.endsWith(':Group') ? 'Group' : 'User';
      const again = normaliseResource(registry, rt, out.doc, 'replace', out.doc);
      expect(again.doc, `case ${i}`).toEqual(out.doc);
    }
  });
});

describe('normaliseAttributeValue (shared with PATCH)', () => {
  const active = registry.resolve('User', { attribute: 'active' })!.attribute;
  const manager = registry.resolve('User', { attribute: 'manager' })!.attribute;
  const displayName = registry.resolve('User', { attribute: 'displayName' })!.attribute;
  it.each([
    ['Entra "False"', active, 'False', false],
    ['Entra "True"', active, 'True', true],
    ['Entra manager string', manager, '271', { value: '271' }],
    ['Entra manager array', manager, [{ value: '271', $ref: null }], { value: '271' }],
    ['single value given as [{value}]', displayName, [{ value: 'Babs' }], 'Babs'],
    ['null is absent', displayName, null, undefined],
  ] as const)('%s', (_, def, input, expected) => {
    expect(normaliseAttributeValue(def, input)).toEqual(expected);
  });
});

describe('normaliseResource properties', () => {
  const resourceTypes: ResourceTypeName[] = ['User', 'Group'];
  const modes: NormaliseMode[] = ['create', 'replace'];
  const names = [
    'userName',
    'USERNAME',
    'name',
    'name.givenName',
    'emails',
    'active',
    'displayName',
    'members',
    'password',
    'id',
    'meta',
    'groups',
    'roles',
    'addresses',
    'externalId',
    'schemas',
    'manager',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    'urn:ietf:params:scim:schemas:extension:test:2.0:User',
    'urn:scim:schemas:core:2.0',
    '__proto__',
    'constructor',
    'x509Certificates',
    'value',
    'primary',
    'type',
    'seats',
    'licence',
  ];
  const key = fc.oneof(fc.constantFrom(...names), fc.string());
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(null, true, false, 'True', 'false', '', '1', '2024-01-01T00:00:00Z', 0, 1.5, -1),
      fc.string(),
      fc.double(),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    ),
  })).value;

  it('throws nothing but a ScimError on arbitrary JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.dictionary(key, json, { maxKeys: 8 })),
        fc.option(fc.dictionary(key, json, { maxKeys: 6 }), { nil: undefined }),
        fc.constantFrom(...resourceTypes),
        fc.constantFrom(...modes),
        (body, existing, rt, mode) => {
          try {
            const out = normaliseResource(registry, rt, body, mode, existing);
            // What comes out is plain JSON that never carries the password.
            expect(JSON.parse(JSON.stringify(out.doc))).toEqual(out.doc);
            expect(out.doc).not.toHaveProperty('password');
            expect(Object.getPrototypeOf(out.doc)).toBe(Object.prototype);
          } catch (error) {
            if (!(error instanceof ScimError)) throw error;
            expect(error.status).toBe(400);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('keeps every string it accepts exactly as sent (Entra round-trip)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''),
        fc.string(),
        (userName, title) => {
          const out = normaliseResource(registry, 'User', { userName, title, name: { givenName: title } }, 'create');
          expect(out.doc.userName).toBe(userName);
          expect(out.doc.title).toBe(title);
          expect(out.doc.name).toEqual({ givenName: title });
        },
      ),
    );
  });
});
