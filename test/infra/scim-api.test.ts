// ScimApi's template, checked against the declarations it is generated from (ROUTES, FUNCTIONS,
// TABLE, TABLE_GRANTS, GATEWAY_RESPONSES), so a change on either side that breaks the other fails here.

import { Duration, type Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DENY_DETAIL } from '#auth/authenticate.ts';
import { GATEWAY_RESPONSES } from '#infra/gateway-responses.ts';
import { FUNCTIONS, ROUTES, type FunctionName } from '#api/routes.ts';
import type { ScimApi } from '#infra/scim-api.ts';
import { TABLE } from '#store/table.ts';
import { ofType, resourcesOf, synth } from './synth.ts';

const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const SCIM_FUNCTIONS = new Set(ROUTES.filter((r) => r.auth === 'scim').map((r) => r.function as string));

let template: Template;
let scim: ScimApi;
let stack: Stack;

beforeAll(() => {
  ({ template, scim, stack } = synth());
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const fnId = (name: FunctionName) => logicalId(scim.functions[name]);
const fnProps = (t: Template, s: Stack, api: ScimApi, name: FunctionName) =>
  resourcesOf(t)[s.getLogicalId(api.functions[name].node.defaultChild as CfnElement)]!.Properties!;

describe('table', () => {
  it('is the one table of TABLE: on-demand, PITR, deletion protection, TTL, stream, both GSIs with ALL', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      GlobalSecondaryIndexes: Object.values(TABLE.indexes).map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  it('survives stack deletion and replacement (Retain)', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('functions', () => {
  it('one Lambda per FUNCTIONS entry, Node 22 on arm64, with its memory and description', () => {
    template.resourceCountIs('AWS::Lambda::Function', FUNCTION_NAMES.length);
    for (const name of FUNCTION_NAMES) {
      const props = resourcesOf(template)[fnId(name)]!.Properties!;
      expect(props, name).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: FUNCTIONS[name].memoryMb,
        Description: FUNCTIONS[name].description,
        Handler: 'index.handler',
      });
    }
  });

  it('TABLE_NAME points at the table exactly for the functions with table access', () => {
    const tableRef = { Ref: logicalId(scim.table) };
    for (const name of FUNCTION_NAMES) {
      const env =
        (resourcesOf(template)[fnId(name)]!.Properties!.Environment as { Variables?: Record<string, unknown> })
          ?.Variables ?? {};
      if (FUNCTIONS[name].tableAccess === 'none') expect(env, name).not.toHaveProperty('TABLE_NAME');
      else expect(env.TABLE_NAME, name).toEqual(tableRef);
      // Source maps are off by default, so nothing sets NODE_OPTIONS.
      expect(env, name).not.toHaveProperty('NODE_OPTIONS');
    }
  });

  it('the admin function gets the token policy (defaults: 365 days, 2 active tokens); no one else does', () => {
    for (const name of FUNCTION_NAMES) {
      const env =
        (fnProps(template, stack, scim, name).Environment as { Variables?: Record<string, unknown> })?.Variables ?? {};
      if (name === 'admin') expect(env).toMatchObject({ TOKEN_LIFETIME_DAYS: '365', MAX_ACTIVE_TOKENS: '2' });
      else expect(env, name).not.toHaveProperty('MAX_ACTIVE_TOKENS');
    }
  });

  it('each function logs to its own log group with the retention (default one month)', () => {
    const logGroups = new Set<string>();
    for (const name of FUNCTION_NAMES) {
      const config = resourcesOf(template)[fnId(name)]!.Properties!.LoggingConfig as { LogGroup: { Ref: string } };
      const group = resourcesOf(template)[config.LogGroup.Ref]!;
      expect(group.Type).toBe('AWS::Logs::LogGroup');
      expect(group.Properties!.RetentionInDays, name).toBe(30);
      logGroups.add(config.LogGroup.Ref);
    }
    expect(logGroups.size).toBe(FUNCTION_NAMES.length);
  });
});

// Table permissions by key prefix: test/infra/least-privilege.test.ts.

describe('REST API and routes', () => {
  /** Full path of every AWS::ApiGateway::Resource, by logical id. */
  function resourcePaths(t: Template): Map<string, string> {
    const resources = Object.fromEntries(ofType(t, 'AWS::ApiGateway::Resource'));
    const paths = new Map<string, string>();
    const pathOf = (id: string): string => {
      const known = paths.get(id);
      if (known !== undefined) return known;
      const props = resources[id]!.Properties!;
      const parent = props.ParentId as { Ref?: string };
      const path = `${parent.Ref ? pathOf(parent.Ref) : ''}/${props.PathPart as string}`;
      paths.set(id, path);
      return path;
    };
    for (const id of Object.keys(resources)) pathOf(id);
    return paths;
  }

  it('is a regional REST API', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  it('has exactly the methods of ROUTES, each with its auth and its function', () => {
    const paths = resourcePaths(template);
    const authorizerId = logicalId(scim.authorizer);
    const methods = ofType(template, 'AWS::ApiGateway::Method').map(([, m]) => m.Properties!);
    const byKey = new Map(
      methods.map((m) => [`${m.HttpMethod as string} ${paths.get((m.ResourceId as { Ref: string }).Ref)}`, m]),
    );
    expect([...byKey.keys()].sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of ROUTES) {
      const method = byKey.get(`${route.method} ${route.path}`)!;
      const where = `${route.method} ${route.path}`;
      if (route.auth === 'scim') {
        expect(method.AuthorizationType, where).toBe('CUSTOM');
        expect(method.AuthorizerId, where).toEqual({ Ref: authorizerId });
      } else {
        expect(method.AuthorizationType, where).toBe('AWS_IAM');
        expect(method.AuthorizerId, where).toBeUndefined();
      }
      const integration = method.Integration as { Type: string; IntegrationHttpMethod: string; Uri: unknown };
      expect(integration.Type, where).toBe('AWS_PROXY');
      expect(integration.IntegrationHttpMethod, where).toBe('POST');
      expect(JSON.stringify(integration.Uri), where).toContain(`"${fnId(route.function)}","Arn"`);
    }
  });

  it('puts a static sibling (.search) next to a path parameter ({id})', () => {
    const paths = [...resourcePaths(template).values()];
    expect(paths).toEqual(
      expect.arrayContaining(['/scim/v2/Users/{id}', '/scim/v2/Users/.search', '/scim/v2/.search']),
    );
  });

  it('gives each route function one invoke permission scoped to this API', () => {
    const permissions = ofType(template, 'AWS::Lambda::Permission').map(([, p]) => p.Properties!);
    const apiId = logicalId(scim.api);
    for (const fn of new Set(ROUTES.map((r) => r.function))) {
      const mine = permissions.filter((p) => JSON.stringify(p.FunctionName).includes(`"${fnId(fn)}"`));
      expect(mine, fn).toHaveLength(1);
      expect(mine[0]!.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(mine[0]!.SourceArn)).toContain(`{"Ref":"${apiId}"},"/*/*/*"`);
    }
  });

  it('has one TOKEN authorizer on the Authorization header, cached for 60 s, without a validation regex', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 60,
      IdentityValidationExpression: Match.absent(),
      AuthorizerUri: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [fnId('authorizer'), 'Arn'] }])]),
      }),
    });
  });

  it('stage "prod": throttled at 100 rps / burst 200 overall, access-logged, no execution logs, traced', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
          LoggingLevel: 'OFF',
          DataTraceEnabled: false,
        }),
      ],
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(scim.accessLogGroup), 'Arn'] },
        Format: Match.anyValue(),
      },
    });
    const stage = ofType(template, 'AWS::ApiGateway::Stage')[0]![1].Properties!;
    const format = JSON.parse((stage.AccessLogSetting as { Format: string }).Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      sourceIp: '$context.identity.sourceIp',
      tenantId: '$context.authorizer.tenantId',
      authorizerError: '$context.authorizer.error',
    });
    expect(JSON.stringify(format).toLowerCase()).not.toContain('authorization');
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('sets the account role API Gateway needs to write access logs', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  it('has a resource policy that only denies (/admin to other accounts), with no IP condition by default', () => {
    const policy = ofType(template, 'AWS::ApiGateway::RestApi')[0]![1].Properties!.Policy as {
      Statement: { Sid: string; Effect: string; Condition: object }[];
    };
    expect(policy.Statement.map((st) => [st.Sid, st.Effect])).toEqual([['AdminOnlyForNamedPrincipals', 'Deny']]);
    expect(JSON.stringify(policy)).not.toContain('aws:SourceIp');
  });
});

