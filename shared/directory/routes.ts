// The seven SCIM routes every resource type has (RFC 7644 §3.2-3.6), one line each.
import type { RouteHandlers } from '#http/handler.ts';
import type { ResourceType } from '#store/resources.ts';
import { callerOf, projectionOf } from './deps.ts';
import { parseListParams } from './params.ts';
import { ENDPOINT } from './render.ts';
import type { Directory } from './service.ts';

export function resourceRoutes(directory: Directory, type: ResourceType): RouteHandlers {
  const base = `/scim/v2/${ENDPOINT[type]}`;
  return {
    [`GET ${base}`]: (req) => directory.list(type, callerOf(req), parseListParams(req.query)),
    [`POST ${base}/.search`]: (req) => directory.list(type, callerOf(req), parseListParams((req.body ?? {}) as Record<string, unknown>, true)),
    [`POST ${base}`]: (req) => directory.create(type, callerOf(req), req.body, projectionOf(req)),
    [`GET ${base}/{id}`]: (req) => directory.get(type, callerOf(req), req.pathParameters.id!, projectionOf(req), req.headers['if-none-match']),
    [`PUT ${base}/{id}`]: (req) => directory.replace(type, callerOf(req), req.pathParameters.id!, req.body, projectionOf(req), req.headers['if-match']),
    [`PATCH ${base}/{id}`]: (req) => directory.patch(type, callerOf(req), req.pathParameters.id!, req.body, projectionOf(req), req.headers['if-match']),
    [`DELETE ${base}/{id}`]: (req) => directory.delete(type, callerOf(req), req.pathParameters.id!, req.headers['if-match']),
  };
}
