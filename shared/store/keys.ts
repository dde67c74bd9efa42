// The only place key strings are built. Layout (t = tenant id, ids are ULIDs):
//
//   item                 pk                              sk          gsi1pk / gsi1sk                    gsi2pk / gsi2sk
//   tenant               TENANT#t                        TENANT
//   user                 T#t#USER                        <id>        T#t#USER#XID#<externalId> / <id>
//   userName claim       T#t#USERNAME#<lower(userName)>  UNIQUE
//   group                T#t#GROUP                       <id>        T#t#GROUP#DN#<lower(name)> / <id>  T#t#GROUP#XID#<externalId> / <id>
//   membership           T#t#MEMBERS#<groupId>           <memberId>                                     T#t#MEMBER#<memberId> / <groupId>
//   token                TOKEN#<sha256 hex>              TOKEN       TENANT#t#TOKENS / <tokenId>
//   page cursor (TTL)    T#t#PAGE#<queryKey>#<index>     PAGE
//
// Users and groups of a tenant share one item collection each, sorted by ULID = creation order,
// so listing is a Query and cursor paging is ExclusiveStartKey. Tenant ids never contain '#'.

export type Key = { pk: string; sk: string };

const t = (tenantId: string) => `T#${tenantId}`;

export const keys = {
  tenant: (tenantId: string): Key => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),

  usersPartition: (tenantId: string) => `${t(tenantId)}#USER`,
  user: (tenantId: string, id: string): Key => ({ pk: `${t(tenantId)}#USER`, sk: id }),
  userName: (tenantId: string, userName: string): Key => ({
    pk: `${t(tenantId)}#USERNAME#${userName.toLowerCase()}`,
    sk: 'UNIQUE',
  }),
  userExternalId: (tenantId: string, externalId: string) => `${t(tenantId)}#USER#XID#${externalId}`,

  groupsPartition: (tenantId: string) => `${t(tenantId)}#GROUP`,
  group: (tenantId: string, id: string): Key => ({ pk: `${t(tenantId)}#GROUP`, sk: id }),
  groupDisplayName: (tenantId: string, displayName: string) => `${t(tenantId)}#GROUP#DN#${displayName.toLowerCase()}`,
  groupExternalId: (tenantId: string, externalId: string) => `${t(tenantId)}#GROUP#XID#${externalId}`,

  membersPartition: (tenantId: string, groupId: string) => `${t(tenantId)}#MEMBERS#${groupId}`,
  member: (tenantId: string, groupId: string, memberId: string): Key => ({
    pk: `${t(tenantId)}#MEMBERS#${groupId}`,
    sk: memberId,
  }),
  memberOf: (tenantId: string, memberId: string) => `${t(tenantId)}#MEMBER#${memberId}`,

  token: (tokenHash: string): Key => ({ pk: `TOKEN#${tokenHash}`, sk: 'TOKEN' }),
  tenantTokens: (tenantId: string) => `TENANT#${tenantId}#TOKENS`,

  pageCursor: (tenantId: string, queryKey: string, startIndex: number): Key => ({
    pk: `${t(tenantId)}#PAGE#${queryKey}#${startIndex}`,
    sk: 'PAGE',
  }),
} as const;

export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
