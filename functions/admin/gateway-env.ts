// The environment the stack gives the admin function for its GatewayControl (api-gateway.ts).
// Dependency-free, so the CDK app can import it without loading the SDK.
export const GATEWAY_ENV = {
  restApiId: 'SCIM_REST_API_ID',
  stageName: 'SCIM_STAGE_NAME',
  /** JSON: tier → usage plan name (names, not ids: an id would make the stack's graph circular). */
  usagePlans: 'SCIM_USAGE_PLANS',
  /** Prefix of the tenants' API key names. */
  apiKeyPrefix: 'SCIM_API_KEY_PREFIX',
} as const;
