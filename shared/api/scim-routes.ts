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
import { NotFoundError, NotImplementedError } from '#scim/errors.ts';
import { isResourceId } from '#store/keys.ts';
import type { ResourceType } from '#store/resources.ts';
import { writingAs, type Actor } from '#store/write-actor.ts';

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
  ...(req.tokenId ? { tokenId: req.tokenId } : {}),
});

/**
 * Runs every route with the caller as the store's write actor: the SCIM token (callerOf) or, on
 * admin routes, the admin principal. What the route writes is stamped with it, so the events the
 * table's stream produces name who made each change (shared/store/write-actor.ts).
 */
export function actingAs(ctx: AppContext, routes: RouteHandlers): RouteHandlers {
  const actorOf = (req: ApiRequest): Actor => {
    const { tokenId } = callerOf(req);
    if (tokenId) return { tokenId };
    return req.principal ? { admin: req.principal } : {};
  };
  return Object.fromEntries(
    Object.entries(routes).map(([key, route]) => [
      key,
      (req: ApiRequest) => writingAs(actorOf(req), ctx.clock, () => route(req)),
    ]),
  );
}

export function projectionOf(req: ApiRequest): Projection {
  const q = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    ...(q.attributes ? { attributes: q.attributes } : {}),
    ...(q.excludedattributes ? { excludedAttributes: q.excludedattributes } : {}),
  };
}

/** RFC 7644 §3.11: a service provider without /Me answers 501 on every method of it. */
export const meRoutes: RouteHandlers = Object.fromEntries(
  ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => [
    `${method} ${SCIM_PREFIX}/Me`,
    async () => {
      throw new NotImplementedError(
        '/Me is not supported: a SCIM token belongs to an identity provider connection, not to a user (RFC 7644 §3.11)',
      );
    },
  ]),
);

/** Path ids that are not ours (not a ULID) are 404 before any DynamoDB call. */
function idOf(req: ApiRequest, type: ResourceType): string {
  const id = req.pathParameters.id!;
  if (!isResourceId(id)) throw new NotFoundError(`${type} ${id.length > 80 ? `${id.slice(0, 80)}…` : id} not found`);
  return id;
}

export function resourceRoutes(directory: Directory, type: ResourceType): RouteHandlers {
  const base = `${SCIM_PREFIX}/${ENDPOINT[type]}`;
  return {
    [`GET ${base}`]: (req) => directory.list(type, callerOf(req), parseListParams(req.query)),
    [`POST ${base}/.search`]: (req) =>
      directory.list(type, callerOf(req), parseListParams((req.body ?? {}) as Record<string, unknown>)),
    [`POST ${base}`]: (req) => directory.create(type, callerOf(req), req.body, projectionOf(req)),
    [`GET ${base}/{id}`]: (req) =>
      directory.get(type, callerOf(req), idOf(req, type), projectionOf(req), req.headers['if-none-match']),
    [`PUT ${base}/{id}`]: (req) =>
      directory.replace(type, callerOf(req), idOf(req, type), req.body, projectionOf(req), req.headers['if-match']),
    [`PATCH ${base}/{id}`]: (req) =>
      directory.patch(type, callerOf(req), idOf(req, type), req.body, projectionOf(req), req.headers['if-match']),
    [`DELETE ${base}/{id}`]: (req) => directory.delete(type, callerOf(req), idOf(req, type), req.headers['if-match']),
  };
}
