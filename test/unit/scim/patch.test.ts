import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScimError } from '#scim/errors.ts';
import { applyPatch, MAX_PATCH_OPERATIONS, MAX_VALUE_DEPTH, type PatchResult } from '#scim/patch.ts';
import type { ResourceTypeName } from '#scim/schema/registry.ts';
import { loadCases, runCases, type DataCase } from '../../support/cases.ts';
import { registry } from './fixtures.ts';

interface Case extends DataCase {
  resourceType: ResourceTypeName;
  resource: string;
  membersAsChanges?: boolean;
  operations: unknown[];
  expect?: PatchResult;
}

// The cases run against a registry whose custom extension is TEST_EXTENSION_ID (fixtures.ts).
const data = loadCases<{ resources: Record<string, Record<string, unknown>>; cases: Case[] }>(
  './patch.cases.json',
  import.meta.url,
);

describe('applyPatch (patch.cases.json)', () => {
  runCases(data.cases, {
    run: (c) =>
      applyPatch(data.resources[c.resource]!, c.operations, {
        registry,
        resourceType: c.resourceType,
        membersAsChanges: c.membersAsChanges ?? false,
      }),
    // The input resource is never modified, whatever the operations and however they fail.
    unchanged: (c) => data.resources[c.resource],
  });

  it('has a case for each client named in idp-quirks', () => {
    const clients = new Set(data.cases.map((c) => c.client));
    for (const client of ['Okta', 'Entra', 'OneLogin', 'JumpCloud']) expect(clients).toContain(client);
  });
});

