// ScimApi: the whole SCIM directory as one construct (table, functions, REST API), so a team can
// embed it in its own CDK app. Everything is generated from the two declarations that the local
// runner uses too: ROUTES / FUNCTIONS (shared/api/routes.ts) and TABLE (shared/store/table.ts).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccessLogField,
  ApiKeySourceType,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  ResponseType,
  MethodLoggingLevel,
  RestApi,
  TokenAuthorizer,
  type MethodOptions,
} from 'aws-cdk-lib/aws-apigateway';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { bindTable } from '#infra/bind-table.ts';
import { acknowledgeNagFindings } from '#infra/nag-acknowledgments.ts';
import {
  apiResourcePolicy,
  Firewall,
  validPrincipals,
  validSourceIps,
  type FirewallOptions,
} from '#infra/edge-protection.ts';
import { Operations, type AlarmThresholds } from '#infra/operations.ts';
import { TENANT_RATE_LIMIT_DEFAULTS, type RateLimit } from '#infra/rate-limit-settings.ts';
import { TenantUsagePlans } from '#infra/rate-limits.ts';
import { AUTHORIZER_ENV } from '#functions/authorizer/env.ts';
import { METRICS_NAMESPACE, SERVICE_NAME_ENV } from '#functions/metric-names.ts';
import { DirectoryEvents } from '#infra/events.ts';
import { GATEWAY_RESPONSES, SCIM_ERROR_CONTENT_TYPE, scimErrorTemplate } from '#infra/gateway-responses.ts';
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

/**
 * A function's entry file: the TypeScript source in this repository; in the published package,
 * where PACKAGE_ROOT is its dist/ folder, the compiled `.js` beside where the source would be.
 */
export function entryFile(entry: string): string {
  const source = join(PACKAGE_ROOT, entry);
  return existsSync(source) ? source : source.replace(/\.ts$/, '.js');
}

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
   * Source addresses allowed to call the API (IPv4/IPv6, CIDR or single address), e.g. your IdPs'
   * published egress ranges (docs/deploy.md). When set, a resource policy denies /scim/v2/* and,
   * unless `adminAllowedSourceIps` says otherwise, /admin/* to every other source address.
   * @default - no restriction
   */
  readonly allowedSourceIps?: readonly string[];
  /**
   * Source addresses allowed on /admin/* (the admins' and the console's egress), when they differ
   * from the IdPs' ones. @default - allowedSourceIps
   */
  readonly adminAllowedSourceIps?: readonly string[];
  /**
   * Who may call /admin/*, on top of their own IAM permission: 12-digit account ids and IAM
   * principal ARNs (roles, users). Everyone else is denied by the API's resource policy; another
   * account's principal listed here is also allowed by it (cross-account calls need both).
   * @default - this stack's account
   */
  readonly adminPrincipals?: readonly string[];
  /**
   * Per-tenant rate limits: one usage plan per tier, one API key per tenant chosen by the
   * authorizer (docs/deploy.md, "Per-tenant rate limits").
   * @default { default: { rateLimit: 25, burstLimit: 50 } }
   */
  readonly tenantRateLimits?: { readonly default?: RateLimit; readonly tiers?: Readonly<Record<string, RateLimit>> };
  /**
   * The WAFv2 web ACL on the stage (rate limit per source IP, AWS managed common and known bad
   * inputs rules). `false` leaves the stage without one (e.g. your organisation attaches its own).
   * @default {} (on, FIREWALL_DEFAULTS)
   */
  readonly firewall?: false | FirewallOptions;
  /** Email addresses subscribed to the alarm topic (each confirms by email). @default - none */
  readonly alarmEmails?: readonly string[];
  /** Alarm thresholds. @default ALARM_DEFAULTS */
  readonly alarmThresholds?: AlarmThresholds;
  /**
   * Reserved concurrency per function (e.g. `{ users: 50, groups: 50 }`): a cap that protects the
   * rest of the account and a floor the functions can count on. @default - none (account pool)
   */
  readonly reservedConcurrency?: Readonly<Partial<Record<FunctionName, number>>>;
  /** Retention of the function and access log groups. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Stage-wide throttling (every method, all tenants together): the ceiling above the per-tenant
   * limits. @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: ScimThrottle;
  /**
   * The deployment's custom User extension (the JSON shape documented in
   * shared/scim/schema/custom-extension.ts). Validated at synth, passed as SCIM_CUSTOM_EXTENSION.
   * @default - the built-in default extension
   */
  readonly customExtension?: Record<string, unknown>;
  /** X-Ray tracing on the stage and the functions (Powertools Tracer subsegments). @default true */
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
  /** Put change events on this bus instead of a new custom one (docs/events.md). @default - a new bus */
  readonly eventBus?: IEventBus;
  /** How long each tenant's event feed keeps events (whole days). @default Duration.days(30) */
  readonly feedRetention?: Duration;
}

