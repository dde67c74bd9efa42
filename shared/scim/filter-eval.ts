// Evaluates a parsed filter against a stored SCIM resource (RFC 7644 §3.4.2.2). A filter is
// compiled into closures (schema look-ups and the choice of reader happen there), then run per
// resource without further allocation; filter-compare.ts makes the comparison of each term.
//
// Compiled filters are memoised by shape: `userName eq "a"` and `userName eq "b"` share one
// template (locations resolved, readers chosen), and a request only makes the predicates of its
// own literals. Clients send a handful of shapes with ever new values, so the memo is keyed by the
// shape, never by the literals; it is per look-up function and bounded.
//
// Where values are read (semantics chosen where the RFC leaves room):
// - a multi-valued attribute matches when any value does; a complex attribute named without a
//   sub-attribute is compared through its `value` sub-attribute (`emails co "@x"`, `members eq "id"`);
// - `pr` is true for a value that is not null, not "", not [] and, for a complex value, has at
//   least one present sub-attribute;
// - `ne` is the negation of `eq`: it matches when the attribute is absent, and on a multi-valued
//   attribute when no value equals (so `not (x eq v)` and `x ne v` always agree);
// - `eq null` matches an absent attribute, `ne null` a present one.

import type { AttrPath, FilterNode, FilterValue } from '#scim/ast.ts';
import { type AttributeLocation, type AttributeLookup, getKey, locate } from '#scim/attribute-access.ts';
import { InvalidFilterError, ScimError } from '#scim/errors.ts';
import { comparison, complexError, isPresent, type Predicate, type Visitor } from '#scim/filter-compare.ts';
import { shapeOfParsed } from '#scim/filter.ts';
import { isObject, type JsonObject } from '#scim/json.ts';
import type { AttributeDef } from '#scim/schema/types.ts';

export type { AttributeLookup } from '#scim/attribute-access.ts';
export { isPresent } from '#scim/filter-compare.ts';

export type CompiledFilter = (resource: JsonObject) => boolean;
/** A compiled value filter (`[...]`), applied to one element of a multi-valued attribute. */
export type ElementFilter = (element: unknown) => boolean;

/** A compiled shape: given the literals of one filter of that shape (in tree order), its test. */
type Template<T> = (values: readonly FilterValue[]) => (target: T) => boolean;

/**
 * Compiles `node` against the schema seen through `lookup`. Throws InvalidFilterError for
 * comparisons the schema rules out (e.g. `active gt true`, `meta.created gt "yesterday"`).
 */
export function compileFilter(node: FilterNode, lookup: AttributeLookup): CompiledFilter {
  const parsed = shapeOfParsed(node);
  if (parsed !== undefined) {
    // Just parsed: its shape is known, and so is its template once compiled for this look-up.
    let template = parsed.compiled.get(lookup) as Template<JsonObject> | undefined;
    if (template === undefined) {
      template = resourceTemplate(node, lookup, { next: 0 });
      parsed.compiled.set(lookup, template);
    }
    return template(literalsOf(node));
  }
  const values: FilterValue[] = [];
  const key = shapeOf(node, values);
  const memo = memoFor(lookup);
  let template = memo.get(key) as Template<JsonObject> | undefined;
  if (template === undefined) {
    template = resourceTemplate(node, lookup, { next: 0 });
    remember(memo, key, template);
  }
  return template(values);
}

/** One-off evaluation; prefer {@link compileFilter} when matching many resources. */
export function matchesFilter(node: FilterNode, resource: JsonObject, lookup: AttributeLookup): boolean {
  return compileFilter(node, lookup)(resource);
}

/**
 * Compiles the filter of a value path (`emails[type eq "work"]`, or a PATCH path's filter):
 * its attribute paths are sub-attributes of `attribute`.
 */
export function compileElementFilter(attribute: AttrPath, filter: FilterNode, lookup: AttributeLookup): ElementFilter {
  const values: FilterValue[] = [];
  const key = `\u0002${pathKey(attribute)}[${shapeOf(filter, values)}]`;
  const memo = memoFor(lookup);
  let template = memo.get(key) as Template<unknown> | undefined;
  if (template === undefined) {
    const outer = { uri: attribute.uri, attribute: attribute.attribute };
    template = elementTemplate(filter, outer, lookup, { next: 0 });
    remember(memo, key, template);
  }
  return template(values);
}

/**
 * The compiled shape of a value filter, for callers that memoise shapes themselves (the PATCH
 * engine keys them by path shape): `template(literalsOf(filter))` is compileElementFilter's result.
 */
export function elementFilterTemplate(
  attribute: AttrPath,
  filter: FilterNode,
  lookup: AttributeLookup,
): (values: readonly FilterValue[]) => ElementFilter {
  return elementTemplate(filter, { uri: attribute.uri, attribute: attribute.attribute }, lookup, { next: 0 });
}

