// A SCIM client that talks like one identity provider: its headers on every request, and every
// response kept together with the request that produced it, so a failed assertion prints the
// whole exchange (what the IdP sent, what we answered) — the thing a bug report needs.
import { expect } from 'vitest';
import type { CallOptions, CallResult, LocalApi } from '../../support/local-api.ts';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** The default custom extension (shared/scim/schema/custom-extension.ts). */
export const APP_EXTENSION = 'urn:ietf:params:scim:schemas:extension:app:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface Exchange extends CallResult {
  request: { method: string; path: string; headers: Record<string, string>; body?: string };
}

export interface IdpClient {
  call(method: string, path: string, options?: CallOptions): Promise<Exchange>;
  get(path: string): Promise<Exchange>;
  post(path: string, body: unknown): Promise<Exchange>;
  put(path: string, body: unknown): Promise<Exchange>;
  /** A PatchOp body with the given operations (and the PatchOp schema, as every client sends). */
  patch(path: string, operations: unknown[]): Promise<Exchange>;
  delete(path: string): Promise<Exchange>;
}

export function idpClient(api: LocalApi, headers: Record<string, string>, token?: string): IdpClient {
  async function call(method: string, path: string, options: CallOptions = {}): Promise<Exchange> {
    const merged = { ...headers, ...(options.headers ?? {}) };
    const res = await api.call(method, path, { ...(token ? { token } : {}), ...options, headers: merged });
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    return {
      ...res,
      request: { method, path: `/scim/v2${path}`, headers: merged, ...(body === undefined ? {} : { body }) },
    };
  }
  return {
    call,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, { body }),
    put: (path, body) => call('PUT', path, { body }),
    patch: (path, operations) => call('PATCH', path, { body: { schemas: [PATCH_OP], Operations: operations } }),
    delete: (path) => call('DELETE', path),
  };
}

/** The whole exchange, for assertion messages. */
export function show(res: Exchange): string {
  const { method, path, body } = res.request;
  return `\n>>> ${method} ${path}${body ? `\n${body}` : ''}\n<<< ${res.status} ${res.headers.get('content-type') ?? ''}\n${res.text}`;
}

export function expectStatus(res: Exchange, ...allowed: number[]): void {
  expect(allowed, show(res)).toContain(res.status);
}

/** `?filter=` value as Okta and Entra encode it (`%20` for spaces). */
export const filter = (expression: string) => `filter=${encodeURIComponent(expression)}`;

export function resourceIds(res: Exchange): string[] {
  return (res.body?.Resources ?? []).map((r: { id: string }) => r.id);
}

export function memberIds(group: { members?: Array<{ value: string }> }): string[] {
  return (group.members ?? []).map((m) => m.value).sort();
}

/** Paths of every JSON null in a value ("null means absent": a response never carries one). */
export function nullPaths(value: unknown, at = '$'): string[] {
  if (value === null) return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => nullPaths(v, `${at}[${i}]`));
  if (typeof value === 'object' && value) return Object.entries(value).flatMap(([k, v]) => nullPaths(v, `${at}.${k}`));
  return [];
}

/** The integer counters of a ListResponse, as Okta requires them: JSON numbers, not strings. */
export function expectListResponse(res: Exchange, expected: { totalResults?: number } = {}): void {
  expectStatus(res, 200);
  expect(res.body.schemas, show(res)).toContain(LIST_RESPONSE);
  for (const key of ['totalResults', 'startIndex', 'itemsPerPage'] as const) {
    expect(Number.isInteger(res.body[key]), `${key} must be a JSON integer${show(res)}`).toBe(true);
  }
  expect(Array.isArray(res.body.Resources), `Resources (capital R) must be an array${show(res)}`).toBe(true);
  expect(res.body.itemsPerPage, show(res)).toBe(res.body.Resources.length);
  if (expected.totalResults !== undefined) expect(res.body.totalResults, show(res)).toBe(expected.totalResults);
}

let seq = 0;
/** A name unique within the run, readable in failure output. */
export function unique(prefix: string): string {
  seq += 1;
  return `${prefix}-${Date.now().toString(36)}-${seq}`;
}

/** Runs `fn` over `items` with at most `limit` in flight (bulk seeding without hammering the JVM). */
export async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
