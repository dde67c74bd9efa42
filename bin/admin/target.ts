// Where the CLI sends admin requests and how it authenticates them:
//   local runner   found without flags: `npm start` records its URL and admin-key file in
//                  DATA_DIR/runner.json (infra/local/runner-record.ts). `--data-dir` picks a runner by
//                  its DATA_DIR; `--url` (env SCIM_ADMIN_URL) names the URL; `--admin-key` (env
//                  ADMIN_KEY) overrides the recorded key.
//   deployed stack --stack <name>: the AdminBaseUrl output of the CloudFormation stack, requests
//                  signed with SigV4 using the standard AWS credential chain (env, profile, SSO, ...)
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import {
  ADMIN_KEY_FILE,
  DEFAULT_DATA_DIR,
  RUNNER_FILE,
  defaultDataDir,
  pointedRunners,
  runnerIn,
  type RunnerRecord,
} from '#infra/local/runner-record.ts';
import { signRequest, type CredentialSource } from './sigv4.ts';

/** The stack output holding the admin API's base URL (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`). */
export const ADMIN_URL_OUTPUT = 'AdminBaseUrl';

export type Target =
  | {
      kind: 'local';
      baseUrl: string;
      adminKey: string;
      /** Where the key came from (`--admin-key`, `ADMIN_KEY`, or the key file's path), for error hints. */
      adminKeySource: string;
    }
  | { kind: 'aws'; baseUrl: string; region: string; credentials: CredentialSource; stack: string };

export interface TargetOptions {
  url?: string;
  adminKey?: string;
  /** The local runner's DATA_DIR (where `npm start` wrote runner.json and admin-key). */
  dataDir?: string;
  stack?: string;
  region?: string;
  profile?: string;
}

export class TargetError extends Error {}

/** Without `/admin` and trailing slashes: request paths start with `/admin/...`. */
const baseOf = (url: string) => url.replace(/\/+$/, '').replace(/\/admin$/, '');

export async function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv, cwd: string): Promise<Target> {
  if (options.stack) {
    if (options.url || options.adminKey || options.dataDir)
      throw new TargetError(
        '--stack (a deployed stack) cannot be combined with --url, --admin-key or --data-dir (a local runner): drop one or the other',
      );
    return stackTarget(options.stack, options, env);
  }
  return localTarget(options, env, cwd);
}

async function stackTarget(stack: string, options: TargetOptions, env: NodeJS.ProcessEnv): Promise<Target> {
  const credentials = defaultProvider(options.profile ? { profile: options.profile } : {});
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const cloudformation = new CloudFormationClient({ ...(region ? { region } : {}), credentials });
  try {
    const resolvedRegion = await cloudformation.config.region();
    const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs = Stacks?.[0]?.Outputs ?? [];
    // CDK names an output in a nested construct `<path>AdminBaseUrl<hash>`; prefer the exact key.
    const output =
      outputs.find((o) => o.OutputKey === ADMIN_URL_OUTPUT) ??
      outputs.find((o) => o.OutputKey?.includes(ADMIN_URL_OUTPUT));
    if (!output?.OutputValue) {
      throw new TargetError(
        `stack ${stack} has no ${ADMIN_URL_OUTPUT} output: pass the name of the stack \`cdk deploy\` created (default ScimDirectory), or add a CfnOutput ${ADMIN_URL_OUTPUT} with scimApi.adminBaseUrl to your own stack`,
      );
    }
    return { kind: 'aws', baseUrl: baseOf(output.OutputValue), region: resolvedRegion, credentials, stack };
  } catch (error) {
    if (error instanceof TargetError) throw error;
    throw new TargetError(
      `could not read stack ${stack}: ${(error as Error).message}: check the stack name and --region, and that AWS credentials are set up (--profile, or \`aws sts get-caller-identity\` works)`,
    );
  } finally {
    cloudformation.destroy();
  }
}

/** A folder as the user would type it: relative to cwd when inside it. */
const shown = (dir: string, cwd: string) => {
  const rel = relative(cwd, dir);
  return rel && !rel.startsWith('..') ? `${rel}/` : `${dir}/`;
};

