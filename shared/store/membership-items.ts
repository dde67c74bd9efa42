// The items of one membership edit (the file comment of membership-writes.ts says how they pair):
// the member item (link) and the other side's item (node), with the conditions that keep the
// counts exact, and the merge a group cycle's deletion needs.
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import {
  keyOf,
  MAX_GROUPS_PER_MEMBER,
  memberItem,
  type Member,
  type MemberCounts,
  type ResourceType,
} from './resource-items.ts';
import type { TransactItem } from './transact.ts';
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

export function deltaOf(edits: Edit[]): MemberDelta {
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

export interface Context {
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
export function cyclePairs(edits: Edit[]): Set<Edit> {
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
export function itemsOf(c: Context, e: Edit, paired: boolean): { link: TransactItem; node?: TransactItem } {
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
