// Metrics (CloudWatch EMF) and traces (X-Ray) for every function. Applied at the Lambda entry
// (functions/<name>/handler.ts) only: the local runner and the tests call app.ts and stay quiet.
// The stack sets POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME and POWERTOOLS_TRACE_ENABLED.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { metered, type Db } from '#store/client.ts';
import { METRIC, METRICS_NAMESPACE } from './metric-names.ts';

export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE });
export const tracer = new Tracer();

export interface InstrumentOptions<R> {
  /** Traces this table's calls (one X-Ray subsegment per DynamoDB request). */
  db?: Db;
  /** Adds metrics about the result (e.g. the authorizer's decision). */
  record?: (result: R, out: Metrics) => void;
}

/**
 * Wraps a handler: cold-start metric, the DynamoDB cost of the invocation as metrics, a subsegment
 * around the handler (errors attached), and the metrics flushed as one EMF log line at the end.
 */
export function instrument<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  options: InstrumentOptions<R> = {},
): (event: E, context: Context) => Promise<R> {
  if (options.db) tracer.captureAWSv3Client(options.db.doc);
  return async (event, context) => {
    metrics.captureColdStartMetric(context.functionName);
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const segment = parent?.addNewSubsegment(`## ${context.functionName}`);
    if (segment) {
      tracer.setSegment(segment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    }
    try {
      const { result, cost } = await metered(() => handler(event, context));
      metrics.addMetric(METRIC.dynamoDbRequests, MetricUnit.Count, cost.requests);
      metrics.addMetric(METRIC.dynamoDbReadUnits, MetricUnit.Count, cost.rcu);
      metrics.addMetric(METRIC.dynamoDbWriteUnits, MetricUnit.Count, cost.wcu);
      options.record?.(result, metrics);
      return result;
    } catch (error) {
      segment?.addError(error as Error);
      throw error;
    } finally {
      segment?.close();
      if (parent) tracer.setSegment(parent);
      metrics.publishStoredMetrics();
    }
  };
}
