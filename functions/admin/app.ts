// Admin API: tenants, tokens, provisioning. Authentication happens before this code runs (AWS_IAM
// on the deployed routes, ADMIN_KEY in the local runner), so every route here is trusted.
import { adminService } from '#admin/service.ts';
import type { AppContext } from '#api/context.ts';
import { httpHandler } from '#http/handler.ts';

export function adminHandler(ctx: AppContext) {
  const admin = adminService(ctx);
  return httpHandler('admin', {
    'PUT /admin/tenants/{tenantId}': (req) => admin.putTenant(req.pathParameters.tenantId!, req.body),
    'GET /admin/tenants/{tenantId}': (req) => admin.getTenant(req.pathParameters.tenantId!),
    'POST /admin/tenants/{tenantId}/tokens': (req) => admin.createToken(req.pathParameters.tenantId!, req.body),
    'GET /admin/tenants/{tenantId}/tokens': (req) => admin.listTokens(req.pathParameters.tenantId!),
    'DELETE /admin/tenants/{tenantId}/tokens/{tokenId}': (req) =>
      admin.revokeToken(req.pathParameters.tenantId!, req.pathParameters.tokenId!),
    'PUT /admin/tenants/{tenantId}/provisioning': (req) =>
      admin.setProvisioning(req.pathParameters.tenantId!, req.body),
  });
}
