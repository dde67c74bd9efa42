// Where an attribute path lives in a stored resource, and case-insensitive reads of it.
// Stored resources use canonical names and keep extension attributes under their URN key, but
// attribute names in filters and paths are case-insensitive (RFC 7644 §3.10), and attributes the
// schema does not know keep whatever case they were stored with.

import type { AttrPath } from '#scim/ast.ts';
import type { ResolvedAttribute, ResourceTypeName, SchemaRegistry } from '#scim/schema/registry.ts';
import type { AttributeDef } from '#scim/schema/types.ts';
import { equalsIgnoringCase, isObject, type JsonObject } from '#scim/json.ts';

/**
 * How the filter evaluator and the PATCH engine see the schema. Either form works:
 * - `registry.resolver('User')`: definitions only; an unqualified name is then looked for at the
 *   top level of the resource, and a URN-qualified one under its URN key unless it is a core URN;
 * - `(p) => registry.resolve('User', p)`: also gives the canonical location, so an extension
 *   attribute named without its URN (`employeeNumber eq "1"`) and legacy URNs are found too;
 * - `registryLookup(registry, 'User')` (below): the same, memoised — the one to use on hot paths.
 * An unknown attribute (undefined) is a caseExact=false string, found by name as written.
 */
export type AttributeLookup = (path: AttrPath) => AttributeDef | ResolvedAttribute | undefined;

export interface AttributeLocation {
  /** The URN key of the extension object holding the attribute; undefined for top-level attributes. */
  container: string | undefined;
  /** Attribute name as stored (canonical when known). */
  name: string;
  /** Sub-attribute name as stored (canonical when known), when the path has one. */
  sub: string | undefined;
  /** Definition of the attribute (not the sub-attribute), when known. */
  def: AttributeDef | undefined;
  /** Definition of the sub-attribute, when the path has one and it is known. */
  subDef: AttributeDef | undefined;
}

/** True for URNs of core schemas, whose attributes sit at the top level of a resource. */
export function isCoreUrn(uri: string): boolean {
  const lower = uri.toLowerCase();
  return lower.startsWith('urn:ietf:params:scim:schemas:core:') || lower.startsWith('urn:scim:schemas:core:');
}

function isResolved(r: AttributeDef | ResolvedAttribute): r is ResolvedAttribute {
  return (r as ResolvedAttribute).canonical !== undefined;
}

export function locate(path: AttrPath, lookup: AttributeLookup): AttributeLocation {
  const found = lookup(path);
  if (found !== undefined && isResolved(found)) {
    return {
      container: found.canonical.uri,
      name: found.canonical.attribute,
      sub: found.canonical.subAttribute ?? path.subAttribute,
      def: found.attribute,
      subDef: found.subAttribute,
    };
  }
  const container = path.uri !== undefined && !isCoreUrn(path.uri) ? path.uri : undefined;
  if (path.subAttribute === undefined) {
    return { container, name: found?.name ?? path.attribute, sub: undefined, def: found, subDef: undefined };
  }
  const parent = lookup({ ...(path.uri !== undefined ? { uri: path.uri } : {}), attribute: path.attribute });
  const def = parent === undefined ? undefined : isResolved(parent) ? parent.attribute : parent;
  return { container, name: def?.name ?? path.attribute, sub: found?.name ?? path.subAttribute, def, subDef: found };
}

/**
 * `obj[name]`, else the first own key equal to `name` ignoring case. Own properties only, so a
 * filter on `constructor` or `toString` never reaches Object.prototype.
 */
export function getKey(obj: JsonObject, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** The own key of `obj` equal to `name` ignoring case (exact match first). */
export function findKey(obj: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  // for-in with an own-property check visits the keys Object.keys lists, in its order, without
  // making the array; a miss (an attribute not set) is the usual case on this path.
  for (const key in obj) {
    if (key.length === name.length && Object.hasOwn(obj, key) && equalsIgnoringCase(key, name)) return key;
  }
  return undefined;
}

/** The object holding the attribute: the resource itself, or its extension object. */
export function containerOf(resource: JsonObject, location: AttributeLocation): JsonObject | undefined {
  if (location.container === undefined) return resource;
  const ext = getKey(resource, location.container);
  return isObject(ext) ? ext : undefined;
}

const lookupCaches = new WeakMap<SchemaRegistry, Map<string, ResolvedAttribute | null>>();
/** Paths are client text, so the memo is bounded: when full it starts over. */
const LOOKUP_CACHE_LIMIT = 4096;

const lookups = new WeakMap<SchemaRegistry, Map<ResourceTypeName, (path: AttrPath) => ResolvedAttribute | undefined>>();

/**
 * `(p) => registry.resolve(resourceType, p)`, memoised per registry. A look-up walks the schemas
 * and lower-cases names (about 3 µs); filters and PATCH bodies repeat the same few paths, so the
 * memo makes it a Map hit. The results are shared: never modify them. The same function is
 * returned for the same registry and type, so it can key the memo of compiled filters too.
 */
export function registryLookup(
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
): (path: AttrPath) => ResolvedAttribute | undefined {
  let byType = lookups.get(registry);
  if (!byType) lookups.set(registry, (byType = new Map()));
  let lookup = byType.get(resourceType);
  if (!lookup) byType.set(resourceType, (lookup = makeLookup(registry, resourceType)));
  return lookup;
}

function makeLookup(
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
): (path: AttrPath) => ResolvedAttribute | undefined {
  let cache = lookupCaches.get(registry);
  if (!cache) lookupCaches.set(registry, (cache = new Map()));
  const memo = cache;
  return (path) => {
    const key = `${resourceType}\u0000${path.uri ?? ''}\u0000${path.attribute}\u0000${path.subAttribute ?? ''}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const resolved = registry.resolve(resourceType, path);
    if (memo.size >= LOOKUP_CACHE_LIMIT) memo.clear();
    memo.set(key, resolved ?? null);
    return resolved;
  };
}
