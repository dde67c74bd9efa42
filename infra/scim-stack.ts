// The deployable stack: one ScimApi configured from CDK context, plus the outputs the admin CLI reads
// with CloudFormation DescribeStacks. Output keys are an interface: do not rename them.

import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, Node } from 'constructs';
import { TENANT_RATE_LIMIT_DEFAULTS } from '#infra/rate-limit-settings.ts';
import { ScimApi, type ScimApiProps } from '#infra/scim-api.ts';

export const OUTPUT_KEYS = {
  scimBaseUrl: 'ScimBaseUrl',
  adminBaseUrl: 'AdminBaseUrl',
  tableName: 'TableName',
  tableStreamArn: 'TableStreamArn',
  alarmTopicArn: 'AlarmTopicArn',
} as const;

/**
 * Context keys (`cdk deploy -c key=value`, or "context" in cdk.json). Values given on the command
 * line arrive as strings, so every reader accepts both the string and the typed form.
 */
export const CONTEXT_KEYS = {
  stageName: 'stageName',
  authorizerCacheTtlSeconds: 'authorizerCacheTtlSeconds',
  tokenLifetimeDays: 'tokenLifetimeDays',
  maxActiveTokens: 'maxActiveTokens',
  /** Comma-separated string or JSON array of CIDRs. */
  allowedSourceIps: 'allowedSourceIps',
  logRetentionDays: 'logRetentionDays',
  throttleRateLimit: 'throttleRateLimit',
  throttleBurstLimit: 'throttleBurstLimit',
  /** JSON object (or its JSON text), see shared/scim/schema/custom-extension.ts. */
  customExtension: 'customExtension',
  tracing: 'tracing',
  /** Comma-separated string or JSON array: /admin source addresses (default: allowedSourceIps). */
  adminAllowedSourceIps: 'adminAllowedSourceIps',
  /** Comma-separated string or JSON array of account ids / IAM principal ARNs allowed on /admin. */
  adminPrincipals: 'adminPrincipals',
  /** Per-tenant rate limit of the default tier (requests per second, burst). */
  tenantRateLimit: 'tenantRateLimit',
  tenantBurstLimit: 'tenantBurstLimit',
  /** `false` for no WAF web ACL, or a number: requests per source IP per 5 minutes. */
  firewall: 'firewall',
  /** Comma-separated string or JSON array of email addresses for the alarm topic. */
  alarmEmails: 'alarmEmails',
} as const;

export interface ScimStackProps extends StackProps {
  /** Overrides what context gives. */
  readonly scim?: ScimApiProps;
}

export class ScimStack extends Stack {
  readonly scim: ScimApi;

  constructor(scope: Construct, id: string, props: ScimStackProps = {}) {
    super(scope, id, {
      description: 'SCIM 2.0 directory (API Gateway REST API, Lambda, DynamoDB)',
      ...props,
    });
    this.scim = new ScimApi(this, 'Scim', { ...scimApiPropsFromContext(this.node), ...props.scim });

    new CfnOutput(this, OUTPUT_KEYS.scimBaseUrl, {
      value: this.scim.scimBaseUrl,
      description: 'SCIM base URL to give the identity provider (tenant URL)',
    });
    new CfnOutput(this, OUTPUT_KEYS.adminBaseUrl, {
      value: this.scim.adminBaseUrl,
      description: 'Admin API base URL (AWS_IAM-signed; used by the admin CLI)',
    });
    new CfnOutput(this, OUTPUT_KEYS.tableName, {
      value: this.scim.table.tableName,
      description: 'DynamoDB table holding the directory',
    });
    new CfnOutput(this, OUTPUT_KEYS.alarmTopicArn, {
      value: this.scim.operations.alarmTopic.topicArn,
      description: 'SNS topic every alarm of the directory notifies (subscribe on-call tools to it)',
    });
    new CfnOutput(this, OUTPUT_KEYS.tableStreamArn, {
      value: this.scim.table.tableStreamArn ?? '',
      description: 'DynamoDB stream of directory changes (NEW_AND_OLD_IMAGES)',
    });
  }
}

