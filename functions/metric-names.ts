// The custom CloudWatch metrics the functions publish (Embedded Metric Format, via Powertools), by
// name: the functions write them, the stack's alarms and dashboard read them (infra/operations.ts).
// Dependency-free on purpose, so the CDK app can import it without loading the runtime code.

/** Namespace of every custom metric; the `service` dimension names the deployment (env below). */
export const METRICS_NAMESPACE = 'ScimDirectory';
/** Set on every function: the value of the `service` dimension. */
export const SERVICE_NAME_ENV = 'POWERTOOLS_SERVICE_NAME';

export const METRIC = {
  /** Per invocation: DynamoDB requests, read and write capacity units the invocation consumed. */
  dynamoDbRequests: 'DynamoDbRequests',
  dynamoDbReadUnits: 'DynamoDbReadCapacityUnits',
  dynamoDbWriteUnits: 'DynamoDbWriteCapacityUnits',
  /** Authorizer decisions. */
  tokensAllowed: 'TokensAllowed',
  tokensDenied: 'TokensDenied',
  /** Daily check, per tenant (dimension `tenantId`): days until its newest active token expires. */
  daysUntilTokenExpiry: 'DaysUntilTokenExpiry',
  /** Daily check: the smallest of the above over all tenants (the alarm's metric). */
  minDaysUntilTokenExpiry: 'MinDaysUntilTokenExpiry',
} as const;

/** The token-expiry alarm fires when a tenant's newest token has fewer days left than this. */
export const TOKEN_EXPIRY_WARN_DAYS = 30;
