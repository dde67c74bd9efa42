// What one operation does to one attribute (decisions in patch.ts): a whole attribute replaced,
// merged, appended to or removed; a sub-attribute set or removed; for `attribute[filter]` and
// `attribute[filter].subAttribute`, the elements the filter selects replaced, merged, trimmed or
// removed, and with no match, the element an `eq` chain describes created (Entra, Okta).
// Everything is written through the Patcher (patch-apply.ts), which copies on write.

import type { FilterNode } from '#scim/ast.ts';
import { findKey } from '#scim/attribute-access.ts';
import { InvalidPathError, InvalidValueError, NoTargetError } from '#scim/errors.ts';
import { elementFilterTemplate, literalsOf, type ElementFilter } from '#scim/filter-eval.ts';
import { hasOwnKeys, isObject, shallowCopy, type JsonObject } from '#scim/json.ts';
import { eqChain, type Op, type ParsedPath, type Target, type TypeFacts } from '#scim/patch-target.ts';
import {
  assertMutable,
  keepOnePrimary,
  lastPrimary,
  matchesGiven,
  sameElement,
  setSub,
  toList,
} from '#scim/patch-values.ts';
import type { AttributeDef } from '#scim/schema/types.ts';

/** What the writers need of the Patcher (patch-apply.ts). */
export interface WriteHost {
  readonly facts: TypeFacts;
  holder(container: string | undefined, create: boolean): JsonObject | undefined;
  normalise(def: AttributeDef, value: unknown, label: string, single?: boolean): unknown;
  set(holder: JsonObject, key: string, value: unknown): void;
  isMine(value: unknown): boolean;
  adopt<T extends object>(value: T): T;
  store(holder: JsonObject, key: string, def: AttributeDef, value: unknown, label: string): void;
}

type AttributeTarget = Extract<Target, { kind: 'attribute' }>;

// ---- attribute without filter or sub-attribute ---------------------------------------------------

export function applyWhole(host: WriteHost, op: Op, t: AttributeTarget, value: unknown, hasValue: boolean): void {
  const { def, label } = t;
  const holder = host.holder(t.container, op !== 'remove');
  if (!holder) return;
  const key = findKey(holder, def.name) ?? def.name;
  const current = holder[key];

  if (op === 'remove' && hasValue && value !== null && def.multiValued) {
    removeValues(host, holder, key, def, value, label);
    return;
  }
  const next = op === 'remove' ? undefined : host.normalise(def, value, label);
  if (next === undefined) {
    if (op === 'add' || current === undefined) return;
    assertMutable(def, label, current, undefined);
    host.store(holder, key, def, undefined, label);
    return;
  }
  if (def.multiValued) {
    const values = next as unknown[];
    if (op === 'add') {
      const list = toList(current);
      let winner: unknown;
      for (const v of values) {
        let same: unknown;
        for (const el of list) {
          if (sameElement(def, el, v)) {
            same = el;
            break;
          }
        }
        if (same === undefined) list.push(v);
        const written = same ?? v;
        if (isObject(written) && written.primary === true) winner = written;
      }
      assertMutable(def, label, current, list);
      host.set(holder, key, list);
      keepOnePrimary(def, list, winner);
    } else {
      assertMutable(def, label, current, values);
      host.set(holder, key, values);
      keepOnePrimary(def, values, lastPrimary(values));
    }
    return;
  }
  if (def.type === 'complex' && isObject(current)) {
    // add and replace both merge into a complex value (RFC 7644 §3.5.2.1, §3.5.2.3).
    const merged = shallowCopy(current);
    const given = next as JsonObject;
    for (const k in given) {
      const existingKey = findKey(merged, k) ?? k;
      const subDef = def.subAttributes?.find((s) => s.name === k);
      if (subDef?.mutability === 'immutable') assertMutable(subDef, `${label}.${k}`, merged[existingKey], given[k]);
      if (existingKey !== k) delete merged[existingKey];
      merged[k] = given[k];
    }
    assertMutable(def, label, current, merged);
    host.set(holder, key, merged);
    return;
  }
  assertMutable(def, label, current, next);
  host.set(holder, key, next);
}

