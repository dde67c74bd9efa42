// Admin API: tenants, tokens, provisioning, read-only directory views. Authentication happens before
// this code runs (AWS_IAM on the deployed routes, ADMIN_KEY in the local runner), so every route
// here is trusted.
import { activityService } from '#admin/activity.ts';
import { directoryReads } from '#admin/directory-reads.ts';
import { feedService } from '#admin/feed.ts';
import type { GatewayControl } from '#admin/gateway.ts';
import { adminService } from '#admin/service.ts';
import type { AppContext } from '#api/context.ts';
import { SCIM_PREFIX } from '#api/routes.ts';
import { actingAs, directoryFor } from '#api/scim-routes.ts';
import { httpHandler, type ApiRequest } from '#http/handler.ts';

/** `gateway`: usage-plan keys and authorizer cache flushes (shared/admin/gateway.ts), if any. */
export function adminHandler(ctx: AppContext, gateway?: GatewayControl) {
  const admin = adminService({ ...ctx, ...(gateway ? { gateway } : {}) });
  const reads = directoryReads({ ...ctx, directory: directoryFor(ctx) });
  /** Where the tenant's SCIM resources live, for their meta.location. */
  const scimBase = (req: ApiRequest) => `${req.baseUrl}${SCIM_PREFIX}`;
  const feed = feedService(ctx);
  const activity = activityService(ctx);
  // Writes name the admin principal (token and provisioning events).
  return httpHandler(
    'admin',
    actingAs(ctx, {
      'GET /admin/tenants': (req) => admin.listTenants(req.query),
      'PUT /admin/tenants/{tenantId}': (req) => admin.putTenant(req.pathParameters.tenantId!, req.body),
      'GET /admin/tenants/{tenantId}': async (req) => {
        const [tenant, recent] = await Promise.all([
          admin.getTenant(req.pathParameters.tenantId!),
          activity.summary(req.pathParameters.tenantId!),
        ]);
        return { ...tenant, body: { ...(tenant.body as object), ...recent } };
      },
      'POST /admin/tenants/{tenantId}/tokens': (req) => admin.createToken(req.pathParameters.tenantId!, req.body),
      'GET /admin/tenants/{tenantId}/tokens': (req) => admin.listTokens(req.pathParameters.tenantId!),
      'DELETE /admin/tenants/{tenantId}/tokens/{tokenId}': (req) =>
        admin.revokeToken(req.pathParameters.tenantId!, req.pathParameters.tokenId!),
      'PUT /admin/tenants/{tenantId}/provisioning': (req) =>
        admin.setProvisioning(req.pathParameters.tenantId!, req.body),
      'GET /admin/tenants/{tenantId}/users': (req) =>
        reads.searchUsers(req.pathParameters.tenantId!, scimBase(req), req.query),
      'GET /admin/tenants/{tenantId}/users/{userId}': (req) =>
        reads.getUser(req.pathParameters.tenantId!, scimBase(req), req.pathParameters.userId!),
      'GET /admin/tenants/{tenantId}/groups': (req) =>
        reads.searchGroups(req.pathParameters.tenantId!, scimBase(req), req.query),
      'GET /admin/tenants/{tenantId}/groups/{groupId}': (req) =>
        reads.getGroup(req.pathParameters.tenantId!, scimBase(req), req.pathParameters.groupId!),
      'GET /admin/tenants/{tenantId}/events': (req) => feed.read(req.pathParameters.tenantId!, req.query),
      'GET /admin/tenants/{tenantId}/activity': (req) => activity.list(req.pathParameters.tenantId!, req.query),
    }),
  );
}
