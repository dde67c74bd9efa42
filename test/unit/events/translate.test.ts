// Stream records → events (shared/events/translate.ts), ids (event-id.ts), changed paths
// (changes.ts) and a batch's outcome (pipeline.ts), on plain data: which writes are events and
// which are not, what a record that cannot be understood does, and that ids sort as changes happen.
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { changedPaths } from '#events/changes.ts';
import type { DirectoryEvent } from '#events/envelope.ts';
import { eventId, lastIdAt } from '#events/event-id.ts';
import { PoisonAtHead, processBatch, type PipelineDeps } from '#events/pipeline.ts';
import type { StreamRecord } from '#events/records.ts';
import { eventsOf, PoisonRecord, type Renderer } from '#events/translate.ts';
import type { FeedEntry } from '#store/feed.ts';
import { keys } from '#store/keys.ts';

const T = '2026-03-01T10:00:00.000Z';
const T2 = '2026-03-01T10:00:05.000Z';
const ID = '01JNP4R8V2KQ6Z3W9M1T5Y7X0A';
const GID = '01JNP4R8V2KQ6Z3W9M1T5Y7X0B';
const render: Renderer = { resource: (type, item) => ({ type, id: item.sk, doc: item.doc }) };

let seq = 100;
function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  key: { pk: string; sk: string },
  images: { old?: Record<string, unknown>; new?: Record<string, unknown> },
  extra: Partial<StreamRecord> = {},
): StreamRecord {
  seq += 1;
  return {
    eventID: `e-${seq}`,
    eventName,
    dynamodb: {
      ApproximateCreationDateTime: Date.parse(T2) / 1000,
      Keys: marshall(key),
      ...(images.old ? { OldImage: marshall({ ...key, ...images.old }, { removeUndefinedValues: true }) } : {}),
      ...(images.new ? { NewImage: marshall({ ...key, ...images.new }, { removeUndefinedValues: true }) } : {}),
      SequenceNumber: String(seq),
    },
    ...extra,
  };
}

const TTL_SWEEPER = { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } };
const tokenKey = keys.token('a'.repeat(64));
const T3 = '2026-03-01T10:00:09.000Z';
const token = (over: Record<string, unknown> = {}) => ({
  id: 'TOK1',
  tenantId: 'acme',
  name: 'okta',
  scope: 'full',
  createdAt: T,
  expiresAt: T2,
  actor: { admin: 'arn:issuer' },
  ...over,
});
const revokedToken = (over: Record<string, unknown> = {}) =>
  token({ revokedAt: T3, ttl: 1_800_000_000, actor: { admin: 'arn:revoker' }, ...over });

const user = (over: Record<string, unknown> = {}) => ({
  rt: 'User',
  v: 1,
  created: T,
  lastModified: T,
  doc: { userName: 'bjensen', active: true, name: { givenName: 'Barbara' } },
  actor: { tokenId: 'TOK1' },
  ...over,
});
const userKey = keys.user('acme', ID);
const types = (r: StreamRecord) => eventsOf(r, render).map((e) => e.type);

