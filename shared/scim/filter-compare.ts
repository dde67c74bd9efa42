// The comparisons of the filter evaluator (RFC 7644 §3.4.2.2): one predicate per comparison term,
// made from the operator, the literal and the definition of the attribute compared. filter-eval.ts
// decides where values are read; this module decides whether one value matches.
//
// Semantics chosen where the RFC leaves room (see also filter-eval.ts):
// - string operators honour the definition's caseExact; an unknown attribute is a caseExact=false
//   string (numbers and booleans stored under unknown names compare as such);
// - gt/ge/lt/le compare strings lexically (after lower-casing unless caseExact), numbers
//   numerically and dateTimes as instants (offsets and digits beyond milliseconds honoured);
//   on booleans, binaries and complex values they are an invalidFilter error, as are co/sw/ew on
//   numbers, booleans and dateTimes compared with a non-string;
// - a boolean attribute also matches the strings "true"/"false" in any case, both as the filter
//   literal (`roles[primary eq "True"]`, Entra) and as a stored value;
// - `ne` is the negation of `eq`, `eq null` matches an absent attribute, `ne null` a present one.
//
// Predicates are made per request (the literal changes), so making one is kept cheap: no
// schema work, no label unless an error is thrown, no named inner functions.

import type { CompareOp, FilterValue } from '#scim/ast.ts';
import { compareInstants, parseDateTime } from '#scim/date-time.ts';
import { InvalidFilterError } from '#scim/errors.ts';
import { equalsFolded, isObject } from '#scim/json.ts';
import type { AttributeDef } from '#scim/schema/types.ts';

export type Predicate = (value: unknown) => boolean;

/** Calls `pred` on each value the target holds at one location until one returns true. */
export type Visitor<T> = (target: T, pred: Predicate) => boolean;

/**
 * The test of one comparison term. `text` names the attribute in error details; it is only called
 * when an error is thrown.
 */
export function comparison<T>(
  op: CompareOp,
  value: FilterValue,
  leaf: AttributeDef | undefined,
  text: () => string,
  visitor: Visitor<T>,
): (target: T) => boolean {
  if (value === null) {
    if (op === 'eq') return (t) => !visitor(t, isPresent);
    if (op === 'ne') return (t) => visitor(t, isPresent);
    throw new InvalidFilterError(`The operator "${op}" cannot compare "${text()}" with null; only eq and ne can`);
  }
  if (op === 'ne') {
    const eq = predicate('eq', value, leaf, text);
    return (t) => !visitor(t, eq);
  }
  const pred = predicate(op, value, leaf, text);
  return (t) => visitor(t, pred);
}

const isSubstring = (op: CompareOp) => op === 'co' || op === 'sw' || op === 'ew';
const isOrdering = (op: CompareOp) => op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';

