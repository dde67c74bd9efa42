// Membership writes: every change of who is in a group is one pair of item writes in one
// transaction, so the two directions can never disagree:
//
//   link   the member item  T#t#MEMBERS#<group> / <member>   (the group's side, and the gsi2 index)
//   node   the other item:  for add/remove/detach the member's item (its `grp` set and version),
//                           for leave the group's item (its member count and version)
//
// plus, per transaction, one write of the group item that moves its version and member counts.
// Conditions make the counts exact without reading first: an add's member item must be new, a
// remove's must exist. A failed condition comes back with the item as it was (ALL_OLD), which
// says what to do: an add of a member already there is dropped (or only refreshes its display;
// a refresh that finds the member item gone is an add again), a remove of a non-member is
// dropped, a remove whose member has the other type is retried with that type, a member whose
// item is gone is reported missing. Then the transaction is retried with what is left, so a
// request costs one transaction unless it named something that was already so.
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import {
  cyclePairs,
  deltaOf,
  groupChange,
  itemsOf,
  type Context,
  type Edit,
  type MemberDelta,
} from './membership-items.ts';
import { MissingMembers, NotFound, TooManyGroups, VersionMismatch, type Member } from './resource-items.ts';
import { MAX_TRANSACTION_ITEMS, TransactionFailed, transactWrite, type TransactItem } from './transact.ts';

/** Items one edit writes at most (link + node). */
const EDIT_ITEMS = 2;

export interface Commit {
  /** Items written before the edits, built from the edits' net effect on the group's members. */
  head?(delta: MemberDelta): TransactItem[];
  /** Throws the caller's error when a head item's condition failed. */
  headFailed?(error: TransactionFailed): void;
  /** Members that do not exist: thrown as MissingMembers at once (else dropped and returned). */
  throwMissing: boolean;
}

/**
 * Writes the head items and the edits in one transaction; on a failed condition applies what the
 * old items say (see the file comment) and tries again. Returns the members found missing when
 * `throwMissing` is off.
 */
export async function commitEdits(
  db: Db,
  tenantId: string,
  now: string,
  commit: Commit,
  initial: Edit[],
): Promise<Member[]> {
  const c: Context = { db, tenantId, now };
  let edits = initial;
  const missing: Member[] = [];
  for (let attempt = 0; ; attempt += 1) {
    const head = commit.head?.(deltaOf(edits)) ?? [];
    const paired = cyclePairs(edits);
    const built = edits.map((e) => itemsOf(c, e, paired.has(e)));
    const items: TransactItem[] = [...head];
    const at = built.map((b) => {
      const link = items.push(b.link) - 1;
      const node = b.node ? items.push(b.node) - 1 : -1;
      return { link, node };
    });
    if (!items.length) return missing;
    try {
      await transactWrite(db, items);
      return missing;
    } catch (error) {
      if (!(error instanceof TransactionFailed)) throw error;
      commit.headFailed?.(error);
      const next: Edit[] = [];
      const lost: Member[] = [];
      const full: string[] = [];
      let fixed = false;
      edits.forEach((e, i) => {
        const { link, node } = at[i]!;
        if (error.failed(link)) {
          fixed = true;
          const old = error.reasons.find((r) => r.index === link)?.item;
          if (e.kind === 'add') {
            // Already a member: only a new display is written (the type stays the stored one).
            const oldDisplay = (old?.display as { S?: string } | undefined)?.S;
            const oldType = (old?.mt as { S?: string } | undefined)?.S === 'Group' ? 'Group' : 'User';
            if (e.member.display && e.member.display !== oldDisplay)
              next.push({ ...e, kind: 'refresh', member: { ...e.member, type: oldType } });
          } else if (e.kind === 'refresh') {
            // Removed since the add found it: added again, with its count and the member's groups.
            next.push({ ...e, kind: 'add' });
          } else if (e.kind === 'remove' && old && !e.flipped) {
            // A member of the other type: retried as that type.
            next.push({
              ...e,
              flipped: true,
              member: { ...e.member, type: e.member.type === 'User' ? 'Group' : 'User' },
            });
          }
          // Otherwise (not a member, or a leave of a group it was no longer in): nothing to do.
          return;
        }
        if (node >= 0 && error.failed(node)) {
          fixed = true;
          if (e.kind === 'add') {
            if (error.reasons.find((r) => r.index === node)?.item) full.push(e.member.value);
            else lost.push(e.member);
            return;
          }
          // The node's item is gone (a deleted member or group): the link is still cleaned up.
          next.push({ ...e, noNode: true });
          return;
        }
        next.push(e);
      });
      if (!fixed || attempt >= 8) throw error;
      if (full.length) throw new TooManyGroups(full);
      if (lost.length && commit.throwMissing) throw new MissingMembers(lost.map((m) => m.value));
      missing.push(...lost);
      edits = next;
    }
  }
}

