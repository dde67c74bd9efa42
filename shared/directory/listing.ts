// GET /Users, /Groups and the .search endpoints (RFC 7644 §3.4.2, §3.4.3; RFC 9865 cursors).
// Unfiltered listings walk the table in creation order; so does `groups.value eq` alone, over the
// group's member items. Other filters are answered from an index when the query planner finds
// one, otherwise from a bounded scan, then evaluated, sorted and sliced.
import type { FilterNode } from '#scim/ast.ts';
import { registryLookup } from '#scim/attribute-access.ts';
import { TooManyError } from '#scim/errors.ts';
import { compileFilter } from '#scim/filter-eval.ts';
import { project } from '#scim/projection.ts';
import type { ScimResult } from '#scim/result.ts';
import {
  countMembers,
  findByExternalId,
  findGroupsByDisplayName,
  findUserIdByUserName,
  getResource,
  getResources,
  keptMemberCount,
  listMembers,
  listResources,
  loadPageCursor,
  savePageCursor,
  skipMembers,
  skipResources,
  tenantCounts,
  type Member,
  type ResourceType,
  type StoredResource,
} from '#store/resources.ts';
import { allMembers, checksMembersOneByOne, Lookups, wants, withComputed } from './computed.ts';
import { decodeCursor, decodeOffset, encodeCursor, encodeOffset } from './cursor.ts';
import type { ListParams } from './params.ts';
import { checkBudget, withBudget } from '#store/client.ts';
import { isResourceId, keyFits, keys } from '#store/keys.ts';
import { groupEquality, planIndex, referencedMemberValues, references, type IndexPlan } from './query-planner.ts';
import { ENDPOINT, render } from './render.ts';
import { sortResources } from './sorting.ts';
import type { Caller, DirectoryDeps, Projection } from './types.ts';

/** A filter no index can answer evaluates at most this many resources. */
export const MAX_FILTER_SCAN = 10_000;

/** POST /.search reads both types up to startIndex + count - 1; deeper pages are per type. */
export const MAX_SEARCH_WINDOW = 1000;

const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** What a refused request was doing, for the 400 tooMany detail (client.ts BudgetExceeded). */
const budgetTopic = (params: ListParams) =>
  params.filterText
    ? `the filter ${JSON.stringify(params.filterText.length > 120 ? `${params.filterText.slice(0, 120)}…` : params.filterText)}`
    : params.sortBy
      ? `sorting by ${params.sortBy}`
      : 'this listing';

/** Index lookups a plan makes (one per term of a union). */
const lookupsOf = (plan: IndexPlan): number =>
  plan.kind === 'union' ? plan.plans.reduce((n, p) => n + lookupsOf(p), 0) : 1;

/** A value that cannot form a key (an id that is not a ULID, a name over the limit) was never stored. */
function canMatch(tenantId: string, plan: Exclude<IndexPlan, { kind: 'union' }>): boolean {
  switch (plan.kind) {
    case 'id':
    case 'member':
    case 'group':
      return isResourceId(plan.value);
    case 'userName':
      return keyFits(() => keys.userName(tenantId, plan.value));
    case 'externalId':
      return keyFits(() => keys.userExternalId(tenantId, plan.value) && keys.groupExternalId(tenantId, plan.value));
    case 'displayName':
      return keyFits(() => keys.groupDisplayName(tenantId, plan.value));
  }
}

interface Page {
  total: number;
  resources: Record<string, unknown>[];
  nextCursor?: string;
}

export class Listing {
  constructor(private readonly deps: DirectoryDeps) {}

  async list(type: ResourceType, caller: Caller, params: ListParams): Promise<ScimResult> {
    const page = await withBudget(budgetTopic(params), () => this.page(type, caller, params));
    return {
      status: 200,
      body: {
        schemas: [LIST_RESPONSE],
        totalResults: page.total,
        itemsPerPage: page.resources.length,
        startIndex: params.cursor !== undefined ? 1 : params.startIndex,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        Resources: page.resources,
      },
    };
  }

