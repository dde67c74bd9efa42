// `npm run fuzz -- [--requests N] [--seed S] [--concurrency C] [--index I]`: a fuzz campaign of
// hostile requests over every route and method (test/support/fuzz-corpus.ts) against a local
// runner on DynamoDB Local (started here, or DYNAMODB_ENDPOINT). Prints the status histogram, every
// 5xx with its request, the slowest requests and the ones with the most DynamoDB calls; exits 1 on
// any 5xx. `--index I` replays request I of the seed alone and prints the whole exchange.
import '../bin/quiet-sdk-warning.ts';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { DynamoDbLocal } from '#infra/local/dynamodb-local.ts';
import {
  describeRequest,
  formatSummary,
  generateRequest,
  runFuzz,
  send,
  setupFuzzTarget,
} from '../test/support/fuzz-corpus.ts';

// Thousands of refused tokens and bodies would each log a line: only errors (a 500 logs its stack).
process.env.LOG_LEVEL ??= 'ERROR';
const { ensureTable, startDynamoDbLocal } = await import('#infra/local/dynamodb-local.ts');
const { createLocalApi } = await import('#infra/local/server.ts');
const { configFromEnv } = await import('#api/context.ts');
const { createDb } = await import('#store/client.ts');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '20000' },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '4' },
      index: { type: 'string' },
      groups: { type: 'string', default: '100' },
    },
  });
  const requests = Number(values.requests);
  const seed = Number(values.seed);
  const concurrency = Number(values.concurrency);
  if (![requests, seed, concurrency].every((n) => Number.isInteger(n) && n >= 0)) {
    console.error('--requests, --seed and --concurrency take whole numbers');
    return 2;
  }

  let ddb: DynamoDbLocal | undefined;
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? (ddb = await startDynamoDbLocal()).endpoint;
  const tableName = `scim-fuzz-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint, tableName);
  const ctx = { db: createDb({ tableName, endpoint }), clock: () => new Date(), config: configFromEnv() };
  const adminKey = `fuzz-${randomUUID()}`;
  const server = createLocalApi({ ctx, adminKey, authorizerCacheTtlSeconds: 60, exposeCost: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const target = await setupFuzzTarget(url, adminKey, { groups: Number(values.groups) });
    if (values.index !== undefined) {
      const request = generateRequest(seed, Number(values.index), target);
      const res = await send(url, request);
      console.log(`>>> ${describeRequest(request, 4000)}\n<<< ${res.status}\n${res.text.slice(0, 4000)}`);
      return res.status >= 500 ? 1 : 0;
    }
    let last = Date.now();
    const summary = await runFuzz({
      target,
      seed,
      requests,
      concurrency,
      onProgress: (done) => {
        if (Date.now() - last > 5000) {
          last = Date.now();
          process.stderr.write(`  ${done} / ${requests}\n`);
        }
      },
    });
    console.log(formatSummary(summary));
    return summary.serverErrors.length ? 1 : 0;
  } finally {
    server.closeAllConnections();
    server.close();
    await ddb?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
