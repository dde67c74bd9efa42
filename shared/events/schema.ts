// The event envelope as a schema: the JSON Schema in docs/events.md is generated from it (a test
// checks the document against envelopeJsonSchema()), and the tests validate every event they see
// with it. Not imported by the events function itself (bundles stay small).
import * as z from 'zod';
import { EVENT_VERSION } from './envelope.ts';

const id = z
  .string()
  .regex(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/)
  .meta({ id: 'EventId', description: 'ULID, the same when an event is delivered again; the feed order' });
const timestamp = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  .meta({ id: 'Timestamp', description: 'ISO 8601 UTC, milliseconds' });

const resource = z
  .strictObject({
    type: z.enum(['User', 'Group', 'Token', 'Tenant']),
    id: z.string(),
    externalId: z.string().optional(),
    userName: z.string().optional().meta({ description: 'Users' }),
    displayName: z.string().optional().meta({ description: 'Groups' }),
  })
  .meta({ id: 'Resource', description: 'What changed: enough to find it without reading data' });

const actor = z
  .strictObject({
    tokenId: z.string().optional().meta({ description: 'The SCIM token (IdP connection) that made the change' }),
    tokenName: z.string().optional().meta({ description: "The token's name, when it still exists" }),
    admin: z.string().optional().meta({ description: 'The admin principal: an IAM ARN, `local-admin` locally' }),
  })
  .meta({ id: 'Actor', description: 'Who made the change; empty when unknown. Never a token itself.' });

const scimResource = (name: 'User' | 'Group') =>
  z
    .looseObject({
      schemas: z.array(z.string()),
      id: z.string(),
      password: z.never().optional().meta({ description: 'never present' }),
      meta: z.looseObject({
        resourceType: z.literal(name),
        created: z.string(),
        lastModified: z.string(),
        location: z.string(),
        version: z.string(),
      }),
    })
    .meta({
      id: name,
      description:
        name === 'User'
          ? 'The user as a default GET /Users/{id} returns it (never the password)'
          : 'The group as GET /Groups/{id}?excludedAttributes=members returns it',
    });
const user = scimResource('User');
const group = scimResource('Group');
const changed = z.array(z.string()).min(1).meta({
  id: 'Changed',
  description: 'SCIM attribute paths that changed: title, name.givenName, urn:…:User:department',
});
const truncated = z
  .strictObject({ truncated: z.literal(true), changed: changed.optional() })
  .meta({ id: 'Truncated', description: 'An event over 200 KB carries no resource copy: read the resource' });
const token = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    scope: z.enum(['full', 'read']),
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'Token', description: 'A SCIM token, by id and name (never the token or its hash)' });
const membership = z.strictObject({ groupId: z.string(), memberId: z.string(), memberType: z.enum(['User', 'Group']) });

const event = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.strictObject({
    id,
    type: z.literal(type),
    version: z.literal(EVENT_VERSION),
    occurredAt: timestamp,
    tenantId: z.string(),
    resource,
    actor,
    data,
  });

export const eventEnvelope = z.discriminatedUnion('type', [
  event('user.created', z.union([z.strictObject({ user }), truncated])),
  event('user.updated', z.union([z.strictObject({ changed, user }), truncated])),
  event('user.deactivated', z.union([z.strictObject({ changed, user }), truncated])),
  event('user.reactivated', z.union([z.strictObject({ changed, user }), truncated])),
  event('user.deleted', z.union([z.strictObject({ user }), truncated])),
  event('group.created', z.union([z.strictObject({ group }), truncated])),
  event('group.updated', z.union([z.strictObject({ changed, group }), truncated])),
  event('group.deleted', z.union([z.strictObject({ group }), truncated])),
  event('group.member_added', membership),
  event('group.member_removed', membership),
  event('token.issued', z.strictObject({ token })),
  event('token.revoked', z.strictObject({ token, reason: z.enum(['revoked', 'provisioning-disabled']) })),
  event('provisioning.enabled', z.strictObject({ provisioning: z.strictObject({ enabled: z.literal(true) }) })),
  event('provisioning.disabled', z.strictObject({ provisioning: z.strictObject({ enabled: z.literal(false) }) })),
]);

/** The JSON Schema (draft 2020-12) published in docs/events.md. */
export function envelopeJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://github.com/scim-directory/events/v1.json',
    title: 'SCIM directory change event, version 1',
    ...z.toJSONSchema(eventEnvelope),
  };
}

/** JSON laid out for reading: a value that fits on one line of `width` stays on it. */
export function readableJson(value: unknown, indent = '', width = 100): string {
  const flat = JSON.stringify(value);
  if (flat.length + indent.length <= width || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value))
    return `[\n${value.map((v) => inner + readableJson(v, inner, width)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${inner}${JSON.stringify(k)}: ${readableJson(v, inner, width)}`,
  );
  return `{\n${entries.join(',\n')}\n${indent}}`;
}
