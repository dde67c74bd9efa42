// Admin request bodies and ids, checked with one message an admin can act on per mistake.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { InvalidSyntaxError, InvalidValueError } from '#scim/errors.ts';
import { TENANT_ID_PATTERN } from '#store/keys.ts';
import { TIER_PATTERN } from './gateway.ts';

export const MAX_TOKEN_NAME_LENGTH = 100;
export const MAX_DISPLAY_NAME_LENGTH = 200;

// zod/mini (not the full `zod` API) keeps the Lambda bundles small. It registers no locale, so
// the English messages the full API gives by default are passed per parse (LOCALE below).
export const tenantBody = z.strictObject({
  displayName: z.optional(
    z
      .string({ error: 'displayName must be a string' })
      .check(
        z.trim(),
        z.minLength(1, 'displayName must not be empty'),
        z.maxLength(MAX_DISPLAY_NAME_LENGTH, `displayName must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`),
      ),
  ),
  /** A rate-limit tier of the deployment (checked against its tiers by the service). */
  rateLimitTier: z.optional(
    z
      .string({ error: 'rateLimitTier must be a string' })
      .check(z.regex(TIER_PATTERN, 'rateLimitTier must be a tier name such as "default"')),
  ),
});

export const tokenBody = (maxDays: number) => {
  const wholeDays = `expiresInDays must be a whole number of days from 1 to ${maxDays}`;
  return z.strictObject({
    name: z
      .string({ error: 'name is required: a label for the token, e.g. "okta-prod"' })
      .check(
        z.trim(),
        z.minLength(1, 'name must not be empty'),
        z.maxLength(MAX_TOKEN_NAME_LENGTH, `name must be at most ${MAX_TOKEN_NAME_LENGTH} characters`),
      ),
    scope: z._default(z.enum(['full', 'read'], { error: 'scope must be "full" or "read"' }), 'full'),
    expiresInDays: z.optional(
      z
        .number({ error: wholeDays })
        .check(
          z.int(wholeDays),
          z.minimum(1, wholeDays),
          z.maximum(
            maxDays,
            `expiresInDays must be at most ${maxDays} (the longest token lifetime this deployment allows)`,
          ),
        ),
    ),
  });
};

export const provisioningBody = z.strictObject({
  enabled: z.boolean({ error: 'enabled must be true or false' }),
});

/** English default messages (e.g. "Invalid input: expected object, received string"). */
const LOCALE = { error: en().localeError };

export function parse<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  if (Array.isArray(body)) throw new InvalidSyntaxError('the request body must be a JSON object');
  const parsed = schema.safeParse(body ?? {}, LOCALE);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    throw new InvalidValueError(`unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`);
  }
  throw new InvalidValueError(issue?.message ?? 'invalid request body');
}

export function tenantIdOf(tenantId: string): string {
  if (!TENANT_ID_PATTERN.test(tenantId)) {
    throw new InvalidValueError(
      `invalid tenant id "${tenantId.slice(0, 80)}": use 1 to 63 lower-case letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
  return tenantId;
}
