// The glue between SCIM HTTP requests and the directory's use cases: who is calling, which
// projection they asked for, and the seven routes every resource type has (RFC 7644 §3.2-3.6),
// one line each. The users and groups functions (and the local runner) are built from this.
import type { AppContext } from '#api/context.ts';
import { SCIM_PREFIX } from '#api/routes.ts';
import { parseListParams } from '#directory/params.ts';
import { ENDPOINT } from '#directory/render.ts';
import { Directory } from '#directory/service.ts';
import type { Caller, Projection } from '#directory/types.ts';
import type { ApiRequest, RouteHandlers } from '#http/handler.ts';
import { customExtensionFromEnv } from '#scim/schema/custom-extension.ts';
import { createRegistry, type SchemaRegistry } from '#scim/schema/registry.ts';
import type { ResourceType } from '#store/resources.ts';

export function registryFor(ctx: AppContext): SchemaRegistry {
  return createRegistry({
    customExtension: customExtensionFromEnv({ SCIM_CUSTOM_EXTENSION: ctx.config.customExtension }),
  });
}

export function directoryFor(ctx: AppContext): Directory {
  return new Directory({ db: ctx.db, registry: registryFor(ctx), clock: ctx.clock });
}

export const callerOf = (req: ApiRequest): Caller => ({
  tenantId: req.tenantId,
  scimBase: `${req.baseUrl}${SCIM_PREFIX}`,
});

export function projectionOf(req: ApiRequest): Projection {
  const q = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    ...(q.attributes ? { attributes: q.attributes } : {}),
    ...(q.excludedattributes ? { excludedAttributes: q.excludedattributes } : {}),
  };
}

export function resourceRoutes(directory: Directory, type: ResourceType): RouteHandlers {
  const base = `${SCIM_PREFIX}/${ENDPOINT[type]}`;
  return {
    [`GET ${base}`]: (req) => directory.list(type, callerOf(req), parseListParams(req.query)),
    [`POST ${base}/.search`]: (req) =>
      directory.list(type, callerOf(req), parseListParams((req.body ?? {}) as Record<string, unknown>)),
    [`POST ${base}`]: (req) => directory.create(type, callerOf(req), req.body, projectionOf(req)),
    [`GET ${base}/{id}`]: (req) =>
      directory.get(type, callerOf(req), req.pathParameters.id!, projectionOf(req), req.headers['if-none-match']),
    [`PUT ${base}/{id}`]: (req) =>
      directory.replace(
        type,
        callerOf(req),
        req.pathParameters.id!,
        req.body,
        projectionOf(req),
        req.headers['if-match'],
      ),
    [`PATCH ${base}/{id}`]: (req) =>
      directory.patch(
        type,
        callerOf(req),
        req.pathParameters.id!,
        req.body,
        projectionOf(req),
        req.headers['if-match'],
      ),
    [`DELETE ${base}/{id}`]: (req) =>
      directory.delete(type, callerOf(req), req.pathParameters.id!, req.headers['if-match']),
  };
}
