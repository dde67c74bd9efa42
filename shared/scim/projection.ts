// Which attributes a response carries: RFC 7644 §3.9 (`attributes`, `excludedAttributes`) on top
// of the RFC 7643 §2.2 `returned` characteristic of each definition:
// - always  (id, and `schemas`): returned whatever the parameters say;
// - never   (password) and anything writeOnly: never returned;
// - default (almost everything, userName included per §8.7.1): returned unless excluded, or
//           unless `attributes` is given and does not name it;
// - request: returned only when `attributes` names it.
// With `attributes`, naming a sub-attribute (`name.givenName`) returns just that part of the
// complex attribute; naming an extension URN returns that extension's default attributes.
// When both parameters are given, `attributes` wins and `excludedAttributes` is ignored.
// Names that match nothing are ignored rather than refused, like unknown attributes on input.

import type { AttrPath } from '#scim/ast.ts';
import type { ResourceTypeName, SchemaRegistry } from '#scim/schema/registry.ts';
import type { AttributeDef, SchemaDef } from '#scim/schema/types.ts';

export interface ProjectionOptions {
  /** A raw `attributes` parameter, or an already parsed list. */
  attributes?: string | readonly AttrPath[] | undefined;
  /** A raw `excludedAttributes` parameter, or an already parsed list. */
  excludedAttributes?: string | readonly AttrPath[] | undefined;
}

/** Splits on commas outside brackets and quotes. */
function splitList(param: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < param.length; i++) {
    const c = param[i]!;
    if (quoted) {
      if (c === '\\' && i + 1 < param.length) {
        current += c + param[++i]!;
        continue;
      }
      if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts;
}

/** Drops `[...]` filters: Entra asks for `emails[type eq "work"]`, which we read as `emails`. */
function stripFilters(item: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < item.length; i++) {
    const c = item[i]!;
    if (depth > 0) {
      if (quoted) {
        if (c === '\\') i++;
        else if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === '[') depth++;
      else if (c === ']') depth--;
      continue;
    }
    if (c === '[') depth = 1;
    else out += c;
  }
  return out;
}

/**
 * Parses an `attributes` / `excludedAttributes` value: a comma-separated list of attribute paths,
 * each optionally URN-qualified (`urn:…:enterprise:2.0:User:manager.value`) or a bare schema URN
 * (`urn:…:enterprise:2.0:User`, then `uri` holds all but the last segment). Whitespace and empty
 * items are ignored. Never throws.
 */
export function parseAttributeList(param?: string | readonly string[]): AttrPath[] {
  if (param === undefined) return [];
  const raw = typeof param === 'string' ? [param] : param;
  const paths: AttrPath[] = [];
  for (const item of raw.flatMap((p) => splitList(p))) {
    const text = stripFilters(item).trim();
    if (text === '') continue;
    let uri: string | undefined;
    let rest = text;
    if (/^urn:/i.test(text)) {
      const colon = text.lastIndexOf(':');
      uri = text.slice(0, colon);
      rest = text.slice(colon + 1);
    }
    const dot = rest.indexOf('.');
    const attribute = dot >= 0 ? rest.slice(0, dot) : rest;
    const subAttribute = dot >= 0 ? rest.slice(dot + 1) : undefined;
    if (attribute === '' && uri === undefined) continue;
    paths.push({ ...(uri !== undefined ? { uri } : {}), attribute, ...(subAttribute ? { subAttribute } : {}) });
  }
  return paths;
}

/** What a parameter names: whole schemas, whole attributes, and sub-attributes of attributes. */
interface Selection {
  schemas: Set<string>;
  /** key `<schemaId lower>|<attribute lower>` → undefined for the whole attribute, else sub-attribute names (lower). */
  attributes: Map<string, Set<string> | undefined>;
}

const keyOf = (schemaId: string, attribute: string) => `${schemaId.toLowerCase()}|${attribute.toLowerCase()}`;

function select(registry: SchemaRegistry, resourceType: ResourceTypeName, list: readonly AttrPath[]): Selection {
  const selection: Selection = { schemas: new Set(), attributes: new Map() };
  for (const path of list) {
    const glued = path.uri !== undefined ? `${path.uri}:${path.attribute}` : path.attribute;
    const whole = registry.schemaForUrn(resourceType, glued);
    if (whole && path.subAttribute === undefined) {
      selection.schemas.add(whole.id.toLowerCase());
      continue;
    }
    const resolved = registry.resolve(resourceType, path);
    if (!resolved) continue;
    const key = keyOf(resolved.schemaId, resolved.attribute.name);
    if (!resolved.subAttribute) {
      selection.attributes.set(key, undefined);
    } else if (!selection.attributes.has(key) || selection.attributes.get(key) !== undefined) {
      const subs = selection.attributes.get(key) ?? new Set<string>();
      subs.add(resolved.subAttribute.name.toLowerCase());
      selection.attributes.set(key, subs);
    }
  }
  return selection;
}

