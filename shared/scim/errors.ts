// One typed family of SCIM errors (RFC 7644 §3.12). Domain code throws these; the HTTP layer
// (shared/http) is the only place that turns them into `application/scim+json` bodies.

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
    /** Extra response headers (e.g. WWW-Authenticate, Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }

  toBody(): Record<string, unknown> {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

export class InvalidFilterError extends ScimError {
  constructor(detail: string) {
    super(400, 'invalidFilter', detail);
  }
}
export class TooManyError extends ScimError {
  constructor(detail: string) {
    super(400, 'tooMany', detail);
  }
}
export class InvalidSyntaxError extends ScimError {
  constructor(detail: string) {
    super(400, 'invalidSyntax', detail);
  }
}
export class InvalidPathError extends ScimError {
  constructor(detail: string) {
    super(400, 'invalidPath', detail);
  }
}
export class NoTargetError extends ScimError {
  constructor(detail: string) {
    super(400, 'noTarget', detail);
  }
}
export class InvalidValueError extends ScimError {
  constructor(detail: string) {
    super(400, 'invalidValue', detail);
  }
}
export class MutabilityError extends ScimError {
  constructor(detail: string) {
    super(400, 'mutability', detail);
  }
}
export class UnauthorizedError extends ScimError {
  constructor(detail: string) {
    super(401, undefined, detail, { 'WWW-Authenticate': 'Bearer realm="scim"' });
  }
}
export class ForbiddenError extends ScimError {
  constructor(detail: string) {
    super(403, undefined, detail);
  }
}
export class NotFoundError extends ScimError {
  constructor(detail: string) {
    super(404, undefined, detail);
  }
}
export class MethodNotAllowedError extends ScimError {
  constructor(detail: string) {
    super(405, undefined, detail);
  }
}
export class UniquenessError extends ScimError {
  constructor(detail: string) {
    super(409, 'uniqueness', detail);
  }
}
export class ConflictError extends ScimError {
  constructor(detail: string) {
    super(409, undefined, detail);
  }
}
export class PreconditionFailedError extends ScimError {
  constructor(detail: string) {
    super(412, undefined, detail);
  }
}
export class PayloadTooLargeError extends ScimError {
  constructor(detail: string) {
    super(413, undefined, detail);
  }
}
export class UnsupportedMediaTypeError extends ScimError {
  constructor(detail: string) {
    super(415, undefined, detail);
  }
}
/**
 * The headers of every 429 this stack answers: `Retry-After` (RFC 9110), and the pair SailPoint
 * paces on (`x-rate-limit-retry-after-seconds`, `x-rate-limit-remaining`).
 */
export function throttleHeaders(retryAfterSeconds: number): Record<string, string> {
  const seconds = String(retryAfterSeconds);
  return { 'Retry-After': seconds, 'x-rate-limit-retry-after-seconds': seconds, 'x-rate-limit-remaining': '0' };
}
export class TooManyRequestsError extends ScimError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(429, undefined, detail, throttleHeaders(retryAfterSeconds));
  }
}
/** DynamoDB throttled, timed out or kept conflicting: nothing was written; retry after the delay. */
export class ServiceUnavailableError extends ScimError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(503, undefined, detail, { 'Retry-After': String(retryAfterSeconds) });
  }
}
export class NotImplementedError extends ScimError {
  constructor(detail: string) {
    super(501, undefined, detail);
  }
}
