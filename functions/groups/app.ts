import { callerOf, directoryFor, projectionOf } from '#directory/deps.ts';
import { parseListParams } from '#directory/params.ts';
import type { AppContext } from '#http/context.ts';
import { httpHandler } from '#http/handler.ts';

export function groupsHandler(ctx: AppContext) {
  const directory = directoryFor(ctx);
  return httpHandler('scim', {
    'GET /scim/v2/Groups': (req) => directory.list('Group', callerOf(req), parseListParams(req.query)),
    'POST /scim/v2/Groups/.search': (req) => directory.list('Group', callerOf(req), parseListParams(req.body as Record<string, unknown> ?? {}, true)),
    'POST /scim/v2/Groups': (req) => directory.create('Group', callerOf(req), req.body, projectionOf(req)),
    'GET /scim/v2/Groups/{id}': (req) => directory.get('Group', callerOf(req), req.pathParameters.id!, projectionOf(req), req.headers['if-none-match']),
    'PUT /scim/v2/Groups/{id}': (req) => directory.replace('Group', callerOf(req), req.pathParameters.id!, req.body, projectionOf(req), req.headers['if-match']),
    'PATCH /scim/v2/Groups/{id}': (req) => directory.patch('Group', callerOf(req), req.pathParameters.id!, req.body, projectionOf(req), req.headers['if-match']),
    'DELETE /scim/v2/Groups/{id}': (req) => directory.delete('Group', callerOf(req), req.pathParameters.id!, req.headers['if-match']),
  });
}
