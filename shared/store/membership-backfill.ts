// One-off upgrade of items written before users and groups kept their memberships on the item
// (`grp`, `mcu`/`mcg`, marked `mk`). Until an item is backfilled, reads fall back to the
// membership index for it, so the upgrade is about cost, never correctness; it is idempotent and
// safe while the directory is in use:
//
// 1. read the item (its version v);
// 2. read its groups from the inverted index (eventually consistent) and keep only those whose
//    member item exists in the table (strongly consistent): a membership removed a moment ago
//    that the index still shows is not brought back;
// 3. for a group, count its member items by type (strongly consistent);
// 4. write `ADD grp :verified SET mcu, mcg, mk` on condition v is unchanged. Every membership
//    change moves the versions of both sides, so if anything changed since step 1 the write fails
//    and the item is read again. ADD (a union) keeps what membership writes since the upgrade
//    already put in `grp`, including a join the index may not show yet.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys, type Key } from './keys.ts';
import { keyOf, type ResourceType, type StoredResource } from './resource-items.ts';
import { countMembers, getResource, groupIdsOf, listResources } from './resource-reads.ts';

/** Of `groupIds`, those whose member item for `memberId` exists (consistent reads). */
async function verifiedGroups(db: Db, tenantId: string, memberId: string, groupIds: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (let i = 0; i < groupIds.length; i += 100) {
    let request: Record<string, { Keys: Key[]; ConsistentRead: boolean }> | undefined = {
      [db.tableName]: {
        Keys: groupIds.slice(i, i + 100).map((g) => keys.member(tenantId, g, memberId)),
        ConsistentRead: true,
      },
    };
    while (request && Object.keys(request).length) {
      const out = await db.doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[db.tableName] ?? []) found.add(String(item.pk).split('#MEMBERS#')[1]!);
      request = out.UnprocessedKeys as typeof request;
    }
  }
  return groupIds.filter((g) => found.has(g));
}

/** Backfills one item; true when it wrote, false when the item is gone or already kept. */
async function backfillOne(db: Db, tenantId: string, type: ResourceType, id: string): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const r: StoredResource | undefined = await getResource(db, tenantId, type, id);
    if (!r || r.membershipKept) return false;
    const [groups, counts] = await Promise.all([
      groupIdsOf(db, tenantId, id).then((ids) => verifiedGroups(db, tenantId, id, ids)),
      type === 'Group' ? countMembers(db, tenantId, id) : undefined,
    ]);
    try {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: keyOf(tenantId, type, id),
          UpdateExpression: [
            `SET mk = :one${counts ? ', mcu = :u, mcg = :g' : ''}`,
            ...(groups.length ? ['ADD grp :grp'] : []),
          ].join(' '),
          // Nothing changed since the read: the memberships read are the item's.
          ConditionExpression: 'v = :v',
          ExpressionAttributeValues: {
            ':one': 1,
            ':v': r.version,
            ...(counts ? { ':u': counts.users, ':g': counts.groups } : {}),
            ...(groups.length ? { ':grp': new Set(groups) } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  throw new Error(`${type} ${id} kept changing; run the backfill again`);
}

/**
 * Backfills every user and group of a tenant that predates kept memberships. Idempotent; returns
 * how many items it wrote.
 */
export async function backfillMemberships(
  db: Db,
  tenantId: string,
  onProgress?: (done: { type: ResourceType; read: number; written: number }) => void,
): Promise<{ users: number; groups: number }> {
  const written = { users: 0, groups: 0 };
  for (const type of ['User', 'Group'] as const) {
    let after: string | undefined;
    let read = 0;
    do {
      const page = await listResources(db, tenantId, type, { limit: 100, ...(after ? { after } : {}) });
      const results = await Promise.all(
        page.items.filter((r) => !r.membershipKept).map((r) => backfillOne(db, tenantId, type, r.id)),
      );
      const n = results.filter(Boolean).length;
      if (type === 'User') written.users += n;
      else written.groups += n;
      read += page.items.length;
      onProgress?.({ type, read, written: type === 'User' ? written.users : written.groups });
      after = page.after;
    } while (after);
  }
  return written;
}
