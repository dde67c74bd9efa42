// Checks and coerces one attribute value against its definition, for POST/PUT (resource.ts) and
// PATCH (patch-values.ts) alike, so both accept the same shapes. A value is type-checked and
// otherwise kept exactly as sent (Entra GETs, diffs and re-PATCHes anything that comes back in
// another shape); what real IdPs send beyond the RFC is accepted (idp-quirks §0, §8.4).
//
// Decisions (each has a test):
// - Unknown sub-attributes are ignored, never a 400, and listed in `ignored` so the caller can log
//   them. readOnly sub-attributes (manager.displayName) are dropped whatever their value, unless
//   the server itself is writing the value (`keepReadOnly`).
// - JSON null, an empty array and an empty complex value all mean "absent" (RFC 7643 §2.5): the
//   value normalises to undefined.
// - Booleans may arrive as strings ("True", "false", any case: Entra); numeric strings are accepted
//   for integer/decimal. The reverse is not: a number or boolean for a string attribute
//   (`"userName": 12345`) is 400 invalidValue, as no IdP we know sends one (docs/compatibility.md).
// - A single value where an array belongs is wrapped (OneLogin `emails` object); an array of one
//   where a single complex value belongs is unwrapped, and a bare string for a single-valued
//   complex attribute with a `value` sub-attribute becomes `{value}` (Entra `manager`). A bare
//   string for a multi-valued complex attribute (`"emails": "a@b.c"`) is 400 invalidValue.
// - canonicalValues are advisory (Entra sends `type: "WindowsAzureActiveDirectoryRole"`) and are
//   not checked here; the one exception, `members.type`, is resource.ts' toMembers.
// - Several `primary: true` in one multi-valued attribute: the last one wins and the earlier ones
//   become false, which is what RFC 7644 §3.5.2 asks of a PATCH that adds a primary value, so a
//   PATCH engine that appends and then normalises gets the RFC behaviour for free.
// - The same sub-attribute given twice in one value with different values (`value` and `Value`)
//   is an invalidValue error; equal values are fine.

import { InvalidValueError } from '#scim/errors.ts';
import { isObject, jsonEqual, show } from '#scim/json.ts';
import type { AttributeDef } from '#scim/schema/types.ts';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

// xsd:dateTime (RFC 7643 §2.3.5), e.g. 2008-01-23T04:56:22Z or 2008-01-23T04:56:22.123+01:00.
const DATE_TIME =
  /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;
const BOOLEAN_STRING = /^\s*(true|false)\s*$/i;
const NUMBER_STRING = /^\s*-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Checks and coerces one simple (non-complex, single) value against its definition.
 * Returns undefined for null (absent). Throws InvalidValueError naming `label`.
 */
function simpleValue(def: AttributeDef, value: unknown, label: string): Json | undefined {
  if (value === null || value === undefined) return undefined;
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof value === 'string') return value;
      throw new InvalidValueError(`Attribute '${label}' must be a string, got ${show(value)}`);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && BOOLEAN_STRING.test(value)) return value.trim().toLowerCase() === 'true';
      throw new InvalidValueError(`Attribute '${label}' must be a boolean (true or false), got ${show(value)}`);
    case 'integer': {
      const n = typeof value === 'string' && NUMBER_STRING.test(value) ? Number(value) : value;
      if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
      throw new InvalidValueError(`Attribute '${label}' must be an integer, got ${show(value)}`);
    }
    case 'decimal': {
      const n = typeof value === 'string' && NUMBER_STRING.test(value) ? Number(value) : value;
      if (typeof n === 'number' && Number.isFinite(n)) return n;
      throw new InvalidValueError(`Attribute '${label}' must be a decimal number, got ${show(value)}`);
    }
    case 'dateTime':
      if (typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return value;
      throw new InvalidValueError(
        `Attribute '${label}' must be an xsd:dateTime such as 2024-01-31T12:00:00Z, got ${show(value)}`,
      );
    case 'complex':
      throw new TypeError('simpleValue called on a complex attribute');
  }
}

export interface ValueOptions {
  /** Dropped unknown sub-attributes are reported here. */
  ignored?: string[];
  /** Keep readOnly sub-attributes instead of dropping them (for values the server itself writes). */
  keepReadOnly?: boolean;
}