export const SCIM_API_DEFAULTS = {
  stageName: 'prod',
  authorizerCacheTtl: Duration.seconds(60),
  tokenLifetime: Duration.days(365),
  maxActiveTokens: 2,
  logRetention: RetentionDays.ONE_MONTH,
  throttle: { rateLimit: 100, burstLimit: 200 },
  tracing: true,
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
  new Set<FunctionName>(ROUTES.filter((r) => r.auth === auth).map((r) => r.function));

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
  /** Change events: the bus, the stream's event source mapping, the dead-letter queue and its alarm. */
  readonly events: DirectoryEvents;
  /** Per-tenant rate limits: the usage plans (one per tier) and the shared key. */
  readonly usagePlans: TenantUsagePlans;
  /** The stage's web ACL, unless `firewall: false`. */
  readonly firewall?: Firewall;
  /** Alarms, their SNS topic, the dashboard and the daily token-expiry check. */
  readonly operations: Operations;

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
    const allowedSourceIps = props.allowedSourceIps && validSourceIps('allowedSourceIps', props.allowedSourceIps);
    const adminAllowedSourceIps =
      (props.adminAllowedSourceIps && validSourceIps('adminAllowedSourceIps', props.adminAllowedSourceIps)) ??
      allowedSourceIps;
    const adminPrincipals = props.adminPrincipals ? validPrincipals(props.adminPrincipals) : [Stack.of(this).account];
    const tracing = props.tracing ?? SCIM_API_DEFAULTS.tracing;
    const authorizerCacheTtl = props.authorizerCacheTtl ?? SCIM_API_DEFAULTS.authorizerCacheTtl;
    // The `service` dimension of the custom metrics: one per deployment.
    const serviceName = `${Stack.of(this).stackName}-${id}`;

    this.table = this.createTable();

    const scimFunctions = functionsServing('scim');
    const adminFunctions = functionsServing('admin');
    const functions = {} as Record<FunctionName, LambdaFunction>;
    for (const [name, spec] of Object.entries(FUNCTIONS) as [FunctionName, FunctionSpec][]) {
      const fn = this.createFunction(name, spec, {
        logRetention,
        tracing,
        sourceMaps: props.sourceMaps,
        bundleAwsSdk: props.bundleAwsSdk,
        serviceName,
        reservedConcurrency: props.reservedConcurrency?.[name],
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
      // The authorizer names the tenant's usage-plan key (per-tenant rate limits, rate-limits.ts).
      apiKeySourceType: ApiKeySourceType.AUTHORIZER,
      policy: apiResourcePolicy(this, {
        ...(allowedSourceIps ? { scimSourceIps: allowedSourceIps } : {}),
        ...(adminAllowedSourceIps ? { adminSourceIps: adminAllowedSourceIps } : {}),
        adminPrincipals,
      }),
      deployOptions: {
        stageName,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: ACCESS_LOG_FORMAT,
        // Execution logs stay off: at INFO with data tracing they would record request headers.
        loggingLevel: MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        tracingEnabled: tracing,
      },
    });
    // RestApi adds an `Endpoint` output with a hashed key; the stack publishes stable ones instead.
    this.api.node.tryRemoveChild('Endpoint');
    // A changed resource policy only takes effect with a new deployment; CDK does not hash it in.
    this.api.latestDeployment?.addToLogicalId({ allowedSourceIps, adminAllowedSourceIps, adminPrincipals });

    this.authorizer = new TokenAuthorizer(this, 'Authorizer', {
      handler: functions.authorizer,
      identitySource: IdentitySource.header('Authorization'),
      resultsCacheTtl: authorizerCacheTtl,
      // No validationRegex: a request failing it gets the generic UNAUTHORIZED answer before the
      // authorizer runs, so the client would never see the precise reason (expired, revoked,
      // wrong scheme), and RFC 7235 makes the "Bearer" scheme case-insensitive anyway.
    });

    // The authorizer refuses a token with less life left than one cache TTL (revocation, docs/tokens.md).
    functions.authorizer.addEnvironment(AUTHORIZER_ENV.cacheTtlSeconds, String(authorizerCacheTtl.toSeconds()));

    this.addRoutes(functions);
    this.addGatewayResponses();

    this.usagePlans = new TenantUsagePlans(this, 'TenantRateLimits', {
      api: this.api,
      stageName,
      limits: {
        default: { ...TENANT_RATE_LIMIT_DEFAULTS.default, ...props.tenantRateLimits?.default },
        ...(props.tenantRateLimits?.tiers ? { tiers: props.tenantRateLimits.tiers } : {}),
      },
      admin: functions.admin,
      authorizer: functions.authorizer,
    });
    if (props.firewall !== false) {
      this.firewall = new Firewall(this, 'Firewall', {
        stage: this.api.deploymentStage,
        name: `${Stack.of(this).stackName}-${id}-scim`,
        options: props.firewall ?? {},
      });
    }
    this.operations = new Operations(this, 'Operations', {
      stage: this.api.deploymentStage,
      table: this.table,
      functions,
      serviceName,
      ...(props.alarmEmails ? { alarmEmails: props.alarmEmails } : {}),
      ...(props.alarmThresholds ? { thresholds: props.alarmThresholds } : {}),
      ...(this.firewall?.webAcl.name ? { webAclName: this.firewall.webAcl.name } : {}),
    });

    this.scimBaseUrl = this.api.urlForPath(SCIM_PREFIX);
    this.adminBaseUrl = this.api.urlForPath(ADMIN_PREFIX);

    this.events = new DirectoryEvents(this, 'Events', {
      table: this.table,
      handler: functions.events,
      scimBaseUrl: this.scimBaseUrl,
      ...(props.eventBus ? { eventBus: props.eventBus } : {}),
      ...(props.feedRetention ? { feedRetention: props.feedRetention } : {}),
      ...(customExtension ? { customExtension } : {}),
    });
    // Every alarm of the directory notifies the same topic.
    this.events.deadLetterAlarm.addAlarmAction(new SnsAction(this.operations.alarmTopic));

    acknowledgeNagFindings({
      api: this.api,
      functions: Object.values(functions),
      tracing,
      cloudWatchRole: props.cloudWatchRole ?? true,
      usagePlans: [...this.usagePlans.plans.values()],
      usagePlanKeysPolicy: this.usagePlans.planKeysPolicy,
      deadLetterQueue: this.events.deadLetterQueue,
      streamReaders: [functions.events],
    });
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
      tracing: boolean;
      sourceMaps: boolean | undefined;
      bundleAwsSdk: boolean | undefined;
      serviceName: string;
      reservedConcurrency: number | undefined;
    },
  ): LambdaFunction {
    const id = pascalCase(name);
    const logGroup = new LogGroup(this, `${id}Logs`, { retention: options.logRetention });
    // Its own role, allowed to write its own log group only (instead of the AWS managed
    // AWSLambdaBasicExecutionRole, which may write any log group of the account).
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `SCIM directory: the ${name} function`,
    });
    logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
    const lockFile = join(PACKAGE_ROOT, 'package-lock.json');
    return new NodejsFunction(this, `${id}Function`, {
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
    // apiKeyRequired: the tenant's usage plan applies (the key comes from the authorizer).
    const scimAuth: MethodOptions = {
      authorizationType: AuthorizationType.CUSTOM,
      authorizer: this.authorizer,
      apiKeyRequired: true,
    };
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
        type: ResponseType.of(response.type),
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
