// The environment the stack gives the authorizer (see AuthorizerOptions in app.ts). Dependency-free,
// so the CDK app can import it without loading the runtime code.
export const AUTHORIZER_ENV = {
  cacheTtlSeconds: 'AUTHORIZER_CACHE_TTL_SECONDS',
  sharedUsageKey: 'SHARED_USAGE_PLAN_KEY',
} as const;