/** Entra: `{"op":"Remove","path":"members","value":[{"value":"id"}]}` removes only those. */
function removeValues(
  host: WriteHost,
  holder: JsonObject,
  key: string,
  def: AttributeDef,
  value: unknown,
  label: string,
): void {
  const current = holder[key];
  if (current === undefined || current === null) return;
  const wanted = Array.isArray(value) ? value : [value];
  if (wanted.length === 0) return;
  const list = toList(current);
  const kept = list.filter((el) => !wanted.some((w) => matchesGiven(def, el, w)));
  if (kept.length === list.length) return;
  assertMutable(def, label, current, kept);
  host.store(holder, key, def, kept.length > 0 ? kept : undefined, label);
}

// ---- attribute.subAttribute ----------------------------------------------------------------------

export function applySub(host: WriteHost, op: Op, t: AttributeTarget, subDef: AttributeDef, value: unknown): void {
  const { def, label, subLabel } = t;
  const holder = host.holder(t.container, op !== 'remove');
  if (!holder) return;
  const key = findKey(holder, def.name) ?? def.name;
  const current = holder[key];
  const next = op === 'remove' ? undefined : host.normalise(subDef, value, subLabel);
  if (next === undefined && op === 'add') return;

  if (def.multiValued) {
    // `emails.value` without a filter addresses every element; none yet → create one.
    const list: JsonObject[] = [];
    for (const el of toList(current)) if (isObject(el)) list.push(shallowCopy(el));
    if (next === undefined) {
      for (const el of list) {
        const k = findKey(el, subDef.name);
        if (k === undefined) continue;
        assertMutable(subDef, subLabel, el[k], undefined);
        delete el[k];
      }
      const kept = list.filter(hasOwnKeys);
      if (kept.length > 0) host.set(holder, key, kept);
      else if (current !== undefined) host.store(holder, key, def, undefined, label);
      return;
    }
    if (list.length === 0) list.push({});
    for (const el of list) setSub(el, subDef, next, subLabel);
    host.set(holder, key, list);
    keepOnePrimary(def, list, lastPrimary(list));
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
    host.store(holder, key, def, hasOwnKeys(rest) ? rest : undefined, label);
    return;
  }
  const obj: JsonObject = isObject(current) ? shallowCopy(current) : {};
  setSub(obj, subDef, next, subLabel);
  assertMutable(def, label, current, obj);
  host.set(holder, key, obj);
}

// ---- attribute[filter] and attribute[filter].subAttribute -----------------------------------

