// Operation application for the PATCH engine: the Patcher applies parsed operations, one after
// the other, to a copy of the resource (decisions in patch.ts). Copy on write: the top-level
// object is copied once, an extension object, array or element only when an operation changes
// it, so untouched subtrees stay shared with the input. Writes to the top level are recorded, so
// telling whether the result differs from the input only compares what was written.

import { findKey, getKey } from '#scim/attribute-access.ts';
import { InvalidPathError, InvalidValueError, MutabilityError, NoTargetError } from '#scim/errors.ts';
import { equalsIgnoringCase, hasOwnKeys, isObject, jsonEqual, shallowCopy, show, type JsonObject } from '#scim/json.ts';
import { applyFiltered, applySub, applyWhole } from '#scim/patch-write.ts';
import { applyMembersOperation, MemberChangeSet, type MemberChanges } from '#scim/patch-members.ts';
import {
  factsOf,
  parsePath,
  resolveTarget,
  schemaForKey,
  scopedPath,
  type Op,
  type ParsedPath,
  type TypeFacts,
} from '#scim/patch-target.ts';
import { normaliseValue } from '#scim/patch-values.ts';
import type { ResourceTypeName, SchemaRegistry } from '#scim/schema/registry.ts';
import type { AttributeDef, SchemaDef } from '#scim/schema/types.ts';

export interface Operation {
  op: Op;
  pathText: string | undefined;
  path: ParsedPath | undefined;
  hasValue: boolean;
  value: unknown;
}

export interface PatcherOptions {
  registry: SchemaRegistry;
  resourceType: ResourceTypeName;
  membersAsChanges?: boolean;
}

export interface Applied {
  resource: JsonObject;
  memberChanges?: MemberChanges;
  password?: string;
  changed: boolean;
  ignored: string[];
}

/** Index of the first string in `list` equal to `text` ignoring case, or -1. */
function indexOfIgnoringCase(list: readonly unknown[], text: string): number {
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (typeof s === 'string' && equalsIgnoringCase(s, text)) return i;
  }
  return -1;
}

export class Patcher {
  readonly ignored: string[] = [];
  /** The result: a copy of the input, written in place. */
  private readonly res: JsonObject;
  readonly facts: TypeFacts;
  private readonly membersAsChanges: boolean;
  /**
   * Objects and arrays this request made (copies of the input's, or new): never shared with the
   * input, so later operations of the same request may change them in place.
   */
  private mine: Set<object> | undefined;
  /** Top-level keys written or deleted; every other key still holds the input's own value. */
  private readonly touched: string[] = [];
  /** Whether any operation reached into an extension (else `finish` has nothing to tidy). */
  private extensionsTouched = false;
  private members: MemberChangeSet | undefined;
  private password: string | undefined;

  constructor(
    private readonly input: JsonObject,
    options: PatcherOptions,
  ) {
    this.res = shallowCopy(input);
    this.facts = factsOf(options.registry, options.resourceType);
    this.membersAsChanges = options.membersAsChanges === true;
  }

  apply(op: Operation): void {
    if (op.path === undefined) this.applyNoPath(op.op, op.value);
    else this.applyPath(op.op, op.path, op.value, op.hasValue, true);
  }

  finish(): Applied {
    if (this.extensionsTouched) this.tidyExtensions();
    const { res, ignored } = this;
    const changed = this.differs();
    if (this.members === undefined && this.password === undefined) return { resource: res, changed, ignored };
    return {
      resource: res,
      ...(this.members ? { memberChanges: this.members.result() } : {}),
      ...(this.password !== undefined ? { password: this.password } : {}),
      changed,
      ignored,
    };
  }

  /** Removes extension objects left empty and lists in `schemas` the extensions present. */
  private tidyExtensions(): void {
    const { res, input } = this;
    const schemas = Array.isArray(res.schemas) ? (res.schemas as unknown[]) : undefined;
    /** `schemas` as changed: a copy, made at the first change. */
    let listed: unknown[] | undefined;
    for (const ext of this.facts.extensions) {
      const key = findKey(res, ext.id);
      const value = key === undefined ? undefined : res[key];
      const present = isObject(value) && hasOwnKeys(value);
      if (key !== undefined && !present) this.unset(res, key);
      if (!schemas) continue;
      const at = indexOfIgnoringCase(listed ?? schemas, ext.id);
      if (present && at < 0) (listed ??= schemas.slice()).push(ext.id);
      // Unlisted only when the input had the object: `schemas` may name an extension it lacks.
      else if (!present && at >= 0 && findKey(input, ext.id) !== undefined) (listed ??= schemas.slice()).splice(at, 1);
    }
    if (listed && !jsonEqual(listed, schemas)) this.set(res, 'schemas', listed);
  }

  /** Whether the result differs from the input: only written keys can. */
  private differs(): boolean {
    const { res, input } = this;
    for (const k of this.touched) {
      const had = Object.hasOwn(input, k);
      if (had !== Object.hasOwn(res, k)) return true;
      if (had && res[k] !== input[k] && !jsonEqual(res[k], input[k])) return true;
    }
    return false;
  }

  /** Writes `holder[key]`, recording top-level writes. */
  set(holder: JsonObject, key: string, value: unknown): void {
    if (holder === this.res) this.touched.push(key);
    holder[key] = value;
  }

  unset(holder: JsonObject, key: string): void {
    if (holder === this.res) this.touched.push(key);
    delete holder[key];
  }

  // ---- no path: the value is a set of attributes -----------------------------------------------

