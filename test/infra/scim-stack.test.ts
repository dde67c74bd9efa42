// ScimStack: the outputs the admin CLI reads (stable keys), configuration through context, and the
// app entry (bin/app.ts) as `cdk synth` runs it.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '#infra/scim-api.ts';
import { OUTPUT_KEYS, scimApiPropsFromContext } from '#infra/scim-stack.ts';
import { ofType, synth } from './synth.ts';

describe('outputs', () => {
  it('ScimBaseUrl, AdminBaseUrl, TableName, TableStreamArn under stable keys', () => {
    const { template, stack, scim } = synth();
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    // EventBusName / EventBusArn come from the events construct (test/infra/events.test.ts).
    expect(Object.keys(outputs).sort()).toEqual([
      'AdminBaseUrl',
      'AlarmTopicArn',
      'EventBusArn',
      'EventBusName',
      'ScimBaseUrl',
      'TableName',
      'TableStreamArn',
    ]);
    expect(OUTPUT_KEYS).toEqual({
      scimBaseUrl: 'ScimBaseUrl',
      adminBaseUrl: 'AdminBaseUrl',
      tableName: 'TableName',
      tableStreamArn: 'TableStreamArn',
      alarmTopicArn: 'AlarmTopicArn',
    });
    expect(outputs.AlarmTopicArn!.Value).toEqual(stack.resolve(scim.operations.alarmTopic.topicArn));
    const url = (key: string) => JSON.stringify(outputs[key]!.Value);
    expect(outputs.ScimBaseUrl!.Value).toEqual(stack.resolve(scim.scimBaseUrl));
    expect(outputs.AdminBaseUrl!.Value).toEqual(stack.resolve(scim.adminBaseUrl));
    // https://<api>.execute-api.<region>.<suffix>/<stage>/scim/v2, no trailing slash
    const stage = JSON.stringify(stack.resolve(scim.api.deploymentStage.stageName));
    expect(url('ScimBaseUrl')).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",/);
    expect(url('ScimBaseUrl').endsWith(`"/",${stage},"/scim/v2"]]}`)).toBe(true);
    expect(url('AdminBaseUrl').endsWith(`"/",${stage},"/admin"]]}`)).toBe(true);
    expect(outputs.TableName!.Value).toEqual(stack.resolve(scim.table.tableName));
    expect(outputs.TableStreamArn!.Value).toEqual(stack.resolve(scim.table.tableStreamArn));
  });
});

