import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { contextFromEnv } from '#api/context.ts';
import { METRIC, TOKEN_EXPIRY_WARN_DAYS } from '#functions/metric-names.ts';
import { instrument, metrics } from '#functions/telemetry.ts';
import { logger } from '#http/logger.ts';
import { tokenExpiryHandler, type ExpiryReport } from './app.ts';

const ctx = contextFromEnv();

function publish(report: ExpiryReport): void {
  for (const { tenantId, daysLeft } of report.tenants) {
    // One metric per tenant (its own dimension), emitted at once.
    const single = metrics.singleMetric();
    single.addDimension('tenantId', tenantId);
    single.addMetric(METRIC.daysUntilTokenExpiry, MetricUnit.Count, daysLeft);
  }
  if (report.minDaysLeft !== undefined) {
    metrics.addMetric(METRIC.minDaysUntilTokenExpiry, MetricUnit.Count, report.minDaysLeft);
  }
  const soon = report.tenants.filter((t) => t.daysLeft < TOKEN_EXPIRY_WARN_DAYS);
  if (soon.length) logger.warn('SCIM tokens expire soon: rotate them (docs/tokens.md)', { tenants: soon });
}

export const handler = instrument(tokenExpiryHandler(ctx, publish), { db: ctx.db });