function predicate(
  op: CompareOp,
  value: string | number | boolean,
  leaf: AttributeDef | undefined,
  text: () => string,
): Predicate {
  switch (leaf?.type) {
    case 'boolean': {
      if (op !== 'eq') {
        throw new InvalidFilterError(
          `The operator "${op}" cannot be applied to the boolean attribute "${text()}"; use eq or ne`,
        );
      }
      const b = toBoolean(value);
      if (b === undefined) {
        throw new InvalidFilterError(
          `"${text()}" is a boolean; compare it with true or false, not ${JSON.stringify(value)}`,
        );
      }
      return b ? isTrue : isFalse;
    }
    case 'integer':
    case 'decimal': {
      if (isSubstring(op)) {
        throw new InvalidFilterError(`The operator "${op}" applies to strings; "${text()}" is a number`);
      }
      const n = typeof value === 'number' ? value : typeof value === 'string' ? toNumber(value) : undefined;
      if (n === undefined) {
        throw new InvalidFilterError(`"${text()}" is a number; compare it with a number, not ${JSON.stringify(value)}`);
      }
      return numberPredicate(op, n, false);
    }
    case 'dateTime': {
      if (typeof value !== 'string') {
        throw new InvalidFilterError(
          `"${text()}" is a dateTime; compare it with a quoted dateTime such as "2011-05-13T04:42:34Z"`,
        );
      }
      if (isSubstring(op)) return stringPredicate(op, value, true);
      const instant = parseDateTime(value);
      if (instant === undefined) {
        throw new InvalidFilterError(
          `${JSON.stringify(value)} is not a dateTime; "${text()}" needs one such as "2011-05-13T04:42:34Z"`,
        );
      }
      return (x) => {
        if (typeof x !== 'string') return false;
        const xi = parseDateTime(x);
        return xi !== undefined && verdict(op, compareInstants(xi, instant));
      };
    }
    case 'binary':
      if (isOrdering(op)) {
        throw new InvalidFilterError(`The operator "${op}" cannot be applied to the binary attribute "${text()}"`);
      }
      return stringPredicate(op, String(value), true);
    case 'complex':
      throw complexError(leaf, text());
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
    if (isSubstring(op)) return stringPredicate(op, String(value), false);
    return numberPredicate(op, value, true);
  }
  if (op !== 'eq') throw new InvalidFilterError(`The operator "${op}" cannot compare with ${String(value)}`);
  return value ? isTrue : isFalse;
}

/** A boolean attribute (or literal) matches booleans and the strings "true"/"false" in any case. */
function isTrue(x: unknown): boolean {
  return x === true || (typeof x === 'string' && x.length === 4 && x.toLowerCase() === 'true');
}

function isFalse(x: unknown): boolean {
  return x === false || (typeof x === 'string' && x.length === 5 && x.toLowerCase() === 'false');
}

/**
 * Numbers compare numerically with numbers and numeric strings. `loose` (unknown attributes):
 * anything else compares as a caseExact=false string with the number's JSON text.
 */
function numberPredicate(op: CompareOp, n: number, loose: boolean): Predicate {
  const asString = loose ? stringPredicate(op, String(n), false) : undefined;
  return (x) => {
    if (typeof x === 'number') return verdict(op, x < n ? -1 : x > n ? 1 : 0);
    if (asString !== undefined) return asString(x);
    const xn = typeof x === 'string' ? toNumber(x) : undefined;
    return xn !== undefined && verdict(op, xn < n ? -1 : xn > n ? 1 : 0);
  };
}

/** The text a stored value compares as: strings as they are, numbers and booleans as JSON. */
function textOf(x: unknown): string | undefined {
  return typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined;
}

function stringPredicate(op: CompareOp, value: string, caseExact: boolean): Predicate {
  const needle = caseExact ? value : value.toLowerCase();
  if (op === 'eq') {
    if (caseExact) return (x) => textOf(x) === needle;
    // The usual comparison (userName, externalId, displayName, emails.value): no lower-cased
    // copy of the stored value unless it has non-ASCII characters.
    return (x) => {
      if (typeof x === 'string') return equalsFolded(x, needle);
      const s = textOf(x);
      return s !== undefined && s.toLowerCase() === needle;
    };
  }
  return (x) => {
    let s = textOf(x);
    if (s === undefined) return false;
    if (!caseExact) s = s.toLowerCase();
    switch (op) {
      case 'co':
        return s.includes(needle);
      case 'sw':
        return s.startsWith(needle);
      case 'ew':
        return s.endsWith(needle);
      default:
        return verdict(op, s < needle ? -1 : s > needle ? 1 : 0);
    }
  };
}

/** The operator's verdict on a comparison result (<0, 0, >0). */
function verdict(op: CompareOp, c: number): boolean {
  switch (op) {
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
    case 'ne':
      return c !== 0;
    default:
      return c === 0;
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

export function complexError(def: AttributeDef, text: string): InvalidFilterError {
  return new InvalidFilterError(
    `"${text}" is a complex attribute; filter on one of its sub-attributes` +
      (def.subAttributes?.[0] ? `, e.g. ${text}.${def.subAttributes[0].name}` : ''),
  );
}
