// Turns a POST/PUT body into the canonical JSON the store keeps: canonical attribute names,
// extension attributes under their URN key, `schemas` computed, values type-checked against the
// schema and otherwise kept exactly as sent (Entra GETs, diffs and re-PATCHes anything that comes
// back in another shape). What real IdPs send beyond the RFC is accepted (idp-quirks §0, §8.4).
//
// Decisions (each has a test):
// - Unknown attributes, unknown sub-attributes and unknown extension objects are ignored, never
//   a 400, and listed in `ignored` so the caller can log them. A deployment that wants to keep a
//   custom attribute declares it in the custom extension; a top-level key that names an
//   extension attribute unambiguously (Okta "External namespace = core", Statsig style) is filed
//   under that extension.
// - readOnly attributes in a body (id, meta, groups, manager.displayName) are ignored whatever
//   their value: clients echo back what they read (Okta PUT) or send junk (`"groups":[]`).
// - JSON null, an empty array and an empty complex value all mean "absent" (RFC 7643 §2.5). An
//   empty array given for a multi-valued attribute is stored and returned as sent, so a client that
//   diffs its payload against the answer (authentik) finds nothing to change.
// - Booleans may arrive as strings ("True", "false", any case: Entra); numeric strings are accepted
//   for integer/decimal. The reverse is not: a number or boolean for a string attribute
//   (`"userName": 12345`) is 400 invalidValue, as no IdP we know sends one (docs/compatibility.md).
// - A single value where an array belongs is wrapped (OneLogin `emails` object); an array of one
//   where a single complex value belongs is unwrapped, and a bare string for a single-valued
//   complex attribute with a `value` sub-attribute becomes `{value}` (Entra `manager`). A bare
//   string for a multi-valued complex attribute (`"emails": "a@b.c"`) is 400 invalidValue.
// - Limits (docs/limits.md): userName, externalId and a group's displayName are at most
//   MAX_INDEXED_VALUE_BYTES (they form DynamoDB keys), so are members[].value and members[].display;
//   the whole resource as stored is at most MAX_RESOURCE_BYTES of JSON (DynamoDB items stop at
//   400 KB), else 400 invalidValue naming the attribute.
// - canonicalValues are advisory (Entra sends `type: "WindowsAzureActiveDirectoryRole"`), except
//   `members.type`, whose value drives behaviour: it must be User or Group (any case) and is stored
//   in canonical case.
// - Several `primary: true` in one multi-valued attribute: the last one wins and the earlier ones
//   become false, which is what RFC 7644 §3.5.2 asks of a PATCH that adds a primary value, so a
//   PATCH engine that appends and then normalises gets the RFC behaviour for free.
// - The same attribute given twice with different values (`userName` and `UserName`, or `name`
//   and `name.givenName`) is an invalidValue error; equal values are fine.
// - `password` (writeOnly) is returned apart, never in `doc`. Okta sends a placeholder even
//   without password sync; what to keep is the store's decision.
// - Group `members` are validated and returned apart (`members`), deduplicated by value (first
//   wins), because the store keeps one item per membership. `members` is undefined when the body
//   has no members at all, [] when it asks for none.

import { InvalidSyntaxError, InvalidValueError, MutabilityError } from '#scim/errors.ts';
import { isObject, jsonEqual, show } from '#scim/json.ts';
import type { ResourceTypeName, SchemaRegistry } from '#scim/schema/registry.ts';
import type { AttributeDef, SchemaDef } from '#scim/schema/types.ts';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A resource as stored: `schemas` plus canonical attributes, extensions under their URN. No id/meta. */
export interface ResourceDoc {
  schemas: string[];
  [attribute: string]: unknown;
}

export interface MemberInput {
  value: string;
  $ref?: string;
  display?: string;
  type?: 'User' | 'Group';
}

