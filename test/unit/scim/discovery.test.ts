import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FEATURES,
  listResponse,
  resourceTypes,
  schemaDocument,
  schemas,
  serviceProviderConfig,
} from '#scim/discovery.ts';
import { MAX_PATCH_OPERATIONS } from '#scim/patch.ts';
import { createRegistry } from '#scim/schema/registry.ts';
import { userSchema } from '#scim/schema/user.ts';
import { registry, TEST_EXTENSION_ID } from './fixtures.ts';

const BASE = 'https://api.example.com/prod/scim/v2';

describe('serviceProviderConfig', () => {
  it('declares the defaults', () => {
    expect(serviceProviderConfig({ baseUrl: `${BASE}/` })).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: MAX_PATCH_OPERATIONS, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'OAuth Bearer Token',
          description: expect.any(String),
          specUri: 'https://www.rfc-editor.org/info/rfc6750',
          primary: true,
        },
      ],
      meta: { resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` },
    });
  });

  it('takes every feature as a parameter', () => {
    const doc = serviceProviderConfig({
      documentationUri: 'https://docs.example.com/scim',
      changePassword: true,
      sort: false,
      filter: { supported: true, maxResults: 50 },
      pagination: {
        cursor: true,
        index: true,
        defaultPaginationMethod: 'index',
        defaultPageSize: 100,
        maxPageSize: 200,
      },
    });
    expect(doc).toMatchObject({
      documentationUri: 'https://docs.example.com/scim',
      changePassword: { supported: true },
      sort: { supported: false },
      filter: { maxResults: 50 },
      pagination: { cursor: true, index: true, defaultPageSize: 100 },
      meta: { resourceType: 'ServiceProviderConfig' },
    });
    expect(DEFAULT_FEATURES.filter.maxResults).toBe(200);
  });
});

describe('resourceTypes', () => {
  it('describes User (with both extensions) and Group', () => {
    expect(resourceTypes(registry, BASE)).toEqual([
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        description: 'User Account',
        schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
        schemaExtensions: [
          { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false },
          { schema: TEST_EXTENSION_ID, required: false },
        ],
        meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
      },
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
        id: 'Group',
        name: 'Group',
        endpoint: '/Groups',
        description: 'Group',
        schema: 'urn:ietf:params:scim:schemas:core:2.0:Group',
        schemaExtensions: [],
        meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/Group` },
      },
    ]);
  });
});

describe('schemas', () => {
  it('serves every schema of the registry, with meta.location', () => {
    const docs = schemas(createRegistry(), BASE);
    expect(docs.map((d) => d.id)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:extension:app:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    expect(docs[0]!.meta).toEqual({
      resourceType: 'Schema',
      location: `${BASE}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`,
    });
  });

  it('writes attributes with every characteristic and no nulls (Entra: camelCase, no nulls)', () => {
    const doc = schemaDocument(userSchema, BASE);
    const text = JSON.stringify(doc);
    expect(text).not.toContain('null');
    const emails = (doc.attributes as Record<string, unknown>[]).find((a) => a.name === 'emails')!;
    expect(Object.keys(emails)).toEqual([
      'name',
      'type',
      'multiValued',
      'description',
      'required',
      'caseExact',
      'mutability',
      'returned',
      'uniqueness',
      'subAttributes',
    ]);
    const type = (emails.subAttributes as Record<string, unknown>[]).find((a) => a.name === 'type')!;
    expect(type.canonicalValues).toEqual(['work', 'home', 'other']);
    const password = (doc.attributes as Record<string, unknown>[]).find((a) => a.name === 'password')!;
    expect(password).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
  });

  it('is generated from the definitions: a custom extension shows up as configured', () => {
    const docs = schemas(registry, BASE);
    const ext = docs.find((d) => d.id === TEST_EXTENSION_ID)!;
    expect((ext.attributes as { name: string }[]).map((a) => a.name)).toContain('badgeId');
  });
});

describe('listResponse', () => {
  it('wraps discovery documents (Entra wants ListResponses)', () => {
    expect(listResponse([{ id: 'a' }])).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      itemsPerPage: 1,
      startIndex: 1,
      Resources: [{ id: 'a' }],
    });
  });
});
