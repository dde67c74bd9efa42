// The computed attributes: a user's `groups` are kept on its item (membership writes maintain
// them; items from before that fall back to the membership index), a group's `members` are items
// of their own, read only when the response (or a filter) needs them; the group item's member
// count says beforehand how many there are.
import { TooManyError } from '#scim/errors.ts';
import { project } from '#scim/projection.ts';
import type { SchemaRegistry } from '#scim/schema/registry.ts';
import type { Db } from '#store/client.ts';
import {
  getResources,
  groupIdsOf,
  isMember,
  keptGroups,
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

/** A group's members read together with the group item, before its member count is known. */
export const FIRST_MEMBERS_PAGE = 100;

/**
 * Every member of a group, or 400 tooMany past MAX_MEMBERS_RETURNED. With the group's member
 * count (`count`, from its item) a group over the limit is refused without reading members, and an
 * empty one costs nothing; `first` is a first page already read, continued from where it ended.
 */
export async function allMembers(
  db: Db,
  tenantId: string,
  groupId: string,
  count?: number,
  first?: { members: Member[]; truncated: boolean },
): Promise<Member[]> {
  if (count !== undefined && count > MAX_MEMBERS_RETURNED) throw tooManyMembers(groupId);
  if (count === 0) return [];
  if (first && !first.truncated) return first.members;
  const done = first?.members ?? [];
  const last = done[done.length - 1];
  const rest = await listMembers(db, tenantId, groupId, MAX_MEMBERS_RETURNED - done.length, {
    ...(last ? { after: last.value } : {}),
  });
  if (rest.truncated) throw tooManyMembers(groupId);
  return [...done, ...rest.members];
}

/** A user's (or group's) groups: from its item, or from the index for an item that predates that. */
export function groupsOf(db: Db, tenantId: string, r: StoredResource): Promise<string[]> {
  const kept = keptGroups(r);
  return kept ? Promise.resolve(kept) : groupIdsOf(db, tenantId, r.id);
}

/**
 * For `members eq <id>` filters evaluated over many groups: which groups hold each id, from the
 * member's own item (`grp`, or the index for an item that predates it). One BatchGetItem per 100
 * ids and type, whatever the number of groups; an id of nothing holds nothing.
 */
export async function groupsHolding(
  db: Db,
  tenantId: string,
  ids: string[],
): Promise<Map<string, { type: ResourceType; groups: Set<string> }>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all((['User', 'Group'] as const).map((t) => getResources(db, tenantId, t, unique)));
  const holders = new Map<string, { type: ResourceType; groups: Set<string> }>();
  await Promise.all(
    found.flat().map(async (r) => {
      holders.set(r.id, { type: r.resourceType, groups: new Set(await groupsOf(db, tenantId, r)) });
    }),
  );
  return holders;
}

/**
 * `members eq <id>` terms over `groups` groups: one GetItem per group and id, or (more groups) the
 * ids' own items, which say which groups hold them: one BatchGetItem per 100 ids, as user and as group.
 */
export function checksMembersOneByOne(groups: number, memberRefs: string[]): boolean {
  return groups * memberRefs.length <= 2 * Math.ceil(new Set(memberRefs).size / 100);
}

export const tooManyMembers = (groupId: string) =>
  new TooManyError(
    `group ${groupId} has more than ${MAX_MEMBERS_RETURNED} members; read it with excludedAttributes=members and check membership with filter=members[value eq "<id>"]`,
  );

/**
 * The resource as a default GET renders it, with the computed attributes the projection asks for.
 * `memberCount`: the group's count as read with `r` (not after a write of its members).
 */
export async function withComputed(
  deps: DirectoryDeps,
  caller: Caller,
  r: StoredResource,
  projection: Projection,
  known: { groups?: string[]; memberCount?: number } = {},
): Promise<Record<string, unknown>> {
  const { db, registry } = deps;
  const extras: { groups?: string[]; members?: Member[] } = {};
  if (known.groups) extras.groups = known.groups;
  else if (r.resourceType === 'User' && wants(registry, 'User', 'groups', projection)) {
    extras.groups = await groupsOf(db, caller.tenantId, r);
  }
  if (r.resourceType === 'Group' && wants(registry, 'Group', 'members', projection)) {
    extras.members = await allMembers(db, caller.tenantId, r.id, known.memberCount);
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
  private readonly holding = new Map<string, Promise<Map<string, { type: ResourceType; groups: Set<string> }>>>();
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}
  groupsOf(r: StoredResource): Promise<string[]> {
    let p = this.groups.get(r.id);
    if (!p) this.groups.set(r.id, (p = groupsOf(this.db, this.tenantId, r)));
    return p;
  }
  isMember(groupId: string, memberId: string): Promise<boolean> {
    const key = `${groupId}/${memberId}`;
    let p = this.memberships.get(key);
    if (!p) this.memberships.set(key, (p = isMember(this.db, this.tenantId, groupId, memberId)));
    return p;
  }
  /** Whether groupsHolding(ids) was already asked for in this request. */
  hasHolding(ids: string[]): boolean {
    return this.holding.has(ids.join(' '));
  }
  /** groupsHolding, once per request for a filter's `members eq` ids (the plan and the evaluation share it). */
  groupsHolding(ids: string[]): Promise<Map<string, { type: ResourceType; groups: Set<string> }>> {
    const key = ids.join(' ');
    let p = this.holding.get(key);
    if (!p) this.holding.set(key, (p = groupsHolding(this.db, this.tenantId, ids)));
    return p;
  }
}
