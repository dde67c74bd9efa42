// PUT's immutability rule, applied by resource.ts when a body replaces a stored resource. PATCH
// checks immutability per operation instead (patch-values.ts assertMutable).

import { MutabilityError } from '#scim/errors.ts';
import { isObject, jsonEqual, show } from '#scim/json.ts';
import type { ResourceTypeName, SchemaRegistry } from '#scim/schema/registry.ts';
import type { SchemaDef } from '#scim/schema/types.ts';

/**
 * RFC 7644 §3.5.1: on PUT an immutable attribute that already has a value must be given the same
 * value (case-insensitively unless caseExact) or be left out, in which case it is kept.
 * Sub-attributes of multi-valued attributes are not compared: an element is replaced whole.
 */
export function applyImmutability(
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