/** ScimApiProps from context; absent keys are left out so ScimApi's defaults apply. */
export function scimApiPropsFromContext(node: Node): ScimApiProps {
  const raw = (key: string): unknown => {
    const value: unknown = node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : value;
  };
  const num = (key: string): number | undefined => {
    const value = raw(key);
    if (value === undefined) return undefined;
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) throw new Error(`context ${key}: expected a number, got ${JSON.stringify(value)}`);
    return n;
  };
  const props: { -readonly [K in keyof ScimApiProps]: ScimApiProps[K] } = {};

  const stageName = raw(CONTEXT_KEYS.stageName);
  if (stageName !== undefined) props.stageName = String(stageName);

  const ttl = num(CONTEXT_KEYS.authorizerCacheTtlSeconds);
  if (ttl !== undefined) props.authorizerCacheTtl = Duration.seconds(ttl);

  const lifetime = num(CONTEXT_KEYS.tokenLifetimeDays);
  if (lifetime !== undefined) props.tokenLifetime = Duration.days(lifetime);

  const maxActiveTokens = num(CONTEXT_KEYS.maxActiveTokens);
  if (maxActiveTokens !== undefined) props.maxActiveTokens = maxActiveTokens;

  const ips = raw(CONTEXT_KEYS.allowedSourceIps);
  if (ips !== undefined) props.allowedSourceIps = stringList(ips);

  const retention = num(CONTEXT_KEYS.logRetentionDays);
  if (retention !== undefined) {
    if (!(Object.values(RetentionDays) as unknown[]).includes(retention)) {
      throw new Error(
        `context ${CONTEXT_KEYS.logRetentionDays}: ${retention} is not a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, ...)`,
      );
    }
    props.logRetention = retention as RetentionDays;
  }

  const rateLimit = num(CONTEXT_KEYS.throttleRateLimit);
  const burstLimit = num(CONTEXT_KEYS.throttleBurstLimit);
  if (rateLimit !== undefined || burstLimit !== undefined) {
    props.throttle = {
      ...(rateLimit !== undefined ? { rateLimit } : {}),
      ...(burstLimit !== undefined ? { burstLimit } : {}),
    };
  }

  const extension = raw(CONTEXT_KEYS.customExtension);
  if (extension !== undefined) props.customExtension = jsonObject(CONTEXT_KEYS.customExtension, extension);

  const tracing = raw(CONTEXT_KEYS.tracing);
  if (tracing !== undefined) props.tracing = tracing === true || tracing === 'true';

  const adminIps = raw(CONTEXT_KEYS.adminAllowedSourceIps);
  if (adminIps !== undefined) props.adminAllowedSourceIps = stringList(adminIps);
  const adminPrincipals = raw(CONTEXT_KEYS.adminPrincipals);
  if (adminPrincipals !== undefined) props.adminPrincipals = stringList(adminPrincipals);
  const emails = raw(CONTEXT_KEYS.alarmEmails);
  if (emails !== undefined) props.alarmEmails = stringList(emails);

  const tenantRate = num(CONTEXT_KEYS.tenantRateLimit);
  const tenantBurst = num(CONTEXT_KEYS.tenantBurstLimit);
  if (tenantRate !== undefined || tenantBurst !== undefined) {
    props.tenantRateLimits = {
      default: {
        rateLimit: tenantRate ?? TENANT_RATE_LIMIT_DEFAULTS.default.rateLimit,
        burstLimit: tenantBurst ?? TENANT_RATE_LIMIT_DEFAULTS.default.burstLimit,
      },
    };
  }

  const firewall = raw(CONTEXT_KEYS.firewall);
  if (firewall === false || firewall === 'false') props.firewall = false;
  else if (firewall !== undefined) props.firewall = { requestsPerIpPer5Minutes: num(CONTEXT_KEYS.firewall)! };

  return props;
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  const text = String(value).trim();
  if (text.startsWith('[')) return stringList(JSON.parse(text) as unknown);
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function jsonObject(key: string, value: unknown): Record<string, unknown> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch (e) {
      throw new Error(`context ${key}: not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`context ${key}: expected a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
