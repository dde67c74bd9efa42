// `npm start`: DynamoDB Local (unless DYNAMODB_ENDPOINT is set) + the local API Gateway emulation
// running the same handlers and authorizer in-process. See README "Run it locally".
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { ensureTable, startDynamoDbLocal, type DynamoDbLocal } from '#infra/local/dynamodb-local.ts';
import { createLocalApi } from '#infra/local/server.ts';
import { configFromEnv } from '#api/context.ts';
import { createDb } from '#store/client.ts';
import { ensureTenant } from '#store/tenants.ts';

const port = Number(process.env.PORT ?? 8080);
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const tableName = process.env.TABLE_NAME ?? 'scim-directory';
const cacheTtl = Number(process.env.AUTHORIZER_CACHE_TTL ?? 60);

function portIsFree(p: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = net.createServer();
    probe.once('error', () => done(false));
    probe.listen(p, () => probe.close(() => done(true)));
  });
}

function adminKey(): { key: string; generated: boolean } {
  if (process.env.ADMIN_KEY) return { key: process.env.ADMIN_KEY, generated: false };
  const file = join(dataDir, 'admin-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), generated: false };
  const key = `adm_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, generated: true };
}

async function main() {
  if (!(await portIsFree(port))) {
    console.error(
      `Port ${port} is already in use (another \`npm start\`?). Stop it or run with PORT=<other port> npm start.`,
    );
    process.exit(1);
  }
  mkdirSync(dataDir, { recursive: true });
  let ddb: DynamoDbLocal | undefined;
  let endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    console.log(`Starting DynamoDB Local (data in ${join(dataDir, 'dynamodb')}) ...`);
    ddb = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
    endpoint = ddb.endpoint;
  }
  await ensureTable(endpoint, tableName);
  const ctx = { db: createDb({ tableName, endpoint }), clock: () => new Date(), config: configFromEnv() };
  await ensureTenant(ctx, 'default');
  const { key, generated } = adminKey();
  const server = createLocalApi({ ctx, adminKey: key, authorizerCacheTtlSeconds: cacheTtl });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping ...`);
    server.close();
    server.closeAllConnections();
    await ddb?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  server.once('error', async (error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${port} is already in use.` : error);
    await ddb?.stop();
    process.exit(1);
  });
  server.listen(port, () => {
    const base = `http://localhost:${port}`;
    console.log(`
SCIM directory running locally
  SCIM base URL:  ${base}/scim/v2
  Admin API:      ${base}/admin   (Authorization: Bearer <ADMIN_KEY>)
  DynamoDB:       ${endpoint}, table ${tableName}
  ADMIN_KEY:      ${generated || !process.env.ADMIN_KEY ? key : '(from the environment)'}${generated ? '   (generated, saved in ' + join(dataDir, 'admin-key') + ')' : ''}

Get a SCIM token for the default tenant:
  npm run admin -- token create default --name my-idp
  # or: curl -X POST ${base}/admin/tenants/default/tokens -H "Authorization: Bearer $ADMIN_KEY" \\
  #        -H 'Content-Type: application/json' -d '{"name":"my-idp"}'
Then: curl ${base}/scim/v2/Users -H "Authorization: Bearer <token>"
Ctrl-C stops the API and DynamoDB Local.`);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
