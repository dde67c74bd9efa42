// Stored item → SCIM resource (RFC 7643 §3.1 meta, schemas, computed groups/members), ETags.
import type { SchemaRegistry } from '#scim/schema/registry.ts';
import { InvalidValueError } from '#scim/errors.ts';
import type { Member, ResourceType, StoredResource } from '#store/resources.ts';

export const ENDPOINT = { User: 'Users', Group: 'Groups' } as const;

export const etagOf = (version: number) => `W/"${version}"`;

/** `W/"3"`, `"3"` or a list of them → versions; `*` → 'any'. Unparseable tags match nothing. */
export function parseEntityTags(header: string | undefined): number[] | 'any' | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (header.trim() === '*') return 'any';
  const versions = [...header.matchAll(/(?:W\/)?"(\d+)"/g)].map((m) => Number(m[1]));
  if (!versions.length)
    throw new InvalidValueError(`If-Match / If-None-Match must be an entity tag such as W/"3", got ${header}`);
  return versions;
}

export interface RenderExtras {
  groups?: string[];
  members?: Member[];
}

export function render(
  registry: SchemaRegistry,
  scimBase: string,
  r: StoredResource,
  extras: RenderExtras = {},
): Record<string, unknown> {
  const type: ResourceType = r.resourceType;
  const core = registry.coreSchema(type).id;
  const extensionIds = registry
    .extensions(type)
    .map((s) => s.id)
    .filter((id) => r.doc[id] !== undefined);
  const location = `${scimBase}/${ENDPOINT[type]}/${r.id}`;
  const out: Record<string, unknown> = { schemas: [core, ...extensionIds], id: r.id, ...r.doc };
  if (extras.members) {
    out.members = extras.members.map((m) => ({
      value: m.value,
      $ref: `${scimBase}/${ENDPOINT[m.type]}/${m.value}`,
      type: m.type,
      ...(m.display ? { display: m.display } : {}),
    }));
  }
  if (extras.groups) {
    out.groups = extras.groups.map((id) => ({ value: id, $ref: `${scimBase}/Groups/${id}`, type: 'direct' }));
  }
  out.meta = {
    resourceType: type,
    created: r.created,
    lastModified: r.lastModified,
    location,
    version: etagOf(r.version),
  };
  return out;
}