/** Splits edits so each transaction, with `headItems` items of its own, stays within DynamoDB's limit. */
export function chunkEdits(edits: Edit[], headItems: (index: number) => number): Edit[][] {
  const chunks: Edit[][] = [];
  let rest = edits;
  while (rest.length || chunks.length === 0) {
    const room = Math.floor((MAX_TRANSACTION_ITEMS - headItems(chunks.length)) / EDIT_ITEMS);
    chunks.push(rest.slice(0, room));
    rest = rest.slice(room);
  }
  return chunks;
}

/** Parallel transactions in flight for the chunks after the first. */
const CHUNK_CONCURRENCY = 16;

export async function inParallel<T, R>(list: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      out[i] = await fn(list[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHUNK_CONCURRENCY, list.length) }, worker));
  return out;
}

/** The group item's write in each membership transaction: version, member counts, last writer. */
function touchGroup(
  db: Db,
  tenantId: string,
  groupId: string,
  now: string,
  writer: string,
  delta: MemberDelta,
  ifVersion?: number,
): TransactItem {
  const change = groupChange(delta);
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.group(tenantId, groupId),
      UpdateExpression: `SET lastModified = :now, lw = :writer ADD ${change.add}`,
      // The group must still exist (no member item without its group) and, with If-Match, be unchanged.
      ConditionExpression: ifVersion === undefined ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND v = :v',
      ExpressionAttributeValues: {
        ':now': now,
        ':writer': writer,
        ...change.values,
        ...(ifVersion === undefined ? {} : { ':v': ifVersion }),
      },
    },
  };
}

/** Edits for adding and removing members: ids in both lists end up members (remove, then add). */
export function memberEdits(groupId: string, changes: { add: Member[]; remove: Array<string | Member> }): Edit[] {
  const adds = new Map<string, Member>();
  for (const m of changes.add) if (!adds.has(m.value)) adds.set(m.value, m);
  const removes = new Map<string, Member>();
  for (const r of changes.remove) {
    const m: Member = typeof r === 'string' ? { value: r, type: 'User' } : { value: r.value, type: r.type };
    if (!adds.has(m.value) && !removes.has(m.value)) removes.set(m.value, m);
  }
  return [
    ...[...adds.values()].map((member): Edit => ({ kind: 'add', groupId, member })),
    ...[...removes.values()].map((member): Edit => ({ kind: 'remove', groupId, member })),
  ];
}

/**
 * Adds and removes members with item-level writes (never reading or rewriting the member list).
 * Each transaction also moves the group's version and member counts; adding a member twice or
 * removing a non-member changes nothing else. Chunked when it exceeds one transaction: the first
 * chunk decides (If-Match, the group exists, the members exist), the rest run in parallel.
 *
 * Returns the group's version after the change when it is known: from If-Match when one
 * transaction did it, else (with `wantVersion`) from one read of the group that checks the last
 * writer was this request; undefined when another write came in between.
 */
export async function changeMembers(
  db: Db,
  tenantId: string,
  groupId: string,
  changes: { add: Member[]; remove: Array<string | Member> },
  now: string,
  options: { ifVersion?: number; wantVersion?: boolean } = {},
): Promise<number | undefined> {
  const writer = randomUUID();
  const chunks = chunkEdits(memberEdits(groupId, changes), () => 1);
  const run = (edits: Edit[], first: boolean) =>
    commitEdits(
      db,
      tenantId,
      now,
      {
        head: (delta) => [touchGroup(db, tenantId, groupId, now, writer, delta, first ? options.ifVersion : undefined)],
        headFailed: (error) => {
          if (!error.failed(0)) return;
          const exists = error.reasons.find((r) => r.index === 0)?.item !== undefined;
          throw exists ? new VersionMismatch() : new NotFound('Group', groupId);
        },
        throwMissing: first,
      },
      edits,
    );
  await run(chunks[0]!, true);
  const missing = (await inParallel(chunks.slice(1), (edits) => run(edits, false))).flat();
  if (missing.length) throw new MissingMembers(missing.map((m) => m.value));
  if (chunks.length === 1 && options.ifVersion !== undefined) return options.ifVersion + 1;
  return options.wantVersion ? groupVersion(db, tenantId, groupId, writer) : undefined;
}

/**
 * The group's version if `writer` made the last change of it, else undefined. A transaction
 * cannot return values, so the version a membership change produced is read back: every write
 * that moves a group's version either sets `lw` to its own id or removes it.
 */
async function groupVersion(db: Db, tenantId: string, groupId: string, writer: string): Promise<number | undefined> {
  const { Item } = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: keys.group(tenantId, groupId),
      ProjectionExpression: 'v, lw',
      ConsistentRead: true,
    }),
  );
  return Item?.lw === writer ? (Item.v as number) : undefined;
}
