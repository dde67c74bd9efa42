// The one route table. The CDK stack (infra/scim-api.ts) builds API Gateway resources and methods
// from it, and the local runner (infra/local) dispatches requests with it, so the deployed API and
// the local one cannot disagree.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How a function may touch the table: least privilege, granted by one helper in the stack. */
export type TableAccess = 'none' | 'read' | 'read-write' | 'token-check';

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
    tableAccess: 'read-write',
    description: 'SCIM /Users and POST /.search',
    memoryMb: 1024,
  },
  groups: {
    entry: 'functions/groups/handler.ts',
    tableAccess: 'read-write',
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
    tableAccess: 'read-write',
    description: 'Admin API: tenants, tokens, provisioning',
    memoryMb: 512,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;
export type RouteFunction = Exclude<FunctionName, 'authorizer'>;

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

  admin('PUT', '/tenants/{tenantId}'),
  admin('GET', '/tenants/{tenantId}'),
  admin('POST', '/tenants/{tenantId}/tokens'),
  admin('GET', '/tenants/{tenantId}/tokens'),
  admin('DELETE', '/tenants/{tenantId}/tokens/{tokenId}'),
  admin('PUT', '/tenants/{tenantId}/provisioning'),
];

/** Matches a concrete path against the table; returns the route and its path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | { allowed: HttpMethod[] } | undefined {
  const segments = path.replace(/\/+$/, '').split('/');
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
        params[param[1]!] = decodeURIComponent(actual);
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
  if (best) return { route: best.route, pathParameters: best.pathParameters };
  return allowed.length ? { allowed } : undefined;
}
