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
  keyOf,
  MAX_GROUPS_PER_MEMBER,
  memberItem,
  MissingMembers,
  NotFound,
  TooManyGroups,
  VersionMismatch,
  type Member,
  type MemberCounts,
  type ResourceType,
} from './resource-items.ts';
import { MAX_TRANSACTION_ITEMS, TransactionFailed, transactWrite, type TransactItem } from './transact.ts';
import { stampAttributes } from './write-actor.ts';

/**
 * add      the member joins `groupId`                 link: Put member item (new)    node: member's grp += group
 * refresh  re-add of a member already there           link: Update its display       node: none
 * remove   the member leaves `groupId`                link: Delete member item       node: member's grp -= group
 * leave    `member` is being deleted: its group       link: Delete member item       node: group's count -= 1
 *          `groupId` loses it
 * detach   `groupId` is being deleted: its member     link: Delete member item       node: member's grp -= group
 *          loses it                                                                   (by the leave's write in a cycle)
 */
export type EditKind = 'add' | 'refresh' | 'remove' | 'leave' | 'detach';

export interface Edit {
  kind: EditKind;
  groupId: string;
  member: Member;
  /** The node write is left out: its item no longer exists. */
  noNode?: boolean;
  /** A remove already retried with the other member type. */
  flipped?: boolean;
}

/** How the members of the group a transaction touches change (adds minus removes, by type). */
export type MemberDelta = MemberCounts;

export const countAttribute = (type: ResourceType) => (type === 'User' ? 'mcu' : 'mcg');

function deltaOf(edits: Edit[]): MemberDelta {
  const d = { users: 0, groups: 0 };
  for (const e of edits) {
    const sign = e.kind === 'add' ? 1 : e.kind === 'remove' ? -1 : 0;
    if (e.member.type === 'User') d.users += sign;
    else d.groups += sign;
  }
  return d;
}

/** `ADD v :one, mcu :du, mcg :dg` for a group whose members changed by `delta`. */
export function groupChange(delta: MemberDelta): { add: string; values: Record<string, number> } {
  const parts = ['v :one'];
  const values: Record<string, number> = { ':one': 1 };
  if (delta.users) {
    parts.push('mcu :du');
    values[':du'] = delta.users;
  }
  if (delta.groups) {
    parts.push('mcg :dg');
    values[':dg'] = delta.groups;
  }
  return { add: parts.join(', '), values };
}

interface Context {
  db: Db;
  tenantId: string;
  now: string;
}

/** The member's own item: its `grp` set and version move with the membership. */
function memberNode(c: Context, e: Edit, join: boolean): TransactItem {
  return {
    Update: {
      TableName: c.db.tableName,
      Key: keyOf(c.tenantId, e.member.type, e.member.value),
      UpdateExpression: join
        ? 'SET lastModified = :now ADD grp :g, v :one'
        : 'SET lastModified = :now ADD v :one DELETE grp :g',
      // Never creates an item; a member keeps at most MAX_GROUPS_PER_MEMBER group ids.
      ConditionExpression: join
        ? 'attribute_exists(pk) AND (attribute_not_exists(grp) OR size(grp) < :max)'
        : 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':now': c.now,
        ':g': new Set([e.groupId]),
        ':one': 1,
        ...(join ? { ':max': MAX_GROUPS_PER_MEMBER } : {}),
      },
    },
  };
}

/**
 * Deleting a group G in a cycle (H is in G's members and G in H's) writes H's item twice: G's
 * leave (H's member count) and G's detach (H's groups). DynamoDB refuses one item twice in a
 * transaction, so the leave's write also takes G out of H's groups and the detach writes only its
 * link. The returned edits are those paired leaves and detaches; worked out on every attempt, so
 * when a retry drops the leave, the detach writes H's item itself again.
 */
function cyclePairs(edits: Edit[]): Set<Edit> {
  const pairKey = (group: string, member: string) => `${group}\u0000${member}`;
  const leaves = new Map<string, Edit>();
  for (const e of edits)
    if (e.kind === 'leave' && !e.noNode && e.member.type === 'Group') leaves.set(pairKey(e.member.value, e.groupId), e);
  const paired = new Set<Edit>();
  for (const e of edits) {
    const leave = e.kind === 'detach' && !e.noNode ? leaves.get(pairKey(e.groupId, e.member.value)) : undefined;
    if (leave) paired.add(leave).add(e);
  }
  return paired;
}

/** The member item's display (and who wrote it) changes; the item must still be there. */
function refreshLink(c: Context, e: Edit): TransactItem {
  const set = { display: e.member.display, ...stampAttributes() };
  const names = Object.keys(set);
  return {
    Update: {
      TableName: c.db.tableName,
      Key: keys.member(c.tenantId, e.groupId, e.member.value),
      UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
      // Never re-creates a member item a remove deleted meanwhile: that would skip the count and
      // the member's groups. A failed refresh is retried as an add.
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
      ExpressionAttributeValues: Object.fromEntries(Object.entries(set).map(([n, v]) => [`:${n}`, v])),
    },
  };
}

/** `paired`: a leave or detach of a cycle whose two writes of one group item are one (see cyclePairs). */
function itemsOf(c: Context, e: Edit, paired: boolean): { link: TransactItem; node?: TransactItem } {
  const { db, tenantId } = c;
  const memberKey = keys.member(tenantId, e.groupId, e.member.value);
  switch (e.kind) {
    case 'add':
      return {
        // The member item must be new: that is what makes the count exact.
        link: {
          Put: {
            TableName: db.tableName,
            Item: memberItem(tenantId, e.groupId, e.member),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        node: memberNode(c, e, true),
      };
    case 'refresh':
      return { link: refreshLink(c, e) };
    case 'remove':
      return {
        // The member item must exist with this type: a non-member is not counted down.
        link: {
          Delete: {
            TableName: db.tableName,
            Key: memberKey,
            ConditionExpression: 'attribute_exists(pk) AND mt = :mt',
            ExpressionAttributeValues: { ':mt': e.member.type },
          },
        },
        ...(e.noNode ? {} : { node: memberNode(c, e, false) }),
      };
    case 'leave': {
      const change = groupChange({
        users: e.member.type === 'User' ? -1 : 0,
        groups: e.member.type === 'Group' ? -1 : 0,
      });
      return {
        link: {
          Delete: { TableName: db.tableName, Key: memberKey, ConditionExpression: 'attribute_exists(pk)' },
        },
        ...(e.noNode
          ? {}
          : {
              node: {
                Update: {
                  TableName: db.tableName,
                  Key: keys.group(tenantId, e.groupId),
                  // `REMOVE lw`: a version this request's writer did not make (see groupVersion).
                  UpdateExpression: `SET lastModified = :now ADD ${change.add} REMOVE lw${paired ? ' DELETE grp :g' : ''}`,
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: {
                    ':now': c.now,
                    ...change.values,
                    ...(paired ? { ':g': new Set([e.member.value]) } : {}),
                  },
                },
              },
            }),
      };
    }
    case 'detach':
      return {
        link: { Delete: { TableName: db.tableName, Key: memberKey } },
        ...(e.noNode || paired ? {} : { node: memberNode(c, e, false) }),
      };
  }
}

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