/** The literals of a filter's comparisons, in tree order (the order templates take them). */
export function literalsOf(node: FilterNode, out: FilterValue[] = []): FilterValue[] {
  switch (node.kind) {
    case 'compare':
      out.push(node.value);
      break;
    case 'and':
    case 'or':
      literalsOf(node.left, out);
      literalsOf(node.right, out);
      break;
    case 'not':
    case 'valuePath':
      literalsOf(node.filter, out);
      break;
    case 'present':
      break;
  }
  return out;
}

// ---- the memo of compiled shapes ------------------------------------------------------------

const memos = new WeakMap<AttributeLookup, Map<string, Template<never>>>();
/** Shapes are client text, so the memo is bounded: when full it starts over. */
const MEMO_LIMIT = 1024;

function memoFor(lookup: AttributeLookup): Map<string, Template<never>> {
  let memo = memos.get(lookup);
  if (memo === undefined) memos.set(lookup, (memo = new Map()));
  return memo;
}

function remember<T>(memo: Map<string, Template<never>>, key: string, template: Template<T>): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, template as Template<never>);
}

/**
 * The shape of a filter: the tree with each literal replaced by its JSON type, the literals
 * appended to `values` in tree order. Names come from the parser, so they never contain the
 * separators used here (space, brackets, U+0001); element filters' keys start with U+0002.
 */
function shapeOf(node: FilterNode, values: FilterValue[]): string {
  switch (node.kind) {
    case 'compare':
      values.push(node.value);
      return `${pathKey(node.path)} ${node.op} ${node.value === null ? 'null' : typeof node.value}`;
    case 'present':
      return `${pathKey(node.path)} pr`;
    case 'and':
      return `(${shapeOf(node.left, values)} and ${shapeOf(node.right, values)})`;
    case 'or':
      return `(${shapeOf(node.left, values)} or ${shapeOf(node.right, values)})`;
    case 'not':
      return `not(${shapeOf(node.filter, values)})`;
    case 'valuePath':
      return `${pathKey(node.path)}[${shapeOf(node.filter, values)}]`;
  }
}

function pathKey(path: AttrPath): string {
  const name = path.subAttribute === undefined ? path.attribute : `${path.attribute}.${path.subAttribute}`;
  return path.uri === undefined ? name : `${path.uri}\u0001${name}`;
}

// ---- templates: resource-level nodes --------------------------------------------------------

/**
 * The template of `node`. Nothing here throws: a term the schema rules out becomes a template
 * that throws when instantiated, so errors surface in tree order, each with its own detail, as
 * a compile without memo would give them.
 */
function resourceTemplate(node: FilterNode, lookup: AttributeLookup, slots: { next: number }): Template<JsonObject> {
  switch (node.kind) {
    case 'and': {
      const left = resourceTemplate(node.left, lookup, slots);
      const right = resourceTemplate(node.right, lookup, slots);
      return (values) => {
        const l = left(values);
        const r = right(values);
        return (x) => l(x) && r(x);
      };
    }
    case 'or': {
      const left = resourceTemplate(node.left, lookup, slots);
      const right = resourceTemplate(node.right, lookup, slots);
      return (values) => {
        const l = left(values);
        const r = right(values);
        return (x) => l(x) || r(x);
      };
    }
    case 'not': {
      const inner = resourceTemplate(node.filter, lookup, slots);
      return (values) => {
        const i = inner(values);
        return (x) => !i(x);
      };
    }
    case 'present': {
      const read = reader(locate(node.path, lookup), false);
      const test = (r: JsonObject) => read(r, isPresent);
      return () => test;
    }
    case 'compare': {
      const slot = slots.next++;
      const { op, path } = node;
      const text = () => label(path);
      const loc = locate(path, lookup);
      const implicitValue = loc.sub === undefined;
      let leaf: AttributeDef | undefined;
      try {
        leaf = implicitValue ? valueSubOf(loc.def, text) : loc.subDef;
      } catch (error) {
        return failing(error);
      }
      const read = reader(loc, implicitValue);
      return (values) => comparison(op, values[slot]!, leaf, text, read);
    }
    case 'valuePath': {
      const loc = locate({ ...optionalUri(node.path.uri), attribute: node.path.attribute }, lookup);
      const element = elementTemplate(node.filter, node.path, lookup, slots);
      return (values) => {
        const test = element(values);
        return (r) => {
          const holder = loc.container === undefined ? r : getKey(r, loc.container);
          if (!isObject(holder)) return false;
          const v = getKey(holder, loc.name);
          if (v === undefined || v === null) return false;
          if (Array.isArray(v)) {
            for (const el of v) if (test(el)) return true;
            return false;
          }
          return test(v);
        };
      };
    }
  }
}

/** A template whose every instance throws (a fresh copy of) `error`. */
function failing<T>(error: unknown): Template<T> {
  if (!(error instanceof ScimError)) throw error;
  const detail = error.detail;
  return () => {
    throw new InvalidFilterError(detail);
  };
}

