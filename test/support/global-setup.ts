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
  ddb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', ddb.endpoint);
  return async () => {
    await ddb?.stop();
  };
}
