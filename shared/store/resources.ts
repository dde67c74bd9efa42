// The repository for Users, Groups and memberships: the only code that reads or writes them.
// Every invariant is held by a condition in the write itself (see the comment on each condition).
// Membership pairs (member item + the other side) are built in membership-items.ts and written
// by membership-writes.ts.
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import type { Edit, MemberDelta } from './membership-items.ts';
import { changeMembers, chunkEdits, commitEdits, inParallel, memberEdits } from './membership-writes.ts';
import { groupIdsOf, listMembers } from './resource-reads.ts';
import {
  keptGroups,
  keyOf,
  NotFound,
  tenantCounter,
  toItem,
  userNameOf,
  UserNameTaken,
  VersionMismatch,
  type Member,
  type StoredResource,
} from './resource-items.ts';
import { TransactionFailed, type TransactItem } from './transact.ts';
import { stampDeleter } from './write-actor.ts';

export * from './resource-items.ts';
export * from './resource-reads.ts';
export { changeMembers } from './membership-writes.ts';

const withCounts = (r: StoredResource, delta: MemberDelta): StoredResource =>
  r.memberCounts
    ? {
        ...r,
        memberCounts: { users: r.memberCounts.users + delta.users, groups: r.memberCounts.groups + delta.groups },
      }
    : r;

/**
 * Creates a user or group. Conditions: the id is new; for users the lower-cased userName claim is
 * new (uniqueness per tenant, case-insensitive, race-free); every initial member exists (and
 * joins: its `groups` and version move in the same transaction). Returns the new version.
 */
