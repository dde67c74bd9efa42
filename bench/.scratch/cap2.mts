import { startDynamoDbLocal, ensureTable } from '#infra/local/dynamodb-local.ts';
import { createDb, metered } from '#store/client.ts';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
const ddb = await startDynamoDbLocal();
await ensureTable(ddb.endpoint, 'ttt');
const db = createDb({ tableName: 'ttt', endpoint: ddb.endpoint });
for (const n of [1, 2, 3, 4, 5, 6, 10]) {
  const { result } = await metered(() => db.doc.send(new TransactWriteCommand({ TransactItems: Array.from({ length: n }, (_, i) => ({ Put: { TableName: 'ttt', Item: { pk: 'n' + n, sk: String(i) } } })) })));
  console.log(n, 'puts', JSON.stringify(result.ConsumedCapacity));
}
for (const n of [1, 3]) {
  const { result } = await metered(() => db.doc.send(new TransactWriteCommand({ TransactItems: Array.from({ length: n }, (_, i) => ({ Put: { TableName: 'ttt', Item: { pk: 'g' + n, sk: String(i), gsi1pk: 'x' + i, gsi1sk: 'y' } } })) })));
  console.log(n, 'puts with gsi', JSON.stringify(result.ConsumedCapacity));
}
const big = 'x'.repeat(1500);
const { result } = await metered(() => db.doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 'ttt', Item: { pk: 'big', sk: '1', d: big } } }] })));
console.log('1 put 1.5KB', JSON.stringify(result.ConsumedCapacity));
const r2 = await metered(() => db.doc.send(new UpdateCommand({ TableName: 'ttt', Key: { pk: 'big', sk: '1' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 1 } })));
console.log('update 1.5KB', r2.cost.wcu);
await ddb.stop();
