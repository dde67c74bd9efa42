// The directory's use cases: what a SCIM request means for the store. Handlers call one method
// each; everything here is independent of API Gateway and HTTP request shapes. Listing and
// search live in listing.ts; the store reports failed conditions as SCIM errors.
import { monotonicFactory } from 'ulid';
import { hashPassword } from '#auth/password.ts';
import { InvalidSyntaxError, InvalidValueError, NotFoundError, PreconditionFailedError } from '#scim/errors.ts';
import { applyPatch } from '#scim/patch.ts';
import { project } from '#scim/projection.ts';
import { normaliseResource } from '#scim/resource.ts';
import type { ScimResult } from '#scim/result.ts';
import {
  changeMembers,
  createResource,
  deleteResource,
  getResource,
  getResources,
  keptMemberCount,
  listMembers,
  MissingMembers,
  replaceResource,
  type Member,
  type ResourceType,
  type StoredResource,
} from '#store/resources.ts';
import { allMembers, FIRST_MEMBERS_PAGE, groupsOf, MAX_MEMBERS_RETURNED, wants, withComputed } from './computed.ts';
import { retryAfterConflict, withConflictRetries } from './conflicts.ts';
import { Listing } from './listing.ts';
import type { ListParams } from './params.ts';
import { ENDPOINT, etagOf, parseEntityTags, render } from './render.ts';
import type { Caller, DirectoryDeps, Projection } from './types.ts';

/** Ids are ULIDs, monotonic within a container, so creation order is listing order. */
const ulid = monotonicFactory();

function notFound(type: ResourceType, id: string): NotFoundError {
  return new NotFoundError(`${type} ${id} not found`);
}

function ifMatchVersion(ifMatch: string | undefined, current?: StoredResource): number | undefined {
  const tags = parseEntityTags(ifMatch);
  if (tags === undefined || tags === 'any') return undefined;
  if (current && !tags.includes(current.version)) {
    throw new PreconditionFailedError(
      `resource changed: If-Match ${ifMatch} does not match the current version ${etagOf(current.version)}`,
    );
  }
  return tags[0];
}

export class Directory {
  private readonly listing: Listing;
  constructor(private readonly deps: DirectoryDeps) {
    this.listing = new Listing(deps);
  }

  private now(): string {
    return this.deps.clock().toISOString();
  }

  private respond(
    type: ResourceType,
    caller: Caller,
    r: StoredResource,
    resource: Record<string, unknown>,
    projection: Projection,
    status: number,
  ): ScimResult {
    const headers: Record<string, string> = { ETag: etagOf(r.version) };
    if (status === 201) headers.Location = `${caller.scimBase}/${ENDPOINT[type]}/${r.id}`;
    return { status, headers, body: project(this.deps.registry, type, resource, projection) };
  }

