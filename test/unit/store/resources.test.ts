// The exact DynamoDB requests behind the directory's access patterns (DESIGN.md "Storage"): each
// is a fixed number of key lookups, never a Scan. Pinned with a mocked document client.
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '#store/client.ts';
import {
  changeMembers,
  findByExternalId,
  findGroupsByDisplayName,
  findUserIdByUserName,
  getResource,
  groupIdsOf,
  isMember,
  listMembers,
  listResources,
} from '#store/resources.ts';

const db = createDb({ tableName: 'unit', endpoint: 'http://127.0.0.1:9' });
const ddb = mockClient(db.doc);
const input = (
  command: typeof GetCommand | typeof QueryCommand | typeof BatchGetCommand | typeof TransactWriteCommand,
) => ddb.commandCalls(command as never).map((c) => (c.args[0] as { input: Record<string, unknown> }).input);

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(BatchGetCommand).resolves({ Responses: {} });
  ddb.on(TransactWriteCommand).resolves({});
});

describe('access patterns', () => {
  it('user by id: one consistent GetItem', async () => {
    await getResource(db, 'acme', 'User', 'U1');
    expect(input(GetCommand)).toEqual([
      { TableName: 'unit', Key: { pk: 'T#acme#USER', sk: 'U1' }, ConsistentRead: true },
    ]);
  });

  it('user by userName: one consistent GetItem on the lower-cased claim', async () => {
    await findUserIdByUserName(db, 'acme', 'Ada@Example.COM');
    expect(input(GetCommand)).toEqual([
      { TableName: 'unit', Key: { pk: 'T#acme#USERNAME#ada@example.com', sk: 'UNIQUE' }, ConsistentRead: true },
    ]);
  });

  it('user by externalId: one Query on gsi1', async () => {
    await findByExternalId(db, 'acme', 'User', 'X-1');
    expect(input(QueryCommand)).toEqual([
      {
        TableName: 'unit',
        IndexName: 'gsi1',
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'gsi1pk' },
        ExpressionAttributeValues: { ':pk': 'T#acme#USER#XID#X-1' },
      },
    ]);
  });

  it('group by externalId: one Query on gsi2; by displayName: one Query on gsi1, case-insensitive', async () => {
    await findByExternalId(db, 'acme', 'Group', 'G-1');
    await findGroupsByDisplayName(db, 'acme', 'Engineering');
    expect(
      input(QueryCommand).map((i) => [i.IndexName, (i.ExpressionAttributeValues as Record<string, string>)[':pk']]),
    ).toEqual([
      ['gsi2', 'T#acme#GROUP#XID#G-1'],
      ['gsi1', 'T#acme#GROUP#DN#engineering'],
    ]);
  });

  it('groups of a user: one Query on the inverted index (gsi2)', async () => {
    await groupIdsOf(db, 'acme', 'U1');
    expect(input(QueryCommand)[0]).toMatchObject({
      IndexName: 'gsi2',
      ExpressionAttributeValues: { ':pk': 'T#acme#MEMBER#U1' },
    });
  });

  it('membership check: one consistent GetItem on the member item', async () => {
    await isMember(db, 'acme', 'G1', 'U1');
    expect(input(GetCommand)).toEqual([
      { TableName: 'unit', Key: { pk: 'T#acme#MEMBERS#G1', sk: 'U1' }, ConsistentRead: true },
    ]);
  });

  it('a page of users: one Query on the tenant collection after the last key, in ULID order', async () => {
    await listResources(db, 'acme', 'User', { limit: 100, after: 'U9' });
    expect(input(QueryCommand)).toEqual([
      {
        TableName: 'unit',
        KeyConditionExpression: 'pk = :pk AND sk > :after',
        ExpressionAttributeValues: { ':pk': 'T#acme#USER', ':after': 'U9' },
        Limit: 100,
        ConsistentRead: true,
      },
    ]);
  });

  it("a group with its members: Query over the group's member collection", async () => {
    await listMembers(db, 'acme', 'G1', 50);
    expect(input(QueryCommand)[0]).toMatchObject({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'T#acme#MEMBERS#G1' },
      Limit: 51,
    });
  });

  it('adding one member: one transaction of three items, never reading the member list', async () => {
    await changeMembers(
      db,
      'acme',
      'G1',
      { add: [{ value: 'U1', type: 'User' }], remove: [] },
      '2030-01-01T00:00:00.000Z',
    );
    expect(input(QueryCommand)).toEqual([]);
    const [tx] = input(TransactWriteCommand);
    const items = tx!.TransactItems as Array<
      Record<string, { Key?: unknown; Item?: Record<string, unknown>; ConditionExpression?: string }>
    >;
    expect(items.map((i) => Object.keys(i)[0])).toEqual(['Update', 'Put', 'ConditionCheck']);
    // The group must exist, the member must exist, and the version moves.
    expect(items[0]!.Update!.ConditionExpression).toBe('attribute_exists(pk)');
    expect(items[1]!.Put!.Item).toMatchObject({
      pk: 'T#acme#MEMBERS#G1',
      sk: 'U1',
      gsi2pk: 'T#acme#MEMBER#U1',
      gsi2sk: 'G1',
    });
    expect(items[2]!.ConditionCheck).toMatchObject({
      Key: { pk: 'T#acme#USER', sk: 'U1' },
      ConditionExpression: 'attribute_exists(pk)',
    });
  });
});
