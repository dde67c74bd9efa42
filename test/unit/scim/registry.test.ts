import { describe, expect, it } from 'vitest';
import type { AttrPath } from '#scim/ast.ts';
import { createRegistry, type ResourceTypeName } from '#scim/schema/registry.ts';
import { DEFAULT_CUSTOM_EXTENSION } from '#scim/schema/custom-extension.ts';
import { registry, TEST_EXTENSION_ID } from './fixtures.ts';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// [title, resource type, path as a client wrote it, canonical path (undefined = does not resolve)]
const resolutions: [string, ResourceTypeName, AttrPath, AttrPath | undefined][] = [
  ['plain core attribute', 'User', { attribute: 'userName' }, { attribute: 'userName' }],
  ['PingOne lower-case name', 'User', { attribute: 'username' }, { attribute: 'userName' }],
  [
    'sub-attribute, any case',
    'User',
    { attribute: 'NAME', subAttribute: 'GIVENNAME' },
    { attribute: 'name', subAttribute: 'givenName' },
  ],
  [
    'core URN prefix',
    'User',
    { uri: CORE_USER, attribute: 'emails', subAttribute: 'value' },
    { attribute: 'emails', subAttribute: 'value' },
  ],
  [
    'core URN prefix in another case',
    'User',
    { uri: CORE_USER.toUpperCase(), attribute: 'active' },
    { attribute: 'active' },
  ],
  [
    'Entra filter on an enterprise attribute',
    'User',
    { uri: ENTERPRISE, attribute: 'employeeNumber' },
    { uri: ENTERPRISE, attribute: 'employeeNumber' },
  ],
  [
    'enterprise URN in lower case',
    'User',
    { uri: ENTERPRISE.toLowerCase(), attribute: 'MANAGER', subAttribute: 'value' },
    { uri: ENTERPRISE, attribute: 'manager', subAttribute: 'value' },
  ],
  [
    'URN still glued to the attribute',
    'User',
    { attribute: `${ENTERPRISE}:manager.value` },
    { uri: ENTERPRISE, attribute: 'manager', subAttribute: 'value' },
  ],
  [
    'URN split at the wrong colon',
    'User',
    { uri: 'urn:ietf:params:scim:schemas:extension:enterprise', attribute: '2.0:User:department' },
    { uri: ENTERPRISE, attribute: 'department' },
  ],
  [
    'legacy OneLogin enterprise URN with a dot',
    'User',
    { attribute: 'urn:scim:schemas:extension:enterprise:2.0.department' },
    { uri: ENTERPRISE, attribute: 'department' },
  ],
  [
    'extension attribute without URN when unambiguous',
    'User',
    { attribute: 'department' },
    { uri: ENTERPRISE, attribute: 'department' },
  ],
  [
    'custom extension attribute without URN',
    'User',
    { attribute: 'seats' },
    { uri: TEST_EXTENSION_ID, attribute: 'seats' },
  ],
  [
    'dotted name left unsplit',
    'User',
    { attribute: 'name.familyName' },
    { attribute: 'name', subAttribute: 'familyName' },
  ],
  ['common id', 'User', { attribute: 'ID' }, { attribute: 'id' }],
  [
    'common externalId under the core URN',
    'Group',
    { uri: CORE_GROUP, attribute: 'externalid' },
    { attribute: 'externalId' },
  ],
  [
    'meta sub-attribute',
    'User',
    { attribute: 'meta', subAttribute: 'LASTMODIFIED' },
    { attribute: 'meta', subAttribute: 'lastModified' },
  ],
  [
    'group members.value',
    'Group',
    { attribute: 'members', subAttribute: 'value' },
    { attribute: 'members', subAttribute: 'value' },
  ],
  [
    '$ref sub-attribute',
    'Group',
    { attribute: 'members', subAttribute: '$REF' },
    { attribute: 'members', subAttribute: '$ref' },
  ],
  ['unknown attribute', 'User', { attribute: 'favouriteColour' }, undefined],
  ['unknown sub-attribute', 'User', { attribute: 'name', subAttribute: 'nickName' }, undefined],
  ['sub-attribute of a simple attribute', 'User', { attribute: 'userName', subAttribute: 'value' }, undefined],
  ['User attribute on Group', 'Group', { attribute: 'userName' }, undefined],
  ['enterprise attribute on Group', 'Group', { uri: ENTERPRISE, attribute: 'department' }, undefined],
  ['unknown URN', 'User', { uri: 'urn:example:ext:1.0', attribute: 'x' }, undefined],
  ['core attribute under an extension URN', 'User', { uri: ENTERPRISE, attribute: 'userName' }, undefined],
  ['a schema URN is not an attribute', 'User', { attribute: ENTERPRISE }, undefined],
  ['empty name', 'User', { attribute: '' }, undefined],
];

