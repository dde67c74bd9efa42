// Edge protection (issue 11, item 6): the WAFv2 web ACL on the stage (on by default), the source-IP
// allow-list over /scim/v2 and /admin, and /admin limited to named principals by the resource policy.

import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { apiResourcePolicy, FIREWALL_DEFAULTS, MANAGED_RULE_GROUPS } from '#infra/edge-protection.ts';
import { ofType, synth } from './synth.ts';

type Statement = {
  Sid: string;
  Effect: string;
  Principal: unknown;
  Action: string;
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};

const policyOf = (t: Template) =>
  (ofType(t, 'AWS::ApiGateway::RestApi')[0]![1].Properties!.Policy as { Statement: Statement[] }).Statement;
const bySid = (t: Template, sid: string) => policyOf(t).find((s) => s.Sid === sid);

const SCIM_IPS = ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32'];
const ADMIN_IPS = ['192.0.2.10'];
const OTHER_ACCOUNT = '210987654321';
const AUDITOR = 'arn:aws:iam::123456789012:role/scim-auditor';

let byDefault: Template;
let restricted: Template;

beforeAll(() => {
  byDefault = synth().template;
  restricted = synth({
    props: {
      allowedSourceIps: SCIM_IPS,
      adminAllowedSourceIps: ADMIN_IPS,
      adminPrincipals: ['123456789012', OTHER_ACCOUNT, AUDITOR],
      firewall: { requestsPerIpPer5Minutes: 5000 },
    },
  }).template;
});

