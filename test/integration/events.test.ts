// Change events end to end: Okta's and Entra's provisioning sequences (as in test/integration/idp/)
// replayed over HTTP, the events function run over DynamoDB Local's stream by the local runner's
// poller, and the tenants' pull feeds read back through the admin API. Pins the exact events
// (types, order per resource, actor, tombstones), tenant isolation, cursor resume, exactly-once in
// the feed under redelivery, the same events on the bus, and that no token or password is in any.
import { createHash, randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgePublisher } from '#events/bus.ts';
import type { DirectoryEvent } from '#events/envelope.ts';
import { eventEnvelope } from '#events/schema.ts';
import { keys } from '#store/keys.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';
import { realClock, startEvents, type EventsHarness } from '../support/events.ts';
import { startEventBridgeEmulator, type EventBridgeEmulator } from '../support/eventbridge-emulator.ts';
import { GROUP, USER, expectListResponse, expectStatus, filter, idpClient, unique } from './idp/idp-client.ts';

const OKTA_HEADERS = {
  'User-Agent': 'Okta SCIM Client 1.0.0',
  Accept: 'application/scim+json',
  'Content-Type': 'application/scim+json; charset=utf-8',
};
const OKTA_PASSWORD = '1mz050nq';

let api: LocalApi;
let events: EventsHarness;
let bus: EventBridgeEmulator;
const tokens: Record<'okta' | 'entra', { token: string; id: string }> = {} as never;
/** Users created with a password (Okta sends a placeholder): their stored hashes must not leak. */
const withPassword: string[] = [];

async function tokenId(tenantId: string, name: string): Promise<string> {
  const res = await api.admin('GET', `/tenants/${tenantId}/tokens`);
  return (res.body.tokens as Array<{ id: string; name: string }>).find((t) => t.name === name)!.id;
}

beforeAll(async () => {
  api = await startLocalApi({ config: { feedSettleMs: 0 } });
  realClock(api);
  bus = await startEventBridgeEmulator();
  events = await startEvents(api, { publish: eventBridgePublisher(bus.client, 'directory-test-bus') });
  for (const [idp, tenant] of [
    ['okta', 'okta-co'],
    ['entra', 'entra-co'],
  ] as const) {
    const token = await api.tokenFor(tenant, { name: `${idp}-prod` });
    tokens[idp] = { token, id: await tokenId(tenant, `${idp}-prod`) };
  }
}, 120_000);
afterAll(async () => {
  await events?.stop();
  await bus?.close();
  await api?.close();
});

/** Each event's subject: the resource, or for a membership event the (group, member) pair. */
const subjectOf = (e: DirectoryEvent) => {
  const data = e.data as { groupId?: string; memberId?: string };
  return data.memberId ? `${data.groupId}/${data.memberId}` : e.resource.id;
};

/** Event types per subject, in feed order. */
function bySubject(feed: DirectoryEvent[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of feed) (out[subjectOf(e)] ??= []).push(e.type);
  return out;
}

const show = (feed: DirectoryEvent[]) =>
  feed.map((e) => `${e.id} ${e.type} ${subjectOf(e)} ${JSON.stringify(e.actor)}`).join('\n');

function expectEnvelopes(feed: DirectoryEvent[], tenantId: string) {
  for (const e of feed) {
    const parsed = eventEnvelope.safeParse(e);
    expect(parsed.success, `${JSON.stringify(e)}\n${parsed.error?.message}`).toBe(true);
    expect(e.tenantId).toBe(tenantId);
  }
  const ids = feed.map((e) => e.id);
  expect([...ids].sort(), 'the feed is in id order').toEqual(ids);
  expect(new Set(ids).size, 'one item per event').toBe(ids.length);
}

