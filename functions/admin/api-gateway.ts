// The admin function's GatewayControl (shared/admin/gateway.ts) on the API Gateway API: one API key
// per tenant in its tier's usage plan, and FlushStageAuthorizersCache on revocation. The stack sets
// the environment (infra/rate-limits.ts) and grants exactly these calls on this API's resources.
import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteUsagePlanKeyCommand,
  FlushStageAuthorizersCacheCommand,
  GetUsagePlansCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import type { GatewayControl, UsagePlans } from '#admin/gateway.ts';
import { logger } from '#http/logger.ts';
import { GATEWAY_ENV } from './gateway-env.ts';

/** What the admin function needs from the SDK client (tests pass a fake). */
export interface ApiGatewaySend {
  send(command: object): Promise<unknown>;
}

export function apiGatewayControl(
  env: NodeJS.ProcessEnv = process.env,
  client: ApiGatewaySend = new APIGatewayClient({ maxAttempts: 3 }),
): GatewayControl | undefined {
  const restApiId = env[GATEWAY_ENV.restApiId];
  const stageName = env[GATEWAY_ENV.stageName];
  if (!restApiId || !stageName) return undefined;
  const send = <T>(command: object) => client.send(command) as Promise<T>;
  const planNames = JSON.parse(env[GATEWAY_ENV.usagePlans] ?? '{}') as Record<string, string>;
  const tiers = Object.keys(planNames);

  // Usage plan ids by tier, looked up once per container.
  let planIds: Promise<Record<string, string>> | undefined;
  const lookUpPlans = async () => {
    const byName = new Map<string, string>();
    let position: string | undefined;
    do {
      const page = await send<{ items?: { id?: string; name?: string }[]; position?: string }>(
        new GetUsagePlansCommand({ limit: 500, ...(position ? { position } : {}) }),
      );
      for (const plan of page.items ?? []) if (plan.name && plan.id) byName.set(plan.name, plan.id);
      position = page.position;
    } while (position);
    return Object.fromEntries(
      tiers.map((tier) => {
        const id = byName.get(planNames[tier]!);
        if (!id) throw new Error(`usage plan "${planNames[tier]}" (tier ${tier}) not found`);
        return [tier, id];
      }),
    );
  };
  const plans = () => {
    planIds ??= lookUpPlans().catch((error: unknown) => {
      planIds = undefined;
      throw error;
    });
    return planIds;
  };

  const usagePlans: UsagePlans = {
    tiers,
    async createApiKey(tenantId, value) {
      const out = await send<{ id?: string }>(
        new CreateApiKeyCommand({
          name: `${env[GATEWAY_ENV.apiKeyPrefix] ?? 'scim-'}${tenantId}`,
          description: `Rate-limit key of SCIM tenant ${tenantId} (not a credential)`,
          value,
          enabled: true,
        }),
      );
      if (!out.id) throw new Error('CreateApiKey returned no id');
      return out.id;
    },
    async assignPlan(keyId, tier) {
      const ids = await plans();
      // Out of the other tiers' plans first: a key may be in only one plan of a stage. A tenant
      // moving tiers has no plan for that moment (its requests get 403 for as long, see docs/deploy.md).
      for (const [other, usagePlanId] of Object.entries(ids)) {
        if (other === tier) continue;
        try {
          await send(new DeleteUsagePlanKeyCommand({ usagePlanId, keyId }));
        } catch (error) {
          if (!(error instanceof NotFoundException)) throw error; // was not in that plan
        }
      }
      try {
        await send(new CreateUsagePlanKeyCommand({ usagePlanId: ids[tier], keyId, keyType: 'API_KEY' }));
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error; // already in the plan
      }
    },
  };

  return {
    usagePlans,
    async flushAuthorizerCache() {
      try {
        await send(new FlushStageAuthorizersCacheCommand({ restApiId, stageName }));
      } catch (error) {
        logger.warn('authorizer cache flush failed; revoked tokens stop within the cache TTL', {
          error: error as Error,
        });
      }
    },
  };
}
