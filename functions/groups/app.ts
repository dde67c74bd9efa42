import { directoryFor, resourceRoutes } from '#api/scim-routes.ts';
import type { AppContext } from '#api/context.ts';
import { httpHandler } from '#http/handler.ts';

export function groupsHandler(ctx: AppContext) {
  return httpHandler('scim', resourceRoutes(directoryFor(ctx), 'Group'));
}
