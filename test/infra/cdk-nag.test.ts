// cdk-nag in the tests (issue 11, item 10): AwsSolutionsChecks over the synthesized stack, as a team
// would run it with `Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`. 0 unacknowledged
// errors; every acknowledgment carries a written reason (infra/nag-acknowledgments.ts).

import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { NAG_REASONS } from '#infra/nag-acknowledgments.ts';
import { nagReport, synth, type NagFinding } from './synth.ts';

const show = (findings: NagFinding[]) =>
  findings.map((f) => `${f.severity} ${f.ruleName} ${f.violatingConstructs.map((c) => c.constructPath).join(', ')}`);

describe('cdk-nag: 42 errors: fixed (0 unacknowledged, each acknowledgment with its reason)', () => {
  it('the default stack: no error, no warning left', () => {
    const { outdir } = synth({ nag: true });
    const { violations, suppressed } = nagReport(outdir!);
    expect(show(violations)).toEqual([]);
    // Fixed rather than acknowledged: managed policies on the functions, index/* grants, no WAF.
    const rules = new Set(suppressed.map((f) => f.ruleName.replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual(
      [
        'AwsSolutions-APIG2',
        'AwsSolutions-APIG6',
        'AwsSolutions-COG4',
        'AwsSolutions-IAM4',
        'AwsSolutions-IAM5',
        'AwsSolutions-L1',
        'AwsSolutions-SQS3',
      ].sort(),
    );
    expect(suppressed.map((f) => f.ruleName)).not.toContain(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    );
    expect(suppressed.some((f) => f.ruleName.includes('/index/*'))).toBe(false);
    for (const finding of suppressed) {
      expect(finding.reason, finding.ruleName).toBeDefined();
      expect(Object.values(NAG_REASONS), finding.ruleName).toContain(finding.reason);
    }
  });

  it('other props (tiers, no WAF, no tracing, no account role): still no error', () => {
    const { outdir } = synth({
      nag: true,
      props: {
        tenantRateLimits: { tiers: { large: { rateLimit: 100, burstLimit: 200 } } },
        firewall: false,
        tracing: false,
        cloudWatchRole: false,
        authorizerCacheTtl: Duration.seconds(0),
      },
    });
    const { violations } = nagReport(outdir!);
    expect(show(violations.filter((v) => v.severity === 'error'))).toEqual([]);
    // Without the web ACL nag warns about it (a choice the prop documents), and says nothing else.
    expect(show(violations)).toEqual([expect.stringMatching(/^warning AwsSolutions-APIG3 /)]);
  });

  it('every reason is a sentence a reviewer can check', () => {
    for (const [rule, reason] of Object.entries(NAG_REASONS)) expect(reason.length, rule).toBeGreaterThan(60);
  });
});
