// The one place that knows which schemas make up which resource type, and how a client's
// attribute path (any case, with or without a URN, core or extension) maps onto a definition.
// Filter evaluation, PATCH, validation, projection and the discovery documents all go through it.

import type { AttrPath } from '#scim/ast.ts';
import { commonAttributes } from '#scim/schema/common.ts';
import { DEFAULT_CUSTOM_EXTENSION } from '#scim/schema/custom-extension.ts';
import { ENTERPRISE_USER_SCHEMA_ID, enterpriseUserSchema } from '#scim/schema/enterprise-user.ts';
import { GROUP_SCHEMA_ID, groupSchema } from '#scim/schema/group.ts';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from '#scim/schema/types.ts';
import { USER_SCHEMA_ID, userSchema } from '#scim/schema/user.ts';

export type ResourceTypeName = 'User' | 'Group';

export interface ResolvedAttribute {
  /** The schema the attribute belongs to; the core schema for the common attributes (id, externalId, meta). */
  schemaId: string;
  attribute: AttributeDef;
  subAttribute?: AttributeDef;
  /**
   * The path with canonical-case names. `uri` is set only for extension attributes, so
   * `canonical.uri` is also the key of the extension object in a stored resource.
   */
  canonical: AttrPath;
  /** id, externalId or meta (RFC 7643 §3.1). */
  common: boolean;
}

/** Looks an attribute path up for one resource type; the filter evaluator's view of the schema. */
export type AttributeResolver = (path: AttrPath) => AttributeDef | undefined;

export interface SchemaRegistry {
  readonly resourceTypes: readonly ResourceTypeDef[];
  /** Every schema served by /Schemas: User, EnterpriseUser, the custom extension, Group. */
  readonly schemas: readonly SchemaDef[];
  readonly commonAttributes: readonly AttributeDef[];
  /** A schema by URN, case-insensitively. */
  schema(id: string): SchemaDef | undefined;
  /** A resource type by name ('User' / 'Group'), case-insensitively. */
  resourceType(name: string): ResourceTypeDef | undefined;
  /** The core schema of a resource type. */
  coreSchema(resourceType: ResourceTypeName): SchemaDef;
  /** The extension schemas of a resource type, in the order of `schemaExtensions`. */
  extensions(resourceType: ResourceTypeName): readonly SchemaDef[];
  /**
   * The schema of `resourceType` that a URN names (its core schema or one of its extensions),
   * case-insensitively, also under the legacy URNs clients still send
   * (`urn:scim:schemas:core:2.0`, `urn:scim:schemas:extension:enterprise:2.0`, OneLogin templates).
   */
  schemaForUrn(resourceType: ResourceTypeName, urn: string): SchemaDef | undefined;
  /**
   * Resolves an attribute path. Names and URNs are case-insensitive. A path without a URN is
   * looked up in the common attributes, then the core schema, then the extensions, where it
   * resolves only if exactly one extension defines it. The URN may also arrive still glued to
   * the attribute (`{attribute: 'urn:…:enterprise:2.0:User:department'}`) or split at any of its
   * colons; both are put back together and matched against the known URNs.
   * Returns undefined for an unknown or ambiguous path, or a sub-attribute of a non-complex one.
   */
  resolve(resourceType: ResourceTypeName, path: AttrPath): ResolvedAttribute | undefined;
  /** `resolve` reduced to the definition of the last path segment (sub-attribute if any). */
  resolver(resourceType: ResourceTypeName): AttributeResolver;
}

export interface RegistryOptions {
  /** The deployment's User extension; DEFAULT_CUSTOM_EXTENSION when omitted. */
  customExtension?: SchemaDef;
}

/** Legacy or vendor URNs that mean one of ours (lower-case key → our URN, per resource type). */
const LEGACY_URNS: Record<ResourceTypeName, Record<string, string>> = {
  User: {
    'urn:scim:schemas:core:2.0': USER_SCHEMA_ID,
    'urn:scim:schemas:core:1.0': USER_SCHEMA_ID,
    'urn:scim:schemas:extension:enterprise:2.0': ENTERPRISE_USER_SCHEMA_ID,
    'urn:scim:schemas:extension:enterprise:1.0': ENTERPRISE_USER_SCHEMA_ID,
  },
  Group: {
    'urn:scim:schemas:core:2.0': GROUP_SCHEMA_ID,
    'urn:scim:schemas:core:1.0': GROUP_SCHEMA_ID,
  },
};

function findByName(attributes: readonly AttributeDef[], name: string): AttributeDef | undefined {
  const lower = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === lower);
}