export interface NormalisedResource {
  doc: ResourceDoc;
  /** The writeOnly `password`, when one was sent; never part of `doc`. */
  password?: string;
  /** Group only: the members sent, validated and deduplicated; undefined when none were sent. */
  members?: MemberInput[];
  /** Attribute paths that were not recognised and were dropped (for logging). */
  ignored: string[];
}

export type NormaliseMode = 'create' | 'replace';

/** Longest userName, externalId, group displayName and member value/display, in UTF-8 bytes (they form keys). */
export const MAX_INDEXED_VALUE_BYTES = 1024;
/**
 * Largest resource, as the JSON of its stored attributes in UTF-8 bytes. DynamoDB items stop at
 * 400 KB; this leaves room for keys, the password hash, a user's group ids and the old and new
 * copies a change event carries.
 */
export const MAX_RESOURCE_BYTES = 100 * 1024;

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

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

interface Slot {
  schema: SchemaDef;
  extension: boolean;
  def: AttributeDef;
  /** The whole value, when given as a whole. */
  whole?: { value: unknown; key: string };
  /** Sub-attribute values given one by one (`name.givenName`), by canonical sub name. */
  parts: Map<string, { value: unknown; key: string }>;
}

/**
 * Normalises a POST (`create`) or PUT (`replace`) body. `existing` (the stored doc) is needed on
 * replace to enforce immutability and keep immutable values the body leaves out.
 * Throws only ScimErrors: InvalidSyntaxError for a body that is not an object, InvalidValueError
 * for a bad or missing value, MutabilityError for a change to an immutable value.
 */
export function normaliseResource(
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
  body: unknown,
  mode: NormaliseMode,
  existing?: object,
): NormalisedResource {
  return normalise(registry, resourceType, body, mode, existing);
}

