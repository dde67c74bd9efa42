// How users, groups and memberships are laid out as items, and the errors a failed write reports.
// A failed condition is reported as the SCIM error the client gets, built from what the failed
// write returned (ALL_OLD), never from a second read. Subclasses let callers branch on the cause.
import { InvalidValueError, NotFoundError, PreconditionFailedError, UniquenessError } from '#scim/errors.ts';
import type { Db } from './client.ts';
import { keys, type Key } from './keys.ts';
import type { TransactItem } from './transact.ts';
import { actorAttributes, stampAttributes, type Actor } from './write-actor.ts';
export type ResourceType = 'User' | 'Group';

export interface StoredResource {
  id: string;
  resourceType: ResourceType;
  /** Increases by one on every change (meta.version / ETag), membership changes included. */
  version: number;
  created: string;
  lastModified: string;
  /** The canonical SCIM attributes as sent (no id/meta/members/groups/password). */
  doc: Record<string, unknown>;
  passwordHash?: string;
  /**
   * Ids of the groups this user or group is a direct member of, sorted. Kept on the item by the
   * membership transactions; authoritative only when `membershipKept` (see below).
   */
  groups: string[];
  /**
   * True when the item's `groups` (and, for a group, `memberCounts`) are kept by every membership
   * write: items created since these were introduced, or backfilled by backfillMemberships().
   * False for older items: read the membership index instead (groupIdsOf / listMembers).
   */
  membershipKept: boolean;
  /** A group's members by type, kept by the membership transactions (exact when membershipKept). */
  memberCounts?: MemberCounts;
  /** Who wrote the item last, as read. A write stamps the current actor instead (write-actor.ts). */
  actor?: Actor;
}

export interface MemberCounts {
  users: number;
  groups: number;
}

export interface Member {
  value: string;
  type: ResourceType;
  display?: string;
}

export class NotFound extends NotFoundError {
  constructor(type: ResourceType, id: string) {
    super(`${type} ${id} not found`);
  }
}
export class VersionMismatch extends PreconditionFailedError {
  constructor() {
    super('resource changed since the version named in If-Match');
  }
}
export class UserNameTaken extends UniquenessError {
  /** `existingId`: the owner of the claim, from the failed condition's ALL_OLD item. */
  constructor(
    readonly userName: string,
    readonly existingId: string | undefined,
    creating: boolean,
  ) {
    super(
      creating
        ? `userName "${userName}" is already taken by user ${existingId ?? '(unknown)'}; update that user (PUT/PATCH, e.g. active=true to reactivate) instead of creating a new one`
        : `userName "${userName}" is already taken${existingId ? ` by user ${existingId}` : ''} in this directory (userName is unique, case-insensitively)`,
    );
  }
}
export class MissingMembers extends InvalidValueError {
  constructor(readonly ids: string[]) {
    super(`members must reference existing users or groups; not found: ${ids.join(', ')}`);
  }
}

/**
 * The most groups one user or group can be a direct member of: their ids are kept on its item,
 * which DynamoDB caps at 400 KB (5,000 ULIDs take ~135 KB, leaving room for the attributes).
 */
export const MAX_GROUPS_PER_MEMBER = 5_000;

export class TooManyGroups extends InvalidValueError {
  constructor(readonly ids: string[]) {
    super(
      `a user or group can be a direct member of at most ${MAX_GROUPS_PER_MEMBER} groups; already there: ${ids.join(', ')}`,
    );
  }
}

export const PARTITION = { User: keys.usersPartition, Group: keys.groupsPartition } as const;
export const keyOf = (tenantId: string, type: ResourceType, id: string): Key =>
  type === 'User' ? keys.user(tenantId, id) : keys.group(tenantId, id);
export const counter = { User: 'userCount', Group: 'groupCount' } as const;

