// Who is writing. SCIM and admin requests run inside `writingAs(actor, clock)` (shared/api); the
// item builders stamp that actor on what they write (`actor` on user, group, membership, token and
// tenant items, plus `at` on membership items), so the table's stream, and the events built from
// it (shared/events), name the token (IdP connection) or admin behind every change without the
// request path producing anything itself. Outside a request (seeding, store tests) nothing is
// stamped.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import type { Key } from './keys.ts';

/** A SCIM token (by id, never the token) or an admin principal (IAM ARN, `local-admin` locally). */
export interface Actor {
  tokenId?: string;
  admin?: string;
}

interface WriteContext {
  actor: Actor;
  clock: () => Date;
}

const current = new AsyncLocalStorage<WriteContext>();

/** Runs `fn` with every item it writes stamped with `actor`. */
export function writingAs<T>(actor: Actor, clock: () => Date, fn: () => Promise<T>): Promise<T> {
  return current.run({ actor, clock }, fn);
}

/** `{ actor }` for an item written now (nothing outside writingAs). */
export function actorAttributes(): { actor?: Actor } {
  const ctx = current.getStore();
  return ctx && (ctx.actor.tokenId || ctx.actor.admin) ? { actor: { ...ctx.actor } } : {};
}

/** `{ actor, at }` for a membership item: it has no lastModified, and its events need a time. */
export function stampAttributes(): { actor?: Actor; at?: string } {
  const ctx = current.getStore();
  return ctx ? { ...actorAttributes(), at: ctx.clock().toISOString() } : {};
}

const sameActor = (a: Actor | undefined, b: Actor | undefined) =>
  (a?.tokenId ?? '') === (b?.tokenId ?? '') && (a?.admin ?? '') === (b?.admin ?? '');

/**
 * A deletion's stream record carries the item as it was, so it names whoever wrote it last. When
 * that is not the actor deleting it, the actor is stamped first (one UpdateItem, no version
 * change, so no event of its own); usually the same token deletes what it wrote and this costs
 * nothing.  ConditionExpression: attribute_exists(pk) -- never re-creates a deleted item.
 */
export async function stampDeleter(db: Db, key: Key, recorded: Actor | undefined): Promise<void> {
  const { actor } = actorAttributes();
  if (!actor || sameActor(actor, recorded)) return;
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: key,
        UpdateExpression: 'SET #actor = :actor',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#actor': 'actor' },
        ExpressionAttributeValues: { ':actor': actor },
      }),
    );
  } catch (error) {
    // Gone already: the delete that follows reports it.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