describe('no WAF: fixed (a web ACL on the stage, on by default)', () => {
  it('associates one REGIONAL web ACL with the stage', () => {
    byDefault.resourceCountIs('AWS::WAFv2::WebACL', 1);
    byDefault.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    const [aclId] = ofType(byDefault, 'AWS::WAFv2::WebACL')[0]!;
    const [stageId] = ofType(byDefault, 'AWS::ApiGateway::Stage')[0]!;
    const association = ofType(byDefault, 'AWS::WAFv2::WebACLAssociation')[0]![1].Properties!;
    expect(association.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    expect(JSON.stringify(association.ResourceArn)).toContain(`"Ref":"${stageId}"`);
  });

  it('a rate-based rule per source IP first (429 + Retry-After + a SCIM body), then the managed rule groups', () => {
    const rules = ofType(byDefault, 'AWS::WAFv2::WebACL')[0]![1].Properties!.Rules as {
      Name: string;
      Priority: number;
      Statement: Record<string, any>;
      Action?: any;
      OverrideAction?: object;
    }[];
    const rate = rules.find((r) => r.Name === 'RateLimitPerSourceIp')!;
    expect(rate.Priority).toBe(0);
    expect(rate.Statement.RateBasedStatement).toMatchObject({
      Limit: FIREWALL_DEFAULTS.requestsPerIpPer5Minutes,
      AggregateKeyType: 'IP',
    });
    const response = rate.Action.Block.CustomResponse;
    expect(response.ResponseCode).toBe(429);
    expect(response.ResponseHeaders).toEqual([
      { Name: 'Retry-After', Value: '60' },
      { Name: 'x-rate-limit-retry-after-seconds', Value: '60' },
      { Name: 'x-rate-limit-remaining', Value: '0' },
    ]);
    const bodies = ofType(byDefault, 'AWS::WAFv2::WebACL')[0]![1].Properties!.CustomResponseBodies as Record<
      string,
      { ContentType: string; Content: string }
    >;
    const body = JSON.parse(bodies[response.CustomResponseBodyKey]!.Content) as Record<string, unknown>;
    expect(body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429' });

    const managed = rules.filter((r) => r.Statement.ManagedRuleGroupStatement);
    expect(managed.map((r) => r.Statement.ManagedRuleGroupStatement.Name)).toEqual(
      MANAGED_RULE_GROUPS.map((g) => g.name),
    );
    for (const r of managed) {
      expect(r.Statement.ManagedRuleGroupStatement.VendorName).toBe('AWS');
      expect(r.OverrideAction).toEqual({ None: {} });
    }
    // SCIM bodies over 8 KB (a 300-member PATCH) are legitimate: that one rule only counts.
    const common = managed.find((r) => r.Statement.ManagedRuleGroupStatement.Name === 'AWSManagedRulesCommonRuleSet')!;
    expect(common.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
  });

  it('firewall.requestsPerIpPer5Minutes sets the rate; firewall: false leaves the stage without a web ACL', () => {
    const rules = ofType(restricted, 'AWS::WAFv2::WebACL')[0]![1].Properties!.Rules as { Statement: any }[];
    expect(rules[0]!.Statement.RateBasedStatement.Limit).toBe(5000);
    const off = synth({ props: { firewall: false } }).template;
    off.resourceCountIs('AWS::WAFv2::WebACL', 0);
    off.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    expect(() => synth({ props: { firewall: { requestsPerIpPer5Minutes: 1.5 } } })).toThrow(/requestsPerIpPer5Minutes/);
  });
});

describe('allowedSourceIps covers only /scim/v2/*: fixed (and /admin/* too)', () => {
  it('denies /scim/v2/* from every other address', () => {
    expect(bySid(restricted, 'ScimOnlyFromAllowedSourceIps')).toEqual({
      Sid: 'ScimOnlyFromAllowedSourceIps',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/*/*/scim/v2/*',
      Condition: { NotIpAddress: { 'aws:SourceIp': SCIM_IPS } },
    });
  });

  it('denies /admin and /admin/* from every address but adminAllowedSourceIps', () => {
    expect(bySid(restricted, 'AdminOnlyFromAllowedSourceIps')).toMatchObject({
      Effect: 'Deny',
      Resource: ['execute-api:/*/*/admin', 'execute-api:/*/*/admin/*'],
      Condition: { NotIpAddress: { 'aws:SourceIp': ADMIN_IPS } },
    });
  });

  it('without adminAllowedSourceIps, /admin gets the same list as /scim/v2', () => {
    const t = synth({ props: { allowedSourceIps: SCIM_IPS } }).template;
    expect(bySid(t, 'AdminOnlyFromAllowedSourceIps')!.Condition).toEqual({
      NotIpAddress: { 'aws:SourceIp': SCIM_IPS },
    });
    // A changed list yields a new deployment: a resource policy only takes effect with one.
    const deploymentId = (x: Template) => ofType(x, 'AWS::ApiGateway::Deployment')[0]![0];
    const other = synth({ props: { allowedSourceIps: ['203.0.113.0/25'] } }).template;
    expect(deploymentId(t)).not.toBe(deploymentId(other));
  });

  it('rejects lists that are not addresses, at synth', () => {
    expect(() => synth({ props: { adminAllowedSourceIps: ['10.0.0.0/33'] } })).toThrow(/adminAllowedSourceIps/);
    expect(() => synth({ props: { adminPrincipals: ['not-an-account'] } })).toThrow(/adminPrincipals/);
  });
});

describe('/admin open to any principal with a broad execute-api:Invoke: fixed (named principals only)', () => {
  it('by default, denies /admin to every account but this one, and allows nothing', () => {
    expect(bySid(byDefault, 'AdminOnlyForNamedPrincipals')).toEqual({
      Sid: 'AdminOnlyForNamedPrincipals',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'execute-api:Invoke',
      Resource: ['execute-api:/*/*/admin', 'execute-api:/*/*/admin/*'],
      Condition: { StringNotEquals: { 'aws:PrincipalAccount': ['123456789012'] } },
    });
    // No Allow: same-account callers still need their own IAM permission (an Allow here would not).
    expect(policyOf(byDefault).filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  it('named accounts and principal ARNs: denied unless one of them; other accounts also allowed by the API', () => {
    expect(bySid(restricted, 'AdminOnlyForNamedPrincipals')!.Condition).toEqual({
      StringNotEquals: { 'aws:PrincipalAccount': ['123456789012', OTHER_ACCOUNT] },
      ArnNotLike: { 'aws:PrincipalArn': [AUDITOR] },
    });
    const allow = bySid(restricted, 'AdminForNamedPrincipals')!;
    expect(allow.Effect).toBe('Allow');
    expect(allow.Resource).toEqual(['execute-api:/*/*/admin', 'execute-api:/*/*/admin/*']);
    expect(JSON.stringify(allow.Principal)).toContain(`:iam::${OTHER_ACCOUNT}:root`);
    expect(JSON.stringify(allow.Principal)).toContain(AUDITOR);
    // This account is never in an Allow: it would let every principal of the account in. Named
    // roles of this account (AUDITOR) pass the Deny but need their own IAM permission.
    expect(JSON.stringify(allow.Principal)).not.toContain('123456789012:root');
    expect(allow.Condition).toEqual({ StringNotEquals: { 'aws:PrincipalAccount': '123456789012' } });
    // No statement ever allows SCIM paths: the authorizer decides there.
    for (const st of policyOf(restricted).filter((s) => s.Effect === 'Allow'))
      expect(JSON.stringify(st.Resource)).not.toContain('scim');
  });

  it('a stack without a fixed account: the Allow still excludes this account, at request time', () => {
    const stack = new Stack(new App());
    const policy = stack.resolve(apiResourcePolicy(stack, { adminPrincipals: ['123456789012', AUDITOR] }).toJSON()) as {
      Statement: Statement[];
    };
    const allow = policy.Statement.find((s) => s.Sid === 'AdminForNamedPrincipals')!;
    expect(allow.Condition).toEqual({ StringNotEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } });
  });
});
