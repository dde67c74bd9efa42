// Reads of users, groups and memberships: by id, by the indexed attributes, pages in creation
// order, and the paging positions that make walking pages in order O(page).
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys, type Key } from './keys.ts';
import {
  fromItem,
  keyOf,
  PARTITION,
  type Member,
  type MemberCounts,
  type ResourceType,
  type StoredResource,
} from './resource-items.ts';
import { TABLE } from './table.ts';

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

/**
 * A group's members in member-id order, paged; `limit` bounds the total read. `after`: continue
 * after that member id; `type`: only members of that type (filtered on the server side).
 */
export async function listMembers(
  db: Db,
  tenantId: string,
  groupId: string,
  limit: number,
  options: { after?: string; type?: ResourceType } = {},
): Promise<{ members: Member[]; truncated: boolean }> {
  const members: Member[] = [];
  let start: Record<string, unknown> | undefined = options.after
    ? keys.member(tenantId, groupId, options.after)
    : undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': keys.membersPartition(tenantId, groupId),
          ...(options.type ? { ':mt': options.type } : {}),
        },
        ...(options.type ? { FilterExpression: 'mt = :mt' } : {}),
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

/** How many members of each type a group has, counted from its member items (consistent reads). */
export async function countMembers(db: Db, tenantId: string, groupId: string): Promise<MemberCounts> {
  const counts = { users: 0, groups: 0 };
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.membersPartition(tenantId, groupId) },
        ProjectionExpression: 'mt',
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      if (item.mt === 'Group') counts.groups += 1;
      else counts.users += 1;
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return counts;
}

/** The member id after which a group's `skip`-th member of `type` comes: keys only, for random access. */
export async function skipMembers(
  db: Db,
  tenantId: string,
  groupId: string,
  type: ResourceType,
  skip: number,
): Promise<string | undefined> {
  let after: string | undefined;
  let left = skip;
  let start: Record<string, unknown> | undefined;
  while (left > 0) {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.membersPartition(tenantId, groupId), ':mt': type },
        FilterExpression: 'mt = :mt',
        ProjectionExpression: 'sk',
        Limit: Math.min(left, 1000),
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const items = out.Items ?? [];
    if (items.length) {
      after = items[items.length - 1]!.sk as string;
      left -= items.length;
    }
    start = out.LastEvaluatedKey;
    if (!start) return after;
  }
  return after;
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