describe('registry.resolve', () => {
  it.each(resolutions)('%s', (_, rt, path, canonical) => {
    expect(registry.resolve(rt, path)?.canonical).toEqual(canonical);
  });

  it('reports the schema, definitions and whether the attribute is common', () => {
    const r = registry.resolve('User', { uri: ENTERPRISE, attribute: 'manager', subAttribute: 'displayName' })!;
    expect(r.schemaId).toBe(ENTERPRISE);
    expect(r.attribute.name).toBe('manager');
    expect(r.subAttribute?.mutability).toBe('readOnly');
    expect(r.common).toBe(false);
    expect(registry.resolve('User', { attribute: 'meta' })).toMatchObject({ schemaId: CORE_USER, common: true });
  });

  it('does not resolve an unprefixed name two extensions define', () => {
    const clash = createRegistry({
      customExtension: {
        ...DEFAULT_CUSTOM_EXTENSION,
        attributes: [{ ...DEFAULT_CUSTOM_EXTENSION.attributes[0]!, name: 'department' }],
      },
    });
    expect(clash.resolve('User', { attribute: 'department' })).toBeUndefined();
    expect(clash.resolve('User', { uri: ENTERPRISE, attribute: 'department' })?.schemaId).toBe(ENTERPRISE);
  });

  it('gives the filter evaluator the leaf definition', () => {
    const resolve = registry.resolver('User');
    expect(resolve({ attribute: 'emails', subAttribute: 'type' })?.canonicalValues).toEqual(['work', 'home', 'other']);
    expect(resolve({ attribute: 'id' })?.caseExact).toBe(true);
    expect(resolve({ attribute: 'userName' })?.caseExact).toBe(false);
    expect(resolve({ attribute: 'nope' })).toBeUndefined();
  });
});

describe('registry lookups', () => {
  it('knows the resource types and their schemas', () => {
    expect(registry.resourceTypes.map((t) => [t.name, t.endpoint, t.schema, t.schemaExtensions])).toEqual([
      [
        'User',
        '/Users',
        CORE_USER,
        [
          { schema: ENTERPRISE, required: false },
          { schema: TEST_EXTENSION_ID, required: false },
        ],
      ],
      ['Group', '/Groups', CORE_GROUP, []],
    ]);
    expect(registry.resourceType('user')?.name).toBe('User');
    expect(registry.resourceType('Device')).toBeUndefined();
    expect(registry.coreSchema('Group').id).toBe(CORE_GROUP);
    expect(registry.extensions('User').map((s) => s.id)).toEqual([ENTERPRISE, TEST_EXTENSION_ID]);
    expect(registry.extensions('Group')).toEqual([]);
  });

  it('finds schemas by URN case-insensitively, legacy URNs per resource type', () => {
    expect(registry.schema(ENTERPRISE.toUpperCase())?.id).toBe(ENTERPRISE);
    expect(registry.schemaForUrn('User', 'urn:scim:schemas:core:2.0')?.id).toBe(CORE_USER);
    expect(registry.schemaForUrn('Group', 'urn:scim:schemas:core:2.0')?.id).toBe(CORE_GROUP);
    expect(registry.schemaForUrn('User', 'urn:scim:schemas:extension:enterprise:2.0')?.id).toBe(ENTERPRISE);
    expect(registry.schemaForUrn('Group', ENTERPRISE)).toBeUndefined();
    expect(
      registry.schemaForUrn('User', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/User'),
    ).toBeUndefined();
  });

  it('uses the default custom extension when none is configured', () => {
    const r = createRegistry();
    expect(r.extensions('User').map((s) => s.id)).toEqual([ENTERPRISE, DEFAULT_CUSTOM_EXTENSION.id]);
    expect(r.resolve('User', { attribute: 'role' })?.canonical).toEqual({
      uri: DEFAULT_CUSTOM_EXTENSION.id,
      attribute: 'role',
    });
  });
});
