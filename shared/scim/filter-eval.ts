// Evaluates a parsed filter against a stored SCIM resource (RFC 7644 §3.4.2.2). A filter is
// compiled once into closures (schema look-ups, literal parsing and operator checks happen
// there), then run per resource without further allocation.
//
// Semantics chosen where the RFC leaves room:
// - string operators honour the definition's caseExact; an unknown attribute is a caseExact=false
//   string (numbers and booleans stored under unknown names compare as such);
// - gt/ge/lt/le compare strings lexically (after lower-casing unless caseExact), numbers
//   numerically and dateTimes as instants (offsets and digits beyond milliseconds honoured);
//   on booleans, binaries and complex values they are an invalidFilter error, as are co/sw/ew on
//   numbers, booleans and dateTimes compared with a non-string;
// - a boolean attribute also matches the strings "true"/"false" in any case, both as the filter
//   literal (`roles[primary eq "True"]`, Entra) and as a stored value;
// - a multi-valued attribute matches when any value does; a complex attribute named without a
//   sub-attribute is compared through its `value` sub-attribute (`emails co "@x"`, `members eq "id"`);
// - `pr` is true for a value that is not null, not "", not [] and, for a complex value, has at
//   least one present sub-attribute;
// - `ne` is the negation of `eq`: it matches when the attribute is absent, and on a multi-valued
//   attribute when no value equals (so `not (x eq v)` and `x ne v` always agree);
// - `eq null` matches an absent attribute, `ne null` a present one.

import type { AttrPath, CompareOp, FilterNode, FilterValue } from '#scim/ast.ts';
import { type AttributeLocation, type AttributeLookup, containerOf, getKey, locate } from '#scim/attribute-access.ts';
import { isObject, type JsonObject } from '#scim/json.ts';
import { compareInstants, parseDateTime } from '#scim/date-time.ts';
import { InvalidFilterError } from '#scim/errors.ts';
import type { AttributeDef } from '#scim/schema/types.ts';

export type { AttributeLookup } from '#scim/attribute-access.ts';

export type CompiledFilter = (resource: JsonObject) => boolean;
/** A compiled value filter (`[...]`), applied to one element of a multi-valued attribute. */
export type ElementFilter = (element: unknown) => boolean;

type Predicate = (value: unknown) => boolean;

/**
 * Compiles `node` against the schema seen through `lookup`. Throws InvalidFilterError for
 * comparisons the schema rules out (e.g. `active gt true`, `meta.created gt "yesterday"`).
 */
export function compileFilter(node: FilterNode, lookup: AttributeLookup): CompiledFilter {
  return compileNode(node, lookup);
}

/** One-off evaluation; prefer {@link compileFilter} when matching many resources. */
export function matchesFilter(node: FilterNode, resource: JsonObject, lookup: AttributeLookup): boolean {
  return compileNode(node, lookup)(resource);
}

/**
 * Compiles the filter of a value path (`emails[type eq "work"]`, or a PATCH path's filter):
 * its attribute paths are sub-attributes of `attribute`.
 */
export function compileElementFilter(attribute: AttrPath, filter: FilterNode, lookup: AttributeLookup): ElementFilter {
  return compileElementNode(filter, { uri: attribute.uri, attribute: attribute.attribute }, lookup);
}

// ---- resource-level nodes -----------------------------------------------------------------------

function compileNode(node: FilterNode, lookup: AttributeLookup): CompiledFilter {
  switch (node.kind) {
    case 'and': {
      const left = compileNode(node.left, lookup);
      const right = compileNode(node.right, lookup);
      return (r) => left(r) && right(r);
    }
    case 'or': {
      const left = compileNode(node.left, lookup);
      const right = compileNode(node.right, lookup);
      return (r) => left(r) || right(r);
    }
    case 'not': {
      const inner = compileNode(node.filter, lookup);
      return (r) => !inner(r);
    }
    case 'present': {
      const loc = locate(node.path, lookup);
      return (r) => visit(r, loc, false, isPresent);
    }
    case 'compare': {
      const loc = locate(node.path, lookup);
      const implicitValue = loc.sub === undefined;
      const leaf = implicitValue ? valueSubOf(loc.def, label(node.path)) : loc.subDef;
      return comparison(node.op, node.value, leaf, label(node.path), (r, pred) => visit(r, loc, implicitValue, pred));
    }
    case 'valuePath': {
      const loc = locate({ ...optionalUri(node.path.uri), attribute: node.path.attribute }, lookup);
      const element = compileElementNode(node.filter, node.path, lookup);
      return (r) => {
        const holder = containerOf(r, loc);
        if (holder === undefined) return false;
        const v = getKey(holder, loc.name);
        if (v === undefined || v === null) return false;
        if (Array.isArray(v)) {
          for (const el of v) if (element(el)) return true;
          return false;
        }
        return element(v);
      };
    }
  }
}

