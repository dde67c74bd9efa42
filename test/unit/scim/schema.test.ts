import { describe, expect, it } from 'vitest';
import { commonAttributes } from '#scim/schema/common.ts';
import {
  CUSTOM_EXTENSION_ENV,
  customExtensionFromEnv,
  DEFAULT_CUSTOM_EXTENSION,
  parseCustomExtension,
} from '#scim/schema/custom-extension.ts';
import { enterpriseUserSchema } from '#scim/schema/enterprise-user.ts';
import { groupSchema } from '#scim/schema/group.ts';
import type { AttributeDef } from '#scim/schema/types.ts';
import { userSchema } from '#scim/schema/user.ts';

const find = (attrs: AttributeDef[] | undefined, name: string) => attrs?.find((a) => a.name === name);
const traits = (a: AttributeDef | undefined) =>
  a && [a.type, a.multiValued, a.required, a.caseExact, a.mutability, a.returned, a.uniqueness];

// RFC 7643 §8.7.1 characteristics: [type, multiValued, required, caseExact, mutability, returned, uniqueness]
const rfc: [string, AttributeDef | undefined, unknown[]][] = [
  [
    'userName',
    find(userSchema.attributes, 'userName'),
    ['string', false, true, false, 'readWrite', 'default', 'server'],
  ],
  [
    'name.givenName',
    find(find(userSchema.attributes, 'name')?.subAttributes, 'givenName'),
    ['string', false, false, false, 'readWrite', 'default', 'none'],
  ],
  [
    'profileUrl',
    find(userSchema.attributes, 'profileUrl'),
    ['reference', false, false, false, 'readWrite', 'default', 'none'],
  ],
  ['active', find(userSchema.attributes, 'active'), ['boolean', false, false, false, 'readWrite', 'default', 'none']],
  ['password', find(userSchema.attributes, 'password'), ['string', false, false, false, 'writeOnly', 'never', 'none']],
  ['emails', find(userSchema.attributes, 'emails'), ['complex', true, false, false, 'readWrite', 'default', 'none']],
  [
    'photos.value',
    find(find(userSchema.attributes, 'photos')?.subAttributes, 'value'),
    ['reference', false, false, false, 'readWrite', 'default', 'none'],
  ],
  ['groups', find(userSchema.attributes, 'groups'), ['complex', true, false, false, 'readOnly', 'default', 'none']],
  [
    'groups.$ref',
    find(find(userSchema.attributes, 'groups')?.subAttributes, '$ref'),
    ['reference', false, false, false, 'readOnly', 'default', 'none'],
  ],
  [
    'x509Certificates.value',
    find(find(userSchema.attributes, 'x509Certificates')?.subAttributes, 'value'),
    ['binary', false, false, false, 'readWrite', 'default', 'none'],
  ],
  [
    'manager.displayName',
    find(find(enterpriseUserSchema.attributes, 'manager')?.subAttributes, 'displayName'),
    ['string', false, false, false, 'readOnly', 'default', 'none'],
  ],
  [
    'members.value',
    find(find(groupSchema.attributes, 'members')?.subAttributes, 'value'),
    ['string', false, false, false, 'immutable', 'default', 'none'],
  ],
  [
    'members.type',
    find(find(groupSchema.attributes, 'members')?.subAttributes, 'type'),
    ['string', false, false, false, 'immutable', 'default', 'none'],
  ],
  ['id', find(commonAttributes, 'id'), ['string', false, false, true, 'readOnly', 'always', 'server']],
  ['externalId', find(commonAttributes, 'externalId'), ['string', false, false, true, 'readWrite', 'default', 'none']],
  ['meta', find(commonAttributes, 'meta'), ['complex', false, false, false, 'readOnly', 'default', 'none']],
];

