// DirectoryEvents in the synthesized template: the bus (new, or the one passed in), the events
// function's event source mapping on the table's stream (filters, failure reporting, bisect,
// bounded retries, the SQS dead-letter queue) and the alarm on that queue, the function's
// least-privilege role, its settings, and the stack outputs for the bus.

import { Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE_SETTINGS } from '#infra/events.ts';
import type { ScimApi } from '#infra/scim-api.ts';
import { ofType, roleStatements, synth } from './synth.ts';

let template: Template;
let stack: Stack;
let scim: ScimApi;

beforeAll(() => {
  ({ template, stack, scim } = synth());
});

const id = (construct: { node: { defaultChild?: unknown } } | CfnElement) =>
  stack.getLogicalId(
    ('node' in construct && construct.node.defaultChild ? construct.node.defaultChild : construct) as CfnElement,
  );
const resolve = (value: unknown) => JSON.stringify(stack.resolve(value));

describe('the bus', () => {
  it('a new custom bus, published as EventBusName / EventBusArn outputs under stable keys', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(resolve(outputs.EventBusName!.Value)).toBe(resolve(scim.events.bus.eventBusName));
    expect(resolve(outputs.EventBusArn!.Value)).toBe(resolve(scim.events.bus.eventBusArn));
  });

  it("uses the application's bus when one is passed in, and creates none", () => {
    const {
      template: t,
      stack: s,
      scim: api,
    } = synth({
      props: {
        eventBus: EventBus.fromEventBusArn(
          new Stack(),
          'AppBus',
          'arn:aws:events:eu-west-1:123456789012:event-bus/app-bus',
        ),
        feedRetention: Duration.days(7),
      },
    });
    t.resourceCountIs('AWS::Events::EventBus', 0);
    const fn = ofType(t, 'AWS::Lambda::Function').find(
      ([logicalId]) => logicalId === s.getLogicalId(api.functions.events.node.defaultChild as CfnElement),
    )![1];
    expect((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      EVENT_BUS_NAME: 'arn:aws:events:eu-west-1:123456789012:event-bus/app-bus',
      FEED_RETENTION_DAYS: '7',
    });
    const roleId = s.getLogicalId(api.functions.events.role!.node.defaultChild as CfnElement);
    const putEvents = roleStatements(t, roleId).filter((st) => [st.Action].flat().includes('events:PutEvents'));
    expect(putEvents.map((st) => st.Resource)).toEqual(['arn:aws:events:eu-west-1:123456789012:event-bus/app-bus']);
  });

  it('refuses a feed retention that is not whole days', () => {
    expect(() => synth({ props: { feedRetention: Duration.hours(12) } })).toThrow(/feedRetention|whole/);
  });
});