  /** Member `type` defaults to User; ids that turn out to be groups are retried as groups. */
  private async withMemberTypes<T>(
    caller: Caller,
    members: Member[],
    write: (members: Member[]) => Promise<T>,
  ): Promise<T> {
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
      return write(
        members.map((m) => (found.has(m.value) && error.ids.includes(m.value) ? { ...m, type: flip(m.type) } : m)),
      );
    }
  }

  async create(type: ResourceType, caller: Caller, body: unknown, projection: Projection): Promise<ScimResult> {
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
      groups: [],
      membershipKept: true,
      ...(type === 'Group' ? { memberCounts: { users: 0, groups: 0 } } : {}),
    };
    const members = (input.members ?? []).map(toMember);
    // More members than one transaction holds are added in chunks, each moving the version.
    r.version = await this.withMemberTypes(caller, members, (m) => createResource(db, caller.tenantId, r, m));
    const resource = render(
      registry,
      caller.scimBase,
      r,
      type === 'User' ? { groups: [] } : { members: await this.membersAfterCreate(caller, r.id, members) },
    );
    return this.respond(type, caller, r, resource, projection, 201);
  }

  private async membersAfterCreate(caller: Caller, id: string, members: Member[]): Promise<Member[]> {
    return members.length ? (await listMembers(this.deps.db, caller.tenantId, id, MAX_MEMBERS_RETURNED)).members : [];
  }

  async get(
    type: ResourceType,
    caller: Caller,
    id: string,
    projection: Projection,
    ifNoneMatch?: string,
  ): Promise<ScimResult> {
    const { db, registry } = this.deps;
    // A user's groups come with its item. A group's first members are read in parallel with it
    // (one round trip for most groups); its member count then says whether to read more, or to
    // refuse a group over the limit without reading further.
    const needGroups = type === 'User' && wants(registry, 'User', 'groups', projection);
    const needMembers = type === 'Group' && wants(registry, 'Group', 'members', projection);
    const [r, first] = await Promise.all([
      getResource(db, caller.tenantId, type, id),
      needMembers ? listMembers(db, caller.tenantId, id, FIRST_MEMBERS_PAGE) : undefined,
    ]);
    if (!r) throw notFound(type, id);
    const tags = parseEntityTags(ifNoneMatch);
    if (tags === 'any' || (tags && tags.includes(r.version)))
      return { status: 304, headers: { ETag: etagOf(r.version) } };
    const [groups, members] = await Promise.all([
      needGroups ? groupsOf(db, caller.tenantId, r) : undefined,
      needMembers ? allMembers(db, caller.tenantId, id, keptMemberCount(r), first) : undefined,
    ]);
    const resource = render(registry, caller.scimBase, r, {
      ...(groups ? { groups } : {}),
      ...(members ? { members } : {}),
    });
    return this.respond(type, caller, r, resource, projection, 200);
  }

  /** PUT: without If-Match, a concurrent change is re-read and the body applied again (conflicts.ts). */
  replace(
    type: ResourceType,
    caller: Caller,
    id: string,
    body: unknown,
    projection: Projection,
    ifMatch?: string,
  ): Promise<ScimResult> {
    return withConflictRetries(ifMatch, () => this.replaceOnce(type, caller, id, body, projection, ifMatch));
  }

  private async replaceOnce(
    type: ResourceType,
    caller: Caller,
    id: string,
    body: unknown,
    projection: Projection,
    ifMatch?: string,
  ): Promise<ScimResult> {
    const { db, registry } = this.deps;
    const before = await getResource(db, caller.tenantId, type, id);
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
    let memberChanges: { add: Member[]; remove: Member[] } | undefined;
    if (type === 'Group') {
      // PUT replaces the whole group, members included (Okta sends the full list; keycloak-scim
      // leaves an empty list out, so a PUT without `members` empties the group): write only the
      // difference.
      const current = (await listMembers(db, caller.tenantId, id, Number.MAX_SAFE_INTEGER)).members;
      const wanted = (input.members ?? []).map(toMember);
      const currentIds = new Set(current.map((m) => m.value));
      const wantedIds = new Set(wanted.map((m) => m.value));
      memberChanges = {
        add: wanted.filter((m) => !currentIds.has(m.value)),
        remove: current.filter((m) => !wantedIds.has(m.value)),
      };
    }
    after.version = await this.withMemberTypes(caller, memberChanges?.add ?? [], (add) =>
      replaceResource(db, caller.tenantId, before, after, memberChanges ? { ...memberChanges, add } : undefined),
    );
    return this.respond(type, caller, after, await withComputed(this.deps, caller, after, projection), projection, 200);
  }

  async patch(
    type: ResourceType,
    caller: Caller,
    id: string,
    body: unknown,
    projection: Projection,
    ifMatch?: string,
  ): Promise<ScimResult> {
    const { db, registry } = this.deps;
    const operations = patchOperations(body);
    const explicitProjection = projection.attributes !== undefined || projection.excludedAttributes !== undefined;

    // Membership-only PATCH on a group (Entra, Okta): item-level writes, no read of the group.
    if (
      type === 'Group' &&
      operations.every(isMembersOperation) &&
      !operations.some((op) => String(op.op).toLowerCase() === 'replace')
    ) {
      const { memberChanges } = applyPatch({ schemas: [], id }, operations, {
        registry,
        resourceType: 'Group',
        membersAsChanges: true,
      });
      const version = ifMatchVersion(ifMatch);
      // `remove members` without a value or filter empties the group: only then is the list read.
      const remove: Array<string | Member> = memberChanges?.removeAll
        ? (await listMembers(db, caller.tenantId, id, Number.MAX_SAFE_INTEGER)).members
        : (memberChanges?.remove ?? []);
      // The new version is known from If-Match, else read back once (a transaction returns no values).
      const after = await this.withMemberTypes(caller, (memberChanges?.add ?? []).map(toMember), (add) =>
        changeMembers(db, caller.tenantId, id, { add, remove }, this.now(), {
          ...(version !== undefined ? { ifVersion: version } : {}),
          wantVersion: !explicitProjection,
        }),
      );
      if (!explicitProjection)
        return { status: 204, ...(after !== undefined ? { headers: { ETag: etagOf(after) } } : {}) };
      return this.get(type, caller, id, projection);
    }

    const startedAt = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      const before = await getResource(db, caller.tenantId, type, id);
      if (!before) throw notFound(type, id);
      ifMatchVersion(ifMatch, before);
      const current = render(registry, caller.scimBase, before);
      const {
        resource: patched,
        memberChanges,
        password,
      } = applyPatch(current, operations, {
        registry,
        resourceType: type,
        membersAsChanges: type === 'Group',
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
      let versionKnown = true;
      try {
        if (!docChanged && changes && (changes.add.length || changes.remove.length)) {
          const version = await this.withMemberTypes(caller, changes.add, (add) =>
            changeMembers(db, caller.tenantId, id, { add, remove: changes!.remove }, after.lastModified, {
              ifVersion: before.version,
              wantVersion: true,
            }),
          );
          // undefined: chunked, and another write came in before the version was read back.
          if (version !== undefined) after.version = version;
          else versionKnown = false;
        } else if (docChanged || changes) {
          after.version = await this.withMemberTypes(caller, changes?.add ?? [], (add) =>
            replaceResource(db, caller.tenantId, before, after, changes ? { ...changes, add } : undefined),
          );
        } else {
          // Nothing changed (Okta re-sends the group name with every membership change).
          return type === 'Group' && !explicitProjection
            ? { status: 204, headers: { ETag: etagOf(before.version) } }
            : this.respond(
                type,
                caller,
                before,
                await withComputed(this.deps, caller, before, projection, { memberCount: keptMemberCount(before) }),
                projection,
                200,
              );
        }
      } catch (error) {
        // Someone else wrote in between: read again and re-apply (conflicts.ts), unless the client pinned a version.
        await retryAfterConflict(error, ifMatch, attempt, startedAt);
        continue;
      }
      if (type === 'Group' && !explicitProjection)
        return { status: 204, ...(versionKnown ? { headers: { ETag: etagOf(after.version) } } : {}) };
      return this.respond(
        type,
        caller,
        after,
        await withComputed(this.deps, caller, after, projection),
        projection,
        200,
      );
    }
  }

  async delete(type: ResourceType, caller: Caller, id: string, ifMatch?: string): Promise<ScimResult> {
    const { db } = this.deps;
    const startedAt = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      // The item says which groups it is in (and a group how many members it has): the delete
      // is conditioned on its version, so those are exactly the memberships it removes.
      const r = await getResource(db, caller.tenantId, type, id);
      if (!r) throw notFound(type, id);
      ifMatchVersion(ifMatch, r);
      try {
        await deleteResource(db, caller.tenantId, r, this.now());
        return { status: 204 };
      } catch (error) {
        // Changed in between (a membership, say): read again, unless the client pinned a version.
        await retryAfterConflict(error, ifMatch, attempt, startedAt);
      }
    }
  }

  list(type: ResourceType, caller: Caller, params: ListParams): Promise<ScimResult> {
    return this.listing.list(type, caller, params);
  }

  searchAll(caller: Caller, params: ListParams): Promise<ScimResult> {
    return this.listing.searchAll(caller, params);
  }
}