  private applyNoPath(op: Op, value: unknown): void {
    if (op === 'remove') throw new NoTargetError('A "remove" operation needs a "path" (RFC 7644 §3.5.2.2)');
    if (isObject(value)) {
      this.expand(op, value, undefined);
      return;
    }
    if (!Array.isArray(value) || value.length === 0 || !value.every(isObject)) {
      throw new InvalidValueError(`Without a "path", the value must be an object of attributes, got ${show(value)}`);
    }
    for (const item of value) this.expand(op, item as JsonObject, undefined);
  }

  /** Applies each key of a no-path value (or of an extension object) as its own path. */
  private expand(op: Op, obj: JsonObject, scope: SchemaDef | undefined): void {
    // Own enumerable keys in Object.entries order; the client's value is never modified.
    for (const key in obj) {
      if (!Object.hasOwn(obj, key)) continue;
      const value = obj[key];
      if (scope === undefined) {
        const n = key.length;
        if (n === 7 || n === 4 || n === 2) {
          // Only keys of these lengths can be `schemas`, `meta` or `id` in any case.
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
        }
        if (key.includes(':')) {
          const schema = schemaForKey(this.facts, key);
          if (schema) {
            this.applySchemaObject(op, schema, value);
            continue;
          }
        }
      }
      let parsed: ParsedPath;
      try {
        parsed = parsePath(key);
      } catch (error) {
        if (!(error instanceof InvalidPathError)) throw error;
        this.ignored.push(scope ? `${scope.id}:${key}` : key);
        continue;
      }
      this.applyPath(op, scope ? scopedPath(this.facts, scope, parsed) : parsed, value, true, false);
    }
  }

  /** `"urn:…:enterprise:2.0:User": {…}` as a no-path key, or that URN as a path. */
  private applySchemaObject(op: Op, schema: SchemaDef, value: unknown): void {
    const isCore = schema.id === this.facts.core.id;
    if (op === 'remove') {
      if (isCore) throw new NoTargetError(`The core schema ${schema.id} cannot be removed`);
      const key = findKey(this.res, schema.id);
      if (key !== undefined) {
        this.assertNothingRequired(schema, key);
        this.unset(this.res, key);
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

  // ---- a path -------------------------------------------------------------------------------------

  private applyPath(op: Op, parsed: ParsedPath, value: unknown, hasValue: boolean, direct: boolean): void {
    const t = resolveTarget(this.facts, parsed);
    const p = parsed.path;
    switch (t.kind) {
      case 'unknown':
        this.ignored.push(t.label);
        return;
      case 'core':
        if (p.filter) throw new InvalidPathError('A schema URN cannot take a value filter');
        if (op === 'remove') throw new NoTargetError(`The core schema ${this.facts.core.id} cannot be removed`);
        this.applySchemaObject(op, this.facts.core, value);
        return;
      case 'extension':
        if (p.filter) throw new InvalidPathError('A schema URN cannot take a value filter');
        this.applySchemaObject(op, t.schema, value);
        return;
      case 'attribute':
        break;
    }
    if (t.unknownSub) {
      this.ignored.push(t.subLabel);
      return;
    }
    const { def, subDef } = t;
    if (t.members && this.membersAsChanges) {
      this.members ??= new MemberChangeSet();
      applyMembersOperation(this.members, op, def, p.filter, subDef, value, hasValue, this.ignored);
      return;
    }
    if (t.readOnly) {
      if (direct) throw new MutabilityError(`Attribute "${subDef ? t.subLabel : t.label}" is readOnly`);
      return;
    }
    if (t.password) {
      this.applyPassword(op, value);
      return;
    }
    if (p.filter) applyFiltered(this, op, t, parsed, value);
    else if (subDef) applySub(this, op, t, subDef, value);
    else applyWhole(this, op, t, value, hasValue);
  }

  /** The object holding attributes of `container` (the resource, or its extension object). */
  holder(container: string | undefined, create: boolean): JsonObject | undefined {
    const res = this.res;
    if (container === undefined) return res;
    const key = findKey(res, container);
    const existing = key === undefined ? undefined : res[key];
    if (isObject(existing) && this.mine?.has(existing)) return existing;
    if (!isObject(existing) && !create) return undefined;
    this.extensionsTouched = true;
    const own: JsonObject = isObject(existing) ? shallowCopy(existing) : {};
    (this.mine ??= new Set()).add(own);
    this.set(res, key ?? container, own);
    return own;
  }

  /** Whether `value` was made by this request (see `mine`). */
  isMine(value: unknown): boolean {
    return typeof value === 'object' && value !== null && this.mine !== undefined && this.mine.has(value);
  }

  /** Records `value` as made by this request; returns it. */
  adopt<T extends object>(value: T): T {
    (this.mine ??= new Set()).add(value);
    return value;
  }

  normalise(def: AttributeDef, value: unknown, label: string, single = false): unknown {
    return normaliseValue(def, value, label, this.ignored, single);
  }

  /** Writes `value` (or, when undefined, removes the attribute), checking `required` on removal. */
  store(holder: JsonObject, key: string, def: AttributeDef, value: unknown, label: string): void {
    if (value !== undefined) {
      this.set(holder, key, value);
      return;
    }
    this.unset(holder, key);
    this.assertRequired(def, holder, label);
  }

  assertRequired(def: AttributeDef, holder: JsonObject, label: string): void {
    if (def.required && getKey(holder, def.name) === undefined) {
      throw new MutabilityError(`Attribute "${label}" is required and cannot be removed`);
    }
  }

  // ---- special attributes --------------------------------------------------------------------------

  private applyPassword(op: Op, value: unknown): void {
    if (op === 'remove' || value === null || value === undefined) return;
    if (typeof value !== 'string') throw new InvalidValueError(`Attribute "password" must be a string`);
    if (value !== '') this.password = value;
  }
}
