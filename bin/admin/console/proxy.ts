// The admin API calls the console may make on the browser's behalf, as data: a fixed allow-list.
// `/api/<path>` maps to `/admin/<path>` only when method and path match a row here, each path
// parameter matches its pattern and only the row's query parameters are passed on. Anything else
// is refused before it reaches the admin API, so a page that somehow talked to the console could
// still only do what the console's own screens do.

export type ProxyMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface ProxyRoute {
  method: ProxyMethod;
  /** Relative to `/api` in the console and to `/admin` in the admin API; `{name}` is a parameter. */
  path: string;
  /** Query parameters passed on (others are dropped). */
  query?: readonly string[];
}

/** Tenant ids as the admin API accepts them; token, user and group ids are ULIDs. */
const PARAMS: Record<string, RegExp> = {
  tenantId: /^[a-z0-9][a-z0-9_-]{0,62}$/,
  tokenId: /^[0-9A-Za-z]{1,64}$/,
  userId: /^[0-9A-Za-z]{1,64}$/,
  groupId: /^[0-9A-Za-z]{1,64}$/,
};

const SEARCH = ['q', 'match', 'count', 'cursor'] as const;
/** The events feature's routes (docs/events.md): the feed reads forward from `after`, activity back from `before`. */
const FEED = ['after', 'limit', 'types'] as const;
const ACTIVITY = ['before', 'limit'] as const;

export const PROXY_ROUTES: readonly ProxyRoute[] = [
  { method: 'GET', path: '/tenants', query: ['count', 'cursor'] },
  { method: 'GET', path: '/tenants/{tenantId}' },
  { method: 'PUT', path: '/tenants/{tenantId}' },
  { method: 'PUT', path: '/tenants/{tenantId}/provisioning' },
  { method: 'GET', path: '/tenants/{tenantId}/tokens' },
  { method: 'POST', path: '/tenants/{tenantId}/tokens' },
  { method: 'DELETE', path: '/tenants/{tenantId}/tokens/{tokenId}' },
  { method: 'GET', path: '/tenants/{tenantId}/users', query: SEARCH },
  { method: 'GET', path: '/tenants/{tenantId}/users/{userId}' },
  { method: 'GET', path: '/tenants/{tenantId}/groups', query: SEARCH },
  { method: 'GET', path: '/tenants/{tenantId}/groups/{groupId}' },
  { method: 'GET', path: '/tenants/{tenantId}/events', query: FEED },
  { method: 'GET', path: '/tenants/{tenantId}/activity', query: ACTIVITY },
];

export interface ProxyCall {
  method: ProxyMethod;
  /** The admin API path with its query string, e.g. `/admin/tenants/acme/users?q=alice`. */
  adminPath: string;
  /** Whether the call sends a JSON body. */
  withBody: boolean;
}

/** The admin call for `method path?query` under `/api`, or undefined when the allow-list has none. */
export function proxyCallFor(method: string, path: string, search: URLSearchParams): ProxyCall | undefined {
  const segments = path.split('/');
  for (const route of PROXY_ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const ok = pattern.every((part, i) => {
      const actual = segments[i]!;
      const param = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!param) return part === actual;
      let decoded: string;
      try {
        decoded = decodeURIComponent(actual);
      } catch {
        return false;
      }
      return PARAMS[param]!.test(decoded) && encodeURIComponent(decoded) === actual;
    });
    if (!ok) continue;
    const query = new URLSearchParams();
    for (const name of route.query ?? []) {
      const value = search.get(name);
      if (value !== null) query.set(name, value);
    }
    // URLSearchParams writes a space as `+`, which API Gateway and the local runner keep as a
    // literal `+` (and SigV4 signs as %20): `Sales Team` must travel as `Sales%20Team`.
    const qs = query.toString().replace(/\+/g, '%20');
    return {
      method: route.method,
      adminPath: `/admin${path}${qs ? `?${qs}` : ''}`,
      withBody: method === 'PUT' || method === 'POST',
    };
  }
  return undefined;
}
