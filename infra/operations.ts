// Operations (docs/deploy.md, "Alarms and dashboard"): CloudWatch alarms to one SNS topic, a
// dashboard, and the daily token-expiry check that warns a month before an IdP would get 401s.

import { Duration, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { FunctionName } from '#api/routes.ts';
import { METRIC, METRICS_NAMESPACE, TOKEN_EXPIRY_WARN_DAYS } from '#functions/metric-names.ts';
import { TABLE } from '#store/table.ts';

export interface AlarmThresholds {
  /** Share of requests answered 5xx over 5 minutes, two periods in a row. @default 0.01 (1 %) */
  readonly serverErrorRate?: number;
  /** p99 of API Gateway's Latency over 5 minutes, three periods in a row. @default Duration.seconds(3) */
  readonly p99Latency?: Duration;
}

export const ALARM_DEFAULTS = { serverErrorRate: 0.01, p99Latency: Duration.seconds(3) } as const;

export interface OperationsProps {
  readonly stage: Stage;
  readonly table: ITable;
  readonly functions: Readonly<Record<FunctionName, LambdaFunction>>;
  /** The `service` dimension of the functions' custom metrics. */
  readonly serviceName: string;
  readonly alarmEmails?: readonly string[];
  readonly thresholds?: AlarmThresholds;
  /** The web ACL's name, for its blocked-requests graph. */
  readonly webAclName?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Operations extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { stage, table, functions } = props;
    const thresholds = { ...ALARM_DEFAULTS, ...props.thresholds };
    const stackName = Stack.of(this).stackName;

    // No SSE: CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key, and an
    // alarm notification carries no directory data. Publishing over TLS only.
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: `${stackName} SCIM alarms`, enforceSSL: true });
    for (const email of props.alarmEmails ?? []) this.alarmTopic.addSubscription(new EmailSubscription(email));
    const action = new SnsAction(this.alarmTopic);

    const alarm = (
      alarmId: string,
      metric: IMetric,
      threshold: number,
      description: string,
      options: { periods?: number; comparison?: ComparisonOperator } = {},
    ) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: options.periods ?? 1,
        comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    // API Gateway's 5XXError is 0 or 1 per request, so its average is the 5xx rate.
    const serverErrorRate = stage.metricServerError({ statistic: 'Average', period: FIVE_MINUTES });
    alarm('ServerErrorRate', serverErrorRate, thresholds.serverErrorRate, 'SCIM API: share of 5xx answers', {
      periods: 2,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    const p99 = stage.metricLatency({ statistic: 'p99', period: FIVE_MINUTES });
    alarm('LatencyP99', p99, thresholds.p99Latency.toMilliseconds(), 'SCIM API: p99 latency (ms) too high', {
      periods: 3,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    alarm(
      'AuthorizerErrors',
      functions.authorizer.metricErrors({ period: FIVE_MINUTES }),
      1,
      'The token authorizer failed (API Gateway answers 503 to every uncached SCIM call)',
    );
    for (const [name, fn] of Object.entries(functions) as [FunctionName, LambdaFunction][]) {
      const id = name.charAt(0).toUpperCase() + name.slice(1);
      if (name !== 'authorizer')
        alarm(`${id}Errors`, fn.metricErrors({ period: FIVE_MINUTES }), 1, `Lambda ${name}: invocation errors`);
      alarm(`${id}Throttles`, fn.metricThrottles({ period: FIVE_MINUTES }), 1, `Lambda ${name}: throttled invocations`);
    }
    const throttleEvents = (metricName: string, index?: string) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: table.tableName, ...(index ? { GlobalSecondaryIndexName: index } : {}) },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    // The table's and each index's read and write throttle events. These metrics only have data
    // points when throttling happens: FILL(…, 0) keeps one side's throttling from vanishing from the
    // sum when the other side has no data point in the period.
    const sources = [undefined, ...Object.values(TABLE.indexes).map((i) => i.name)];
    const usingMetrics = Object.fromEntries(
      sources.flatMap((index, i) => [
        [`r${i}`, throttleEvents('ReadThrottleEvents', index)],
        [`w${i}`, throttleEvents('WriteThrottleEvents', index)],
      ]),
    );
    const dynamoThrottles = new MathExpression({
      expression: Object.keys(usingMetrics)
        .map((m) => `FILL(${m}, 0)`)
        .join(' + '),
      usingMetrics,
      label: 'DynamoDB throttle events (table and indexes)',
      period: FIVE_MINUTES,
    });
    alarm('DynamoDbThrottles', dynamoThrottles, 1, 'DynamoDB throttled reads or writes of the directory table');

    const minDaysLeft = new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: METRIC.minDaysUntilTokenExpiry,
      dimensionsMap: { service: props.serviceName },
      statistic: 'Minimum',
      period: Duration.days(1),
    });
    alarm(
      'TokenExpiry',
      minDaysLeft,
      TOKEN_EXPIRY_WARN_DAYS,
      `A tenant's newest SCIM token expires in under ${TOKEN_EXPIRY_WARN_DAYS} days: rotate it (docs/tokens.md; the ` +
        `tokenExpiry function's log names the tenant)`,
      { comparison: ComparisonOperator.LESS_THAN_THRESHOLD },
    );

    new Rule(this, 'DailyTokenExpiryCheck', {
      description: 'Publishes, per tenant, the days until its newest active SCIM token expires',
      schedule: Schedule.rate(Duration.days(1)),
      targets: [new LambdaTarget(functions.tokenExpiry, { retryAttempts: 2 })],
    });

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${stackName}-scim`.slice(0, 255) });
    const fnMetrics = (metric: (fn: LambdaFunction) => IMetric) => Object.values(functions).map(metric);
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
      new GraphWidget({
        title: 'Requests and errors',
        left: [stage.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' })],
        right: [
          stage.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' }),
          stage.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Latency (ms)',
        left: ['p50', 'p90', 'p99'].map((statistic) => stage.metricLatency({ statistic, period: FIVE_MINUTES })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Lambda errors and throttles',
        left: fnMetrics((fn) => fn.metricErrors({ period: FIVE_MINUTES })),
        right: fnMetrics((fn) => fn.metricThrottles({ period: FIVE_MINUTES })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Lambda duration p99 (ms)',
        left: fnMetrics((fn) => fn.metricDuration({ statistic: 'p99', period: FIVE_MINUTES })),
        width: 12,
      }),
      new GraphWidget({
        title: 'DynamoDB capacity and throttles',
        left: [
          table.metricConsumedReadCapacityUnits({ period: FIVE_MINUTES }),
          table.metricConsumedWriteCapacityUnits({ period: FIVE_MINUTES }),
        ],
        right: [dynamoThrottles],
        width: 12,
      }),
      new GraphWidget({
        title: 'Days until the newest token expires (smallest over tenants)',
        left: [minDaysLeft],
        leftAnnotations: [{ value: TOKEN_EXPIRY_WARN_DAYS, label: 'alarm' }],
        width: 12,
      }),
      ...(props.webAclName
        ? [
            new GraphWidget({
              title: 'WAF blocked requests',
              left: [
                new Metric({
                  namespace: 'AWS/WAFV2',
                  metricName: 'BlockedRequests',
                  dimensionsMap: { WebACL: props.webAclName, Region: Stack.of(this).region, Rule: 'ALL' },
                  statistic: 'Sum',
                  period: FIVE_MINUTES,
                }),
              ],
              width: 12,
            }),
          ]
        : []),
    );
  }
}
