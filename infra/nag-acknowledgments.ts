// The cdk-nag (AwsSolutions) findings this design accepts, each with its reason, recorded with
// CDK's own `Validations.of(...).acknowledge` so a team running cdk-nag over its app (as
// test/infra/cdk-nag.test.ts does) sees 0 unacknowledged errors and can read why. Everything else
// nag reported was fixed instead: own roles per function (IAM4), index ARNs instead of
// `index/*` (IAM5), a WAF web ACL (APIG3).

import { Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { RestApi, UsagePlan } from 'aws-cdk-lib/aws-apigateway';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';

/** `AwsSolutions-<rule>[<finding>]` as Validations expects it. */
const rule = (id: string) => `AwsSolutions::AwsSolutions-${id}`;

export const NAG_REASONS = {
  COG4:
    'No Cognito by design: SCIM clients (Okta, Entra, ...) send a long-lived bearer token (RFC 7644 §2), checked by ' +
    'the Lambda TOKEN authorizer; /admin uses AWS_IAM (SigV4).',
  APIG2:
    'Bodies are validated by the SCIM engine against the SCIM schemas (RFC 7643), which an API Gateway model cannot ' +
    'express (case-insensitive attribute names, extension URNs, the IdP quirks the RFC tolerates); a gateway model ' +
    'would reject valid requests. Every invalid body gets a SCIM 400 from the functions.',
  APIG6:
    'Execution logs stay off on purpose: at INFO (with data tracing) they record request headers, including the ' +
    'bearer token. Access logs (without the Authorization header) and X-Ray traces cover the same ground.',
  IAM4CloudWatchRole:
    "API Gateway's account-level role for writing logs: AWS documents this managed policy for it, and the role is " +
    'account-wide by nature. cloudWatchRole: false leaves it to your organisation.',
  IAM5XRay:
    'X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) has no resource-level permissions: "*" is the only ' +
    'resource these actions accept.',
  IAM5StreamReader:
    'The stream event source grants dynamodb:ListStreams, which accepts only "*" as its resource (the stream reads ' +
    "themselves are on this table's stream ARN); X-Ray, when tracing is on, likewise has no resource-level permissions.",
  IAM5UsagePlanKeys:
    "Moving a tenant's API key out of a tier's usage plan (DeleteUsagePlanKey) names the key's id, created at run " +
    'time by the admin API; the plan itself is fixed.',
  L1:
    'Node.js 22 is the runtime the code is built, bundled and tested for (DESIGN.md); moving to a newer runtime is ' +
    'a deliberate change, made with the test suite, not at synth.',
  SQS3:
    "This queue is the dead-letter destination of the table stream's event source mapping (onFailure), which " +
    "cdk-nag only recognises when it is another queue's redrive target.",
} as const;

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: rule(id), reason });
}

export interface NagScope {
  api: RestApi;
  functions: readonly LambdaFunction[];
  tracing: boolean;
  cloudWatchRole: boolean;
  usagePlans: readonly UsagePlan[];
  /** The admin function's policy on the usage plans' keys (rate-limits.ts). */
  usagePlanKeysPolicy: IConstruct;
  deadLetterQueue?: IConstruct;
  /** Functions with a DynamoDB stream event source (granted dynamodb:ListStreams on "*"). */
  streamReaders?: readonly LambdaFunction[];
}

export function acknowledgeNagFindings(scope: NagScope): void {
  const stack = Stack.of(scope.api);
  acknowledge(scope.api, 'COG4', NAG_REASONS.COG4);
  acknowledge(scope.api, 'APIG2', NAG_REASONS.APIG2);
  acknowledge(scope.api.deploymentStage, 'APIG6', NAG_REASONS.APIG6);
  if (scope.cloudWatchRole) {
    acknowledge(
      scope.api,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      NAG_REASONS.IAM4CloudWatchRole,
    );
  }
  for (const fn of scope.functions) {
    acknowledge(fn, 'L1', NAG_REASONS.L1);
    if (fn.role && scope.streamReaders?.includes(fn))
      acknowledge(fn.role, 'IAM5[Resource::*]', NAG_REASONS.IAM5StreamReader);
    else if (scope.tracing && fn.role) acknowledge(fn.role, 'IAM5[Resource::*]', NAG_REASONS.IAM5XRay);
  }
  // The finding names the resource as nag renders it: tokens as <LogicalId> / <AWS::Region>.
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  for (const plan of scope.usagePlans) {
    const planId = stack.getLogicalId(plan.node.defaultChild as CfnElement);
    acknowledge(
      scope.usagePlanKeysPolicy,
      `IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::/usageplans/<${planId}>/keys/*]`,
      NAG_REASONS.IAM5UsagePlanKeys,
    );
  }
  if (scope.deadLetterQueue) acknowledge(scope.deadLetterQueue, 'SQS3', NAG_REASONS.SQS3);
}
