// One-off upgrade after deploying the release that keeps memberships on the items (docs/performance.md,
// "Upgrading"): writes each older user's groups and each older group's member counts onto the
// item, so reads stop falling back to the membership index. Idempotent, safe on a live table.
//
//   npx tsx scripts/backfill-memberships.ts --table <TableName> [--region eu-west-1] [tenant ...]
//   npx tsx scripts/backfill-memberships.ts --table scim-local --endpoint http://127.0.0.1:8000
//
// Without tenant ids it upgrades `default` and every tenant in the admin's list of tenants.
import '../bin/quiet-sdk-warning.ts';
import { parseArgs } from 'node:util';
import { createDb } from '#store/client.ts';
import { backfillMemberships } from '#store/membership-backfill.ts';
import { DEFAULT_TENANT, listTenants } from '#store/tenants.ts';

const { values, positionals } = parseArgs({
  options: { table: { type: 'string' }, region: { type: 'string' }, endpoint: { type: 'string' } },
  allowPositionals: true,
});
if (!values.table) {
  console.error(
    'usage: npx tsx scripts/backfill-memberships.ts --table <TableName> [--region r] [--endpoint url] [tenant ...]',
  );
  process.exit(2);
}
const db = createDb({
  tableName: values.table,
  ...(values.region ? { region: values.region } : {}),
  ...(values.endpoint ? { endpoint: values.endpoint } : {}),
});

async function allTenants(): Promise<string[]> {
  const ids = new Set([DEFAULT_TENANT]);
  let after: string | undefined;
  do {
    const page = await listTenants({ db, clock: () => new Date() }, { limit: 100, ...(after ? { after } : {}) });
    for (const t of page.tenants) ids.add(t.id);
    after = page.after;
  } while (after);
  return [...ids];
}

for (const tenantId of positionals.length ? positionals : await allTenants()) {
  const written = await backfillMemberships(db, tenantId, (p) => {
    if (p.read % 10_000 === 0) console.log(`  ${tenantId}: ${p.type}s read ${p.read}, upgraded ${p.written}`);
  });
  console.log(`${tenantId}: upgraded ${written.users} users and ${written.groups} groups`);
}