function toMember(m: { value: string; type?: string; display?: string }): Member {
  return {
    value: m.value,
    type: m.type?.toLowerCase() === 'group' ? 'Group' : 'User',
    ...(m.display ? { display: m.display } : {}),
  };
}

function patchOperations(body: unknown): Array<Record<string, unknown>> {
  const ops = body as { Operations?: unknown; operations?: unknown } | null;
  const list = ops?.Operations ?? ops?.operations;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidValueError('a PATCH body needs a non-empty "Operations" array (RFC 7644 §3.5.2)');
  }
  // Shapes first: what follows reads `op.path` and `op.value` of every element.
  const bad = list.findIndex((op) => op === null || typeof op !== 'object' || Array.isArray(op));
  if (bad >= 0) {
    throw new InvalidSyntaxError(
      `Operations[${bad}] must be an object with "op", "path" and "value" (RFC 7644 §3.5.2), got ${JSON.stringify(list[bad])}`,
    );
  }
  return list as Array<Record<string, unknown>>;
}

function isMembersOperation(op: Record<string, unknown>): boolean {
  const path = typeof op.path === 'string' ? op.path.trim() : undefined;
  if (path) return /^(urn:ietf:params:scim:schemas:core:2\.0:group:)?members(\[|$)/i.test(path);
  const value = op.value;
  return (
    !!value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    Object.keys(value).every((k) => k.toLowerCase() === 'members')
  );
}
