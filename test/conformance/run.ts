// `npm run conformance [-- okta|microsoft]`: starts DynamoDB Local (or uses DYNAMODB_ENDPOINT) and
// a local runner on a free loopback port, creates a fresh tenant and token per suite through the
// admin API, runs the public suites from ../shared/conformance with newman and prints, per suite,
// the assertions passed and every failure with its request and response. Exit code 1 when any
// assertion fails; 0 with a message when the suites are not there.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ensureTable, startDynamoDbLocal, type DynamoDbLocal } from '#infra/local/dynamodb-local.ts';
import { createLocalApi } from '#infra/local/server.ts';
import { configFromEnv } from '#api/context.ts';
import { createDb } from '#store/client.ts';
import { SUITES, formatResult, isClean, runSuite, unavailableReason } from './suites.ts';

async function adminCall(baseUrl: string, adminKey: string, method: string, path: string, body: unknown) {
  const res = await fetch(`${baseUrl}/admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} /admin${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !SUITES.some((s) => s.id === w));
  if (unknown.length) {
    console.error(`unknown suite ${unknown.join(', ')}; choose from ${SUITES.map((s) => s.id).join(', ')}`);
    return 2;
  }
  const reason = unavailableReason();
  if (reason) {
    console.log(reason);
    return 0;
  }

  let ddb: DynamoDbLocal | undefined;
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? (ddb = await startDynamoDbLocal()).endpoint;
  const tableName = `scim-conformance-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  const ctx = { db: createDb({ tableName, endpoint }), clock: () => new Date(), config: configFromEnv() };
  const adminKey = `conformance-${randomUUID()}`;
  const api = createLocalApi({ ctx, adminKey, authorizerCacheTtlSeconds: 0 });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const scimUrl = `${baseUrl}/scim/v2`;

  let clean = true;
  try {
    for (const suite of SUITES.filter((s) => !wanted.length || wanted.includes(s.id))) {
      const tenantId = `${suite.tenantPrefix}-${randomUUID().slice(0, 8)}`;
      await adminCall(baseUrl, adminKey, 'PUT', `/tenants/${tenantId}`, {});
      const { token } = await adminCall(baseUrl, adminKey, 'POST', `/tenants/${tenantId}/tokens`, {
        name: `conformance-${suite.id}`,
      });
      const result = await runSuite(suite, { scimUrl, token: String(token), tenantId });
      console.log(`${formatResult(result)}\n`);
      clean &&= isClean(result);
    }
  } finally {
    api.close();
    api.closeAllConnections();
    await ddb?.stop();
  }
  console.log(clean ? 'conformance: every assertion passed' : 'conformance: FAILED (see above)');
  return clean ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
