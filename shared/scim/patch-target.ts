// Path resolution for the PATCH engine: a PATCH `path` (or a key of a no-path value) parsed,
// then resolved once against the schema of the resource type into a Target — which attribute or
// extension it names, where that lives in a stored resource, and the labels errors use.
//
// IdPs send a few path shapes again and again, often with a new value inside the filter
// (`members[value eq "<id>"]`), so parsed paths are memoised by shape: the text with the contents
// of its quoted strings left out. A path of a known shape is not parsed again; it gets the
// shape's tree with its own literals, and the Target resolved for the shape. The memos are
// bounded (paths are client text) and never keyed by anything but the path's shape.

import type { AttrPath, FilterNode, FilterValue, PatchPath } from '#scim/ast.ts';
import { registryLookup } from '#scim/attribute-access.ts';
import type { ElementFilter } from '#scim/filter-eval.ts';
import { countStrings, sameStrings, shapeOfText, withLiterals } from '#scim/filter-shape.ts';
import { MAX_PATH_LENGTH, parsePatchPath } from '#scim/path.ts';
import type { ResolvedAttribute, ResourceTypeName, SchemaRegistry } from '#scim/schema/registry.ts';
import type { AttributeDef, SchemaDef } from '#scim/schema/types.ts';

export type Op = 'add' | 'remove' | 'replace';

/** A path with the shape it shares with paths that differ only in their quoted values. */
export interface ParsedPath {
  path: PatchPath;
  /** Identity of the shape: keys the per-type memo of resolved targets. */
  shape: object;
}

// ---- parsing, memoised by shape -------------------------------------------------------------

interface Shape {
  /** The tree of the first path of this shape; shared, never modified. */
  template: PatchPath;
  /** Its quoted literals, in text order (which is tree order). */
  literals: string[] | undefined;
  /** `template` as a ParsedPath. */
  parsed: ParsedPath;
}

const shapes = new Map<string, Shape>();
/**
 * The first text of each shape, as sent: most paths are sent again exactly as they were (Entra's
 * `emails[type eq "work"].value`), and a hit here skips building the shape's key. Only first texts
 * are added, so paths whose values change every time never fill it.
 */
const firstTexts = new Map<string, Shape>();
/** Paths are client text, so the memo is bounded: when full it starts over. */
const SHAPE_LIMIT = 2048;
/** parsePatchPath(text), memoised by shape (see the header). Throws InvalidPathError. */
export function parsePath(text: string): ParsedPath {
  const first = firstTexts.get(text);
  if (first !== undefined) return first.parsed;
  if (text.length > MAX_PATH_LENGTH) return unshared(text);
  const textShape = shapeOfText(text);
  if (textShape === undefined) return unshared(text);
  const { key, literals } = textShape;
  const shape = shapes.get(key);
  if (shape !== undefined) {
    if (literals === undefined || sameStrings(literals, shape.literals)) return shape.parsed;
    const filter = withLiterals(shape.template.filter!, literals, { next: 0 });
    return { path: { ...shape.template, filter }, shape };
  }
  const template = parsePatchPath(text);
  // Every string value must come from a quoted string for the literals to map one to one.
  if ((template.filter ? countStrings(template.filter) : 0) !== (literals?.length ?? 0)) {
    return { path: template, shape: {} };
  }
  const parsed: ParsedPath = { path: template, shape: {} };
  const created: Shape = { template, literals, parsed };
  parsed.shape = created;
  if (shapes.size >= SHAPE_LIMIT) {
    shapes.clear();
    firstTexts.clear();
  }
  shapes.set(key, created);
  firstTexts.set(text, created);
  return parsed;
}

function unshared(text: string): ParsedPath {
  return { path: parsePatchPath(text), shape: {} };
}

// ---- targets ----------------------------------------------------------------------------------

export type Target =
  | {
      kind: 'attribute';
      /** Extension URN holding it, or undefined for the top level. */
      container: string | undefined;
      def: AttributeDef;
      /** The sub-attribute addressed (`name.givenName`, `emails[…].value`), when there is one. */
      subDef: AttributeDef | undefined;
      /** Canonical label of the path before any filter (`name.givenName`, `emails`). */
      label: string;
      /** Label of the sub-attribute after a filter (`emails.value`), else `label`. */
      subLabel: string;
      /** `attr[filter].sub` with a `sub` the attribute does not have: ignored as `subLabel`. */
      unknownSub: boolean;
      /** readOnly attribute or sub-attribute. */
      readOnly: boolean;
      /** Group `members` at the top level (for `membersAsChanges`). */
      members: boolean;
      /** The writeOnly `password` at the top level. */
      password: boolean;
      /** The attribute as the outer path of a value filter. */
      element: AttrPath;
    }
  | { kind: 'extension'; schema: SchemaDef }
  | { kind: 'core' }
  | { kind: 'unknown'; label: string };

/** What the engine needs of a resource type, worked out once per registry. */
export interface TypeFacts {
  registry: SchemaRegistry;
  rt: ResourceTypeName;
  core: SchemaDef;
  extensions: readonly SchemaDef[];
  lookup: (path: AttrPath) => ResolvedAttribute | undefined;
  /** Resolved targets by path shape (keys inside an extension object: by `scopedShape`). */
  targets: WeakMap<object, Target>;
  /** registry.schemaForUrn of no-path keys with a colon (bounded like the path memo). */
  schemaByKey: Map<string, SchemaDef | null>;
  /** Shapes of keys inside an extension object, qualified with the extension's URN. */
  scoped: Map<string, WeakMap<object, ParsedPath>>;
  /** Compiled value filters by path shape. */
  elements: WeakMap<object, ElementMemo>;
}