/** Same runner? `localhost`, `127.0.0.1` and `[::1]` are one host. */
const sameOrigin = (a: string, b: string) => {
  const norm = (u: string) => {
    const url = new URL(u);
    const host = ['127.0.0.1', '[::1]'].includes(url.hostname) ? 'localhost' : url.hostname;
    return `${url.protocol}//${host}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  };
  try {
    return norm(a) === norm(b);
  } catch {
    return false;
  }
};

function localTarget(options: TargetOptions, env: NodeJS.ProcessEnv, cwd: string): Target {
  const url = options.url ?? env.SCIM_ADMIN_URL;
  const home = defaultDataDir(cwd);
  const envDataDir = env.DATA_DIR ? resolve(cwd, env.DATA_DIR) : undefined;

  let runner: RunnerRecord | undefined;
  if (options.dataDir) {
    const dataDir = resolve(cwd, options.dataDir);
    const found = runnerIn(dataDir);
    if ('runner' in found) runner = found.runner;
    else if (!url) {
      throw new TargetError(
        `no local runner is running with --data-dir ${shown(dataDir, cwd)} (${found.missing === 'none' ? `no ${RUNNER_FILE} there` : `its process ${found.pid} has stopped`}): start one with \`DATA_DIR=${options.dataDir} npm start\`, or pass --url and --admin-key`,
      );
    }
  } else {
    runner = discover(url, envDataDir, home, cwd);
  }

  const baseUrl = baseOf(url ?? runner!.url);
  if (options.adminKey) return { kind: 'local', baseUrl, adminKey: options.adminKey, adminKeySource: '--admin-key' };
  if (env.ADMIN_KEY) return { kind: 'local', baseUrl, adminKey: env.ADMIN_KEY, adminKeySource: 'ADMIN_KEY' };
  if (runner && 'env' in runner.adminKey) {
    throw new TargetError(
      `the local runner at ${runner.url} takes its admin key from its ADMIN_KEY environment variable: set ADMIN_KEY to the same value here, or pass --admin-key`,
    );
  }
  // The recorded key file; with --url and no record, the key file `npm start` writes in DATA_DIR.
  const keyFile =
    runner && 'file' in runner.adminKey
      ? runner.adminKey.file
      : join(options.dataDir ? resolve(cwd, options.dataDir) : (envDataDir ?? home), ADMIN_KEY_FILE);
  if (!existsSync(keyFile)) {
    throw new TargetError(
      `no admin key for ${baseUrl}: ${keyFile} does not exist. Pass --admin-key <key> or set ADMIN_KEY, or pass --data-dir <the runner's DATA_DIR> (where \`npm start\` saves ${ADMIN_KEY_FILE})`,
    );
  }
  return { kind: 'local', baseUrl, adminKey: readFileSync(keyFile, 'utf8').trim(), adminKeySource: keyFile };
}

/**
 * The runner to use without --data-dir: the one in DATA_DIR if that is set, else the one in `.data/`
 * or the only one started from this folder with another DATA_DIR. With --url, the record (if any)
 * of the runner at that URL, for its admin key.
 */
function discover(
  url: string | undefined,
  envDataDir: string | undefined,
  home: string,
  cwd: string,
): RunnerRecord | undefined {
  const inEnv = envDataDir ? runnerIn(envDataDir) : undefined;
  const inHome = runnerIn(home);
  const candidates = [inEnv, inHome]
    .flatMap((found) => (found && 'runner' in found ? [found.runner] : []))
    .concat(pointedRunners(cwd));
  const live = candidates.filter((r, i) => candidates.findIndex((o) => sameOrigin(o.url, r.url)) === i);
  if (url) return live.find((r) => sameOrigin(r.url, url));

  if (inEnv && 'runner' in inEnv) return inEnv.runner;
  if (envDataDir) {
    throw new TargetError(
      `no local runner is running with DATA_DIR=${shown(envDataDir, cwd)} (${inEnv && inEnv.missing === 'stopped' ? `its process ${inEnv.pid} has stopped` : `no ${RUNNER_FILE} there`}): start one with \`DATA_DIR=${shown(envDataDir, cwd)} npm start\`, or unset DATA_DIR, or pass --url and --admin-key`,
    );
  }
  if (live.length === 1) return live[0];
  if (live.length > 1) {
    const list = live.map((r) => `${r.url} (--data-dir ${shown(r.dataDir, cwd)})`).join(', ');
    throw new TargetError(`${live.length} local runners are running: ${list}: choose one with --data-dir or --url`);
  }
  const stopped = 'pid' in inHome ? ` (the runner recorded there, process ${inHome.pid}, has stopped)` : '';
  throw new TargetError(
    `no local runner found in ${DEFAULT_DATA_DIR}/${stopped}: start one with \`npm start\`, or pass --url and --admin-key, or --stack <name> for a deployed stack`,
  );
}

export interface AdminResponse {
  status: number;
  body: unknown;
}

/** One admin API call; a JSON body in, the parsed JSON body (if any) out. */
export async function adminRequest(
  target: Target,
  method: string,
  path: string,
  body?: unknown,
): Promise<AdminResponse> {
  const url = new URL(`${target.baseUrl}${path}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  let headers: Record<string, string> = {
    accept: 'application/json',
    ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
  };
  if (target.kind === 'local') {
    headers.authorization = `Bearer ${target.adminKey}`;
  } else {
    headers = await signRequest(
      { method, url, headers, ...(payload !== undefined ? { body: payload } : {}) },
      { region: target.region, credentials: target.credentials },
    );
    // fetch sets Host itself, from the same URL the signature covers.
    delete headers.host;
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
    const code = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
    const hint =
      target.kind === 'local'
        ? ': is the local runner still running? Start it with `npm start`, or pass --url (or --stack for a deployed stack)'
        : ': check your network connection and that the stack is still deployed';
    throw new TargetError(`cannot reach the admin API at ${url.origin} (${code})${hint}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}
