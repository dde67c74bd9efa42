// The daily token-expiry check (issue 11, item 9) against DynamoDB Local: per tenant, the whole
// days until its newest active token expires, from the list of tenants (one Query per 100).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenExpiryHandler, tokenExpiryReport, type ExpiryReport } from '#functions/token-expiry/app.ts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { metered } from '#store/client.ts';
import { keys } from '#store/keys.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

const DAY = 86_400_000;
let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi({ tenantId: 'te-default' });
});
afterAll(() => api?.close());

async function token(tenantId: string, expiresInDays: number) {
  await api.admin('PUT', `/tenants/${tenantId}`, {});
  const res = await api.admin('POST', `/tenants/${tenantId}/tokens`, { name: `t${expiresInDays}`, expiresInDays });
  expect(res.status, res.text).toBe(201);
}

describe('nothing warns before tokens expire: fixed (a daily per-tenant metric)', () => {
  it('reports, per tenant with provisioning on, the days until its newest token expires; the minimum for the alarm', async () => {
    await token('te-rotated', 10);
    await token('te-rotated', 200); // rotation: the newest token counts
    await token('te-soon', 20);
    await token('te-off', 5);
    expect((await api.admin('PUT', '/tenants/te-off/provisioning', { enabled: false })).status).toBe(200);
    await api.admin('PUT', '/tenants/te-never', {}); // no token yet: nothing to warn about

    const report = await tokenExpiryReport(api.ctx);
    const days = Object.fromEntries(report.tenants.map((t) => [t.tenantId, t.daysLeft]));
    expect(days).toMatchObject({ 'te-rotated': 200, 'te-soon': 20 });
    expect(days).not.toHaveProperty('te-off');
    expect(days).not.toHaveProperty('te-never');
    expect(report.minDaysLeft).toBe(Math.min(...Object.values(days)));
  });

  it('a tenant item not in the list of tenants (made by counter ADDs, or from before) is listed once it has a token', async () => {
    await api.ctx.db.doc.send(
      new UpdateCommand({
        TableName: api.ctx.db.tableName,
        Key: keys.tenant('te-counted'),
        UpdateExpression: 'ADD userCount :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    const res = await api.admin('POST', '/tenants/te-counted/tokens', { name: 'old', expiresInDays: 30 });
    expect(res.status, res.text).toBe(201);
    const report = await tokenExpiryReport(api.ctx);
    expect(report.tenants).toContainEqual({ tenantId: 'te-counted', daysLeft: 30 });
  });

  it('a tenant whose tokens all expired reports 0 days (the outage the alarm is for)', async () => {
    await token('te-lapsed', 3);
    const start = api.clock.now;
    api.clock.advance(4 * DAY);
    try {
      const report = await tokenExpiryReport(api.ctx);
      expect(report.tenants.find((t) => t.tenantId === 'te-lapsed')).toEqual({ tenantId: 'te-lapsed', daysLeft: 0 });
      expect(report.minDaysLeft).toBe(0);
    } finally {
      api.clock.now = start;
    }
  });

  it('the handler publishes the report once and costs one Query per 100 tenants', async () => {
    const published: ExpiryReport[] = [];
    const { result, cost } = await metered(() => tokenExpiryHandler(api.ctx, (r) => published.push(r))());
    expect(published).toHaveLength(1);
    expect(result).toEqual({ tenants: published[0]!.tenants.length, minDaysLeft: published[0]!.minDaysLeft });
    expect(cost.operations).toEqual(['QueryCommand']);
  });
});
