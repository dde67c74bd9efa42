// ScimApi: the whole SCIM directory as one construct (table, functions, REST API), so a team can
// embed it in its own CDK app. Everything is generated from the two declarations that the local
// runner uses too: ROUTES / FUNCTIONS (shared/api/routes.ts) and TABLE (shared/store/table.ts).

import { RemovalPolicy, Stack } from 'aws-cdk-lib';
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
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bindTable } from '#infra/bind-table.ts';
import { acknowledgeNagFindings } from '#infra/nag-acknowledgments.ts';
import { apiResourcePolicy, Firewall, validPrincipals, validSourceIps } from '#infra/edge-protection.ts';
import { createFunction, pascalCase } from '#infra/lambda-functions.ts';
import { Operations } from '#infra/operations.ts';
import { TENANT_RATE_LIMIT_DEFAULTS } from '#infra/rate-limit-settings.ts';
import { TenantUsagePlans } from '#infra/rate-limits.ts';
import {
  customExtensionEnv,
  positiveInteger,
  SCIM_API_DEFAULTS,
  wholeDays,
  type ScimApiProps,
} from '#infra/scim-api-props.ts';
import { AUTHORIZER_ENV } from '#functions/authorizer/env.ts';
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
import { CUSTOM_EXTENSION_ENV } from '#scim/schema/custom-extension.ts';
import { TABLE } from '#store/table.ts';

// The package's entry point (package.json "exports"): consumers import the props, their defaults
// and the function helpers from here, wherever they are defined.
export { SCIM_API_DEFAULTS, type ScimApiProps, type ScimThrottle } from '#infra/scim-api-props.ts';
export { bundlingOptions, entryFile, PACKAGE_ROOT } from '#infra/lambda-functions.ts';

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
      const fn = createFunction(this, name, spec, {
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
