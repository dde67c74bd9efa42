// The one route table. The CDK stack (infra/scim-api.ts) builds API Gateway resources and methods
// from it, and the local runner (infra/local) dispatches requests with it, so the deployed API and
// the local one cannot disagree.

import { InvalidSyntaxError } from '#scim/errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How a function may touch the table: least privilege by key prefix, granted by one helper in the
 * stack (infra/bind-table.ts says what each mode allows). `read` / `read-write`: tenant data only.
 */
export type TableAccess =
  'none' | 'read' | 'read-write' | 'token-check' | 'directory' | 'admin' | 'tenant-list' | 'events';

export interface FunctionSpec {
  /** Entry file, relative to the project root; it exports `handler`. */
  entry: string;
  tableAccess: TableAccess;
  description: string;
  memoryMb: number;
}

export const FUNCTIONS = {
  authorizer: {
    entry: 'functions/authorizer/handler.ts',
    tableAccess: 'token-check',
    description: 'SCIM bearer-token authorizer (hashed token lookup, expiry, tenant, scope)',
    memoryMb: 512,
  },
  users: {
    entry: 'functions/users/handler.ts',
    tableAccess: 'directory',
    description: 'SCIM /Users and POST /.search',
    memoryMb: 1024,
  },
  groups: {
    entry: 'functions/groups/handler.ts',
    tableAccess: 'directory',
    description: 'SCIM /Groups',
    memoryMb: 1024,
  },
  discovery: {
    entry: 'functions/discovery/handler.ts',
    tableAccess: 'none',
    description: 'SCIM /ServiceProviderConfig, /ResourceTypes, /Schemas',
    memoryMb: 256,
  },
  admin: {
    entry: 'functions/admin/handler.ts',
    tableAccess: 'admin',
    description: 'Admin API: tenants, tokens, provisioning',
    memoryMb: 512,
  },
  tokenExpiry: {
    entry: 'functions/token-expiry/handler.ts',
    tableAccess: 'tenant-list',
    description: 'Daily: per tenant, the days until its newest active SCIM token expires (CloudWatch metric)',
    memoryMb: 256,
  },
  // Reads the table's stream (event source mapping in infra/events.ts), writes the tenants' feeds.
  events: {
    entry: 'functions/events/handler.ts',
    tableAccess: 'events',
    description: 'Change events: table stream to the tenant feeds and the EventBridge bus',
    memoryMb: 512,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;
/** Functions that serve routes (the rest run on their own: the authorizer, scheduled jobs). */
export type RouteFunction = Exclude<FunctionName, 'authorizer' | 'tokenExpiry' | 'events'>;

export interface Route {
  method: HttpMethod;
  /** API Gateway resource path; `{name}` is a path parameter. */
  path: string;
  function: RouteFunction;
  /** `scim`: bearer token via the Lambda authorizer. `admin`: AWS_IAM (ADMIN_KEY locally). */
  auth: 'scim' | 'admin';
}

export const SCIM_PREFIX = '/scim/v2';
export const ADMIN_PREFIX = '/admin';

const scim = (method: HttpMethod, path: string, fn: RouteFunction): Route => ({
  method,
  path: `${SCIM_PREFIX}${path}`,
  function: fn,
  auth: 'scim',
});
const admin = (method: HttpMethod, path: string): Route => ({
  method,
  path: `${ADMIN_PREFIX}${path}`,
  function: 'admin',
  auth: 'admin',
});

export const ROUTES: readonly Route[] = [
  scim('GET', '/Users', 'users'),
  scim('POST', '/Users', 'users'),
  scim('POST', '/Users/.search', 'users'),
  scim('GET', '/Users/{id}', 'users'),
  scim('PUT', '/Users/{id}', 'users'),
  scim('PATCH', '/Users/{id}', 'users'),
  scim('DELETE', '/Users/{id}', 'users'),
  scim('POST', '/.search', 'users'),
  // RFC 7644 §3.11: /Me is not supported here, and says so with 501 rather than 404.
  ...(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map((method) => scim(method, '/Me', 'users')),

  scim('GET', '/Groups', 'groups'),
  scim('POST', '/Groups', 'groups'),
  scim('POST', '/Groups/.search', 'groups'),
  scim('GET', '/Groups/{id}', 'groups'),
  scim('PUT', '/Groups/{id}', 'groups'),
  scim('PATCH', '/Groups/{id}', 'groups'),
  scim('DELETE', '/Groups/{id}', 'groups'),

  scim('GET', '/ServiceProviderConfig', 'discovery'),
  scim('GET', '/ResourceTypes', 'discovery'),
  scim('GET', '/ResourceTypes/{id}', 'discovery'),
  scim('GET', '/Schemas', 'discovery'),
  scim('GET', '/Schemas/{id}', 'discovery'),

  admin('GET', '/tenants'),
  admin('PUT', '/tenants/{tenantId}'),
  admin('GET', '/tenants/{tenantId}'),
  admin('POST', '/tenants/{tenantId}/tokens'),
  admin('GET', '/tenants/{tenantId}/tokens'),
  admin('DELETE', '/tenants/{tenantId}/tokens/{tokenId}'),
  admin('PUT', '/tenants/{tenantId}/provisioning'),
  // The application's pull feed of change events, and the refused SCIM requests (docs/events.md).
  admin('GET', '/tenants/{tenantId}/events'),
  admin('GET', '/tenants/{tenantId}/activity'),
  // Directory reads for admins (the console's Directory screen): read-only, IAM-protected like the rest.
  admin('GET', '/tenants/{tenantId}/users'),
  admin('GET', '/tenants/{tenantId}/users/{userId}'),
  admin('GET', '/tenants/{tenantId}/groups'),
  admin('GET', '/tenants/{tenantId}/groups/{groupId}'),
];

/**
 * Matches a concrete path against the table; returns the route and its path parameters, or the
 * methods the path does have (a 405). Throws InvalidSyntaxError for a parameter whose
 * percent-escapes do not decode (`%`, `%E0%A4%A`): a 400, as API Gateway answers.
 */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | { allowed: HttpMethod[] } | undefined {
  // API Gateway reads `//Users` as `/Users` (a base URL configured with a trailing "/"), and so do we.
  const segments = path
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '')
    .split('/');
  const allowed: HttpMethod[] = [];
  let best: { route: Route; pathParameters: Record<string, string>; score: number } | undefined;
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let score = 0;
    const ok = pattern.every((part, i) => {
      const actual = segments[i] ?? '';
      const param = /^\{(\w+)\}$/.exec(part);
      if (param) {
        if (!actual) return false;
        params[param[1]!] = actual;
        return true;
      }
      score += 1;
      // API Gateway matches static path parts case-sensitively; so do we.
      return part === actual;
    });
    if (!ok) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    // A static part (/Users/.search) wins over a parameter (/Users/{id}), as in API Gateway.
    if (!best || score > best.score) best = { route, pathParameters: params, score };
  }
  if (best) return { route: best.route, pathParameters: decodeParameters(best.pathParameters) };
  return allowed.length ? { allowed } : undefined;
}

function decodeParameters(raw: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      throw new InvalidSyntaxError(`the path has a malformed percent-escape in its ${name} segment`);
    }
  }
  return out;
}