describe('Okta: Push New Users, profile updates, (de)activation, Push Groups', () => {
  let feed: DirectoryEvent[];
  const ids: Record<string, string> = {};
  let renamed = '';

  beforeAll(async () => {
    const okta = idpClient(api, OKTA_HEADERS, tokens.okta.token);
    const oktaUser = () => {
      const userName = `${unique('events.user')}@okta.local`;
      return {
        schemas: [USER],
        userName,
        name: { givenName: 'Test', familyName: 'User' },
        emails: [{ primary: true, value: userName, type: 'work' }],
        displayName: 'Test User',
        externalId: `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`,
        groups: [],
        password: OKTA_PASSWORD,
        active: true,
      };
    };
    const provision = async () => {
      const body = oktaUser();
      expectListResponse(await okta.get(`/Users?${filter(`userName eq "${body.userName}"`)}&startIndex=1&count=100`), {
        totalResults: 0,
      });
      const created = await okta.post('/Users', body);
      expectStatus(created, 201);
      withPassword.push(created.body.id);
      return created.body as { id: string; userName: string };
    };
    const u1 = await provision();
    ids.u1 = u1.id;
    const read = await okta.get(`/Users/${u1.id}`);
    expectStatus(
      await okta.put(`/Users/${u1.id}`, {
        ...read.body,
        name: { ...read.body.name, givenName: 'Changed' },
        title: 'Engineer',
      }),
      200,
    );
    // A PUT of what GET returned changes nothing: no event.
    expectStatus(await okta.put(`/Users/${u1.id}`, (await okta.get(`/Users/${u1.id}`)).body), 200);
    expectStatus(await okta.patch(`/Users/${u1.id}`, [{ op: 'replace', value: { active: false } }]), 200, 204);
    expectStatus(await okta.patch(`/Users/${u1.id}`, [{ op: 'replace', value: { active: true } }]), 200, 204);
    const u2 = await provision();
    ids.u2 = u2.id;
    const displayName = unique('Test SCIMv2');
    const g = await okta.post('/Groups', {
      schemas: [GROUP],
      displayName,
      members: [{ value: u1.id, display: u1.userName }],
    });
    expectStatus(g, 201);
    ids.g = g.body.id;
    expectStatus(
      await okta.patch(`/Groups/${ids.g}`, [
        { op: 'remove', path: `members[value eq "${u1.id}"]` },
        { op: 'add', path: 'members', value: [{ value: u2.id, display: u2.userName }] },
      ]),
      200,
      204,
    );
    renamed = `${displayName} renamed`;
    for (let i = 0; i < 2; i += 1) {
      // Okta repeats the rename after every membership change; the second one changes nothing.
      expectStatus(
        await okta.patch(`/Groups/${ids.g}`, [{ op: 'replace', value: { id: ids.g, displayName: renamed } }]),
        200,
        204,
      );
    }
    expectStatus(await okta.delete(`/Groups/${ids.g}`), 204);
    // Refused: no event.
    expectStatus(await okta.post('/Users', { ...oktaUser(), userName: u1.userName }), 409);
    await events.drain();
    feed = await events.feed('okta-co');
  }, 120_000);

  it('the feed holds exactly the changes, in order per resource and membership', () => {
    expectEnvelopes(feed, 'okta-co');
    const { u1, u2, g } = ids;
    expect(bySubject(feed), show(feed)).toEqual({
      [tokens.okta.id]: ['token.issued'],
      [u1!]: ['user.created', 'user.updated', 'user.deactivated', 'user.reactivated'],
      [u2!]: ['user.created'],
      [g!]: ['group.created', 'group.updated', 'group.deleted'],
      [`${g}/${u1}`]: ['group.member_added', 'group.member_removed'],
      // Deleting the group removes its members: one member_removed each.
      [`${g}/${u2}`]: ['group.member_added', 'group.member_removed'],
    });
  });

  it('each change names the IdP token that made it; the token by the admin who issued it', () => {
    for (const e of feed) {
      if (e.type === 'token.issued') expect(e.actor).toEqual({ admin: 'local-admin' });
      else expect(e.actor, `${e.type} ${subjectOf(e)}`).toEqual({ tokenId: tokens.okta.id, tokenName: 'okta-prod' });
    }
  });

  it('updates list the changed attributes and carry the user as GET returns it; deletions carry the last state', () => {
    const of = (type: string) => feed.find((e) => e.type === type)!;
    expect(of('user.updated').data.changed).toEqual(['name.givenName', 'title']);
    expect(of('user.updated').data.user).toMatchObject({
      id: ids.u1,
      title: 'Engineer',
      name: { givenName: 'Changed' },
      meta: { resourceType: 'User', version: expect.any(String) },
    });
    expect(of('user.deactivated').data).toMatchObject({ changed: ['active'], user: { active: false } });
    expect(of('user.reactivated').data).toMatchObject({ changed: ['active'], user: { active: true } });
    expect(of('group.updated').data.changed).toEqual(['displayName']);
    const tombstone = of('group.deleted');
    expect(tombstone.resource).toEqual({ type: 'Group', id: ids.g, displayName: renamed });
    expect(tombstone.data.group).toMatchObject({ id: ids.g, displayName: renamed, schemas: [GROUP] });
    expect(tombstone.data.group, 'members are events of their own').not.toHaveProperty('members');
    const added = feed.filter((e) => e.type === 'group.member_added').map((e) => e.data);
    expect(added).toEqual([
      { groupId: ids.g, memberId: ids.u1, memberType: 'User' },
      { groupId: ids.g, memberId: ids.u2, memberType: 'User' },
    ]);
  });

  it('the bus got the same events: source scim.directory, detail-type = type, detail = the envelope', () => {
    const onBus = bus.accepted.filter((e) => (JSON.parse(e.Detail) as DirectoryEvent).tenantId === 'okta-co');
    expect(onBus.every((e) => e.Source === 'scim.directory' && e.EventBusName === 'directory-test-bus')).toBe(true);
    expect(onBus.every((e) => (JSON.parse(e.Detail) as DirectoryEvent).type === e.DetailType)).toBe(true);
    const byId = new Map(onBus.map((e) => [(JSON.parse(e.Detail) as DirectoryEvent).id, JSON.parse(e.Detail)]));
    expect([...byId.keys()].sort()).toEqual(feed.map((e) => e.id));
    for (const e of feed) expect(byId.get(e.id)).toEqual(e);
  });

  it('cursor resume: pages of 3 give the whole feed once, and the end answers no events and the same cursor', async () => {
    const seen: DirectoryEvent[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page += 1) {
      const res = await api.admin('GET', `/tenants/okta-co/events?limit=3${after ? `&after=${after}` : ''}`);
      expect(res.status, res.text).toBe(200);
      if (!res.body.events.length) {
        expect(res.body.nextCursor).toBe(after);
        break;
      }
      expect(res.body.events.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.events);
      expect(res.body.nextCursor).toBe(res.body.events.at(-1).id);
      after = res.body.nextCursor;
    }
    expect(seen).toEqual(feed);
  });

  it('types= filters, and paging a filtered feed resumes without gaps', async () => {
    const wanted = ['group.member_added', 'group.member_removed'];
    const expected = feed.filter((e) => wanted.includes(e.type));
    expect(await events.feed('okta-co', { types: wanted.join(',') })).toEqual(expected);
    const paged: DirectoryEvent[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await api.admin(
        'GET',
        `/tenants/okta-co/events?limit=1&types=${wanted.join(',')}${after ? `&after=${after}` : ''}`,
      );
      expect(res.status, res.text).toBe(200);
      if (!res.body.events.length) break;
      paged.push(...res.body.events);
      after = res.body.nextCursor;
    }
    expect(paged).toEqual(expected);
  });

  it('a bad cursor, limit or type is a 400 that says what to send', async () => {
    for (const query of ['after=nope', 'limit=0', 'limit=1001', 'types=user.exploded']) {
      const res = await api.admin('GET', `/tenants/okta-co/events?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.detail, query).toMatch(/after|limit|types/);
    }
    expect((await api.admin('GET', '/tenants/no-such-tenant/events')).status).toBe(404);
  });
});

describe('Entra: create, Replace ops, "False"/"True", group membership, DELETE', () => {
  let feed: DirectoryEvent[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const entra = idpClient(api, { 'Content-Type': 'application/scim+json' }, tokens.entra.token);
    const guid = randomUUID();
    const body = {
      schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: guid,
      userName: `Test_User_${guid}@testuser.com`,
      active: true,
      emails: [{ primary: true, type: 'work', value: `Test_User_${guid}@testuser.com` }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    };
    for (const expression of [`userName eq "${body.userName}"`, `externalId eq "${body.externalId}"`]) {
      expectListResponse(await entra.get(`/Users?${filter(expression)}`), { totalResults: 0 });
    }
    const u = await entra.post('/Users', body);
    expectStatus(u, 201);
    ids.u = u.body.id;
    expectStatus(
      await entra.patch(`/Users/${ids.u}`, [
        { op: 'Replace', path: 'displayName', value: 'Entra Name' },
        { op: 'Replace', path: 'name.givenName', value: 'G2' },
      ]),
      200,
      204,
    );
    expectStatus(await entra.patch(`/Users/${ids.u}`, [{ op: 'Replace', path: 'active', value: 'False' }]), 200, 204);
    expectStatus(await entra.patch(`/Users/${ids.u}`, [{ op: 'Replace', path: 'active', value: 'True' }]), 200, 204);
    expectStatus(
      await entra.patch(`/Users/${ids.u}`, [{ op: 'replace', path: 'password', value: 'N3w-S3cret!' }]),
      200,
      204,
    );
    const g = await entra.post('/Groups', { schemas: [GROUP], displayName: `Entra ${randomUUID()}`, members: [] });
    expectStatus(g, 201);
    ids.g = g.body.id;
    const members = (op: string) =>
      entra.patch(`/Groups/${ids.g}`, [{ op, path: 'members', value: [{ value: ids.u }] }]);
    expectStatus(await members('Add'), 200, 204);
    expectStatus(await members('Remove'), 200, 204);
    expectStatus(await members('Add'), 200, 204);
    expectStatus(await entra.delete(`/Users/${ids.u}`), 204);
    expectStatus(await entra.delete(`/Groups/${ids.g}`), 204);
    await events.drain();
    feed = await events.feed('entra-co');
  }, 120_000);

  it('the feed holds exactly the changes, in order per resource and membership', () => {
    expectEnvelopes(feed, 'entra-co');
    const { u, g } = ids;
    expect(bySubject(feed), show(feed)).toEqual({
      [tokens.entra.id]: ['token.issued'],
      [u!]: ['user.created', 'user.updated', 'user.deactivated', 'user.reactivated', 'user.updated', 'user.deleted'],
      [g!]: ['group.created', 'group.deleted'],
      // The last removal is the user's deletion taking it out of the group.
      [`${g}/${u}`]: ['group.member_added', 'group.member_removed', 'group.member_added', 'group.member_removed'],
    });
    for (const e of feed.filter((e) => e.type !== 'token.issued'))
      expect(e.actor).toEqual({ tokenId: tokens.entra.id, tokenName: 'entra-prod' });
  });

  it('a password change is reported by name only; the tombstone is the last state', () => {
    const updates = feed.filter((e) => e.type === 'user.updated').map((e) => e.data.changed);
    expect(updates).toEqual([['displayName', 'name.givenName'], ['password']]);
    const tombstone = feed.find((e) => e.type === 'user.deleted')!;
    expect(tombstone.resource).toMatchObject({ type: 'User', id: ids.u, externalId: expect.any(String) });
    expect(tombstone.data.user).toMatchObject({ id: ids.u, displayName: 'Entra Name', active: true });
    expect(tombstone.data.user).not.toHaveProperty('password');
  });

  it('tenants never see each other: each feed holds its own events only', async () => {
    const okta = await events.feed('okta-co');
    const entraIds = new Set(feed.map((e) => e.id));
    expect(okta.some((e) => entraIds.has(e.id) || e.tenantId !== 'okta-co')).toBe(false);
    const fallback = await events.feed('default');
    expect(fallback.every((e) => e.tenantId === 'default')).toBe(true);
    expect(fallback.some((e) => entraIds.has(e.id))).toBe(false);
  });
});

describe('admin events', () => {
  it('token.issued, token.revoked and provisioning.disabled/enabled name the admin; switching off revokes each token', async () => {
    const tenant = `admin-${randomUUID().slice(0, 8)}`;
    await api.tokenFor(tenant, { name: 'first' });
    await api.tokenFor(tenant, { name: 'second' });
    const first = await tokenId(tenant, 'first');
    const second = await tokenId(tenant, 'second');
    expect((await api.admin('DELETE', `/tenants/${tenant}/tokens/${first}`)).status).toBe(204);
    expect((await api.admin('PUT', `/tenants/${tenant}/provisioning`, { enabled: false })).status).toBe(200);
    expect((await api.admin('PUT', `/tenants/${tenant}/provisioning`, { enabled: true })).status).toBe(200);
    await events.drain();
    const feed = await events.feed(tenant);
    expectEnvelopes(feed, tenant);
    expect(bySubject(feed), show(feed)).toEqual({
      [first]: ['token.issued', 'token.revoked'],
      [second]: ['token.issued', 'token.revoked'],
      [tenant]: ['provisioning.disabled', 'provisioning.enabled'],
    });
    const revoked = feed.filter((e) => e.type === 'token.revoked').map((e) => [e.resource.id, e.data.reason]);
    expect(revoked).toEqual(
      expect.arrayContaining([
        [first, 'revoked'],
        [second, 'provisioning-disabled'],
      ]),
    );
    for (const e of feed) expect(e.actor).toEqual({ admin: 'local-admin' });
    expect(feed.find((e) => e.type === 'token.issued')!.data.token).toEqual({
      id: first,
      name: 'first',
      scope: 'full',
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });
  });
});

describe('the actor of a deletion', () => {
  it('is the token that deleted, also when another token made the last change', async () => {
    const rotated = await api.tokenFor('okta-co', { name: 'okta-rotated' });
    const created = await api.call('POST', '/Users', {
      token: tokens.okta.token,
      body: { schemas: [USER], userName: `${randomUUID()}@okta.local` },
    });
    expect(created.status, created.text).toBe(201);
    expect((await api.call('DELETE', `/Users/${created.body.id}`, { token: rotated })).status).toBe(204);
    await events.drain();
    const feed = (await events.feed('okta-co')).filter((e) => e.resource.id === created.body.id);
    expect(feed.map((e) => [e.type, e.actor.tokenName])).toEqual([
      ['user.created', 'okta-prod'],
      ['user.deleted', 'okta-rotated'],
    ]);
  });
});

describe('delivery guarantees', () => {
  it('redelivery (the whole stream read again) leaves every feed exactly as it was', async () => {
    const tenants = ['okta-co', 'entra-co', 'default'];
    const before = await Promise.all(tenants.map((t) => events.feed(t)));
    const again = await startEvents(api);
    try {
      expect(await again.drain()).toBeGreaterThan(0);
      expect(again.delivered.length).toBeGreaterThanOrEqual(before.flat().length);
    } finally {
      await again.stop();
    }
    expect(await Promise.all(tenants.map((t) => events.feed(t)))).toEqual(before);
  });

  it('no event, feed item, bus entry or activity record contains a token, its hash, a password or its hash', async () => {
    await events.drain();
    const secrets = [api.token, tokens.okta.token, tokens.entra.token];
    const forbidden = [
      ...secrets,
      ...secrets.map((t) => createHash('sha256').update(t).digest('hex')),
      OKTA_PASSWORD,
      'N3w-S3cret!',
    ];
    for (const id of withPassword) {
      const { Item } = await api.ctx.db.doc.send(
        new GetCommand({ TableName: api.ctx.db.tableName, Key: keys.user('okta-co', id) }),
      );
      expect(typeof Item?.pwd, 'the user has a stored password hash').toBe('string');
      forbidden.push(Item!.pwd as string);
    }
    const raw: string[] = [];
    for (const tenant of ['okta-co', 'entra-co', 'default']) {
      for (const pk of [keys.feed(tenant), keys.activity(tenant)]) {
        const out = await api.ctx.db.doc.send(
          new QueryCommand({
            TableName: api.ctx.db.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
          }),
        );
        raw.push(...(out.Items ?? []).map((i) => JSON.stringify(i)));
      }
    }
    expect(raw.length).toBeGreaterThan(20);
    raw.push(...bus.accepted.map((e) => JSON.stringify(e)), ...events.delivered.map((e) => JSON.stringify(e)));
    expect(raw.join('\n').match(/"pwd":/g), 'no item layout attribute leaks into events').toBeNull();
    for (const text of raw)
      for (const secret of forbidden) expect(text.includes(secret), text.slice(0, 200)).toBe(false);
  });
});
