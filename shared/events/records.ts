// DynamoDB stream records as the events function receives them (Lambda's DynamoDBStreamEvent, or
// the local runner's copy of DynamoDB Local's GetRecords), and which table item each one is about.
// The key shapes are those built in shared/store/keys.ts; records of any other item (userName
// claims, page cursors, feed and activity items) produce no event.
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { keys } from '#store/keys.ts';

/** What the code reads of a stream record; Lambda's DynamoDBRecord is assignable to it. */
export interface StreamRecord {
  eventID?: string;
  eventName?: string;
  eventSourceARN?: string;
  dynamodb?: {
    /** Epoch seconds. */
    ApproximateCreationDateTime?: number;
    Keys?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    SequenceNumber?: string;
  };
  userIdentity?: { type?: string; principalId?: string } | null;
}

export type ItemKind =
  | { kind: 'user' | 'group'; tenantId: string }
  | { kind: 'member'; tenantId: string; groupId: string; memberId: string }
  | { kind: 'token' }
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'other' };

type Image = Record<string, unknown>;

export function image(raw: Record<string, unknown> | undefined): Image | undefined {
  return raw ? (unmarshall(raw as Record<string, AttributeValue>) as Image) : undefined;
}

/** The item a key belongs to, recognised by the shapes keys.ts builds (and checked against it). */
export function itemKind(pk: string, sk: string): ItemKind {
  let m = /^T#([^#]+)#(USER|GROUP)$/.exec(pk);
  if (m) {
    const tenantId = m[1]!;
    if (m[2] === 'USER' && keys.user(tenantId, sk).pk === pk) return { kind: 'user', tenantId };
    if (m[2] === 'GROUP' && keys.group(tenantId, sk).pk === pk) return { kind: 'group', tenantId };
  }
  m = /^T#([^#]+)#MEMBERS#(.+)$/.exec(pk);
  if (m && keys.member(m[1]!, m[2]!, sk).pk === pk) {
    return { kind: 'member', tenantId: m[1]!, groupId: m[2]!, memberId: sk };
  }
  if (pk.startsWith('TOKEN#') && sk === 'TOKEN') return { kind: 'token' };
  m = /^TENANT#([^#]+)$/.exec(pk);
  if (m && sk === 'TENANT' && keys.tenant(m[1]!).pk === pk) return { kind: 'tenant', tenantId: m[1]! };
  return { kind: 'other' };
}

export function keysOf(record: StreamRecord): { pk: string; sk: string } {
  const k = image(record.dynamodb?.Keys) ?? {};
  if (typeof k.pk !== 'string' || typeof k.sk !== 'string') throw new Error('stream record without pk/sk keys');
  return { pk: k.pk, sk: k.sk };
}

/** A deletion by DynamoDB's TTL sweeper (expired tokens, feed and activity items), not by a request. */
export const isTtlDeletion = (record: StreamRecord): boolean =>
  record.userIdentity?.type === 'Service' && record.userIdentity.principalId === 'dynamodb.amazonaws.com';

/** The key as it may appear in logs and the dead-letter queue: token hashes are not repeated. */
export function safeKey(record: StreamRecord): { pk: string; sk: string } | undefined {
  try {
    const { pk, sk } = keysOf(record);
    return pk.startsWith('TOKEN#') ? { pk: 'TOKEN#…', sk } : { pk, sk };
  } catch {
    return undefined;
  }
}