export function applyFiltered(host: WriteHost, op: Op, t: AttributeTarget, parsed: ParsedPath, value: unknown): void {
  const filter = parsed.path.filter!;
  const { def, subDef, label, subLabel } = t;
  if (def.type !== 'complex' && !def.multiValued) {
    throw new InvalidPathError(
      `"${label}" is single-valued; a value filter "[...]" needs a multi-valued or complex attribute`,
    );
  }
  const holder = host.holder(t.container, op !== 'remove');
  if (!holder) return;
  const key = findKey(holder, def.name) ?? def.name;
  const current = holder[key];
  const matches = elementFilter(host.facts, t, parsed.shape, filter);
  // An array an earlier operation of this request wrote is changed in place (Entra builds one
  // address with five operations); the input's own is copied first.
  const list: unknown[] = def.multiValued
    ? Array.isArray(current) && host.isMine(current)
      ? current
      : host.adopt(toList(current))
    : isObject(current)
      ? [current]
      : [];
  const selected = new Set<unknown>();
  for (const el of list) if (matches(el)) selected.add(el);

  const next =
    op === 'remove'
      ? undefined
      : subDef
        ? host.normalise(subDef, value, subLabel)
        : normaliseElement(host, def, value, label);
  if (next === undefined && op === 'add') return;

  if (next === undefined) {
    // remove, or replace with null
    if (selected.size === 0) return;
    if (subDef === undefined) {
      for (const el of selected) assertMutable(def, label, el, undefined);
      writeBack(
        host,
        holder,
        key,
        t,
        current,
        list.filter((el) => !selected.has(el)),
      );
      return;
    }
    const equalities = eqChain(filter);
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
      let left = false;
      for (const k2 in copy) {
        if (!equalities?.has(k2.toLowerCase())) {
          left = true;
          break;
        }
      }
      if (left) out.push(copy);
    }
    writeBack(host, holder, key, t, current, out);
    return;
  }

  const written: unknown[] = [];
  if (selected.size === 0) {
    const equalities = eqChain(filter);
    if (!equalities) {
      throw new NoTargetError(
        `No value of "${label}" matches the filter, and the filter is not a list of "eq" terms an element could be made from`,
      );
    }
    const given: JsonObject = {};
    for (const [name, v] of equalities.values()) given[name] = v;
    // The seed is a new object (normalised), so it can take the value in place.
    const created = (normaliseElement(host, def, given, label) ?? {}) as JsonObject;
    if (subDef) created[subDef.name] = next;
    else Object.assign(created, next as JsonObject);
    list.push(host.adopt(created));
    written.push(created);
  } else {
    const equalities = subDef || op === 'add' ? undefined : eqChain(filter);
    for (let i = 0; i < list.length; i++) {
      const el = list[i];
      if (!selected.has(el) || !isObject(el)) continue;
      let updated: JsonObject;
      if (subDef) {
        // setSub checks the sub-attribute's immutability against the value it replaces.
        updated = host.isMine(el) ? el : host.adopt(shallowCopy(el));
        setSub(updated, subDef, next, subLabel);
      } else if (op === 'add') {
        updated = Object.assign(shallowCopy(el), next as JsonObject);
      } else {
        // replace of the element: what the filter says stays (`type: "work"`), the rest is new.
        const keep: JsonObject = {};
        for (const k in el) if (Object.hasOwn(el, k) && equalities?.has(k.toLowerCase())) keep[k] = el[k];
        updated = Object.assign(keep, next as JsonObject);
      }
      for (const s of def.subAttributes ?? []) {
        if (s.mutability === 'immutable') assertMutable(s, `${label}.${s.name}`, el[s.name], updated[s.name]);
      }
      list[i] = updated;
      written.push(updated);
    }
  }
  writeBack(host, holder, key, t, current, list);
  keepOnePrimary(def, list, lastPrimary(written));
}

/** The test of `filter`: compiled once per path shape; a path with new literals makes only their tests. */
function elementFilter(facts: TypeFacts, t: AttributeTarget, shape: object, filter: FilterNode): ElementFilter {
  let memo = facts.elements.get(shape);
  if (memo === undefined) {
    const template = elementFilterTemplate(t.element, filter, facts.lookup);
    const fixed = template(literalsOf(filter));
    facts.elements.set(shape, (memo = { template, fixedFor: filter, fixed }));
    return fixed;
  }
  return memo.fixedFor === filter ? memo.fixed : memo.template(literalsOf(filter));
}

/** Writes the elements back (a single-valued complex attribute holds the one element). */
function writeBack(
  host: WriteHost,
  holder: JsonObject,
  key: string,
  t: AttributeTarget,
  current: unknown,
  values: unknown[],
): void {
  if (values.length > 0) host.set(holder, key, t.def.multiValued ? values : values[0]);
  else if (current !== undefined) host.store(holder, key, t.def, undefined, t.label);
}

/** One element of a (multi-valued) complex attribute. */
function normaliseElement(host: WriteHost, def: AttributeDef, value: unknown, label: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length !== 1) {
      throw new InvalidValueError(`"${label}" with a value filter takes one value, got an array of ${value.length}`);
    }
    value = value[0];
  }
  return host.normalise(def, value, label, true);
}
