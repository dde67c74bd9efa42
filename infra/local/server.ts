// A local API Gateway (REST, v1 proxy) emulation: the route table, the TOKEN authorizer with its
// result cache and its cached policy, ADMIN_KEY standing in for IAM on /admin, gateway responses
// shaped like the stack's, and the same handler code the Lambdas run.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, Context } from 'aws-lambda';
import { errorResponse } from '#http/handler.ts';
import type { AppContext } from '#api/context.ts';
import { matchRoute } from '#api/routes.ts';
import {
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  ScimError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
} from '#scim/errors.ts';
import { metered } from '#store/client.ts';
import { localFunctions } from './functions.ts';
import { localGateway } from './gateway.ts';
import { TenantRateLimiter } from './rate-limit.ts';
import { GATEWAY_RESPONSES } from '#infra/gateway-responses.ts';
import type { TenantRateLimits } from '#infra/rate-limit-settings.ts';

/** API Gateway's THROTTLED gateway response, with the bucket's own delay. */
const throttled = (retryAfterSeconds: number) =>
  new TooManyRequestsError(GATEWAY_RESPONSES.find((r) => r.type === 'THROTTLED')!.detail, retryAfterSeconds);

/** API Gateway's AUTHORIZER_FAILURE gateway response: the authorizer threw. */
function authorizerFailure(): ScimError {
  const row = GATEWAY_RESPONSES.find((r) => r.type === 'AUTHORIZER_FAILURE')!;
  return new ServiceUnavailableError(row.detail, Number(row.headers?.['Retry-After'] ?? 1));
}

/** API Gateway's own payload limit. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;
const LOCAL_API_ARN = 'arn:aws:execute-api:local:000000000000:localapi/local';

export interface LocalApiOptions {
  ctx: AppContext;
  adminKey: string;
  /** Authorizer result cache TTL, as the stack's `authorizerCacheTtl` (0 disables the cache). */
  authorizerCacheTtlSeconds?: number;
  /** Adds `x-dynamodb-cost` (requests, round trips, RCU, WCU) to every response: for tests and the bench. */
  exposeCost?: boolean;
  /** Per-tenant rate limits, as the stack's usage plans enforce them (`tenantRateLimits`); absent: none. */
  rateLimits?: TenantRateLimits;
  /**
   * The URL clients reach this runner on (`http://localhost:8080`): Location and meta.location are
   * built from it, never from the client's Host header. Default: the address the server listens on.
   */
  baseUrl?: string;
}

interface CachedPolicy {
  result: APIGatewayAuthorizerResult;
  expiresAt: number;
}

