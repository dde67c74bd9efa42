import { callerOf, directoryFor, resourceRoutes } from '#api/scim-routes.ts';
import { parseListParams } from '#directory/params.ts';

import type { AppContext } from '#api/context.ts';
import { httpHandler } from '#http/handler.ts';

export function usersHandler(ctx: AppContext) {
  const directory = directoryFor(ctx);
  return httpHandler('scim', {
    ...resourceRoutes(directory, 'User'),
    'POST /scim/v2/.search': (req) =>
      directory.searchAll(callerOf(req), parseListParams((req.body ?? {}) as Record<string, unknown>)),
  });
}
