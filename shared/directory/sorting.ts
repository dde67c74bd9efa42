// sortBy / sortOrder (RFC 7644 §3.4.2.3) over resources already in memory.
import { InvalidValueError } from '#scim/errors.ts';
import type { SchemaRegistry } from '#scim/schema/registry.ts';
import type { ResourceType, StoredResource } from '#store/resources.ts';

export function sortResources(
  registry: SchemaRegistry,
  type: ResourceType,
  list: StoredResource[],
  sortBy: string | undefined,
  order: 'ascending' | 'descending',
): void {
  if (!sortBy) return;
  const [attr, sub] = sortBy.split('.');
  const resolved = registry.resolve(type, { attribute: attr ?? '', ...(sub ? { subAttribute: sub } : {}) });
  if (!resolved) throw new InvalidValueError(`sortBy names an unknown attribute: ${sortBy}`);
  const caseExact = (resolved.subAttribute ?? resolved.attribute).caseExact;
  const keyOf = (r: StoredResource): string | number | undefined => {
    const c = resolved.canonical;
    let v: unknown =
      c.attribute === 'id'
        ? r.id
        : c.attribute === 'meta'
          ? { created: r.created, lastModified: r.lastModified }[c.subAttribute ?? '']
          : c.uri
            ? (r.doc[c.uri] as Record<string, unknown> | undefined)?.[c.attribute]
            : r.doc[c.attribute];
    if (Array.isArray(v)) v = (v.find((e) => (e as { primary?: boolean })?.primary) ?? v[0]) as unknown;
    if (c.subAttribute && v && typeof v === 'object' && c.attribute !== 'meta')
      v = (v as Record<string, unknown>)[c.subAttribute];
    if (typeof v === 'string') return caseExact ? v : v.toLowerCase();
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return undefined;
  };
  const dir = order === 'descending' ? -1 : 1;
  list.sort((a, b) => {
    const x = keyOf(a);
    const y = keyOf(b);
    // RFC 7644 §3.4.2.3: resources without the attribute sort last in either order.
    if (x === undefined || y === undefined) return x === y ? (a.id < b.id ? -1 : 1) : x === undefined ? 1 : -1;
    return x < y ? -dir : x > y ? dir : a.id < b.id ? -1 : 1;
  });
}
