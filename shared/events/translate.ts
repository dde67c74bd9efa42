// One stream record → the events it means (none, one, or two). Pure: the same record always gives
// the same events with the same ids, which is what makes redelivery harmless. A record that cannot
// be understood throws PoisonRecord (the pipeline sets it aside; it never blocks the shard).
//
//   item         INSERT                 MODIFY                                   REMOVE
//   user         user.created           user.updated (doc or password changed)   user.deleted (tombstone)
//                                       + user.deactivated / user.reactivated
//                                         when `active` flipped
//   group        group.created          group.updated (doc changed)              group.deleted (tombstone)
//   membership   group.member_added     -                                        group.member_removed
//   token        token.issued           token.revoked (revokedAt set: revoked;   - (TTL removes expired and
//                                         retired: provisioning switched off;      revoked tokens; a delete
//                                         nothing for a token revoked already)     by an earlier version:
//                                                                                  token.revoked)
//   tenant       -                      provisioning.enabled / .disabled         -
//
// Writes that change no attribute (a version bump for a membership change, lastUsedAt, counters,
// an actor stamp before a delete) give no event. Times: the item's own timestamp (lastModified,
// a membership's `at`, a token's createdAt, revokedAt or retiredAt, the tenant's updatedAt), or for
// a deletion (and a retirement marker without retiredAt, written by an earlier version) the later of
// the record's ApproximateCreationDateTime and the item's last timestamp + 1 ms.
//
// A retirement's token.revoked must follow the tenant's provisioning.disabled (docs/events.md):
// retiredAt is read from the store's clock after the tenant's updatedAt was, and in the same
// millisecond the retirement's order (MAX_ORDER, above any tenant version) puts it last.
import { EVENT_VERSION, type DirectoryEvent, type EventActor, type EventResource, type EventType } from './envelope.ts';
import { changedPaths } from './changes.ts';
import { eventId, MAX_ORDER } from './event-id.ts';
import { image, isTtlDeletion, itemKind, keysOf, type StreamRecord } from './records.ts';

export class PoisonRecord extends Error {}

type Item = Record<string, unknown>;

/** Renders an item as a default GET would answer it (never the password). */
export interface Renderer {
  resource(type: 'User' | 'Group', item: Item): Record<string, unknown>;
}

const isoMs = (value: unknown, what: string): number => {
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(t)) throw new PoisonRecord(`${what} is not a timestamp: ${JSON.stringify(value)}`);
  return t;
};

const actorOf = (item: Item): EventActor => {
  const a = item.actor as { tokenId?: unknown; admin?: unknown } | undefined;
  return {
    ...(typeof a?.tokenId === 'string' ? { tokenId: a.tokenId } : {}),
    ...(typeof a?.admin === 'string' ? { admin: a.admin } : {}),
  };
};

const docOf = (item: Item): Record<string, unknown> => {
  const doc = item.doc;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new PoisonRecord('item without a doc object');
  return doc as Record<string, unknown>;
};

const versionOf = (item: Item): number => {
  if (typeof item.v !== 'number') throw new PoisonRecord('item without a numeric version');
  return item.v;
};

function resourceRef(type: 'User' | 'Group', id: string, doc: Record<string, unknown>): EventResource {
  const str = (k: string) => (typeof doc[k] === 'string' ? { [k]: doc[k] as string } : {});
  return { type, id, ...str('externalId'), ...(type === 'User' ? str('userName') : str('displayName')) };
}

const wasActive = (doc: Record<string, unknown>) => doc.active !== false;

interface Draft {
  type: EventType;
  timeMs: number;
  order: number;
  tenantId: string;
  resource: EventResource;
  actor: EventActor;
  data: Record<string, unknown>;
}

