// The cached-policy bug: API Gateway caches the authorizer's policy per token and evaluates it
// against later requests to other routes. One policy must allow every SCIM route and no admin route.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowPolicy, denyPolicy, scimRoutesArns } from '#auth/policy.ts';
import { ROUTES, type Route } from '#api/routes.ts';

const API = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5';
const STAGE = 'prod';

/** IAM resource matching as API Gateway does it: `*` any run of characters (slashes too), `?` one. */
function resourceMatches(pattern: string, arn: string): boolean {
  const regex = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`).test(arn);
}

function allows(policy: APIGatewayAuthorizerResult, methodArn: string): boolean {
  const statements = policy.policyDocument.Statement as Array<{ Effect: string; Resource: string | string[] }>;
  const hit = (effect: string) =>
    statements.some((s) => s.Effect === effect && [s.Resource].flat().some((r) => resourceMatches(r, methodArn)));
  return hit('Allow') && !hit('Deny');
}

const concrete = (route: Route, value: string) => route.path.replace(/\{\w+\}/g, value);
const methodArnOf = (route: Route, value = '2819c223-7f76-453a-919d-413861904646', api = API, stage = STAGE) =>
  `${api}/${stage}/${route.method}${concrete(route, value)}`;

const scimRoutes = ROUTES.filter((r) => r.auth === 'scim');
const adminRoutes = ROUTES.filter((r) => r.auth === 'admin');
const allow = {
  allow: true as const,
  tenantId: 'acme',
  tokenId: '01HZX3J4K5M6N7P8Q9R0S1T2V3',
  scope: 'full' as const,
  expiresAt: '2031-01-01T00:00:00.000Z',
  rateLimitTier: 'default',
};

describe('allow policy', () => {
  it('the route table has both kinds of routes (the checks below are not vacuous)', () => {
    expect(scimRoutes.length).toBeGreaterThan(10);
    expect(adminRoutes.length).toBeGreaterThan(3);
  });

  it.each(scimRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    'built on %s, allows every SCIM route and no admin route',
    (_name, first) => {
      const policy = allowPolicy(methodArnOf(first), allow);
      for (const route of scimRoutes)
        expect(allows(policy, methodArnOf(route)), `${route.method} ${route.path}`).toBe(true);
      for (const route of adminRoutes)
        expect(allows(policy, methodArnOf(route)), `${route.method} ${route.path}`).toBe(false);
    },
  );

  it('is one and the same policy whichever SCIM route came first (so caching it is safe)', () => {
    const policies = scimRoutes.map((r) => JSON.stringify(allowPolicy(methodArnOf(r), allow)));
    expect(new Set(policies).size).toBe(1);
  });

  it('never allows an admin route, whatever the path parameters are', () => {
    const segment = fc.oneof(
      fc.constantFrom('scim', 'v2', 'scim/v2', 'tokens', '*'),
      fc.stringMatching(/^[A-Za-z0-9._~-]{1,20}$/),
    );
    const policy = allowPolicy(methodArnOf(scimRoutes[0]!), allow);
    fc.assert(
      fc.property(
        fc.constantFrom(...adminRoutes),
        segment,
        (route, value) => !allows(policy, methodArnOf(route, value)),
      ),
    );
  });

  it('allows SCIM routes with any id, and query strings are not part of the ARN', () => {
    const policy = allowPolicy(methodArnOf(scimRoutes[0]!), allow);
    const id = fc.stringMatching(/^[A-Za-z0-9._~%-]{1,40}$/);
    fc.assert(
      fc.property(fc.constantFrom(...scimRoutes), id, (route, value) => allows(policy, methodArnOf(route, value))),
    );
  });

  it('is limited to its own API and stage', () => {
    const policy = allowPolicy(methodArnOf(scimRoutes[0]!), allow);
    const route = scimRoutes[0]!;
    expect(allows(policy, methodArnOf(route, 'x', API, 'dev'))).toBe(false);
    expect(
      allows(policy, methodArnOf(route, 'x', 'arn:aws:execute-api:eu-west-1:123456789012:otherapi00', STAGE)),
    ).toBe(false);
    expect(
      allows(policy, methodArnOf(route, 'x', 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5', STAGE)),
    ).toBe(false);
  });

  it('names the token as principal and passes tenant, token, scope and rate-limit tier on', () => {
    const policy = allowPolicy(methodArnOf(scimRoutes[0]!), { ...allow, scope: 'read' });
    expect(policy).toEqual({
      principalId: allow.tokenId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'].map((m) => `${API}/${STAGE}/${m}/scim/v2/*`),
          },
        ],
      },
      context: { tenantId: 'acme', tokenId: allow.tokenId, scope: 'read', rateLimitTier: 'default' },
    });
  });

  it("carries the tenant's usage-plan key as usageIdentifierKey when there is one (apiKeySource AUTHORIZER)", () => {
    expect(allowPolicy(methodArnOf(scimRoutes[0]!), allow, 'scimrl_key').usageIdentifierKey).toBe('scimrl_key');
    expect(allowPolicy(methodArnOf(scimRoutes[0]!), allow)).not.toHaveProperty('usageIdentifierKey');
    expect(denyPolicy(methodArnOf(scimRoutes[0]!), 'token expired')).not.toHaveProperty('usageIdentifierKey');
  });
});

describe('deny policy', () => {
  it('denies every SCIM route (a cached Deny holds for all of them) and carries the reason', () => {
    const policy = denyPolicy(methodArnOf(scimRoutes[0]!), 'token expired');
    for (const route of scimRoutes) expect(allows(policy, methodArnOf(route))).toBe(false);
    expect(policy.context).toEqual({ error: 'token expired' });
    expect((policy.policyDocument.Statement[0] as { Effect: string }).Effect).toBe('Deny');
  });
});

describe('scimRoutesArns', () => {
  it('refuses something that is not a method ARN', () => {
    expect(() => scimRoutesArns('not-an-arn')).toThrow();
  });
});
