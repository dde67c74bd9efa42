// The exact DynamoDB requests behind the directory's access patterns (DESIGN.md "Storage"): each
// is a fixed number of key lookups, never a Scan. Pinned with a mocked document client.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '#store/client.ts';
import {
  changeMembers,
  deleteResource,
  findByExternalId,
  findGroupsByDisplayName,
  findUserIdByUserName,
  getResource,
  groupIdsOf,
  isMember,
  listMembers,
  listResources,
  MAX_GROUPS_PER_MEMBER,
  MissingMembers,
  TooManyGroups,
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

  it("a page of a group's user members: one Query after a member id, filtered to users", async () => {
    await listMembers(db, 'acme', 'G1', 1, { type: 'User', after: 'U5' });
    expect(input(QueryCommand)).toEqual([
      {
        TableName: 'unit',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'T#acme#MEMBERS#G1', ':mt': 'User' },
        FilterExpression: 'mt = :mt',
        Limit: 2,
        ConsistentRead: true,
        ExclusiveStartKey: { pk: 'T#acme#MEMBERS#G1', sk: 'U5' },
      },
    ]);
  });

  it("a user's groups and a group's member counts come with the item", async () => {
    ddb.on(GetCommand).resolves({
      Item: { pk: 'T#acme#USER', sk: 'U1', rt: 'User', v: 3, doc: {}, grp: new Set(['G2', 'G1']), mk: 1 },
    });
    expect(await getResource(db, 'acme', 'User', 'U1')).toMatchObject({ groups: ['G1', 'G2'], membershipKept: true });
    ddb.on(GetCommand).resolves({ Item: { pk: 'T#acme#USER', sk: 'U2', rt: 'User', v: 1, doc: {} } });
    // An item from before `grp` was kept: its groups are read from the index instead.
    expect(await getResource(db, 'acme', 'User', 'U2')).toMatchObject({ groups: [], membershipKept: false });
    ddb.on(GetCommand).resolves({ Item: { pk: 'T#acme#GROUP', sk: 'G1', rt: 'Group', v: 1, doc: {}, mcu: 7, mk: 1 } });
    expect(await getResource(db, 'acme', 'Group', 'G1')).toMatchObject({ memberCounts: { users: 7, groups: 0 } });
  });
});

const NOW = '2030-01-01T00:00:00.000Z';
type Tx = Array<Record<string, Record<string, unknown>>>;
const transactions = () => input(TransactWriteCommand).map((t) => t.TransactItems as Tx);
const kinds = (tx: Tx) => tx.map((i) => Object.keys(i)[0]);
const cancelled = (reasons: Array<{ Code: string; Item?: Record<string, unknown> }>) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: reasons as never });
const ok = { Code: 'None' };
const failed = (Item?: Record<string, unknown>) => ({ Code: 'ConditionalCheckFailed', ...(Item ? { Item } : {}) });