describe('which writes are events', () => {
  const cases: Array<[string, StreamRecord, string[]]> = [
    ['a new user', record('INSERT', userKey, { new: user() }), ['user.created']],
    [
      'an attribute changed',
      record('MODIFY', userKey, {
        old: user(),
        new: user({ v: 2, doc: { ...user().doc, title: 'Boss' } }),
      }),
      ['user.updated'],
    ],
    [
      'active flipped, nothing else',
      record('MODIFY', userKey, { old: user(), new: user({ v: 2, doc: { ...user().doc, active: false } }) }),
      ['user.deactivated'],
    ],
    [
      'active flipped and another attribute changed (a PUT)',
      record('MODIFY', userKey, {
        old: user({ doc: { ...user().doc, active: false } }),
        new: user({ v: 2, doc: { ...user().doc, title: 'Back' } }),
      }),
      ['user.updated', 'user.reactivated'],
    ],
    [
      'only the version and groups moved (a membership change)',
      record('MODIFY', userKey, { old: user(), new: user({ v: 2, lastModified: T2, grp: new Set([GID]) }) }),
      [],
    ],
    [
      'a deleter stamped before the delete',
      record('MODIFY', userKey, { old: user(), new: user({ actor: { tokenId: 'TOK2' } }) }),
      [],
    ],
    [
      'the password changed',
      record('MODIFY', userKey, { old: user(), new: user({ v: 2, pwd: 'h2' }) }),
      ['user.updated'],
    ],
    ['a user deleted', record('REMOVE', userKey, { old: user() }), ['user.deleted']],
    [
      'a member added, then re-put (display refreshed)',
      record('INSERT', keys.member('acme', GID, ID), { new: { mt: 'User', at: T } }),
      ['group.member_added'],
    ],
    [
      'a member re-put',
      record('MODIFY', keys.member('acme', GID, ID), { old: { mt: 'User' }, new: { mt: 'User', display: 'x' } }),
      [],
    ],
    [
      'a member removed',
      record('REMOVE', keys.member('acme', GID, ID), { old: { mt: 'Group', at: T } }),
      ['group.member_removed'],
    ],
    [
      'a token used (lastUsedAt)',
      record('MODIFY', keys.token('a'.repeat(64)), {
        old: { id: 'TOK1', tenantId: 'acme', name: 'okta', createdAt: T, expiresAt: T2 },
        new: { id: 'TOK1', tenantId: 'acme', name: 'okta', createdAt: T, expiresAt: T2, lastUsedAt: T2 },
      }),
      [],
    ],
    [
      'an expired token removed by TTL',
      record(
        'REMOVE',
        keys.token('a'.repeat(64)),
        { old: { id: 'TOK1', tenantId: 'acme', name: 'okta', createdAt: T, expiresAt: T2 } },
        { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } },
      ),
      [],
    ],
    [
      'a token revoked (revokedAt set; the item stays)',
      record('MODIFY', tokenKey, { old: token(), new: revokedToken() }),
      ['token.revoked'],
    ],
    [
      'a revoked token removed by TTL 30 days later',
      record('REMOVE', tokenKey, { old: revokedToken() }, TTL_SWEEPER),
      [],
    ],
    ['a revoked token removed by anything else', record('REMOVE', tokenKey, { old: revokedToken() }), []],
    [
      'a revoked token retired (provisioning off afterwards)',
      record('MODIFY', tokenKey, {
        old: revokedToken(),
        new: {
          id: 'TOK1',
          tenantId: 'acme',
          retired: 'provisioning-disabled',
          revokedAt: T3,
          actor: { admin: 'arn:x' },
        },
      }),
      [],
    ],
    [
      'a revoked token touched by a check that raced the revocation (lastUsedAt)',
      record('MODIFY', tokenKey, { old: revokedToken(), new: revokedToken({ lastUsedAt: T3 }) }),
      [],
    ],
    [
      'a live token deleted (revoked by a version that deleted)',
      record('REMOVE', tokenKey, { old: token() }),
      ['token.revoked'],
    ],
    [
      'a token retired (provisioning off)',
      record('MODIFY', keys.token('a'.repeat(64)), {
        old: { id: 'TOK1', tenantId: 'acme', name: 'okta', createdAt: T, expiresAt: T2 },
        new: { id: 'TOK1', tenantId: 'acme', retired: 'provisioning-disabled', actor: { admin: 'arn:x' } },
      }),
      ['token.revoked'],
    ],
    [
      'a tenant counter moved',
      record('MODIFY', keys.tenant('acme'), { old: { userCount: 1 }, new: { userCount: 2 } }),
      [],
    ],
    [
      'provisioning switched off',
      record('MODIFY', keys.tenant('acme'), {
        old: { provisioning: true, version: 1 },
        new: { provisioning: false, version: 2, updatedAt: T2 },
      }),
      ['provisioning.disabled'],
    ],
    ['a userName claim', record('INSERT', keys.userName('acme', 'bjensen'), { new: { id: ID } }), []],
    [
      'a feed item',
      record('INSERT', { pk: keys.feed('acme'), sk: ID }, { new: { type: 'user.created', event: '{}' } }),
      [],
    ],
  ];
  it.each(cases)('%s', (_name, r, expected) => expect(types(r)).toEqual(expected));
});