/** One complex value (single value or one element of a multi-valued attribute). */
function complexValue(def: AttributeDef, value: unknown, label: string, options: ValueOptions): Json | undefined {
  if (value === null || value === undefined) return undefined;
  const subs = def.subAttributes ?? [];
  let input: unknown = value;
  if (!isObject(input)) {
    // `"manager": "271"` (Entra): a bare value stands for `{value}` where one value belongs.
    const valueDef = subs.find((s) => s.name === 'value');
    if (valueDef && !def.multiValued && !Array.isArray(input) && typeof input !== 'object') input = { value: input };
    else
      throw new InvalidValueError(`Attribute '${label}' must be a complex value (a JSON object), got ${show(value)}`);
  }
  const out: Record<string, Json> = {};
  const seen = new Map<string, string>();
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    const lower = key.toLowerCase();
    const sub = subs.find((s) => s.name.toLowerCase() === lower);
    if (!sub) {
      if (raw !== null && raw !== undefined) options.ignored?.push(`${label}.${key}`);
      continue;
    }
    if (sub.mutability === 'readOnly' && !options.keepReadOnly) continue;
    const v = sub.multiValued
      ? multiSimple(sub, raw, `${label}.${sub.name}`)
      : simpleValue(sub, Array.isArray(raw) && raw.length <= 1 ? raw[0] : raw, `${label}.${sub.name}`);
    if (v === undefined) continue;
    const previous = seen.get(sub.name);
    if (previous !== undefined && !jsonEqual(out[sub.name], v)) {
      throw new InvalidValueError(
        `Attribute '${label}.${sub.name}' is given twice with different values (as '${previous}' and '${key}')`,
      );
    }
    seen.set(sub.name, key);
    out[sub.name] = v;
  }
  for (const sub of subs) {
    if (sub.required && sub.mutability !== 'readOnly' && out[sub.name] === undefined) {
      throw new InvalidValueError(`Attribute '${label}.${sub.name}' is required`);
    }
  }
  if (Object.keys(out).length === 0) return undefined;
  // Definition order, so the same value always serialises the same way (no-op PATCH detection).
  const ordered: Record<string, Json> = {};
  for (const sub of subs) if (out[sub.name] !== undefined) ordered[sub.name] = out[sub.name]!;
  return ordered;
}

function multiSimple(def: AttributeDef, value: unknown, label: string): Json[] | undefined {
  if (value === null || value === undefined) return undefined;
  const items = Array.isArray(value) ? value : [value];
  const out = items.flatMap((item, i) => {
    const v = simpleValue(def, item, `${label}[${i}]`);
    return v === undefined ? [] : [v];
  });
  return out.length > 0 ? out : undefined;
}

/** Makes `primary: true` appear at most once: the last one wins (see the header). */
export function enforceSinglePrimary(values: Json[]): Json[] {
  let last = -1;
  values.forEach((v, i) => {
    if (isObject(v) && v.primary === true) last = i;
  });
  if (last < 0) return values;
  return values.map((v, i) => (i !== last && isObject(v) && v.primary === true ? { ...v, primary: false } : v));
}

/**
 * Checks and coerces a whole attribute value against its definition, with all the leniencies of
 * this module (string booleans, wrapping, `{value}` shorthand, nulls as absent). Returns
 * undefined when the value amounts to "absent". For use by PATCH as well as by normaliseResource.
 */
export function normaliseAttributeValue(
  def: AttributeDef,
  value: unknown,
  label: string = def.name,
  options: ValueOptions = {},
): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (def.type !== 'complex') {
    if (def.multiValued) return multiSimple(def, value, label);
    if (Array.isArray(value)) {
      // `[{"value": x}]` or `[x]` where a single value belongs (idp-quirks §8.5.4).
      if (value.length === 0) return undefined;
      const only = value.length === 1 ? value[0] : undefined;
      const unwrapped = isObject(only) && Object.keys(only).length === 1 && 'value' in only ? only.value : only;
      if (value.length === 1) return simpleValue(def, unwrapped, label);
      throw new InvalidValueError(`Attribute '${label}' is single-valued, got an array of ${value.length}`);
    }
    return simpleValue(def, value, label);
  }
  if (def.multiValued) {
    const items = Array.isArray(value) ? value : [value];
    const out = items.flatMap((item, i) => {
      const v = complexValue(def, item, `${label}[${i}]`, options);
      return v === undefined ? [] : [v];
    });
    if (out.length === 0) return undefined;
    return def.subAttributes?.some((s) => s.name === 'primary') ? enforceSinglePrimary(out) : out;
  }
  if (Array.isArray(value)) {
    // Entra sends `manager` as `[{"$ref": …, "value": …}]`.
    if (value.length === 0) return undefined;
    if (value.length > 1)
      throw new InvalidValueError(`Attribute '${label}' is single-valued, got an array of ${value.length}`);
    return complexValue(def, value[0], label, options);
  }
  return complexValue(def, value, label, options);
}
