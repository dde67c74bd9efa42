// The one place a function gets access to the table (STYLE.md §2, after powertools' `bindTable`):
// the grant and the TABLE_NAME variable are set together, so what a function may do reads exactly
// like what it needs at run time. Nothing here grants Scan: no access pattern needs one (DESIGN.md).
//
// Least privilege by key: every statement carries a `dynamodb:LeadingKeys` condition, so a role can
// only reach the partition keys its access mode names (the key layout is in shared/store/keys.ts;
// test/infra/least-privilege.test.ts checks every key builder against these patterns). Notes:
// - Transactions have no IAM actions of their own: TransactWriteItems is authorised item by item as
//   PutItem / UpdateItem / DeleteItem / ConditionCheckItem (and TransactGetItems as GetItem), each
//   with its own LeadingKeys check (DynamoDB developer guide, "Using IAM with DynamoDB
//   transactions"). So one transaction that touches a user and the tenant's counter needs both
//   key spaces in the same role; the directory mode has them.
// - A Query on an index is granted on that index's ARN only, with the patterns of the index's
//   partition key values (ours share the prefixes of the base table: `T#<t>#...`, `TENANT#<t>#TOKENS`,
//   `TENANTS`). `ForAllValues:StringLike` is the form AWS documents for LeadingKeys; tenant ids
//   never contain '#' (TENANT_ID_PATTERN), so `TENANT#*` with a `TENANT#*#*` exclusion is exactly
//   the tenant items.

import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { TableAccess } from '#api/routes.ts';
import { TABLE, type IndexName } from '#store/table.ts';

export const TABLE_NAME_ENV = 'TABLE_NAME';

/** IAM `StringLike` patterns of the partition keys each kind of item lives under (keys.ts). */
export const KEY_SPACES = {
  /** Users, groups, memberships, userName claims, page cursors, and their index keys. */
  tenantData: ['T#*'],
  /** The same, minus the event feeds: what the SCIM functions may write (never a forged event). */
  directoryData: ['T#*'],
  /** Page cursors only (startIndex paging writes them, also for an admin's read). */
  pageCursors: ['T#*#PAGE#*'],
  /** Tenant items: settings, token slots, user/group counters. */
  tenants: ['TENANT#*'],
  /** Token items, by hash. */
  tokens: ['TOKEN#*'],
  /** gsi1: a tenant's tokens. */
  tenantTokens: ['TENANT#*#TOKENS'],
  /** gsi1: the list of all tenants. */
  tenantList: ['TENANTS'],
  /** The tenants' event feeds (written by the events function only). */
  feeds: ['T#*#FEED'],
} as const satisfies Record<string, readonly string[]>;

/** Partition keys a pattern must never match, per key space (see the note on `TENANT#*` above). */
const EXCLUDED: Partial<Record<keyof typeof KEY_SPACES, readonly string[]>> = {
  tenants: ['TENANT#*#*'],
  directoryData: ['T#*#FEED'],
};

const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
const WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export interface TableStatement {
  actions: readonly string[];
  /** The table itself, or one index (only Query applies to an index). */
  on: 'table' | IndexName;
  /** The key space its LeadingKeys condition allows. */
  keys: keyof typeof KEY_SPACES;
}

const rw = (keys: keyof typeof KEY_SPACES): TableStatement => ({ actions: [...READ, ...WRITE], on: 'table', keys });
const read = (keys: keyof typeof KEY_SPACES): TableStatement => ({ actions: READ, on: 'table', keys });
const query = (on: IndexName, keys: keyof typeof KEY_SPACES): TableStatement => ({
  actions: ['dynamodb:Query'],
  on,
  keys,
});

/** What each access mode may do, as data (the template tests compare the synthesized policies with it). */
export const TABLE_GRANTS: Readonly<Record<TableAccess, readonly TableStatement[]>> = {
  none: [],
  // Tenant data only (for functions that never touch tenants or tokens).
  read: [read('tenantData'), query('gsi1', 'tenantData'), query('gsi2', 'tenantData')],
  'read-write': [rw('directoryData'), query('gsi1', 'tenantData'), query('gsi2', 'tenantData')],
  // The SCIM functions: the tenant's users and groups, plus the tenant item's counters
  // (`ADD userCount`, in the same transaction as the write) and their read for totalResults.
  // Never a token item, never the list of tenants.
  directory: [
    rw('directoryData'),
    query('gsi1', 'tenantData'),
    query('gsi2', 'tenantData'),
    { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], on: 'table', keys: 'tenants' },
  ],
  // The authorizer looks a token up by its hash and stamps lastUsedAt on it, and reads the tenant.
  'token-check': [
    { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], on: 'table', keys: 'tokens' },
    { actions: ['dynamodb:GetItem'], on: 'table', keys: 'tenants' },
  ],
  // Tenants, tokens and provisioning; read-only directory views (which may save a page cursor).
  admin: [
    rw('tenants'),
    rw('tokens'),
    query('gsi1', 'tenantTokens'),
    query('gsi1', 'tenantList'),
    read('tenantData'),
    query('gsi1', 'tenantData'),
    query('gsi2', 'tenantData'),
    { actions: ['dynamodb:PutItem'], on: 'table', keys: 'pageCursors' },
  ],
  // The daily token-expiry check: one Query of the list of tenants (their token slots).
  'tenant-list': [query('gsi1', 'tenantList')],
  // The events function: batch-writes feed items, and looks up the names of acting tokens.
  events: [{ actions: ['dynamodb:BatchWriteItem'], on: 'table', keys: 'feeds' }, query('gsi1', 'tenantTokens')],
};

/** The IAM condition of one statement. */
export function leadingKeysCondition(keys: keyof typeof KEY_SPACES): Record<string, Record<string, string[]>> {
  const excluded = EXCLUDED[keys];
  return {
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...KEY_SPACES[keys]] },
    ...(excluded ? { 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': [...excluded] } } : {}),
  };
}

/** Grants `fn` exactly `access` on `table` and points TABLE_NAME at it ('none': neither). */
export function bindTable(fn: LambdaFunction, table: ITable, access: TableAccess): void {
  const statements = TABLE_GRANTS[access];
  if (statements.length === 0) return;
  fn.addEnvironment(TABLE_NAME_ENV, table.tableName);
  for (const statement of statements) {
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...statement.actions],
        resources: [
          statement.on === 'table' ? table.tableArn : `${table.tableArn}/index/${TABLE.indexes[statement.on].name}`,
        ],
        conditions: leadingKeysCondition(statement.keys),
      }),
    );
  }
}
