// A local API Gateway (REST, v1 proxy) emulation: the route table, the TOKEN authorizer with its
// result cache and its cached policy, ADMIN_KEY standing in for IAM on /admin, gateway responses
// shaped like the stack's, and the same handler code the Lambdas run.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, Context } from 'aws-lambda';
import { errorResponse } from '#http/handler.ts';
import type { AppContext } from '#api/context.ts';
import { matchRoute } from '#api/routes.ts';
import { NotFoundError, PayloadTooLargeError, ScimError, UnauthorizedError } from '#scim/errors.ts';
import { metered } from '#store/client.ts';
import { localFunctions } from './functions.ts';

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
  const functions = localFunctions(ctx);
  const cache = new Map<string, CachedPolicy>();

  async function authorize(token: string, methodArn: string): Promise<APIGatewayAuthorizerResult> {
    const now = Date.now();
    const hit = cache.get(token);
    if (hit && hit.expiresAt > now) return hit.result;
    const result = await functions.authorizer({ type: 'TOKEN', authorizationToken: token, methodArn });
    if (ttlMs > 0) cache.set(token, { result, expiresAt: now + ttlMs });
    return result;
  }

  async function handle(
    req: http.IncomingMessage,
    body: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const match = matchRoute(method, path);
    const accept = req.headers.accept;
    const gatewayError = (error: ScimError) => {
      const res = errorResponse('scim', accept, error);
      return { status: res.statusCode, headers: res.headers as Record<string, string>, body: res.body };
    };
    if (!match || !('route' in match)) {
      return gatewayError(new NotFoundError(`no such endpoint: ${method} ${path}`));
    }
    const { route, pathParameters } = match;
    const authorization = req.headers.authorization;
    let authorizerContext: Record<string, string> = {};
    if (route.auth === 'scim') {
      if (!authorization) return gatewayError(new UnauthorizedError('missing or malformed bearer token'));
      const methodArn = `${LOCAL_API_ARN}/${method}${path}`;
      const result = await authorize(authorization, methodArn);
      if (!policyAllows(result, methodArn)) {
        const detail = String(result.context?.error ?? 'access denied');
        return gatewayError(new UnauthorizedError(detail));
      }
      authorizerContext = { ...(result.context as Record<string, string>), principalId: result.principalId };
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
    headers['X-Forwarded-Proto'] = 'http';
    multiValueHeaders['X-Forwarded-Proto'] = ['http'];
    const query = parseQuery(url.search.slice(1));
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
        domainName: req.headers.host ?? 'localhost',
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
    const { result, cost } = await metered(() =>
      functions.routes[route.function](event, lambdaContext(route.function)),
    );
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) out[name] = String(value);
    if (exposeCost) {
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

  return http.createServer((req, res) => {
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
}