export function createRegistry(options: RegistryOptions = {}): SchemaRegistry {
  const custom = options.customExtension ?? DEFAULT_CUSTOM_EXTENSION;
  const schemas: SchemaDef[] = [userSchema, enterpriseUserSchema, custom, groupSchema];
  const resourceTypes: ResourceTypeDef[] = [
    {
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA_ID,
      schemaExtensions: [
        { schema: ENTERPRISE_USER_SCHEMA_ID, required: false },
        { schema: custom.id, required: false },
      ],
    },
    {
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_SCHEMA_ID,
      schemaExtensions: [],
    },
  ];

  const schemaById = new Map(schemas.map((s) => [s.id.toLowerCase(), s]));
  const typeByName = new Map(resourceTypes.map((t) => [t.name.toLowerCase(), t]));

  const schema = (id: string) => schemaById.get(id.toLowerCase());
  const resourceType = (name: string) => typeByName.get(name.toLowerCase());
  const typeDef = (name: ResourceTypeName): ResourceTypeDef => {
    const t = typeByName.get(name.toLowerCase());
    if (!t) throw new TypeError(`unknown resource type ${String(name)}`);
    return t;
  };
  const coreSchema = (rt: ResourceTypeName): SchemaDef => schema(typeDef(rt).schema)!;
  const extensionsOf = new Map<ResourceTypeName, SchemaDef[]>(
    resourceTypes.map((t) => [t.name, t.schemaExtensions.map((e) => schema(e.schema)!)]),
  );
  const extensions = (rt: ResourceTypeName): readonly SchemaDef[] => extensionsOf.get(rt) ?? [];

  // The URNs a resource type answers to, longest first, so prefix matching picks the most specific.
  const urnsOf = new Map<ResourceTypeName, { urn: string; schema: SchemaDef }[]>(
    resourceTypes.map((t) => {
      const own = [coreSchema(t.name), ...extensions(t.name)].map((s) => ({ urn: s.id.toLowerCase(), schema: s }));
      const legacy = Object.entries(LEGACY_URNS[t.name]).map(([urn, id]) => ({ urn, schema: schema(id)! }));
      return [t.name, [...own, ...legacy].sort((a, b) => b.urn.length - a.urn.length)];
    }),
  );

  const schemaForUrn = (rt: ResourceTypeName, urn: string): SchemaDef | undefined => {
    const lower = urn.toLowerCase();
    return urnsOf.get(rt)?.find((u) => u.urn === lower)?.schema;
  };

  /** Splits `urn:…:attr.sub` (any case) into the schema it names and the rest, or undefined if no known URN prefixes it. */
  const splitUrn = (rt: ResourceTypeName, full: string): { schema: SchemaDef; rest: string } | undefined => {
    const lower = full.toLowerCase();
    for (const { urn, schema: s } of urnsOf.get(rt) ?? []) {
      if (lower.startsWith(urn) && (lower[urn.length] === ':' || lower[urn.length] === '.')) {
        return { schema: s, rest: full.slice(urn.length + 1) };
      }
    }
    return undefined;
  };

  const resolveIn = (
    rt: ResourceTypeName,
    target: SchemaDef | undefined,
    attributeName: string,
    subName: string | undefined,
  ): ResolvedAttribute | undefined => {
    const core = coreSchema(rt);
    let found: { schemaId: string; attribute: AttributeDef; common: boolean; extension: boolean } | undefined;
    if (target === undefined || target === core) {
      const common = findByName(commonAttributes, attributeName);
      const inCore = common ? undefined : findByName(core.attributes, attributeName);
      if (common) found = { schemaId: core.id, attribute: common, common: true, extension: false };
      else if (inCore) found = { schemaId: core.id, attribute: inCore, common: false, extension: false };
    }
    if (!found && target !== core) {
      const candidates = (target ? [target] : extensions(rt))
        .map((s) => ({ s, a: findByName(s.attributes, attributeName) }))
        .filter((c): c is { s: SchemaDef; a: AttributeDef } => c.a !== undefined);
      const only = candidates.length === 1 ? candidates[0] : undefined;
      if (only) found = { schemaId: only.s.id, attribute: only.a, common: false, extension: true };
    }
    if (!found) return undefined;

    let subAttribute: AttributeDef | undefined;
    if (subName !== undefined) {
      if (found.attribute.type !== 'complex') return undefined;
      subAttribute = findByName(found.attribute.subAttributes ?? [], subName);
      if (!subAttribute) return undefined;
    }
    const canonical: AttrPath = {
      ...(found.extension ? { uri: found.schemaId } : {}),
      attribute: found.attribute.name,
      ...(subAttribute ? { subAttribute: subAttribute.name } : {}),
    };
    return {
      schemaId: found.schemaId,
      attribute: found.attribute,
      ...(subAttribute ? { subAttribute } : {}),
      canonical,
      common: found.common,
    };
  };

  const resolve = (rt: ResourceTypeName, path: AttrPath): ResolvedAttribute | undefined => {
    let attributeName = path.attribute;
    let subName = path.subAttribute;
    let target: SchemaDef | undefined;
    const glued = path.uri !== undefined ? `${path.uri}:${path.attribute}` : path.attribute;
    if (path.uri !== undefined || path.attribute.includes(':')) {
      const split = splitUrn(rt, glued);
      if (!split) return undefined;
      target = split.schema;
      const dot = split.rest.indexOf('.');
      if (dot >= 0) {
        if (subName !== undefined) return undefined;
        attributeName = split.rest.slice(0, dot);
        subName = split.rest.slice(dot + 1);
      } else {
        attributeName = split.rest;
      }
    } else if (subName === undefined && attributeName.includes('.')) {
      // A dotted name the caller did not split (`name.givenName` as one key).
      const dot = attributeName.indexOf('.');
      subName = attributeName.slice(dot + 1);
      attributeName = attributeName.slice(0, dot);
    }
    if (attributeName === '' || subName === '' || subName?.includes('.')) return undefined;
    return resolveIn(rt, target, attributeName, subName);
  };

  const resolver =
    (rt: ResourceTypeName): AttributeResolver =>
    (path) => {
      const r = resolve(rt, path);
      return r ? (r.subAttribute ?? r.attribute) : undefined;
    };

  return {
    resourceTypes,
    schemas,
    commonAttributes,
    schema,
    resourceType,
    coreSchema,
    extensions,
    schemaForUrn,
    resolve,
    resolver,
  };
}