/** Calls `pred` on each value at the location until one returns true. */
function visit(resource: JsonObject, loc: AttributeLocation, implicitValue: boolean, pred: Predicate): boolean {
  const holder = containerOf(resource, loc);
  if (holder === undefined) return false;
  const v = getKey(holder, loc.name);
  if (v === undefined || v === null) return false;
  if (loc.sub !== undefined) {
    if (Array.isArray(v)) {
      for (const el of v) if (isObject(el) && anyOf(getKey(el, loc.sub), pred)) return true;
      return false;
    }
    return isObject(v) && anyOf(getKey(v, loc.sub), pred);
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
}

function anyOf(v: unknown, pred: Predicate): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) {
    for (const el of v) if (el !== null && el !== undefined && pred(el)) return true;
    return false;
  }
  return pred(v);
}

// ---- element-level nodes (inside "[...]") -------------------------------------------------------

function compileElementNode(node: FilterNode, outer: AttrPath, lookup: AttributeLookup): ElementFilter {
  switch (node.kind) {
    case 'and': {
      const left = compileElementNode(node.left, outer, lookup);
      const right = compileElementNode(node.right, outer, lookup);
      return (e) => left(e) && right(e);
    }
    case 'or': {
      const left = compileElementNode(node.left, outer, lookup);
      const right = compileElementNode(node.right, outer, lookup);
      return (e) => left(e) || right(e);
    }
    case 'not': {
      const inner = compileElementNode(node.filter, outer, lookup);
      return (e) => !inner(e);
    }
    case 'valuePath':
      throw new InvalidFilterError(`A value filter on "${label(outer)}" cannot contain another value filter`);
    case 'present': {
      const { name, sub } = elementLocation(node.path, outer, lookup);
      return (e) => visitElement(e, name, sub, isPresent);
    }
    case 'compare': {
      const { name, sub, def } = elementLocation(node.path, outer, lookup);
      const text = `${label(outer)}.${label(node.path)}`;
      return comparison(node.op, node.value, def, text, (e, pred) => visitElement(e, name, sub, pred));
    }
  }
}

function elementLocation(
  path: AttrPath,
  outer: AttrPath,
  lookup: AttributeLookup,
): { name: string; sub: string | undefined; def: AttributeDef | undefined } {
  if (path.subAttribute !== undefined) {
    // Complex attributes have no complex sub-attributes (RFC 7643 §2.3.8): read it as stored.
    return { name: path.attribute, sub: path.subAttribute, def: undefined };
  }
  const found = lookup({ ...optionalUri(outer.uri), attribute: outer.attribute, subAttribute: path.attribute });
  const def = found === undefined ? undefined : 'canonical' in found ? (found.subAttribute ?? undefined) : found;
  return { name: def?.name ?? path.attribute, sub: undefined, def };
}

function visitElement(element: unknown, name: string, sub: string | undefined, pred: Predicate): boolean {
  if (element === null || element === undefined) return false;
  if (!isObject(element)) {
    // A simple multi-valued attribute: its elements are their own `value`.
    return !Array.isArray(element) && sub === undefined && name.toLowerCase() === 'value' && pred(element);
  }
  const v = getKey(element, name);
  if (sub === undefined) return anyOf(v, pred);
  return isObject(v) && anyOf(getKey(v, sub), pred);
}

// ---- comparisons ----------------------------------------------------------------------------------

type Visitor<T> = (target: T, pred: Predicate) => boolean;

function comparison<T>(
  op: CompareOp,
  value: FilterValue,
  leaf: AttributeDef | undefined,
  text: string,
  visitor: Visitor<T>,
): (target: T) => boolean {
  if (value === null) {
    if (op === 'eq') return (t) => !visitor(t, isPresent);
    if (op === 'ne') return (t) => visitor(t, isPresent);
    throw new InvalidFilterError(`The operator "${op}" cannot compare "${text}" with null; only eq and ne can`);
  }
  if (op === 'ne') {
    const eq = predicate('eq', value, leaf, text);
    return (t) => !visitor(t, eq);
  }
  const pred = predicate(op, value, leaf, text);
  return (t) => visitor(t, pred);
}

const ORDERING = new Set<CompareOp>(['gt', 'ge', 'lt', 'le']);
const SUBSTRING = new Set<CompareOp>(['co', 'sw', 'ew']);

