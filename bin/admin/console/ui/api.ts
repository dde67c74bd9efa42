/// <reference lib="dom" />
// The browser's only way out: same-origin calls to the console server, which forwards an allow-list
// of admin API calls (bin/admin/console/proxy.ts). No credentials live here: the console server
// holds the admin key or signs with the admin's AWS credentials; the browser holds a session cookie.

export interface ApiResult<T> {
  status: number;
  ok: boolean;
  body: T;
  /** The API's `detail` for an error, or a description of what went wrong. */
  detail: string;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        // A custom header: a cross-origin page cannot send it without a CORS preflight the console refuses.
        'x-scim-console': '1',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    return {
      status: 0,
      ok: false,
      body: undefined as T,
      detail: 'The console server does not answer: is it still running?',
    };
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const detail =
    (parsed as { detail?: string } | undefined)?.detail ?? (res.ok ? '' : `request failed (HTTP ${res.status})`);
  return { status: res.status, ok: res.ok, body: parsed as T, detail };
}

/** A path segment, encoded. */
export const seg = (value: string) => encodeURIComponent(value);

// What the admin API answers (see shared/admin/views.ts and shared/admin/directory-reads.ts).
export interface Tenant {
  id: string;
  displayName?: string;
  provisioning: { enabled: boolean };
  counts: { users: number; groups: number; activeTokens: number };
  createdAt?: string;
  revokedTokens?: number;
}

export interface Token {
  id: string;
  name: string;
  scope: 'full' | 'read';
  status: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt?: string | null;
}

export interface TokenList {
  tokens: Token[];
  limits?: { maxActiveTokens: number; defaultLifetimeDays: number; maxLifetimeDays: number };
}

export interface NewToken {
  id: string;
  token: string;
  name: string;
  scope: 'full' | 'read';
  createdAt: string;
  expiresAt: string;
}

export interface Session {
  target: { kind: 'local' | 'aws'; url: string; stack?: string; region?: string };
  scimBaseUrl: string;
}
