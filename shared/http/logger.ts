import { Logger } from '@aws-lambda-powertools/logger';

type LogLevel = NonNullable<ConstructorParameters<typeof Logger>[0]>['logLevel'];

// One logger for all functions. It never receives request headers or bodies, so a bearer token
// cannot reach a log line; the token tests assert that.
export const logger = new Logger({
  serviceName: 'scim-directory',
  logLevel: (process.env.LOG_LEVEL ?? (process.env.VITEST ? 'SILENT' : 'INFO')) as LogLevel,
});
