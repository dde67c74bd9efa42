// Synthesizes ScimStack the way `cdk synth` does (same cdk.json feature flags), but by default with
// bundling skipped through CDK's own switch (`aws:cdk:bundling-stacks: []`): the template is
// identical except for asset hashes, and a synth takes well under a second instead of running
// esbuild five times. test/infra/bundling.test.ts runs the real bundling. CDK's built-in
// CloudFormation validation (a WebAssembly engine, several seconds to load) is likewise off unless a
// test asks for it; one test runs it in strict mode.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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
}

export function synth({ props, context, bundle = false, validate = false, outdir }: SynthOptions = {}) {
  const app = new App({
    builtinCloudFormationValidation: validate,
    ...(outdir ? { outdir } : {}),
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
  const template = Template.fromStack(stack);
  return { app, stack, template, scim: stack.scim };
}

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;

export const resourcesOf = (template: Template): Resources => template.toJSON().Resources as Resources;

export const ofType = (template: Template, type: string) =>
  Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === type);