/** API Gateway's policy evaluation, reduced to what our authorizer returns: `*` globs on ARNs. */
export function policyAllows(result: APIGatewayAuthorizerResult, methodArn: string): boolean {
  const matches = (resource: string) =>
    new RegExp(
      `^${resource
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(methodArn);
  const statements = result.policyDocument.Statement as Array<{ Effect: string; Resource?: string | string[] }>;
  const hits = (effect: string) =>
    statements.some((s) => s.Effect === effect && [s.Resource ?? []].flat().some(matches));
  return !hits('Deny') && hits('Allow');
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function lambdaContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Query string as API Gateway hands it to a proxy integration: percent-decoded, `+` kept. */
function parseQuery(raw: string): { single: Record<string, string>; multi: Record<string, string[]> } {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { single, multi };
}

export function createLocalApi(options: LocalApiOptions): http.Server {
  const { ctx, adminKey, exposeCost = false } = options;
  const ttlMs = (options.authorizerCacheTtlSeconds ?? 60) * 1000;
  const cache = new Map<string, CachedPolicy>();
  // Revoking a token flushes this cache, as FlushStageAuthorizersCache does when deployed.
  const gateway = localGateway({
    flush: () => cache.clear(),
    ...(options.rateLimits && { rateLimits: options.rateLimits }),
  });
  const functions = localFunctions(ctx, { gateway, authorizer: { cacheTtlSeconds: ttlMs / 1000 } });
  const limiter = options.rateLimits && new TenantRateLimiter(options.rateLimits);

  async function authorize(token: string, methodArn: string): Promise<APIGatewayAuthorizerResult> {
    const now = Date.now();
    const hit = cache.get(token);
    if (hit && hit.expiresAt > now) return hit.result;
    const result = await functions.authorizer({ type: 'TOKEN', authorizationToken: token, methodArn });
    if (ttlMs > 0) cache.set(token, { result, expiresAt: now + ttlMs });
    return result;
  }

  /** Where clients reach us: the configured base URL, else the address we listen on. */
  function base(): URL {
    if (options.baseUrl) return new URL(options.baseUrl);
    const address = server.address();
    if (!address || typeof address === 'string') return new URL('http://localhost');
    const host = address.address === '::' || address.address === '0.0.0.0' ? 'localhost' : address.address;
    return new URL(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
  }

  async function handle(
    req: http.IncomingMessage,
    body: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    // The request target as sent, split by hand: `new URL` would read `//host/x` or `http://host/x`
    // as another host, and throws on some targets.
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const method = req.method ?? 'GET';
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : target.slice(queryAt + 1);
    const accept = req.headers.accept;
    const gatewayError = (error: ScimError) => {
      const res = errorResponse('scim', accept, error);
      return { status: res.statusCode, headers: res.headers as Record<string, string>, body: res.body };
    };
    let match: ReturnType<typeof matchRoute>;
    try {
      match = matchRoute(method, path);
    } catch (error) {
      if (error instanceof ScimError) return gatewayError(error);
      throw error;
    }
    const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
    if (match && 'allowed' in match) {
      const allowed = [...new Set(match.allowed)].join(', ');
      const res = gatewayError(new MethodNotAllowedError(`${method} is not supported on ${shown}; use ${allowed}`));
      return { ...res, headers: { ...res.headers, Allow: allowed } };
    }
    if (!match) {
      return gatewayError(new NotFoundError(`no such endpoint: ${method} ${shown}`));
    }
    const { route, pathParameters } = match;
    const authorization = req.headers.authorization;
    let authorizerContext: Record<string, string> = {};
    if (route.auth === 'scim') {
      if (!authorization) return gatewayError(new UnauthorizedError('missing or malformed bearer token'));
      const methodArn = `${LOCAL_API_ARN}/${method}${path}`;
      const result = await authorize(authorization, methodArn).catch(() => undefined);
      if (!result) return gatewayError(authorizerFailure());
      if (!policyAllows(result, methodArn)) {
        const detail = String(result.context?.error ?? 'access denied');
        return gatewayError(new UnauthorizedError(detail));
      }
      authorizerContext = { ...(result.context as Record<string, string>), principalId: result.principalId };
      // The usage plan's throttle, after the authorizer as in API Gateway: one bucket per key.
      const bucket = result.usageIdentifierKey ?? `tenant:${authorizerContext.tenantId}`;
      const admission = limiter?.admit(bucket, authorizerContext.rateLimitTier);
      if (admission && !admission.allowed) return gatewayError(throttled(admission.retryAfterSeconds));
    } else {
      const given = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '';
      if (!given || !sameSecret(given, adminKey)) {
        return gatewayError(
          new UnauthorizedError('admin routes need Authorization: Bearer <ADMIN_KEY> (IAM when deployed)'),
        );
      }
      authorizerContext = { principalId: 'local-admin' };
    }

    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      const value = req.rawHeaders[i + 1]!;
      headers[name] = value;
      (multiValueHeaders[name] ??= []).push(value);
    }
    // API Gateway adds these; the handlers build absolute URLs (meta.location) from them.
    const origin = base();
    const proto = origin.protocol.replace(':', '');
    headers['X-Forwarded-Proto'] = proto;
    multiValueHeaders['X-Forwarded-Proto'] = [proto];
    const query = parseQuery(rawQuery);
    const hasQuery = Object.keys(query.single).length > 0;
    const event: APIGatewayProxyEvent = {
      resource: route.path,
      path,
      httpMethod: method,
      headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? query.single : null,
      multiValueQueryStringParameters: hasQuery ? query.multi : null,
      pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
      stageVariables: null,
      body: body.length ? body : null,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'localapi',
        authorizer: authorizerContext,
        // As API Gateway does: the domain the API is served on, whatever Host the client sent.
        domainName: origin.host,
        httpMethod: method,
        identity: {
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        } as APIGatewayProxyEvent['requestContext']['identity'],
        path,
        protocol: `HTTP/${req.httpVersion}`,
        requestId: randomUUID(),
        requestTimeEpoch: Date.now(),
        resourceId: 'local',
        resourcePath: route.path,
        stage: 'local',
      },
    };
    const started = performance.now();
    const { result, cost } = await metered(() =>
      functions.routes[route.function](event, lambdaContext(route.function)),
    );
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) out[name] = String(value);
    if (exposeCost) {
      // The route function's own time (the Lambda's duration), for the fuzz campaign's slowest requests.
      out['Server-Timing'] = `function;dur=${(performance.now() - started).toFixed(1)}`;
      out['x-dynamodb-cost'] = JSON.stringify({
        requests: cost.requests,
        roundTrips: cost.roundTrips,
        rcu: cost.rcu,
        wcu: cost.wcu,
        operations: cost.operations,
      });
    }
    return { status: result.statusCode, headers: out, body: result.body };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > GATEWAY_MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const done = tooLarge
        ? Promise.resolve(
            errorResponse('scim', req.headers.accept, new PayloadTooLargeError('request body exceeds 10 MB')),
          ).then((r) => ({ status: r.statusCode, headers: r.headers as Record<string, string>, body: r.body }))
        : handle(req, Buffer.concat(chunks).toString('utf8'));
      done
        .catch((error: unknown) => {
          // Lambda or authorizer crash: API Gateway answers 500/502 without internals.
          console.error(error);
          const r = errorResponse('scim', req.headers.accept, new ScimError(502, undefined, 'internal server error'));
          return { status: r.statusCode, headers: r.headers as Record<string, string>, body: r.body };
        })
        .then((r) => {
          res.writeHead(r.status, r.headers);
          res.end(r.body);
        });
    });
  });
  return server;
}