export async function createResource(
  db: Db,
  tenantId: string,
  r: StoredResource,
  members: Member[] = [],
): Promise<number> {
  const edits = memberEdits(r.id, { add: members, remove: [] });
  const head = (delta: MemberDelta): TransactItem[] => [
    {
      Put: {
        TableName: db.tableName,
        Item: toItem(tenantId, withCounts(r, delta)),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    tenantCounter(db, tenantId, r.resourceType, 1),
    ...(r.resourceType === 'User'
      ? [
          {
            Put: {
              TableName: db.tableName,
              Item: { ...keys.userName(tenantId, userNameOf(r.doc)), id: r.id },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ]
      : []),
  ];
  if (chunkEdits(edits, () => head({ users: 0, groups: 0 }).length).length > 1) {
    // Too many initial members for one transaction: create the group, then add members in chunks.
    // The id is this request's own, so finding it created means a retry of this request (members
    // retried with another type): it goes on with the members.
    try {
      await createResource(db, tenantId, r, []);
    } catch (error) {
      if (!(error instanceof TransactionFailed && error.failed(0))) throw error;
    }
    return (
      (await changeMembers(db, tenantId, r.id, { add: members, remove: [] }, r.lastModified, { wantVersion: true })) ??
      r.version
    );
  }
  await commitEdits(
    db,
    tenantId,
    r.lastModified,
    {
      head,
      headFailed: (error) => {
        if (r.resourceType === 'User' && error.failed(2))
          throw new UserNameTaken(userNameOf(r.doc), error.oldValue(2, 'id'), true);
      },
      throwMissing: true,
    },
    edits,
  );
  return r.version;
}

/**
 * Replaces a resource's attributes. Condition: the stored version is the one the caller read
 * (optimistic lock; with If-Match, the one the client named). A userName change moves the claim
 * in the same transaction. `after` keeps the item's `groups` and member counts as read (the
 * version condition guarantees they are still current). Returns the new version.
 */
export async function replaceResource(
  db: Db,
  tenantId: string,
  before: StoredResource,
  after: StoredResource,
  memberChanges?: { add: Member[]; remove: Array<string | Member> },
): Promise<number> {
  const edits = memberChanges ? memberEdits(after.id, memberChanges) : [];
  let claimIndex = -1;
  const head = (delta: MemberDelta): TransactItem[] => {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: db.tableName,
          Item: toItem(tenantId, withCounts(after, delta)),
          ConditionExpression: 'v = :v',
          ExpressionAttributeValues: { ':v': before.version },
        },
      },
    ];
    if (before.resourceType === 'User') {
      const oldName = userNameOf(before.doc).toLowerCase();
      const newName = userNameOf(after.doc).toLowerCase();
      if (oldName !== newName) {
        items.push({ Delete: { TableName: db.tableName, Key: keys.userName(tenantId, oldName) } });
        claimIndex = items.length;
        items.push({
          Put: {
            TableName: db.tableName,
            Item: { ...keys.userName(tenantId, newName), id: after.id },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
      }
    }
    return items;
  };
  if (chunkEdits(edits, () => head({ users: 0, groups: 0 }).length).length > 1) {
    // Big membership changes: the attributes first (atomic with the version check), then members in chunks.
    await replaceResource(db, tenantId, before, after);
    return (
      (await changeMembers(db, tenantId, after.id, memberChanges!, after.lastModified, { wantVersion: true })) ??
      after.version
    );
  }
  await commitEdits(
    db,
    tenantId,
    after.lastModified,
    {
      head,
      headFailed: (error) => {
        if (error.failed(0)) throw new VersionMismatch();
        if (claimIndex >= 0 && error.failed(claimIndex))
          throw new UserNameTaken(userNameOf(after.doc), error.oldValue(claimIndex, 'id'), false);
      },
      throwMissing: true,
    },
    edits,
  );
  return after.version;
}

/**
 * Deletes a user or group with what hangs off it: the userName claim, the tenant counter, its
 * memberships in other groups (their member counts and versions move in the same transaction)
 * and, for a group, its own member items and its id in each member's `groups`. Condition: the
 * resource is still at the version read, so the memberships read with it are all there are
 * (every membership change moves the versions of both sides). Throws VersionMismatch when it
 * changed meanwhile; the caller reads again, unless the client sent If-Match.
 */
export async function deleteResource(db: Db, tenantId: string, r: StoredResource, now: string): Promise<void> {
  // The deletion's stream record carries the old item: make it name who deletes (events).
  await stampDeleter(db, keyOf(tenantId, r.resourceType, r.id), r.actor);
  // Items from before `groups` was kept: the index (eventually consistent, so with what newer
  // writes put on the item; the leave conditions keep counts exact all the same).
  const memberOf = keptGroups(r) ?? [...new Set([...r.groups, ...(await groupIdsOf(db, tenantId, r.id))])].sort();
  const own =
    r.resourceType === 'Group' && (!r.membershipKept || r.memberCounts!.users + r.memberCounts!.groups > 0)
      ? (await listMembers(db, tenantId, r.id, Number.MAX_SAFE_INTEGER)).members
      : [];
  // A group in its own members writes its item once: the Delete below.
  const leaves: Edit[] = memberOf
    .filter((groupId) => groupId !== r.id)
    .map((groupId) => ({ kind: 'leave', groupId, member: { value: r.id, type: r.resourceType } }));
  const detaches: Edit[] = own.map((member) => ({
    kind: 'detach',
    groupId: r.id,
    member,
    ...(member.value === r.id ? { noNode: true } : {}),
  }));
  const main: TransactItem[] = [
    {
      Delete: {
        TableName: db.tableName,
        Key: keyOf(tenantId, r.resourceType, r.id),
        ConditionExpression: 'attribute_exists(pk) AND v = :v',
        ExpressionAttributeValues: { ':v': r.version },
      },
    },
    tenantCounter(db, tenantId, r.resourceType, -1),
  ];
  if (r.resourceType === 'User')
    main.push({ Delete: { TableName: db.tableName, Key: keys.userName(tenantId, userNameOf(r.doc)) } });
  // The first transaction deletes the resource with as many memberships as fit; the rest are
  // clean-up transactions in parallel (nothing can join a group or member that is gone).
  const [first, ...rest] = chunkEdits([...leaves, ...detaches], (i) => (i === 0 ? main.length : 0));
  await commitEdits(
    db,
    tenantId,
    now,
    {
      head: () => main,
      headFailed: (error: TransactionFailed) => {
        if (!error.failed(0)) return;
        const exists = error.reasons.find((x) => x.index === 0)?.item !== undefined;
        throw exists ? new VersionMismatch() : new NotFound(r.resourceType, r.id);
      },
      throwMissing: false,
    },
    first!,
  );
  await inParallel(rest, (edits) => commitEdits(db, tenantId, now, { throwMissing: false }, edits));
}
