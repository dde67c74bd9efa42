// Least privilege by key (issue 11, item 7): every role's table permissions carry
// `dynamodb:LeadingKeys` conditions, and the keys each function builds (shared/store/keys.ts) are
// exactly the ones its synthesized policy lets it touch. The policy is read from the template and
// evaluated here the way IAM evaluates ForAllValues:StringLike / StringNotLike.

import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionName } from '#api/routes.ts';
import { KEY_SPACES, TABLE_GRANTS, leadingKeysCondition } from '#infra/bind-table.ts';
import type { ScimApi } from '#infra/scim-api.ts';
import { keys } from '#store/keys.ts';
import { TABLE, type IndexName } from '#store/table.ts';
import { roleStatements, synth, type IamStatement } from './synth.ts';

let template: Template;
let stack: Stack;
let scim: ScimApi;

beforeAll(() => {
  ({ template, stack, scim } = synth());
});

const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const ID = '01HZX3J4K5M6N7P8Q9R0S1T2V3';
const OTHER_ID = '01HZX3J4K5M6N7P8Q9R0S1T2V4';
const HASH = 'a'.repeat(64);

/** Item-level actions (stream reads such as GetRecords are the events function's business). */
const ITEM_ACTION =
  /^dynamodb:(GetItem|BatchGetItem|Query|PutItem|UpdateItem|DeleteItem|BatchWriteItem|ConditionCheckItem|Scan|PartiQL\w*|\*)$/;

/**
 * The role's statements on table items, one per resource (CDK merges statements that differ only
 * in their resource), the resource resolved to `table` or an index name.
 */
function dynamoStatements(name: FunctionName): (IamStatement & { on: string })[] {
  const roleId = stack.getLogicalId(scim.functions[name].role!.node.defaultChild as CfnElement);
  const tableId = stack.getLogicalId(scim.table.node.defaultChild as CfnElement);
  return roleStatements(template, roleId)
    .filter((s) => [s.Action].flat().some((a) => ITEM_ACTION.test(a)))
    .flatMap((s) =>
      [s.Resource].flat().map((r) => {
        const resource = JSON.stringify(r);
        expect(resource, `${name}: item actions on another resource`).toContain(`"${tableId}","Arn"`);
        const index = /\/index\/([A-Za-z0-9_-]+)/.exec(resource)?.[1];
        return { ...s, Resource: r, on: index ?? 'table' };
      }),
    );
}

const like = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

/** IAM's decision for one request: an Allow statement whose action, resource and condition all match. */
function allowed(name: FunctionName, action: string, on: 'table' | IndexName, leadingKeys: string[]): boolean {
  return dynamoStatements(name).some((s) => {
    if (s.Effect !== 'Allow' || ![s.Action].flat().includes(action) || s.on !== on) return false;
    const likes = [s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? []].flat();
    const notLikes = [s.Condition?.['ForAllValues:StringNotLike']?.['dynamodb:LeadingKeys'] ?? []].flat();
    // No condition: any key (IAM's default); otherwise every key must match (ForAllValues).
    const fits = (k: string) =>
      (likes.length === 0 || likes.some((p) => like(p, k))) && !notLikes.some((p) => like(p, k));
    return leadingKeys.every(fits);
  });
}

const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];
const tenantDataKeys = () => [
  keys.user('acme', ID).pk,
  keys.userName('acme', 'bjensen@example.com').pk,
  keys.group('acme', ID).pk,
  keys.member('acme', ID, OTHER_ID).pk,
  keys.pageCursor('acme', 'q1', 101).pk,
];

