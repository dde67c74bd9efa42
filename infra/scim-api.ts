// ScimApi: the whole SCIM directory as one construct (table, functions, REST API), so a team can
// embed it in its own CDK app. Everything is generated from the two declarations that the local
// runner uses too: ROUTES / FUNCTIONS (shared/api/routes.ts) and TABLE (shared/store/table.ts).

import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
  TokenAuthorizer,
  type MethodOptions,
} from 'aws-cdk-lib/aws-apigateway';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bindTable } from '#infra/bind-table.ts';
import {
  GATEWAY_RESPONSES,
  SCIM_ERROR_CONTENT_TYPE,
  responseTypeOf,
  scimErrorTemplate,
} from '#infra/gateway-responses.ts';
import {
  ADMIN_PREFIX,
  FUNCTIONS,
  ROUTES,
  SCIM_PREFIX,
  type FunctionName,
  type FunctionSpec,
  type Route,
  type RouteFunction,
} from '#api/routes.ts';
import { CUSTOM_EXTENSION_ENV, parseCustomExtension } from '#scim/schema/custom-extension.ts';
import { TABLE } from '#store/table.ts';

/** The package root: entry files in FUNCTIONS are relative to it. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ScimThrottle {
  /** Steady-state requests per second for the stage. @default 50 */
  readonly rateLimit?: number;
  /** Burst bucket size. @default 100 */
  readonly burstLimit?: number;
}

export interface ScimApiProps {
  /** API Gateway stage; URLs are `https://<api>/<stageName>/scim/v2`. @default 'prod' */
  readonly stageName?: string;
  /**
   * How long API Gateway caches the authorizer's answer per token. A revoked or switched-off token
   * keeps working for at most this long; 0 disables caching (one authorizer call per request).
   * @default Duration.seconds(60)
   */
  readonly authorizerCacheTtl?: Duration;
  /** Default lifetime of a new SCIM token (whole days). @default Duration.days(365) */
  readonly tokenLifetime?: Duration;
  /** Active tokens a tenant may hold at once (2 allows rotation without downtime). @default 2 */
  readonly maxActiveTokens?: number;
  /**
   * IdP egress addresses (IPv4/IPv6, CIDR or single address). When set, a resource policy denies
   * /scim/v2/* to every other source address. /admin stays reachable (it is IAM-signed).
   * @default - no restriction
   */
  readonly allowedSourceIps?: readonly string[];
  /** Retention of the function and access log groups. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Stage-wide throttling (applies to every method). @default { rateLimit: 50, burstLimit: 100 } */
  readonly throttle?: ScimThrottle;
  /**
   * The deployment's custom User extension (the JSON shape documented in
   * shared/scim/schema/custom-extension.ts). Validated at synth, passed as SCIM_CUSTOM_EXTENSION.
   * @default - the built-in default extension
   */
  readonly customExtension?: Record<string, unknown>;
  /** X-Ray tracing on the stage and the functions. @default false */
  readonly tracing?: boolean;
  /** Ship linked source maps and run with --enable-source-maps (bigger bundles, slower cold start). @default false */
  readonly sourceMaps?: boolean;
  /**
   * Create the account-wide role that lets API Gateway write access logs (AWS::ApiGateway::Account).
   * Turn off if your organisation already sets it for the account and region.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
  /**
   * Bundle the pinned AWS SDK into each function instead of using the copy in the Lambda runtime.
   * Off by default (as in CDK's NodejsFunction): bundles stay small (users ~160 KB instead of
   * ~520 KB) and the code uses only stable DynamoDB client APIs. Turn on to run exactly the SDK
   * versions the tests ran against.
   * @default false
   */
  readonly bundleAwsSdk?: boolean;
}

export const SCIM_API_DEFAULTS = {
  stageName: 'prod',
  authorizerCacheTtl: Duration.seconds(60),
  tokenLifetime: Duration.days(365),
  maxActiveTokens: 2,
  logRetention: RetentionDays.ONE_MONTH,
  throttle: { rateLimit: 50, burstLimit: 100 },
} as const;

