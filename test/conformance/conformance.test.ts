// `npm test` runs both public conformance suites (../shared/conformance) with newman against the
// local runner, each on a fresh tenant, and requires every declared assertion to run and pass.
// A clone without the suites skips these cases with the reason in the test name; it never fails.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';
import { SUITES, formatResult, runSuite, unavailableReason } from './suites.ts';

const skipReason = unavailableReason();
if (skipReason) console.warn(skipReason);

describe('public SCIM conformance suites (newman against the local runner)', () => {
  let api: LocalApi | undefined;
  beforeAll(async () => {
    if (!skipReason) api = await startLocalApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  for (const suite of SUITES) {
    const title = skipReason
      ? `${suite.title}: SKIPPED, ${skipReason}`
      : `${suite.title}: every assertion passes on a fresh tenant`;
    it.skipIf(Boolean(skipReason))(
      title,
      async () => {
        const tenantId = `${suite.tenantPrefix}-${randomUUID().slice(0, 8)}`;
        const token = await api!.tokenFor(tenantId, { name: `conformance-${suite.id}` });
        const result = await runSuite(suite, { scimUrl: api!.scimUrl, token, tenantId });
        const report = formatResult(result);
        console.log(report);
        expect(result.errors, report).toEqual([]);
        expect(
          result.failures.map((f) => `[${f.request}] ${f.assertion}: ${f.message}`),
          report,
        ).toEqual([]);
        expect(result.executed, `every declared assertion must run\n${report}`).toBe(result.declared);
      },
      180_000,
    );
  }
});