describe('the event source mapping', () => {
  it('reads the stream with failure reporting, bisect, bounded retries and the SQS dead-letter queue', () => {
    const mappings = ofType(template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    const props = mappings[0]![1].Properties!;
    expect(props).toMatchObject({
      FunctionName: { Ref: id(scim.functions.events) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: EVENT_SOURCE_SETTINGS.batchSize,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: EVENT_SOURCE_SETTINGS.retryAttempts,
      MaximumRecordAgeInSeconds: 86_400,
    });
    expect(resolve(props.EventSourceArn)).toBe(resolve(scim.table.tableStreamArn));
    expect(resolve((props.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination)).toBe(
      resolve(scim.events.deadLetterQueue.queueArn),
    );
  });

  it('invokes the function only for users, groups, memberships, tokens and tenants (never for feed items)', () => {
    const props = ofType(template, 'AWS::Lambda::EventSourceMapping')[0]![1].Properties!;
    const patterns = (props.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map(
      (f) => JSON.parse(f.Pattern) as unknown,
    );
    expect(patterns).toEqual([
      { dynamodb: { Keys: { pk: { S: [{ prefix: 'TOKEN#' }, { suffix: '#USER' }, { suffix: '#GROUP' }] } } } },
      { dynamodb: { Keys: { sk: { S: ['TENANT'] } } } },
      { dynamodb: { NewImage: { mt: { S: [{ exists: true }] } } } },
      { dynamodb: { OldImage: { mt: { S: [{ exists: true }] } } } },
    ]);
  });

  it('the dead-letter queue is encrypted and TLS-only, keeps messages 14 days, and has an alarm', () => {
    const queue = ofType(template, 'AWS::SQS::Queue').find(
      ([logicalId]) => logicalId === id(scim.events.deadLetterQueue),
    )!;
    expect(queue[1].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    const policy = ofType(template, 'AWS::SQS::QueuePolicy').find(([, p]) =>
      JSON.stringify(p.Properties!.Queues).includes(id(scim.events.deadLetterQueue)),
    )!;
    expect(JSON.stringify(policy[1].Properties!.PolicyDocument)).toMatch(/"aws:SecureTransport":"false"/);
    const alarm = ofType(template, 'AWS::CloudWatch::Alarm').find(
      ([logicalId]) => logicalId === id(scim.events.deadLetterAlarm),
    )!;
    expect(alarm[1].Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(resolve((alarm[1].Properties!.Dimensions as { Value: unknown }[])[0]!.Value)).toBe(
      resolve(scim.events.deadLetterQueue.queueName),
    );
  });
});

describe('the events function', () => {
  it('knows its bus, the SCIM base URL and the feed retention (default 30 days)', () => {
    const fn = ofType(template, 'AWS::Lambda::Function').find(
      ([logicalId]) => logicalId === id(scim.functions.events),
    )!;
    const env = (fn[1].Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(resolve(env.EVENT_BUS_NAME)).toBe(resolve(scim.events.bus.eventBusArn));
    expect(resolve(env.SCIM_BASE_URL)).toBe(resolve(scim.scimBaseUrl));
    expect(env.FEED_RETENTION_DAYS).toBe('30');
  });

  it('has a least-privilege role: read its stream, write feed items, look up token names, put events, dead-letter', () => {
    const roleId = stack.getLogicalId(scim.functions.events.role!.node.defaultChild as CfnElement);
    const pairs = new Set<string>();
    for (const st of roleStatements(template, roleId)) {
      expect(st.Effect).toBe('Allow');
      for (const action of [st.Action].flat()) {
        // Its own log group and tracing: what ScimApi gives every function.
        if (action.startsWith('xray:') || action.startsWith('logs:')) continue;
        for (const r of [st.Resource].flat()) pairs.add(`${action} ${JSON.stringify(r)}`);
      }
    }
    const table = resolve(scim.table.tableArn);
    const stream = resolve(scim.table.tableStreamArn);
    const gsi1 = resolve(`${scim.table.tableArn}/index/gsi1`);
    const bus = resolve(scim.events.bus.eventBusArn);
    const dlq = resolve(scim.events.deadLetterQueue.queueArn);
    expect([...pairs].sort()).toEqual(
      [
        `dynamodb:BatchWriteItem ${table}`,
        `dynamodb:Query ${gsi1}`,
        `dynamodb:DescribeStream ${stream}`,
        `dynamodb:GetRecords ${stream}`,
        `dynamodb:GetShardIterator ${stream}`,
        // ListStreams has no resource-level permission (AWS: "*" only).
        'dynamodb:ListStreams "*"',
        `events:PutEvents ${bus}`,
        `sqs:GetQueueAttributes ${dlq}`,
        `sqs:GetQueueUrl ${dlq}`,
        `sqs:SendMessage ${dlq}`,
      ].sort(),
    );
    // Feed items only: the write is conditioned on the feed's partition keys.
    const write = roleStatements(template, roleId).find((st) =>
      [st.Action].flat().includes('dynamodb:BatchWriteItem'),
    )!;
    expect(write.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['T#*#FEED'] } });
  });
});