describe('applyPatch: atomicity and limits', () => {
  const user = data.resources.user!;
  const options = { registry, resourceType: 'User' as const };

  it('applies nothing when a later operation fails, and never touches the input', () => {
    const before = structuredClone(user);
    const ops = [
      { op: 'replace', path: 'userName', value: 'changed' },
      { op: 'add', path: 'emails', value: [{ value: 'w@x.com', type: 'work', primary: true }] },
      { op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' },
    ];
    expect(() => applyPatch(user, ops, options)).toThrow(/^Operations\[2\]/);
    expect(user).toEqual(before);
  });

  it('returns a new object and keeps nothing of the operations by reference', () => {
    const value = [{ value: 'w@x.com', type: 'work' }];
    const { resource } = applyPatch(user, [{ op: 'add', path: 'emails', value }], options);
    expect(resource).not.toBe(user);
    expect(resource.emails).not.toBe(user.emails);
    value[0]!.value = 'changed afterwards';
    expect((resource.emails as Record<string, unknown>[])[1]!.value).toBe('w@x.com');
  });

  it('copies on write: what no operation touched is shared, the input is never modified', () => {
    const ext = data.resources.userExt!;
    const before = JSON.stringify(ext);
    const { resource } = applyPatch(
      ext,
      [
        { op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'X' },
        { op: 'replace', path: 'emails.display', value: 'D' },
        { op: 'add', path: 'emails', value: [{ value: 'p@x.com', primary: true }] },
      ],
      options,
    );
    expect(JSON.stringify(ext)).toBe(before);
    expect(resource.name).toBe(ext.name);
    expect(resource['urn:ietf:params:scim:schemas:extension:test:2.0:User']).toBe(
      ext['urn:ietf:params:scim:schemas:extension:test:2.0:User'],
    );
    expect(resource['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toEqual({
      department: 'X',
      manager: { value: 'm1', $ref: 'https://x/Users/m1' },
    });
    expect(resource.emails).toEqual([
      { value: 'b@home.org', type: 'home', primary: false, display: 'D' },
      { value: 'p@x.com', primary: true },
    ]);
  });

  it(`accepts ${MAX_PATCH_OPERATIONS} operations and refuses one more with tooMany`, () => {
    const ops = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` }));
    expect(applyPatch(user, ops(MAX_PATCH_OPERATIONS), options).resource.title).toBe(`t${MAX_PATCH_OPERATIONS - 1}`);
    let error: unknown;
    try {
      applyPatch(user, ops(MAX_PATCH_OPERATIONS + 1), options);
    } catch (e) {
      error = e;
    }
    expect((error as ScimError).toBody()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'tooMany',
      detail: `The request has ${MAX_PATCH_OPERATIONS + 1} operations; at most ${MAX_PATCH_OPERATIONS} are accepted per PATCH`,
    });
    expect(() => applyPatch(user, ops(3), { ...options, maxOperations: 2 })).toThrow('at most 2 are accepted');
  });

  it('refuses Operations that is not an array with invalidSyntax', () => {
    expect(() => applyPatch(user, { op: 'add' }, options)).toThrow(
      '"Operations" must be an array of operations (RFC 7644 §3.5.2)',
    );
  });

  it('refuses values nested deeper than any SCIM value (no stack overflow on hostile JSON)', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    for (const ops of [
      [{ op: 'add', path: 'title', value: deep }],
      [{ op: 'add', path: 'name', value: { givenName: deep } }],
      [{ op: 'remove', path: 'emails', value: deep }],
    ]) {
      expect(() => applyPatch(user, ops, options)).toThrow(
        `Operations[0]: The value nests deeper than ${MAX_VALUE_DEPTH} levels`,
      );
    }
    expect(() => applyPatch(user, [{ op: deep }], options)).toThrow(
      'Operations[0]: "op" must be "add", "remove" or "replace", got […]',
    );
  });

  it('does not let a value reach Object.prototype', () => {
    const evil = JSON.parse('{"op":"add","path":"name","value":{"__proto__":{"polluted":true},"givenName":"x"}}');
    const { resource } = applyPatch(
      user,
      [evil, { op: 'replace', value: JSON.parse('{"__proto__":{"polluted":true}}') }],
      options,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(resource.name).toEqual({ givenName: 'x', familyName: 'Jensen' });
  });
});

// "No client input yields a 5xx": whatever the operations, applyPatch returns or throws a ScimError.
describe('applyPatch: properties', () => {
  const paths = fc.constantFrom(
    undefined,
    '',
    'title',
    'userName',
    'name',
    'name.givenName',
    'emails',
    'emails.value',
    'emails[type eq "work"]',
    'emails[type eq "work"].value',
    'emails[value co "x"].type',
    'members',
    'members[value eq "a"]',
    'members[display eq "a"]',
    'id',
    'meta',
    'meta.created',
    'groups',
    'active',
    'roles[primary eq "True"].value',
    'displayName',
    'password',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    'urn:ietf:params:scim:schemas:extension:test:2.0:User:badgeId',
    'urn:ietf:params:scim:schemas:extension:test:2.0:User:tags',
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'nope',
    'emails[',
    'a.b.c',
  );
  const values = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(
      'True',
      { value: 'x', type: 'work', primary: true },
      [{ value: 'a' }],
      { 'name.givenName': 'x', active: 'False' },
      { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'x' } },
      { id: 'other' },
      [null],
      { members: [{ value: 'a' }] },
    ),
  );
  const operation = fc.record(
    {
      op: fc.oneof(
        fc.constantFrom('add', 'Add', 'replace', 'REPLACE', 'remove', 'Remove'),
        fc.jsonValue({ maxDepth: 0 }),
      ),
      path: paths,
      value: values,
    },
    { requiredKeys: ['op'] },
  );
  const operations = fc.oneof(fc.array(operation, { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }));

  it('throws nothing but ScimError 400s and never mutates the input', () => {
    fc.assert(
      fc.property(
        operations,
        fc.constantFrom('user', 'userExt', 'group', 'groupInline'),
        fc.boolean(),
        (ops, name, membersAsChanges) => {
          const resource = data.resources[name]!;
          const before = JSON.stringify(resource);
          const resourceType = name.startsWith('group') ? 'Group' : 'User';
          try {
            const out = applyPatch(resource, ops, { registry, resourceType, membersAsChanges });
            expect(typeof out.changed).toBe('boolean');
            JSON.stringify(out);
          } catch (error) {
            if (!(error instanceof ScimError)) throw error;
            expect(error.status).toBe(400);
          }
          expect(JSON.stringify(resource)).toBe(before);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('applies operations in order: one request equals its operations sent one by one', () => {
    const sortedSchemas = (r: Record<string, unknown>) => ({
      ...r,
      schemas: [...((r.schemas as string[]) ?? [])].sort(),
    });
    const options = { registry, resourceType: 'User' as const };
    fc.assert(
      fc.property(
        fc.array(operation, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('user', 'userExt'),
        (ops, name) => {
          let together: Record<string, unknown>;
          try {
            together = applyPatch(data.resources[name]!, ops, options).resource;
          } catch {
            return; // a failing request changes nothing, which the property above checks
          }
          let oneByOne = data.resources[name]!;
          for (const op of ops) oneByOne = applyPatch(oneByOne, [op], options).resource;
          expect(sortedSchemas(oneByOne)).toEqual(sortedSchemas(together));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