describe('schema definitions (RFC 7643 §8.7.1)', () => {
  it.each(rfc)('%s', (_, def, expected) => {
    expect(traits(def)).toEqual(expected);
  });

  it('lists the User attributes of RFC 7643 §4.1 in order', () => {
    expect(userSchema.attributes.map((a) => a.name)).toEqual([
      'userName',
      'name',
      'displayName',
      'nickName',
      'profileUrl',
      'title',
      'userType',
      'preferredLanguage',
      'locale',
      'timezone',
      'active',
      'password',
      'emails',
      'phoneNumbers',
      'ims',
      'photos',
      'addresses',
      'groups',
      'entitlements',
      'roles',
      'x509Certificates',
    ]);
  });

  it('gives the canonical type values', () => {
    const types = (attr: string) => find(find(userSchema.attributes, attr)?.subAttributes, 'type')?.canonicalValues;
    expect(types('emails')).toEqual(['work', 'home', 'other']);
    expect(types('phoneNumbers')).toEqual(['work', 'home', 'mobile', 'fax', 'pager', 'other']);
    expect(types('ims')).toEqual(['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']);
    expect(types('photos')).toEqual(['photo', 'thumbnail']);
    expect(types('addresses')).toEqual(['work', 'home', 'other']);
    expect(types('groups')).toEqual(['direct', 'indirect']);
  });

  it('makes Group displayName required (RFC 7643 §4.2)', () => {
    expect(find(groupSchema.attributes, 'displayName')?.required).toBe(true);
  });
});

describe('customExtensionFromEnv', () => {
  it('defaults when the variable is unset or blank', () => {
    expect(customExtensionFromEnv({})).toBe(DEFAULT_CUSTOM_EXTENSION);
    expect(customExtensionFromEnv({ [CUSTOM_EXTENSION_ENV]: '  ' })).toBe(DEFAULT_CUSTOM_EXTENSION);
    expect(DEFAULT_CUSTOM_EXTENSION.id).toBe('urn:ietf:params:scim:schemas:extension:app:2.0:User');
  });

  it('reads a definition, filling RFC 7643 §2.2 defaults', () => {
    const ext = customExtensionFromEnv({
      [CUSTOM_EXTENSION_ENV]: JSON.stringify({
        id: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User',
        name: 'AcmeUser',
        attributes: [
          { name: 'role', canonicalValues: ['admin', 'member'] },
          { name: 'seats', type: 'integer' },
          { name: 'site', subAttributes: [{ name: 'code' }] },
          { name: 'homepage', type: 'reference' },
        ],
      }),
    });
    expect(ext.id).toBe('urn:ietf:params:scim:schemas:extension:acme:2.0:User');
    expect(ext.description).toBe('AcmeUser extension');
    expect(ext.attributes[0]).toEqual({
      name: 'role',
      type: 'string',
      multiValued: false,
      description: '',
      required: false,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'none',
      canonicalValues: ['admin', 'member'],
    });
    expect(ext.attributes[2]?.type).toBe('complex');
    expect(ext.attributes[3]?.referenceTypes).toEqual(['external']);
  });

  it.each([
    ['not JSON', '{', /SCIM_CUSTOM_EXTENSION is not valid JSON/],
    ['no URN', JSON.stringify({ id: 'acme', name: 'A', attributes: [{ name: 'a' }] }), /id: must be a URN/],
    ['no attributes', JSON.stringify({ id: 'urn:x:y', name: 'A', attributes: [] }), /attributes/],
    [
      'bad attribute name',
      JSON.stringify({ id: 'urn:x:y', name: 'A', attributes: [{ name: '1st' }] }),
      /attributes\.0\.name/,
    ],
    [
      'unknown characteristic',
      JSON.stringify({ id: 'urn:x:y', name: 'A', attributes: [{ name: 'a', mutable: true }] }),
      /attributes\.0/,
    ],
    [
      'duplicate names',
      JSON.stringify({ id: 'urn:x:y', name: 'A', attributes: [{ name: 'a' }, { name: 'A' }] }),
      /defined twice/,
    ],
    [
      'nested complex',
      JSON.stringify({
        id: 'urn:x:y',
        name: 'A',
        attributes: [{ name: 'a', subAttributes: [{ name: 'b', subAttributes: [{ name: 'c' }] }] }],
      }),
      /complex sub-attributes/,
    ],
    [
      'a standard URN',
      JSON.stringify({ id: 'urn:ietf:params:scim:schemas:core:2.0:User', name: 'A', attributes: [{ name: 'a' }] }),
      /standard schema/,
    ],
  ])('refuses %s', (_, raw, message) => {
    expect(() => customExtensionFromEnv({ [CUSTOM_EXTENSION_ENV]: raw })).toThrow(message);
  });

  it('parses a definition object directly', () => {
    expect(parseCustomExtension({ id: 'urn:x:y', name: 'Y', attributes: [{ name: 'a' }] }).attributes).toHaveLength(1);
  });
});
