// The repository for Users, Groups and memberships: the only code that reads or writes them.
// Every invariant is held by a condition in the write itself (see the comment on each condition).
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { InvalidValueError, NotFoundError, PreconditionFailedError, UniquenessError } from '#scim/errors.ts';
import type { Db } from './client.ts';
import { keys, type Key } from './keys.ts';
import { TABLE } from './table.ts';
import { MAX_TRANSACTION_ITEMS, TransactionFailed, transactWrite, type TransactItem } from './transact.ts';

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

// A failed condition is reported as the SCIM error the client gets, built from what the failed
// write returned (ALL_OLD), never from a second read. Subclasses let callers branch on the cause.

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

const PARTITION = { User: keys.usersPartition, Group: keys.groupsPartition } as const;
const keyOf = (tenantId: string, type: ResourceType, id: string): Key =>
  type === 'User' ? keys.user(tenantId, id) : keys.group(tenantId, id);
const counter = { User: 'userCount', Group: 'groupCount' } as const;

/** Secondary-index attributes: user externalId (gsi1); group displayName (gsi1) and externalId (gsi2). */
function indexAttributes(tenantId: string, type: ResourceType, id: string, doc: Record<string, unknown>) {
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

function toItem(tenantId: string, r: StoredResource): Record<string, unknown> {
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

function fromItem(item: Record<string, unknown>): StoredResource {
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

const userNameOf = (doc: Record<string, unknown>) => String(doc.userName ?? '');

function memberItem(tenantId: string, groupId: string, m: Member): Record<string, unknown> {
  return {
    ...keys.member(tenantId, groupId, m.value),
    gsi2pk: keys.memberOf(tenantId, m.value),
    gsi2sk: groupId,
    mt: m.type,
    ...(m.display ? { display: m.display } : {}),
  };
}

/** A member may be added only while it exists: the write checks it (no member item without its user or group). */
function memberExists(db: Db, tenantId: string, m: Member): TransactItem {
  return {
    ConditionCheck: {
      TableName: db.tableName,
      Key: keyOf(tenantId, m.type, m.value),
      ConditionExpression: 'attribute_exists(pk)',
    },
  };
}

function tenantCounter(db: Db, tenantId: string, type: ResourceType, delta: number): TransactItem {
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
function touchGroup(db: Db, tenantId: string, groupId: string, now: string, ifVersion?: number): TransactItem {
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

// ---------------------------------------------------------------------------------------------
// Reads

export async function getResource(
  db: Db,
  tenantId: string,
  type: ResourceType,
  id: string,
): Promise<StoredResource | undefined> {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keyOf(tenantId, type, id), ConsistentRead: true }),
  );
  return Item && Item.rt === type ? fromItem(Item) : undefined;
}

export async function getResources(
  db: Db,
  tenantId: string,
  type: ResourceType,
  ids: string[],
): Promise<StoredResource[]> {
  const unique = [...new Set(ids)];
  const found = new Map<string, StoredResource>();
  for (let i = 0; i < unique.length; i += 100) {
    let request: Record<string, { Keys: Key[]; ConsistentRead: boolean }> | undefined = {
      [db.tableName]: { Keys: unique.slice(i, i + 100).map((id) => keyOf(tenantId, type, id)), ConsistentRead: true },
    };
    while (request && Object.keys(request).length) {
      const out = await db.doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[db.tableName] ?? []) {
        const r = fromItem(item);
        found.set(r.id, r);
      }
      request = out.UnprocessedKeys as typeof request;
    }
  }
  return ids.map((id) => found.get(id)).filter((r): r is StoredResource => r !== undefined);
}

/** userName → id, strongly consistent: the claim item is the one the uniqueness condition guards. */
export async function findUserIdByUserName(db: Db, tenantId: string, userName: string): Promise<string | undefined> {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.userName(tenantId, userName), ConsistentRead: true }),
  );
  return Item?.id as string | undefined;
}

async function queryIndex(
  db: Db,
  index: 'gsi1' | 'gsi2',
  pk: string,
  limit = 1000,
): Promise<Record<string, unknown>[]> {
  const def = TABLE.indexes[index];
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: def.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': def.partitionKey },
        ExpressionAttributeValues: { ':pk': pk },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out;
}

export async function findByExternalId(
  db: Db,
  tenantId: string,
  type: ResourceType,
  externalId: string,
): Promise<StoredResource[]> {
  const items =
    type === 'User'
      ? await queryIndex(db, 'gsi1', keys.userExternalId(tenantId, externalId))
      : await queryIndex(db, 'gsi2', keys.groupExternalId(tenantId, externalId));
  return items.filter((i) => i.rt === type).map(fromItem);
}

export async function findGroupsByDisplayName(
  db: Db,
  tenantId: string,
  displayName: string,
): Promise<StoredResource[]> {
  return (await queryIndex(db, 'gsi1', keys.groupDisplayName(tenantId, displayName)))
    .filter((i) => i.rt === 'Group')
    .map(fromItem);
}

