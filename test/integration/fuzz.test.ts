// Issue 11 item 1: a seeded fuzz campaign in `npm test`. 10,000 generated requests over every
// route and method of the route table (valid, invalid, cross-tenant and read-only tokens; hostile
// paths, filters, bodies, paging values and headers; test/support/fuzz-corpus.ts) against the
// local runner and DynamoDB Local: not one 5xx (but /Me's 501), and no request past the DynamoDB
// budget. Longer campaigns: `npm run fuzz -- --requests N --seed S` (scripts/fuzz.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#api/routes.ts';
import { REQUEST_BUDGET } from '#store/client.ts';
import { describeRequest, formatSummary, runFuzz, setupFuzzTarget, type FuzzTarget } from '../support/fuzz-corpus.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

/** The campaign `npm test` runs; change it only with a reason (a new seed finds new things). */
const SEED = 20_261_101;
const REQUESTS = 10_000;

let api: LocalApi;
let target: FuzzTarget;
beforeAll(async () => {
  // A cached authorizer, as deployed: the campaign measures the routes, not the token check.
  api = await startLocalApi({ authorizerCacheTtlSeconds: 3600 });
  // 30 groups: enough for per-group filter work to show, cheap enough to list 10,000 times.
  target = await setupFuzzTarget(api.url, api.adminKey, { groups: 30 });
}, 300_000);
afterAll(async () => {
  await api?.close();
});

describe('fuzz: no client input yields a 5xx', () => {
  it(
    `${REQUESTS} seeded requests (seed ${SEED}) over every route and method: 0 × 5xx, each within the DynamoDB budget`,
    async () => {
      const summary = await runFuzz({ target, seed: SEED, requests: REQUESTS, concurrency: 8 });
      const report = formatSummary(summary);
      console.log(report);
      expect(
        summary.serverErrors.map((r) => `${r.status} ${describeRequest(r.request)} → ${r.text}`),
        report,
      ).toEqual([]);
      // Every route of the table was exercised, each with its own method.
      const exercised = Object.keys(summary.byRoute);
      for (const route of ROUTES) expect(exercised, report).toContain(`${route.method} ${route.path}`);
      // The route functions' DynamoDB work stays inside the per-request budget (docs/limits.md).
      expect(summary.mostDynamoDb[0]!.dynamodbRequests, report).toBeLessThanOrEqual(REQUEST_BUDGET.requests);
      // The corpus is hostile: most requests are refused, many succeed, none crash.
      const count = (pred: (status: number) => boolean) =>
        Object.entries(summary.histogram).reduce((n, [s, k]) => n + (pred(Number(s)) ? k : 0), 0);
      expect(
        count((s) => s >= 200 && s < 300),
        report,
      ).toBeGreaterThan(REQUESTS / 10);
      expect(
        count((s) => s >= 400 && s < 500),
        report,
      ).toBeGreaterThan(REQUESTS / 4);
    },
    20 * 60_000,
  );
});
