// The IAM policy a TOKEN authorizer returns. API Gateway caches it per token and evaluates the
// cached policy against every later request's method ARN, so it must cover every SCIM route of
// the stage (not just the method first called: the classic cached-policy bug) and nothing else.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { ROUTES, SCIM_PREFIX } from '#api/routes.ts';
import type { AuthDecision } from './authenticate.ts';

/** The HTTP methods the SCIM routes use, from the route table. */
const SCIM_METHODS = [...new Set(ROUTES.filter((r) => r.auth === 'scim').map((r) => r.method))].sort();

/**
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/scim/v2/*`, one per method the
 * SCIM routes use, from a method ARN `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`:
 * any path under the SCIM prefix, on this API and stage only. The method is spelled out: IAM's
 * `*` also matches `/`, so a `*` in the method's place would match `DELETE/admin/tenants/...`
 * whenever an admin path parameter happened to contain `/scim/v2/`.
 */
export function scimRoutesArns(methodArn: string): string[] {
  const [apiArn, stage] = methodArn.split('/');
  if (!apiArn || !stage || !apiArn.startsWith('arn:') || apiArn.split(':').length !== 6) {
    throw new Error('unexpected methodArn');
  }
  return SCIM_METHODS.map((method) => `${apiArn}/${stage}/${method}${SCIM_PREFIX}/*`);
}

type Decision<A extends boolean> = Extract<AuthDecision, { allow: A }>;

/**
 * `usageIdentifierKey`: the API key of the usage plan that rate-limits this tenant (the API's
 * apiKeySource is AUTHORIZER, so API Gateway counts the request against that key's bucket; the
 * cached answer keeps counting against it). Omitted when there is none (local runner).
 */
export function allowPolicy(
  methodArn: string,
  decision: Decision<true>,
  usageIdentifierKey?: string,
): APIGatewayAuthorizerResult {
  return {
    principalId: decision.tokenId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: scimRoutesArns(methodArn) }],
    },
    context: {
      tenantId: decision.tenantId,
      tokenId: decision.tokenId,
      scope: decision.scope,
      rateLimitTier: decision.rateLimitTier,
    },
    ...(usageIdentifierKey ? { usageIdentifierKey } : {}),
  };
}

/**
 * An explicit Deny over the same resources, carrying the reason in `context.error`: the stack's
 * ACCESS_DENIED gateway response turns it into a 401 SCIM error with that detail.
 */
export function denyPolicy(methodArn: string, detail: string, tokenId?: string): APIGatewayAuthorizerResult {
  return {
    principalId: tokenId ?? 'anonymous',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: scimRoutesArns(methodArn) }],
    },
    context: { error: detail },
  };
}
