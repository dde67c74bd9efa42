// Member change sets for the PATCH engine. With `membersAsChanges` (groups, whose members the store
// keeps as separate items) `members` is never read or written in the resource: each operation on
// it becomes a change, netted against the earlier ones of the same request, in request order.
// `replace` = remove all + add. `members[value eq "x"]` (also or-chains of them) selects members;
// other member filters need the member list, which this engine does not have, so they are an
// invalidFilter error.

import type { FilterNode } from '#scim/ast.ts';
import type { Json } from '#scim/attribute-values.ts';
import { InvalidFilterError, MutabilityError } from '#scim/errors.ts';
import type { Op } from '#scim/patch-target.ts';
import { normaliseValue } from '#scim/patch-values.ts';
import { type MemberInput, toMembers } from '#scim/resource.ts';
import type { AttributeDef } from '#scim/schema/types.ts';

export type Member = MemberInput;

/**
 * Net member changes of a request, to apply in this order: if `removeAll`, remove every current
 * member, else remove `remove`; then add `add`. `add` and `remove` never share an id.
 */
export interface MemberChanges {
  add: Member[];
  remove: string[];
  removeAll: boolean;
}

export class MemberChangeSet {
  private readonly add = new Map<string, Member>();
  private readonly remove = new Set<string>();
  private removeAll = false;

  addMember(m: Member): void {
    this.remove.delete(m.value);
    if (!this.add.has(m.value)) this.add.set(m.value, m);
  }

  removeMember(id: string): void {
    this.add.delete(id);
    if (!this.removeAll) this.remove.add(id);
  }

  clear(): void {
    this.add.clear();
    this.remove.clear();
    this.removeAll = true;
  }

  result(): MemberChanges {
    return { add: [...this.add.values()], remove: [...this.remove], removeAll: this.removeAll };
  }
}

/**
 * Adds one operation on group `members` to `changes`. `def` is the definition of `members`;
 * `subDef` the sub-attribute the path names, if any; unknown sub-attributes go to `ignored`.
 */
export function applyMembersOperation(
  changes: MemberChangeSet,
  op: Op,
  def: AttributeDef,
  filter: FilterNode | undefined,
  subDef: AttributeDef | undefined,
  value: unknown,
  hasValue: boolean,
  ignored: string[],
): void {
  if (subDef) {
    throw new MutabilityError(`"members.${subDef.name}" is immutable; remove the member and add it again instead`);
  }
  if (filter) {
    const ids = memberIds(filter);
    if (!ids) {
      throw new InvalidFilterError(
        'On group members only filters of the form members[value eq "<id>"] (joined with "or") are supported',
      );
    }
    // add/replace on `members[value eq "x"]`: make sure x is a member (the value adds nothing
    // a membership keeps: its other sub-attributes are immutable).
    for (const id of ids) {
      if (op === 'remove') changes.removeMember(id);
      else changes.addMember({ value: id });
    }
    return;
  }
  if (op === 'remove') {
    if (hasValue && value !== null) for (const m of membersOf(def, value, ignored)) changes.removeMember(m.value);
    else changes.clear();
    return;
  }
  if (op === 'replace') changes.clear();
  for (const m of membersOf(def, value, ignored)) changes.addMember(m);
}

/** The members a value names: normalised like any `members` value, then validated (resource.ts). */
function membersOf(def: AttributeDef, value: unknown, ignored: string[]): Member[] {
  return toMembers(normaliseValue(def, value, 'members', ignored) as Json | undefined, '"');
}

/** `value eq "a"` / `value eq "a" or value eq "b"` → ['a', 'b']; anything else → undefined. */
export function memberIds(filter: FilterNode): string[] | undefined {
  const ids: string[] = [];
  return collectIds(filter, ids) ? ids : undefined;
}

function collectIds(node: FilterNode, ids: string[]): boolean {
  if (node.kind === 'or') return collectIds(node.left, ids) && collectIds(node.right, ids);
  if (
    node.kind !== 'compare' ||
    node.op !== 'eq' ||
    node.path.uri !== undefined ||
    node.path.subAttribute !== undefined ||
    node.path.attribute.toLowerCase() !== 'value'
  ) {
    return false;
  }
  if (typeof node.value !== 'string' && typeof node.value !== 'number') return false;
  ids.push(String(node.value));
  return true;
}