function normalise(
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
  body: unknown,
  mode: NormaliseMode,
  existing?: object,
): NormalisedResource {
  if (!isObject(body)) {
    throw new InvalidSyntaxError(
      `The request body must be a JSON object (a ${resourceType}), got ${Array.isArray(body) ? 'an array' : show(body)}`,
    );
  }
  const core = registry.coreSchema(resourceType);
  const ignored: string[] = [];
  const slots = new Map<string, Slot>(); // keyed by "<schemaId>|<attribute name>"

  const place = (scope: SchemaDef | undefined, key: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    const resolved = registry.resolve(resourceType, scope ? { uri: scope.id, attribute: key } : { attribute: key });
    if (!resolved) {
      ignored.push(scope && scope !== core ? `${scope.id}:${key}` : key);
      return;
    }
    const schema = registry.schema(resolved.schemaId) ?? core;
    const slotKey = `${schema.id}|${resolved.attribute.name}`;
    let slot = slots.get(slotKey);
    if (!slot) {
      slot = { schema, extension: schema !== core, def: resolved.attribute, parts: new Map() };
      slots.set(slotKey, slot);
    }
    const label = labelOf(slot, resolved.subAttribute?.name);
    if (resolved.subAttribute) {
      const previous = slot.parts.get(resolved.subAttribute.name);
      if (previous && !jsonEqual(previous.value, value)) {
        throw new InvalidValueError(
          `Attribute '${label}' is given twice with different values (as '${previous.key}' and '${key}')`,
        );
      }
      slot.parts.set(resolved.subAttribute.name, { value, key });
    } else {
      if (slot.whole && !jsonEqual(slot.whole.value, value)) {
        throw new InvalidValueError(
          `Attribute '${label}' is given twice with different values (as '${slot.whole.key}' and '${key}')`,
        );
      }
      slot.whole = { value, key };
    }
  };

  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') {
      checkSchemas(registry, resourceType, value);
      continue;
    }
    const named = registry.schemaForUrn(resourceType, key);
    if (named) {
      // `"urn:…:enterprise:2.0:User": {…}` — accepted whether or not `schemas` lists it (Entra).
      if (value === null || value === undefined) continue;
      if (!isObject(value)) {
        throw new InvalidValueError(
          `'${key}' must be a JSON object holding the ${named.name} attributes, got ${show(value)}`,
        );
      }
      for (const [k, v] of Object.entries(value)) place(named, k, v);
      continue;
    }
    if (value === null || value === undefined) continue;
    // `"urn:…:enterprise:2.0:User:department": "x"` resolves through the registry like any path.
    place(undefined, key, value);
  }

  const doc: Record<string, unknown> = {};
  const extensionDocs = new Map<string, Record<string, unknown>>();
  let password: string | undefined;
  let members: MemberInput[] | undefined;

  for (const slot of slots.values()) {
    const { def } = slot;
    if (def.mutability === 'readOnly') continue;
    const label = labelOf(slot);
    const value = assemble(slot, label);
    if (resourceType === 'Group' && !slot.extension && def.name === 'members') {
      members = toMembers(normaliseAttributeValue(def, value, label, { ignored }));
      continue;
    }
    // An empty list sent for a multi-valued attribute is kept as sent (`"emails": []`): it means
    // the same as absent (RFC 7643 §2.5), and echoing it leaves diffing clients (authentik) nothing
    // to re-send.
    const normalised =
      def.multiValued && Array.isArray(value) && value.length === 0
        ? []
        : normaliseAttributeValue(def, value, label, { ignored });
    if (normalised === undefined) continue;
    if (!slot.extension && def.mutability === 'writeOnly' && def.name === 'password') {
      if (typeof normalised !== 'string') throw new InvalidValueError(`Attribute 'password' must be a string`);
      if (normalised !== '') password = normalised;
      continue;
    }
    if (slot.extension) {
      let ext = extensionDocs.get(slot.schema.id);
      if (!ext) extensionDocs.set(slot.schema.id, (ext = {}));
      ext[def.name] = normalised;
    } else {
      doc[def.name] = normalised;
    }
  }

  if (mode === 'replace' && isObject(existing)) {
    applyImmutability(registry, resourceType, doc, extensionDocs, existing);
  }

  checkRequired(core, doc, '');
  for (const ext of registry.extensions(resourceType)) {
    const extDoc = extensionDocs.get(ext.id);
    if (extDoc) checkRequired(ext, extDoc, `${ext.id}:`);
  }
  if (resourceType === 'User' && typeof doc.userName === 'string' && doc.userName.trim() === '') {
    throw new InvalidValueError(`Attribute 'userName' must not be empty`);
  }
  if (resourceType === 'Group' && typeof doc.displayName === 'string' && doc.displayName.trim() === '') {
    throw new InvalidValueError(`Attribute 'displayName' must not be empty`);
  }

  // Keys in definition order (common attributes, core, then extensions), so the same resource
  // always serialises the same way whatever order the client used.
  const schemas = [core.id];
  const out: ResourceDoc = { schemas };
  for (const def of [...registry.commonAttributes, ...core.attributes]) {
    if (doc[def.name] !== undefined) out[def.name] = doc[def.name];
  }
  for (const ext of registry.extensions(resourceType)) {
    const extDoc = extensionDocs.get(ext.id);
    if (!extDoc) continue;
    const ordered: Record<string, unknown> = {};
    for (const def of ext.attributes) if (extDoc[def.name] !== undefined) ordered[def.name] = extDoc[def.name];
    if (Object.keys(ordered).length > 0) {
      schemas.push(ext.id);
      out[ext.id] = ordered;
    }
  }
  checkLimits(resourceType, out);
  return {
    doc: out,
    ...(password !== undefined ? { password } : {}),
    ...(members !== undefined ? { members } : {}),
    ignored,
  };
}

