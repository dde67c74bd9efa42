// Edge protection (docs/deploy.md, "Edge protection"): a WAFv2 web ACL on the stage, and the REST
// API's resource policy (source-IP allow-lists for /scim/v2 and /admin, and who may call /admin).

import { isIP } from 'node:net';
import { Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  AccountPrincipal,
  AnyPrincipal,
  ArnPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
} from 'aws-cdk-lib/aws-iam';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { throttleHeaders } from '#scim/errors.ts';
import { ADMIN_PREFIX, SCIM_PREFIX } from '#api/routes.ts';
import { scimErrorTemplate } from '#infra/gateway-responses.ts';

export interface FirewallOptions {
  /**
   * Requests one source IP may send in any 5-minute window before WAF answers 429 (rate-based
   * rule). IdPs send from few addresses that several tenants may share (an Okta cell), so this
   * sits well above one tenant's own limit (25 rps ≈ 7,500 per 5 minutes).
   * @default 20000
   */
  readonly requestsPerIpPer5Minutes?: number;
}

export const FIREWALL_DEFAULTS = { requestsPerIpPer5Minutes: 20_000 } as const;

/** Seconds a client blocked by the rate-based rule is told to wait (WAF re-evaluates in windows). */
const RATE_BLOCK_RETRY_AFTER = 60;

/** The managed rule groups, in evaluation order after the rate-based rule. */
export const MANAGED_RULE_GROUPS = [
  // Log4j/Java deserialization, localhost Host headers, known exploit paths.
  { name: 'AWSManagedRulesKnownBadInputsRuleSet', countOnly: [] },
  // OWASP-style rules. SizeRestrictions_BODY blocks bodies over 8 KB, but a group PATCH adding a
  // few hundred members or a user with many attributes is legitimately larger; the API's own
  // limits (request size, per-attribute limits) bound bodies instead, so that rule only counts.
  { name: 'AWSManagedRulesCommonRuleSet', countOnly: ['SizeRestrictions_BODY'] },
] as const;

export class Firewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: { stage: Stage; name: string; options: FirewallOptions }) {
    super(scope, id);
    const limit = props.options.requestsPerIpPer5Minutes ?? FIREWALL_DEFAULTS.requestsPerIpPer5Minutes;
    if (!Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000)
      throw new Error(`firewall.requestsPerIpPer5Minutes: a whole number from 10 up, got ${limit}`);
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'SCIM directory: rate limit per source IP, AWS managed common and known-bad-input rules',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      customResponseBodies: {
        TooManyRequests: {
          contentType: 'APPLICATION_JSON',
          content: scimErrorTemplate({ status: 429, detail: 'too many requests from this address; retry later' }),
        },
      },
      rules: [
        {
          name: 'RateLimitPerSourceIp',
          priority: 0,
          statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: 'TooManyRequests',
                responseHeaders: Object.entries(throttleHeaders(RATE_BLOCK_RETRY_AFTER)).map(([name, value]) => ({
                  name,
                  value,
                })),
              },
            },
          },
          visibilityConfig: visibility('RateLimitPerSourceIp'),
        },
        ...MANAGED_RULE_GROUPS.map((group, i) => ({
          name: group.name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: group.name,
              ...(group.countOnly.length
                ? { ruleActionOverrides: group.countOnly.map((name) => ({ name, actionToUse: { count: {} } })) }
                : {}),
            },
          },
          visibilityConfig: visibility(group.name),
        })),
      ],
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}

export interface ResourcePolicyOptions {
  /** Source addresses allowed on /scim/v2/* (absent: any). */
  readonly scimSourceIps?: readonly string[];
  /** Source addresses allowed on /admin/* (absent: any). */
  readonly adminSourceIps?: readonly string[];
  /** Account ids and IAM principal ARNs that may call /admin/* (validated). */
  readonly adminPrincipals: readonly string[];
}

const ACCOUNT_ID = /^\d{12}$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:(root|(role|user|assumed-role)\/.+)$/;

/**
 * The REST API's resource policy: Deny statements only, except an Allow for named principals of
 * other accounts (a cross-account caller needs the API's Allow as well as its own). A policy that
 * is silent leaves the decision to the authorizer (SCIM) or to IAM (admin, same account); an
 * "Allow *" here would instead let any signed AWS principal through the AWS_IAM /admin routes.
 */
export function apiResourcePolicy(scope: Construct, options: ResourcePolicyOptions): PolicyDocument {
  const account = Stack.of(scope).account;
  const scimPaths = [`execute-api:/*/*${SCIM_PREFIX}/*`];
  const adminPaths = [`execute-api:/*/*${ADMIN_PREFIX}`, `execute-api:/*/*${ADMIN_PREFIX}/*`];
  const accounts = options.adminPrincipals.filter((p) => ACCOUNT_ID.test(p) || p === account);
  const arns = options.adminPrincipals.filter((p) => !accounts.includes(p));
  const statements: PolicyStatement[] = [];
  const denyUnlessFrom = (sid: string, resources: string[], ips: readonly string[]) =>
    new PolicyStatement({
      sid,
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources,
      conditions: { NotIpAddress: { 'aws:SourceIp': [...ips] } },
    });
  if (options.scimSourceIps)
    statements.push(denyUnlessFrom('ScimOnlyFromAllowedSourceIps', scimPaths, options.scimSourceIps));
  if (options.adminSourceIps)
    statements.push(denyUnlessFrom('AdminOnlyFromAllowedSourceIps', adminPaths, options.adminSourceIps));
  // Denied unless the caller's account is named, or the caller is (conditions in one statement AND).
  statements.push(
    new PolicyStatement({
      sid: 'AdminOnlyForNamedPrincipals',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: adminPaths,
      conditions: {
        ...(accounts.length ? { StringNotEquals: { 'aws:PrincipalAccount': accounts } } : {}),
        ...(arns.length ? { ArnNotLike: { 'aws:PrincipalArn': arns } } : {}),
      },
    }),
  );
  const others = options.adminPrincipals.filter((p) => p !== account);
  if (others.length) {
    statements.push(
      new PolicyStatement({
        sid: 'AdminForNamedPrincipals',
        effect: Effect.ALLOW,
        principals: others.map((p) => (ACCOUNT_ID.test(p) ? new AccountPrincipal(p) : new ArnPrincipal(p))),
        actions: ['execute-api:Invoke'],
        resources: adminPaths,
        // Never for this account's principals: in the same account an Allow here is enough on its
        // own, so it would let every role in (a stack without a fixed account cannot tell its own
        // account id or role ARNs from others' at synth; this condition does, at request time).
        conditions: { StringNotEquals: { 'aws:PrincipalAccount': account } },
      }),
    );
  }
  return new PolicyDocument({ statements });
}

export function validPrincipals(principals: readonly string[]): readonly string[] {
  if (principals.length === 0) throw new Error('adminPrincipals: name at least one account id or IAM principal ARN');
  for (const p of principals) {
    if (!ACCOUNT_ID.test(p) && !PRINCIPAL_ARN.test(p))
      throw new Error(`adminPrincipals: "${p}" is neither a 12-digit account id nor an IAM principal ARN`);
  }
  return principals;
}

export function validSourceIps(name: string, ips: readonly string[]): readonly string[] {
  if (ips.length === 0)
    throw new Error(`${name}: give at least one address or CIDR (omit the prop for no restriction)`);
  for (const entry of ips) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new Error(`${name}: "${entry}" is not an IPv4/IPv6 address or CIDR block`);
    }
  }
  return ips;
}
