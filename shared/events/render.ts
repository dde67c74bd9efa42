// data.user / data.group: the resource as a default GET answers it (RFC 7643 §3.1 meta, the
// schemas, `groups` when the item keeps them), built by the same code the SCIM handlers use,
// with the default projection applied (never the password: it is not in the item's doc, only its
// hash in `pwd`, which nothing here reads). A group's members are not repeated: every membership
// change is its own event.
import { render } from '#directory/render.ts';
import { project } from '#scim/projection.ts';
import type { SchemaRegistry } from '#scim/schema/registry.ts';
import { fromItem, keptGroups } from '#store/resource-items.ts';
import type { Renderer } from './translate.ts';

export function resourceRenderer(registry: SchemaRegistry, scimBase: string): Renderer {
  return {
    resource(type, item) {
      const r = fromItem(item);
      const groups = type === 'User' ? keptGroups(r) : undefined;
      return project(registry, type, render(registry, scimBase, r, groups ? { groups } : {}));
    },
  };
}
