// How users, groups and memberships are laid out as items, and the errors a failed write reports.
// A failed condition is reported as the SCIM error the client gets, built from what the failed
// write returned (ALL_OLD), never from a second read. Subclasses let callers branch on the cause.
import { InvalidValueError, NotFoundError, PreconditionFailedError, UniquenessError } from '#scim/errors.ts';
import type { Db } from './client.ts';
import { keys, type Key } from './keys.ts';
import type { TransactItem } from './transact.ts';
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
  };
}

export function fromItem(item: Record<string, unknown>): StoredResource {
  return {
    id: item.sk as string,
    resourceType: item.rt as ResourceType,
    version: item.v as number,
    created: item.created as string,
    lastModified: item.lastModified as string,
    doc: (item.doc ?? {}) as Record<string, unknown>,
    ...(item.pwd ? { passwordHash: item.pwd as string } : {}),
  };
}

export const userNameOf = (doc: Record<string, unknown>) => String(doc.userName ?? '');

export function memberItem(tenantId: string, groupId: string, m: Member): Record<string, unknown> {
  return {
    ...keys.member(tenantId, groupId, m.value),
    gsi2pk: keys.memberOf(tenantId, m.value),
    gsi2sk: groupId,
    mt: m.type,
    ...(m.display ? { display: m.display } : {}),
  };
}

/** A member may be added only while it exists: the write checks it (no member item without its user or group). */
export function memberExists(db: Db, tenantId: string, m: Member): TransactItem {
  return {
    ConditionCheck: {
      TableName: db.tableName,
      Key: keyOf(tenantId, m.type, m.value),
      ConditionExpression: 'attribute_exists(pk)',
    },
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

/** Bumps a group's version when only its memberships change. */
export function touchGroup(db: Db, tenantId: string, groupId: string, now: string, ifVersion?: number): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.group(tenantId, groupId),
      UpdateExpression: 'SET lastModified = :now ADD v :one',
      // The group must still exist (no member item without its group) and, with If-Match, be unchanged.
      ConditionExpression: ifVersion === undefined ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND v = :v',
      ExpressionAttributeValues: { ':now': now, ':one': 1, ...(ifVersion === undefined ? {} : { ':v': ifVersion }) },
    },
  };
}
