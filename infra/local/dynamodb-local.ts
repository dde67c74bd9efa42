// Runs DynamoDB Local (the real engine, a Java jar fetched from npm by scripts/fetch-dynamodb-local.mjs)
// as a child process, and makes sure it never outlives us.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
// @ts-expect-error: plain JS helper shared with `npm run dynamodb:fetch`
import { ensureDynamoDbLocal } from '../../scripts/fetch-dynamodb-local.mjs';
import { createTableInput, TABLE } from '#store/table.ts';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = localClient(endpoint);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** DynamoDB Local listens here only: it has no authentication (see LoopbackDynamoDbLocal.java). */
export const DYNAMODB_LOCAL_HOST = '127.0.0.1';

const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'LoopbackDynamoDbLocal.java');

let sourceLaunch: boolean | undefined;
/** Java can run a single-file source program when it ships its compiler (a JDK; most JREs do not). */
function canRunJavaSource(): boolean {
  sourceLaunch ??= /\bjdk\.compiler\b/.test(spawnSync('java', ['--list-modules'], { encoding: 'utf8' }).stdout ?? '');
  return sourceLaunch;
}

/**
 * The java command line: through the loopback launcher when Java can compile it, else DynamoDB
 * Local's own main class, which listens on every interface (said loudly: then it is reachable from
 * the network without authentication).
 */
function javaArgs(dir: string, options: string[]): string[] {
  const vm = [`-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-Xmx1g'];
  if (canRunJavaSource()) {
    return [...vm, '-cp', join(dir, 'DynamoDBLocal.jar'), LAUNCHER, DYNAMODB_LOCAL_HOST, ...options];
  }
  console.warn(
    `warning: this Java cannot run ${LAUNCHER} (no jdk.compiler module: a JRE, not a JDK), so DynamoDB Local listens on every network interface, without authentication. Install a JDK 17+ to keep it on ${DYNAMODB_LOCAL_HOST}.`,
  );
  return [...vm, '-jar', join(dir, 'DynamoDBLocal.jar'), ...options];
}

/** Starts DynamoDB Local on a free port of 127.0.0.1: in memory, or persisted under dataDir. */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number } = {}): Promise<DynamoDbLocal> {
  const dir: string = ensureDynamoDbLocal();
  const port = options.port ?? (await freePort());
  const storage = options.dataDir ? ['-dbPath', options.dataDir, '-sharedDb'] : ['-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child = spawn('java', javaArgs(dir, ['-port', String(port), '-disableTelemetry', ...storage]), {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const kill = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const endpoint = `http://${DYNAMODB_LOCAL_HOST}:${port}`;
  try {
    await waitUntilReady(endpoint, child, 60_000);
  } catch (error) {
    kill();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', kill);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(kill, 3000).unref();
      }),
  };
}

/** Creates the table (same definition as CDK) unless it exists; enables TTL like the stack does. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localClient(endpoint);
  try {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } finally {
    client.destroy();
  }
}
