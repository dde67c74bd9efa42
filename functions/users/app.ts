import { callerOf, directoryFor, projectionOf } from '#directory/deps.ts';
import { parseListParams } from '#directory/params.ts';
import type { AppContext } from '#http/context.ts';
import { httpHandler } from '#http/handler.ts';

export function usersHandler(ctx: AppContext) {
  const directory = directoryFor(ctx);
  return httpHandler('scim', {
    'GET /scim/v2/Users': (req) => directory.list('User', callerOf(req), parseListParams(req.query)),
    'POST /scim/v2/Users/.search': (req) => directory.list('User', callerOf(req), parseListParams(req.body as Record<string, unknown> ?? {}, true)),
    'POST /scim/v2/Users': (req) => directory.create('User', callerOf(req), req.body, projectionOf(req)),
    'GET /scim/v2/Users/{id}': (req) => directory.get('User', callerOf(req), req.pathParameters.id!, projectionOf(req), req.headers['if-none-match']),
    'PUT /scim/v2/Users/{id}': (req) => directory.replace('User', callerOf(req), req.pathParameters.id!, req.body, projectionOf(req), req.headers['if-match']),
    'PATCH /scim/v2/Users/{id}': (req) => directory.patch('User', callerOf(req), req.pathParameters.id!, req.body, projectionOf(req), req.headers['if-match']),
    'DELETE /scim/v2/Users/{id}': (req) => directory.delete('User', callerOf(req), req.pathParameters.id!, req.headers['if-match']),
    'POST /scim/v2/.search': (req) => directory.searchAll(callerOf(req), parseListParams(req.body as Record<string, unknown> ?? {}, true)),
  });
}
