// Small helpers over parsed JSON that the SCIM engine uses everywhere (one copy of each).

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Structural equality of JSON values. With `caseInsensitive`, strings compare case-insensitively
 * (attributes with caseExact=false, RFC 7643 §2.2).
 */
export function jsonEqual(a: unknown, b: unknown, caseInsensitive = false): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return caseInsensitive && a.toLowerCase() === b.toLowerCase();
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i], caseInsensitive)) return false;
    return true;
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !jsonEqual(a[k], b[k], caseInsensitive)) return false;
    return true;
  }
  return false;
}

/** True when `value` nests deeper than `limit` levels of arrays/objects; stops early. */
export function nestsDeeper(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (nestsDeeper(v, limit - 1)) return true;
    return false;
  }
  for (const key in value) if (nestsDeeper((value as JsonObject)[key], limit - 1)) return true;
  return false;
}

const SHOW_LENGTH = 60;
const SHOW_DEPTH = 16;

/** A short rendering of a client value for an error detail; never throws. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = nestsDeeper(value, SHOW_DEPTH)
      ? Array.isArray(value)
        ? '[…]'
        : '{…}'
      : (JSON.stringify(value) ?? String(value));
  } catch {
    text = typeof value;
  }
  return text.length > SHOW_LENGTH ? `${text.slice(0, SHOW_LENGTH)}…` : text;
}