/** The limits of docs/limits.md: key-forming strings, then the size of the whole resource. */
function checkLimits(resourceType: ResourceTypeName, doc: ResourceDoc): void {
  const indexed = resourceType === 'Group' ? ['externalId', 'displayName'] : ['userName', 'externalId'];
  for (const name of indexed) {
    const value = doc[name];
    if (typeof value === 'string' && utf8Bytes(value) > MAX_INDEXED_VALUE_BYTES) {
      throw new InvalidValueError(
        `Attribute '${name}' is ${utf8Bytes(value)} bytes long (UTF-8); the limit is ${MAX_INDEXED_VALUE_BYTES} bytes`,
      );
    }
  }
  const size = utf8Bytes(JSON.stringify(doc));
  if (size <= MAX_RESOURCE_BYTES) return;
  const [largest, bytes] = Object.entries(doc)
    .map(([name, value]) => [name, utf8Bytes(JSON.stringify(value))] as const)
    .sort((a, b) => b[1] - a[1])[0]!;
  throw new InvalidValueError(
    `The ${resourceType} would take ${size} bytes; the limit is ${MAX_RESOURCE_BYTES} bytes (docs/limits.md). Its largest attribute is '${largest}' (${bytes} bytes)`,
  );
}

function labelOf(slot: Slot, sub?: string): string {
  const base = slot.extension ? `${slot.schema.id}:${slot.def.name}` : slot.def.name;
  return sub ? `${base}.${sub}` : base;
}

/** Merges `name: {…}` with `name.givenName: …` given separately. */
function assemble(slot: Slot, label: string): unknown {
  if (slot.parts.size === 0) return slot.whole?.value;
  if (slot.def.multiValued) {
    throw new InvalidValueError(
      `Attribute '${label}' is multi-valued; give its elements as an array, not '${label}.<sub-attribute>' keys`,
    );
  }
  let base: Record<string, unknown> = {};
  if (slot.whole) {
    const whole =
      Array.isArray(slot.whole.value) && slot.whole.value.length === 1 ? slot.whole.value[0] : slot.whole.value;
    if (!isObject(whole)) {
      throw new InvalidValueError(
        `Attribute '${label}' must be a complex value (a JSON object), got ${show(slot.whole.value)}`,
      );
    }
    base = { ...whole };
  }
  for (const [sub, { value, key }] of slot.parts) {
    const existingKey = Object.keys(base).find((k) => k.toLowerCase() === sub.toLowerCase());
    if (existingKey !== undefined && base[existingKey] !== null && !jsonEqual(base[existingKey], value)) {
      throw new InvalidValueError(
        `Attribute '${label}.${sub}' is given twice with different values (in '${label}' and as '${key}')`,
      );
    }
    if (existingKey !== undefined) delete base[existingKey];
    base[sub] = value;
  }
  return base;
}

function checkSchemas(registry: SchemaRegistry, resourceType: ResourceTypeName, value: unknown): void {
  // Unknown, legacy or missing URNs are all fine (Entra ADSCIM, OneLogin templates); only a body
  // that says it is the other resource type, and not this one, is refused.
  if (!Array.isArray(value)) return;
  const listed = value.filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase());
  const own = registry.coreSchema(resourceType).id.toLowerCase();
  const other = registry.resourceTypes.find((t) => t.name !== resourceType);
  if (other && listed.includes(other.schema.toLowerCase()) && !listed.includes(own)) {
    throw new InvalidValueError(`'schemas' names ${other.schema}, which is not a ${resourceType} resource`);
  }
}

function checkRequired(schema: SchemaDef, doc: Record<string, unknown>, prefix: string): void {
  for (const def of schema.attributes) {
    if (!def.required || def.mutability === 'readOnly') continue;
    if (def.name === 'members' || def.name === 'password') continue;
    if (doc[def.name] === undefined) throw new InvalidValueError(`Attribute '${prefix}${def.name}' is required`);
  }
}

/**
 * Group members from a normalised `members` value: each validated, deduplicated by value (first
 * wins). PATCH uses it too (patch-members.ts); `q` is the quote its error details put around
 * attribute names.
 */