/** The reader of one location: calls `pred` on each value held there until one returns true. */
function reader(loc: AttributeLocation, implicitValue: boolean): Visitor<JsonObject> {
  const { container, name, sub } = loc;
  if (container === undefined && sub === undefined && !implicitValue) {
    // The common case (userName, externalId, active, displayName): one own property.
    return (r, pred) => anyOf(getKey(r, name), pred);
  }
  return (r, pred) => {
    const holder = container === undefined ? r : getKey(r, container);
    if (!isObject(holder)) return false;
    const v = getKey(holder, name);
    if (v === undefined || v === null) return false;
    if (sub !== undefined) {
      if (Array.isArray(v)) {
        for (const el of v) if (isObject(el) && anyOf(getKey(el, sub), pred)) return true;
        return false;
      }
      return isObject(v) && anyOf(getKey(v, sub), pred);
    }
    if (implicitValue) {
      if (Array.isArray(v)) {
        for (const el of v) {
          if (isObject(el) ? anyOf(getKey(el, 'value'), pred) : el !== null && pred(el)) return true;
        }
        return false;
      }
      return isObject(v) ? anyOf(getKey(v, 'value'), pred) : pred(v);
    }
    return anyOf(v, pred);
  };
}

function anyOf(v: unknown, pred: Predicate): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) {
    for (const el of v) if (el !== null && el !== undefined && pred(el)) return true;
    return false;
  }
  return pred(v);
}

// ---- templates: element-level nodes (inside "[...]") ----------------------------------------

function elementTemplate(
  node: FilterNode,
  outer: AttrPath,
  lookup: AttributeLookup,
  slots: { next: number },
): Template<unknown> {
  switch (node.kind) {
    case 'and': {
      const left = elementTemplate(node.left, outer, lookup, slots);
      const right = elementTemplate(node.right, outer, lookup, slots);
      return (values) => {
        const l = left(values);
        const r = right(values);
        return (e) => l(e) && r(e);
      };
    }
    case 'or': {
      const left = elementTemplate(node.left, outer, lookup, slots);
      const right = elementTemplate(node.right, outer, lookup, slots);
      return (values) => {
        const l = left(values);
        const r = right(values);
        return (e) => l(e) || r(e);
      };
    }
    case 'not': {
      const inner = elementTemplate(node.filter, outer, lookup, slots);
      return (values) => {
        const i = inner(values);
        return (e) => !i(e);
      };
    }
    case 'valuePath':
      return failing(new InvalidFilterError(`A value filter on "${label(outer)}" cannot contain another value filter`));
    case 'present': {
      const read = elementReader(elementLocation(node.path, outer, lookup));
      const test = (e: unknown) => read(e, isPresent);
      return () => test;
    }
    case 'compare': {
      const slot = slots.next++;
      const { op, path } = node;
      const at = elementLocation(path, outer, lookup);
      const read = elementReader(at);
      const text = () => `${label(outer)}.${label(path)}`;
      return (values) => comparison(op, values[slot]!, at.def, text, read);
    }
  }
}

interface ElementLocation {
  name: string;
  sub: string | undefined;
  def: AttributeDef | undefined;
}

function elementLocation(path: AttrPath, outer: AttrPath, lookup: AttributeLookup): ElementLocation {
  if (path.subAttribute !== undefined) {
    // Complex attributes have no complex sub-attributes (RFC 7643 §2.3.8): read it as stored.
    return { name: path.attribute, sub: path.subAttribute, def: undefined };
  }
  const found = lookup({ ...optionalUri(outer.uri), attribute: outer.attribute, subAttribute: path.attribute });
  const def = found === undefined ? undefined : 'canonical' in found ? (found.subAttribute ?? undefined) : found;
  return { name: def?.name ?? path.attribute, sub: undefined, def };
}

function elementReader({ name, sub }: ElementLocation): Visitor<unknown> {
  // A simple multi-valued attribute: its elements are their own `value`.
  const bareIsValue = sub === undefined && name.toLowerCase() === 'value';
  return (element, pred) => {
    if (element === null || element === undefined) return false;
    if (!isObject(element)) return bareIsValue && !Array.isArray(element) && pred(element);
    const v = getKey(element, name);
    if (sub === undefined) return anyOf(v, pred);
    return isObject(v) && anyOf(getKey(v, sub), pred);
  };
}

// ---- helpers ----------------------------------------------------------------------------------

/** The `value` sub-attribute a complex attribute is compared through when named alone. */
function valueSubOf(def: AttributeDef | undefined, text: () => string): AttributeDef | undefined {
  if (def === undefined || def.type !== 'complex') return def;
  const value = def.subAttributes?.find((s) => s.name === 'value');
  if (value) return value;
  throw complexError(def, text());
}

function label(path: AttrPath): string {
  return `${path.uri !== undefined ? `${path.uri}:` : ''}${path.attribute}${path.subAttribute !== undefined ? `.${path.subAttribute}` : ''}`;
}

function optionalUri(uri: string | undefined): { uri?: string } {
  return uri === undefined ? {} : { uri };
}
