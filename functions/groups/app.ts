import { directoryFor } from '#directory/deps.ts';
import { resourceRoutes } from '#directory/routes.ts';
import type { AppContext } from '#http/context.ts';
import { httpHandler } from '#http/handler.ts';

export function groupsHandler(ctx: AppContext) {
  return httpHandler('scim', resourceRoutes(directoryFor(ctx), 'Group'));
}
