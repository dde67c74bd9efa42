// Fair per-tenant limits on AWS (issue 11, item 5), pinned in the template since no test calls AWS:
// apiKeySource AUTHORIZER, API keys required on the SCIM methods only, one usage plan per tier with
// its throttle, a shared key for tenants without their own, the admin function's environment and
// permissions scoped to this API's plans and stage. The runtime side: test/unit/auth/authorizer.test.ts
// (usageIdentifierKey), test/unit/functions/admin-api-gateway.test.ts (the calls), and
// test/integration/tenant-rate-limits.test.ts (tenant B served while A is over its limit, locally).

import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#api/routes.ts';
import type { ScimApi } from '#infra/scim-api.ts';
import { ofType, resourcesOf, roleStatements, synth, type Resources } from './synth.ts';

let template: Template;
let stack: Stack;
let scim: ScimApi;

beforeAll(() => {
  ({ template, stack, scim } = synth());
});

const id = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const envOf = (t: Template, logicalId: string) =>
  (resourcesOf(t)[logicalId]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables ?? {};

describe('one stage-wide rate limit shared by every tenant: fixed (usage plans, one key per tenant)', () => {
  it('the API takes API keys from the authorizer, and every SCIM method (only those) requires one', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    const methods = ofType(template, 'AWS::ApiGateway::Method').map(([, m]) => m.Properties!);
    const scimCount = ROUTES.filter((r) => r.auth === 'scim').length;
    expect(methods.filter((m) => m.ApiKeyRequired === true)).toHaveLength(scimCount);
    for (const m of methods)
      expect(m.ApiKeyRequired === true, JSON.stringify(m.ResourceId)).toBe(m.AuthorizationType === 'CUSTOM');
  });

  it('the default tier: one usage plan on this stage, 25 rps / burst 50 for each key in it', () => {
    const plans = ofType(template, 'AWS::ApiGateway::UsagePlan');
    expect(plans).toHaveLength(1);
    const [, plan] = plans[0]!;
    expect(plan.Properties!.Throttle).toEqual({ RateLimit: 25, BurstLimit: 50 });
    expect(plan.Properties!.ApiStages).toMatchObject([
      { ApiId: { Ref: id(scim.api) }, Stage: { Ref: id(scim.api.deploymentStage) } },
    ]);
    expect(plan.Properties!.UsagePlanName).toBe('TestScim-scim-default');
  });

  it('tenants without their own key share one key of the default plan; the authorizer knows it', () => {
    const [keyId, key] = ofType(template, 'AWS::ApiGateway::ApiKey')[0]! as [string, Resources[string]];
    const value = key!.Properties!.Value as string;
    expect(value).toMatch(/^scim-shared-[0-9a-f]{32}$/);
    expect(key!.Properties!.Enabled).toBe(true);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyId: { Ref: keyId },
      KeyType: 'API_KEY',
      UsagePlanId: { Ref: ofType(template, 'AWS::ApiGateway::UsagePlan')[0]![0] },
    });
    expect(envOf(template, id(scim.functions.authorizer))).toMatchObject({
      SHARED_USAGE_PLAN_KEY: value,
      AUTHORIZER_CACHE_TTL_SECONDS: '60',
    });
  });

  it('the admin function finds the plans by name and this API and stage by id', () => {
    expect(envOf(template, id(scim.functions.admin))).toMatchObject({
      SCIM_REST_API_ID: { Ref: id(scim.api) },
      SCIM_STAGE_NAME: 'prod',
      SCIM_USAGE_PLANS: JSON.stringify({ default: 'TestScim-scim-default' }),
      SCIM_API_KEY_PREFIX: 'TestScim-scim-tenant-',
    });
  });

  it('the admin role may create keys, list plans, move keys in and out of these plans, and flush this stage only', () => {
    const roleId = stack.getLogicalId(scim.functions.admin.role!.node.defaultChild as CfnElement);
    const apigateway = roleStatements(template, roleId).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('apigateway:')),
    );
    const rendered = apigateway.map((s) => `${[s.Action].flat().join()} ${JSON.stringify(s.Resource)}`);
    const planId = ofType(template, 'AWS::ApiGateway::UsagePlan')[0]![0];
    expect(rendered).toHaveLength(5);
    expect(rendered.join('\n')).toContain(
      'apigateway:POST {"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":apigateway:eu-west-1::/apikeys"]]}',
    );
    expect(rendered.join('\n')).toContain(
      'apigateway:GET {"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":apigateway:eu-west-1::/usageplans"]]}',
    );
    expect(rendered.join('\n')).toContain(`{"Ref":"${id(scim.api)}"},"/stages/prod/cache/authorizers"`);
    expect(rendered.find((r) => r.startsWith('apigateway:POST') && r.includes(planId))).toContain('/keys"');
    expect(rendered.find((r) => r.startsWith('apigateway:DELETE') && r.includes(planId))).toContain('/keys/*"');
    // No other role may touch API Gateway.
    for (const name of Object.keys(scim.functions) as (keyof typeof scim.functions)[]) {
      if (name === 'admin') continue;
      const other = stack.getLogicalId(scim.functions[name].role!.node.defaultChild as CfnElement);
      expect(JSON.stringify(roleStatements(template, other)), name).not.toContain('apigateway:');
    }
  });

  it('tiers: one plan each with its own throttle, all named to the admin function and in its policy', () => {
    const {
      template: t,
      stack: s,
      scim: api,
    } = synth({
      props: {
        tenantRateLimits: {
          default: { rateLimit: 10, burstLimit: 20 },
          tiers: { large: { rateLimit: 100, burstLimit: 200 } },
        },
      },
    });
    const plans = ofType(t, 'AWS::ApiGateway::UsagePlan').map(([pid, p]) => [pid, p.Properties!] as const);
    expect(plans.map(([, p]) => [p.UsagePlanName, p.Throttle])).toEqual([
      ['TestScim-scim-default', { RateLimit: 10, BurstLimit: 20 }],
      ['TestScim-scim-large', { RateLimit: 100, BurstLimit: 200 }],
    ]);
    const adminId = s.getLogicalId(api.functions.admin.node.defaultChild as CfnElement);
    expect(JSON.parse(envOf(t, adminId).SCIM_USAGE_PLANS as string)).toEqual({
      default: 'TestScim-scim-default',
      large: 'TestScim-scim-large',
    });
    const roleId = s.getLogicalId(api.functions.admin.role!.node.defaultChild as CfnElement);
    const statements = JSON.stringify(roleStatements(t, roleId));
    for (const [pid] of plans) expect(statements).toContain(`"Ref":"${pid}"`);
    expect(() => synth({ props: { tenantRateLimits: { default: { rateLimit: 0, burstLimit: 1 } } } })).toThrow(
      /rateLimit/,
    );
  });
});

