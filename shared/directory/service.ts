// The directory's use cases: what a SCIM request means for the store. Handlers call one function
// each; everything here is independent of API Gateway.
import { randomBytes, scryptSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { FilterNode } from '#scim/ast.ts';
import {
  InvalidValueError, NotFoundError, PreconditionFailedError, TooManyError, UniquenessError,
} from '#scim/errors.ts';
import { registryLookup } from '#scim/attribute-access.ts';
import { compileFilter } from '#scim/filter-eval.ts';
import { applyPatch } from '#scim/patch.ts';
import { project } from '#scim/projection.ts';
import { normaliseResource } from '#scim/resource.ts';
import type { SchemaRegistry } from '#scim/schema/registry.ts';
import type { Db } from '#store/client.ts';
import {
  changeMembers, createResource, deleteResource, findByExternalId, findGroupsByDisplayName,
  findUserIdByUserName, getResource, getResources, groupIdsOf, isMember, listMembers, listResources,
  loadPageCursor, MissingMembers, NotFound, replaceResource, savePageCursor, skipResources, tenantCounts,
  UserNameTaken, VersionMismatch, type Member, type ResourceType, type StoredResource,
} from '#store/resources.ts';
import type { ListParams } from './params.ts';
import { ENDPOINT, etagOf, parseEntityTags, render } from './render.ts';

/** A full GET of a group returns at most this many members; bigger groups must be read by filter. */
export const MAX_MEMBERS_RETURNED = 20_000;
/** A filter no index can answer evaluates at most this many resources. */
export const MAX_FILTER_SCAN = 10_000;

export interface DirectoryDeps {
  db: Db;
  registry: SchemaRegistry;
  clock: () => Date;
}

export interface Caller {
  tenantId: string;
  /** `https://host/stage/scim/v2` */
  scimBase: string;
}

export interface Projection {
  attributes?: string;
  excludedAttributes?: string;
}

export interface Result {
  status: number;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Ids are ULIDs, monotonic within a container, so creation order is listing order. */
const ulid = monotonicFactory();

const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}

function notFound(type: ResourceType, id: string): NotFoundError {
  return new NotFoundError(`${type} ${id} not found`);
}

function ifMatchVersion(ifMatch: string | undefined, current?: StoredResource): number | undefined {
  const tags = parseEntityTags(ifMatch);
  if (tags === undefined || tags === 'any') return undefined;
  if (current && !tags.includes(current.version)) {
    throw new PreconditionFailedError(`resource changed: If-Match ${ifMatch} does not match the current version ${etagOf(current.version)}`);
  }
  return tags[0];
}

/** Which computed attributes a projection needs, so we only pay for what is returned. */
function wants(registry: SchemaRegistry, type: ResourceType, attribute: 'groups' | 'members', projection: Projection): boolean {
  const probe = project(registry, type, { schemas: [], id: 'x', [attribute]: [{ value: 'x' }] }, projection);
  return probe[attribute] !== undefined;
}

function mapStoreError(error: unknown, type: ResourceType, id?: string): never {
  if (error instanceof UserNameTaken) {
    throw new UniquenessError(`userName "${error.userName}" is already taken in this directory (userName is unique, case-insensitively)`);
  }
  if (error instanceof VersionMismatch) throw new PreconditionFailedError('resource changed since the version named in If-Match');
  if (error instanceof NotFound) throw notFound(type, id ?? '');
  if (error instanceof MissingMembers) {
    throw new InvalidValueError(`members must reference existing users or groups; not found: ${error.ids.join(', ')}`);
  }
  throw error;
}

/**
 * Request-scoped memo of the per-resource lookups a query needs, so they can be started as soon
 * as an id is known (in parallel with fetching the resource) and never run twice.
 */
class Lookups {
  private readonly groups = new Map<string, Promise<string[]>>();
  private readonly memberships = new Map<string, Promise<boolean>>();
  constructor(private readonly db: Db, private readonly tenantId: string) {}
  groupsOf(id: string): Promise<string[]> {
    let p = this.groups.get(id);
    if (!p) this.groups.set(id, (p = groupIdsOf(this.db, this.tenantId, id)));
    return p;
  }
  isMember(groupId: string, memberId: string): Promise<boolean> {
    const key = `${groupId}/${memberId}`;
    let p = this.memberships.get(key);
    if (!p) this.memberships.set(key, (p = isMember(this.db, this.tenantId, groupId, memberId)));
    return p;
  }
}

export class Directory {
  constructor(private readonly deps: DirectoryDeps) {}

  private now(): string {
    return this.deps.clock().toISOString();
  }

  /**
   * A user's groups cannot change through a write to the user, so they are read in parallel with
   * the user itself rather than after the write: one round trip fewer.
   */
  private userGroups(caller: Caller, type: ResourceType, id: string, projection: Projection): Promise<string[] | undefined> {
    if (type !== 'User' || !wants(this.deps.registry, 'User', 'groups', projection)) return Promise.resolve(undefined);
    return groupIdsOf(this.deps.db, caller.tenantId, id);
  }

  private async withComputed(caller: Caller, r: StoredResource, projection: Projection, groups?: string[]): Promise<Record<string, unknown>> {
    const { db, registry } = this.deps;
    const extras: { groups?: string[]; members?: Member[] } = {};
    if (groups) extras.groups = groups;
    else if (r.resourceType === 'User' && wants(registry, 'User', 'groups', projection)) {
      extras.groups = await groupIdsOf(db, caller.tenantId, r.id);
    }
    if (r.resourceType === 'Group' && wants(registry, 'Group', 'members', projection)) {
      extras.members = await this.allMembers(caller, r.id);
    }
    return render(registry, caller.scimBase, r, extras);
  }

  private async allMembers(caller: Caller, groupId: string): Promise<Member[]> {
    const { members, truncated } = await listMembers(this.deps.db, caller.tenantId, groupId, MAX_MEMBERS_RETURNED);
    if (truncated) {
      throw new TooManyError(
        `group ${groupId} has more than ${MAX_MEMBERS_RETURNED} members; read it with excludedAttributes=members and check membership with filter=members[value eq "<id>"]`,
      );
    }
    return members;
  }

  private respond(type: ResourceType, caller: Caller, r: StoredResource, resource: Record<string, unknown>, projection: Projection, status: number): Result {
    const headers: Record<string, string> = { ETag: etagOf(r.version) };
    if (status === 201) headers.Location = `${caller.scimBase}/${ENDPOINT[type]}/${r.id}`;
    return { status, headers, body: project(this.deps.registry, type, resource, projection) };
  }

  /** Member `type` defaults to User; ids that turn out to be groups are retried as groups. */
  private async withMemberTypes<T>(caller: Caller, members: Member[], write: (members: Member[]) => Promise<T>): Promise<T> {
    try {
      return await write(members);
    } catch (error) {
      if (!(error instanceof MissingMembers)) throw error;
      const flip = (t: ResourceType): ResourceType => (t === 'User' ? 'Group' : 'User');
      const missing = members.filter((m) => error.ids.includes(m.value));
      const found = new Set<string>();
      for (const type of ['User', 'Group'] as const) {
        const ids = missing.filter((m) => flip(m.type) === type).map((m) => m.value);
        for (const r of await getResources(this.deps.db, caller.tenantId, type, ids)) found.add(r.id);
      }
      if (!found.size) throw error;
      return write(members.map((m) => (found.has(m.value) && error.ids.includes(m.value) ? { ...m, type: flip(m.type) } : m)));
    }
  }

  async create(type: ResourceType, caller: Caller, body: unknown, projection: Projection): Promise<Result> {
    const { registry, db } = this.deps;
    const input = normaliseResource(registry, type, body, 'create');
    const now = this.now();
    const r: StoredResource = {
      id: ulid(this.deps.clock().getTime()),
      resourceType: type,
      version: 1,
      created: now,
      lastModified: now,
      doc: input.doc,
      ...(input.password ? { passwordHash: hashPassword(input.password) } : {}),
    };
    const members = (input.members ?? []).map(toMember);
    try {
      await this.withMemberTypes(caller, members, (m) => createResource(db, caller.tenantId, r, m));
    } catch (error) {
      if (error instanceof UserNameTaken) {
        const existingId = await findUserIdByUserName(db, caller.tenantId, error.userName);
        throw new UniquenessError(
          `userName "${error.userName}" is already taken by user ${existingId ?? '(unknown)'}; update that user (PUT/PATCH, e.g. active=true to reactivate) instead of creating a new one`,
        );
      }
      mapStoreError(error, type);
    }
    const resource = render(registry, caller.scimBase, r, type === 'User' ? { groups: [] } : { members: await this.membersAfterCreate(caller, r.id, members) });
    return this.respond(type, caller, r, resource, projection, 201);
  }

  private async membersAfterCreate(caller: Caller, id: string, members: Member[]): Promise<Member[]> {
    return members.length ? (await listMembers(this.deps.db, caller.tenantId, id, MAX_MEMBERS_RETURNED)).members : [];
  }

  async get(type: ResourceType, caller: Caller, id: string, projection: Projection, ifNoneMatch?: string): Promise<Result> {
    const { db, registry } = this.deps;
    // The resource and its computed attribute are read in parallel: one round trip.
    const needGroups = type === 'User' && wants(registry, 'User', 'groups', projection);
    const needMembers = type === 'Group' && wants(registry, 'Group', 'members', projection);
    const [r, groups, members] = await Promise.all([
      getResource(db, caller.tenantId, type, id),
      needGroups ? groupIdsOf(db, caller.tenantId, id) : undefined,
      needMembers ? listMembers(db, caller.tenantId, id, MAX_MEMBERS_RETURNED) : undefined,
    ]);
    if (!r) throw notFound(type, id);
    const tags = parseEntityTags(ifNoneMatch);
    if (tags === 'any' || (tags && tags.includes(r.version))) return { status: 304, headers: { ETag: etagOf(r.version) } };
    if (members?.truncated) await this.allMembers(caller, id);
    const resource = render(registry, caller.scimBase, r, {
      ...(groups ? { groups } : {}),
      ...(members ? { members: members.members } : {}),
    });
    return this.respond(type, caller, r, resource, projection, 200);
  }

  async replace(type: ResourceType, caller: Caller, id: string, body: unknown, projection: Projection, ifMatch?: string): Promise<Result> {
    const { db, registry } = this.deps;
    const [before, groups] = await Promise.all([getResource(db, caller.tenantId, type, id), this.userGroups(caller, type, id, projection)]);
    if (!before) throw notFound(type, id);
    ifMatchVersion(ifMatch, before);
    const input = normaliseResource(registry, type, body, 'replace', render(registry, caller.scimBase, before));
    const after: StoredResource = {
      ...before,
      version: before.version + 1,
      lastModified: this.now(),
      doc: input.doc,
      ...(input.password ? { passwordHash: hashPassword(input.password) } : {}),
    };
    let memberChanges: { add: Member[]; remove: string[] } | undefined;
    if (type === 'Group' && input.members !== undefined) {
      // PUT carries the full member list (Okta): write only the difference.
      const current = (await listMembers(db, caller.tenantId, id, Number.MAX_SAFE_INTEGER)).members;
      const wanted = input.members.map(toMember);
      const currentIds = new Set(current.map((m) => m.value));
      const wantedIds = new Set(wanted.map((m) => m.value));
      memberChanges = {
        add: wanted.filter((m) => !currentIds.has(m.value)),
        remove: current.filter((m) => !wantedIds.has(m.value)).map((m) => m.value),
      };
    }
    try {
      await this.withMemberTypes(caller, memberChanges?.add ?? [], (add) =>
        replaceResource(db, caller.tenantId, before, after, memberChanges ? { ...memberChanges, add } : undefined));
    } catch (error) {
      mapStoreError(error, type, id);
    }
    return this.respond(type, caller, after, await this.withComputed(caller, after, projection, groups), projection, 200);
  }

  async patch(type: ResourceType, caller: Caller, id: string, body: unknown, projection: Projection, ifMatch?: string): Promise<Result> {
    const { db, registry } = this.deps;
    const operations = patchOperations(body);
    const explicitProjection = projection.attributes !== undefined || projection.excludedAttributes !== undefined;

    // Membership-only PATCH on a group (Entra, Okta): item-level writes, no read of the group.
    if (type === 'Group' && operations.every(isMembersOperation) && !operations.some((op) => String(op.op).toLowerCase() === 'replace')) {
      const { memberChanges } = applyPatch({ schemas: [], id }, operations, { registry, resourceType: 'Group', membersAsChanges: true });
      const version = ifMatchVersion(ifMatch);
      // `remove members` without a value or filter empties the group: only then is the list read.
      const remove = memberChanges?.removeAll
        ? (await listMembers(db, caller.tenantId, id, Number.MAX_SAFE_INTEGER)).members.map((m) => m.value)
        : memberChanges?.remove ?? [];
      try {
        await this.withMemberTypes(caller, (memberChanges?.add ?? []).map(toMember), (add) =>
          changeMembers(db, caller.tenantId, id, { add, remove }, this.now(), false, version));
      } catch (error) {
        mapStoreError(error, type, id);
      }
      if (!explicitProjection) return { status: 204 };
      return this.get(type, caller, id, projection);
    }

    for (let attempt = 0; ; attempt += 1) {
      const [before, groups] = await Promise.all([getResource(db, caller.tenantId, type, id), this.userGroups(caller, type, id, projection)]);
      if (!before) throw notFound(type, id);
      ifMatchVersion(ifMatch, before);
      const current = render(registry, caller.scimBase, before);
      const { resource: patched, memberChanges, password } = applyPatch(current, operations, {
        registry, resourceType: type, membersAsChanges: type === 'Group',
      });
      const input = normaliseResource(registry, type, patched, 'replace', current);
      let changes: { add: Member[]; remove: string[] } | undefined;
      if (memberChanges) {
        const remove = memberChanges.removeAll
          ? (await listMembers(db, caller.tenantId, id, Number.MAX_SAFE_INTEGER)).members.map((m) => m.value)
          : memberChanges.remove;
        const add = memberChanges.add.map(toMember);
        const addIds = new Set(add.map((m) => m.value));
        changes = { add, remove: remove.filter((r) => !addIds.has(r) || !memberChanges.removeAll) };
      }
      const newPassword = password ?? input.password;
      const docChanged = JSON.stringify(input.doc) !== JSON.stringify(before.doc) || newPassword !== undefined;
      const after: StoredResource = {
        ...before,
        version: before.version + 1,
        lastModified: this.now(),
        doc: input.doc,
        ...(newPassword ? { passwordHash: hashPassword(newPassword) } : {}),
      };
      try {
        if (!docChanged && changes && (changes.add.length || changes.remove.length)) {
          await this.withMemberTypes(caller, changes.add, (add) =>
            changeMembers(db, caller.tenantId, id, { add, remove: changes!.remove }, after.lastModified, false, before.version));
        } else if (docChanged || changes) {
          await this.withMemberTypes(caller, changes?.add ?? [], (add) =>
            replaceResource(db, caller.tenantId, before, after, changes ? { ...changes, add } : undefined));
        } else {
          // Nothing changed (Okta re-sends the group name with every membership change).
          return type === 'Group' && !explicitProjection
            ? { status: 204, headers: { ETag: etagOf(before.version) } }
            : this.respond(type, caller, before, await this.withComputed(caller, before, projection, groups), projection, 200);
        }
      } catch (error) {
        // Someone else wrote in between: read again and re-apply, unless the client pinned a version.
        if (error instanceof VersionMismatch && ifMatch === undefined && attempt < 5) continue;
        mapStoreError(error, type, id);
      }
      if (type === 'Group' && !explicitProjection) return { status: 204, headers: { ETag: etagOf(after.version) } };
      return this.respond(type, caller, after, await this.withComputed(caller, after, projection, groups), projection, 200);
    }
  }

  async delete(type: ResourceType, caller: Caller, id: string, ifMatch?: string): Promise<Result> {
    const { db } = this.deps;
    // Everything hanging off the resource is read together with it: one round trip.
    const [r, memberOf, ownMembers] = await Promise.all([
      getResource(db, caller.tenantId, type, id),
      groupIdsOf(db, caller.tenantId, id),
      type === 'Group' ? listMembers(db, caller.tenantId, id, Number.MAX_SAFE_INTEGER) : undefined,
    ]);
    if (!r) throw notFound(type, id);
    const version = ifMatchVersion(ifMatch, r);
    try {
      await deleteResource(db, caller.tenantId, r, this.now(), version, { memberOf, members: ownMembers?.members ?? [] });
    } catch (error) {
      mapStoreError(error, type, id);
    }
    return { status: 204 };
  }

  async list(type: ResourceType, caller: Caller, params: ListParams): Promise<Result> {
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
    const candidates = params.filter ? await this.candidates(type, caller, params.filter, lookups, wantGroups) : undefined;
    if (params.filter || params.sortBy) {
      // Indexed candidates (or a bounded scan) evaluated in memory, then sorted and sliced.
      const pool = candidates ?? (await this.scan(type, caller));
      const matched = await this.evaluate(type, caller, pool, lookups, params.filter);
      sortResources(registry, type, matched, params.sortBy, params.sortOrder);
      total = matched.length;
      const offset = params.cursor !== undefined ? decodeOffset(params.cursor) : params.startIndex - 1;
      page = matched.slice(offset, offset + params.count);
      if (params.cursor !== undefined && offset + params.count < total) nextCursor = encodeOffset(offset + params.count);
    } else {
      ({ page, total, nextCursor, saved } = await this.walk(type, caller, params));
    }

    const [resources] = await Promise.all([
      Promise.all(page.map(async (r) => this.withComputed(caller, r, projection, wantGroups ? await lookups.groupsOf(r.id) : undefined))),
      saved,
    ]);
    const body: Record<string, unknown> = {
      schemas: [LIST_RESPONSE],
      totalResults: total,
      itemsPerPage: resources.length,
      startIndex: params.cursor !== undefined ? 1 : params.startIndex,
      ...(nextCursor ? { nextCursor } : {}),
      Resources: resources.map((r) => project(registry, type, r, projection)),
    };
    return { status: 200, body };
  }

  /** POST /.search (RFC 7644 §3.4.3): Users then Groups, as one list. */
  async searchAll(caller: Caller, params: ListParams): Promise<Result> {
    const window = { ...params, startIndex: 1, count: params.startIndex - 1 + params.count };
    delete window.cursor;
    const [users, groups] = await Promise.all((['User', 'Group'] as const).map((t) => this.list(t, caller, window)));
    const all = [...((users!.body!.Resources as unknown[]) ?? []), ...((groups!.body!.Resources as unknown[]) ?? [])];
    const page = all.slice(params.startIndex - 1, params.startIndex - 1 + params.count);
    return {
      status: 200,
      body: {
        schemas: [LIST_RESPONSE],
        totalResults: (users!.body!.totalResults as number) + (groups!.body!.totalResults as number),
        itemsPerPage: page.length,
        startIndex: params.startIndex,
        Resources: page,
      },
    };
  }

  /** Unfiltered listing in creation order, O(page) per page when pages are walked in order. */
  private async walk(type: ResourceType, caller: Caller, params: ListParams): Promise<{ page: StoredResource[]; total: number; nextCursor?: string; saved?: Promise<void> }> {
    const { db } = this.deps;
    const counts = tenantCounts(db, caller.tenantId).then((c) => c[type === 'User' ? 'users' : 'groups']);
    if (params.count === 0) return { page: [], total: await counts };
    let after: string | undefined;
    if (params.cursor !== undefined) {
      after = params.cursor ? decodeCursor(params.cursor) : undefined;
    } else if (params.startIndex > 1) {
      after = (await loadPageCursor(db, caller.tenantId, type, params.startIndex)) ?? (await skipResources(db, caller.tenantId, type, params.startIndex - 1));
    }
    const [result, total] = await Promise.all([listResources(db, caller.tenantId, type, { limit: params.count, ...(after ? { after } : {}) }), counts]);
    if (params.cursor !== undefined) {
      return { page: result.items, total, ...(result.after ? { nextCursor: encodeCursor(result.after) } : {}) };
    }
    // Where the next page starts, so a client walking startIndex pages in order pays O(page).
    const saved = result.after
      ? savePageCursor(db, caller.tenantId, type, params.startIndex + result.items.length, result.after, Math.floor(this.deps.clock().getTime() / 1000))
      : undefined;
    return { page: result.items, total, ...(saved ? { saved } : {}) };
  }

  /** Resources an indexed equality in the filter narrows the search to, or undefined when none does. */
  private async candidates(type: ResourceType, caller: Caller, filter: FilterNode, lookups: Lookups, wantGroups: boolean): Promise<StoredResource[] | undefined> {
    const { db } = this.deps;
    const t = caller.tenantId;
    const plan = planIndex(type, filter);
    if (!plan) return undefined;
    const memberRefs = type === 'Group' ? referencedMemberValues(filter) : undefined;
    const needGroups = wantGroups || references(filter, 'groups');
    // Once an id is known, what evaluation and rendering need about it starts in parallel.
    const fetchIds = (ids: string[]) => {
      for (const id of ids) {
        if (type === 'User' && needGroups) void lookups.groupsOf(id);
        for (const m of memberRefs ?? []) void lookups.isMember(id, m);
      }
      return getResources(db, t, type, ids);
    };
    const run = async (p: IndexPlan): Promise<StoredResource[]> => {
      switch (p.kind) {
        case 'id': return fetchIds([p.value]);
        case 'userName': {
          const id = await findUserIdByUserName(db, t, p.value);
          return id ? fetchIds([id]) : [];
        }
        case 'externalId': return findByExternalId(db, t, type, p.value);
        case 'displayName': return findGroupsByDisplayName(db, t, p.value);
        case 'member': return fetchIds(await groupIdsOf(db, t, p.value));
        case 'group': {
          const { members, truncated } = await listMembers(db, t, p.value, MAX_FILTER_SCAN);
          if (truncated) {
            throw new TooManyError(`group ${p.value} has more than ${MAX_FILTER_SCAN} members; read a user's groups with GET /Users/{id}, or check one user with /Groups?filter=id eq "${p.value}" and members[value eq "<user id>"]`);
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
      const page = await listResources(this.deps.db, caller.tenantId, type, { limit: 1000, ...(after ? { after } : {}) });
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

  private async evaluate(type: ResourceType, caller: Caller, pool: StoredResource[], lookups: Lookups, filter?: FilterNode): Promise<StoredResource[]> {
    if (!filter) return pool;
    const { registry } = this.deps;
    // Unqualified extension names (`manager`, `employeeNumber`) resolve as they do in PATCH paths.
    const matches = compileFilter(filter, registryLookup(registry, type));
    const memberRefs = type === 'Group' ? referencedMemberValues(filter) : undefined;
    const needsGroups = type === 'User' && references(filter, 'groups');
    const out: StoredResource[] = [];
    await Promise.all(pool.map(async (r) => {
      const extras: { groups?: string[]; members?: Member[] } = {};
      if (needsGroups) extras.groups = await lookups.groupsOf(r.id);
      if (type === 'Group' && references(filter, 'members')) {
        if (memberRefs) {
          // Only `members eq <id>` style terms: check those items instead of reading the member list.
          const present = await Promise.all(memberRefs.map(async (v) => ((await lookups.isMember(r.id, v)) ? v : undefined)));
          extras.members = present.filter((v): v is string => v !== undefined).map((value) => ({ value, type: 'User' as const }));
        } else {
          extras.members = await this.allMembers(caller, r.id);
        }
      }
      if (matches(render(registry, caller.scimBase, r, extras))) out.push(r);
    }));
    return out.sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

function toMember(m: { value: string; type?: string; display?: string }): Member {
  return { value: m.value, type: m.type?.toLowerCase() === 'group' ? 'Group' : 'User', ...(m.display ? { display: m.display } : {}) };
}

function patchOperations(body: unknown): Array<Record<string, unknown>> {
  const ops = (body as { Operations?: unknown; operations?: unknown } | null);
  const list = ops?.Operations ?? ops?.operations;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidValueError('a PATCH body needs a non-empty "Operations" array (RFC 7644 §3.5.2)');
  }
  return list as Array<Record<string, unknown>>;
}

function isMembersOperation(op: Record<string, unknown>): boolean {
  const path = typeof op.path === 'string' ? op.path.trim() : undefined;
  if (path) return /^(urn:ietf:params:scim:schemas:core:2\.0:group:)?members(\[|$)/i.test(path);
  const value = op.value;
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 &&
    Object.keys(value).every((k) => k.toLowerCase() === 'members');
}

// ---------------------------------------------------------------------------------------------
// The query planner: an equality on an indexed attribute becomes key lookups.

type IndexPlan =
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
      return equality({ kind: 'valuePath', path: node.path, filter: node.filter.left }) ?? equality({ kind: 'valuePath', path: node.path, filter: node.filter.right });
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
  if (type === 'User' && eq.attr === 'groups' && (!eq.sub || eq.sub === 'value')) return { kind: 'group', value: eq.value };
  if (type === 'Group' && eq.attr === 'displayname' && !eq.sub) return { kind: 'displayName', value: eq.value };
  if (type === 'Group' && eq.attr === 'members' && (!eq.sub || eq.sub === 'value')) return { kind: 'member', value: eq.value };
  return undefined;
}

function references(node: FilterNode, attribute: string): boolean {
  switch (node.kind) {
    case 'and': case 'or': return references(node.left, attribute) || references(node.right, attribute);
    case 'not': return references(node.filter, attribute);
    default: return name(node.path.attribute) === attribute;
  }
}

/** The member ids a group filter compares with `eq`, when that is all it says about members. */
function referencedMemberValues(node: FilterNode): string[] | undefined {
  const values: string[] = [];
  const walk = (n: FilterNode): boolean => {
    switch (n.kind) {
      case 'and': case 'or': return walk(n.left) && walk(n.right);
      case 'not': return walk(n.filter);
      default: {
        if (name(n.path.attribute) !== 'members') return true;
        const eq = equality(n);
        if (!eq || (eq.sub && eq.sub !== 'value') || (n.kind === 'valuePath' && n.filter.kind !== 'compare')) return false;
        values.push(eq.value);
        return true;
      }
    }
  };
  return walk(node) ? values : undefined;
}

function sortResources(registry: SchemaRegistry, type: ResourceType, list: StoredResource[], sortBy: string | undefined, order: 'ascending' | 'descending'): void {
  if (!sortBy) return;
  const [attr, sub] = sortBy.split('.');
  const resolved = registry.resolve(type, { attribute: attr ?? '', ...(sub ? { subAttribute: sub } : {}) });
  if (!resolved) throw new InvalidValueError(`sortBy names an unknown attribute: ${sortBy}`);
  const caseExact = (resolved.subAttribute ?? resolved.attribute).caseExact;
  const keyOf = (r: StoredResource): string | number | undefined => {
    const c = resolved.canonical;
    let v: unknown = c.attribute === 'id' ? r.id : c.attribute === 'meta'
      ? { created: r.created, lastModified: r.lastModified }[c.subAttribute ?? ''] : (c.uri ? (r.doc[c.uri] as Record<string, unknown> | undefined)?.[c.attribute] : r.doc[c.attribute]);
    if (Array.isArray(v)) v = (v.find((e) => (e as { primary?: boolean })?.primary) ?? v[0]) as unknown;
    if (c.subAttribute && v && typeof v === 'object' && c.attribute !== 'meta') v = (v as Record<string, unknown>)[c.subAttribute];
    if (typeof v === 'string') return caseExact ? v : v.toLowerCase();
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return undefined;
  };
  const dir = order === 'descending' ? -1 : 1;
  list.sort((a, b) => {
    const x = keyOf(a);
    const y = keyOf(b);
    // RFC 7644 §3.4.2.3: resources without the attribute sort last in either order.
    if (x === undefined || y === undefined) return x === y ? (a.id < b.id ? -1 : 1) : x === undefined ? 1 : -1;
    return x < y ? -dir : x > y ? dir : a.id < b.id ? -1 : 1;
  });
}

const encodeCursor = (after: string) => Buffer.from(`k:${after}`).toString('base64url');
const encodeOffset = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

function decodeRaw(cursor: string): string {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[ko]:[0-9A-Za-z]+$/.test(raw)) throw new InvalidValueError('cursor is not one this server issued (RFC 9865 invalidCursor)');
  return raw;
}
function decodeCursor(cursor: string): string {
  const raw = decodeRaw(cursor);
  if (!raw.startsWith('k:')) throw new InvalidValueError('cursor does not belong to this listing (RFC 9865 invalidCursor)');
  return raw.slice(2);
}
function decodeOffset(cursor: string): number {
  if (!cursor) return 0;
  const raw = decodeRaw(cursor);
  if (!raw.startsWith('o:')) throw new InvalidValueError('cursor does not belong to this listing (RFC 9865 invalidCursor)');
  return Number(raw.slice(2));
}
