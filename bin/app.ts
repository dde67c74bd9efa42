// CDK app entry (cdk.json runs it with tsx). `cdk deploy` deploys one ScimStack named
// ScimDirectory; `-c stackName=...` deploys another copy (e.g. a staging directory) side by side.
// Other context keys: see CONTEXT_KEYS in infra/scim-stack.ts.

import { App } from 'aws-cdk-lib';
import { ScimStack } from '#infra/scim-stack.ts';

const DEFAULT_STACK_NAME = 'ScimDirectory';

const app = new App();
const stackName = String(app.node.tryGetContext('stackName') ?? DEFAULT_STACK_NAME);
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new ScimStack(app, stackName, {
  stackName,
  // Environment-agnostic unless the CLI knows the account/region (it does when credentials exist).
  ...(account || region ? { env: { account, region } } : {}),
});
