// Fair per-tenant limits (docs/deploy.md, "Per-tenant rate limits"): one usage plan per tier, whose
// throttle API Gateway applies to each API key separately, and one API key per tenant. The API's
// apiKeySource is AUTHORIZER: the authorizer returns the tenant's key as usageIdentifierKey, so a
// client never sends (or knows) a key, and one tenant's IdP at full speed only empties its own bucket.
//
// Why tiers and not a throttle per tenant: API Gateway has no per-key throttle; a usage plan's
// throttle applies to every key in it (its `apiStages[].throttle` is per method, not per key). So a
// per-tenant override is a second plan (a "tier") the admin API moves the tenant's key into. A plan
// per tenant would hit the 300-plans-per-region quota; keys allow 10,000 per region.
//
// The admin function creates the keys and moves them between plans. It finds the plans by name,
// not by id: an id in its environment would make the template circular (function → plan → stage →
// deployment → methods → function). Its permissions name the plans' ids in a separate policy that
// the function does not wait for, for the same reason.

import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import { ApiKey, type RestApi, type UsagePlan } from 'aws-cdk-lib/aws-apigateway';
import { Effect, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { GATEWAY_ENV } from '#functions/admin/gateway-env.ts';
import { AUTHORIZER_ENV } from '#functions/authorizer/env.ts';
import { DEFAULT_TIER_NAME, tiersOf, validRateLimits, type TenantRateLimits } from '#infra/rate-limit-settings.ts';

export interface TenantUsagePlansProps {
  readonly api: RestApi;
  /** The stage's name as a literal (a reference to the Stage would close the cycle above). */
  readonly stageName: string;
  readonly limits: TenantRateLimits;
  readonly admin: LambdaFunction;
  readonly authorizer: LambdaFunction;
}

export class TenantUsagePlans extends Construct {
  /** Usage plan by tier name, the default tier first. */
  readonly plans: ReadonlyMap<string, UsagePlan>;
  /** The key tenants without their own key share (see AuthorizerOptions.sharedUsageKey). */
  readonly sharedKey: ApiKey;
  /** The admin function's permission on the plans' keys. */
  readonly planKeysPolicy: Policy;

  constructor(scope: Construct, id: string, props: TenantUsagePlansProps) {
    super(scope, id);
    const { api, stageName, admin, authorizer } = props;
    const stack = Stack.of(this);
    const limits = validRateLimits(props.limits);
    const prefix = `${api.restApiName}-`;

    const plans = new Map<string, UsagePlan>();
    for (const [tier, limit] of tiersOf(limits)) {
      plans.set(
        tier,
        api.addUsagePlan(`Tier${tier.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}`, {
          name: `${prefix}${tier}`,
          description: `SCIM tenants in rate-limit tier "${tier}": each tenant's API key gets this throttle`,
          throttle: { rateLimit: limit.rateLimit, burstLimit: limit.burstLimit },
          apiStages: [{ api, stage: api.deploymentStage }],
        }),
      );
    }
    this.plans = plans;

    // Deterministic and unique per stack and construct path: API key values are unique per region.
    const sharedValue = `scim-shared-${createHash('sha256').update(`${stack.stackName}/${this.node.path}`).digest('hex').slice(0, 32)}`;
    this.sharedKey = new ApiKey(this, 'SharedKey', {
      apiKeyName: `${prefix}shared`,
      description: 'Rate-limit key of SCIM tenants that have no key of their own yet (not a credential)',
      value: sharedValue,
    });
    plans.get(DEFAULT_TIER_NAME)!.addApiKey(this.sharedKey);

    authorizer.addEnvironment(AUTHORIZER_ENV.sharedUsageKey, sharedValue);
    admin.addEnvironment(GATEWAY_ENV.restApiId, api.restApiId);
    admin.addEnvironment(GATEWAY_ENV.stageName, stageName);
    admin.addEnvironment(
      GATEWAY_ENV.usagePlans,
      JSON.stringify(Object.fromEntries([...plans.keys()].map((tier) => [tier, `${prefix}${tier}`]))),
    );
    admin.addEnvironment(GATEWAY_ENV.apiKeyPrefix, `${prefix}tenant-`);

    const apigateway = (path: string) => `arn:${stack.partition}:apigateway:${stack.region}::${path}`;
    // CreateApiKey has no resource narrower than the region's /apikeys; GetUsagePlans lists plans
    // (names and ids, no keys). FlushStageAuthorizersCache on this stage only.
    admin.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['apigateway:POST'], resources: [apigateway('/apikeys')] }),
    );
    admin.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['apigateway:GET'],
        resources: [apigateway('/usageplans')],
      }),
    );
    admin.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['apigateway:DELETE'],
        resources: [apigateway(`/restapis/${api.restApiId}/stages/${stageName}/cache/authorizers`)],
      }),
    );
    const planKeys = new Policy(this, 'AdminUsagePlanKeys', {
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['apigateway:POST'],
          resources: [...plans.values()].map((plan) => apigateway(`/usageplans/${plan.usagePlanId}/keys`)),
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['apigateway:DELETE'],
          resources: [...plans.values()].map((plan) => apigateway(`/usageplans/${plan.usagePlanId}/keys/*`)),
        }),
      ],
    });
    admin.role!.attachInlinePolicy(planKeys);
    this.planKeysPolicy = planKeys;
  }
}
