// Read-only views of a tenant's directory for admins (the admin API, and the console on top of it):
// users searched by userName or externalId, groups by displayName, one user with its groups, one
// group with its member count and first members. Every read goes through the directory's own use
// cases (Directory.list / Directory.get), so an admin sees what an IdP reads over SCIM, with the
// same limits and the same cost: an exact search is an index lookup, a prefix search is the
// directory's bounded scan, and an empty search walks the tenant in creation order by cursor.
// The exception is a group's first members and member count, read from the store directly so that
// showing a group never reads its whole member list.
import { parseListParams, type ListParams } from '#directory/params.ts';
import type { Directory } from '#directory/service.ts';
import type { Caller } from '#directory/types.ts';
import { InvalidValueError, NotFoundError } from '#scim/errors.ts';
import type { ScimResult } from '#scim/result.ts';
import { countMembers, getResource, keptMemberCount, listMembers, type ResourceType } from '#store/resources.ts';
import { DEFAULT_TENANT, getTenant, TenantNotFound, type StoreContext } from '#store/tenants.ts';
import { tenantIdOf } from './validation.ts';

export const DEFAULT_SEARCH_COUNT = 25;
export const MAX_SEARCH_COUNT = 100;
export const MAX_SEARCH_LENGTH = 256;
/** A group's first members shown with their names. */
export const FIRST_MEMBERS = 20;
/** A user's groups shown with their names; the rest by id only. */
export const NAMED_GROUPS = 50;

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export type SearchMatch = 'exact' | 'prefix';

export interface DirectoryReadsDeps extends StoreContext {
  directory: Directory;
}

interface Search {
  q?: string;
  match: SearchMatch;
  count: number;
  cursor: string;
}

function searchOf(query: Record<string, string>): Search {
  const q = query.q?.trim();
  if (q !== undefined && q.length > MAX_SEARCH_LENGTH)
    throw new InvalidValueError(`q must be at most ${MAX_SEARCH_LENGTH} characters`);
  const match = query.match ?? 'exact';
  if (match !== 'exact' && match !== 'prefix') throw new InvalidValueError('match must be "exact" or "prefix"');
  const count = query.count === undefined ? DEFAULT_SEARCH_COUNT : Number(query.count);
  if (!Number.isInteger(count) || count < 1 || count > MAX_SEARCH_COUNT)
    throw new InvalidValueError(`count must be a whole number from 1 to ${MAX_SEARCH_COUNT}`);
  return { ...(q ? { q } : {}), match, count, cursor: query.cursor ?? '' };
}

/** SCIM string literals are JSON strings, so JSON.stringify quotes any search text safely. */
const literal = (value: string) => JSON.stringify(value);

/** `userName eq "q" or externalId eq "q"`: a union of two index lookups (sw: the bounded scan). */
function searchFilter(type: ResourceType, search: Search & { q: string }): string {
  const op = search.match === 'exact' ? 'eq' : 'sw';
  const name = type === 'User' ? 'userName' : 'displayName';
  return `${name} ${op} ${literal(search.q)} or externalId ${op} ${literal(search.q)}`;
}

/** `id eq "a" or id eq "b" ...`: the query planner answers it with one lookup per id. */
const idsFilter = (ids: string[]) => ids.map((id) => `id eq ${literal(id)}`).join(' or ');

type Resource = Record<string, unknown> & { id: string };
const resourcesOf = (result: ScimResult) => (result.body as { Resources: Resource[] }).Resources;
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

