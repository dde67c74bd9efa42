// Seeds a large directory straight into the table with parallel BatchWriteItem calls: creating
// 100,000 users over HTTP would take longer than the whole bench may. The items are exactly what
// shared/store/resources.ts writes (layout in shared/store/keys.ts and resource-items.ts toItem,
// with each user's groups on its item and the group's member count); the docs go through the same
// normaliseResource a POST does; and the bench checks a seeded user reads back over HTTP like a
// created one before it measures anything.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { normaliseResource } from '#scim/resource.ts';
import { createRegistry } from '#scim/schema/registry.ts';
import type { Db } from '#store/client.ts';
import { keys } from '#store/keys.ts';
import { batchWrite } from '#store/batch.ts';

const registry = createRegistry();
const ulid = monotonicFactory();

/** A user as Okta/Entra create it (same shape and size as the users the bench creates over HTTP). */
export function userBody(n: number, tag: string): Record<string, unknown> {
  // Fixed-width numbers: every seeded item has the same size, so every page reads the same units.
  const k = String(n).padStart(6, '0');
  const userName = `${tag}.user${k}@example.com`;
  return {
    schemas: [
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    ],
    userName,
    externalId: `${tag}-ext-${k}`,
    name: { givenName: `Given${k}`, familyName: `Family${k}`, formatted: `Given${k} Family${k}` },
    displayName: `Given${k} Family${k}`,
    active: true,
    emails: [{ value: userName, type: 'work', primary: true }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
      employeeNumber: String(100000 + n),
      department: 'Engineering',
    },
  };
}

type Item = Record<string, unknown>;

/** Writes items 25 at a time with `concurrency` BatchWriteItem calls in flight. */
function writeAll(db: Db, items: Item[], concurrency: number, progress?: (done: number) => void): Promise<void> {
  return batchWrite(
    db,
    items.map((Item) => ({ PutRequest: { Item } })),
    concurrency,
    progress,
  );
}

export interface SeededUser {
  id: string;
  userName: string;
  externalId: string;
}

/**
 * Seeds `count` users into `tenantId` and adds them to the tenant's userCount. `groupIds`: the
 * groups every user is in (their member items are seeded by seedMembers).
 */
export async function seedUsers(
  db: Db,
  tenantId: string,
  count: number,
  options: {
    tag: string;
    groupIds?: string[];
    concurrency?: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<SeededUser[]> {
  const now = new Date().toISOString();
  const users: SeededUser[] = [];
  const items: Item[] = [];
  for (let n = 0; n < count; n += 1) {
    const { doc } = normaliseResource(registry, 'User', userBody(n, options.tag), 'create');
    const id = ulid();
    const userName = doc.userName as string;
    const externalId = doc.externalId as string;
    users.push({ id, userName, externalId });
    // = resources.ts toItem() for a User, and the userName claim createResource() writes with it.
    items.push({
      ...keys.user(tenantId, id),
      gsi1pk: keys.userExternalId(tenantId, externalId),
      gsi1sk: id,
      rt: 'User',
      v: 1,
      created: now,
      lastModified: now,
      doc,
      // The user's groups and the mark that they are kept on the item (resource-items.ts toItem).
      ...(options.groupIds?.length ? { grp: new Set(options.groupIds) } : {}),
      mk: 1,
    });
    items.push({ ...keys.userName(tenantId, userName), id });
  }
  await writeAll(
    db,
    items,
    options.concurrency ?? 8,
    options.onProgress ? (d) => options.onProgress!(d, items.length) : undefined,
  );
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.tenant(tenantId),
      UpdateExpression: 'ADD userCount :n',
      ExpressionAttributeValues: { ':n': count },
    }),
  );
  return users;
}

/**
 * Seeds membership items (= resource-items.ts memberItem()) of `members` (users) in group
 * `groupId`, and adds them to the group's user count (the users' `grp` comes from seedUsers).
 */
export async function seedMembers(
  db: Db,
  tenantId: string,
  groupId: string,
  members: SeededUser[],
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<void> {
  const items: Item[] = members.map((m) => ({
    ...keys.member(tenantId, groupId, m.id),
    gsi2pk: keys.memberOf(tenantId, m.id),
    gsi2sk: groupId,
    mt: 'User',
    display: m.userName,
  }));
  await writeAll(
    db,
    items,
    options.concurrency ?? 8,
    options.onProgress ? (d) => options.onProgress!(d, items.length) : undefined,
  );
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.group(tenantId, groupId),
      UpdateExpression: 'ADD mcu :n, v :one',
      ExpressionAttributeValues: { ':n': members.length, ':one': 1 },
    }),
  );
}