function predicate(
  op: CompareOp,
  value: string | number | boolean,
  leaf: AttributeDef | undefined,
  text: string,
): Predicate {
  switch (leaf?.type) {
    case 'boolean': {
      if (op !== 'eq') {
        throw new InvalidFilterError(
          `The operator "${op}" cannot be applied to the boolean attribute "${text}"; use eq or ne`,
        );
      }
      const b = toBoolean(value);
      if (b === undefined) {
        throw new InvalidFilterError(
          `"${text}" is a boolean; compare it with true or false, not ${JSON.stringify(value)}`,
        );
      }
      const s = b ? 'true' : 'false';
      return (x) => x === b || (typeof x === 'string' && x.toLowerCase() === s);
    }
    case 'integer':
    case 'decimal': {
      if (SUBSTRING.has(op)) {
        throw new InvalidFilterError(`The operator "${op}" applies to strings; "${text}" is a number`);
      }
      const n = typeof value === 'number' ? value : typeof value === 'string' ? toNumber(value) : undefined;
      if (n === undefined) {
        throw new InvalidFilterError(`"${text}" is a number; compare it with a number, not ${JSON.stringify(value)}`);
      }
      const cmp = ordering(op);
      return (x) => {
        const xn = typeof x === 'number' ? x : typeof x === 'string' ? toNumber(x) : undefined;
        return xn !== undefined && cmp(xn < n ? -1 : xn > n ? 1 : 0);
      };
    }
    case 'dateTime': {
      if (typeof value !== 'string') {
        throw new InvalidFilterError(
          `"${text}" is a dateTime; compare it with a quoted dateTime such as "2011-05-13T04:42:34Z"`,
        );
      }
      if (SUBSTRING.has(op)) return stringPredicate(op, value, true);
      const instant = parseDateTime(value);
      if (instant === undefined) {
        throw new InvalidFilterError(
          `${JSON.stringify(value)} is not a dateTime; "${text}" needs one such as "2011-05-13T04:42:34Z"`,
        );
      }
      const cmp = ordering(op);
      return (x) => {
        if (typeof x !== 'string') return false;
        const xi = parseDateTime(x);
        return xi !== undefined && cmp(compareInstants(xi, instant));
      };
    }
    case 'binary':
      if (ORDERING.has(op)) {
        throw new InvalidFilterError(`The operator "${op}" cannot be applied to the binary attribute "${text}"`);
      }
      return stringPredicate(op, String(value), true);
    case 'complex':
      throw new InvalidFilterError(
        `"${text}" is a complex attribute; filter on one of its sub-attributes` +
          (leaf.subAttributes?.[0] ? `, e.g. ${text}.${leaf.subAttributes[0].name}` : ''),
      );
    case 'string':
    case 'reference':
      return stringPredicate(op, typeof value === 'string' ? value : String(value), leaf.caseExact);
    case undefined:
      break;
  }
  // Unknown attribute: a caseExact=false string, but numbers and booleans stored under unknown
  // names (custom data) still compare as what they are.
  if (typeof value === 'string') return stringPredicate(op, value, false);
  if (typeof value === 'number') {
    const asString = stringPredicate(op, String(value), false);
    const cmp = ordering(op);
    if (SUBSTRING.has(op)) return asString;
    return (x) => (typeof x === 'number' ? cmp(x < value ? -1 : x > value ? 1 : 0) : asString(x));
  }
  if (op !== 'eq') throw new InvalidFilterError(`The operator "${op}" cannot compare with ${String(value)}`);
  const s = value ? 'true' : 'false';
  return (x) => x === value || (typeof x === 'string' && x.toLowerCase() === s);
}

function stringPredicate(op: CompareOp, value: string, caseExact: boolean): Predicate {
  const needle = caseExact ? value : value.toLowerCase();
  const norm = (x: unknown): string | undefined => {
    const s = typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined;
    return s === undefined ? undefined : caseExact ? s : s.toLowerCase();
  };
  switch (op) {
    case 'eq':
      return (x) => norm(x) === needle;
    case 'co':
      return (x) => norm(x)?.includes(needle) ?? false;
    case 'sw':
      return (x) => norm(x)?.startsWith(needle) ?? false;
    case 'ew':
      return (x) => norm(x)?.endsWith(needle) ?? false;
    default: {
      const cmp = ordering(op);
      return (x) => {
        const s = norm(x);
        return s !== undefined && cmp(s < needle ? -1 : s > needle ? 1 : 0);
      };
    }
  }
}

/** Maps a comparison result (<0, 0, >0) to the operator's verdict. */
function ordering(op: CompareOp): (c: number) => boolean {
  switch (op) {
    case 'gt':
      return (c) => c > 0;
    case 'ge':
      return (c) => c >= 0;
    case 'lt':
      return (c) => c < 0;
    case 'le':
      return (c) => c <= 0;
    case 'ne':
      return (c) => c !== 0;
    default:
      return (c) => c === 0;
  }
}

/** RFC 7644 §3.4.2.2 `pr`: non-null, non-empty, and for complex values some present sub-value. */
export function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) {
    for (const el of v) if (isPresent(el)) return true;
    return false;
  }
  if (isObject(v)) {
    for (const key in v) if (isPresent(v[key])) return true;
    return false;
  }
  return true;
}

function toBoolean(v: string | number | boolean): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

function toNumber(s: string): number | undefined {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** The `value` sub-attribute a complex attribute is compared through when named alone. */
function valueSubOf(def: AttributeDef | undefined, text: string): AttributeDef | undefined {
  if (def === undefined || def.type !== 'complex') return def;
  const value = def.subAttributes?.find((s) => s.name === 'value');
  if (value) return value;
  throw new InvalidFilterError(
    `"${text}" is a complex attribute; filter on one of its sub-attributes` +
      (def.subAttributes?.[0] ? `, e.g. ${text}.${def.subAttributes[0].name}` : ''),
  );
}

function label(path: AttrPath): string {
  return `${path.uri !== undefined ? `${path.uri}:` : ''}${path.attribute}${path.subAttribute !== undefined ? `.${path.subAttribute}` : ''}`;
}

function optionalUri(uri: string | undefined): { uri?: string } {
  return uri === undefined ? {} : { uri };
}
