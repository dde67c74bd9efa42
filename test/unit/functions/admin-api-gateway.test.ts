// The admin function's GatewayControl on the API Gateway API (functions/admin/api-gateway.ts), with
// a recording client standing in for the SDK: which commands it sends, with which arguments, and how
// it treats the answers that mean "already done".
import {
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteUsagePlanKeyCommand,
  FlushStageAuthorizersCacheCommand,
  GetUsagePlansCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import { describe, expect, it } from 'vitest';
import { apiGatewayControl } from '#functions/admin/api-gateway.ts';
import { GATEWAY_ENV } from '#functions/admin/gateway-env.ts';

const ENV = {
  [GATEWAY_ENV.restApiId]: 'a1b2c3d4e5',
  [GATEWAY_ENV.stageName]: 'prod',
  [GATEWAY_ENV.usagePlans]: JSON.stringify({ default: 'scim-default', large: 'scim-large' }),
  [GATEWAY_ENV.apiKeyPrefix]: 'scim-tenant-',
};

type Answer = (command: object) => unknown;

function client(answer: Answer = () => ({})) {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  return {
    sent,
    send: async (command: object) => {
      sent.push({ name: command.constructor.name, input: (command as { input: Record<string, unknown> }).input });
      const out = answer(command);
      if (out instanceof Error) throw out;
      return out;
    },
  };
}

const plans: Answer = (c) =>
  c instanceof GetUsagePlansCommand
    ? {
        items: [
          { id: 'p-other', name: 'someone-else' },
          { id: 'p-default', name: 'scim-default' },
          { id: 'p-large', name: 'scim-large' },
        ],
      }
    : c instanceof CreateApiKeyCommand
      ? { id: 'key-1' }
      : {};

describe('apiGatewayControl', () => {
  it('is absent without the stack’s environment (local runs, tests of the use cases)', () => {
    expect(apiGatewayControl({}, client())).toBeUndefined();
  });

  it('creates a tenant’s key with the given value under the prefixed name, enabled', async () => {
    const c = client(plans);
    const id = await apiGatewayControl(ENV, c)!.usagePlans!.createApiKey('acme', 'scimrl_value');
    expect(id).toBe('key-1');
    expect(c.sent).toEqual([
      {
        name: CreateApiKeyCommand.name,
        input: expect.objectContaining({ name: 'scim-tenant-acme', value: 'scimrl_value', enabled: true }),
      },
    ]);
  });

  it('assignPlan: out of the other tiers’ plans first (a key may be in one plan per stage), then into its own', async () => {
    const c = client(plans);
    const gateway = apiGatewayControl(ENV, c)!;
    expect(gateway.usagePlans!.tiers).toEqual(['default', 'large']);
    await gateway.usagePlans!.assignPlan('key-1', 'large');
    expect(c.sent.map((s) => [s.name, s.input])).toEqual([
      [GetUsagePlansCommand.name, { limit: 500 }],
      [DeleteUsagePlanKeyCommand.name, { usagePlanId: 'p-default', keyId: 'key-1' }],
      [CreateUsagePlanKeyCommand.name, { usagePlanId: 'p-large', keyId: 'key-1', keyType: 'API_KEY' }],
    ]);
    // Plans are looked up once per container.
    await gateway.usagePlans!.assignPlan('key-2', 'default');
    expect(c.sent.filter((s) => s.name === GetUsagePlansCommand.name)).toHaveLength(1);
  });

  it('assignPlan is idempotent: "not in that plan" and "already in this plan" are success', async () => {
    const c = client((cmd) =>
      cmd instanceof DeleteUsagePlanKeyCommand
        ? new NotFoundException({ message: 'no', $metadata: {} })
        : cmd instanceof CreateUsagePlanKeyCommand
          ? new ConflictException({ message: 'exists', $metadata: {} })
          : plans(cmd),
    );
    await expect(apiGatewayControl(ENV, c)!.usagePlans!.assignPlan('key-1', 'default')).resolves.toBeUndefined();
  });

  it('a plan missing from the account is an error naming it, and is looked up again next time', async () => {
    let calls = 0;
    const c = client((cmd) => {
      if (!(cmd instanceof GetUsagePlansCommand)) return {};
      calls += 1;
      return calls === 1 ? { items: [] } : plans(cmd);
    });
    const gateway = apiGatewayControl(ENV, c)!;
    await expect(gateway.usagePlans!.assignPlan('key-1', 'default')).rejects.toThrow(/scim-default/);
    await expect(gateway.usagePlans!.assignPlan('key-1', 'default')).resolves.toBeUndefined();
  });

  it('follows GetUsagePlans pages', async () => {
    const c = client((cmd) => {
      if (!(cmd instanceof GetUsagePlansCommand)) return {};
      return (cmd.input as { position?: string }).position
        ? { items: [{ id: 'p-large', name: 'scim-large' }] }
        : { items: [{ id: 'p-default', name: 'scim-default' }], position: 'next' };
    });
    await apiGatewayControl(ENV, c)!.usagePlans!.assignPlan('key-1', 'large');
    expect(c.sent.find((s) => s.name === CreateUsagePlanKeyCommand.name)!.input.usagePlanId).toBe('p-large');
  });

  it('flushes this stage’s authorizer cache, and never throws when that fails (the revocation stands)', async () => {
    const ok = client();
    await apiGatewayControl(ENV, ok)!.flushAuthorizerCache();
    expect(ok.sent).toEqual([
      { name: FlushStageAuthorizersCacheCommand.name, input: { restApiId: 'a1b2c3d4e5', stageName: 'prod' } },
    ]);
    const failing = client(() => new Error('TooManyRequestsException'));
    await expect(apiGatewayControl(ENV, failing)!.flushAuthorizerCache()).resolves.toBeUndefined();
  });
});
