// The only place key strings are built. Layout (t = tenant id, ids are ULIDs):
//
//   item                 pk                              sk          gsi1pk / gsi1sk                    gsi2pk / gsi2sk
//   tenant               TENANT#t                        TENANT      TENANTS / t
//   user                 T#t#USER                        <id>        T#t#USER#XID#<externalId> / <id>
//   userName claim       T#t#USERNAME#<lower(userName)>  UNIQUE
//   group                T#t#GROUP                       <id>        T#t#GROUP#DN#<lower(name)> / <id>  T#t#GROUP#XID#<externalId> / <id>
//   membership           T#t#MEMBERS#<groupId>           <memberId>                                     T#t#MEMBER#<memberId> / <groupId>
//   token                TOKEN#<sha256 hex>              TOKEN       TENANT#t#TOKENS / <tokenId>
//   page cursor (TTL)    T#t#PAGE#<queryKey>#<index>     PAGE
//   feed event (TTL)     T#t#FEED                        <event id>  (ULID: the feed's order, shared/events)
//   refused request (TTL) T#t#ACTIVITY                   <ULID>      (provisioning activity, newest last)
//
// Users and groups of a tenant share one item collection each, sorted by ULID = creation order,
// so listing is a Query and cursor paging is ExclusiveStartKey. Tenant ids never contain '#'.

import { InvalidValueError } from '#scim/errors.ts';

export type Key = { pk: string; sk: string };

const t = (tenantId: string) => `T#${tenantId}`;

/**
 * DynamoDB's key limits, in UTF-8 bytes: partition keys (table and indexes) 2,048, sort keys 1,024.
 * Resources keep userName, externalId and displayName to MAX_INDEXED_VALUE_BYTES (1,024,
 * shared/scim/resource.ts); lower-casing can grow a string by half (İ is 2 bytes, i̇ is 3), so with
 * its prefix (under 90 bytes) every key they form fits. `bounded` below is the backstop for values
 * that did not come through that check (filters, PATCH member values).
 */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

/** User and group ids are ULIDs we mint (26 Crockford base-32 characters); anything else is not ours. */
const RESOURCE_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const isResourceId = (id: string): boolean => RESOURCE_ID.test(id);

/** A value that would make a key longer than DynamoDB allows: a client error, never a 500. */
export class KeyValueTooLong extends InvalidValueError {
  constructor(
    readonly what: string,
    bytes: number,
    limit: number,
  ) {
    super(
      `${what} is ${bytes} bytes long (UTF-8), more than this directory stores (${limit} bytes with its key prefix); see docs/limits.md`,
    );
  }
}

/** DynamoDB refuses an empty string as a key (`members[value eq ""]` would make one). */
export class EmptyKeyValue extends InvalidValueError {
  constructor(readonly what: string) {
    super(`${what} must not be empty`);
  }
}

/** The last line of defence: every key that embeds a client's value is measured before use. */
function bounded(what: string, key: string, limit: number): string {
  if (key === '') throw new EmptyKeyValue(what);
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > limit) throw new KeyValueTooLong(what, bytes, limit);
  return key;
}
const partition = (what: string, key: string) => bounded(what, key, MAX_PARTITION_KEY_BYTES);
const sort = (what: string, key: string) => bounded(what, key, MAX_SORT_KEY_BYTES);

/** True when every key `build` makes fits DynamoDB's limits (for reads: a value that cannot fit was never stored). */
export function keyFits(build: () => unknown): boolean {
  try {
    build();
    return true;
  } catch (error) {
    if (error instanceof KeyValueTooLong || error instanceof EmptyKeyValue) return false;
    throw error;
  }
}

export const keys = {
  tenant: (tenantId: string): Key => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),
  /** gsi1 partition holding every tenant item, sorted by tenant id: the admin's list of tenants. */
  allTenants: () => 'TENANTS',

  usersPartition: (tenantId: string) => `${t(tenantId)}#USER`,
  user: (tenantId: string, id: string): Key => ({ pk: `${t(tenantId)}#USER`, sk: sort('user id', id) }),
  userName: (tenantId: string, userName: string): Key => ({
    pk: partition('userName', `${t(tenantId)}#USERNAME#${userName.toLowerCase()}`),
    sk: 'UNIQUE',
  }),
  userExternalId: (tenantId: string, externalId: string) =>
    partition('externalId', `${t(tenantId)}#USER#XID#${externalId}`),

  groupsPartition: (tenantId: string) => `${t(tenantId)}#GROUP`,
  group: (tenantId: string, id: string): Key => ({ pk: `${t(tenantId)}#GROUP`, sk: sort('group id', id) }),
  groupDisplayName: (tenantId: string, displayName: string) =>
    partition('displayName', `${t(tenantId)}#GROUP#DN#${displayName.toLowerCase()}`),
  groupExternalId: (tenantId: string, externalId: string) =>
    partition('externalId', `${t(tenantId)}#GROUP#XID#${externalId}`),

  membersPartition: (tenantId: string, groupId: string) => partition('group id', `${t(tenantId)}#MEMBERS#${groupId}`),
  member: (tenantId: string, groupId: string, memberId: string): Key => ({
    pk: partition('group id', `${t(tenantId)}#MEMBERS#${groupId}`),
    sk: sort('member value', memberId),
  }),
  memberOf: (tenantId: string, memberId: string) => partition('member value', `${t(tenantId)}#MEMBER#${memberId}`),

  token: (tokenHash: string): Key => ({ pk: `TOKEN#${tokenHash}`, sk: 'TOKEN' }),
  tenantTokens: (tenantId: string) => `TENANT#${tenantId}#TOKENS`,

  feed: (tenantId: string) => `${t(tenantId)}#FEED`,
  activity: (tenantId: string) => `${t(tenantId)}#ACTIVITY`,

  pageCursor: (tenantId: string, queryKey: string, startIndex: number): Key => ({
    pk: partition('paging position', `${t(tenantId)}#PAGE#${queryKey}#${startIndex}`),
    sk: 'PAGE',
  }),
} as const;

export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
