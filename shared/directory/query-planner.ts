// The query planner: which key lookups answer a filter. An equality on an indexed attribute
// (id, externalId, userName, displayName, members, groups) becomes a lookup; `and` keeps the
// cheaper side, `or` of two indexed terms becomes a union; anything else returns undefined and the
// caller falls back to a bounded scan. Pure: no I/O, so it is tested as data.
import type { FilterNode } from '#scim/ast.ts';
import type { ResourceType } from '#store/resources.ts';

export type IndexPlan =
  | { kind: 'id' | 'userName' | 'externalId' | 'displayName' | 'member' | 'group'; value: string }
  | { kind: 'union'; plans: IndexPlan[] };

const name = (s: string | undefined) => (s ?? '').toLowerCase();
const isCore = (uri: string | undefined) => !uri || /^urn:ietf:params:scim:schemas:core:2\.0:(user|group)$/i.test(uri);

function equality(node: FilterNode): { attr: string; sub: string; value: string } | undefined {
  if (node.kind === 'compare' && node.op === 'eq' && typeof node.value === 'string' && isCore(node.path.uri)) {
    return { attr: name(node.path.attribute), sub: name(node.path.subAttribute), value: node.value };
  }
  if (node.kind === 'valuePath' && isCore(node.path.uri)) {
    const inner = equality(node.filter);
    if (inner && !inner.sub) return { attr: name(node.path.attribute), sub: inner.attr, value: inner.value };
    if (node.filter.kind === 'and') {
      // `groups[type eq "direct" and value eq "g1"]`: the `value` term is the one an index answers.
      const left = equality({ kind: 'valuePath', path: node.path, filter: node.filter.left });
      const right = equality({ kind: 'valuePath', path: node.path, filter: node.filter.right });
      return right?.sub === 'value' && left?.sub !== 'value' ? right : (left ?? right);
    }
  }
  return undefined;
}

export function planIndex(type: ResourceType, node: FilterNode): IndexPlan | undefined {
  if (node.kind === 'and') {
    const left = planIndex(type, node.left);
    const right = planIndex(type, node.right);
    // An id lookup is the cheapest; otherwise either side narrows the search.
    if (right?.kind === 'id') return right;
    return left ?? right;
  }
  if (node.kind === 'or') {
    const left = planIndex(type, node.left);
    const right = planIndex(type, node.right);
    return left && right ? { kind: 'union', plans: [left, right] } : undefined;
  }
  const eq = equality(node);
  if (!eq) return undefined;
  if (eq.attr === 'id' && !eq.sub) return { kind: 'id', value: eq.value };
  if (eq.attr === 'externalid' && !eq.sub) return { kind: 'externalId', value: eq.value };
  if (type === 'User' && eq.attr === 'username' && !eq.sub) return { kind: 'userName', value: eq.value };
  if (type === 'User' && eq.attr === 'groups' && (!eq.sub || eq.sub === 'value'))
    return { kind: 'group', value: eq.value };
  if (type === 'Group' && eq.attr === 'displayname' && !eq.sub) return { kind: 'displayName', value: eq.value };
  if (type === 'Group' && eq.attr === 'members' && (!eq.sub || eq.sub === 'value'))
    return { kind: 'member', value: eq.value };
  return undefined;
}

/**
 * The group id when the whole filter is one equality on a user's groups (`groups eq "g"`,
 * `groups.value eq "g"`, `groups[value eq "g"]`): then the result is exactly the group's user
 * members, which can be paged straight from its member items.
 */
export function groupEquality(node: FilterNode): string | undefined {
  if (node.kind !== 'compare' && !(node.kind === 'valuePath' && node.filter.kind === 'compare')) return undefined;
  const eq = equality(node);
  return eq && eq.attr === 'groups' && (!eq.sub || eq.sub === 'value') ? eq.value : undefined;
}

export function references(node: FilterNode, attribute: string): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return references(node.left, attribute) || references(node.right, attribute);
    case 'not':
      return references(node.filter, attribute);
    default:
      return name(node.path.attribute) === attribute;
  }
}

/** The member ids a group filter compares with `eq`, when that is all it says about members. */
export function referencedMemberValues(node: FilterNode): string[] | undefined {
  const values: string[] = [];
  const walk = (n: FilterNode): boolean => {
    switch (n.kind) {
      case 'and':
      case 'or':
        return walk(n.left) && walk(n.right);
      case 'not':
        return walk(n.filter);
      default: {
        if (name(n.path.attribute) !== 'members') return true;
        const eq = equality(n);
        if (!eq || (eq.sub && eq.sub !== 'value') || (n.kind === 'valuePath' && n.filter.kind !== 'compare'))
          return false;
        values.push(eq.value);
        return true;
      }
    }
  };
  return walk(node) ? values : undefined;
}
