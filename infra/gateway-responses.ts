// Every error that API Gateway generates itself (before or instead of calling a Lambda) as a SCIM
// error body, declared once as data. ScimApi turns each row into an AWS::ApiGateway::GatewayResponse;
// the local runner reads the same rows to answer the same way (no CDK import here, so it can).
//
// Gateway response templates are NOT Velocity templates: API Gateway only substitutes `$context.*`
// variables, with no conditionals and no escaping. So a detail may embed `$context.authorizer.error`
// only because the authorizer promises to put plain text without quotes or backslashes there.
//
// Every known response type is listed with its real status code, so the `status` in the body always
// equals the HTTP status. DEFAULT_4XX / DEFAULT_5XX then only catch types API Gateway adds later; they
// pin their status (400 / 500) for the same reason.

import { ERROR_SCHEMA, throttleHeaders } from '#scim/errors.ts';

export const SCIM_ERROR_CONTENT_TYPE = 'application/scim+json';

const BEARER_CHALLENGE = 'Bearer realm="scim"';

export interface ScimGatewayResponse {
  /** API Gateway response type, e.g. `ACCESS_DENIED`. */
  type: string;
  status: number;
  /** SCIM `detail`; may contain `$context.*` variables (plain substitution, see above). */
  detail: string;
  headers?: Record<string, string>;
}

export const GATEWAY_RESPONSES: readonly ScimGatewayResponse[] = [
  // No Authorization header at all (API Gateway does not call a TOKEN authorizer then), or the
  // authorizer threw 'Unauthorized'.
  {
    type: 'UNAUTHORIZED',
    status: 401,
    detail: 'missing or malformed bearer token',
    headers: { 'WWW-Authenticate': BEARER_CHALLENGE },
  },
  // Why 401 and not the default 403: a TOKEN authorizer can hand a reason to the caller only through
  // a Deny policy whose `context.error` holds it (throwing 'Unauthorized' gives a fixed 401 with no
  // context). API Gateway answers any Deny with ACCESS_DENIED, which is 403 unless this response
  // changes it. For a bad, expired or revoked token SCIM clients expect 401 + WWW-Authenticate
  // (RFC 7644 §3.12, RFC 6750 §3.1), so the authorizer denies with context.error = "token expired",
  // "token revoked", ... and this response turns it into a SCIM 401 carrying that detail.
  // The response type is shared: a denial by the IP allow-list (resource policy) or by IAM on
  // /admin also lands here; $context.authorizer.error is then empty.
  {
    type: 'ACCESS_DENIED',
    status: 401,
    detail: '$context.authorizer.error',
    headers: { 'WWW-Authenticate': BEARER_CHALLENGE },
  },
  // API Gateway answers an unknown path (or a method a resource does not have) with "Missing
  // Authentication Token". Unsigned calls to /admin (AWS_IAM) get it too, hence the second clause.
  {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    status: 404,
    detail: 'no such endpoint (or an /admin request without an AWS SigV4 signature)',
  },
  { type: 'RESOURCE_NOT_FOUND', status: 404, detail: 'no such endpoint' },
  // The tenant's usage plan (its own token bucket, docs/deploy.md "Per-tenant rate limits") or the
  // stage-wide ceiling. Retry-After tells well-behaved clients how long to back off.
  {
    type: 'THROTTLED',
    status: 429,
    detail: 'too many requests: this tenant is over its rate limit; retry after the Retry-After delay',
    headers: throttleHeaders(1),
  },
  { type: 'QUOTA_EXCEEDED', status: 429, detail: 'request quota exceeded', headers: throttleHeaders(1) },
  { type: 'REQUEST_TOO_LARGE', status: 413, detail: 'request body too large' },
  { type: 'BAD_REQUEST_BODY', status: 400, detail: 'invalid request body' },
  { type: 'BAD_REQUEST_PARAMETERS', status: 400, detail: 'invalid request parameters' },
  { type: 'UNSUPPORTED_MEDIA_TYPE', status: 415, detail: 'unsupported media type' },
  { type: 'INVALID_SIGNATURE', status: 403, detail: 'invalid AWS SigV4 signature' },
  { type: 'EXPIRED_TOKEN', status: 403, detail: 'AWS credentials expired' },
  { type: 'INVALID_API_KEY', status: 403, detail: 'invalid API key' },
  { type: 'WAF_FILTERED', status: 403, detail: 'request blocked by the web application firewall' },
  // The authorizer threw (DynamoDB throttled or unreachable while it read the token) or timed out:
  // transient, so 503 + Retry-After, as the route functions answer the same faults (an IdP retries).
  {
    type: 'AUTHORIZER_FAILURE',
    status: 503,
    detail:
      'the token could not be checked right now (authorization service unavailable); retry after the Retry-After delay',
    headers: { 'Retry-After': '1' },
  },
  { type: 'AUTHORIZER_CONFIGURATION_ERROR', status: 500, detail: 'authorization service unavailable' },
  { type: 'API_CONFIGURATION_ERROR', status: 500, detail: 'internal server error' },
  { type: 'INTEGRATION_FAILURE', status: 504, detail: 'the service did not answer in time' },
  { type: 'INTEGRATION_TIMEOUT', status: 504, detail: 'the service did not answer in time' },
  { type: 'DEFAULT_4XX', status: 400, detail: 'request rejected' },
  { type: 'DEFAULT_5XX', status: 500, detail: 'internal server error' },
];

/** The SCIM error body for one row, as a gateway response template (JSON with `$context` variables). */
export function scimErrorTemplate(response: Pick<ScimGatewayResponse, 'status' | 'detail'>): string {
  // JSON.stringify leaves `$context.x` untouched, so the template is valid JSON after substitution
  // as long as the substituted text has no quote or backslash (see the note at the top).
  return JSON.stringify({ schemas: [ERROR_SCHEMA], status: String(response.status), detail: response.detail });
}
