// Which attributes a change touched, as SCIM attribute paths (RFC 7644 §3.10): `title`,
// `name.givenName` (a sub-attribute of a complex attribute), `emails` (a multi-valued attribute as
// a whole), `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department` (an extension
// attribute: its schema URN, a colon, the attribute; `...:manager.value` one level further).
import { isObject, jsonEqual, type JsonObject } from '#scim/json.ts';

/** The keys whose values differ between two objects. */
function differing(before: JsonObject, after: JsonObject): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (key) => !jsonEqual(before[key], after[key]),
  );
}

/** `key`, or `key.sub` for each differing sub-attribute when both sides are complex values. */
function attributePaths(key: string, before: unknown, after: unknown): string[] {
  return isObject(before) && isObject(after) ? differing(before, after).map((sub) => `${key}.${sub}`) : [key];
}

export function changedPaths(before: JsonObject, after: JsonObject): string[] {
  const out: string[] = [];
  for (const key of differing(before, after)) {
    const b = before[key];
    const a = after[key];
    const extension = key.startsWith('urn:') && (isObject(b) || b === undefined) && (isObject(a) || a === undefined);
    if (extension) {
      const bo = isObject(b) ? b : {};
      const ao = isObject(a) ? a : {};
      for (const attr of differing(bo, ao)) out.push(...attributePaths(`${key}:${attr}`, bo[attr], ao[attr]));
    } else {
      out.push(...attributePaths(key, b, a));
    }
  }
  return out.sort();
}
