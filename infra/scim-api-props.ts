// What the ScimApi construct accepts: its props (a public contract, re-exported by scim-api.ts, the
// package's entry point), their defaults, and the checks that turn a bad value into an error at
// synth rather than at run time.

import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { FirewallOptions } from '#infra/edge-protection.ts';
import type { AlarmThresholds } from '#infra/operations.ts';
import type { RateLimit } from '#infra/rate-limit-settings.ts';
import type { FunctionName } from '#api/routes.ts';
import { parseCustomExtension } from '#scim/schema/custom-extension.ts';

export interface ScimThrottle {
  /** Steady-state requests per second for the stage. @default 100 */
  readonly rateLimit?: number;
  /** Burst bucket size. @default 200 */
  readonly burstLimit?: number;
}

export interface ScimApiProps {
  /** API Gateway stage; URLs are `https://<api>/<stageName>/scim/v2`. @default 'prod' */
  readonly stageName?: string;
  /**
   * How long API Gateway caches the authorizer's answer per token. A revoked or switched-off token
   * keeps working for at most this long; 0 disables caching (one authorizer call per request).
   * @default Duration.seconds(60)
   */
  readonly authorizerCacheTtl?: Duration;
  /** Default lifetime of a new SCIM token (whole days). @default Duration.days(365) */
  readonly tokenLifetime?: Duration;
  /** Active tokens a tenant may hold at once (2 allows rotation without downtime). @default 2 */
  readonly maxActiveTokens?: number;
  /**
   * Source addresses allowed to call the API (IPv4/IPv6, CIDR or single address), e.g. your IdPs'
   * published egress ranges (docs/deploy.md). When set, a resource policy denies /scim/v2/* and,
   * unless `adminAllowedSourceIps` says otherwise, /admin/* to every other source address.
   * @default - no restriction
   */
  readonly allowedSourceIps?: readonly string[];
  /**
   * Source addresses allowed on /admin/* (the admins' and the console's egress), when they differ
   * from the IdPs' ones. @default - allowedSourceIps
   */
  readonly adminAllowedSourceIps?: readonly string[];
  /**
   * Who may call /admin/*, on top of their own IAM permission: 12-digit account ids and IAM
   * principal ARNs (roles, users). Everyone else is denied by the API's resource policy; another
   * account's principal listed here is also allowed by it (cross-account calls need both).
   * @default - this stack's account
   */
  readonly adminPrincipals?: readonly string[];
  /**
   * Per-tenant rate limits: one usage plan per tier, one API key per tenant chosen by the
   * authorizer (docs/deploy.md, "Per-tenant rate limits").
   * @default { default: { rateLimit: 25, burstLimit: 50 } }
   */
  readonly tenantRateLimits?: { readonly default?: RateLimit; readonly tiers?: Readonly<Record<string, RateLimit>> };
  /**
   * The WAFv2 web ACL on the stage (rate limit per source IP, AWS managed common and known bad
   * inputs rules). `false` leaves the stage without one (e.g. your organisation attaches its own).
   * @default {} (on, FIREWALL_DEFAULTS)
   */
  readonly firewall?: false | FirewallOptions;
  /** Email addresses subscribed to the alarm topic (each confirms by email). @default - none */
  readonly alarmEmails?: readonly string[];
  /** Alarm thresholds. @default ALARM_DEFAULTS */
  readonly alarmThresholds?: AlarmThresholds;
  /**
   * Reserved concurrency per function (e.g. `{ users: 50, groups: 50 }`): a cap that protects the
   * rest of the account and a floor the functions can count on. @default - none (account pool)
   */
  readonly reservedConcurrency?: Readonly<Partial<Record<FunctionName, number>>>;
  /** Retention of the function and access log groups. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Stage-wide throttling (every method, all tenants together): the ceiling above the per-tenant
   * limits. @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: ScimThrottle;
  /**
   * The deployment's custom User extension (the JSON shape documented in
   * shared/scim/schema/custom-extension.ts). Validated at synth, passed as SCIM_CUSTOM_EXTENSION.
   * @default - the built-in default extension
   */
  readonly customExtension?: Record<string, unknown>;
  /** X-Ray tracing on the stage and the functions (Powertools Tracer subsegments). @default true */
  readonly tracing?: boolean;
  /** Ship linked source maps and run with --enable-source-maps (bigger bundles, slower cold start). @default false */
  readonly sourceMaps?: boolean;
  /**
   * Create the account-wide role that lets API Gateway write access logs (AWS::ApiGateway::Account).
   * Turn off if your organisation already sets it for the account and region.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
  /**
   * Bundle the pinned AWS SDK into each function instead of using the copy in the Lambda runtime.
   * Off by default (as in CDK's NodejsFunction): bundles stay small (users ~160 KB instead of
   * ~520 KB) and the code uses only stable DynamoDB client APIs. Turn on to run exactly the SDK
   * versions the tests ran against.
   * @default false
   */
  readonly bundleAwsSdk?: boolean;
  /** Put change events on this bus instead of a new custom one (docs/events.md). @default - a new bus */
  readonly eventBus?: IEventBus;
  /** How long each tenant's event feed keeps events (whole days). @default Duration.days(30) */
  readonly feedRetention?: Duration;
}

export const SCIM_API_DEFAULTS = {
  stageName: 'prod',
  authorizerCacheTtl: Duration.seconds(60),
  tokenLifetime: Duration.days(365),
  maxActiveTokens: 2,
  logRetention: RetentionDays.ONE_MONTH,
  throttle: { rateLimit: 100, burstLimit: 200 },
  tracing: true,
} as const;

// Lambda allows 4 KB of environment variables in total; keep room for the others.
const MAX_CUSTOM_EXTENSION_BYTES = 3000;

/** The SCIM_CUSTOM_EXTENSION value: parsed now, and small enough for Lambda's environment. */
export function customExtensionEnv(definition: Record<string, unknown>): string {
  parseCustomExtension(definition); // throws the same message a cold start would, but at synth
  const json = JSON.stringify(definition);
  if (Buffer.byteLength(json) > MAX_CUSTOM_EXTENSION_BYTES) {
    throw new Error(
      `customExtension: ${Buffer.byteLength(json)} bytes of JSON; Lambda environment variables allow 4 KB in total, ` +
        `so keep it under ${MAX_CUSTOM_EXTENSION_BYTES} bytes (shorten descriptions)`,
    );
  }
  return json;
}

/** A token lifetime in days, the unit the admin functions read (TOKEN_LIFETIME_DAYS). */
export function wholeDays(lifetime: Duration): number {
  const days = lifetime.toDays(); // throws unless a whole number of days
  return positiveInteger('tokenLifetime (days)', days);
}

export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: expected a positive integer, got ${value}`);
  return value;
}
