// The local runner's view of FUNCTIONS in shared/api/routes.ts: the same handler factories the Lambda
// entry files call, built with the runner's context (table, endpoint, clock).
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayTokenAuthorizerEvent,
  APIGatewayAuthorizerResult,
  Context,
} from 'aws-lambda';
import type { GatewayControl } from '#admin/gateway.ts';
import type { AppContext } from '#api/context.ts';
import type { RouteFunction } from '#api/routes.ts';
import { adminHandler } from '#functions/admin/app.ts';
import { authorizerHandler, type AuthorizerOptions } from '#functions/authorizer/app.ts';
import { discoveryHandler } from '#functions/discovery/app.ts';
import { groupsHandler } from '#functions/groups/app.ts';
import { usersHandler } from '#functions/users/app.ts';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type TokenAuthorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

export function localFunctions(
  ctx: AppContext,
  options: { gateway?: GatewayControl; authorizer?: AuthorizerOptions } = {},
): {
  routes: Record<RouteFunction, ProxyHandler>;
  authorizer: TokenAuthorizer;
} {
  return {
    routes: {
      users: usersHandler(ctx) as ProxyHandler,
      groups: groupsHandler(ctx) as ProxyHandler,
      discovery: discoveryHandler(ctx) as ProxyHandler,
      admin: adminHandler(ctx, options.gateway) as ProxyHandler,
    },
    authorizer: authorizerHandler(ctx, options.authorizer) as TokenAuthorizer,
  };
}
