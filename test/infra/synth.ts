// Synthesizes ScimStack the way `cdk synth` does (same cdk.json feature flags), but by default with
// bundling skipped through CDK's own switch (`aws:cdk:bundling-stacks: []`): the template is
// identical except for asset hashes, and a synth takes well under a second instead of running
// esbuild five times. test/infra/bundling.test.ts runs the real bundling. CDK's built-in
// CloudFormation validation (a WebAssembly engine, several seconds to load) is likewise off unless a
// test asks for it; one test runs it in strict mode.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PACKAGE_ROOT, type ScimApiProps } from '#infra/scim-api.ts';
import { ScimStack } from '#infra/scim-stack.ts';

const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

export interface SynthOptions {
  props?: ScimApiProps;
  context?: Record<string, unknown>;
  bundle?: boolean;
  validate?: boolean;
  outdir?: string;
  /** Runs cdk-nag's AwsSolutions pack during synthesis (findings: `nagReport`). */
  nag?: boolean;
}

export function synth({ props, context, bundle = false, validate = false, outdir, nag = false }: SynthOptions = {}) {
  const out = outdir ?? (nag ? mkdtempSync(join(tmpdir(), 'scim-nag-')) : undefined);
  const app = new App({
    builtinCloudFormationValidation: validate,
    ...(out ? { outdir: out } : {}),
    context: {
      ...CDK_JSON_CONTEXT,
      ...(bundle ? { 'aws:cdk:enable-asset-metadata': true } : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  const stack = new ScimStack(app, 'TestScim', {
    env: { account: '123456789012', region: 'eu-west-1' },
    ...(props ? { scim: props } : {}),
  });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const template = Template.fromStack(stack);
  return { app, stack, template, scim: stack.scim, outdir: out };
}

export interface NagFinding {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
  reason?: string;
}

/** cdk-nag's findings from a `synth({ nag: true })`: what it reports, and what was acknowledged (with the reason). */
export function nagReport(outdir: string): { violations: NagFinding[]; suppressed: NagFinding[] } {
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: NagFinding[]; suppressedViolations?: NagFinding[] }[];
  };
  const nag = report.pluginReports.filter((p) => p.pluginName === 'AwsSolutions');
  return {
    violations: nag.flatMap((p) => p.violations),
    suppressed: nag.flatMap((p) => p.suppressedViolations ?? []),
  };
}

/** Every IAM statement attached to a role, with the policy it sits in. */
export function roleStatements(template: Template, roleLogicalId: string): IamStatement[] {
  const out: IamStatement[] = [];
  for (const [, policy] of ofType(template, 'AWS::IAM::Policy')) {
    const roles = policy.Properties!.Roles as { Ref: string }[];
    if (!roles.some((r) => r.Ref === roleLogicalId)) continue;
    out.push(...(policy.Properties!.PolicyDocument as { Statement: IamStatement[] }).Statement);
  }
  return out;
}

export interface IamStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
  Sid?: string;
  Principal?: unknown;
}

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;

export const resourcesOf = (template: Template): Resources => template.toJSON().Resources as Resources;

export const ofType = (template: Template, type: string) =>
  Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === type);