export function directoryReads(deps: DirectoryReadsDeps) {
  const { directory } = deps;

  /** The read, refused with 404 when the tenant does not exist (`default` always does). */
  async function inTenant<T>(tenantId: string, read: (caller: Caller) => Promise<T>, scimBase: string): Promise<T> {
    const id = tenantIdOf(tenantId);
    // The tenant check and the read run in parallel: one round trip.
    const [tenant, result] = await Promise.allSettled([getTenant(deps, id), read({ tenantId: id, scimBase })]);
    if (tenant.status === 'rejected') throw tenant.reason;
    if (!tenant.value && id !== DEFAULT_TENANT) throw new TenantNotFound(id);
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  }

  async function search(
    type: ResourceType,
    caller: Caller,
    query: Record<string, string>,
    attributes: string,
  ): Promise<{ totalResults: number; resources: Resource[]; nextCursor?: string }> {
    const s = searchOf(query);
    const params: ListParams = parseListParams({
      ...(s.q ? { filter: searchFilter(type, { ...s, q: s.q }) } : {}),
      count: s.count,
      cursor: s.cursor,
      attributes,
    });
    const body = (await directory.list(type, caller, params)).body as {
      totalResults: number;
      nextCursor?: string;
      Resources: Resource[];
    };
    return {
      totalResults: body.totalResults,
      resources: body.Resources,
      ...(body.nextCursor ? { nextCursor: body.nextCursor } : {}),
    };
  }

  /** Names for a few ids of one type (users: userName and displayName; groups: displayName). */
  async function names(type: ResourceType, caller: Caller, ids: string[]): Promise<Map<string, Resource>> {
    if (!ids.length) return new Map();
    const attributes = type === 'User' ? 'userName,displayName' : 'displayName';
    const found = resourcesOf(
      await directory.list(type, caller, parseListParams({ filter: idsFilter(ids), count: ids.length, attributes })),
    );
    return new Map(found.map((r) => [r.id, r]));
  }

  /** A group's member count: from its item when kept there, else counted from its member items. */
  async function countOf(tenantId: string, groupId: string): Promise<number> {
    const stored = await getResource(deps.db, tenantId, 'Group', groupId);
    const kept = stored ? keptMemberCount(stored) : undefined;
    if (kept !== undefined) return kept;
    const counts = await countMembers(deps.db, tenantId, groupId);
    return counts.users + counts.groups;
  }

  function checkId(type: ResourceType, tenantId: string, id: string): void {
    if (!ULID.test(id))
      throw new NotFoundError(`tenant "${tenantId}" has no ${type === 'User' ? 'user' : 'group'} ${id.slice(0, 80)}`);
  }

  return {
    /** GET /admin/tenants/{t}/users?q=&match=exact|prefix&count=&cursor= */
    searchUsers(tenantId: string, scimBase: string, query: Record<string, string>): Promise<ScimResult> {
      return inTenant(
        tenantId,
        async (caller) => {
          const page = await search('User', caller, query, 'userName,externalId,displayName,active');
          const users = page.resources.map((r) => ({
            id: r.id,
            userName: text(r.userName) ?? '',
            ...(text(r.externalId) ? { externalId: text(r.externalId) } : {}),
            ...(text(r.displayName) ? { displayName: text(r.displayName) } : {}),
            active: r.active !== false,
          }));
          return {
            status: 200,
            body: {
              totalResults: page.totalResults,
              users,
              ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
            },
          };
        },
        scimBase,
      );
    },

    /** GET /admin/tenants/{t}/groups?q=&match=exact|prefix&count=&cursor= (members are not read) */
    searchGroups(tenantId: string, scimBase: string, query: Record<string, string>): Promise<ScimResult> {
      return inTenant(
        tenantId,
        async (caller) => {
          const page = await search('Group', caller, query, 'displayName,externalId');
          const groups = page.resources.map((r) => ({
            id: r.id,
            displayName: text(r.displayName) ?? '',
            ...(text(r.externalId) ? { externalId: text(r.externalId) } : {}),
          }));
          return {
            status: 200,
            body: {
              totalResults: page.totalResults,
              groups,
              ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
            },
          };
        },
        scimBase,
      );
    },

    /** GET /admin/tenants/{t}/users/{id}: the user as SCIM returns it, and its groups with their names. */
    getUser(tenantId: string, scimBase: string, userId: string): Promise<ScimResult> {
      checkId('User', tenantId, userId);
      return inTenant(
        tenantId,
        async (caller) => {
          const { groups = [], ...user } = (await directory.get('User', caller, userId, {})).body as Resource & {
            groups?: Array<{ value: string }>;
          };
          const ids = groups.map((g) => g.value);
          const named = await names('Group', caller, ids.slice(0, NAMED_GROUPS));
          return {
            status: 200,
            body: {
              user,
              groupCount: ids.length,
              groups: ids.map((id) => {
                const displayName = text(named.get(id)?.displayName);
                return { id, ...(displayName ? { displayName } : {}) };
              }),
            },
          };
        },
        scimBase,
      );
    },

    /**
     * GET /admin/tenants/{t}/groups/{id}: the group without its member list, how many members it
     * has and the first ones with their names. Never reads the whole member list: the group (without
     * members) and the first page of members in parallel; a group with more members than that page
     * takes its count from the group item (kept by membership writes), or for a group item from
     * before that from counting its member items (projected, so still no member list is returned).
     */
    getGroup(tenantId: string, scimBase: string, groupId: string): Promise<ScimResult> {
      checkId('Group', tenantId, groupId);
      return inTenant(
        tenantId,
        async (caller) => {
          const [withoutMembers, page] = await Promise.all([
            directory.get('Group', caller, groupId, { excludedAttributes: 'members' }),
            listMembers(deps.db, caller.tenantId, groupId, FIRST_MEMBERS),
          ]);
          const group = withoutMembers.body as Resource;
          const members = page.members.map((m) => ({ value: m.value, type: m.type }));
          const first = members.slice(0, FIRST_MEMBERS);
          const isGroup = (m: { type?: string }) => m.type === 'Group';
          const [memberCount, users, groups] = await Promise.all([
            page.truncated ? countOf(caller.tenantId, groupId) : members.length,
            names(
              'User',
              caller,
              first.filter((m) => !isGroup(m)).map((m) => m.value),
            ),
            names(
              'Group',
              caller,
              first.filter(isGroup).map((m) => m.value),
            ),
          ]);
          return {
            status: 200,
            body: {
              group,
              memberCount: { exact: true, value: memberCount },
              members: first.map((m) => {
                const type = isGroup(m) ? 'Group' : 'User';
                const found = (type === 'User' ? users : groups).get(m.value);
                return {
                  id: m.value,
                  type,
                  ...(text(found?.userName) ? { userName: text(found?.userName) } : {}),
                  ...(text(found?.displayName) ? { displayName: text(found?.displayName) } : {}),
                };
              }),
            },
          };
        },
        scimBase,
      );
    },
  };
}
