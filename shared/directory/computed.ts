// The computed attributes: a user's `groups` and a group's `members` are not stored on the
// resource item. They are read only when the response (or a filter) needs them.
import { TooManyError } from '#scim/errors.ts';
import { project } from '#scim/projection.ts';
import type { SchemaRegistry } from '#scim/schema/registry.ts';
import type { Db } from '#store/client.ts';
import {
  groupIdsOf,
  isMember,
  listMembers,
  type Member,
  type ResourceType,
  type StoredResource,
} from '#store/resources.ts';
import { render } from './render.ts';
import type { Caller, DirectoryDeps, Projection } from './types.ts';

/** A full GET of a group returns at most this many members; bigger groups must be read by filter. */
export const MAX_MEMBERS_RETURNED = 20_000;

/** Which computed attributes a projection needs, so we only pay for what is returned. */
export function wants(
  registry: SchemaRegistry,
  type: ResourceType,
  attribute: 'groups' | 'members',
  projection: Projection,
): boolean {
  const probe = project(registry, type, { schemas: [], id: 'x', [attribute]: [{ value: 'x' }] }, projection);
  return probe[attribute] !== undefined;
}

/** Every member of a group, or 400 tooMany past MAX_MEMBERS_RETURNED. */
export async function allMembers(db: Db, tenantId: string, groupId: string): Promise<Member[]> {
  const { members, truncated } = await listMembers(db, tenantId, groupId, MAX_MEMBERS_RETURNED);
  if (truncated) throw tooManyMembers(groupId);
  return members;
}

export const tooManyMembers = (groupId: string) =>
  new TooManyError(
    `group ${groupId} has more than ${MAX_MEMBERS_RETURNED} members; read it with excludedAttributes=members and check membership with filter=members[value eq "<id>"]`,
  );

/** The resource as a default GET renders it, with the computed attributes the projection asks for. */
export async function withComputed(
  deps: DirectoryDeps,
  caller: Caller,
  r: StoredResource,
  projection: Projection,
  groups?: string[],
): Promise<Record<string, unknown>> {
  const { db, registry } = deps;
  const extras: { groups?: string[]; members?: Member[] } = {};
  if (groups) extras.groups = groups;
  else if (r.resourceType === 'User' && wants(registry, 'User', 'groups', projection)) {
    extras.groups = await groupIdsOf(db, caller.tenantId, r.id);
  }
  if (r.resourceType === 'Group' && wants(registry, 'Group', 'members', projection)) {
    extras.members = await allMembers(db, caller.tenantId, r.id);
  }
  return render(registry, caller.scimBase, r, extras);
}

/**
 * Request-scoped memo of the per-resource lookups a query needs, so they can be started as soon
 * as an id is known (in parallel with fetching the resource) and never run twice.
 */
export class Lookups {
  private readonly groups = new Map<string, Promise<string[]>>();
  private readonly memberships = new Map<string, Promise<boolean>>();
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}
  groupsOf(id: string): Promise<string[]> {
    let p = this.groups.get(id);
    if (!p) this.groups.set(id, (p = groupIdsOf(this.db, this.tenantId, id)));
    return p;
  }
  isMember(groupId: string, memberId: string): Promise<boolean> {
    const key = `${groupId}/${memberId}`;
    let p = this.memberships.get(key);
    if (!p) this.memberships.set(key, (p = isMember(this.db, this.tenantId, groupId, memberId)));
    return p;
  }
}
