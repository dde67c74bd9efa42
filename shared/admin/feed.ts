// The pull feed: GET /admin/tenants/{tenantId}/events?after=<cursor>&limit=<1..1000>&types=<t,...>
// → {"events": [...], "nextCursor": "..."}, oldest first. The cursor is an event id (the last one
// the consumer processed); with no new events the answer is an empty list and the same cursor.
//
// Events are ordered by id, whose time is when the change happened; the events function writes
// them a moment later. So that a consumer following the head never steps over an event still on
// its way, the feed holds back events younger than `feedSettleMs` (default 3 s): a cursor only
// moves past a time once what happened before it has had that long to arrive.
import { isEventType, type EventType } from '#events/envelope.ts';
import { FIRST_ID, lastIdAt, ULID_PATTERN } from '#events/event-id.ts';
import { InvalidValueError } from '#scim/errors.ts';
import type { ScimResult } from '#scim/result.ts';
import type { Db } from '#store/client.ts';
import { readFeed } from '#store/feed.ts';
import { DEFAULT_TENANT, getTenant, TenantNotFound } from '#store/tenants.ts';
import { tenantIdOf } from './validation.ts';

export const DEFAULT_FEED_LIMIT = 100;
export const MAX_FEED_LIMIT = 1000;
export const DEFAULT_FEED_SETTLE_MS = 3000;

export interface FeedDeps {
  db: Db;
  clock: () => Date;
  config: { feedSettleMs?: number };
}

export interface FeedQuery {
  after?: string;
  limit: number;
  types?: EventType[];
}

export function parseFeedQuery(query: Record<string, string>): FeedQuery {
  const { after, limit, types } = query;
  if (after !== undefined && !ULID_PATTERN.test(after))
    throw new InvalidValueError(
      `after must be a cursor from a previous answer (nextCursor) or an event id, got "${after.slice(0, 40)}"`,
    );
  let n = DEFAULT_FEED_LIMIT;
  if (limit !== undefined) {
    n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1 || n > MAX_FEED_LIMIT)
      throw new InvalidValueError(
        `limit must be a whole number from 1 to ${MAX_FEED_LIMIT}, got "${limit.slice(0, 20)}"`,
      );
  }
  let wanted: EventType[] | undefined;
  if (types !== undefined) {
    const list = types
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const unknown = list.filter((t) => !isEventType(t));
    if (!list.length || unknown.length)
      throw new InvalidValueError(
        `types must be a comma-separated list of event types (docs/events.md), e.g. user.created,user.deleted; unknown: ${unknown.join(', ').slice(0, 200) || '(empty)'}`,
      );
    wanted = [...new Set(list)] as EventType[];
  }
  return { ...(after ? { after } : {}), limit: n, ...(wanted ? { types: wanted } : {}) };
}

export function feedService(deps: FeedDeps) {
  return {
    async read(tenantId: string, query: Record<string, string>): Promise<ScimResult> {
      const id = tenantIdOf(tenantId);
      const q = parseFeedQuery(query);
      const settle = deps.config.feedSettleMs ?? DEFAULT_FEED_SETTLE_MS;
      const upTo = lastIdAt(deps.clock().getTime() - settle);
      const [tenant, page] = await Promise.all([
        id === DEFAULT_TENANT ? undefined : getTenant(deps, id),
        readFeed(deps.db, id, {
          ...(q.after ? { after: q.after } : {}),
          upTo,
          limit: q.limit,
          ...(q.types ? { types: q.types } : {}),
        }),
      ]);
      if (id !== DEFAULT_TENANT && !tenant) throw new TenantNotFound(id);
      const events = page.events.map((json) => JSON.parse(json) as unknown);
      return { status: 200, body: { events, nextCursor: page.position ?? q.after ?? FIRST_ID } };
    },
  };
}