/** Secondary-index attributes: user externalId (gsi1); group displayName (gsi1) and externalId (gsi2). */
export function indexAttributes(tenantId: string, type: ResourceType, id: string, doc: Record<string, unknown>) {
  const out: Record<string, string> = {};
  const externalId = typeof doc.externalId === 'string' ? doc.externalId : undefined;
  if (type === 'User') {
    if (externalId) Object.assign(out, { gsi1pk: keys.userExternalId(tenantId, externalId), gsi1sk: id });
  } else {
    if (typeof doc.displayName === 'string') {
      Object.assign(out, { gsi1pk: keys.groupDisplayName(tenantId, doc.displayName), gsi1sk: id });
    }
    if (externalId) Object.assign(out, { gsi2pk: keys.groupExternalId(tenantId, externalId), gsi2sk: id });
  }
  return out;
}

/**
 * Membership attributes of user and group items (maintained by membership-writes.ts):
 *   grp   string set   ids of the groups the item is a direct member of (absent when none)
 *   mcu   number       groups only: how many members are users
 *   mcg   number       groups only: how many members are groups
 *   mk    1            grp (and mcu/mcg) are complete: set at creation or by the backfill
 *   lw    string       groups only: the request that last changed the members (to learn the new
 *                     version after a transaction, which cannot return values)
 */
export function toItem(tenantId: string, r: StoredResource): Record<string, unknown> {
  return {
    ...keyOf(tenantId, r.resourceType, r.id),
    ...indexAttributes(tenantId, r.resourceType, r.id, r.doc),
    rt: r.resourceType,
    v: r.version,
    created: r.created,
    lastModified: r.lastModified,
    doc: r.doc,
    ...(r.passwordHash ? { pwd: r.passwordHash } : {}),
    ...(r.groups.length ? { grp: new Set(r.groups) } : {}),
    ...(r.memberCounts ? { mcu: r.memberCounts.users, mcg: r.memberCounts.groups } : {}),
    ...(r.membershipKept ? { mk: 1 } : {}),
    ...actorAttributes(),
  };
}

export function fromItem(item: Record<string, unknown>): StoredResource {
  const type = item.rt as ResourceType;
  return {
    id: item.sk as string,
    resourceType: type,
    version: item.v as number,
    created: item.created as string,
    lastModified: item.lastModified as string,
    doc: (item.doc ?? {}) as Record<string, unknown>,
    ...(item.pwd ? { passwordHash: item.pwd as string } : {}),
    groups: item.grp instanceof Set ? [...(item.grp as Set<string>)].sort() : [],
    membershipKept: item.mk === 1,
    ...(item.actor ? { actor: item.actor as Actor } : {}),
    ...(type === 'Group' ? { memberCounts: { users: Number(item.mcu ?? 0), groups: Number(item.mcg ?? 0) } } : {}),
  };
}

/** The resource's groups when its item keeps them, else undefined (read the index). */
export const keptGroups = (r: StoredResource): string[] | undefined => (r.membershipKept ? r.groups : undefined);

/** A group's member count when its item keeps it, else undefined. */
export const keptMemberCount = (r: StoredResource): number | undefined =>
  r.membershipKept && r.memberCounts ? r.memberCounts.users + r.memberCounts.groups : undefined;

export const userNameOf = (doc: Record<string, unknown>) => String(doc.userName ?? '');

export function memberItem(tenantId: string, groupId: string, m: Member): Record<string, unknown> {
  return {
    ...keys.member(tenantId, groupId, m.value),
    gsi2pk: keys.memberOf(tenantId, m.value),
    gsi2sk: groupId,
    mt: m.type,
    ...(m.display ? { display: m.display } : {}),
    ...stampAttributes(),
  };
}

export function tenantCounter(db: Db, tenantId: string, type: ResourceType, delta: number): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.tenant(tenantId),
      UpdateExpression: 'ADD #c :d',
      ExpressionAttributeNames: { '#c': counter[type] },
      ExpressionAttributeValues: { ':d': delta },
    },
  };
}
