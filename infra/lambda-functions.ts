// The directory's Lambda functions as ScimApi builds them (scim-api.ts): where each entry file is,
// in the repository and in the published package, and how it is bundled, sized and logged.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { positiveInteger } from '#infra/scim-api-props.ts';
import { METRICS_NAMESPACE, SERVICE_NAME_ENV } from '#functions/metric-names.ts';
import type { FunctionName, FunctionSpec } from '#api/routes.ts';

/** The package root: entry files in FUNCTIONS are relative to it. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * A function's entry file: the TypeScript source in this repository; in the published package,
 * where PACKAGE_ROOT is its dist/ folder, the compiled `.js` beside where the source would be.
 */
export function entryFile(entry: string): string {
  const source = join(PACKAGE_ROOT, entry);
  return existsSync(source) ? source : source.replace(/\.ts$/, '.js');
}

// Route handlers stay under API Gateway's 29 s integration timeout, so a slow call ends as our
// own error rather than a gateway 504. The authorizer is one GetItem (+ one UpdateItem).
const TIMEOUTS: Record<'authorizer' | 'route', Duration> = {
  authorizer: Duration.seconds(5),
  route: Duration.seconds(20),
};

/** How every function is built, beyond its own FunctionSpec. */
export interface FunctionOptions {
  readonly logRetention: RetentionDays;
  readonly tracing: boolean;
  readonly sourceMaps: boolean | undefined;
  readonly bundleAwsSdk: boolean | undefined;
  readonly serviceName: string;
  readonly reservedConcurrency: number | undefined;
}

/** One function of the directory, with its own log group and role; `scope` is the ScimApi. */
export function createFunction(
  scope: Construct,
  name: FunctionName,
  spec: FunctionSpec,
  options: FunctionOptions,
): LambdaFunction {
  const id = pascalCase(name);
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: options.logRetention });
  // Its own role, allowed to write its own log group only (instead of the AWS managed
  // AWSLambdaBasicExecutionRole, which may write any log group of the account).
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `SCIM directory: the ${name} function`,
  });
  logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
  const lockFile = join(PACKAGE_ROOT, 'package-lock.json');
  return new NodejsFunction(scope, `${id}Function`, {
    entry: entryFile(spec.entry),
    handler: 'handler',
    description: spec.description,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: spec.memoryMb,
    timeout: name === 'authorizer' ? TIMEOUTS.authorizer : TIMEOUTS.route,
    logGroup,
    role,
    ...(options.tracing ? { tracing: Tracing.ACTIVE } : {}),
    ...(options.reservedConcurrency === undefined
      ? {}
      : {
          reservedConcurrentExecutions: positiveInteger(`reservedConcurrency.${name}`, options.reservedConcurrency),
        }),
    environment: {
      // Powertools (functions/telemetry.ts): metrics namespace, the `service` dimension, tracing.
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      [SERVICE_NAME_ENV]: options.serviceName,
      POWERTOOLS_TRACE_ENABLED: String(options.tracing),
      ...(options.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    },
    // Inside this repository, bundle against its own lock file; embedded as a dependency (no lock
    // file shipped), let CDK find the consuming app's one.
    ...(existsSync(lockFile) ? { depsLockFilePath: lockFile, projectRoot: PACKAGE_ROOT } : {}),
    bundling: bundlingOptions(options.sourceMaps ?? false, options.bundleAwsSdk ?? false),
  });
}

/** esbuild settings shared by every function (exported for the bundling test). */
export function bundlingOptions(sourceMaps: boolean, bundleAwsSdk = false): BundlingOptions {
  return {
    // Never fall back to Docker: the local esbuild (devDependency, node_modules/.bin) bundles offline.
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    // Prefer packages' ESM builds so tree-shaking can drop what a handler does not import.
    mainFields: ['module', 'main'],
    minify: true,
    // Error classes set `name = new.target.name` and logs print it: keep class names through minify.
    keepNames: true,
    sourceMap: sourceMaps,
    sourcesContent: false,
    // By default the Node 22 runtime's AWS SDK v3 is used (`@aws-sdk/*` external): the SDK is
    // most of a bundle's size. `bundleAwsSdk: true` pins the tested versions instead.
    bundleAwsSDK: bundleAwsSdk,
    // Some CommonJS dependencies call require() for Node built-ins, which an ES module lacks.
    banner:
      "import { createRequire as __scimCreateRequire } from 'node:module'; const require = __scimCreateRequire(import.meta.url);",
    esbuildArgs: { '--tree-shaking': 'true' },
  };
}

/** A name as a construct id: `users` -> `Users`, `DEFAULT_4XX` -> `Default4xx`. */
export const pascalCase = (name: string) =>
  name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