/** A path shape's value filter: compiled once, and instantiated once for the shape's own literals. */
export interface ElementMemo {
  template: (values: readonly FilterValue[]) => ElementFilter;
  /** The filter node of the shape's first path, and its test. */
  fixedFor: FilterNode;
  fixed: ElementFilter;
}

const typeFacts = new WeakMap<SchemaRegistry, Map<ResourceTypeName, TypeFacts>>();

/** The facts used last: a service has one registry, and requests come in runs of one type. */
let lastFacts: TypeFacts | undefined;

export function factsOf(registry: SchemaRegistry, rt: ResourceTypeName): TypeFacts {
  if (lastFacts !== undefined && lastFacts.registry === registry && lastFacts.rt === rt) return lastFacts;
  let byType = typeFacts.get(registry);
  if (!byType) typeFacts.set(registry, (byType = new Map()));
  let facts = byType.get(rt);
  if (!facts) {
    facts = {
      registry,
      rt,
      core: registry.coreSchema(rt),
      extensions: registry.extensions(rt),
      lookup: registryLookup(registry, rt),
      targets: new WeakMap(),
      schemaByKey: new Map(),
      scoped: new Map(),
      elements: new WeakMap(),
    };
    byType.set(rt, facts);
  }
  lastFacts = facts;
  return facts;
}

/** registry.schemaForUrn(rt, key), memoised: IdPs send the same extension keys every time. */
export function schemaForKey(facts: TypeFacts, key: string): SchemaDef | undefined {
  let schema = facts.schemaByKey.get(key);
  if (schema === undefined) {
    schema = facts.registry.schemaForUrn(facts.rt, key) ?? null;
    if (facts.schemaByKey.size >= SHAPE_LIMIT) facts.schemaByKey.clear();
    facts.schemaByKey.set(key, schema);
  }
  return schema ?? undefined;
}

/** A key of an extension object's value, as a path qualified with the extension's URN. */
export function scopedPath(facts: TypeFacts, scope: SchemaDef, parsed: ParsedPath): ParsedPath {
  if (parsed.path.path.uri !== undefined) return parsed;
  let memo = facts.scoped.get(scope.id);
  if (!memo) facts.scoped.set(scope.id, (memo = new WeakMap()));
  let scoped = memo.get(parsed.shape);
  if (!scoped) {
    const path = { ...parsed.path, path: { uri: scope.id, ...parsed.path.path } };
    memo.set(parsed.shape, (scoped = { path, shape: {} }));
  }
  if (scoped.path.filter === parsed.path.filter) return scoped;
  return { path: { ...scoped.path, filter: parsed.path.filter }, shape: scoped.shape };
}

export function resolveTarget(facts: TypeFacts, parsed: ParsedPath): Target {
  let target = facts.targets.get(parsed.shape);
  if (!target) facts.targets.set(parsed.shape, (target = resolve(facts, parsed.path)));
  return target;
}

function resolve(facts: TypeFacts, p: PatchPath): Target {
  const { path } = p;
  if (path.subAttribute === undefined) {
    const glued = path.uri !== undefined ? `${path.uri}:${path.attribute}` : path.attribute;
    if (glued.includes(':')) {
      const schema = facts.registry.schemaForUrn(facts.rt, glued);
      if (schema) return schema.id === facts.core.id ? { kind: 'core' } : { kind: 'extension', schema };
    }
  }
  const r = facts.lookup(path);
  if (!r) return { kind: 'unknown', label: labelOf(path) };
  const label = labelOf(r.canonical);
  const def = r.attribute;
  let subDef = r.subAttribute;
  let subLabel = label;
  let unknownSub = false;
  if (p.subAttribute !== undefined) {
    // `attr[filter].sub`
    const wanted = p.subAttribute.toLowerCase();
    subDef = def.subAttributes?.find((s) => s.name.toLowerCase() === wanted);
    subLabel = `${label}.${subDef ? subDef.name : p.subAttribute}`;
    unknownSub = subDef === undefined;
  }
  const top = r.canonical.uri === undefined;
  return {
    kind: 'attribute',
    container: r.canonical.uri,
    def,
    subDef,
    label,
    subLabel,
    unknownSub,
    readOnly: def.mutability === 'readOnly' || subDef?.mutability === 'readOnly',
    members: top && def.name === 'members' && facts.rt === 'Group',
    password: top && def.name === 'password' && def.mutability === 'writeOnly',
    element: top ? { attribute: def.name } : { uri: r.canonical.uri, attribute: def.name },
  };
}

function labelOf(path: AttrPath): string {
  return `${path.uri !== undefined ? `${path.uri}:` : ''}${path.attribute}${path.subAttribute !== undefined ? `.${path.subAttribute}` : ''}`;
}

// ---- what a value filter says ------------------------------------------------------------------

/**
 * `type eq "work" and primary eq true` → {type: ['type', 'work'], primary: ['primary', true]}
 * (keyed by lower-case name), or undefined when the filter is anything but an `and` chain of `eq`
 * on plain sub-attributes.
 */
export function eqChain(filter: FilterNode): Map<string, [string, unknown]> | undefined {
  const out = new Map<string, [string, unknown]>();
  return collectEqualities(filter, out) && out.size > 0 ? out : undefined;
}

function collectEqualities(node: FilterNode, out: Map<string, [string, unknown]>): boolean {
  if (node.kind === 'and') return collectEqualities(node.left, out) && collectEqualities(node.right, out);
  if (node.kind !== 'compare' || node.op !== 'eq' || node.value === null) return false;
  if (node.path.uri !== undefined || node.path.subAttribute !== undefined) return false;
  const k = node.path.attribute.toLowerCase();
  const previous = out.get(k);
  if (previous && previous[1] !== node.value) return false;
  out.set(k, [node.path.attribute, node.value]);
  return true;
}
