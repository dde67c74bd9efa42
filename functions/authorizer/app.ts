// API Gateway TOKEN authorizer: the Authorization header in, one cached-policy-safe IAM policy out.
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { authenticate, DENY_DETAIL } from '#auth/authenticate.ts';
import { allowPolicy, denyPolicy } from '#auth/policy.ts';
import type { AppContext } from '#api/context.ts';
import { logger } from '#http/logger.ts';

export function authorizerHandler(ctx: AppContext) {
  return async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    let decision;
    try {
      decision = await authenticate(ctx, event.authorizationToken);
    } catch (error) {
      // Thrown, not denied: API Gateway answers 500 and does not cache a Deny for a valid token.
      logger.error('token check failed', { error: error as Error });
      throw error;
    }
    // Ids only: the token itself is never logged.
    if (!decision.allow) {
      logger.info('token denied', { reason: decision.reason, tenantId: decision.tenantId, tokenId: decision.tokenId });
      return denyPolicy(event.methodArn, DENY_DETAIL[decision.reason], decision.tokenId);
    }
    return allowPolicy(event.methodArn, decision);
  };
}
