// `scim-admin`: tenants, tokens and provisioning through the admin API, locally or deployed.
// Readable output by default, `--json` for scripts (the API's JSON bodies, unchanged).
import { parseArgs } from 'node:util';
import type { NewTokenView, TenantView, TokenView } from '#admin/views.ts';
import { runConsole } from './console/command.ts';
import { describeActivity, printEvents } from './events.ts';
import { adminRequest, resolveTarget, TargetError, type AdminResponse, type Target } from './target.ts';

export const USAGE = `Usage: scim-admin <command> [options]

Commands:
  tenant create <tenant> [--display-name <name>]   create a tenant (or update its display name)
  tenant get <tenant>                              provisioning state and counts
  token create <tenant> --name <name> [--scope full|read] [--days <n>]
                                                   issue a SCIM bearer token (shown once)
  token list <tenant>                              tokens with status, expiry and last use
  token revoke <tenant> <tokenId>                  revoke a token
  provisioning on|off <tenant>                     off revokes every token of the tenant
  events <tenant> [--follow] [--types <t,...>] [--after <cursor>]
                                                   change events, oldest first (--follow: like tail -f;
                                                   --json: one envelope per line; docs/events.md)
  activity <tenant> [--limit <n>]                  refused SCIM requests, newest first (7 days)
  console [--port <n>]                             the admin console: a local web app on 127.0.0.1
                                                   (prints the URL to open; docs/console.md)

Target (the local runner by default, found through the runner.json \`npm start\` writes in
DATA_DIR: .data/, or $DATA_DIR when set, whatever PORT it listens on):
  --data-dir <dir>     the local runner started with DATA_DIR=<dir>
  --url <url>          the local runner's URL (env SCIM_ADMIN_URL)
  --admin-key <key>    local admin key (env ADMIN_KEY; default: the key file the runner recorded)
  --stack <name>       a deployed stack: its AdminBaseUrl output, requests signed with SigV4
  --region <region>    the stack's region (default: AWS_REGION / your AWS config)
  --profile <name>     AWS profile (default: the standard credential chain)

Output:
  --json               print the API's JSON response
  -h, --help           this help
`;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
};

class UsageError extends Error {}

type Tenant = TenantView & { revokedTokens?: number };

const seg = (value: string) => encodeURIComponent(value);
const day = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : 'never');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function describeTenant(t: Tenant): string {
  return [
    `Tenant ${t.id}${t.displayName ? ` (${t.displayName})` : ''}`,
    `  provisioning   ${t.provisioning.enabled ? 'on' : 'off'}`,
    `  users          ${t.counts.users}`,
    `  groups         ${t.counts.groups}`,
    `  active tokens  ${t.counts.activeTokens}`,
    ...(t.createdAt ? [`  created        ${day(t.createdAt)}`] : []),
  ].join('\n');
}

function describeNewToken(tenantId: string, t: NewTokenView): string {
  return [
    `Created token ${t.id} for tenant ${tenantId}`,
    `  name     ${t.name}`,
    `  scope    ${t.scope}${t.scope === 'read' ? ' (GET and searches only)' : ' (read and write)'}`,
    `  expires  ${day(t.expiresAt)}`,
    '',
    `    ${t.token}`,
    '',
    'Copy the token now: this is the only time it is shown, and it cannot be recovered.',
    "Paste it into your identity provider's SCIM bearer-token field (Okta: API Token;",
    'Entra ID: Secret Token; OneLogin: SCIM Bearer Token). If it is lost, create a new',
    'token and revoke this one.',
  ].join('\n');
}

