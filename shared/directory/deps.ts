// The directory's dependencies, built once per container from the function context.
import type { AppContext } from '#http/context.ts';
import type { ApiRequest } from '#http/handler.ts';
import { customExtensionFromEnv } from '#scim/schema/custom-extension.ts';
import { createRegistry, type SchemaRegistry } from '#scim/schema/registry.ts';
import { SCIM_PREFIX } from '#infra/routes.ts';
import { Directory, type Caller, type Projection } from './service.ts';

export function registryFor(ctx: AppContext): SchemaRegistry {
  return createRegistry({ customExtension: customExtensionFromEnv({ SCIM_CUSTOM_EXTENSION: ctx.config.customExtension }) });
}

export function directoryFor(ctx: AppContext): Directory {
  return new Directory({ db: ctx.db, registry: registryFor(ctx), clock: ctx.clock });
}

export const callerOf = (req: ApiRequest): Caller => ({ tenantId: req.tenantId, scimBase: `${req.baseUrl}${SCIM_PREFIX}` });

export function projectionOf(req: ApiRequest): Projection {
  const q = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    ...(q.attributes ? { attributes: q.attributes } : {}),
    ...(q.excludedattributes ? { excludedAttributes: q.excludedattributes } : {}),
  };
}
