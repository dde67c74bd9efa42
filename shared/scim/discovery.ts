// The discovery documents (RFC 7644 §4, RFC 7643 §5-§7), generated from the same definitions
// that drive validation and projection, so /Schemas can never promise what the server does not do.
// Entra wants /Schemas (and, in practice, /ResourceTypes) as ListResponses with camelCase
// characteristic values and no nulls (idp-quirks §2.3): `listResponse` wraps either list.

import type { ResourceTypeName, SchemaRegistry } from '#scim/schema/registry.ts';
import { MAX_PATCH_OPERATIONS } from '#scim/patch.ts';
import type { AttributeDef, SchemaDef } from '#scim/schema/types.ts';

export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface AuthenticationScheme {
  type: string;
  name: string;
  description: string;
  specUri?: string;
  documentationUri?: string;
  primary?: boolean;
}

/** RFC 9865 §2.2 `pagination` block, declared only when given. */
export interface PaginationFeatures {
  cursor: boolean;
  index: boolean;
  defaultPaginationMethod?: 'cursor' | 'index';
  defaultPageSize?: number;
  maxPageSize?: number;
  cursorTimeout?: number;
}

export interface ServiceProviderFeatures {
  /** `https://host/stage/scim/v2`; sets meta.location when given. */
  baseUrl?: string;
  documentationUri?: string;
  patch: boolean;
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
  filter: { supported: boolean; maxResults: number };
  /**
   * Whether a password set through PUT/PATCH is kept. The normaliser always hands the writeOnly
   * password to the caller apart from the resource; declare true only where the store keeps (a
   * hash of) it. False by default: the directory provisions accounts for an application that
   * signs users in through its IdP, and Okta sends a placeholder password anyway.
   */
  changePassword: boolean;
  sort: boolean;
  etag: boolean;
  authenticationSchemes: AuthenticationScheme[];
  pagination?: PaginationFeatures;
}

export const OAUTH_BEARER_TOKEN: AuthenticationScheme = {
  type: 'oauthbearertoken',
  name: 'OAuth Bearer Token',
  description: 'Authentication with a bearer token issued by the directory admin (Authorization: Bearer <token>).',
  specUri: 'https://www.rfc-editor.org/info/rfc6750',
  primary: true,
};

export const DEFAULT_FEATURES: ServiceProviderFeatures = {
  patch: true,
  // Bulk is not served; maxOperations still says how many operations one PATCH may carry, because
  // authentik (and others) chunk PATCHes by it, and 0 there means "everything in one PATCH".
  bulk: { supported: false, maxOperations: MAX_PATCH_OPERATIONS, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 200 },
  changePassword: false,
  sort: true,
  etag: true,
  authenticationSchemes: [OAUTH_BEARER_TOKEN],
};

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function serviceProviderConfig(features: Partial<ServiceProviderFeatures> = {}): Record<string, unknown> {
  const f: ServiceProviderFeatures = { ...DEFAULT_FEATURES, ...features };
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    ...(f.documentationUri ? { documentationUri: f.documentationUri } : {}),
    patch: { supported: f.patch },
    bulk: { ...f.bulk },
    filter: { ...f.filter },
    changePassword: { supported: f.changePassword },
    sort: { supported: f.sort },
    etag: { supported: f.etag },
    ...(f.pagination ? { pagination: { ...f.pagination } } : {}),
    authenticationSchemes: f.authenticationSchemes.map((s) => ({ ...s })),
    meta: {
      resourceType: 'ServiceProviderConfig',
      ...(f.baseUrl !== undefined ? { location: `${trimSlash(f.baseUrl)}/ServiceProviderConfig` } : {}),
    },
  };
}

export function resourceTypeDocument(
  registry: SchemaRegistry,
  baseUrl: string,
  name: ResourceTypeName,
): Record<string, unknown> {
  const t = registry.resourceType(name);
  if (!t) throw new TypeError(`unknown resource type ${name}`);
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: t.id,
    name: t.name,
    endpoint: t.endpoint,
    description: t.description,
    schema: t.schema,
    schemaExtensions: t.schemaExtensions.map((e) => ({ schema: e.schema, required: e.required })),
    meta: { resourceType: 'ResourceType', location: `${trimSlash(baseUrl)}/ResourceTypes/${t.id}` },
  };
}

export function resourceTypes(registry: SchemaRegistry, baseUrl: string): Record<string, unknown>[] {
  return registry.resourceTypes.map((t) => resourceTypeDocument(registry, baseUrl, t.name));
}

function attributeDocument(def: AttributeDef): Record<string, unknown> {
  return {
    name: def.name,
    type: def.type,
    multiValued: def.multiValued,
    description: def.description,
    required: def.required,
    ...(def.canonicalValues ? { canonicalValues: [...def.canonicalValues] } : {}),
    caseExact: def.caseExact,
    mutability: def.mutability,
    returned: def.returned,
    uniqueness: def.uniqueness,
    ...(def.referenceTypes ? { referenceTypes: [...def.referenceTypes] } : {}),
    ...(def.subAttributes ? { subAttributes: def.subAttributes.map(attributeDocument) } : {}),
  };
}

export function schemaDocument(schema: SchemaDef, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: 'Schema', location: `${trimSlash(baseUrl)}/Schemas/${schema.id}` },
  };
}

export function schemas(registry: SchemaRegistry, baseUrl: string): Record<string, unknown>[] {
  return registry.schemas.map((s) => schemaDocument(s, baseUrl));
}

/** A whole, unpaged ListResponse (RFC 7644 §3.4.2) around discovery documents. */
export function listResponse(resources: Record<string, unknown>[]): Record<string, unknown> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
}
