// The PATCH engine (RFC 7644 §3.5.2): applies add/remove/replace operations to a copy of a
// stored resource. Pure: the caller loads the resource, and writes the result and, for groups,
// the member changes. The input is never modified: the engine copies on write (the resource
// object, then each extension object, array and element it changes), so the result shares the
// values no operation touched with the input; treat both as immutable. A failing operation
// throws and nothing (result, member changes) escapes: the request is atomic.
//
// Decisions where the RFC leaves room or real clients disagree with it (idp-quirks.md §0, §8.5):
// - `op` is case-insensitive (Entra `Replace`); anything else is invalidSyntax. The keys `op`,
//   `path` and `value` are matched case-insensitively too. An empty `path` means no path.
// - Values go through resource.ts normaliseAttributeValue, so PATCH and POST/PUT accept the same
//   shapes: "True"/"False" for booleans (Entra), a bare string or a one-element array for a
//   single complex value (Entra `manager`), an object where an array belongs (OneLogin `emails`),
//   numbers for strings. readOnly sub-attributes inside a value (manager.displayName) are dropped.
// - JSON null (or an empty array/object) as a value means "absent": `replace` with it removes the
//   target, `add` with it does nothing.
// - readOnly attributes: a path that names one (`id`, `meta.created`, `groups`) is a mutability
//   error, as RFC 7644 §3.5.2 says. Inside a no-path value they are ignored instead, as RFC 7644
//   §3.5.1 has PUT do, because clients echo what they read: Okta sends the group's own `id` with
//   every rename, Entra and Okta echo `meta` and `groups`. An `id` that differs from the
//   resource's own is still a mutability error, since that is a client trying to change it.
//   `schemas` in a no-path value is ignored; the engine maintains it.
// - immutable attributes may be set when unset and "set" to their current value; any other
//   change, or a removal, is a mutability error. Removing (or nulling) a required attribute is a
//   mutability error (RFC 7644 §3.5.2).
// - Unknown attributes (paths the registry does not resolve) are ignored and listed in `ignored`,
//   never a 400, like resource.ts does for POST/PUT: an IdP mapping an attribute this deployment
//   does not declare must not break provisioning of everything else.
// - `add` on a multi-valued attribute appends values not already present (deep-equal; group
//   `members` by `value`); `add` on a complex attribute merges sub-attributes; `add` on a
//   single-valued attribute replaces. `replace` on a complex single-valued attribute merges too
//   (RFC 7644 §3.5.2.3: "sub-attributes that are not specified … are left unchanged").
// - A filtered path (`emails[type eq "work"].value`) that matches nothing: `add`/`replace` create
//   the element when the filter is an `eq` chain joined by `and` (Entra, Okta), filled with those
//   equalities, so later operations of the same request find and extend it; any other filter is
//   noTarget, as RFC 7644 §3.5.2.3 demands for replace. `remove` with no match is a no-op (the
//   RFC asks noTarget only for a remove without path; retried removals must stay idempotent).
// - `replace` of a filtered element without sub-attribute replaces the element, keeping the
//   filter's equalities (`emails[type eq "work"]` ← `{value}` keeps `type: "work"`).
// - `remove` of a filtered sub-attribute (`emails[type eq "work"].value`) drops the element when
//   nothing but the filter's own equalities is left in it.
// - `remove` with a value on a multi-valued attribute removes only the elements that match every
//   sub-attribute given (Entra `{"op":"Remove","path":"members","value":[{"value":"id"}]}`);
//   without a value it removes them all.
// - Setting `primary: true` on an element clears it on the others (RFC 7643 §2.4): the element
//   written last in an operation wins.
// - A whole extension is addressable by its URN as a path or a no-path key; `urn:…:User:attr`
//   keys and dotted keys (`name.givenName`) in no-path values are expanded (Entra with
//   aadOptscim062020, Okta). Extension objects left empty are removed, and `schemas` lists the
//   extensions present.
// - `password` (writeOnly) never stays in the resource: a PATCH that sets it returns it apart.
// - With `membersAsChanges` (groups, whose members the store keeps as separate items) `members`
//   is never read or written in the resource: operations on it become `memberChanges`, net of
//   each other in request order. `replace` = remove all + add. `members[value eq "x"]` (also
//   or-chains of them) selects members; other member filters need the member list, which this
//   engine does not have, so they are an invalidFilter error.

import type { AttrPath, FilterNode, PatchPath } from '#scim/ast.ts';
import { findKey, getKey, registryLookup } from '#scim/attribute-access.ts';
import { isObject, jsonEqual, nestsDeeper, show, type JsonObject } from '#scim/json.ts';
import {
  InvalidFilterError,
  InvalidPathError,
  InvalidSyntaxError,
  InvalidValueError,
  MutabilityError,
  NoTargetError,
  ScimError,
  type ScimType,
  TooManyError,
} from '#scim/errors.ts';
import { compileElementFilter, type ElementFilter } from '#scim/filter-eval.ts';
import { parsePatchPath } from '#scim/path.ts';
import { type MemberInput, normaliseAttributeValue } from '#scim/resource.ts';
import type { ResolvedAttribute, ResourceTypeName, SchemaRegistry } from '#scim/schema/registry.ts';
import type { AttributeDef, SchemaDef } from '#scim/schema/types.ts';