  /** POST /.search (RFC 7644 §3.4.3): Users then Groups, as one list. */
  async searchAll(caller: Caller, params: ListParams): Promise<ScimResult> {
    // Both types are read from their start up to the window's end, so the window is bounded.
    if (params.startIndex - 1 + params.count > MAX_SEARCH_WINDOW) {
      throw new TooManyError(
        `POST /.search pages Users and Groups together up to startIndex + count - 1 = ${MAX_SEARCH_WINDOW}; page deeper with POST /Users/.search and POST /Groups/.search (docs/limits.md)`,
      );
    }
    const window = { ...params, startIndex: 1, count: params.startIndex - 1 + params.count };
    delete window.cursor;
    const [users, groups] = await withBudget(`this search (${budgetTopic(params)})`, () =>
      Promise.all((['User', 'Group'] as const).map((t) => this.page(t, caller, window))),
    );
    const all = [...users!.resources, ...groups!.resources];
    const page = all.slice(params.startIndex - 1, params.startIndex - 1 + params.count);
    return {
      status: 200,
      body: {
        schemas: [LIST_RESPONSE],
        totalResults: users!.total + groups!.total,
        itemsPerPage: page.length,
        startIndex: params.startIndex,
        Resources: page,
      },
    };
  }

  private async page(type: ResourceType, caller: Caller, params: ListParams): Promise<Page> {
    const { db, registry } = this.deps;
    const projection: Projection = {
      ...(params.attributes ? { attributes: params.attributes } : {}),
      ...(params.excludedAttributes ? { excludedAttributes: params.excludedAttributes } : {}),
    };
    let page: StoredResource[];
    let total: number;
    let nextCursor: string | undefined;
    let saved: Promise<void> | undefined;

    const lookups = new Lookups(db, caller.tenantId);
    const wantGroups = type === 'User' && wants(registry, 'User', 'groups', projection);
    const inGroup = type === 'User' && params.filter && !params.sortBy ? groupEquality(params.filter) : undefined;
    const candidates =
      params.filter && inGroup === undefined ? await this.candidates(type, caller, params.filter, lookups) : undefined;
    if (inGroup !== undefined) {
      // A value that is not a group id matches no user, without a read.
      ({ page, total, nextCursor, saved } = isResourceId(inGroup)
        ? await this.groupMembers(caller, inGroup, params)
        : { page: [], total: 0 });
    } else if (params.filter || params.sortBy) {
      // Indexed candidates (or a bounded scan) evaluated in memory, then sorted and sliced.
      const pool = candidates ?? (await this.scan(type, caller));
      const matched = await this.evaluate(type, caller, pool, lookups, params.filter);
      sortResources(registry, type, matched, params.sortBy, params.sortOrder);
      total = matched.length;
      const offset = params.cursor !== undefined ? decodeOffset(params.cursor) : params.startIndex - 1;
      page = matched.slice(offset, offset + params.count);
      if (params.cursor !== undefined && offset + params.count < total)
        nextCursor = encodeOffset(offset + params.count);
    } else {
      ({ page, total, nextCursor, saved } = await this.walk(type, caller, params));
    }

    const [resources] = await Promise.all([
      Promise.all(
        page.map(async (r) =>
          withComputed(this.deps, caller, r, projection, {
            ...(wantGroups ? { groups: await lookups.groupsOf(r) } : {}),
            memberCount: keptMemberCount(r),
          }),
        ),
      ),
      saved,
    ]);
    return {
      total,
      resources: resources.map((r) => project(registry, type, r, projection)),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  /** Unfiltered listing in creation order, O(page) per page when pages are walked in order. */
  private async walk(
    type: ResourceType,
    caller: Caller,
    params: ListParams,
  ): Promise<{ page: StoredResource[]; total: number; nextCursor?: string; saved?: Promise<void> }> {
    const { db } = this.deps;
    const counts = tenantCounts(db, caller.tenantId).then((c) => c[type === 'User' ? 'users' : 'groups']);
    // Awaited below; should a read before that fail first, its failure must not go unhandled.
    counts.catch(() => undefined);
    if (params.count === 0) return { page: [], total: await counts };
    let after: string | undefined;
    if (params.cursor !== undefined) {
      after = params.cursor ? decodeCursor(params.cursor) : undefined;
    } else if (params.startIndex > 1) {
      after =
        (await loadPageCursor(db, caller.tenantId, type, params.startIndex)) ??
        (await skipResources(db, caller.tenantId, type, params.startIndex - 1));
    }
    const [result, total] = await Promise.all([
      listResources(db, caller.tenantId, type, { limit: params.count, ...(after ? { after } : {}) }),
      counts,
    ]);
    if (params.cursor !== undefined) {
      return { page: result.items, total, ...(result.after ? { nextCursor: encodeCursor(result.after) } : {}) };
    }
    // Where the next page starts, so a client walking startIndex pages in order pays O(page).
    const saved = result.after
      ? savePageCursor(
          db,
          caller.tenantId,
          type,
          params.startIndex + result.items.length,
          result.after,
          Math.floor(this.deps.clock().getTime() / 1000),
        )
      : undefined;
    return { page: result.items, total, ...(saved ? { saved } : {}) };
  }

  /**
   * `groups.value eq "<g>"` alone: the group's user members in id (= creation) order, one page
   * read from its member items (Limit = count), the users fetched by key, totalResults from the
   * group's member count. The cost is the page's, whatever the group's size; walking startIndex
   * pages saves each next page's position like the unfiltered walk does (from page 2 on, so the
   * first page stays at 3 requests).
   */
  private async groupMembers(
    caller: Caller,
    groupId: string,
    params: ListParams,
  ): Promise<{ page: StoredResource[]; total: number; nextCursor?: string; saved?: Promise<void> }> {
    const { db } = this.deps;
    const t = caller.tenantId;
    const queryKey = `User.groups.${groupId}`;
    // The group item (its user count) is read while the page's start is found.
    const group = getResource(db, t, 'Group', groupId);
    group.catch(() => undefined); // awaited below; a failure before that must not go unhandled
    let after: string | undefined;
    if (params.cursor !== undefined) {
      after = params.cursor ? decodeCursor(params.cursor) : undefined;
    } else if (params.startIndex > 1) {
      after =
        (await loadPageCursor(db, t, queryKey, params.startIndex)) ??
        (await skipMembers(db, t, groupId, 'User', params.startIndex - 1));
    }
    const [g, slice] = await Promise.all([
      group,
      params.count > 0
        ? listMembers(db, t, groupId, params.count, { type: 'User', ...(after ? { after } : {}) })
        : { members: [], truncated: false },
    ]);
    if (!g) return { page: [], total: 0 };
    const ids = slice.members.map((m) => m.value);
    const last = ids[ids.length - 1];
    const more = slice.truncated && last !== undefined;
    const saved =
      more && params.cursor === undefined && params.startIndex > 1
        ? savePageCursor(
            db,
            t,
            queryKey,
            params.startIndex + ids.length,
            last,
            Math.floor(this.deps.clock().getTime() / 1000),
          )
        : undefined;
    saved?.catch(() => undefined); // awaited by the caller with the rendering
    const [page, total] = await Promise.all([
      getResources(db, t, 'User', ids),
      // A group from before member counts were kept is counted (once per request, until backfilled).
      keptMemberCount(g) !== undefined ? g.memberCounts!.users : countMembers(db, t, groupId).then((c) => c.users),
    ]);
    if (params.cursor !== undefined) return { page, total, ...(more ? { nextCursor: encodeCursor(last) } : {}) };
    return { page, total, ...(saved ? { saved } : {}) };
  }

  /** Resources an indexed equality in the filter narrows the search to, or undefined when none does. */
  private async candidates(
    type: ResourceType,
    caller: Caller,
    filter: FilterNode,
    lookups: Lookups,
  ): Promise<StoredResource[] | undefined> {
    const { db } = this.deps;
    const t = caller.tenantId;
    const plan = planIndex(type, filter);
    if (!plan) return undefined;
    checkBudget(lookupsOf(plan), `${lookupsOf(plan)} index lookups`);
    const memberRefs = type === 'Group' ? referencedMemberValues(filter)?.filter(isResourceId) : undefined;
    // When a few groups will check their member items (see evaluate), the checks start as soon as
    // the ids are known, in parallel with fetching the groups (the Entra membership check is one
    // round trip). The catch only keeps an early failure from being an unhandled rejection meanwhile.
    const fetchIds = (ids: string[]) => {
      if (memberRefs && checksMembersOneByOne(ids.length, memberRefs))
        for (const id of ids) for (const m of memberRefs) lookups.isMember(id, m).catch(() => undefined);
      return getResources(db, t, type, ids);
    };
    // A member count read from an index may lag behind the table: such groups read their members.
    const fromIndex = (list: StoredResource[]) =>
      type === 'Group' ? list.map((r) => ({ ...r, membershipKept: false })) : list;
    const run = async (p: IndexPlan): Promise<StoredResource[]> => {
      if (p.kind !== 'union' && !canMatch(t, p)) return [];
      switch (p.kind) {
        case 'id':
          return fetchIds([p.value]);
        case 'userName': {
          const id = await findUserIdByUserName(db, t, p.value);
          return id ? fetchIds([id]) : [];
        }
        case 'externalId':
          return fromIndex(await findByExternalId(db, t, type, p.value));
        case 'displayName':
          return fromIndex(await findGroupsByDisplayName(db, t, p.value));
        case 'member': {
          // The member's own item says which groups hold it (strongly consistent); every `members eq`
          // term of the filter is looked up at once, and evaluate() reuses the answer.
          const holders = await lookups.groupsHolding(memberRefs ?? [p.value]);
          return fetchIds([...(holders.get(p.value)?.groups ?? [])]);
        }
        case 'group': {
          const { members, truncated } = await listMembers(db, t, p.value, MAX_FILTER_SCAN);
          if (truncated) {
            throw new TooManyError(
              `group ${p.value} has more than ${MAX_FILTER_SCAN} members; read a user's groups with GET /Users/{id}, or check one user with /Groups?filter=id eq "${p.value}" and members[value eq "<user id>"]`,
            );
          }
          return fetchIds(members.filter((m) => m.type === type).map((m) => m.value));
        }
        case 'union': {
          const parts = await Promise.all(p.plans.map(run));
          const seen = new Map<string, StoredResource>();
          for (const r of parts.flat()) seen.set(r.id, r);
          return [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
        }
      }
    };
    return run(plan);
  }

  /** Every resource of the type, bounded: a filter no index answers must not read without limit. */
  private async scan(type: ResourceType, caller: Caller): Promise<StoredResource[]> {
    const out: StoredResource[] = [];
    let after: string | undefined;
    do {
      const page = await listResources(this.deps.db, caller.tenantId, type, {
        limit: 1000,
        ...(after ? { after } : {}),
      });
      out.push(...page.items);
      after = page.after;
      if (out.length > MAX_FILTER_SCAN) {
        throw new TooManyError(
          `this filter needs more than ${MAX_FILTER_SCAN} ${ENDPOINT[type]} to be read; filter on an indexed attribute (id, externalId, ${type === 'User' ? 'userName' : 'displayName, members'}) with eq`,
        );
      }
    } while (after);
    return out;
  }

  private async evaluate(
    type: ResourceType,
    caller: Caller,
    pool: StoredResource[],
    lookups: Lookups,
    filter?: FilterNode,
  ): Promise<StoredResource[]> {
    if (!filter) return pool;
    const { registry } = this.deps;
    // Unqualified extension names (`manager`, `employeeNumber`) resolve as they do in PATCH paths.
    const matches = compileFilter(filter, registryLookup(registry, type));
    // Only ids can be members: other values are absent without a read.
    const memberRefs = type === 'Group' ? referencedMemberValues(filter)?.filter(isResourceId) : undefined;
    const needsGroups = type === 'User' && references(filter, 'groups');
    const readsMembers = type === 'Group' && references(filter, 'members');
    // `members eq <id>` terms only: a few groups check their member items one by one (the Entra
    // membership check `id eq G and members eq U` is one GetItem); more groups ask the members'
    // own items which groups hold them, at the same cost for 10 groups or 10,000. Other member
    // terms read each group's member list: known before any read, refused up front past the budget.
    if (readsMembers && !memberRefs)
      checkBudget(pool.length, `${pool.length} reads (${pool.length} groups' member lists)`);
    const holders =
      readsMembers && memberRefs && (lookups.hasHolding(memberRefs) || !checksMembersOneByOne(pool.length, memberRefs))
        ? await lookups.groupsHolding(memberRefs)
        : undefined;
    const out: StoredResource[] = [];
    await Promise.all(
      pool.map(async (r) => {
        const extras: { groups?: string[]; members?: Member[] } = {};
        if (needsGroups) extras.groups = await lookups.groupsOf(r);
        if (holders) {
          extras.members = [...holders]
            .filter(([, holder]) => holder.groups.has(r.id))
            .map(([value, holder]) => ({ value, type: holder.type }));
        } else if (readsMembers && memberRefs) {
          const present = await Promise.all(memberRefs.map(async (v) => ((await lookups.isMember(r.id, v)) ? v : '')));
          // Only the value is compared (`members eq` terms): the type is not read.
          extras.members = present.filter((v) => v !== '').map((value) => ({ value, type: 'User' as const }));
        } else if (readsMembers) {
          extras.members = await allMembers(this.deps.db, caller.tenantId, r.id, keptMemberCount(r));
        }
        if (matches(render(registry, caller.scimBase, r, extras))) out.push(r);
      }),
    );
    return out.sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}
