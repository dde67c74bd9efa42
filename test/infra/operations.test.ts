// Operations (issue 11, item 9) in the template: alarms on 5xx rate, authorizer errors, Lambda
// errors and throttles, DynamoDB throttling, p99 latency and token expiry, all to one SNS topic
// (email subscriptions as a prop); a dashboard; the daily token-expiry check; Powertools settings
// and the functions' own least-privilege log permissions; access logs without the Authorization
// header; reserved concurrency as a prop.

import { Duration, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionName } from '#api/routes.ts';
import { METRIC, METRICS_NAMESPACE, TOKEN_EXPIRY_WARN_DAYS } from '#functions/metric-names.ts';
import type { ScimApi } from '#infra/scim-api.ts';
import { ofType, resourcesOf, roleStatements, synth } from './synth.ts';

let template: Template;
let stack: Stack;
let scim: ScimApi;

beforeAll(() => {
  ({ template, stack, scim } = synth());
});

const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const logicalId = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
type AlarmProps = {
  AlarmDescription: string;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Threshold: number;
  ComparisonOperator: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Metrics?: unknown[];
  AlarmActions: unknown[];
  OKActions: unknown[];
  TreatMissingData: string;
};
const alarms = (t: Template) =>
  ofType(t, 'AWS::CloudWatch::Alarm').map(([aid, a]) => [aid, a.Properties as unknown as AlarmProps] as const);
const alarmOn = (t: Template, metricName: string, dimension?: unknown) =>
  alarms(t).filter(
    ([, a]) =>
      a.MetricName === metricName &&
      (dimension === undefined || JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension))),
  );

describe('no CloudWatch alarm in the template: fixed', () => {
  it('every alarm notifies the one alarm topic, on alarm and on recovery', () => {
    const topic = { Ref: logicalId(scim.operations.alarmTopic) };
    expect(alarms(template).length).toBeGreaterThanOrEqual(5 + 2 * FUNCTION_NAMES.length);
    for (const [aid, a] of alarms(template)) {
      expect(a.AlarmActions, aid).toEqual([topic]);
      // The events dead-letter alarm is the events construct's; it notifies the topic too.
      if (!aid.includes('DeadLetters')) expect(a.OKActions, aid).toEqual([topic]);
    }
  });

  it('5xx rate: API Gateway 5XXError average (the share of requests) above 1 % for two periods, on this stage', () => {
    const [, a] = alarmOn(template, '5XXError')[0]!;
    expect(a).toMatchObject({ Statistic: 'Average', Threshold: 0.01, ComparisonOperator: 'GreaterThanThreshold' });
    expect(JSON.stringify(a.Dimensions)).toContain(
      `"Name":"Stage","Value":{"Ref":"${logicalId(scim.api.deploymentStage)}"}`,
    );
  });

  it('p99 latency above 3 s for three periods (alarmThresholds.p99Latency)', () => {
    const [, a] = alarmOn(template, 'Latency')[0]!;
    expect(a).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 3000, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('authorizer errors, and Lambda errors and throttles for every function', () => {
    for (const name of FUNCTION_NAMES) {
      const fn = { Name: 'FunctionName', Value: { Ref: logicalId(scim.functions[name]) } };
      expect(alarmOn(template, 'Errors', fn), name).toHaveLength(1);
      expect(alarmOn(template, 'Throttles', fn), name).toHaveLength(1);
    }
    const [, authorizer] = alarmOn(template, 'Errors', {
      Name: 'FunctionName',
      Value: { Ref: logicalId(scim.functions.authorizer) },
    })[0]!;
    expect(authorizer.AlarmDescription).toMatch(/authorizer/);
  });

  it('DynamoDB throttling: read + write throttle events of the table', () => {
    const math = alarms(template).filter(([, a]) => JSON.stringify(a.Metrics ?? []).includes('ThrottleEvents'));
    expect(math).toHaveLength(1);
    const json = JSON.stringify(math[0]![1].Metrics);
    expect(json).toContain('ReadThrottleEvents');
    expect(json).toContain('WriteThrottleEvents');
    expect(json).toContain(`{"Ref":"${logicalId(scim.table)}"}`);
    // The table and both indexes, each side filled with 0 when it has no data point.
    const metrics = math[0]![1].Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Dimensions: { Name: string; Value: unknown }[] } };
    }[];
    const expression = metrics.find((m) => m.Expression)!.Expression!;
    const inputs = metrics.filter((m) => m.MetricStat);
    expect(inputs).toHaveLength(6);
    for (const m of inputs) expect(expression).toContain(`FILL(${m.Id}, 0)`);
    const indexes = inputs.flatMap((m) =>
      m.MetricStat!.Metric.Dimensions.filter((d) => d.Name === 'GlobalSecondaryIndexName').map((d) => d.Value),
    );
    expect(indexes.sort()).toEqual(['gsi1', 'gsi1', 'gsi2', 'gsi2']);
  });

  it('token expiry: the smallest days-left over tenants under 30, from the daily check', () => {
    const [, a] = alarmOn(template, METRIC.minDaysUntilTokenExpiry)[0]!;
    expect(a).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Statistic: 'Minimum',
      Threshold: TOKEN_EXPIRY_WARN_DAYS,
      ComparisonOperator: 'LessThanThreshold',
      Dimensions: [{ Name: 'service', Value: 'TestScim-Scim' }],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(scim.functions.tokenExpiry), 'Arn'] } })],
    });
  });

  it('alarm emails subscribe to the topic; the topic only takes TLS publishers', () => {
    const t = synth({
      props: { alarmEmails: ['ops@example.com'], alarmThresholds: { p99Latency: Duration.seconds(1) } },
    }).template;
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    expect(alarmOn(t, 'Latency')[0]![1].Threshold).toBe(1000);
    const policy = ofType(template, 'AWS::SNS::TopicPolicy')[0]![1].Properties!.PolicyDocument as {
      Statement: { Effect: string; Condition?: object }[];
    };
    expect(
      policy.Statement.some(
        (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"aws:SecureTransport":"false"'),
      ),
    ).toBe(true);
  });
});

