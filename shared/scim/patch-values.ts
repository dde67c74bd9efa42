// Value coercion for the PATCH engine: what a value becomes before it is written, and how values
// are compared and kept consistent (immutability, one primary) once written.
//
// Values go through attribute-values.ts normaliseAttributeValue, so PATCH and POST/PUT accept the same
// shapes. IdPs nearly always send values already in canonical shape (strings for strings,
// booleans for booleans, objects with the sub-attributes' exact names), and for those the general
// normaliser's work (a label per element, a Map of names seen, a second object to restore
// definition order) is overhead: `quickValue` recognises such values and builds exactly what
// normaliseAttributeValue returns (a new array/object, sub-attributes in definition order,
// readOnly and null sub-attributes dropped, the last `primary: true` winning). For anything else
// (a quirk to coerce, an unknown or mis-cased key, a value to refuse) it answers SLOW, and the
// general normaliser runs, so results, errors and `ignored` entries are attribute-values.ts' own.
// test/unit/scim/patch-values.test.ts holds the two to the same answers.

import { findKey, getKey } from '#scim/attribute-access.ts';
import { normaliseAttributeValue } from '#scim/attribute-values.ts';
import { MutabilityError } from '#scim/errors.ts';
import { isObject, jsonEqual, type JsonObject } from '#scim/json.ts';
import type { AttributeDef } from '#scim/schema/types.ts';

/** "Not a canonical value: use the general normaliser." */
export const SLOW: unique symbol = Symbol('slow');

/**
 * normaliseAttributeValue(def, value, label, {ignored}) — with `single`, as if `def` were
 * single-valued (one element of a multi-valued attribute).
 */
export function normaliseValue(
  def: AttributeDef,
  value: unknown,
  label: string,
  ignored: string[],
  single = false,
): unknown {
  const quick = quickValue(def, value, single);
  if (quick !== SLOW) return quick;
  return normaliseAttributeValue(single && def.multiValued ? singleOf(def) : def, value, label, { ignored });
}

// ---- the fast path --------------------------------------------------------------------------

interface ComplexInfo {
  subs: readonly AttributeDef[];
  /** Exact sub-attribute name → index in `subs`. */
  index: Map<string, number>;
  /** Bit i: subs[i] is required and not readOnly (the general normaliser insists on it). */
  required: number;
  /** The definition has a `primary` sub-attribute (one primary is enforced). */
  hasPrimary: boolean;
}

/** Per definition; null when the fast path cannot be exact for it (then it is never taken). */
const complexInfos = new WeakMap<AttributeDef, ComplexInfo | null>();

function complexInfo(def: AttributeDef): ComplexInfo | null {
  let info = complexInfos.get(def);
  if (info === undefined) complexInfos.set(def, (info = buildComplexInfo(def)));
  return info;
}

function buildComplexInfo(def: AttributeDef): ComplexInfo | null {
  const subs = def.subAttributes ?? [];
  // The given sub-attributes are tracked as bits; two names equal ignoring case would make an
  // exact-name hit differ from the general normaliser's case-insensitive search.
  if (subs.length > 30) return null;
  const index = new Map<string, number>();
  const lower = new Set<string>();
  let required = 0;
  for (let i = 0; i < subs.length; i++) {
    const s = subs[i]!;
    if (lower.has(s.name.toLowerCase())) return null;
    lower.add(s.name.toLowerCase());
    index.set(s.name, i);
    if (s.required && s.mutability !== 'readOnly') required |= 1 << i;
  }
  return { subs, index, required, hasPrimary: index.has('primary') };
}

/** A simple value the general normaliser returns unchanged (dateTimes are left to it). */
function isCanonicalSimple(def: AttributeDef, value: unknown): boolean {
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return false;
  }
}

/** One complex value given as an object; undefined when it amounts to absent. */
function quickComplex(info: ComplexInfo, value: JsonObject): JsonObject | undefined | typeof SLOW {
  const { subs } = info;
  let given = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const i = info.index.get(key);
    if (i === undefined) return SLOW;
    const sub = subs[i]!;
    if (sub.mutability === 'readOnly') continue;
    const raw = value[key];
    if (raw === null || raw === undefined) continue;
    if (sub.multiValued || !isCanonicalSimple(sub, raw)) return SLOW;
    given |= 1 << i;
  }
  if ((info.required & ~given) !== 0) return SLOW;
  if (given === 0) return undefined;
  const out: JsonObject = {};
  for (let i = 0; i < subs.length; i++) {
    if ((given & (1 << i)) !== 0) {
      const name = subs[i]!.name;
      out[name] = value[name];
    }
  }
  return out;
}

