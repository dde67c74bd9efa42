import { callerOf, directoryFor } from '#directory/deps.ts';
import { parseListParams } from '#directory/params.ts';
import { resourceRoutes } from '#directory/routes.ts';
import type { AppContext } from '#http/context.ts';
import { httpHandler } from '#http/handler.ts';

export function usersHandler(ctx: AppContext) {
  const directory = directoryFor(ctx);
  return httpHandler('scim', {
    ...resourceRoutes(directory, 'User'),
    'POST /scim/v2/.search': (req) => directory.searchAll(callerOf(req), parseListParams((req.body ?? {}) as Record<string, unknown>, true)),
  });
}
