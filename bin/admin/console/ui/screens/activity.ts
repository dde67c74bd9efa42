/// <reference lib="dom" />
// Tenant → Activity: recent changes (the tenant's events feed, docs/events.md) and the SCIM requests
// the directory refused, with their `detail`. Both come from the events feature's admin routes;
// where the admin API does not serve them, the screen says the feature is not available.
//
// The feed is read oldest first from a cursor, and event ids are ULIDs of the change's time, so
// "changes of the last 24 hours" is the feed read from the smallest id of that moment.
import { api, seg } from '../api.ts';
import { errorBox, field, h, minute, replace, statusLine, table, type Child } from '../dom.ts';
import type { TenantScreen } from '../main.ts';

type Item = Record<string, unknown>;

/** Feed pages read per view, and events per page: at most 1,000 events are read for one period. */
const FEED_PAGES = 5;
const FEED_PAGE = 200;
const HOUR_MS = 3_600_000;
const PERIODS = [
  { label: 'Last hour', ms: HOUR_MS },
  { label: 'Last 24 hours', ms: 24 * HOUR_MS },
  { label: 'Last 7 days', ms: 7 * 24 * HOUR_MS },
  { label: 'Everything kept', ms: undefined },
] as const;
let period = 1;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The smallest ULID of a moment: a feed cursor just before everything that happened from then on. */
function firstIdAt(ms: number): string {
  let t = Math.max(0, Math.floor(ms));
  let time = '';
  for (let i = 0; i < 10; i += 1) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  return `${time}${'0'.repeat(16)}`;
}

const str = (value: unknown) => (typeof value === 'string' ? value : value === undefined ? '' : String(value));

/** Whether the admin API answered "no such route": the events feature is not deployed there. */
const missingRoute = (status: number, detail: string) =>
  status === 404 && /no such endpoint|missing authentication token/i.test(detail);

function resourceText(value: unknown): string {
  const r = (value ?? {}) as Record<string, unknown>;
  const name = str(r.userName) || str(r.displayName) || str(r.externalId);
  return [str(r.type), name || str(r.id)].filter(Boolean).join(' ');
}

function actorText(value: unknown): string {
  const a = (value ?? {}) as Record<string, unknown>;
  if (a.tokenName || a.tokenId) return `token ${str(a.tokenName) || str(a.tokenId)}`;
  if (a.admin) return `admin ${str(a.admin)}`;
  return '';
}

const eventRow = (e: Item): Child[] => [
  h('span', { class: 'nowrap' }, minute(str(e.occurredAt))),
  str(e.type),
  resourceText(e.resource),
  actorText(e.actor),
];

const refusalRow = (r: Item): Child[] => [
  h('span', { class: 'nowrap' }, minute(str(r.at))),
  h('code', {}, `${str(r.method)} ${str(r.path)}`),
  [str(r.status), r.scimType ? ` ${str(r.scimType)}` : ''].join(''),
  str(r.detail),
  resourceText(r.resource),
  str(r.tokenName) || str(r.tokenId),
];

type Outcome = 'shown' | 'missing';

/** Recent changes: the period's events, newest first. */
async function changes(area: HTMLElement, tenantId: string): Promise<Outcome> {
  const picker = h(
    'select',
    {
      name: 'period',
      onchange: () => {
        period = Number(picker.value);
        void load();
      },
    },
    PERIODS.map((p, i) => h('option', { value: String(i), ...(i === period ? { selected: true } : {}) }, p.label)),
  );
  const list = h('div', {});
  const status = statusLine();
  const load = async (): Promise<Outcome> => {
    const since = PERIODS[period]!.ms;
    let after = since === undefined ? undefined : firstIdAt(Date.now() - since);
    const events: Item[] = [];
    let complete = false;
    for (let page = 0; page < FEED_PAGES && !complete; page += 1) {
      const query = new URLSearchParams({ limit: String(FEED_PAGE), ...(after ? { after } : {}) });
      const res = await api<{ events: Item[]; nextCursor?: string }>(
        'GET',
        `/tenants/${seg(tenantId)}/events?${query}`,
      );
      if (missingRoute(res.status, res.detail)) return 'missing';
      if (!res.ok) {
        replace(list, errorBox(res.detail));
        return 'shown';
      }
      events.push(...res.body.events);
      after = res.body.nextCursor;
      complete = res.body.events.length < FEED_PAGE || !after;
    }
    const newestFirst = [...events].reverse();
    replace(
      list,
      newestFirst.length
        ? table('Recent changes', ['When', 'Event', 'Resource', 'By'], newestFirst.map(eventRow), {
            captionHidden: true,
          })
        : h('p', {}, 'No changes in this period.'),
    );
    status.say(
      complete
        ? `${events.length} change${events.length === 1 ? '' : 's'}, newest first.`
        : `More than ${events.length} changes in this period: the first ${events.length} are shown, newest first. Choose a shorter period to see the latest.`,
    );
    return 'shown';
  };
  const outcome = await load();
  if (outcome === 'shown') replace(area, field('Period', picker), status, list);
  return outcome;
}

/** Refused requests: newest first, a page at a time. */
async function refusals(area: HTMLElement, tenantId: string): Promise<Outcome> {
  const rows: Item[] = [];
  const status = statusLine();
  const load = async (before?: string): Promise<Outcome> => {
    const query = before ? `?before=${encodeURIComponent(before)}` : '';
    const res = await api<{ activity: Item[]; nextCursor?: string }>(
      'GET',
      `/tenants/${seg(tenantId)}/activity${query}`,
    );
    if (missingRoute(res.status, res.detail)) return 'missing';
    if (!res.ok) {
      replace(area, errorBox(res.detail));
      return 'shown';
    }
    rows.push(...res.body.activity);
    const next = res.body.nextCursor;
    replace(
      area,
      status,
      rows.length
        ? table(
            'Refused requests',
            ['When', 'Request', 'Status', 'Why (detail)', 'Resource', 'Token'],
            rows.map(refusalRow),
            { captionHidden: true },
          )
        : h('p', {}, 'No refused requests: every SCIM request of this tenant that was kept was accepted.'),
      next ? h('button', { type: 'button', onclick: () => void load(next) }, 'Show older refused requests') : null,
    );
    status.say(`${rows.length} refused request${rows.length === 1 ? '' : 's'} shown, newest first.`);
    return 'shown';
  };
  return load();
}

export async function renderActivity(body: HTMLElement, screen: TenantScreen): Promise<void> {
  const tenantId = screen.tenant.id;
  const changesArea = h('div', {});
  const refusedArea = h('div', {});
  replace(body, h('p', {}, 'Loading activity…'));
  const [events, refused] = await Promise.all([changes(changesArea, tenantId), refusals(refusedArea, tenantId)]);
  if (events === 'missing' && refused === 'missing') {
    replace(
      body,
      h(
        'p',
        { class: 'notice', role: 'note' },
        'The events feature is not available on this admin API yet: recent changes and refused requests will show here once it serves /admin/tenants/{tenant}/events and /activity.',
      ),
    );
    return;
  }
  const notAvailable = (what: string) =>
    h('p', { class: 'notice', role: 'note' }, `${what} are not available on this admin API yet.`);
  replace(
    body,
    h('h3', {}, 'Recent changes'),
    events === 'shown' ? changesArea : notAvailable('Recent changes'),
    h('h3', {}, 'Refused requests'),
    refused === 'shown' ? refusedArea : notAvailable('Refused requests'),
  );
}