export function toMembers(value: Json | undefined, q: "'" | '"' = "'"): MemberInput[] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  const seen = new Set<string>();
  const members: MemberInput[] = [];
  items.forEach((item, i) => {
    if (!isObject(item)) return;
    const memberValue = item.value;
    if (typeof memberValue !== 'string' || memberValue === '') {
      throw new InvalidValueError(`Attribute ${q}members[${i}].value${q} is required (the id of the member)`);
    }
    for (const [sub, text] of [
      ['value', memberValue],
      ['display', item.display],
    ] as const) {
      if (typeof text === 'string' && utf8Bytes(text) > MAX_INDEXED_VALUE_BYTES) {
        throw new InvalidValueError(
          `Attribute ${q}members[${i}].${sub}${q} is ${utf8Bytes(text)} bytes long (UTF-8); the limit is ${MAX_INDEXED_VALUE_BYTES} bytes`,
        );
      }
    }
    let type: MemberInput['type'];
    if (typeof item.type === 'string') {
      const lower = item.type.toLowerCase();
      if (lower === 'user') type = 'User';
      else if (lower === 'group') type = 'Group';
      else
        throw new InvalidValueError(
          `Attribute ${q}members[${i}].type${q} must be User or Group, got ${show(item.type)}`,
        );
    }
    if (seen.has(memberValue)) return;
    seen.add(memberValue);
    members.push({
      value: memberValue,
      ...(typeof item.$ref === 'string' ? { $ref: item.$ref } : {}),
      ...(typeof item.display === 'string' ? { display: item.display } : {}),
      ...(type ? { type } : {}),
    });
  });
  return members;
}

/**
 * RFC 7644 §3.5.1: on PUT an immutable attribute that already has a value must be given the same
 * value (case-insensitively unless caseExact) or be left out, in which case it is kept.
 * Sub-attributes of multi-valued attributes are not compared: an element is replaced whole.
 */
function applyImmutability(
  registry: SchemaRegistry,
  resourceType: ResourceTypeName,
  doc: Record<string, unknown>,
  extensionDocs: Map<string, Record<string, unknown>>,
  existing: Record<string, unknown>,
): void {
  const check = (
    schema: SchemaDef,
    target: Record<string, unknown>,
    before: Record<string, unknown>,
    prefix: string,
  ) => {
    for (const def of schema.attributes) {
      const old = before[def.name];
      if (old === undefined || old === null) continue;
      const now = target[def.name];
      if (def.mutability === 'immutable') {
        if (now === undefined) target[def.name] = old;
        else if (!jsonEqual(old, now, !def.caseExact)) {
          throw new MutabilityError(
            `Attribute '${prefix}${def.name}' is immutable and already set to ${show(old)}; it cannot become ${show(now)}`,
          );
        }
      } else if (def.type === 'complex' && !def.multiValued && isObject(old)) {
        for (const sub of def.subAttributes ?? []) {
          if (sub.mutability !== 'immutable' || old[sub.name] === undefined) continue;
          const current = isObject(now) ? now : undefined;
          const subNow = current?.[sub.name];
          if (subNow === undefined) target[def.name] = { ...(current ?? {}), [sub.name]: old[sub.name] };
          else if (!jsonEqual(old[sub.name], subNow, !sub.caseExact)) {
            throw new MutabilityError(
              `Attribute '${prefix}${def.name}.${sub.name}' is immutable and already set to ${show(old[sub.name])}; it cannot become ${show(subNow)}`,
            );
          }
        }
      }
    }
  };
  check(registry.coreSchema(resourceType), doc, existing, '');
  for (const ext of registry.extensions(resourceType)) {
    const before = existing[ext.id];
    if (!isObject(before)) continue;
    let target = extensionDocs.get(ext.id);
    if (!target) {
      target = {};
      extensionDocs.set(ext.id, target);
    }
    check(ext, target, before, `${ext.id}:`);
  }
}
