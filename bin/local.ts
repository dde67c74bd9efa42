// `npm start`: DynamoDB Local (unless DYNAMODB_ENDPOINT is set) + the local API Gateway emulation
// running the same handlers and authorizer in-process. See docs/deploy.md "Run it locally".
// Once listening, it records its URL and admin-key file in DATA_DIR/runner.json, where the admin CLI
// finds it (infra/local/runner-record.ts).
import './quiet-sdk-warning.ts';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { ensureTable, startDynamoDbLocal, type DynamoDbLocal } from '#infra/local/dynamodb-local.ts';
import {
  ADMIN_KEY_FILE,
  DEFAULT_DATA_DIR,
  RUNNER_FILE,
  runnerIn,
  writeRunnerRecord,
} from '#infra/local/runner-record.ts';
import { createLocalApi } from '#infra/local/server.ts';
import { startLocalEvents } from '#infra/local/stream-poller.ts';
import { configFromEnv } from '#api/context.ts';
import { createDb } from '#store/client.ts';
import { ensureTenant } from '#store/tenants.ts';

const port = Number(process.env.PORT ?? 8080);
// Loopback only unless asked: the admin key and every tenant's data sit behind this port.
const host = process.env.HOST ?? '127.0.0.1';
const loopback = ['127.0.0.1', '::1', 'localhost'].includes(host);
const wildcard = ['0.0.0.0', '::'].includes(host);
// What clients call (and what Location headers say): PUBLIC_URL, else this machine's own name for it.
const baseUrl = (process.env.PUBLIC_URL || `http://${loopback || wildcard ? 'localhost' : host}:${port}`).replace(
  /\/+$/,
  '',
);
if (!URL.canParse(baseUrl)) {
  console.error(`PUBLIC_URL must be an absolute URL such as https://scim.example.com, got "${baseUrl}".`);
  process.exit(1);
}
const dataDir = resolve(process.env.DATA_DIR ?? DEFAULT_DATA_DIR);
const tableName = process.env.TABLE_NAME ?? 'scim-directory';
const cacheTtl = Number(process.env.AUTHORIZER_CACHE_TTL ?? 60);

function portIsFree(p: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = net.createServer();
    probe.once('error', () => done(false));
    probe.listen(p, host, () => probe.close(() => done(true)));
  });
}

function adminKey(): { key: string; generated: boolean } {
  if (process.env.ADMIN_KEY) return { key: process.env.ADMIN_KEY, generated: false };
  const file = join(dataDir, ADMIN_KEY_FILE);
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
  const other = runnerIn(dataDir);
  if ('runner' in other) {
    console.error(
      `A local runner (process ${other.runner.pid}, ${other.runner.url}) already uses DATA_DIR ${dataDir}. Stop it (Ctrl-C in its terminal), or give this one its own folder: DATA_DIR=<folder> PORT=<port> npm start.`,
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
  const server = createLocalApi({ ctx, adminKey: key, authorizerCacheTtlSeconds: cacheTtl, baseUrl });
  // Change events: the events function over DynamoDB Local's stream (docs/events.md, "Locally").
  const events = await startLocalEvents({
    ctx,
    endpoint,
    scimBase: `${baseUrl}/scim/v2`,
    ...(process.env.EVENTS_LOG === '1' ? { write: (line: string) => process.stdout.write(`${line}\n`) } : {}),
    checkpointFile: join(dataDir, 'stream-checkpoints.json'),
    onDeadLetter: (letter) => appendFileSync(join(dataDir, 'events-dead-letters.jsonl'), `${JSON.stringify(letter)}\n`),
    log: (message) => console.warn(message),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping ...`);
    server.close();
    server.closeAllConnections();
    await events.stop();
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
  server.listen(port, host, () => {
    const base = baseUrl;
    if (!loopback) {
      console.warn(
        `Listening on ${host}:${port}: reachable from other machines (HOST=${host}). Set PUBLIC_URL to the URL they use, for Location headers.`,
      );
    }
    const keyFromEnv = !!process.env.ADMIN_KEY;
    const keyFile = join(dataDir, ADMIN_KEY_FILE);
    // Removed again on exit (Ctrl-C, SIGTERM, a crash); a record left by a killed process is ignored.
    const forget = writeRunnerRecord(
      {
        url: base,
        pid: process.pid,
        dataDir,
        adminKey: keyFromEnv ? { env: 'ADMIN_KEY' } : { file: keyFile },
        startedAt: new Date().toISOString(),
      },
      process.cwd(),
    );
    process.once('exit', forget);
    console.log(`
SCIM directory running locally
  SCIM base URL:  ${base}/scim/v2
  Admin API:      ${base}/admin   (Authorization: Bearer <ADMIN_KEY>)
  DynamoDB:       ${endpoint}, table ${tableName}
  ADMIN_KEY:      ${keyFromEnv ? '(from the environment)' : `${key}   (${generated ? 'generated, ' : ''}saved in ${keyFile})`}
  Runner record:  ${join(dataDir, RUNNER_FILE)}   (where the admin CLI finds this runner)
  Change events:  ${base}/admin/tenants/default/events${process.env.EVENTS_LOG === '1' ? '   (and one JSON line each, here)' : '   (EVENTS_LOG=1 also prints each one here)'}

Get a SCIM token for the default tenant:
  npm run admin -- token create default --name my-idp${keyFromEnv ? '   # with the same ADMIN_KEY set in that shell' : ''}
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
