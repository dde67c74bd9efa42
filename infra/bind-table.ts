// The one place a function gets access to the table (STYLE.md §2, after powertools' `bindTable`):
// the grant and the TABLE_NAME variable are set together, so what a function may do reads exactly
// like what it needs at run time. Nothing here grants Scan: no access pattern needs one (DESIGN.md).

import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { TableAccess } from '#api/routes.ts';

export const TABLE_NAME_ENV = 'TABLE_NAME';

const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
// Transactions have no IAM actions of their own: TransactWriteItems is authorised item by item as
// PutItem / UpdateItem / DeleteItem / ConditionCheckItem, TransactGetItems as GetItem (DynamoDB
// developer guide, "Using IAM with DynamoDB transactions"). So this list covers both.
const WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export interface TableGrant {
  /** Actions on the table itself. */
  table: readonly string[];
  /** Actions on `<table>/index/*` (only Query applies to an index). */
  indexes: readonly string[];
}

/** What each access mode may do, as data (tests compare the synthesized policies with it). */
export const TABLE_GRANTS: Readonly<Record<TableAccess, TableGrant>> = {
  none: { table: [], indexes: [] },
  read: { table: READ, indexes: ['dynamodb:Query'] },
  'read-write': { table: [...READ, ...WRITE], indexes: ['dynamodb:Query'] },
  // The authorizer looks a token up by its hash and stamps lastUsedAt on it: nothing else.
  'token-check': { table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], indexes: [] },
};

/** Grants `fn` exactly `access` on `table` and points TABLE_NAME at it ('none': neither). */
export function bindTable(fn: LambdaFunction, table: ITable, access: TableAccess): void {
  const grant = TABLE_GRANTS[access];
  if (access === 'none') return;
  fn.addEnvironment(TABLE_NAME_ENV, table.tableName);
  fn.addToRolePolicy(
    new PolicyStatement({ effect: Effect.ALLOW, actions: [...grant.table], resources: [table.tableArn] }),
  );
  if (grant.indexes.length > 0) {
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...grant.indexes],
        resources: [`${table.tableArn}/index/*`],
      }),
    );
  }
}