describe('membership writes', () => {
  it("adding one member: one transaction; the group's count and the user's groups move with the member item", async () => {
    const version = await changeMembers(db, 'acme', 'G1', { add: [{ value: 'U1', type: 'User' }], remove: [] }, NOW, {
      ifVersion: 4,
    });
    expect(input(QueryCommand)).toEqual([]);
    expect(input(GetCommand)).toEqual([]);
    // With If-Match the new version is known without reading: the condition pinned the old one.
    expect(version).toBe(5);
    const [tx] = transactions();
    expect(kinds(tx!)).toEqual(['Update', 'Put', 'Update']);
    expect(tx![0]!.Update).toMatchObject({
      Key: { pk: 'T#acme#GROUP', sk: 'G1' },
      UpdateExpression: 'SET lastModified = :now, lw = :writer ADD v :one, mcu :du',
      ConditionExpression: 'attribute_exists(pk) AND v = :v',
      ExpressionAttributeValues: { ':du': 1, ':v': 4 },
    });
    // The member item must be new (so the count is exact).
    expect(tx![1]!.Put).toMatchObject({
      Item: { pk: 'T#acme#MEMBERS#G1', sk: 'U1', gsi2pk: 'T#acme#MEMBER#U1', gsi2sk: 'G1', mt: 'User' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    // The user must exist (it replaces the old ConditionCheck) and its groups and version move.
    expect(tx![2]!.Update).toMatchObject({
      Key: { pk: 'T#acme#USER', sk: 'U1' },
      UpdateExpression: 'SET lastModified = :now ADD grp :g, v :one',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(grp) OR size(grp) < :max)',
      ExpressionAttributeValues: { ':g': new Set(['G1']), ':max': MAX_GROUPS_PER_MEMBER },
    });
  });

  it('without If-Match the new version is read back once, and only trusted if this request wrote last', async () => {
    const lastWriter = () =>
      (transactions().at(-1)![0]!.Update!.ExpressionAttributeValues as Record<string, unknown>)[':writer'];
    ddb.on(GetCommand).callsFake(() => ({ Item: { v: 10, lw: lastWriter() } }));
    expect(await changeMembers(db, 'acme', 'G1', { add: [], remove: ['U1'] }, NOW, { wantVersion: true })).toBe(10);
    expect(input(GetCommand)).toEqual([
      { TableName: 'unit', Key: { pk: 'T#acme#GROUP', sk: 'G1' }, ProjectionExpression: 'v, lw', ConsistentRead: true },
    ]);
    // Another write came in between: its version is not this request's, so no ETag.
    ddb.on(GetCommand).resolves({ Item: { v: 11, lw: 'another request' } });
    expect(await changeMembers(db, 'acme', 'G1', { add: [], remove: ['U1'] }, NOW, { wantVersion: true })).toBe(
      undefined,
    );
  });

  it('adding a member already there drops it (or only refreshes its display) and retries', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        cancelled([
          ok,
          failed({ pk: { S: 'x' }, mt: { S: 'User' } }),
          ok,
          failed({ pk: { S: 'y' }, mt: { S: 'Group' } }),
          ok,
        ]),
      )
      .resolves({});
    await changeMembers(
      db,
      'acme',
      'G1',
      {
        add: [
          { value: 'U1', type: 'User' },
          { value: 'G2', type: 'User', display: 'Team' },
        ],
        remove: [],
      },
      NOW,
    );
    const [first, second] = transactions();
    expect(kinds(first!)).toEqual(['Update', 'Put', 'Update', 'Put', 'Update']);
    // U1 is dropped; G2 keeps its stored type, gets its new display, and nothing is counted.
    expect(kinds(second!)).toEqual(['Update', 'Update']);
    expect(second![0]!.Update!.UpdateExpression).toBe('SET lastModified = :now, lw = :writer ADD v :one');
    // Only if the member item is still there: a Put would re-create one a remove just deleted.
    expect(second![1]!.Update).toEqual({
      TableName: 'unit',
      Key: { pk: 'T#acme#MEMBERS#G1', sk: 'G2' },
      UpdateExpression: 'SET #display = :display',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#display': 'display' },
      ExpressionAttributeValues: { ':display': 'Team' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('a display refresh that finds the member removed meanwhile adds it again, counted', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled([ok, failed({ pk: { S: 'x' }, mt: { S: 'User' }, display: { S: 'Old' } }), ok]))
      .rejectsOnce(cancelled([ok, failed()]))
      .resolves({});
    await changeMembers(db, 'acme', 'G1', { add: [{ value: 'U1', type: 'User', display: 'Ada' }], remove: [] }, NOW);
    const [, refresh, add] = transactions();
    expect(kinds(refresh!)).toEqual(['Update', 'Update']);
    expect(refresh![1]!.Update).toMatchObject({ ConditionExpression: 'attribute_exists(pk)' });
    // The add again: a new member item, the user's groups and the group's count all move.
    expect(kinds(add!)).toEqual(['Update', 'Put', 'Update']);
    expect(add![0]!.Update!.ExpressionAttributeValues).toMatchObject({ ':du': 1 });
    expect(add![1]!.Put).toMatchObject({
      Item: { sk: 'U1', mt: 'User', display: 'Ada' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(add![2]!.Update).toMatchObject({
      Key: { pk: 'T#acme#USER', sk: 'U1' },
      UpdateExpression: 'SET lastModified = :now ADD grp :g, v :one',
    });
  });

  it('removing a member stored as a group is retried with that type; a non-member is dropped', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled([ok, failed({ pk: { S: 'x' }, mt: { S: 'Group' } }), ok, failed(), ok]))
      .resolves({});
    await changeMembers(db, 'acme', 'G1', { add: [], remove: ['G2', 'U9'] }, NOW);
    const [, second] = transactions();
    expect(kinds(second!)).toEqual(['Update', 'Delete', 'Update']);
    expect(second![0]!.Update!.ExpressionAttributeValues).toMatchObject({ ':dg': -1 });
    expect(second![1]!.Delete).toMatchObject({
      Key: { pk: 'T#acme#MEMBERS#G1', sk: 'G2' },
      ConditionExpression: 'attribute_exists(pk) AND mt = :mt',
      ExpressionAttributeValues: { ':mt': 'Group' },
    });
    expect(second![2]!.Update).toMatchObject({
      Key: { pk: 'T#acme#GROUP', sk: 'G2' },
      UpdateExpression: 'SET lastModified = :now ADD v :one DELETE grp :g',
    });
  });

  it('a member that does not exist is MissingMembers; one at the group limit is TooManyGroups', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled([ok, ok, failed()]));
    await expect(
      changeMembers(db, 'acme', 'G1', { add: [{ value: 'U1', type: 'User' }], remove: [] }, NOW),
    ).rejects.toBeInstanceOf(MissingMembers);
    ddb.on(TransactWriteCommand).rejects(cancelled([ok, ok, failed({ pk: { S: 'x' } })]));
    await expect(
      changeMembers(db, 'acme', 'G1', { add: [{ value: 'U1', type: 'User' }], remove: [] }, NOW),
    ).rejects.toBeInstanceOf(TooManyGroups);
  });

  it('100 members: chunks of 49 pairs, every chunk moving the version and the count', async () => {
    const add = Array.from({ length: 100 }, (_, i) => ({ value: `U${i}`, type: 'User' as const }));
    await changeMembers(db, 'acme', 'G1', { add, remove: [] }, NOW, { ifVersion: 1 });
    const txs = transactions();
    expect(txs.map((t) => t.length)).toEqual([99, 99, 5]);
    expect(txs.map((t) => (t[0]!.Update!.ExpressionAttributeValues as Record<string, unknown>)[':du'])).toEqual([
      49, 49, 2,
    ]);
    // Only the first chunk carries If-Match.
    expect(txs.map((t) => t[0]!.Update!.ConditionExpression)).toEqual([
      'attribute_exists(pk) AND v = :v',
      'attribute_exists(pk)',
      'attribute_exists(pk)',
    ]);
  });

  it('deleting a user: one transaction, conditioned on the version read, leaving the groups on its item', async () => {
    const user = {
      id: 'U1',
      resourceType: 'User' as const,
      version: 6,
      created: NOW,
      lastModified: NOW,
      doc: { userName: 'ada' },
      groups: ['G1', 'G2'],
      membershipKept: true,
    };
    await deleteResource(db, 'acme', user, NOW);
    expect(input(QueryCommand)).toEqual([]);
    const [tx] = transactions();
    expect(kinds(tx!)).toEqual(['Delete', 'Update', 'Delete', 'Delete', 'Update', 'Delete', 'Update']);
    expect(tx![0]!.Delete).toMatchObject({ ConditionExpression: 'attribute_exists(pk) AND v = :v' });
    expect(tx![4]!.Update).toMatchObject({
      Key: { pk: 'T#acme#GROUP', sk: 'G1' },
      UpdateExpression: 'SET lastModified = :now ADD v :one, mcu :du REMOVE lw',
      ExpressionAttributeValues: { ':du': -1 },
    });
  });

  it("deleting a group in a two-group cycle writes the other group's item once: count and groups", async () => {
    const group = {
      id: 'G1',
      resourceType: 'Group' as const,
      version: 3,
      created: NOW,
      lastModified: NOW,
      doc: { displayName: 'G1' },
      groups: ['G2'],
      membershipKept: true,
      memberCounts: { users: 0, groups: 1 },
    };
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'T#acme#MEMBERS#G1', sk: 'G2', mt: 'Group' }] });
    await deleteResource(db, 'acme', group, NOW);
    const [tx] = transactions();
    // G1 item, counter, G1's leave of G2 (link + G2's item), G1's detach of G2 (link only).
    expect(kinds(tx!)).toEqual(['Delete', 'Update', 'Delete', 'Update', 'Delete']);
    expect(tx![3]!.Update).toMatchObject({
      Key: { pk: 'T#acme#GROUP', sk: 'G2' },
      UpdateExpression: 'SET lastModified = :now ADD v :one, mcg :dg REMOVE lw DELETE grp :g',
      ExpressionAttributeValues: { ':dg': -1, ':g': new Set(['G1']) },
    });
    expect(tx![4]!.Delete).toMatchObject({ Key: { pk: 'T#acme#MEMBERS#G1', sk: 'G2' } });
  });

  it('a cycle whose leave turns out stale: the detach writes the other group itself again', async () => {
    const group = {
      id: 'G1',
      resourceType: 'Group' as const,
      version: 3,
      created: NOW,
      lastModified: NOW,
      doc: { displayName: 'G1' },
      groups: ['G2'],
      membershipKept: true,
      memberCounts: { users: 0, groups: 1 },
    };
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'T#acme#MEMBERS#G1', sk: 'G2', mt: 'Group' }] });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled([ok, ok, failed(), ok, ok]))
      .resolves({});
    await deleteResource(db, 'acme', group, NOW);
    const [, second] = transactions();
    expect(kinds(second!)).toEqual(['Delete', 'Update', 'Delete', 'Update']);
    expect(second![3]!.Update).toMatchObject({
      Key: { pk: 'T#acme#GROUP', sk: 'G2' },
      UpdateExpression: 'SET lastModified = :now ADD v :one DELETE grp :g',
    });
  });
});
