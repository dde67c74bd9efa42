// Turns a POST/PUT body into the canonical JSON the store keeps: canonical attribute names,
// extension attributes under their URN key, `schemas` computed, each value checked and coerced by
// attribute-values.ts and otherwise kept exactly as sent. What real IdPs send beyond the RFC is
// accepted (idp-quirks §0, §8.4).
//
// Decisions (each has a test; those about a single value are attribute-values.ts'):
// - Unknown attributes and unknown extension objects are ignored, never a 400, and listed in
//   `ignored` so the caller can log them. A deployment that wants to keep a custom attribute
//   declares it in the custom extension; a top-level key that names an extension attribute
//   unambiguously (Okta "External namespace = core", Statsig style) is filed under that extension.
// - readOnly attributes in a body (id, meta, groups) are ignored whatever their value: clients
//   echo back what they read (Okta PUT) or send junk (`"groups":[]`).
// - An empty array given for a multi-valued attribute means "absent" (RFC 7643 §2.5) but is stored
//   and returned as sent, so a client that diffs its payload against the answer (authentik) finds
//   nothing to change.
// - Limits (docs/limits.md): userName, externalId and a group's displayName are at most
//   MAX_INDEXED_VALUE_BYTES (they form DynamoDB keys), so are members[].value and members[].display;
//   the whole resource as stored is at most MAX_RESOURCE_BYTES of JSON (DynamoDB items stop at
//   400 KB), else 400 invalidValue naming the attribute.
// - `members.type` drives behaviour, so unlike other canonicalValues it is checked: it must be
//   User or Group (any case) and is stored in canonical case.
// - The same attribute given twice with different values (`userName` and `UserName`, or `name`
//   and `name.givenName`) is an invalidValue error; equal values are fine.
// - `password` (writeOnly) is returned apart, never in `doc`. Okta sends a placeholder even
//   without password sync; what to keep is the store's decision.
// - Group `members` are validated and returned apart (`members`), deduplicated by value (first
//   wins), because the store keeps one item per membership. `members` is undefined when the body
//   has no members at all, [] when it asks for none.

import { type Json, normaliseAttributeValue } from '#scim/attribute-values.ts';
import { InvalidSyntaxError, InvalidValueError } from '#scim/errors.ts';
import { isObject, jsonEqual, show } from '#scim/json.ts';
import { applyImmutability } from '#scim/put-immutability.ts';
import type { ResourceTypeName, SchemaRegistry } from '#scim/schema/registry.ts';
import type { AttributeDef, SchemaDef } from '#scim/schema/types.ts';

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
