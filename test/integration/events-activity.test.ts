// Provisioning activity: the SCIM requests the directory refused, per tenant, newest first, with
// what an admin needs to fix them and nothing else (no token, no password); the tenant view's
// last use per token, last change and last refusal; and the CLI's `activity` and `events`.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryEvent } from '#events/envelope.ts';
import { main, type Io } from '../../bin/admin/cli.ts';
import { eventLine, printEvents } from '../../bin/admin/events.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';
import { realClock, startEvents, type EventsHarness } from '../support/events.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PASSWORD = 'Sup3r-S3cret-Value';

let api: LocalApi;
let events: EventsHarness;
let writer: string;
let reader: string;
let other: string;

beforeAll(async () => {
  api = await startLocalApi({ config: { feedSettleMs: 0 } });
  realClock(api);
  events = await startEvents(api);
  writer = await api.tokenFor('acme', { name: 'okta-acme' });
  reader = await api.tokenFor('acme', { name: 'reader', scope: 'read' });
  other = await api.tokenFor('other-co', { name: 'other-idp' });
}, 120_000);
afterAll(async () => {
  await events?.stop();
  await api?.close();
});

async function activity(tenant: string, query = '') {
  const res = await api.admin('GET', `/tenants/${tenant}/activity${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body as { activity: Array<Record<string, any>>; nextCursor?: string };
}

describe('refused SCIM requests', () => {
  let userName: string;
  let userId: string;

  beforeAll(async () => {
    userName = `${randomUUID()}@acme.test`;
    const body = { schemas: [USER], userName, externalId: 'ext-1', password: PASSWORD };
    const created = await api.call('POST', '/Users', { token: writer, body });
    expect(created.status, created.text).toBe(201);
    userId = created.body.id;
    // One at a time, so that newest-first is a known order.
    for (const [status, call] of [
      [409, () => api.call('POST', '/Users', { token: writer, body })],
      [404, () => api.call('GET', `/Users/${randomUUID()}`, { token: writer })],
      [400, () => api.call('GET', `/Users?filter=${encodeURIComponent('userName eq')}`, { token: writer })],
      [
        404,
        () =>
          api.call('PATCH', `/Users/${randomUUID()}`, {
            token: writer,
            body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] },
          }),
      ],
      [403, () => api.call('POST', '/Users', { token: reader, body: { schemas: [USER], userName: 'x@acme.test' } })],
      [401, () => api.call('GET', '/Users', { token: 'scim_not-a-token' })],
    ] as const) {
      const res = await call();
      expect(res.status, res.text).toBe(status);
    }
  });

  it('are listed newest first: 4xx except 401 and 404 on GET, with token, path, status, scimType, detail and the resource named', async () => {
    const { activity: list } = await activity('acme');
    expect(list.map((a) => `${a.status} ${a.method} ${a.path.replace(/[0-9a-f-]{36}/, '<id>')}`)).toEqual([
      '403 POST /scim/v2/Users',
      '404 PATCH /scim/v2/Users/<id>',
      '400 GET /scim/v2/Users',
      '409 POST /scim/v2/Users',
    ]);
    const duplicate = list[3]!;
    expect(duplicate).toMatchObject({
      status: 409,
      scimType: 'uniqueness',
      tokenId: expect.any(String),
      tokenName: 'okta-acme',
      resource: { userName, externalId: 'ext-1' },
      at: expect.any(String),
      id: expect.any(String),
    });
    expect(duplicate.detail).toContain(userId);
    expect(list[2]).toMatchObject({ scimType: 'invalidFilter' });
    expect(list[0]).toMatchObject({ tokenName: 'reader', resource: { userName: 'x@acme.test' } });
    const text = JSON.stringify(list);
    for (const secret of [PASSWORD, writer, reader]) expect(text.includes(secret)).toBe(false);
  });

  it('belong to their tenant: another tenant sees none of them; an unknown tenant is a 404', async () => {
    const res = await api.call('PATCH', `/Users/${randomUUID()}`, {
      token: other,
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] },
    });
    expect(res.status).toBe(404);
    const mine = await activity('other-co');
    expect(mine.activity).toHaveLength(1);
    expect(mine.activity[0]).toMatchObject({ tokenName: 'other-idp', status: 404 });
    const acme = await activity('acme');
    expect(acme.activity.some((a) => a.tokenName === 'other-idp')).toBe(false);
    expect((await api.admin('GET', '/tenants/nobody-here/activity')).status).toBe(404);
  });

  it('page with limit and nextCursor; a bad limit is a 400', async () => {
    const first = await activity('acme', '?limit=3');
    expect(first.activity).toHaveLength(3);
    const rest = await activity('acme', `?limit=3&before=${first.nextCursor}`);
    expect(rest.activity.map((a) => a.status)).toEqual([409]);
    expect((await api.admin('GET', '/tenants/acme/activity?limit=0')).status).toBe(400);
  });

  it("GET tenant shows each token's last use, the last change and the last refused request", async () => {
    await events.drain();
    const res = await api.admin('GET', '/tenants/acme');
    expect(res.status, res.text).toBe(200);
    expect(res.body.tokens.map((t: { name: string }) => t.name).sort()).toEqual(['okta-acme', 'reader']);
    for (const t of res.body.tokens) expect(t.lastUsedAt, t.name).toEqual(expect.any(String));
    expect(res.body.lastChange).toMatchObject({ type: 'user.created', at: expect.any(String) });
    expect(res.body.lastRefused).toMatchObject({ status: 403, method: 'POST', tokenName: 'reader' });
    expect(res.body).toMatchObject({ id: 'acme', counts: { users: 1 } });
  });
});

describe('scim-admin activity / events', () => {
  async function cli(args: string[]) {
    let out = '';
    let err = '';
    const io: Io = {
      out: (t) => void (out += `${t}\n`),
      err: (t) => void (err += `${t}\n`),
      env: {},
      cwd: process.cwd(),
    };
    const code = await main([...args, '--url', api.url, '--admin-key', api.adminKey], io);
    return { code, out, err };
  }

  it('activity prints the refusals, newest first, with their detail', async () => {
    const res = await cli(['activity', 'acme']);
    expect(res.code, res.err).toBe(0);
    const lines = res.out.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(lines[0]).toMatch(/ 403 {2}POST \/scim\/v2\/Users {2}\(x@acme\.test\) {2}by reader$/);
    expect(res.out).toMatch(/409 uniqueness {2}POST \/scim\/v2\/Users/);
  });

  it('events prints one line per event (or the envelopes with --json) and the cursor to resume from', async () => {
    await events.drain();
    const feed = await events.feed('acme');
    const res = await cli(['events', 'acme']);
    expect(res.code, res.err).toBe(0);
    expect(res.out.trim().split('\n')).toEqual(feed.map(eventLine));
    expect(res.err.trim()).toBe(`cursor: ${feed.at(-1)!.id}`);
    const json = await cli(['events', 'acme', '--json', '--types', 'user.created']);
    expect(
      json.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as DirectoryEvent),
    ).toEqual(feed.filter((e) => e.type === 'user.created'));
    const bad = await cli(['events', 'acme', '--types', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/types/);
  });

  it('events --follow keeps printing new events until stopped, like tail -f', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const feed = await events.feed('acme');
    const following = printEvents(
      { kind: 'local', baseUrl: api.url, adminKey: api.adminKey } as never,
      { tenantId: 'acme', follow: true, json: true, after: feed.at(-1)!.id, intervalMs: 50, signal: stop.signal },
      { out: (t) => lines.push(t), err: () => undefined },
    );
    const created = await api.call('POST', '/Users', {
      token: writer,
      body: { schemas: [USER], userName: `${randomUUID()}@acme.test` },
    });
    expect(created.status).toBe(201);
    await events.drain();
    for (let i = 0; i < 100 && !lines.length; i += 1) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    expect(await following).toBe(0);
    expect(lines.map((l) => (JSON.parse(l) as DirectoryEvent).resource.id)).toEqual([created.body.id]);
  });
});
