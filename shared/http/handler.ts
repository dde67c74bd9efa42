// The one place where API Gateway (REST, v1 proxy) events become domain calls and domain results
// or ScimErrors become HTTP responses. Function handlers are route tables of one-liners.
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  ForbiddenError,
  InvalidSyntaxError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  ScimError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '#scim/errors.ts';
import type { TokenScope } from '#auth/token.ts';
import type { ScimResult } from '#scim/result.ts';
import { logger } from './logger.ts';

export const MAX_BODY_BYTES = 1024 * 1024;
/** No SCIM body nests deeper than a handful of levels; recursive code downstream must never see more. */
export const MAX_JSON_DEPTH = 32;

/** Iterative, so a hostile `[[[[...` cannot overflow the stack here. */
function depthExceeds(root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (depth > max) return true;
    if (value && typeof value === 'object') {
      for (const child of Object.values(value as Record<string, unknown>)) {
        if (child && typeof child === 'object') stack.push([child, depth + 1]);
      }
    }
  }
  return false;
}
export const SCIM_MEDIA_TYPE = 'application/scim+json';

export interface ApiRequest {
  method: string;
  /** The route's resource path, e.g. `/scim/v2/Users/{id}`. */
  resource: string;
  pathParameters: Record<string, string>;
  /** Query parameters, single-valued (the last one wins), names as sent. */
  query: Record<string, string>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: unknown;
  /** Set by the authorizer on SCIM routes. */
  tenantId: string;
  tokenId?: string;
  /** Admin routes: who calls (the IAM user or role ARN when deployed, `local-admin` locally). */
  principal?: string;
  scope: TokenScope;
  /** Everything before the route path: `https://host/stage` deployed, `http://localhost:8080` locally. */
  baseUrl: string;
}

/** Handlers answer what the use cases answer. */
export type ApiResponse = ScimResult;

export type RouteHandler = (req: ApiRequest) => Promise<ApiResponse>;
/** Keyed by `METHOD resource`, e.g. `GET /scim/v2/Users/{id}`. */
export type RouteHandlers = Record<string, RouteHandler>;

type Kind = 'scim' | 'admin';

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers'] | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

function baseUrlOf(event: APIGatewayProxyEvent, headers: Record<string, string>): string {
  const ctx = event.requestContext;
  const proto = headers['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  // The domain API Gateway (or the local runner) was reached on, never the client's Host header:
  // Location and meta.location must not point wherever a client says.
  const host = ctx.domainName ?? headers.host ?? 'localhost';
  // requestContext.path carries the stage (and any base path mapping) in front of event.path.
  const fullPath = ctx.path ?? event.path;
  const prefix = fullPath.endsWith(event.path) ? fullPath.slice(0, fullPath.length - event.path.length) : '';
  return `${proto}://${host}${prefix}`;
}

function principalOf(event: APIGatewayProxyEvent, authorizer: Record<string, string | undefined>) {
  const principal = event.requestContext.identity?.userArn ?? authorizer.principalId;
  return principal ? { principal } : {};
}

function contentTypeFor(kind: Kind, accept: string | undefined): string {
  if (kind === 'admin') return 'application/json; charset=utf-8';
  // application/scim+json unless the client accepts only plain JSON.
  if (accept && /application\/json/i.test(accept) && !/application\/scim\+json|\*\/\*/i.test(accept)) {
    return 'application/json; charset=utf-8';
  }
  return `${SCIM_MEDIA_TYPE}; charset=utf-8`;
}

const READ_ONLY_METHODS = new Set(['GET', 'HEAD']);
const isSearch = (resource: string) => resource.endsWith('/.search');

function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) {
    // A 500 is a bug whatever its type; a 503 (throttling, timeouts) is worth a warning; a 501 is by design.
    if (error.status >= 500 && error.status !== 501 && error.status !== 503) logger.error('server error', { error });
    else if (error.status === 503) logger.warn('service unavailable', { detail: error.detail, error: error.message });
    return error;
  }
  const e = error as { statusCode?: number; message?: string; cause?: { package?: string; message?: string } };
  if (e?.cause?.package === '@middy/http-json-body-parser') {
    if (e.message === 'Unsupported Media Type') {
      return new UnsupportedMediaTypeError('send the body as application/scim+json or application/json');
    }
    return new InvalidSyntaxError(`the request body is not valid JSON${e.cause.message ? `: ${e.cause.message}` : ''}`);
  }
  logger.error('unhandled error', { error: error as Error });
  return new ScimError(500, undefined, 'internal server error');
}

function respond(kind: Kind, accept: string | undefined, res: ApiResponse): APIGatewayProxyResult {
  const headers: Record<string, string> = { ...(res.headers ?? {}) };
  let body = '';
  if (res.body !== undefined) {
    headers['Content-Type'] = contentTypeFor(kind, accept);
    body = JSON.stringify(res.body);
  }
  return { statusCode: res.status, headers, body };
}

