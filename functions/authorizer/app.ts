// API Gateway TOKEN authorizer: the Authorization header in, one cached-policy-safe IAM policy out,
// with the tenant's usage-plan key (per-tenant rate limit) as usageIdentifierKey.
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { authenticate, DENY_DETAIL } from '#auth/authenticate.ts';
import { allowPolicy, denyPolicy } from '#auth/policy.ts';
import type { AppContext } from '#api/context.ts';
import { logger } from '#http/logger.ts';
import { AUTHORIZER_ENV } from './env.ts';

export interface AuthorizerOptions {
  /** The stage's authorizer cache TTL: a token with less life left than this is refused already. */
  cacheTtlSeconds?: number;
  /**
   * The usage-plan key for tenants that have none of their own yet (created before per-tenant
   * keys, or whose key creation failed halfway): they share one bucket of the default plan
   * instead of being refused. Absent: such tenants get no usageIdentifierKey (local runner).
   */
  sharedUsageKey?: string;
}

export function authorizerHandler(ctx: AppContext, options: AuthorizerOptions = {}) {
  const cacheTtlMs = (options.cacheTtlSeconds ?? 0) * 1000;
  return async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    let decision;
    try {
      decision = await authenticate(ctx, event.authorizationToken, cacheTtlMs);
    } catch (error) {
      // Thrown, not denied: API Gateway answers 503 (AUTHORIZER_FAILURE) and caches no Deny for a valid token.
      logger.error('token check failed', { error: error as Error });
      throw error;
    }
    // Ids only: the token itself is never logged.
    if (!decision.allow) {
      logger.info('token denied', { reason: decision.reason, tenantId: decision.tenantId, tokenId: decision.tokenId });
      return denyPolicy(event.methodArn, DENY_DETAIL[decision.reason], decision.tokenId);
    }
    return allowPolicy(event.methodArn, decision, decision.usageKey ?? options.sharedUsageKey);
  };
}

export function authorizerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AuthorizerOptions {
  const ttl = Number(env[AUTHORIZER_ENV.cacheTtlSeconds]);
  const shared = env[AUTHORIZER_ENV.sharedUsageKey];
  return {
    ...(Number.isFinite(ttl) && ttl > 0 ? { cacheTtlSeconds: ttl } : {}),
    ...(shared ? { sharedUsageKey: shared } : {}),
  };
}