/** Runs one command; returns the process exit code (0 ok, 1 API or target error, 2 usage). */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        'admin-key': { type: 'string' },
        'data-dir': { type: 'string' },
        stack: { type: 'string' },
        region: { type: 'string' },
        profile: { type: 'string' },
        port: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        name: { type: 'string' },
        scope: { type: 'string' },
        days: { type: 'string' },
        'display-name': { type: 'string' },
        follow: { type: 'boolean', short: 'f', default: false },
        types: { type: 'string' },
        after: { type: 'string' },
        limit: { type: 'string' },
      },
    });
  } catch (error) {
    io.err(`scim-admin: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0 || positionals[0] === 'help') {
    io.out(USAGE);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }

  try {
    const consolePort = positionals[0] === 'console' ? consolePortOf(positionals, values) : undefined;
    const command = consolePort === undefined ? planCommand(positionals, values) : undefined;
    const target = await resolveTarget(
      {
        ...(values.url ? { url: values.url } : {}),
        ...(values['admin-key'] ? { adminKey: values['admin-key'] } : {}),
        ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
        ...(values.stack ? { stack: values.stack } : {}),
        ...(values.region ? { region: values.region } : {}),
        ...(values.profile ? { profile: values.profile } : {}),
      },
      io.env,
      io.cwd,
    );
    if (!command) return await runConsole(target, consolePort!, io);
    if (command.run) return await command.run(target, io);
    const res = await send(target, command);
    if (res.status >= 400) {
      const detail =
        (res.body as { detail?: string } | undefined)?.detail ??
        (typeof res.body === 'string' ? res.body : JSON.stringify(res.body));
      if (values.json) io.out(JSON.stringify(res.body ?? { status: res.status }, null, 2));
      io.err(`error: ${res.status} ${detail || 'request failed'}${hint(target, res.status)}`);
      return 1;
    }
    if (values.json) {
      io.out(JSON.stringify(res.body ?? { ok: true }, null, 2));
    } else {
      io.out(command.render(res.body));
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`scim-admin: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof TargetError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
}

function hint(target: Target, status: number): string {
  if (status === 401 && target.kind === 'local')
    return `\n(the admin key from ${target.adminKeySource} was refused: pass the runner's key with --admin-key, or --data-dir <the runner's DATA_DIR> to read the admin-key file it saved)`;
  if (status === 403 && target.kind === 'aws')
    return '\n(your AWS identity needs execute-api:Invoke on the admin routes of this stage)';
  return '';
}

interface Command {
  method: string;
  path: string;
  body?: unknown;
  render: (body: unknown) => string;
  /** Commands that make several requests (events --follow) run on their own. */
  run?: (target: Target, io: Io) => Promise<number>;
}

type Values = Record<string, string | boolean | undefined>;

/** `console [--port <n>]`: the port to listen on, 0 for a free one. */
function consolePortOf(positionals: string[], values: Values): number {
  if (positionals.length !== 1) throw new UsageError('usage: scim-admin console [--port <n>]');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be a port number from 1 to 65535 (leave it out for a free port)');
  return port;
}

function planCommand(positionals: string[], values: Values): Command {
  const [group, action, ...rest] = positionals;
  const need = (count: number, usage: string) => {
    if (rest.length !== count) throw new UsageError(`usage: scim-admin ${usage}`);
    return rest;
  };
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);

  if (group === 'tenant' && action === 'create') {
    const [tenantId] = need(1, 'tenant create <tenant> [--display-name <name>]');
    const displayName = str('display-name');
    return {
      method: 'PUT',
      path: `/admin/tenants/${seg(tenantId!)}`,
      body: displayName === undefined ? {} : { displayName },
      render: (b) => describeTenant(b as Tenant),
    };
  }
  if (group === 'tenant' && action === 'get') {
    const [tenantId] = need(1, 'tenant get <tenant>');
    return { method: 'GET', path: `/admin/tenants/${seg(tenantId!)}`, render: (b) => describeTenant(b as Tenant) };
  }
  if (group === 'token' && action === 'create') {
    const [tenantId] = need(1, 'token create <tenant> --name <name> [--scope full|read] [--days <n>]');
    const name = str('name');
    if (!name) throw new UsageError('token create needs --name <name>, a label such as "okta-prod"');
    const scope = str('scope');
    if (scope !== undefined && scope !== 'full' && scope !== 'read')
      throw new UsageError('--scope must be "full" or "read"');
    const daysText = str('days');
    const days = daysText === undefined ? undefined : Number(daysText);
    if (days !== undefined && (!Number.isInteger(days) || days < 1))
      throw new UsageError('--days must be a whole number of days, at least 1');
    return {
      method: 'POST',
      path: `/admin/tenants/${seg(tenantId!)}/tokens`,
      body: { name, ...(scope ? { scope } : {}), ...(days !== undefined ? { expiresInDays: days } : {}) },
      render: (b) => describeNewToken(tenantId!, b as NewTokenView),
    };
  }
  if (group === 'token' && action === 'list') {
    const [tenantId] = need(1, 'token list <tenant>');
    return {
      method: 'GET',
      path: `/admin/tenants/${seg(tenantId!)}/tokens`,
      render: (b) => {
        const tokens = (b as { tokens: TokenView[] }).tokens;
        if (!tokens.length)
          return `Tenant ${tenantId} has no tokens. Create one: scim-admin token create ${tenantId} --name <name>`;
        return table([
          ['ID', 'NAME', 'SCOPE', 'STATUS', 'EXPIRES', 'LAST USED'],
          ...tokens.map((t) => [t.id, t.name, t.scope, t.status, day(t.expiresAt), day(t.lastUsedAt)]),
        ]);
      },
    };
  }
  if (group === 'token' && action === 'revoke') {
    const [tenantId, tokenId] = need(2, 'token revoke <tenant> <tokenId>');
    return {
      method: 'DELETE',
      path: `/admin/tenants/${seg(tenantId!)}/tokens/${seg(tokenId!)}`,
      render: () =>
        `Revoked token ${tokenId} of tenant ${tenantId}. Requests with it are refused as soon as the API's authorizer cache entry for it expires (the cache TTL). \`token list\` shows it as revoked for 30 days.`,
    };
  }
  if (group === 'provisioning' && (action === 'on' || action === 'off')) {
    const [tenantId] = need(1, `provisioning ${action} <tenant>`);
    return {
      method: 'PUT',
      path: `/admin/tenants/${seg(tenantId!)}/provisioning`,
      body: { enabled: action === 'on' },
      render: (b) => {
        const t = b as Tenant;
        const note =
          action === 'off'
            ? `\nProvisioning is off: ${t.revokedTokens ?? 0} token(s) revoked; SCIM requests get 401. Turning it on again does not restore them.`
            : `\nProvisioning is on. Create a token if the tenant has none: scim-admin token create ${tenantId} --name <name>`;
        return describeTenant(t) + note;
      },
    };
  }
  if (group === 'events') {
    const [tenantId] = [action, ...rest];
    if (!tenantId || rest.length)
      throw new UsageError('usage: scim-admin events <tenant> [--follow] [--types <t,...>]');
    const path = `/admin/tenants/${seg(tenantId)}/events`;
    const options = {
      tenantId,
      follow: values.follow === true,
      json: values.json === true,
      ...(str('types') ? { types: str('types')! } : {}),
      ...(str('after') ? { after: str('after')! } : {}),
    };
    return { method: 'GET', path, render: () => '', run: (target, io) => printEvents(target, options, io) };
  }
  if (group === 'activity') {
    const [tenantId] = [action, ...rest];
    if (!tenantId || rest.length) throw new UsageError('usage: scim-admin activity <tenant> [--limit <n>]');
    const limit = str('limit');
    return {
      method: 'GET',
      path: `/admin/tenants/${seg(tenantId)}/activity${limit ? `?limit=${seg(limit)}` : ''}`,
      render: (b) => describeActivity(tenantId, b),
    };
  }
  throw new UsageError(`unknown command: ${positionals.join(' ')}`);
}

async function send(target: Target, command: Command): Promise<AdminResponse> {
  return adminRequest(target, command.method, command.path, command.body);
}
