// DirectoryEvents: the application's side of the directory (docs/events.md). The table's stream
// feeds the events function (FUNCTIONS.events, created with the others by ScimApi) through an
// event source mapping that reports partial batch failures, bisects a failing batch, retries a
// bounded number of times and then hands the batch to an SQS dead-letter queue with an alarm, so
// a poison record never blocks its shard. The function writes every event to the tenant's feed
// in the table and puts it on an EventBridge bus: a new custom bus, or the one passed in.

import { CfnOutput, Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, StartingPosition, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CUSTOM_EXTENSION_ENV } from '#scim/schema/custom-extension.ts';
import { DEFAULT_FEED_RETENTION_DAYS, EVENTS_ENV } from '#events/settings.ts';

export interface DirectoryEventsProps {
  /** The directory's table; its stream must carry new and old images. */
  readonly table: ITable;
  /** The events function (ScimApi creates it from FUNCTIONS.events). */
  readonly handler: LambdaFunction;
  /** `https://<api>/<stage>/scim/v2`: meta.location of the resources in events. */
  readonly scimBaseUrl: string;
  /** Put events on this bus instead of a new one (e.g. the application's own bus). @default - a new custom bus */
  readonly eventBus?: IEventBus;
  /** How long the tenant feeds keep events (whole days, DynamoDB TTL). @default Duration.days(30) */
  readonly feedRetention?: Duration;
  /** The custom extension (JSON) the SCIM functions get, so events render resources the same way. */
  readonly customExtension?: string;
}

/** The event source mapping's settings, as data (the template tests compare with it). */
export const EVENT_SOURCE_SETTINGS = {
  batchSize: 100,
  /** Bounded: then the batch goes to the dead-letter queue and the shard moves on. */
  retryAttempts: 10,
  maxRecordAge: Duration.days(1),
} as const;

/**
 * Only the records that can make an event reach the function (DynamoDB filters on `dynamodb`
 * only): users, groups and tokens by key, tenant items by sort key, memberships by their member
 * type attribute. Feed and activity items, userName claims and page cursors never invoke it.
 */
export const STREAM_FILTERS = [
  FilterCriteria.filter({
    dynamodb: {
      Keys: { pk: { S: [{ prefix: 'TOKEN#' }, { suffix: '#USER' }, { suffix: '#GROUP' }] } },
    },
  }),
  FilterCriteria.filter({ dynamodb: { Keys: { sk: { S: FilterRule.isEqual('TENANT') } } } }),
  FilterCriteria.filter({ dynamodb: { NewImage: { mt: { S: FilterRule.exists() } } } }),
  FilterCriteria.filter({ dynamodb: { OldImage: { mt: { S: FilterRule.exists() } } } }),
];

export class DirectoryEvents extends Construct {
  readonly bus: IEventBus;
  readonly deadLetterQueue: Queue;
  /** In alarm while the dead-letter queue holds a batch (events that were not delivered). */
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: DirectoryEventsProps) {
    super(scope, id);
    const { table, handler } = props;
    const retentionDays = props.feedRetention?.toDays() ?? DEFAULT_FEED_RETENTION_DAYS;
    if (!Number.isInteger(retentionDays) || retentionDays < 1)
      throw new Error(`feedRetention: expected a positive whole number of days, got ${retentionDays}`);

    this.bus = props.eventBus ?? new EventBus(this, 'Bus', { description: 'SCIM directory change events' });
    this.bus.grantPutEventsTo(handler);
    handler.addEnvironment(EVENTS_ENV.busName, this.bus.eventBusArn);
    handler.addEnvironment(EVENTS_ENV.scimBase, props.scimBaseUrl);
    handler.addEnvironment(EVENTS_ENV.feedRetentionDays, String(retentionDays));
    if (props.customExtension) handler.addEnvironment(CUSTOM_EXTENSION_ENV, props.customExtension);

    // What lands here is Lambda's record of a failed batch (shard, sequence numbers), not the data:
    // read the records from the stream (24 h) or replay the changes from the table.
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    handler.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: EVENT_SOURCE_SETTINGS.batchSize,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: EVENT_SOURCE_SETTINGS.retryAttempts,
        maxRecordAge: EVENT_SOURCE_SETTINGS.maxRecordAge,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: STREAM_FILTERS,
      }),
    );

    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription:
        'Change events were not delivered: a batch of stream records is in the events dead-letter queue (docs/events.md, "When events are not delivered")',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // Stable output keys (the application reads them), in whichever stack holds the construct.
    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description }).overrideLogicalId(key);
    output('EventBusName', this.bus.eventBusName, 'EventBridge bus with the directory change events');
    output('EventBusArn', this.bus.eventBusArn, 'ARN of the EventBridge bus with the directory change events');
  }
}