describe('what an event says', () => {
  it('a deletion is the last state, named by who deleted it, after the last change', () => {
    const [e] = eventsOf(record('REMOVE', userKey, { old: user({ v: 3, lastModified: T2 }) }), render);
    expect(e).toMatchObject({
      type: 'user.deleted',
      tenantId: 'acme',
      resource: { type: 'User', id: ID, userName: 'bjensen' },
      actor: { tokenId: 'TOK1' },
      data: { user: { id: ID, doc: user().doc } },
    });
    expect(Date.parse(e!.occurredAt)).toBeGreaterThan(Date.parse(T2));
  });

  it('a revocation is one token.revoked at revokedAt, named by who revoked it, with the token as it was', () => {
    const [e, ...more] = eventsOf(record('MODIFY', tokenKey, { old: token(), new: revokedToken() }), render);
    expect(more).toEqual([]);
    expect(e).toMatchObject({
      type: 'token.revoked',
      occurredAt: T3,
      tenantId: 'acme',
      resource: { type: 'Token', id: 'TOK1' },
      actor: { admin: 'arn:revoker' },
      data: {
        token: { id: 'TOK1', name: 'okta', scope: 'full', createdAt: T, expiresAt: T2 },
        reason: 'revoked',
      },
    });
    // The TTL removal of the same item, 30 days on, says nothing more.
    expect(eventsOf(record('REMOVE', tokenKey, { old: revokedToken() }, TTL_SWEEPER), render)).toEqual([]);
  });

  it('a retirement is token.revoked at retiredAt, after provisioning.disabled even within its millisecond', () => {
    // The stream records' ApproximateCreationDateTime is T2, to the second; the switch came later in it.
    const switchedAt = '2026-03-01T10:00:05.400Z';
    const [disabled] = eventsOf(
      record('MODIFY', keys.tenant('acme'), {
        old: { provisioning: true, version: 7 },
        new: { provisioning: false, version: 8, updatedAt: switchedAt },
      }),
      render,
    );
    const retire = (retiredAt?: string) =>
      eventsOf(
        record('MODIFY', tokenKey, {
          old: token(),
          new: { id: 'TOK1', tenantId: 'acme', retired: 'provisioning-disabled', retiredAt, actor: { admin: 'arn:x' } },
        }),
        render,
      );
    for (const retiredAt of [switchedAt, '2026-03-01T10:00:05.401Z']) {
      const [revoked, ...more] = retire(retiredAt);
      expect(more).toEqual([]);
      expect(revoked).toMatchObject({ type: 'token.revoked', occurredAt: retiredAt });
      expect(revoked!.data).toMatchObject({ reason: 'provisioning-disabled' });
      expect(revoked!.id > disabled!.id, `${revoked!.id} after ${disabled!.id}`).toBe(true);
    }
    // A marker written before retiredAt was: the record's time, as before.
    expect(retire()[0]!.occurredAt).toBe(T2);
  });

  it('changed names attribute paths: sub-attributes, multi-valued attributes, extension attributes', () => {
    const ent = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(
      changedPaths(
        { name: { givenName: 'a', familyName: 'b' }, emails: [{ value: 'x' }], [ent]: { department: 'R&D' } },
        {
          name: { givenName: 'c', familyName: 'b' },
          emails: [{ value: 'y' }],
          [ent]: { manager: { value: 'm' } },
          title: 't',
        },
      ),
    ).toEqual(['emails', 'name.givenName', 'title', `${ent}:department`, `${ent}:manager`]);
  });

  it('a membership event names the group, the member and its type', () => {
    const [e] = eventsOf(
      record('INSERT', keys.member('acme', GID, ID), { new: { mt: 'User', at: T, actor: { tokenId: 'TOK1' } } }),
      render,
    );
    expect(e).toMatchObject({
      resource: { type: 'Group', id: GID },
      data: { groupId: GID, memberId: ID, memberType: 'User' },
      occurredAt: T,
      actor: { tokenId: 'TOK1' },
    });
  });
});