const hidden = (def: AttributeDef) => def.returned === 'never' || def.mutability === 'writeOnly';

type Mode = { kind: 'default' } | { kind: 'include'; selection: Selection } | { kind: 'exclude'; selection: Selection };

/** Projects one complex value (or element) keeping the sub-attributes `keep` says yes to. */
function projectComplex(value: unknown, def: AttributeDef, keep: (sub: AttributeDef) => boolean): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = def.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase());
    if (sub ? keep(sub) : true) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function projectAttribute(
  def: AttributeDef | undefined,
  schemaId: string,
  value: unknown,
  mode: Mode,
  schemaNamed: boolean,
): unknown {
  if (!def) {
    // Not in any schema (should not be stored); only returned when nothing narrows the response.
    return mode.kind === 'include' ? undefined : value;
  }
  if (hidden(def)) return undefined;
  if (def.returned === 'always') return value;

  const named = mode.kind === 'default' ? undefined : mode.selection.attributes;
  const key = keyOf(schemaId, def.name);
  let subsKept: ((sub: AttributeDef) => boolean) | undefined;

  if (mode.kind === 'include') {
    const wholeNamed = mode.selection.attributes.has(key) && mode.selection.attributes.get(key) === undefined;
    const subsNamed = mode.selection.attributes.get(key);
    if (wholeNamed || (schemaNamed && def.returned !== 'request')) {
      subsKept = (sub) => !hidden(sub) && (sub.returned !== 'request' || wholeNamed);
    } else if (subsNamed) {
      subsKept = (sub) => !hidden(sub) && (sub.returned === 'always' || subsNamed.has(sub.name.toLowerCase()));
    } else {
      return undefined;
    }
  } else {
    if (def.returned === 'request') return undefined;
    const excluded = named?.get(key);
    if (named?.has(key) && excluded === undefined) return undefined;
    subsKept = (sub) =>
      !hidden(sub) &&
      sub.returned !== 'request' &&
      (sub.returned === 'always' || !excluded?.has(sub.name.toLowerCase()));
  }

  if (def.type !== 'complex') return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => projectComplex(v, def, subsKept)).filter((v) => v !== undefined);
    // A list stored empty (sent as `[]`) is returned as sent; one emptied by the projection is left out.
    return items.length > 0 || value.length === 0 ? items : undefined;
  }
  return projectComplex(value, def, subsKept);
}

function projectExtension(ext: SchemaDef, value: unknown, mode: Mode): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const schemaNamed = mode.kind === 'include' && mode.selection.schemas.has(ext.id.toLowerCase());
  if (mode.kind === 'exclude' && mode.selection.schemas.has(ext.id.toLowerCase())) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const def = ext.attributes.find((a) => a.name.toLowerCase() === k.toLowerCase());
    const projected = projectAttribute(def, ext.id, v, mode, schemaNamed);
    if (projected !== undefined) out[k] = projected;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function toList(value: string | readonly AttrPath[] | undefined): readonly AttrPath[] | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? parseAttributeList(value) : value;
}

/**
 * Returns a copy of `resource` (a rendered SCIM resource: schemas, id, meta, extension objects,
 * groups/members) carrying only the attributes the client gets to see. Values are not copied
 * deeply; the result shares them with the input.
 */
export function project(
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
  resource: Record<string, unknown>,
  options: ProjectionOptions = {},
): Record<string, unknown> {
  const attributes = toList(options.attributes);
  const excluded = toList(options.excludedAttributes);
  const mode: Mode =
    attributes && attributes.length > 0
      ? { kind: 'include', selection: select(registry, resourceType, attributes) }
      : excluded && excluded.length > 0
        ? { kind: 'exclude', selection: select(registry, resourceType, excluded) }
        : { kind: 'default' };
  const core = registry.coreSchema(resourceType);
  const coreNamed = mode.kind === 'include' && mode.selection.schemas.has(core.id.toLowerCase());

  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (value === undefined) continue;
    if (key === 'schemas') {
      out[key] = value;
      continue;
    }
    const ext = registry.schemaForUrn(resourceType, key);
    if (ext && ext !== core) {
      const projected = projectExtension(ext, value, mode);
      if (projected !== undefined) out[key] = projected;
      continue;
    }
    const resolved =
      key.includes(':') || key.includes('.')
        ? undefined
        : registry.resolve(resourceType, { uri: core.id, attribute: key });
    const projected = projectAttribute(resolved?.attribute, core.id, value, mode, coreNamed && !resolved?.common);
    if (projected !== undefined) out[key] = projected;
  }
  return out;
}
