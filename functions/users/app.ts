import { refusalRecorder } from '#admin/activity.ts';
import { actingAs, callerOf, directoryFor, meRoutes, resourceRoutes } from '#api/scim-routes.ts';
import { parseListParams } from '#directory/params.ts';

import type { AppContext } from '#api/context.ts';
import { httpHandler } from '#http/handler.ts';

export function usersHandler(ctx: AppContext) {
  const directory = directoryFor(ctx);
  // Writes name the calling token (events); refused requests become the tenant's activity.
  return httpHandler(
    'scim',
    actingAs(ctx, {
      ...resourceRoutes(directory, 'User'),
      ...meRoutes,
      'POST /scim/v2/.search': (req) =>
        directory.searchAll(callerOf(req), parseListParams((req.body ?? {}) as Record<string, unknown>)),
    }),
    { onRefused: refusalRecorder(ctx) },
  );
}