export const MAX_PATCH_OPERATIONS = 1000;
/**
 * SCIM values nest at most three levels (a multi-valued complex attribute in an extension
 * object); anything deeper is refused before it reaches code that recurses over it.
 */
export const MAX_VALUE_DEPTH = 16;

export interface PatchOptions {
  registry: SchemaRegistry;
  resourceType: ResourceTypeName;
  /** Groups: report `members` operations as {@link MemberChanges} instead of editing `resource.members`. */
  membersAsChanges?: boolean;
  /** Default {@link MAX_PATCH_OPERATIONS}. */
  maxOperations?: number;
}

export type Member = MemberInput;

/**
 * Net member changes of a request, to apply in this order: if `removeAll`, remove every current
 * member, else remove `remove`; then add `add`. `add` and `remove` never share an id.
 */
export interface MemberChanges {
  add: Member[];
  remove: string[];
  removeAll: boolean;
}

export interface PatchResult {
  /** A new object. The input is never modified; values no operation touched are shared with it. */
  resource: JsonObject;
  /** With `membersAsChanges`, when at least one operation addressed `members`; else undefined. */
  memberChanges?: MemberChanges;
  /** The new password, when an operation set one (it is never left in `resource`). */
  password?: string;
  /** Whether `resource` differs from the input (member changes not counted). */
  changed: boolean;
  /** Paths that named no known attribute and were ignored (for logging). */
  ignored: string[];
}

type Op = 'add' | 'remove' | 'replace';

interface Operation {
  op: Op;
  pathText: string | undefined;
  path: PatchPath | undefined;
  hasValue: boolean;
  value: unknown;
}

/**
 * Applies PATCH `operations` (the `Operations` array of a PatchOp body) to `resource`.
 * Throws only ScimErrors, each naming the operation (`Operations[2] (replace "title"): …`).
 */
export function applyPatch(resource: JsonObject, operations: unknown, options: PatchOptions): PatchResult {
  const max = options.maxOperations ?? MAX_PATCH_OPERATIONS;
  if (!Array.isArray(operations)) {
    throw new InvalidSyntaxError('"Operations" must be an array of operations (RFC 7644 §3.5.2)');
  }
  if (operations.length > max) {
    throw new TooManyError(`The request has ${operations.length} operations; at most ${max} are accepted per PATCH`);
  }
  const parsed: Operation[] = new Array(operations.length);
  for (let i = 0; i < operations.length; i++) {
    try {
      parsed[i] = parseOperation(operations[i]);
    } catch (error) {
      throw withContext(error, i, undefined);
    }
  }
  const patcher = new Patcher({ ...resource }, options);
  for (let i = 0; i < parsed.length; i++) {
    const op = parsed[i]!;
    try {
      patcher.apply(op);
    } catch (error) {
      throw withContext(error, i, op);
    }
  }
  return patcher.finish(resource);
}

// ---- operation parsing --------------------------------------------------------------------------