/** normaliseAttributeValue for canonical values, SLOW otherwise (see the header). */
export function quickValue(def: AttributeDef, value: unknown, single: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  const multi = def.multiValued && !single;
  if (def.type !== 'complex') {
    if (!multi) return isCanonicalSimple(def, value) ? value : SLOW;
    if (!Array.isArray(value)) return SLOW;
    if (value.length === 0) return undefined;
    for (const v of value) if (!isCanonicalSimple(def, v)) return SLOW;
    return value.slice();
  }
  const info = complexInfo(def);
  if (info === null) return SLOW;
  if (!multi) return isObject(value) ? quickComplex(info, value) : SLOW;
  if (!Array.isArray(value)) return SLOW;
  const out: JsonObject[] = [];
  let primary = -1;
  for (const item of value) {
    if (item === null || item === undefined) continue;
    if (!isObject(item)) return SLOW;
    const v = quickComplex(info, item);
    if (v === SLOW) return SLOW;
    if (v === undefined) continue;
    if (info.hasPrimary && v.primary === true) primary = out.length;
    out.push(v);
  }
  if (out.length === 0) return undefined;
  // enforceSinglePrimary: the last `primary: true` wins, the earlier ones become false.
  for (let i = 0; i < primary; i++) if (out[i]!.primary === true) out[i] = { ...out[i], primary: false };
  return out;
}

/** `def` as one element of itself: single-valued (memoised, definitions are shared). */
const singles = new WeakMap<AttributeDef, AttributeDef>();
function singleOf(def: AttributeDef): AttributeDef {
  let one = singles.get(def);
  if (one === undefined) singles.set(def, (one = { ...def, multiValued: false }));
  return one;
}

// ---- consistency of written values -------------------------------------------------------------

/** immutable: may go from unset to set, or be "set" to the value it has; nothing else. */
export function assertMutable(def: AttributeDef, label: string, before: unknown, after: unknown): void {
  if (def.mutability !== 'immutable') return;
  if (before === undefined || before === null) return;
  if (jsonEqual(before, after)) return;
  throw new MutabilityError(`Attribute "${label}" is immutable and already has a value`);
}

/** Writes sub-attribute `subDef` of element `el` (replacing a key in another case). */
export function setSub(el: JsonObject, subDef: AttributeDef, value: unknown, label: string): void {
  const k = findKey(el, subDef.name);
  if (k !== undefined) {
    assertMutable(subDef, label, el[k], value);
    if (k !== subDef.name) delete el[k];
  }
  el[subDef.name] = value;
}

/**
 * After `winner` (an element of `list` just written with `primary: true`, or undefined) was
 * written, it is the only primary: earlier primaries become false (copies; never modified).
 */
export function keepOnePrimary(def: AttributeDef, list: unknown[], winner: unknown): void {
  if (winner === undefined || def.type !== 'complex' || !def.multiValued) return;
  for (let i = 0; i < list.length; i++) {
    const el = list[i];
    if (el !== winner && isObject(el) && el.primary === true) list[i] = { ...el, primary: false };
  }
}

/** The last element of `written` with `primary: true`, if any. */
export function lastPrimary(written: readonly unknown[]): unknown {
  for (let i = written.length - 1; i >= 0; i--) {
    const el = written[i];
    if (isObject(el) && el.primary === true) return el;
  }
  return undefined;
}

/** Two elements are the same value: deep-equal, or for group members the same `value`. */
export function sameElement(def: AttributeDef, a: unknown, b: unknown): boolean {
  if (def.name === 'members' && isObject(a) && isObject(b)) return getKey(a, 'value') === getKey(b, 'value');
  return jsonEqual(a, b);
}

/**
 * Whether `element` is one of the values a remove-with-value names: every sub-attribute given
 * (nulls aside) equals the element's; a bare value compares with the element's `value`.
 */
export function matchesGiven(def: AttributeDef, element: unknown, given: unknown): boolean {
  if (given === null || given === undefined) return false;
  if (def.type !== 'complex') return looseEqual(element, given);
  if (!isObject(element)) return false;
  if (!isObject(given)) return looseEqual(getKey(element, 'value'), given);
  let compared = 0;
  for (const k in given) {
    if (!Object.hasOwn(given, k)) continue;
    const v = given[k];
    if (v === null || v === undefined) continue;
    compared++;
    if (!looseEqual(getKey(element, k), v)) return false;
  }
  return compared > 0;
}

function looseEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'boolean' && typeof b === 'string') return String(a) === b.toLowerCase();
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  return jsonEqual(a, b);
}

/** The elements of a stored value, as a new array. */
export function toList(current: unknown): unknown[] {
  if (current === undefined || current === null) return [];
  return Array.isArray(current) ? current.slice() : [current];
}
