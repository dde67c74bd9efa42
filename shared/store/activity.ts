// A tenant's provisioning activity: the SCIM requests the directory refused, kept briefly so an
// admin can see why a user did not arrive (shared/admin/activity.ts decides what is kept and
// trims it). One item per refused request:
//
//   pk keys.activity(t)   sk <ULID of the time>   at, tokenId?, method, path, status, scimType?,
//                                                  detail, resource?, ttl
//
// Never a header or a body: no bearer token and no password can reach this item.
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';

export interface Refusal {
  at: string;
  tokenId?: string;
  method: string;
  path: string;
  status: number;
  scimType?: string;
  detail: string;
  /** Identifying attributes of the resource the refused body described, when it had them. */
  resource?: { userName?: string; displayName?: string; externalId?: string };
}

export interface StoredRefusal extends Refusal {
  id: string;
}

/** One PutItem; the id is a ULID of the time, unique per request. */
export async function putRefusal(db: Db, tenantId: string, id: string, r: Refusal, ttl: number): Promise<void> {
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: { pk: keys.activity(tenantId), sk: id, ...r, ttl },
    }),
  );
}

function fromItem(item: Record<string, unknown>): StoredRefusal {
  const resource = item.resource as Refusal['resource'] | undefined;
  return {
    id: item.sk as string,
    at: item.at as string,
    ...(typeof item.tokenId === 'string' ? { tokenId: item.tokenId } : {}),
    method: item.method as string,
    path: item.path as string,
    status: Number(item.status),
    ...(typeof item.scimType === 'string' ? { scimType: item.scimType } : {}),
    detail: item.detail as string,
    ...(resource ? { resource } : {}),
  };
}

/** Newest first, ids < `before` when given: one Query. `next`: where the following page starts. */
export async function listRefusals(
  db: Db,
  tenantId: string,
  options: { limit: number; before?: string },
): Promise<{ refusals: StoredRefusal[]; next?: string }> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: options.before ? 'pk = :pk AND sk < :before' : 'pk = :pk',
      ExpressionAttributeValues: {
        ':pk': keys.activity(tenantId),
        ...(options.before ? { ':before': options.before } : {}),
      },
      ScanIndexForward: false,
      Limit: options.limit,
    }),
  );
  const refusals = (out.Items ?? []).map(fromItem);
  const last = refusals[refusals.length - 1];
  return { refusals, ...(out.LastEvaluatedKey && last ? { next: last.id } : {}) };
}
