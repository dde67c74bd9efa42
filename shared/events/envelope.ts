// The event envelope: the public, versioned contract the application builds on (docs/events.md,
// whose JSON Schema is generated from shared/events/schema.ts and checked against it by the tests).
// One envelope for every change; `type` says which, `data` carries what the type documents.

/** EventBridge `source` of every event this directory puts on the bus. */
export const EVENT_SOURCE = 'scim.directory';

/** The envelope's `version`: bumped only for a change a consumer could trip over. */
export const EVENT_VERSION = 1;

export const EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
  'token.issued',
  'token.revoked',
  'provisioning.enabled',
  'provisioning.disabled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const isEventType = (value: string): value is EventType => (EVENT_TYPES as readonly string[]).includes(value);

export interface EventResource {
  type: 'User' | 'Group' | 'Token' | 'Tenant';
  id: string;
  externalId?: string;
  userName?: string;
  displayName?: string;
}

/**
 * Who made the change: the SCIM token (the IdP connection) by id and name, or the admin principal
 * (an IAM ARN when deployed, `local-admin` locally). Empty when unknown (a write made outside a
 * request). Never the token itself.
 */
export interface EventActor {
  tokenId?: string;
  tokenName?: string;
  admin?: string;
}

export interface DirectoryEvent {
  /** ULID, stable across redelivery: consumers deduplicate by it; the feed is ordered by it. */
  id: string;
  type: EventType;
  version: typeof EVENT_VERSION;
  occurredAt: string;
  tenantId: string;
  resource: EventResource;
  actor: EventActor;
  data: Record<string, unknown>;
}