describe('the template deploys: no dependency cycle', () => {
  it('no resource depends on itself through Ref, GetAtt, Sub or DependsOn (function → plan → stage → methods → function)', () => {
    const resources = resourcesOf(template);
    const edges = new Map<string, Set<string>>();
    const refsIn = (value: unknown, out: Set<string>) => {
      if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (k === 'Ref' && typeof v === 'string' && v in resources) out.add(v);
          else if (k === 'Fn::GetAtt' && Array.isArray(v) && (v[0] as string) in resources) out.add(v[0] as string);
          else if (k === 'Fn::Sub') {
            const text = Array.isArray(v) ? (v[0] as string) : (v as string);
            for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/g)) if (m[1]! in resources) out.add(m[1]!);
            if (Array.isArray(v)) refsIn(v[1], out);
          } else refsIn(v, out);
        }
      }
    };
    for (const [rid, r] of Object.entries(resources)) {
      const out = new Set<string>([r.DependsOn ?? []].flat() as string[]);
      refsIn(r.Properties, out);
      edges.set(rid, out);
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const cycle: string[] = [];
    const visit = (node: string, path: string[]): boolean => {
      if (state.get(node) === 'done') return false;
      if (state.get(node) === 'visiting') {
        cycle.push(...path.slice(path.indexOf(node)), node);
        return true;
      }
      state.set(node, 'visiting');
      for (const next of edges.get(node) ?? []) if (visit(next, [...path, node])) return true;
      state.set(node, 'done');
      return false;
    };
    for (const node of edges.keys()) if (visit(node, [])) break;
    expect(cycle).toEqual([]);
  });
});