describe('every role may write any key of the table (no dynamodb:LeadingKeys): fixed', () => {
  it.each(FUNCTION_NAMES)('%s: every DynamoDB statement carries a LeadingKeys condition', (name) => {
    for (const statement of dynamoStatements(name)) {
      expect(statement.Condition?.['ForAllValues:StringLike'], JSON.stringify(statement)).toHaveProperty(
        'dynamodb:LeadingKeys',
      );
    }
  });

  it.each(FUNCTION_NAMES)('%s: the synthesized statements are exactly TABLE_GRANTS[its mode]', (name) => {
    const expected = TABLE_GRANTS[FUNCTIONS[name].tableAccess].map((g) => ({
      actions: [...g.actions].sort(),
      on: g.on === 'table' ? 'table' : TABLE.indexes[g.on].name,
      condition: leadingKeysCondition(g.keys),
    }));
    const actual = dynamoStatements(name).map((s) => ({
      actions: [s.Action].flat().sort(),
      on: s.on,
      condition: Object.fromEntries(
        Object.entries(s.Condition ?? {}).map(([op, v]) => [
          op,
          { 'dynamodb:LeadingKeys': [v['dynamodb:LeadingKeys']!].flat() },
        ]),
      ),
    }));
    const key = (x: object) => JSON.stringify(x);
    expect(actual.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it('no table statement is unconditioned anywhere in the stack, and none grants Scan or dynamodb:*', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/dynamodb:Scan/);
    expect(json).not.toMatch(/dynamodb:\*/);
    expect(json).not.toMatch(/index\/\*/);
  });
});

describe('a bug in the users function could write TOKEN# items: fixed', () => {
  for (const name of ['users', 'groups'] as const) {
    it(`${name} reads and writes the tenant's users, groups, memberships, claims and cursors`, () => {
      for (const pk of tenantDataKeys()) {
        for (const action of ['dynamodb:GetItem', ...WRITES])
          expect(allowed(name, action, 'table', [pk]), `${action} ${pk}`).toBe(true);
      }
      expect(allowed(name, 'dynamodb:Query', 'table', [keys.usersPartition('acme')])).toBe(true);
      expect(allowed(name, 'dynamodb:Query', 'gsi1', [keys.userExternalId('acme', 'x1')])).toBe(true);
      expect(allowed(name, 'dynamodb:Query', 'gsi1', [keys.groupDisplayName('acme', 'Admins')])).toBe(true);
      expect(allowed(name, 'dynamodb:Query', 'gsi2', [keys.memberOf('acme', ID)])).toBe(true);
      // A batch is allowed only if every key in it is.
      expect(allowed(name, 'dynamodb:BatchWriteItem', 'table', tenantDataKeys())).toBe(true);
    });

    it(`${name} keeps the tenant's counters (ADD in the same transaction) but never touches a token`, () => {
      expect(allowed(name, 'dynamodb:UpdateItem', 'table', [keys.tenant('acme').pk])).toBe(true);
      expect(allowed(name, 'dynamodb:GetItem', 'table', [keys.tenant('acme').pk])).toBe(true);
      expect(allowed(name, 'dynamodb:PutItem', 'table', [keys.tenant('acme').pk])).toBe(false);
      expect(allowed(name, 'dynamodb:DeleteItem', 'table', [keys.tenant('acme').pk])).toBe(false);
      for (const action of ['dynamodb:GetItem', ...WRITES])
        expect(allowed(name, action, 'table', [keys.token(HASH).pk]), action).toBe(false);
      expect(allowed(name, 'dynamodb:Query', 'gsi1', [keys.tenantTokens('acme')])).toBe(false);
      expect(allowed(name, 'dynamodb:Query', 'gsi1', [keys.allTenants()])).toBe(false);
      // Not even smuggled into a batch with keys it may write.
      expect(allowed(name, 'dynamodb:BatchWriteItem', 'table', [...tenantDataKeys(), keys.token(HASH).pk])).toBe(false);
      // `TENANT#*` is the tenant items only, not the index keys that share the prefix.
      expect(allowed(name, 'dynamodb:UpdateItem', 'table', [keys.tenantTokens('acme')])).toBe(false);
    });

    it(`${name} cannot write the tenant's event feed (only the events function does: no forged event)`, () => {
      for (const action of [...WRITES, 'dynamodb:BatchWriteItem'])
        expect(allowed(name, action, 'table', [keys.feed('acme')]), action).toBe(false);
      expect(allowed(name, 'dynamodb:BatchWriteItem', 'table', [...tenantDataKeys(), keys.feed('acme')])).toBe(false);
      expect(allowed('events', 'dynamodb:BatchWriteItem', 'table', [keys.feed('acme')])).toBe(true);
    });
  }
});

describe('the authorizer reads only tokens and tenants', () => {
  it('reads a token and its tenant, stamps lastUsedAt on the token, nothing else', () => {
    expect(allowed('authorizer', 'dynamodb:GetItem', 'table', [keys.token(HASH).pk])).toBe(true);
    expect(allowed('authorizer', 'dynamodb:UpdateItem', 'table', [keys.token(HASH).pk])).toBe(true);
    expect(allowed('authorizer', 'dynamodb:GetItem', 'table', [keys.tenant('acme').pk])).toBe(true);
    expect(allowed('authorizer', 'dynamodb:UpdateItem', 'table', [keys.tenant('acme').pk])).toBe(false);
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteItem'])
      expect(allowed('authorizer', action, 'table', [keys.token(HASH).pk]), action).toBe(false);
    for (const pk of tenantDataKeys()) expect(allowed('authorizer', 'dynamodb:GetItem', 'table', [pk]), pk).toBe(false);
    expect(dynamoStatements('authorizer').some((s) => s.on !== 'table')).toBe(false);
  });
});

describe('admin: tenants, tokens, and read-only directory views', () => {
  it('writes tenants and tokens, lists a tenant’s tokens and all tenants', () => {
    for (const action of ['dynamodb:GetItem', ...WRITES]) {
      expect(allowed('admin', action, 'table', [keys.tenant('acme').pk]), action).toBe(true);
      expect(allowed('admin', action, 'table', [keys.token(HASH).pk]), action).toBe(true);
    }
    // createToken's transaction: the token item and the tenant's slots, both allowed.
    expect(
      allowed('admin', 'dynamodb:BatchWriteItem', 'table', [keys.token(HASH).pk, keys.token('b'.repeat(64)).pk]),
    ).toBe(true);
    expect(allowed('admin', 'dynamodb:Query', 'gsi1', [keys.tenantTokens('acme')])).toBe(true);
    expect(allowed('admin', 'dynamodb:Query', 'gsi1', [keys.allTenants()])).toBe(true);
  });

  it('reads the directory but writes none of it (page cursors aside)', () => {
    for (const pk of tenantDataKeys()) expect(allowed('admin', 'dynamodb:GetItem', 'table', [pk]), pk).toBe(true);
    expect(allowed('admin', 'dynamodb:PutItem', 'table', [keys.pageCursor('acme', 'q', 1).pk])).toBe(true);
    for (const action of WRITES)
      expect(allowed('admin', action, 'table', [keys.user('acme', ID).pk]), action).toBe(false);
  });
});

describe('tokenExpiry: one Query of the list of tenants', () => {
  it('queries gsi1 TENANTS and nothing else', () => {
    expect(allowed('tokenExpiry', 'dynamodb:Query', 'gsi1', [keys.allTenants()])).toBe(true);
    expect(allowed('tokenExpiry', 'dynamodb:GetItem', 'table', [keys.tenant('acme').pk])).toBe(false);
    expect(allowed('tokenExpiry', 'dynamodb:Query', 'gsi1', [keys.tenantTokens('acme')])).toBe(false);
  });
});

describe('key spaces cover the key layout', () => {
  it('every partition key keys.ts builds falls in a declared key space', () => {
    const sample: Record<string, unknown[]> = {
      tenant: ['acme'],
      allTenants: [],
      usersPartition: ['acme'],
      user: ['acme', ID],
      userName: ['acme', 'bjensen'],
      userExternalId: ['acme', 'x'],
      groupsPartition: ['acme'],
      group: ['acme', ID],
      groupDisplayName: ['acme', 'Admins'],
      groupExternalId: ['acme', 'x'],
      membersPartition: ['acme', ID],
      member: ['acme', ID, OTHER_ID],
      memberOf: ['acme', ID],
      token: [HASH],
      tenantTokens: ['acme'],
      pageCursor: ['acme', 'q', 1],
    };
    const patterns = Object.values(KEY_SPACES).flat();
    for (const [builder, build] of Object.entries(keys) as [string, (...args: unknown[]) => unknown][]) {
      const built = build(...(sample[builder] ?? ['acme', ID, OTHER_ID]));
      const pk = typeof built === 'string' ? built : (built as { pk: string }).pk;
      expect(
        patterns.some((p) => like(p, pk)),
        `keys.${builder} → ${pk}: add its prefix to KEY_SPACES (infra/bind-table.ts) and to the roles that need it`,
      ).toBe(true);
    }
  });
});