describe('a dashboard', () => {
  it('shows requests, latency, Lambda, DynamoDB, token expiry and the alarms', () => {
    const [, dashboard] = ofType(template, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = JSON.stringify(dashboard!.Properties!.DashboardBody);
    for (const metric of [
      '5XXError',
      'Latency',
      'Throttles',
      'Duration',
      'ConsumedReadCapacityUnits',
      METRIC.minDaysUntilTokenExpiry,
      'BlockedRequests',
    ])
      expect(body, metric).toContain(metric);
  });
});

describe('Powertools Metrics and Tracer in every function', () => {
  it('every function: the metrics namespace, the service dimension, tracing on (X-Ray active)', () => {
    for (const name of FUNCTION_NAMES) {
      const props = resourcesOf(template)[logicalId(scim.functions[name])]!.Properties!;
      expect((props.Environment as { Variables: object }).Variables, name).toMatchObject({
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_SERVICE_NAME: 'TestScim-Scim',
        POWERTOOLS_TRACE_ENABLED: 'true',
      });
      expect(props.TracingConfig, name).toEqual({ Mode: 'Active' });
    }
  });

  it('tracing: false turns X-Ray and the Tracer off', () => {
    const { template: t, stack: s, scim: api } = synth({ props: { tracing: false } });
    for (const name of FUNCTION_NAMES) {
      const props = resourcesOf(t)[s.getLogicalId(api.functions[name].node.defaultChild as CfnElement)]!.Properties!;
      expect((props.Environment as { Variables: Record<string, string> }).Variables.POWERTOOLS_TRACE_ENABLED).toBe(
        'false',
      );
      expect(props.TracingConfig).toBeUndefined();
    }
  });

  it('each function has its own role that writes its own log group only (no AWS managed policy)', () => {
    for (const name of FUNCTION_NAMES) {
      const role = resourcesOf(template)[logicalId(scim.functions[name].role!)]!;
      expect(role.Properties!.ManagedPolicyArns, name).toBeUndefined();
      const logs = roleStatements(template, logicalId(scim.functions[name].role!)).filter((st) =>
        [st.Action].flat().some((a) => a.startsWith('logs:')),
      );
      const group = (
        resourcesOf(template)[logicalId(scim.functions[name])]!.Properties!.LoggingConfig as {
          LogGroup: { Ref: string };
        }
      ).LogGroup.Ref;
      expect(
        logs.map((st) => st.Action),
        name,
      ).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents']]);
      // Its own group (the group's ARN, and its streams), nothing else.
      for (const resource of [logs[0]!.Resource].flat())
        expect(JSON.stringify(resource), name).toMatch(
          new RegExp(`"Fn::GetAtt":\\["${group}","Arn"\\]|"Ref":"${group}"`),
        );
    }
  });
});

describe('stage access logs never contain the Authorization header', () => {
  it('the access log format has no header field, and execution logs (which would) stay off', () => {
    const stage = ofType(template, 'AWS::ApiGateway::Stage')[0]![1].Properties!;
    const format = (stage.AccessLogSetting as { Format: string }).Format;
    expect(format.toLowerCase()).not.toMatch(/authorization|header/);
    expect(format).not.toContain('$input');
    expect(JSON.stringify(stage.MethodSettings)).toContain('"LoggingLevel":"OFF"');
    expect(JSON.stringify(stage.MethodSettings)).toContain('"DataTraceEnabled":false');
  });
});

describe('no reserved concurrency: fixed (a prop)', () => {
  it('reservedConcurrency sets it per function; none by default', () => {
    for (const name of FUNCTION_NAMES)
      expect(
        resourcesOf(template)[logicalId(scim.functions[name])]!.Properties!.ReservedConcurrentExecutions,
        name,
      ).toBeUndefined();
    const {
      template: t,
      stack: s,
      scim: api,
    } = synth({ props: { reservedConcurrency: { users: 40, authorizer: 20 } } });
    const reserved = (name: FunctionName) =>
      resourcesOf(t)[s.getLogicalId(api.functions[name].node.defaultChild as CfnElement)]!.Properties!
        .ReservedConcurrentExecutions;
    expect([reserved('users'), reserved('authorizer'), reserved('groups')]).toEqual([40, 20, undefined]);
    expect(() => synth({ props: { reservedConcurrency: { users: 0 } } })).toThrow(/reservedConcurrency.users/);
  });
});