describe('context', () => {
  it('configures ScimApi from -c key=value strings', () => {
    const extension = {
      id: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User',
      name: 'AcmeUser',
      attributes: [{ name: 'seats', type: 'integer' }],
    };
    const { template } = synth({
      context: {
        stageName: 'staging',
        authorizerCacheTtlSeconds: '120',
        tokenLifetimeDays: '30',
        maxActiveTokens: '4',
        allowedSourceIps: '203.0.113.0/24, 198.51.100.7',
        logRetentionDays: '14',
        throttleRateLimit: '25',
        throttleBurstLimit: '40',
        customExtension: JSON.stringify(extension),
        tracing: 'true',
        adminAllowedSourceIps: '192.0.2.10',
        adminPrincipals: '123456789012,210987654321',
        tenantRateLimit: '10',
        tenantBurstLimit: '30',
        firewall: '3000',
        alarmEmails: 'ops@example.com, oncall@example.com',
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 10, BurstLimit: 30 } });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 3000 }) } }),
      ]),
    });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'AdminForNamedPrincipals', Effect: 'Allow' })]),
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'staging',
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 25, ThrottlingBurstLimit: 40 })],
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 120 });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ScimOnlyFromAllowedSourceIps',
            Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.7'] } },
          }),
          Match.objectLike({
            Sid: 'AdminOnlyFromAllowedSourceIps',
            Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.10'] } },
          }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TOKEN_LIFETIME_DAYS: '30', MAX_ACTIVE_TOKENS: '4' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SCIM_CUSTOM_EXTENSION: JSON.stringify(extension) }) },
    });
    for (const [, group] of ofType(template, 'AWS::Logs::LogGroup')) expect(group.Properties!.RetentionInDays).toBe(14);
  });

  it('accepts typed values from cdk.json (numbers, arrays, objects)', () => {
    const app = new App({
      context: {
        authorizerCacheTtlSeconds: 0,
        allowedSourceIps: ['203.0.113.0/24'],
        customExtension: { id: 'x' },
        tracing: false,
      },
    });
    expect(scimApiPropsFromContext(app.node)).toEqual({
      authorizerCacheTtl: Duration.seconds(0),
      allowedSourceIps: ['203.0.113.0/24'],
      customExtension: { id: 'x' },
      tracing: false,
    });
    const off = scimApiPropsFromContext(new App({ context: { firewall: false, tenantRateLimit: 5 } }).node);
    expect(off).toEqual({ firewall: false, tenantRateLimits: { default: { rateLimit: 5, burstLimit: 50 } } });
  });

  it('leaves absent keys to the construct defaults', () => {
    expect(scimApiPropsFromContext(new App().node)).toEqual({});
  });

  it('rejects values that cannot be right', () => {
    const props = (context: Record<string, unknown>) => scimApiPropsFromContext(new App({ context }).node);
    expect(() => props({ logRetentionDays: '31' })).toThrow(/logRetentionDays/);
    expect(() => props({ maxActiveTokens: 'two' })).toThrow(/maxActiveTokens/);
    expect(() => props({ customExtension: '{not json' })).toThrow(/customExtension/);
    expect(() => props({ customExtension: '[1]' })).toThrow(/customExtension/);
  });

  it('props given in code win over context', () => {
    const { template } = synth({ context: { stageName: 'from-context' }, props: { stageName: 'from-code' } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'from-code' });
  });
});

// CDK's built-in CloudFormation validation compiles a WebAssembly engine on first use: 5 s on an
// idle machine, 25 s on a busy one. `cdk synth` runs it on every synth anyway (findings are printed
// as warnings there); this strict run (any finding fails) is opt-in: SCIM_CFN_VALIDATE=1.
describe.runIf(process.env.SCIM_CFN_VALIDATE)('CloudFormation validation', () => {
  it('finds nothing to report, even in strict mode, with every optional feature on', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'scim-validate-'));
    try {
      synth({
        validate: true,
        outdir,
        context: { '@aws-cdk/core:strictCfnValidateErrors': true },
        props: { allowedSourceIps: ['203.0.113.0/24'], tracing: true, sourceMaps: true },
      });
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { violations?: unknown[] }[];
      };
      expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('bin/app.ts', () => {
  const run = promisify(execFile);

  async function synthApp(context: Record<string, unknown>) {
    const outdir = mkdtempSync(join(tmpdir(), 'scim-app-'));
    try {
      await run(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
        cwd: PACKAGE_ROOT,
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
          CDK_VALIDATION: 'false',
          CDK_DEFAULT_ACCOUNT: '123456789012',
          CDK_DEFAULT_REGION: 'eu-west-1',
        },
      });
      return JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
        artifacts: Record<string, { type: string; environment?: string; properties?: { stackName?: string } }>;
      };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }

  const stacks = (manifest: Awaited<ReturnType<typeof synthApp>>) =>
    Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');

  // One child process (it loads tsx and aws-cdk-lib from scratch, so it is the slow part of this
  // file). The default name is what the admin CLI looks up; -c stackName is a plain pass-through.
  it('deploys one stack named ScimDirectory in the CLI account/region', async () => {
    const found = stacks(await synthApp({}));
    // The manifest names a stack by its artifact id and adds properties.stackName only when different.
    expect(found.map(([id, s]) => s.properties?.stackName ?? id)).toEqual(['ScimDirectory']);
    expect(found[0]![1].environment).toBe('aws://123456789012/eu-west-1');
  }, 60_000);
});
