import { callerOf, registryFor } from '#api/scim-routes.ts';
import { DEFAULT_COUNT, MAX_COUNT } from '#directory/params.ts';
import type { AppContext } from '#api/context.ts';
import { httpHandler } from '#http/handler.ts';
import { NotFoundError } from '#scim/errors.ts';
import { listResponse, resourceTypes, schemas, serviceProviderConfig } from '#scim/discovery.ts';

/** The discovery documents are generated from the same schema registry that validates requests. */
export function discoveryHandler(ctx: AppContext) {
  const registry = registryFor(ctx);
  const byId = (docs: Record<string, unknown>[], id: string, what: string) => {
    const doc = docs.find((d) => String(d.id).toLowerCase() === id.toLowerCase());
    if (!doc) throw new NotFoundError(`no ${what} ${id}`);
    return { status: 200, body: doc };
  };
  return httpHandler('scim', {
    'GET /scim/v2/ServiceProviderConfig': async (req) => ({
      status: 200,
      body: serviceProviderConfig({
        baseUrl: callerOf(req).scimBase,
        changePassword: true,
        pagination: {
          cursor: true,
          index: true,
          defaultPaginationMethod: 'index',
          defaultPageSize: DEFAULT_COUNT,
          maxPageSize: MAX_COUNT,
          cursorTimeout: 3600,
        },
      }),
    }),
    'GET /scim/v2/ResourceTypes': async (req) => ({
      status: 200,
      body: listResponse(resourceTypes(registry, callerOf(req).scimBase)),
    }),
    'GET /scim/v2/ResourceTypes/{id}': async (req) =>
      byId(resourceTypes(registry, callerOf(req).scimBase), req.pathParameters.id!, 'resource type'),
    'GET /scim/v2/Schemas': async (req) => ({
      status: 200,
      body: listResponse(schemas(registry, callerOf(req).scimBase)),
    }),
    'GET /scim/v2/Schemas/{id}': async (req) =>
      byId(schemas(registry, callerOf(req).scimBase), req.pathParameters.id!, 'schema'),
  });
}
