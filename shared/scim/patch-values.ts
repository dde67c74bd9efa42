// The PATCH engine's fast path for resource.ts normaliseAttributeValue. IdPs almost always send
// values already in canonical shape (strings for strings, booleans for booleans, objects with the
// sub-attributes' exact names), and for those the general normaliser's work (labels built for
// every element, a Map of names seen, entries arrays, a second object to restore definition
// order) is all overhead. `quickNormalise` recognises such values and builds exactly what
// normaliseAttributeValue would return: a new array/object (never the client's own), the
// sub-attributes in definition order, readOnly and null sub-attributes dropped, the last
// `primary: true` winning. For anything else (a quirk to coerce, an unknown or mis-cased key, a
// value to reject) it returns SLOW without side effects, and the caller runs the general
// normaliser, so results, errors and `ignored` entries are those of resource.ts by construction.

import { isObject, type JsonObject } from '#scim/attribute-access.ts';
import { enforceSinglePrimary, type Json } from '#scim/resource.ts';
import type { AttributeDef } from '#scim/schema/types.ts';

/** "Not a canonical value: use the general normaliser." */
export const SLOW: unique symbol = Symbol('slow');

interface ComplexInfo {
  subs: readonly AttributeDef[];
  /** Exact sub-attribute name → index in `subs`. */
  index: Map<string, number>;
  /** Bit i: subs[i] is required and not readOnly (the general normaliser insists on it). */
  requiredMask: number;
  /** Index of the `value` sub-attribute (bare-value shorthand), or -1. */
  valueIndex: number;
  /** The definition has a `primary` sub-attribute (single primary enforced). */
  hasPrimary: boolean;
}

/** Per definition; null when the fast path cannot be exact for it (then it is never taken). */
const complexInfos = new WeakMap<AttributeDef, ComplexInfo | null>();

function complexInfo(def: AttributeDef): ComplexInfo | null {
  let info = complexInfos.get(def);
  if (info === undefined) {
    info = buildComplexInfo(def);
    complexInfos.set(def, info);
  }
  return info;
}

function buildComplexInfo(def: AttributeDef): ComplexInfo | null {
  const subs = def.subAttributes ?? [];
  // A bitmask tracks which sub-attributes were given; names equal ignoring case would make an
  // exact-name hit ambiguous with the general normaliser's case-insensitive search.
  if (subs.length > 30) return null;
  const index = new Map<string, number>();
  const lower = new Set<string>();
  let requiredMask = 0;
  for (let i = 0; i < subs.length; i++) {
    const s = subs[i]!;
    const l = s.name.toLowerCase();
    if (lower.has(l)) return null;
    lower.add(l);
    index.set(s.name, i);
    if (s.required && s.mutability !== 'readOnly') requiredMask |= 1 << i;
  }
  return {
    subs,
    index,
    requiredMask,
    valueIndex: index.get('value') ?? -1,
    hasPrimary: index.has('primary'),
  };
}

/** A simple value that simpleValue returns unchanged; null/undefined are not (they mean absent). */
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

/** One complex value; undefined when it amounts to absent. */
function quickComplex(info: ComplexInfo, value: unknown): Json | undefined | typeof SLOW {
  const { subs } = info;
  if (!isObject(value)) {
    // `"manager": "271"`: a bare value stands for {value}.
    if (typeof value === 'object' || info.valueIndex < 0) return SLOW;
    const sub = subs[info.valueIndex]!;
    if (sub.mutability === 'readOnly' || sub.multiValued || !isCanonicalSimple(sub, value)) return SLOW;
    if ((info.requiredMask & ~(1 << info.valueIndex)) !== 0) return SLOW;
    return { value } as Json;
  }
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
  if ((info.requiredMask & ~given) !== 0) return SLOW;
  if (given === 0) return undefined;
  const out: JsonObject = {};
  for (let i = 0; i < subs.length; i++) {
    if ((given & (1 << i)) !== 0) {
      const name = subs[i]!.name;
      out[name] = value[name];
    }
  }
  return out as Json;
}

function quickSimpleList(def: AttributeDef, value: unknown): Json | undefined | typeof SLOW {
  if (!Array.isArray(value)) return SLOW;
  if (value.length === 0) return undefined;
  for (let i = 0; i < value.length; i++) if (!isCanonicalSimple(def, value[i])) return SLOW;
  return value.slice() as Json;
}

/**
 * normaliseAttributeValue(def, value) (with `single`: as if `def` were single-valued) for
 * canonical values, SLOW otherwise. PATCH never keeps readOnly sub-attributes.
 */
export function quickNormalise(def: AttributeDef, value: unknown, single: boolean): Json | undefined | typeof SLOW {
  if (value === null || value === undefined) return undefined;
  const multi = def.multiValued && !single;
  if (def.type !== 'complex') {
    if (multi) return quickSimpleList(def, value);
    return isCanonicalSimple(def, value) ? (value as Json) : SLOW;
  }
  const info = complexInfo(def);
  if (info === null) return SLOW;
  if (!multi) return Array.isArray(value) ? SLOW : quickComplex(info, value);
  if (!Array.isArray(value)) {
    const v = quickComplex(info, value);
    if (v === SLOW || v === undefined) return v;
    return info.hasPrimary ? enforceSinglePrimary([v]) : [v];
  }
  const out: Json[] = [];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (item === null || item === undefined) continue;
    const v = quickComplex(info, item);
    if (v === SLOW) return SLOW;
    if (v !== undefined) out.push(v);
  }
  if (out.length === 0) return undefined;
  return info.hasPrimary ? enforceSinglePrimary(out) : out;
}
