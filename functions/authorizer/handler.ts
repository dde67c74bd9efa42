import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { contextFromEnv } from '#api/context.ts';
import { METRIC } from '#functions/metric-names.ts';
import { instrument } from '#functions/telemetry.ts';
import { authorizerHandler, authorizerOptionsFromEnv } from './app.ts';

const ctx = contextFromEnv();

export const handler = instrument(authorizerHandler(ctx, authorizerOptionsFromEnv()), {
  db: ctx.db,
  record: (result, metrics) => {
    const allowed = result.policyDocument.Statement.some((s) => s.Effect === 'Allow');
    metrics.addMetric(allowed ? METRIC.tokensAllowed : METRIC.tokensDenied, MetricUnit.Count, 1);
  },
});