describe('ids', () => {
  it('are the same for the same record, and differ between records', () => {
    const r = record('INSERT', userKey, { new: user() });
    expect(eventsOf(r, render)[0]!.id).toBe(eventsOf(r, render)[0]!.id);
    expect(eventsOf(record('INSERT', userKey, { new: user() }), render)[0]!.id).not.toBe(eventsOf(r, render)[0]!.id);
  });

  it('sort by time, then by the item version within a millisecond, then by the event index', () => {
    const ms = Date.parse(T);
    const ids = [eventId(ms, 1, 0, 'z'), eventId(ms, 2, 0, 'a'), eventId(ms, 2, 1, 'a'), eventId(ms + 1, 0, 0, 'a')];
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => id <= lastIdAt(ms + 1) && /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(id))).toBe(true);
    expect(eventId(ms + 2, 0, 0, 'a') > lastIdAt(ms + 1)).toBe(true);
  });
});

describe('a record that cannot be understood (poison)', () => {
  it.each([
    ['no eventID', { ...record('INSERT', userKey, { new: user() }), eventID: undefined }],
    ['a timestamp that is not one', record('INSERT', userKey, { new: user({ lastModified: 'yesterday' }) })],
    ['no doc', record('INSERT', userKey, { new: user({ doc: 'x' }) })],
    ['a MODIFY without images', { ...record('MODIFY', userKey, {}) }],
    ['a membership without a member type', record('INSERT', keys.member('acme', GID, ID), { new: {} })],
  ] as Array<[string, StreamRecord]>)('%s', (_name, r) => {
    expect(() => eventsOf(r, render)).toThrow(PoisonRecord);
  });
});

describe('a batch', () => {
  function deps(failing: (e: DirectoryEvent) => boolean = () => false) {
    const written: FeedEntry[] = [];
    const published: DirectoryEvent[] = [];
    const d: PipelineDeps = {
      render,
      feedRetentionDays: 30,
      tokenName: async (_t, id) => (id === 'TOK1' ? 'okta-prod' : undefined),
      writeFeed: async (entries) => {
        written.push(...entries);
        return new Set();
      },
      publish: async (events) => {
        published.push(...events.filter((e) => !failing(e)));
        return new Set(events.filter(failing).map((e) => e.id));
      },
    };
    return { d, written, published };
  }
  const ok = () => record('INSERT', keys.user('acme', `${ID.slice(0, -3)}${String(seq).slice(-3)}`), { new: user() });
  const poison = () => record('INSERT', userKey, { new: user({ lastModified: 'never' }) });

  it('all delivered: no failure reported; token names filled in; feed items expire after the retention', async () => {
    const { d, written, published } = deps();
    const out = await processBatch([ok(), ok()], d);
    expect(out.batchItemFailures).toEqual([]);
    expect(published.map((e) => e.actor)).toEqual([
      { tokenId: 'TOK1', tokenName: 'okta-prod' },
      { tokenId: 'TOK1', tokenName: 'okta-prod' },
    ]);
    expect(written[0]!.ttl).toBe(Date.parse(T) / 1000 + 30 * 86_400);
    expect(JSON.parse(written[0]!.json)).toEqual(published[0]);
  });

  it('resumes at the first record whose events did not all reach the bus', async () => {
    const records = [
      ok(),
      record('MODIFY', userKey, { old: user(), new: user({ v: 2, doc: { active: false } }) }),
      ok(),
    ];
    const { d } = deps((e) => e.type === 'user.deactivated');
    const out = await processBatch(records, d);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }]);
    expect(out.delivered.map((e) => e.type)).toEqual(['user.created']);
  });

  it('a poison record ends the batch there; at the head of a longer batch it throws, so the batch is bisected', async () => {
    const { d } = deps();
    const records = [ok(), poison(), ok()];
    expect((await processBatch(records, d)).batchItemFailures).toEqual([
      { itemIdentifier: records[1]!.dynamodb!.SequenceNumber },
    ]);
    await expect(processBatch(records.slice(1), d)).rejects.toThrow(PoisonAtHead);
    expect((await processBatch([records[1]!], d)).batchItemFailures).toEqual([
      { itemIdentifier: records[1]!.dynamodb!.SequenceNumber },
    ]);
  });
});
