// Starts one DynamoDB Local (in memory, free port) for the whole test run; every test file makes
// its own table through test/support/local-api.ts, so files never see each other's data.
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '#infra/local/dynamodb-local.ts';

let ddb: DynamoDbLocal | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  // Every file's table (the fuzz test's 10,000 requests, the cost test's 2,000 users, their
  // streams) stays in this one JVM's heap for the whole run: more room than the local runner's 1 GB.
  ddb = await startDynamoDbLocal({ heap: '4g' });
  project.provide('dynamodbEndpoint', ddb.endpoint);
  return async () => {
    await ddb?.stop();
  };
}
