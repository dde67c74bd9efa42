// The events function's settings: environment variables the stack sets (infra/events.ts) and the
// local runner passes in-process, and their defaults.
export const EVENTS_ENV = {
  /** Name or ARN of the EventBridge bus; unset: the feed only. */
  busName: 'EVENT_BUS_NAME',
  /** `https://<api>/<stage>/scim/v2`: meta.location of the resources in events. */
  scimBase: 'SCIM_BASE_URL',
  /** Days a feed item is kept (DynamoDB TTL). */
  feedRetentionDays: 'FEED_RETENTION_DAYS',
} as const;

export const DEFAULT_FEED_RETENTION_DAYS = 30;

export function feedRetentionDaysFrom(env: NodeJS.ProcessEnv): number {
  const n = Number(env[EVENTS_ENV.feedRetentionDays]);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_FEED_RETENTION_DAYS;
}