function parseOperation(raw: unknown): Operation {
  if (!isObject(raw)) throw new InvalidSyntaxError('Each operation must be an object with "op", "path" and "value"');
  const opKey = findKey(raw, 'op');
  const pathKey = findKey(raw, 'path');
  const valueKey = findKey(raw, 'value');
  const opValue = opKey === undefined ? undefined : raw[opKey];
  const op = typeof opValue === 'string' ? opValue.toLowerCase() : undefined;
  if (op !== 'add' && op !== 'remove' && op !== 'replace') {
    throw new InvalidSyntaxError(
      `"op" must be "add", "remove" or "replace", got ${opValue === undefined ? 'nothing' : show(opValue)}`,
    );
  }
  const pathValue = pathKey === undefined ? undefined : raw[pathKey];
  let pathText: string | undefined;
  if (pathValue !== undefined && pathValue !== null) {
    if (typeof pathValue !== 'string') throw new InvalidPathError(`"path" must be a string, got ${show(pathValue)}`);
    if (pathValue.trim() !== '') pathText = pathValue;
  }
  const hasValue = valueKey !== undefined;
  if (!hasValue && op !== 'remove') throw new InvalidValueError(`An "${op}" operation needs a "value"`);
  if (hasValue && nestsDeeper(raw[valueKey], MAX_VALUE_DEPTH)) {
    throw new InvalidValueError(`The value nests deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  return {
    op,
    pathText,
    path: pathText === undefined ? undefined : parsePath(pathText),
    hasValue,
    value: hasValue ? raw[valueKey] : undefined,
  };
}

const ERRORS: Partial<Record<ScimType, new (detail: string) => ScimError>> = {
  invalidFilter: InvalidFilterError,
  invalidPath: InvalidPathError,
  invalidSyntax: InvalidSyntaxError,
  invalidValue: InvalidValueError,
  mutability: MutabilityError,
  noTarget: NoTargetError,
  tooMany: TooManyError,
};

/** The error to throw: a 400 ScimError with the operation it came from prefixed to its detail. */
function withContext(error: unknown, index: number, op: Operation | undefined): unknown {
  if (error instanceof ScimError && error.scimType !== undefined) {
    const Ctor = ERRORS[error.scimType];
    const what = op ? ` (${op.op}${op.pathText !== undefined ? ` ${JSON.stringify(op.pathText)}` : ''})` : '';
    if (Ctor) return new Ctor(`Operations[${index}]${what}: ${error.detail}`);
  }
  return error;
}

// ---- targets --------------------------------------------------------------------------------------

type Target =
  | {
      kind: 'attribute';
      /** Extension URN holding it, or undefined for the top level. */
      container: string | undefined;
      def: AttributeDef;
      subDef: AttributeDef | undefined;
      label: string;
    }
  | { kind: 'extension'; schema: SchemaDef }
  | { kind: 'core' }
  | { kind: 'unknown'; label: string };

class MemberChangeSet {
  private readonly add = new Map<string, Member>();
  private readonly remove = new Set<string>();
  private removeAll = false;

  addMember(m: Member): void {
    this.remove.delete(m.value);
    if (!this.add.has(m.value)) this.add.set(m.value, m);
  }
  removeMember(id: string): void {
    this.add.delete(id);
    if (!this.removeAll) this.remove.add(id);
  }
  clear(): void {
    this.add.clear();
    this.remove.clear();
    this.removeAll = true;
  }
  result(): MemberChanges {
    return { add: [...this.add.values()], remove: [...this.remove], removeAll: this.removeAll };
  }
}

/** What the engine needs of a resource type, worked out once per registry. */
interface TypeFacts {
  core: SchemaDef;
  extensions: readonly SchemaDef[];
  lookup: (path: AttrPath) => ResolvedAttribute | undefined;
  /** Resolved targets and compiled value filters of memoised paths (see parsePath). */
  targets: WeakMap<PatchPath, Target>;
  elementFilters: WeakMap<FilterNode, ElementFilter>;
}

const typeFacts = new WeakMap<SchemaRegistry, Map<ResourceTypeName, TypeFacts>>();

function factsOf(registry: SchemaRegistry, rt: ResourceTypeName): TypeFacts {
  let byType = typeFacts.get(registry);
  if (!byType) typeFacts.set(registry, (byType = new Map()));
  let facts = byType.get(rt);
  if (!facts) {
    facts = {
      core: registry.coreSchema(rt),
      extensions: registry.extensions(rt),
      lookup: registryLookup(registry, rt),
      targets: new WeakMap(),
      elementFilters: new WeakMap(),
    };
    byType.set(rt, facts);
  }
  return facts;
}

class Patcher {
  private readonly registry: SchemaRegistry;
  private readonly rt: ResourceTypeName;
  private readonly lookup: (path: AttrPath) => ResolvedAttribute | undefined;
  private readonly core: SchemaDef;
  private readonly extensions: readonly SchemaDef[];
  private readonly facts: TypeFacts;
  /** Extension objects already copied from the input (copy on write). */
  private readonly owned = new Set<JsonObject>();
  /** Whether any operation reached into an extension (else `finish` has nothing to tidy). */
  private extensionsTouched = false;
  private members: MemberChangeSet | undefined;
  private password: string | undefined;
  private readonly ignored: string[] = [];

  constructor(
    private readonly res: JsonObject,
    private readonly options: PatchOptions,
  ) {
    this.registry = options.registry;
    this.rt = options.resourceType;
    const facts = factsOf(this.registry, this.rt);
    this.facts = facts;
    this.lookup = facts.lookup;
    this.core = facts.core;
    this.extensions = facts.extensions;
  }

  apply(op: Operation): void {
    if (op.path === undefined) this.applyNoPath(op.op, op.value);
    else this.applyPath(op.op, op.path, op.value, op.hasValue, true);
  }

  finish(input: JsonObject): PatchResult {
    const res = this.res;
    const listed = this.extensionsTouched && Array.isArray(res.schemas) ? [...(res.schemas as unknown[])] : undefined;
    for (const ext of this.extensionsTouched ? this.extensions : []) {
      const key = findKey(res, ext.id);
      const present = key !== undefined && isObject(res[key]) && Object.keys(res[key] as JsonObject).length > 0;
      if (key !== undefined && !present) delete res[key];
      if (!listed) continue;
      const at = listed.findIndex((s) => typeof s === 'string' && s.toLowerCase() === ext.id.toLowerCase());
      const before = findKey(input, ext.id);
      if (present && at < 0) listed.push(ext.id);
      else if (!present && at >= 0 && before !== undefined) listed.splice(at, 1);
    }
    if (listed && !jsonEqual(listed, res.schemas)) res.schemas = listed;
    return {
      resource: res,
      ...(this.members ? { memberChanges: this.members.result() } : {}),
      ...(this.password !== undefined ? { password: this.password } : {}),
      changed: differs(input, res),
      ignored: this.ignored,
    };
  }

  // ---- no path: the value is a set of attributes ---------------------------------------------------

  private applyNoPath(op: Op, value: unknown): void {
    if (op === 'remove') throw new NoTargetError('A "remove" operation needs a "path" (RFC 7644 §3.5.2.2)');
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0 || !items.every(isObject)) {
      throw new InvalidValueError(`Without a "path", the value must be an object of attributes, got ${show(value)}`);
    }
    for (const item of items) this.expand(op, item as JsonObject, undefined);
  }

  /** Applies each key of a no-path value (or of an extension object) as its own path. */
  private expand(op: Op, obj: JsonObject, scope: SchemaDef | undefined): void {
    for (const [key, value] of Object.entries(obj)) {
      if (scope === undefined) {
        const lower = key.toLowerCase();
        if (lower === 'schemas' || lower === 'meta') continue;
        if (lower === 'id') {
          const own = this.res.id;
          if (value !== null && value !== undefined && own !== undefined && value !== own) {
            throw new MutabilityError(
              `Attribute "id" is readOnly; the value names ${show(value)}, not this resource (${show(own)})`,
            );
          }
          continue;
        }
        if (key.includes(':')) {
          const schema = this.registry.schemaForUrn(this.rt, key);
          if (schema) {
            this.applySchemaObject(op, schema, value);
            continue;
          }
        }
      }
      let parsed: PatchPath;
      try {
        parsed = parsePath(key);
      } catch (error) {
        if (!(error instanceof InvalidPathError)) throw error;
        this.ignored.push(scope ? `${scope.id}:${key}` : key);
        continue;
      }
      const path =
        scope && parsed.path.uri === undefined ? { ...parsed, path: { uri: scope.id, ...parsed.path } } : parsed;
      this.applyPath(op, path, value, true, false);
    }
  }

  /** `"urn:…:enterprise:2.0:User": {…}` as a no-path key, or that URN as a path. */
  private applySchemaObject(op: Op, schema: SchemaDef, value: unknown): void {
    const isCore = schema.id === this.core.id;
    if (op === 'remove') {
      if (isCore) throw new NoTargetError(`The core schema ${schema.id} cannot be removed`);
      const key = findKey(this.res, schema.id);
      if (key !== undefined) {
        this.assertNothingRequired(schema, key);
        delete this.res[key];
        this.extensionsTouched = true;
      }
      return;
    }
    if (value === null || value === undefined) {
      if (op === 'replace' && !isCore) this.applySchemaObject('remove', schema, undefined);
      return;
    }
    if (!isObject(value)) {
      throw new InvalidValueError(`${schema.id} must be given as an object of its attributes, got ${show(value)}`);
    }
    this.expand(op, value, isCore ? undefined : schema);
  }

  private assertNothingRequired(schema: SchemaDef, key: string): void {
    const ext = this.res[key];
    for (const def of schema.attributes) {
      if (def.required && isObject(ext) && getKey(ext, def.name) !== undefined) {
        throw new MutabilityError(`Attribute "${schema.id}:${def.name}" is required and cannot be removed`);
      }
    }
  }

  // ---- a path ------------------------------------------------------------------------------------------

  private resolveTarget(p: PatchPath): Target {
    let target = this.facts.targets.get(p);
    if (!target) this.facts.targets.set(p, (target = this.resolveTargetUncached(p)));
    return target;
  }

  private resolveTargetUncached(p: PatchPath): Target {
    const { path } = p;
    if (path.subAttribute === undefined) {
      const glued = path.uri !== undefined ? `${path.uri}:${path.attribute}` : path.attribute;
      if (glued.includes(':')) {
        const schema = this.registry.schemaForUrn(this.rt, glued);
        if (schema) return schema.id === this.core.id ? { kind: 'core' } : { kind: 'extension', schema };
      }
    }
    const label = `${path.uri !== undefined ? `${path.uri}:` : ''}${path.attribute}${path.subAttribute !== undefined ? `.${path.subAttribute}` : ''}`;
    const r = this.lookup(path);
    if (!r) return { kind: 'unknown', label };
    const canonical = `${r.canonical.uri !== undefined ? `${r.canonical.uri}:` : ''}${r.canonical.attribute}${r.canonical.subAttribute !== undefined ? `.${r.canonical.subAttribute}` : ''}`;
    return {
      kind: 'attribute',
      container: r.canonical.uri,
      def: r.attribute,
      subDef: r.subAttribute,
      label: canonical,
    };
  }

  private applyPath(op: Op, p: PatchPath, value: unknown, hasValue: boolean, direct: boolean): void {
    const t = this.resolveTarget(p);
    switch (t.kind) {
      case 'unknown':
        this.ignored.push(t.label);
        return;
      case 'core':
        if (p.filter) throw new InvalidPathError('A schema URN cannot take a value filter');
        if (op === 'remove') throw new NoTargetError(`The core schema ${this.core.id} cannot be removed`);
        this.applySchemaObject(op, this.core, value);
        return;
      case 'extension':
        if (p.filter) throw new InvalidPathError('A schema URN cannot take a value filter');
        this.applySchemaObject(op, t.schema, value);
        return;
      case 'attribute':
        break;
    }
    const { def } = t;
    let subDef = t.subDef;
    let subLabel = t.label;
    if (p.subAttribute !== undefined) {
      subDef = def.subAttributes?.find((s) => s.name.toLowerCase() === p.subAttribute!.toLowerCase());
      subLabel = `${t.label}.${p.subAttribute}`;
      if (!subDef) {
        this.ignored.push(subLabel);
        return;
      }
      subLabel = `${t.label}.${subDef.name}`;
    }

    if (this.options.membersAsChanges && t.container === undefined && def.name === 'members' && this.rt === 'Group') {
      this.applyMembers(op, p.filter, subDef, value, hasValue);
      return;
    }
    if (def.mutability === 'readOnly' || subDef?.mutability === 'readOnly') {
      if (direct) throw new MutabilityError(`Attribute "${subDef ? subLabel : t.label}" is readOnly`);
      return;
    }
    if (t.container === undefined && def.name === 'password' && def.mutability === 'writeOnly') {
      this.applyPassword(op, value);
      return;
    }
    if (p.filter) {
      this.applyFiltered(op, t.container, def, p.filter, subDef, value, t.label, subLabel);
    } else if (subDef) {
      this.applySub(op, t.container, def, subDef, value, t.label, subLabel);
    } else {
      this.applyWhole(op, t.container, def, value, hasValue, t.label);
    }
  }

  /** The object holding attributes of `container` (the resource, or its extension object). */
  private holder(container: string | undefined, create: boolean): JsonObject | undefined {
    if (container === undefined) return this.res;
    const key = findKey(this.res, container);
    const existing = key === undefined ? undefined : this.res[key];
    if (isObject(existing) && this.owned.has(existing)) return existing;
    if (!isObject(existing) && !create) return undefined;
    this.extensionsTouched = true;
    const own: JsonObject = isObject(existing) ? { ...existing } : {};
    this.owned.add(own);
    this.res[key ?? container] = own;
    return own;
  }

  private normalise(def: AttributeDef, value: unknown, label: string): unknown {
    return normaliseAttributeValue(def, value, label, { ignored: this.ignored });
  }

  // ---- attribute without filter or sub-attribute -------------------------------------------------

  private applyWhole(
    op: Op,
    container: string | undefined,
    def: AttributeDef,
    value: unknown,
    hasValue: boolean,
    label: string,
  ): void {
    const holder = this.holder(container, op !== 'remove');
    if (!holder) return;
    const key = findKey(holder, def.name) ?? def.name;
    const current = holder[key];

    if (op === 'remove' && hasValue && value !== null && def.multiValued) {
      this.removeValues(holder, key, def, value, label);
      return;
    }
    const next = op === 'remove' ? undefined : this.normalise(def, value, label);
    if (next === undefined) {
      if (op === 'add') return;
      if (current === undefined) return;
      assertMutable(def, label, current, undefined);
      delete holder[key];
      this.assertRequired(def, holder, label);
      return;
    }
    if (def.multiValued) {
      const values = next as unknown[];
      if (op === 'add') {
        const list = toList(current);
        const written: unknown[] = [];
        for (const v of values) {
          const same = list.find((el) => this.sameElement(def, el, v));
          if (same === undefined) list.push(v);
          written.push(same ?? v);
        }
        assertMutable(def, label, current, list);
        holder[key] = list;
        keepOnePrimary(def, list, written);
      } else {
        assertMutable(def, label, current, values);
        holder[key] = values;
        keepOnePrimary(def, values, values);
      }
      return;
    }
    if (def.type === 'complex' && isObject(current)) {
      // add and replace both merge into a complex value (RFC 7644 §3.5.2.1, §3.5.2.3).
      const merged: JsonObject = { ...current };
      for (const [k, v] of Object.entries(next as JsonObject)) {
        const existingKey = findKey(merged, k) ?? k;
        const subDef = def.subAttributes?.find((s) => s.name === k);
        if (subDef) assertMutable(subDef, `${label}.${k}`, merged[existingKey], v);
        if (existingKey !== k) delete merged[existingKey];
        merged[k] = v;
      }
      assertMutable(def, label, current, merged);
      holder[key] = merged;
      return;
    }
    assertMutable(def, label, current, next);
    holder[key] = next;
  }

  /** Two elements are the same value: deep-equal, or for group members the same `value`. */
  private sameElement(def: AttributeDef, a: unknown, b: unknown): boolean {
    if (def.name === 'members' && isObject(a) && isObject(b)) return getKey(a, 'value') === getKey(b, 'value');
    return jsonEqual(a, b);
  }

  /** Entra: `{"op":"Remove","path":"members","value":[{"value":"id"}]}` removes only those. */
  private removeValues(holder: JsonObject, key: string, def: AttributeDef, value: unknown, label: string): void {
    const current = holder[key];
    if (current === undefined || current === null) return;
    const wanted = Array.isArray(value) ? value : [value];
    if (wanted.length === 0) return;
    const list = toList(current);
    const kept = list.filter((el) => !wanted.some((w) => matchesGiven(def, el, w)));
    if (kept.length === list.length) return;
    assertMutable(def, label, current, kept);
    if (kept.length === 0) {
      delete holder[key];
      this.assertRequired(def, holder, label);
    } else {
      holder[key] = kept;
    }
  }

  private assertRequired(def: AttributeDef, holder: JsonObject, label: string): void {
    if (def.required && getKey(holder, def.name) === undefined) {
      throw new MutabilityError(`Attribute "${label}" is required and cannot be removed`);
    }
  }

  // ---- attribute.subAttribute --------------------------------------------------------------------

  private applySub(
    op: Op,
    container: string | undefined,
    def: AttributeDef,
    subDef: AttributeDef,
    value: unknown,
    label: string,
    subLabel: string,
  ): void {
    const holder = this.holder(container, op !== 'remove');
    if (!holder) return;
    const key = findKey(holder, def.name) ?? def.name;
    const current = holder[key];
    const next = op === 'remove' ? undefined : this.normalise(subDef, value, subLabel);
    if (next === undefined && op === 'add') return;

    if (def.multiValued) {
      // `emails.value` without a filter addresses every element; none yet → create one.
      const list = toList(current)
        .filter(isObject)
        .map((el) => ({ ...el }));
      if (next === undefined) {
        for (const el of list) {
          const k = findKey(el, subDef.name);
          if (k === undefined) continue;
          assertMutable(subDef, subLabel, el[k], undefined);
          delete el[k];
        }
        const kept = list.filter((el) => Object.keys(el).length > 0);
        if (kept.length > 0) holder[key] = kept;
        else if (current !== undefined) {
          delete holder[key];
          this.assertRequired(def, holder, label);
        }
        return;
      }
      if (list.length === 0) list.push({});
      for (const el of list) setSub(el, subDef, next, subLabel);
      holder[key] = list;
      keepOnePrimary(def, list, list);
      return;
    }

    if (next === undefined) {
      if (!isObject(current)) return;
      const k = findKey(current, subDef.name);
      if (k === undefined) return;
      assertMutable(subDef, subLabel, current[k], undefined);
      assertMutable(def, label, current, undefined);
      const rest = { ...current };
      delete rest[k];
      if (Object.keys(rest).length > 0) holder[key] = rest;
      else {
        delete holder[key];
        this.assertRequired(def, holder, label);
      }
      return;
    }
    const obj: JsonObject = isObject(current) ? { ...current } : {};
    setSub(obj, subDef, next, subLabel);
    assertMutable(def, label, current, obj);
    holder[key] = obj;
  }

  // ---- attribute[filter] and attribute[filter].subAttribute -----------------------------------

  private applyFiltered(
    op: Op,
    container: string | undefined,
    def: AttributeDef,
    filter: FilterNode,
    subDef: AttributeDef | undefined,
    value: unknown,
    label: string,
    subLabel: string,
  ): void {
    if (def.type !== 'complex' && !def.multiValued) {
      throw new InvalidPathError(
        `"${label}" is single-valued; a value filter "[...]" needs a multi-valued or complex attribute`,
      );
    }
    const holder = this.holder(container, op !== 'remove');
    if (!holder) return;
    const key = findKey(holder, def.name) ?? def.name;
    const current = holder[key];
    let matches = this.facts.elementFilters.get(filter);
    if (!matches) {
      const attribute = { ...(container !== undefined ? { uri: container } : {}), attribute: def.name };
      this.facts.elementFilters.set(filter, (matches = compileElementFilter(attribute, filter, this.lookup)));
    }
    const list: unknown[] = def.multiValued ? toList(current) : isObject(current) ? [current] : [];
    const selected = new Set(list.filter((el) => matches(el)));
    const equalities = eqChain(filter);
    const store = (values: unknown[]) => {
      if (values.length === 0) {
        if (current === undefined) return;
        delete holder[key];
        this.assertRequired(def, holder, label);
      } else {
        holder[key] = def.multiValued ? values : values[0];
      }
    };

    const next =
      op === 'remove'
        ? undefined
        : subDef
          ? this.normalise(subDef, value, subLabel)
          : this.normaliseElement(def, value, label);
    if (next === undefined && op === 'add') return;

    if (next === undefined) {
      // remove, or replace with null
      if (selected.size === 0) return;
      if (subDef === undefined) {
        for (const el of selected) assertMutable(def, label, el, undefined);
        store(list.filter((el) => !selected.has(el)));
        return;
      }
      const out: unknown[] = [];
      for (const el of list) {
        if (!selected.has(el) || !isObject(el)) {
          out.push(el);
          continue;
        }
        const copy = { ...el };
        const k = findKey(copy, subDef.name);
        if (k !== undefined) {
          assertMutable(subDef, subLabel, copy[k], undefined);
          delete copy[k];
        }
        // Nothing left but what the filter itself says (`{type: "work"}`): the element is gone.
        const left = Object.keys(copy).filter((k2) => !equalities?.has(k2.toLowerCase()));
        if (left.length > 0) out.push(copy);
      }
      store(out);
      return;
    }

    const written: unknown[] = [];
    if (selected.size === 0) {
      if (!equalities) {
        throw new NoTargetError(
          `No value of "${label}" matches the filter, and the filter is not a list of "eq" terms an element could be made from`,
        );
      }
      const seed = this.normaliseElement(def, Object.fromEntries(equalities.values()), label) ?? {};
      const created: JsonObject = { ...(seed as JsonObject) };
      if (subDef) created[subDef.name] = next;
      else Object.assign(created, next as JsonObject);
      list.push(created);
      written.push(created);
    } else {
      for (let i = 0; i < list.length; i++) {
        const el = list[i];
        if (!selected.has(el) || !isObject(el)) continue;
        let updated: JsonObject;
        if (subDef) {
          updated = { ...el };
          setSub(updated, subDef, next, subLabel);
        } else if (op === 'add') {
          updated = { ...el, ...(next as JsonObject) };
        } else {
          const keep: JsonObject = {};
          for (const [k, v] of Object.entries(el)) if (equalities?.has(k.toLowerCase())) keep[k] = v;
          updated = { ...keep, ...(next as JsonObject) };
        }
        for (const s of def.subAttributes ?? []) {
          if (s.mutability === 'immutable') assertMutable(s, `${label}.${s.name}`, el[s.name], updated[s.name]);
        }
        list[i] = updated;
        written.push(updated);
      }
    }
    store(list);
    keepOnePrimary(def, list, written);
  }

  /** One element of a (multi-valued) complex attribute. */
  private normaliseElement(def: AttributeDef, value: unknown, label: string): unknown {
    if (value === null || value === undefined) return undefined;
    if (Array.isArray(value)) {
      if (value.length !== 1)
        throw new InvalidValueError(`"${label}" with a value filter takes one value, got an array of ${value.length}`);
      value = value[0];
    }
    return this.normalise({ ...def, multiValued: false }, value, label);
  }

  // ---- special attributes -------------------------------------------------------------------------

  private applyPassword(op: Op, value: unknown): void {
    if (op === 'remove' || value === null || value === undefined) return;
    if (typeof value !== 'string') throw new InvalidValueError(`Attribute "password" must be a string`);
    if (value !== '') this.password = value;
  }

  private applyMembers(
    op: Op,
    filter: FilterNode | undefined,
    subDef: AttributeDef | undefined,
    value: unknown,
    hasValue: boolean,
  ): void {
    const changes = (this.members ??= new MemberChangeSet());
    if (subDef) {
      throw new MutabilityError(`"members.${subDef.name}" is immutable; remove the member and add it again instead`);
    }
    if (filter) {
      const ids = memberIds(filter);
      if (!ids) {
        throw new InvalidFilterError(
          'On group members only filters of the form members[value eq "<id>"] (joined with "or") are supported',
        );
      }
      // add/replace on `members[value eq "x"]`: make sure x is a member (the value adds nothing
      // a membership keeps: its other sub-attributes are immutable).
      for (const id of ids) {
        if (op === 'remove') changes.removeMember(id);
        else changes.addMember({ value: id });
      }
      return;
    }
    if (op === 'remove') {
      if (hasValue && value !== null) for (const m of this.toMembers(value)) changes.removeMember(m.value);
      else changes.clear();
      return;
    }
    if (op === 'replace') changes.clear();
    for (const m of this.toMembers(value)) changes.addMember(m);
  }

  private toMembers(value: unknown): Member[] {
    const def = this.lookup({ attribute: 'members' })?.attribute;
    if (!def) return [];
    const items = this.normalise(def, value, 'members');
    if (items === undefined) return [];
    return (items as unknown[]).map((item, i) => {
      const m = item as JsonObject;
      if (typeof m.value !== 'string' || m.value === '') {
        throw new InvalidValueError(`Attribute "members[${i}].value" is required (the id of the member)`);
      }
      let type: Member['type'];
      if (typeof m.type === 'string') {
        const lower = m.type.toLowerCase();
        if (lower === 'user') type = 'User';
        else if (lower === 'group') type = 'Group';
        else throw new InvalidValueError(`Attribute "members[${i}].type" must be User or Group, got ${show(m.type)}`);
      }
      return {
        value: m.value,
        ...(typeof m.$ref === 'string' ? { $ref: m.$ref } : {}),
        ...(typeof m.display === 'string' ? { display: m.display } : {}),
        ...(type ? { type } : {}),
      };
    });
  }
}

// ---- helpers --------------------------------------------------------------------------------------

const pathMemo = new Map<string, PatchPath>();
/** Paths are client text, so the memo is bounded: when full it starts over. */
const PATH_MEMO_LIMIT = 2048;

/**
 * parsePatchPath, memoised: IdPs send the same few paths again and again. The parsed paths (and
 * their filter nodes) also key the per-registry memos of resolved targets and compiled filters,
 * so they are shared and never modified. Failures are not memoised.
 */
function parsePath(text: string): PatchPath {
  let parsed = pathMemo.get(text);
  if (!parsed) {
    parsed = parsePatchPath(text);
    if (pathMemo.size >= PATH_MEMO_LIMIT) pathMemo.clear();
    pathMemo.set(text, parsed);
  }
  return parsed;
}

/** Whether the result differs from the input; copy on write leaves untouched values identical. */
function differs(input: JsonObject, out: JsonObject): boolean {
  const keys = Object.keys(out);
  if (keys.length !== Object.keys(input).length) return true;
  for (const k of keys) {
    if (!Object.hasOwn(input, k)) return true;
    if (out[k] !== input[k] && !jsonEqual(out[k], input[k])) return true;
  }
  return false;
}

function toList(current: unknown): unknown[] {
  if (current === undefined || current === null) return [];
  return Array.isArray(current) ? [...current] : [current];
}

function setSub(el: JsonObject, subDef: AttributeDef, value: unknown, label: string): void {
  const k = findKey(el, subDef.name);
  if (k !== undefined) {
    assertMutable(subDef, label, el[k], value);
    if (k !== subDef.name) delete el[k];
  }
  el[subDef.name] = value;
}

/** immutable: may go from unset to set, or be "set" to the value it has; nothing else. */
function assertMutable(def: AttributeDef, label: string, before: unknown, after: unknown): void {
  if (def.mutability !== 'immutable') return;
  if (before === undefined || before === null) return;
  if (jsonEqual(before, after)) return;
  throw new MutabilityError(`Attribute "${label}" is immutable and already has a value`);
}

/** After writing `written` into `list`, only the last written `primary: true` stays true. */
function keepOnePrimary(def: AttributeDef, list: unknown[], written: unknown[]): void {
  if (def.type !== 'complex' || !def.multiValued) return;
  let winner: unknown;
  for (const el of written) if (isObject(el) && el.primary === true) winner = el;
  if (winner === undefined) return;
  for (let i = 0; i < list.length; i++) {
    const el = list[i];
    if (el !== winner && isObject(el) && el.primary === true) list[i] = { ...el, primary: false };
  }
}

/**
 * Whether `element` is one of the values a remove-with-value names: every sub-attribute given
 * (nulls aside) equals the element's; a bare value compares with the element's `value`.
 */
function matchesGiven(def: AttributeDef, element: unknown, given: unknown): boolean {
  if (given === null || given === undefined) return false;
  if (def.type !== 'complex') return looseEqual(element, given);
  if (!isObject(element)) return false;
  if (!isObject(given)) return looseEqual(getKey(element, 'value'), given);
  let compared = 0;
  for (const [k, v] of Object.entries(given)) {
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

/**
 * `type eq "work" and primary eq true` → {type: ['type', 'work'], primary: ['primary', true]}
 * (keyed by lower-case name), or undefined when the filter is anything but an `and` chain of `eq`
 * on plain sub-attributes.
 */
const eqChains = new WeakMap<FilterNode, Map<string, [string, unknown]> | null>();

function eqChain(filter: FilterNode): Map<string, [string, unknown]> | undefined {
  let chain = eqChains.get(filter);
  if (chain === undefined) eqChains.set(filter, (chain = eqChainOf(filter) ?? null));
  return chain ?? undefined;
}

function eqChainOf(filter: FilterNode): Map<string, [string, unknown]> | undefined {
  const out = new Map<string, [string, unknown]>();
  const walk = (node: FilterNode): boolean => {
    if (node.kind === 'and') return walk(node.left) && walk(node.right);
    if (node.kind !== 'compare' || node.op !== 'eq' || node.value === null) return false;
    if (node.path.uri !== undefined || node.path.subAttribute !== undefined) return false;
    const k = node.path.attribute.toLowerCase();
    const previous = out.get(k);
    if (previous && previous[1] !== node.value) return false;
    out.set(k, [node.path.attribute, node.value]);
    return true;
  };
  return walk(filter) && out.size > 0 ? out : undefined;
}

/** `value eq "a"` / `value eq "a" or value eq "b"` → ['a', 'b']; anything else → undefined. */
function memberIds(filter: FilterNode): string[] | undefined {
  const ids: string[] = [];
  const walk = (node: FilterNode): boolean => {
    if (node.kind === 'or') return walk(node.left) && walk(node.right);
    if (
      node.kind === 'compare' &&
      node.op === 'eq' &&
      node.path.uri === undefined &&
      node.path.subAttribute === undefined
    ) {
      if (node.path.attribute.toLowerCase() !== 'value') return false;
      if (typeof node.value !== 'string' && typeof node.value !== 'number') return false;
      ids.push(String(node.value));
      return true;
    }
    return false;
  };
  return walk(filter) ? ids : undefined;
}
