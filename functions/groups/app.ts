import { refusalRecorder } from '#admin/activity.ts';
import { actingAs, directoryFor, resourceRoutes } from '#api/scim-routes.ts';
import type { AppContext } from '#api/context.ts';
import { httpHandler } from '#http/handler.ts';

export function groupsHandler(ctx: AppContext) {
  // Writes name the calling token (events); refused requests become the tenant's activity.
  return httpHandler('scim', actingAs(ctx, resourceRoutes(directoryFor(ctx), 'Group')), {
    onRefused: refusalRecorder(ctx),
  });
}