export function eventsOf(record: StreamRecord, render: Renderer): DirectoryEvent[] {
  const recordId = record.eventID;
  if (!recordId) throw new PoisonRecord('stream record without an eventID');
  const name = record.eventName;
  if (name !== 'INSERT' && name !== 'MODIFY' && name !== 'REMOVE')
    throw new PoisonRecord(`unknown eventName ${String(name)}`);
  const { pk, sk } = keysOf(record);
  const kind = itemKind(pk, sk);
  if (kind.kind === 'other') return [];
  const oldItem = image(record.dynamodb?.OldImage);
  const newItem = image(record.dynamodb?.NewImage);
  if ((name !== 'INSERT' && !oldItem) || (name !== 'REMOVE' && !newItem))
    throw new PoisonRecord(`${name} record without the images NEW_AND_OLD_IMAGES gives`);
  const approxMs = (record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000;
  const deletedAt = (lastMs: number) => Math.max(approxMs, lastMs + 1);
  if (name === 'REMOVE' && isTtlDeletion(record)) return [];

  const drafts: Draft[] = [];
  switch (kind.kind) {
    case 'user':
    case 'group': {
      const type = kind.kind === 'user' ? 'User' : 'Group';
      const prefix = kind.kind;
      const key = type === 'User' ? 'user' : 'group';
      const base = (item: Item) => ({
        tenantId: kind.tenantId,
        resource: resourceRef(type, sk, docOf(item)),
        actor: actorOf(item),
      });
      if (name === 'INSERT') {
        const n = newItem!;
        drafts.push({
          type: `${prefix}.created`,
          timeMs: isoMs(n.lastModified, 'lastModified'),
          order: versionOf(n),
          ...base(n),
          data: { [key]: render.resource(type, n) },
        });
      } else if (name === 'MODIFY') {
        const o = oldItem!;
        const n = newItem!;
        const changed = changedPaths(docOf(o), docOf(n));
        if (o.pwd !== n.pwd) changed.push('password');
        if (!changed.length) break;
        const common = { timeMs: isoMs(n.lastModified, 'lastModified'), order: versionOf(n), ...base(n) };
        const data = { changed, [key]: render.resource(type, n) };
        if (changed.some((p) => p !== 'active')) drafts.push({ type: `${prefix}.updated`, ...common, data });
        if (type === 'User' && wasActive(docOf(o)) !== wasActive(docOf(n)))
          drafts.push({ type: wasActive(docOf(n)) ? 'user.reactivated' : 'user.deactivated', ...common, data });
      } else {
        const o = oldItem!;
        drafts.push({
          type: `${prefix}.deleted`,
          timeMs: deletedAt(isoMs(o.lastModified, 'lastModified')),
          order: versionOf(o) + 1,
          ...base(o),
          data: { [key]: render.resource(type, o) },
        });
      }
      break;
    }
    case 'member': {
      if (name === 'MODIFY') break; // a re-add of a member already there
      const item = (name === 'INSERT' ? newItem : oldItem)!;
      const memberType = item.mt === 'Group' ? 'Group' : item.mt === 'User' ? 'User' : undefined;
      if (!memberType) throw new PoisonRecord('membership item without a member type');
      const at = item.at === undefined ? undefined : isoMs(item.at, 'at');
      drafts.push({
        type: name === 'INSERT' ? 'group.member_added' : 'group.member_removed',
        timeMs: name === 'INSERT' ? (at ?? approxMs) : deletedAt(at ?? 0),
        order: 0,
        tenantId: kind.tenantId,
        resource: { type: 'Group', id: kind.groupId },
        actor: actorOf(item),
        data: { groupId: kind.groupId, memberId: kind.memberId, memberType },
      });
      break;
    }
    case 'token': {
      const item = (name === 'INSERT' ? newItem : oldItem)!;
      // A retired marker, or a token revoked already, going away or being retired: its
      // token.revoked was emitted when it was revoked, once.
      if ((item.retired || item.revokedAt !== undefined) && name !== 'INSERT') break;
      if (name === 'INSERT' && item.retired) break;
      // MODIFY: revoked (revokedAt set; the item stays until TTL) or retired (provisioning off).
      const revokedAt = name === 'MODIFY' ? newItem!.revokedAt : undefined;
      const retired = name === 'MODIFY' && !!newItem!.retired;
      // REMOVE of a live token (not TTL, filtered above): a revocation by a version that deleted.
      const revoked = name === 'REMOVE' || revokedAt !== undefined || retired;
      if (name === 'MODIFY' && !revoked) break; // lastUsedAt, an actor stamp
      if (typeof item.tenantId !== 'string' || typeof item.id !== 'string')
        throw new PoisonRecord('token item without tenantId and id');
      const createdMs = isoMs(item.createdAt, 'createdAt');
      // Retired: the marker's retiredAt (markers from before it was written: the record's time).
      const retiredAt = retired ? newItem!.retiredAt : undefined;
      const revokedMs =
        revokedAt !== undefined && !retired
          ? Math.max(isoMs(revokedAt, 'revokedAt'), createdMs + 1)
          : retiredAt !== undefined
            ? Math.max(isoMs(retiredAt, 'retiredAt'), createdMs + 1)
            : deletedAt(createdMs);
      drafts.push({
        type: revoked ? 'token.revoked' : 'token.issued',
        timeMs: revoked ? revokedMs : createdMs,
        order: retired ? MAX_ORDER : 0,
        tenantId: item.tenantId,
        resource: { type: 'Token', id: item.id },
        actor: actorOf(name === 'MODIFY' ? newItem! : item),
        data: {
          token: {
            id: item.id,
            name: item.name,
            scope: item.scope === 'read' ? 'read' : 'full',
            createdAt: item.createdAt,
            expiresAt: item.expiresAt,
          },
          ...(revoked ? { reason: retired ? 'provisioning-disabled' : 'revoked' } : {}),
        },
      });
      break;
    }
    case 'tenant': {
      if (name !== 'MODIFY') break; // a new tenant starts enabled; tenants are never deleted
      const wasOn = oldItem!.provisioning !== false;
      const isOn = newItem!.provisioning !== false;
      if (wasOn === isOn) break;
      const n = newItem!;
      drafts.push({
        type: isOn ? 'provisioning.enabled' : 'provisioning.disabled',
        timeMs: n.updatedAt === undefined ? approxMs : isoMs(n.updatedAt, 'updatedAt'),
        order: typeof n.version === 'number' ? n.version : 0,
        tenantId: kind.tenantId,
        resource: { type: 'Tenant', id: kind.tenantId },
        actor: actorOf(n),
        data: { provisioning: { enabled: isOn } },
      });
      break;
    }
  }
  return drafts.map((d, index) => ({
    id: eventId(d.timeMs, d.order, index, recordId),
    type: d.type,
    version: EVENT_VERSION,
    occurredAt: new Date(d.timeMs).toISOString(),
    tenantId: d.tenantId,
    resource: d.resource,
    actor: d.actor,
    data: d.data,
  }));
}