describe('gateway responses', () => {
  type GatewayResponse = {
    ResponseType: string;
    StatusCode: string;
    ResponseParameters: Record<string, string>;
    ResponseTemplates: Record<string, string>;
  };
  const responses = () =>
    new Map(
      ofType(template, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => {
        const props = r.Properties as unknown as GatewayResponse;
        return [props.ResponseType, props];
      }),
    );
  const bodyOf = (r: GatewayResponse, mediaType = 'application/json') =>
    JSON.parse(r.ResponseTemplates[mediaType]!) as Record<string, unknown>;

  it('every API Gateway error is a SCIM error body served as application/scim+json, status matching the HTTP status', () => {
    const all = responses();
    expect([...all.keys()].sort()).toEqual(GATEWAY_RESPONSES.map((r) => r.type).sort());
    for (const [type, r] of all) {
      expect(r.ResponseParameters['gatewayresponse.header.Content-Type'], type).toBe("'application/scim+json'");
      for (const mediaType of ['application/json', 'application/scim+json']) {
        const body = bodyOf(r, mediaType);
        expect(body.schemas, type).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
        expect(body.status, type).toBe(r.StatusCode);
        expect(typeof body.detail, type).toBe('string');
      }
      // No internals: API Gateway's own messages can name ARNs and account ids.
      expect(JSON.stringify(r.ResponseTemplates), type).not.toContain('$context.error.message');
    }
  });

  it('UNAUTHORIZED: 401 with a Bearer challenge', () => {
    const r = responses().get('UNAUTHORIZED')!;
    expect(r.StatusCode).toBe('401');
    expect(r.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toBe(`'Bearer realm="scim"'`);
    expect(bodyOf(r).detail).toBe('missing or malformed bearer token');
  });

  it("ACCESS_DENIED (the authorizer's Deny): 401, detail from the authorizer's context.error, Bearer challenge", () => {
    const r = responses().get('ACCESS_DENIED')!;
    expect(r.StatusCode).toBe('401');
    expect(bodyOf(r)).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
      detail: '$context.authorizer.error',
    });
    expect(r.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toBe(`'Bearer realm="scim"'`);
  });

  it("the authorizer's deny details survive plain substitution into that JSON body", () => {
    // Gateway response templates cannot escape: a quote or backslash would break the body.
    const body = bodyOf(responses().get('ACCESS_DENIED')!);
    for (const detail of Object.values(DENY_DETAIL)) {
      expect(detail).toMatch(/^[^"\\\u0000-\u001f]+$/);
      const rendered = JSON.stringify(body).replace('$context.authorizer.error', detail);
      expect((JSON.parse(rendered) as { detail: string }).detail).toBe(detail);
    }
  });

  it.each([
    ['THROTTLED', '429'],
    ['REQUEST_TOO_LARGE', '413'],
    ['MISSING_AUTHENTICATION_TOKEN', '404'],
    ['DEFAULT_4XX', '400'],
    ['DEFAULT_5XX', '500'],
  ])('%s answers %s', (type, status) => {
    expect(responses().get(type)!.StatusCode).toBe(status);
  });

  it('THROTTLED tells the client to retry after a second', () => {
    expect(responses().get('THROTTLED')!.ResponseParameters['gatewayresponse.header.Retry-After']).toBe("'1'");
  });

  it('an unknown path reads as "no such endpoint"', () => {
    expect(bodyOf(responses().get('MISSING_AUTHENTICATION_TOKEN')!).detail).toMatch(/^no such endpoint/);
  });
});

describe('props', () => {
  it('authorizerCacheTtl sets the cache TTL (0 turns caching off)', () => {
    for (const seconds of [0, 300]) {
      const { template: t } = synth({ props: { authorizerCacheTtl: Duration.seconds(seconds) } });
      t.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: seconds });
    }
  });

  it('stageName, throttle, logRetention, tracing, token policy and custom extension reach the template', () => {
    const customExtension = {
      id: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User',
      name: 'AcmeUser',
      attributes: [{ name: 'role', canonicalValues: ['admin', 'member'] }],
    };
    const {
      template: t,
      stack: s,
      scim: api,
    } = synth({
      props: {
        stageName: 'v1',
        throttle: { rateLimit: 10, burstLimit: 20 },
        logRetention: RetentionDays.ONE_WEEK,
        tracing: true,
        tokenLifetime: Duration.days(90),
        maxActiveTokens: 3,
        customExtension,
      },
    });
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })],
    });
    for (const [, group] of ofType(t, 'AWS::Logs::LogGroup')) expect(group.Properties!.RetentionInDays).toBe(7);
    for (const name of FUNCTION_NAMES) {
      const props = fnProps(t, s, api, name);
      expect(props.TracingConfig, name).toEqual({ Mode: 'Active' });
      const env = (props.Environment as { Variables?: Record<string, string> })?.Variables ?? {};
      // The events function renders resources too (docs/events.md).
      if (SCIM_FUNCTIONS.has(name) || name === 'events')
        expect(JSON.parse(env.SCIM_CUSTOM_EXTENSION!), name).toEqual(customExtension);
      else expect(env, name).not.toHaveProperty('SCIM_CUSTOM_EXTENSION');
    }
    expect((fnProps(t, s, api, 'admin').Environment as { Variables: Record<string, string> }).Variables).toMatchObject({
      TOKEN_LIFETIME_DAYS: '90',
      MAX_ACTIVE_TOKENS: '3',
    });
  });

  it('sourceMaps turns on --enable-source-maps', () => {
    const { template: t, stack: s, scim: api } = synth({ props: { sourceMaps: true } });
    for (const name of FUNCTION_NAMES) {
      expect(
        (fnProps(t, s, api, name).Environment as { Variables: Record<string, string> }).Variables.NODE_OPTIONS,
      ).toBe('--enable-source-maps');
    }
  });

  it('rejects bad values at synth, not at the first request', () => {
    expect(() => synth({ props: { customExtension: { id: 'not-a-urn', name: 'X', attributes: [] } } })).toThrow(
      /SCIM_CUSTOM_EXTENSION/,
    );
    expect(() => synth({ props: { tokenLifetime: Duration.hours(36) } })).toThrow();
    expect(() => synth({ props: { maxActiveTokens: 0 } })).toThrow(/maxActiveTokens/);
    expect(() => synth({ props: { allowedSourceIps: [] } })).toThrow(/allowedSourceIps/);
    expect(() => synth({ props: { allowedSourceIps: ['10.0.0.0/33'] } })).toThrow(/10\.0\.0\.0\/33/);
    expect(() => synth({ props: { allowedSourceIps: ['example.com'] } })).toThrow(/example\.com/);
    expect(() => synth({ props: { cloudWatchRole: false } })).not.toThrow();
  });
});

// IP allow-lists, /admin principals and the WAF: test/infra/edge-protection.test.ts.