// Lambda allows 4 KB of environment variables in total; keep room for the others.
const MAX_CUSTOM_EXTENSION_BYTES = 3000;

// Route handlers stay under API Gateway's 29 s integration timeout, so a slow call ends as our
// own error rather than a gateway 504. The authorizer is one GetItem (+ one UpdateItem).
const TIMEOUTS: Record<'authorizer' | 'route', Duration> = {
  authorizer: Duration.seconds(5),
  route: Duration.seconds(20),
};

// The functions that serve each kind of route, derived from ROUTES rather than listed again.
const functionsServing = (auth: Route['auth']) =>
  new Set<RouteFunction>(ROUTES.filter((r) => r.auth === auth).map((r) => r.function));

export class ScimApi extends Construct {
  readonly api: RestApi;
  readonly table: Table;
  readonly functions: Readonly<Record<FunctionName, LambdaFunction>>;
  readonly authorizer: TokenAuthorizer;
  readonly accessLogGroup: LogGroup;
  /** `https://<api>.execute-api.<region>.amazonaws.com/<stage>/scim/v2` (no trailing slash). */
  readonly scimBaseUrl: string;
  /** `https://<api>.execute-api.<region>.amazonaws.com/<stage>/admin`. */
  readonly adminBaseUrl: string;

  constructor(scope: Construct, id: string, props: ScimApiProps = {}) {
    super(scope, id);
    const stageName = props.stageName ?? SCIM_API_DEFAULTS.stageName;
    const logRetention = props.logRetention ?? SCIM_API_DEFAULTS.logRetention;
    const tokenLifetimeDays = wholeDays(props.tokenLifetime ?? SCIM_API_DEFAULTS.tokenLifetime);
    const maxActiveTokens = positiveInteger(
      'maxActiveTokens',
      props.maxActiveTokens ?? SCIM_API_DEFAULTS.maxActiveTokens,
    );
    const customExtension = props.customExtension && customExtensionEnv(props.customExtension);
    const allowedSourceIps = props.allowedSourceIps && validSourceIps(props.allowedSourceIps);

    this.table = this.createTable();

    const scimFunctions = functionsServing('scim');
    const adminFunctions = functionsServing('admin');
    const functions = {} as Record<FunctionName, LambdaFunction>;
    for (const [name, spec] of Object.entries(FUNCTIONS) as [FunctionName, FunctionSpec][]) {
      const fn = this.createFunction(name, spec, {
        logRetention,
        tracing: props.tracing,
        sourceMaps: props.sourceMaps,
        bundleAwsSdk: props.bundleAwsSdk,
      });
      bindTable(fn, this.table, spec.tableAccess);
      if (name !== 'authorizer' && adminFunctions.has(name)) {
        fn.addEnvironment('TOKEN_LIFETIME_DAYS', String(tokenLifetimeDays));
        fn.addEnvironment('MAX_ACTIVE_TOKENS', String(maxActiveTokens));
      }
      if (customExtension && name !== 'authorizer' && scimFunctions.has(name)) {
        fn.addEnvironment(CUSTOM_EXTENSION_ENV, customExtension);
      }
      functions[name] = fn;
    }
    this.functions = functions;

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: logRetention });
    const throttle = { ...SCIM_API_DEFAULTS.throttle, ...props.throttle };
    this.api = new RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-scim`,
      description: 'SCIM 2.0 directory: /scim/v2 (bearer token), /admin (AWS_IAM)',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      cloudWatchRole: props.cloudWatchRole ?? true,
      ...(allowedSourceIps ? { policy: sourceIpPolicy(allowedSourceIps) } : {}),
      deployOptions: {
        stageName,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: ACCESS_LOG_FORMAT,
        // Execution logs stay off: at INFO with data tracing they would record request headers.
        loggingLevel: MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        tracingEnabled: props.tracing ?? false,
      },
    });
    // RestApi adds an `Endpoint` output with a hashed key; the stack publishes stable ones instead.
    this.api.node.tryRemoveChild('Endpoint');
    // A changed resource policy only takes effect with a new deployment; CDK does not hash it in.
    if (allowedSourceIps) this.api.latestDeployment?.addToLogicalId({ allowedSourceIps });

    this.authorizer = new TokenAuthorizer(this, 'Authorizer', {
      handler: functions.authorizer,
      identitySource: IdentitySource.header('Authorization'),
      resultsCacheTtl: props.authorizerCacheTtl ?? SCIM_API_DEFAULTS.authorizerCacheTtl,
      // No validationRegex: a request failing it gets the generic UNAUTHORIZED answer before the
      // authorizer runs, so the client would never see the precise reason (expired, revoked,
      // wrong scheme), and RFC 7235 makes the "Bearer" scheme case-insensitive anyway.
    });

    this.addRoutes(functions);
    this.addGatewayResponses();

    this.scimBaseUrl = this.api.urlForPath(SCIM_PREFIX);
    this.adminBaseUrl = this.api.urlForPath(ADMIN_PREFIX);
  }

  private createTable(): Table {
    const { partitionKey, sortKey, ttlAttribute, indexes } = TABLE;
    const table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // The directory outlives the stack: `cdk destroy` leaves the table (and its data) behind.
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: ttlAttribute,
      // For the application that owns the directory and reacts to changes.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
    });
    for (const index of Object.values(indexes)) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }

  private createFunction(
    name: FunctionName,
    spec: FunctionSpec,
    options: {
      logRetention: RetentionDays;
      tracing: boolean | undefined;
      sourceMaps: boolean | undefined;
      bundleAwsSdk: boolean | undefined;
    },
  ): LambdaFunction {
    const id = pascalCase(name);
    const logGroup = new LogGroup(this, `${id}Logs`, { retention: options.logRetention });
    const lockFile = join(PACKAGE_ROOT, 'package-lock.json');
    return new NodejsFunction(this, `${id}Function`, {
      entry: join(PACKAGE_ROOT, spec.entry),
      handler: 'handler',
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: name === 'authorizer' ? TIMEOUTS.authorizer : TIMEOUTS.route,
      logGroup,
      ...(options.tracing ? { tracing: Tracing.ACTIVE } : {}),
      ...(options.sourceMaps ? { environment: { NODE_OPTIONS: '--enable-source-maps' } } : {}),
      // Inside this repository, bundle against its own lock file; embedded as a dependency (no lock
      // file shipped), let CDK find the consuming app's one.
      ...(existsSync(lockFile) ? { depsLockFilePath: lockFile, projectRoot: PACKAGE_ROOT } : {}),
      bundling: bundlingOptions(options.sourceMaps ?? false, options.bundleAwsSdk ?? false),
    });
  }

  private addRoutes(functions: Record<FunctionName, LambdaFunction>): void {
    // One integration per function. `scopePermissionToMethod: false` gives each function a single
    // invoke permission for this API instead of two per method (26 routes would mean 52
    // permissions and a Lambda resource policy close to its size limit).
    const integrations = new Map<RouteFunction, LambdaIntegration>();
    const integrationFor = (fn: RouteFunction) => {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new LambdaIntegration(functions[fn], { proxy: true, scopePermissionToMethod: false });
        integrations.set(fn, integration);
      }
      return integration;
    };
    const scimAuth: MethodOptions = { authorizationType: AuthorizationType.CUSTOM, authorizer: this.authorizer };
    const adminAuth: MethodOptions = { authorizationType: AuthorizationType.IAM };
    for (const route of ROUTES) {
      // resourceForPath reuses existing segments, so /Users/{id} and /Users/.search become siblings.
      const resource = this.api.root.resourceForPath(route.path);
      resource.addMethod(route.method, integrationFor(route.function), route.auth === 'scim' ? scimAuth : adminAuth);
    }
  }

  private addGatewayResponses(): void {
    for (const response of GATEWAY_RESPONSES) {
      const template = scimErrorTemplate(response);
      this.api.addGatewayResponse(`Gateway${pascalCase(response.type)}`, {
        type: responseTypeOf(response),
        statusCode: String(response.status),
        responseHeaders: {
          // Header values are mapping expressions: a static value is single-quoted.
          'Content-Type': `'${SCIM_ERROR_CONTENT_TYPE}'`,
          ...Object.fromEntries(Object.entries(response.headers ?? {}).map(([k, v]) => [k, `'${v}'`])),
        },
        // Keyed by the media type the client accepts; both SCIM media types get the same body.
        templates: { 'application/json': template, [SCIM_ERROR_CONTENT_TYPE]: template },
      });
    }
  }
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

// Access log: who called what and how it ended. API Gateway cannot log request headers here, so
// the Authorization header (the bearer token) never reaches this log.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    extendedRequestId: AccessLogField.contextExtendedRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    sourceIp: AccessLogField.contextIdentitySourceIp(),
    userAgent: AccessLogField.contextIdentityUserAgent(),
    method: AccessLogField.contextHttpMethod(),
    resourcePath: AccessLogField.contextResourcePath(),
    path: AccessLogField.contextPath(),
    status: AccessLogField.contextStatus(),
    responseLength: AccessLogField.contextResponseLength(),
    responseLatency: AccessLogField.contextResponseLatency(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    errorType: AccessLogField.contextErrorResponseType(),
    tenantId: AccessLogField.contextAuthorizer('tenantId'),
    tokenId: AccessLogField.contextAuthorizer('tokenId'),
    authorizerError: AccessLogField.contextAuthorizer('error'),
    authorizerLatency: AccessLogField.contextAuthorizerIntegrationLatency(),
    // The IAM caller of /admin routes (empty for SCIM calls).
    caller: AccessLogField.contextIdentityUserArn(),
  }),
);

function sourceIpPolicy(allowedSourceIps: readonly string[]): PolicyDocument {
  // Deny-only: a resource policy that is silent about a request leaves the decision to the
  // authorizer (SCIM) or to IAM (admin, same account). An "Allow *" statement here would instead
  // let any signed AWS principal, from any account, through the AWS_IAM /admin routes.
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'ScimOnlyFromAllowedSourceIps',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: [`execute-api:/*/*${SCIM_PREFIX}/*`],
        conditions: { NotIpAddress: { 'aws:SourceIp': [...allowedSourceIps] } },
      }),
    ],
  });
}

function validSourceIps(ips: readonly string[]): readonly string[] {
  if (ips.length === 0)
    throw new Error('allowedSourceIps: give at least one address or CIDR (omit the prop for no restriction)');
  for (const entry of ips) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new Error(`allowedSourceIps: "${entry}" is not an IPv4/IPv6 address or CIDR block`);
    }
  }
  return ips;
}

function customExtensionEnv(definition: Record<string, unknown>): string {
  parseCustomExtension(definition); // throws the same message a cold start would, but at synth
  const json = JSON.stringify(definition);
  if (Buffer.byteLength(json) > MAX_CUSTOM_EXTENSION_BYTES) {
    throw new Error(
      `customExtension: ${Buffer.byteLength(json)} bytes of JSON; Lambda environment variables allow 4 KB in total, ` +
        `so keep it under ${MAX_CUSTOM_EXTENSION_BYTES} bytes (shorten descriptions)`,
    );
  }
  return json;
}

function wholeDays(lifetime: Duration): number {
  const days = lifetime.toDays(); // throws unless a whole number of days
  return positiveInteger('tokenLifetime (days)', days);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: expected a positive integer, got ${value}`);
  return value;
}

const pascalCase = (name: string) =>
  name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