export function errorResponse(kind: Kind, accept: string | undefined, error: ScimError): APIGatewayProxyResult {
  return respond(kind, accept, { status: error.status, body: error.toBody(), headers: error.headers });
}

/** A SCIM request the directory refused, as the onRefused hook sees it (never a header). */
export interface RefusedRequest {
  tenantId: string;
  tokenId?: string;
  method: string;
  /** The request path (`/scim/v2/Users/123`), without the stage or the query string. */
  path: string;
  error: ScimError;
  /** The parsed JSON body, when it parsed. */
  body?: unknown;
}

export interface HandlerHooks {
  /**
   * Told about every SCIM request answered with an error, after the response is built. The
   * response waits for it at most REFUSAL_HOOK_TIMEOUT_MS, and its failures are logged, never
   * answered: bookkeeping must not slow or fail the request.
   */
  onRefused?: (refused: RefusedRequest) => Promise<void>;
}

export const REFUSAL_HOOK_TIMEOUT_MS = 200;

async function reportRefusal(
  hook: NonNullable<HandlerHooks['onRefused']>,
  event: APIGatewayProxyEvent,
  error: ScimError,
) {
  const authorizer = (event.requestContext?.authorizer ?? {}) as Record<string, string | undefined>;
  if (!authorizer.tenantId) return;
  const body = event.body as unknown;
  const done = hook({
    tenantId: authorizer.tenantId,
    ...(authorizer.tokenId ? { tokenId: authorizer.tokenId } : {}),
    method: event.httpMethod,
    path: event.path,
    error,
    ...(body && typeof body === 'object' ? { body } : {}),
  }).catch((e: unknown) => logger.warn('recording a refused request failed', { error: String(e) }));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((r) => (timer = setTimeout(r, REFUSAL_HOOK_TIMEOUT_MS)))]);
  clearTimeout(timer);
}

/**
 * Builds a Lambda handler from a route table. Order of checks: size (413), media type (415),
 * JSON syntax (400 invalidSyntax), scope (403), then the route's own handler.
 */
export function httpHandler(kind: Kind, routes: RouteHandlers, hooks: HandlerHooks = {}) {
  const core = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const headers = lowerCaseHeaders(event.headers);
    const route = routes[`${event.httpMethod} ${event.resource}`];
    if (!route) {
      const known = Object.keys(routes).some((key) => key.endsWith(` ${event.resource}`));
      throw known
        ? new MethodNotAllowedError(`${event.httpMethod} is not supported on ${event.path}`)
        : new NotFoundError(`no such endpoint: ${event.path}`);
    }
    const authorizer = (event.requestContext.authorizer ?? {}) as Record<string, string | undefined>;
    const scope: TokenScope = authorizer.scope === 'read' ? 'read' : 'full';
    if (kind === 'scim') {
      if (!authorizer.tenantId) throw new UnauthorizedError('missing or malformed bearer token');
      if (scope === 'read' && !READ_ONLY_METHODS.has(event.httpMethod) && !isSearch(event.resource)) {
        throw new ForbiddenError('this token is read-only; ask an admin for a token with scope "full" to write');
      }
    }
    return respond(
      kind,
      headers.accept,
      await route({
        method: event.httpMethod,
        resource: event.resource,
        pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
        query: Object.fromEntries(
          Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
        ),
        headers,
        body: event.body ?? undefined,
        tenantId: authorizer.tenantId ?? '',
        ...(authorizer.tokenId ? { tokenId: authorizer.tokenId } : {}),
        ...(kind === 'admin' ? principalOf(event, authorizer) : {}),
        scope,
        baseUrl: baseUrlOf(event, headers),
      }),
    );
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .before(async (request) => {
      const { event } = request;
      event.headers = lowerCaseHeaders(event.headers);
      if (event.body === null || event.body === undefined || event.body === '') {
        event.body = null;
        return;
      }
      const size = Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
      if (size > MAX_BODY_BYTES) {
        throw new PayloadTooLargeError(`request body is ${size} bytes; the limit is ${MAX_BODY_BYTES}`);
      }
      // Tolerate a JSON body sent without a Content-Type (some scripts and IdPs do).
      if (!event.headers['content-type']) event.headers['content-type'] = 'application/json';
    })
    .use({
      before: async (request) => {
        if (request.event.body === null) return;
        await httpJsonBodyParser({}).before!(request as never);
      },
    })
    .before(async (request) => {
      // Parsed by now; anything else than an object or array is not a SCIM body.
      const body = request.event.body as unknown;
      if (body !== null && typeof body !== 'object') {
        throw new InvalidSyntaxError('the request body must be a JSON object');
      }
      if (body !== null && depthExceeds(body, MAX_JSON_DEPTH)) {
        throw new InvalidSyntaxError(`the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
      }
    })
    .handler(core)
    .onError(async (request) => {
      const error = toScimError(request.error);
      request.response = errorResponse(kind, request.event.headers?.accept, error);
      if (kind === 'scim' && hooks.onRefused) await reportRefusal(hooks.onRefused, request.event, error);
    });
}