/** Ids of the groups a user (or group) is a direct member of: one Query on the inverted index. */
export async function groupIdsOf(db: Db, tenantId: string, memberId: string): Promise<string[]> {
  return (await queryIndex(db, 'gsi2', keys.memberOf(tenantId, memberId), 10_000)).map((i) => i.gsi2sk as string);
}

export async function isMember(db: Db, tenantId: string, groupId: string, memberId: string): Promise<boolean> {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.member(tenantId, groupId, memberId), ConsistentRead: true }),
  );
  return Item !== undefined;
}

export interface Page<T> {
  items: T[];
  /** The sort key to continue after, when there may be more. */
  after?: string;
}

/** One page of a tenant's users or groups in creation (ULID) order: a single Query. */
export async function listResources(
  db: Db,
  tenantId: string,
  type: ResourceType,
  options: { limit: number; after?: string },
): Promise<Page<StoredResource>> {
  const input: QueryCommandInput = {
    TableName: db.tableName,
    KeyConditionExpression: options.after ? 'pk = :pk AND sk > :after' : 'pk = :pk',
    ExpressionAttributeValues: {
      ':pk': PARTITION[type](tenantId),
      ...(options.after ? { ':after': options.after } : {}),
    },
    Limit: options.limit,
    ConsistentRead: true,
  };
  const out = await db.doc.send(new QueryCommand(input));
  const items = (out.Items ?? []).map(fromItem);
  const last = items[items.length - 1];
  return { items, ...(out.LastEvaluatedKey && last ? { after: last.id } : {}) };
}

/** A group's members in member-id order, paged; `limit` bounds the total read. */
export async function listMembers(
  db: Db,
  tenantId: string,
  groupId: string,
  limit: number,
): Promise<{ members: Member[]; truncated: boolean }> {
  const members: Member[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.membersPartition(tenantId, groupId) },
        Limit: Math.min(1000, limit + 1 - members.length),
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      members.push({
        value: item.sk as string,
        type: item.mt as ResourceType,
        ...(item.display ? { display: item.display as string } : {}),
      });
    }
    start = out.LastEvaluatedKey;
  } while (start && members.length <= limit);
  return { members: members.slice(0, limit), truncated: members.length > limit };
}

// ---------------------------------------------------------------------------------------------
// Writes

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

async function batchDelete(db: Db, keyList: Key[]): Promise<void> {
  const chunks: Key[][] = [];
  for (let i = 0; i < keyList.length; i += 25) chunks.push(keyList.slice(i, i + 25));
  const worker = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      let request: Record<string, { DeleteRequest: { Key: Key } }[]> | undefined = {
        [db.tableName]: chunk.map((Key) => ({ DeleteRequest: { Key } })),
      };
      for (let attempt = 0; request && Object.keys(request).length; attempt += 1) {
        const out = await db.doc.send(new BatchWriteCommand({ RequestItems: request }));
        request = out.UnprocessedItems as typeof request;
        if (request && Object.keys(request).length)
          await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6)));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, chunks.length) }, worker));
}

/** Remembers where page `startIndex` of a listing begins, so walking pages in order is O(page). */
export async function savePageCursor(
  db: Db,
  tenantId: string,
  queryKey: string,
  startIndex: number,
  after: string,
  nowSeconds: number,
): Promise<void> {
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: { ...keys.pageCursor(tenantId, queryKey, startIndex), after, ttl: nowSeconds + 3600 },
    }),
  );
}

export async function loadPageCursor(
  db: Db,
  tenantId: string,
  queryKey: string,
  startIndex: number,
): Promise<string | undefined> {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: keys.pageCursor(tenantId, queryKey, startIndex) }),
  );
  return Item?.after as string | undefined;
}

/** Walks past `skip` items of a listing reading keys only, for random access to a page. */
export async function skipResources(
  db: Db,
  tenantId: string,
  type: ResourceType,
  skip: number,
): Promise<string | undefined> {
  let after: string | undefined;
  let left = skip;
  while (left > 0) {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: after ? 'pk = :pk AND sk > :after' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': PARTITION[type](tenantId), ...(after ? { ':after': after } : {}) },
        ProjectionExpression: 'sk',
        Limit: Math.min(left, 1000),
      }),
    );
    const items = out.Items ?? [];
    if (!items.length) return after;
    after = items[items.length - 1]!.sk as string;
    left -= items.length;
    if (!out.LastEvaluatedKey) return after;
  }
  return after;
}

export async function tenantCounts(db: Db, tenantId: string): Promise<{ users: number; groups: number }> {
  const { Item } = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: keys.tenant(tenantId),
      ProjectionExpression: 'userCount, groupCount',
    }),
  );
  return { users: Number(Item?.userCount ?? 0), groups: Number(Item?.groupCount ?? 0) };
}
