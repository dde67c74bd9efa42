// Where the CLI sends admin requests and how it authenticates them:
//   local runner   --url / SCIM_ADMIN_URL (default http://localhost:$PORT|8080), ADMIN_KEY as a bearer
//                  key (--admin-key, env ADMIN_KEY, or the key `npm start` saved in .data/admin-key)
//   deployed stack --stack <name>: the AdminBaseUrl output of the CloudFormation stack, requests
//                  signed with SigV4 using the standard AWS credential chain (env, profile, SSO, ...)
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { signRequest, type CredentialSource } from './sigv4.ts';

/** The stack output holding the admin API's base URL (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`). */
export const ADMIN_URL_OUTPUT = 'AdminBaseUrl';

export type Target =
  | { kind: 'local'; baseUrl: string; adminKey: string }
  | { kind: 'aws'; baseUrl: string; region: string; credentials: CredentialSource; stack: string };

export interface TargetOptions {
  url?: string;
  adminKey?: string;
  stack?: string;
  region?: string;
  profile?: string;
}

export class TargetError extends Error {}

/** Without `/admin` and trailing slashes: request paths start with `/admin/...`. */
const baseOf = (url: string) => url.replace(/\/+$/, '').replace(/\/admin$/, '');

export async function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv, cwd: string): Promise<Target> {
  if (options.stack) {
    if (options.url || options.adminKey)
      throw new TargetError('use either --stack (deployed) or --url/--admin-key (local), not both');
    const credentials = defaultProvider(options.profile ? { profile: options.profile } : {});
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    const cloudformation = new CloudFormationClient({ ...(region ? { region } : {}), credentials });
    try {
      const resolvedRegion = await cloudformation.config.region();
      const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: options.stack }));
      const outputs = Stacks?.[0]?.Outputs ?? [];
      // CDK names an output in a nested construct `<path>AdminBaseUrl<hash>`; prefer the exact key.
      const output =
        outputs.find((o) => o.OutputKey === ADMIN_URL_OUTPUT) ??
        outputs.find((o) => o.OutputKey?.includes(ADMIN_URL_OUTPUT));
      if (!output?.OutputValue) {
        throw new TargetError(
          `stack ${options.stack} has no ${ADMIN_URL_OUTPUT} output; is it a SCIM directory stack?`,
        );
      }
      return {
        kind: 'aws',
        baseUrl: baseOf(output.OutputValue),
        region: resolvedRegion,
        credentials,
        stack: options.stack,
      };
    } catch (error) {
      if (error instanceof TargetError) throw error;
      throw new TargetError(`could not read stack ${options.stack}: ${(error as Error).message}`);
    } finally {
      cloudformation.destroy();
    }
  }
  const baseUrl = baseOf(options.url ?? env.SCIM_ADMIN_URL ?? `http://localhost:${env.PORT ?? 8080}`);
  const keyFile = join(resolve(cwd, env.DATA_DIR ?? '.data'), 'admin-key');
  const adminKey =
    options.adminKey ?? env.ADMIN_KEY ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
  if (!adminKey) {
    throw new TargetError(
      `no admin key: pass --admin-key, set ADMIN_KEY, or run from the folder where \`npm start\` wrote ${keyFile}`,
    );
  }
  return { kind: 'local', baseUrl, adminKey };
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
      target.kind === 'local' ? '; is `npm start` running? (or pass --url, or --stack for a deployed stack)' : '';
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
