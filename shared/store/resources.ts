// The repository for Users, Groups and memberships: the only code that reads or writes them.
// Every invariant is held by a condition in the write itself (see the comment on each condition).
import type { Db } from './client.ts';
import { keys, type Key } from './keys.ts';
import { batchWrite } from './batch.ts';
import {
  keyOf,
  memberExists,
  memberItem,
  MissingMembers,
  NotFound,
  tenantCounter,
  toItem,
  touchGroup,
  userNameOf,
  UserNameTaken,
  VersionMismatch,
  type Member,
  type StoredResource,
} from './resource-items.ts';
import { MAX_TRANSACTION_ITEMS, TransactionFailed, transactWrite, type TransactItem } from './transact.ts';

export * from './resource-items.ts';
export * from './resource-reads.ts';

/**
 * Creates a user or group. Conditions: the id is new; for users the lower-cased userName claim is
 * new (uniqueness per tenant, case-insensitive, race-free); every initial member exists.
 */
export async function createResource(
  db: Db,
  tenantId: string,
  r: StoredResource,
  members: Member[] = [],
): Promise<void> {
  const items: TransactItem[] = [
    { Put: { TableName: db.tableName, Item: toItem(tenantId, r), ConditionExpression: 'attribute_not_exists(pk)' } },
    tenantCounter(db, tenantId, r.resourceType, 1),
  ];
  if (r.resourceType === 'User') {
    items.push({
      Put: {
        TableName: db.tableName,
        Item: { ...keys.userName(tenantId, userNameOf(r.doc)), id: r.id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  const memberStart = items.length;
  for (const m of members)
    items.push(
      { Put: { TableName: db.tableName, Item: memberItem(tenantId, r.id, m) } },
      memberExists(db, tenantId, m),
    );
  if (items.length > MAX_TRANSACTION_ITEMS) {
    // Too many initial members for one transaction: create the group, then add members in chunks.
    await createResource(db, tenantId, r, []);
    await changeMembers(db, tenantId, r.id, { add: members, remove: [] }, r.lastModified);
    return;
  }
  try {
    await transactWrite(db, items);
  } catch (error) {
    if (error instanceof TransactionFailed) {
      if (r.resourceType === 'User' && error.failed(2))
        throw new UserNameTaken(userNameOf(r.doc), error.oldValue(2, 'id'), true);
      const missing = members.filter((_, i) => error.failed(memberStart + 2 * i + 1)).map((m) => m.value);
      if (missing.length) throw new MissingMembers(missing);
    }
    throw error;
  }
}

/**
 * Replaces a resource's attributes. Condition: the stored version is the one the caller read
 * (optimistic lock; with If-Match, the one the client named). A userName change moves the claim
 * in the same transaction.
 */
export async function replaceResource(
  db: Db,
  tenantId: string,
  before: StoredResource,
  after: StoredResource,
  memberChanges?: { add: Member[]; remove: string[] },
): Promise<void> {
  const items: TransactItem[] = [
    {
      Put: {
        TableName: db.tableName,
        Item: toItem(tenantId, after),
        ConditionExpression: 'v = :v',
        ExpressionAttributeValues: { ':v': before.version },
      },
    },
  ];
  let claimIndex = -1;
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
  const memberStart = items.length;
  const adds = memberChanges?.add ?? [];
  for (const m of adds)
    items.push(
      { Put: { TableName: db.tableName, Item: memberItem(tenantId, after.id, m) } },
      memberExists(db, tenantId, m),
    );
  for (const id of memberChanges?.remove ?? [])
    items.push({ Delete: { TableName: db.tableName, Key: keys.member(tenantId, after.id, id) } });
  if (items.length > MAX_TRANSACTION_ITEMS) {
    // Big membership changes: the attributes first (atomic with the version check), then members in chunks.
    await replaceResource(db, tenantId, before, after);
    await changeMembers(
      db,
      tenantId,
      after.id,
      { add: adds, remove: memberChanges?.remove ?? [] },
      after.lastModified,
      true,
    );
    return;
  }
  try {
    await transactWrite(db, items);
  } catch (error) {
    if (error instanceof TransactionFailed) {
      if (error.failed(0)) throw new VersionMismatch();
      if (claimIndex >= 0 && error.failed(claimIndex))
        throw new UserNameTaken(userNameOf(after.doc), error.oldValue(claimIndex, 'id'), false);
      const missing = adds.filter((_, i) => error.failed(memberStart + 2 * i + 1)).map((m) => m.value);
      if (missing.length) throw new MissingMembers(missing);
    }
    throw error;
  }
}

/**
 * Adds and removes members with item-level writes (never reading or rewriting the member list)
 * and bumps the group's version in the same transaction. Adding a member twice or removing a
 * non-member is a no-op. Chunked when it exceeds one transaction.
 */
export async function changeMembers(
  db: Db,
  tenantId: string,
  groupId: string,
  changes: { add: Member[]; remove: string[] },
  now: string,
  skipTouch = false,
  ifVersion?: number,
): Promise<void> {
  const writes: { items: TransactItem[]; member?: Member }[] = [
    ...changes.add.map((m) => ({
      items: [
        { Put: { TableName: db.tableName, Item: memberItem(tenantId, groupId, m) } },
        memberExists(db, tenantId, m),
      ] as TransactItem[],
      member: m,
    })),
    ...changes.remove.map((id) => ({
      items: [{ Delete: { TableName: db.tableName, Key: keys.member(tenantId, groupId, id) } }] as TransactItem[],
    })),
  ];
  // Chunk 0 carries the version bump (and If-Match); later chunks each check the group exists.
  const groupExists: TransactItem = {
    ConditionCheck: {
      TableName: db.tableName,
      Key: keys.group(tenantId, groupId),
      ConditionExpression: 'attribute_exists(pk)',
    },
  };
  const chunks: { head: TransactItem | undefined; batch: typeof writes }[] = [];
  while (writes.length || chunks.length === 0) {
    const head =
      chunks.length === 0 ? (skipTouch ? undefined : touchGroup(db, tenantId, groupId, now, ifVersion)) : groupExists;
    let size = head ? 1 : 0;
    const batch: typeof writes = [];
    while (writes.length && size + writes[0]!.items.length <= MAX_TRANSACTION_ITEMS) {
      const w = writes.shift()!;
      batch.push(w);
      size += w.items.length;
    }
    chunks.push({ head, batch });
  }
  const run = async ({ head, batch }: (typeof chunks)[number], first: boolean): Promise<string[]> => {
    const items = [...(head ? [head] : []), ...batch.flatMap((w) => w.items)];
    if (!items.length) return [];
    try {
      await transactWrite(db, items);
      return [];
    } catch (error) {
      if (!(error instanceof TransactionFailed)) throw error;
      if (head && error.failed(0)) {
        throw first && ifVersion !== undefined && !skipTouch ? new VersionMismatch() : new NotFound('Group', groupId);
      }
      const missing: string[] = [];
      let index = head ? 1 : 0;
      for (const w of batch) {
        if (w.member && error.failed(index + 1)) missing.push(w.member.value);
        index += w.items.length;
      }
      if (first) throw new MissingMembers(missing);
      return missing;
    }
  };
  // The first chunk decides (If-Match, group exists, members exist); the rest go in parallel.
  await run(chunks[0]!, true);
  const missing = (await Promise.all(chunks.slice(1).map((c) => run(c, false)))).flat();
  if (missing.length) throw new MissingMembers(missing);
}

/**
 * Deletes a user or group with what hangs off it: the userName claim, membership items on both
 * sides, the tenant counter. Condition: the resource exists (and, with If-Match, is unchanged).
 */
export async function deleteResource(
  db: Db,
  tenantId: string,
  r: StoredResource,
  now: string,
  ifVersion: number | undefined,
  /** Groups the resource is in (inverted index) and, for a group, its own members: read by the caller. */
  hanging: { memberOf: string[]; members: Member[] },
): Promise<void> {
  const { memberOf } = hanging;
  const ownMembers = { members: hanging.members };
  const main: TransactItem[] = [
    {
      Delete: {
        TableName: db.tableName,
        Key: keyOf(tenantId, r.resourceType, r.id),
        ConditionExpression: ifVersion === undefined ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND v = :v',
        ...(ifVersion === undefined ? {} : { ExpressionAttributeValues: { ':v': ifVersion } }),
      },
    },
    tenantCounter(db, tenantId, r.resourceType, -1),
  ];
  if (r.resourceType === 'User')
    main.push({ Delete: { TableName: db.tableName, Key: keys.userName(tenantId, userNameOf(r.doc)) } });
  // Leaving a group changes that group: its member item goes and its version moves.
  const leave: TransactItem[] = memberOf.flatMap((groupId) => [
    { Delete: { TableName: db.tableName, Key: keys.member(tenantId, groupId, r.id) } },
    {
      Update: {
        TableName: db.tableName,
        Key: keys.group(tenantId, groupId),
        UpdateExpression: 'SET lastModified = :now ADD v :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': now, ':one': 1 },
      },
    } as TransactItem,
  ]);
  const inline = main.length + leave.length <= MAX_TRANSACTION_ITEMS ? leave : [];
  try {
    await transactWrite(db, [...main, ...inline]);
  } catch (error) {
    if (error instanceof TransactionFailed && error.failed(0))
      throw ifVersion === undefined ? new NotFound(r.resourceType, r.id) : new VersionMismatch();
    if (error instanceof TransactionFailed) {
      // A group we were leaving disappeared meanwhile: retry without version bumps on groups.
      await transactWrite(db, [
        ...main,
        ...memberOf.map((groupId) => ({
          Delete: { TableName: db.tableName, Key: keys.member(tenantId, groupId, r.id) },
        })),
      ]);
    } else {
      throw error;
    }
  }
  // What did not fit in the transaction: the resource is gone already, so these are clean-up writes.
  const rest: Key[] = [
    ...(inline.length ? [] : memberOf.map((groupId) => keys.member(tenantId, groupId, r.id))),
    ...ownMembers.members.map((m) => keys.member(tenantId, r.id, m.value)),
  ];
  await batchDelete(db, rest);
}

/** Parallel BatchWriteItem calls in flight when cleaning up a big group. */
const DELETE_CONCURRENCY = 16;

function batchDelete(db: Db, keyList: Key[]): Promise<void> {
  return batchWrite(
    db,
    keyList.map((Key) => ({ DeleteRequest: { Key } })),
    DELETE_CONCURRENCY,
  );
}
