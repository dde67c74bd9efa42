/// <reference lib="dom" />
// Tenant → Directory: read-only search of users (userName, externalId) and groups (displayName);
// a user's attributes and groups; a group's member count and first members.
import { api, seg } from '../api.ts';
import { errorBox, field, h, minute, replace, statusLine, type Child } from '../dom.ts';
import type { TenantScreen } from '../main.ts';

interface UserRow {
  id: string;
  userName: string;
  externalId?: string;
  displayName?: string;
  active: boolean;
}
interface GroupRow {
  id: string;
  displayName: string;
  externalId?: string;
}
type Resource = Record<string, unknown> & { id: string; meta?: { created?: string; lastModified?: string } };
interface UserDetail {
  user: Resource;
  groupCount: number;
  groups: Array<{ id: string; displayName?: string }>;
}
interface GroupDetail {
  group: Resource;
  memberCount: { exact: true; value: number } | { exact: false; moreThan: number };
  members: Array<{ id: string; type: 'User' | 'Group'; userName?: string; displayName?: string }>;
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');
const number = new Intl.NumberFormat('en');

function facts(entries: Array<[string, Child]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    entries
      .filter(([, v]) => v !== '' && v !== undefined && v !== null)
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

function rawJson(resource: unknown): HTMLElement {
  return h(
    'details',
    {},
    h('summary', {}, 'All attributes (as the SCIM API returns them)'),
    h('pre', { class: 'json', tabindex: '0' }, JSON.stringify(resource, null, 2)),
  );
}

interface Kind<Row, Detail> {
  noun: 'user' | 'group';
  path: 'users' | 'groups';
  searchLabel: string;
  hint: string;
  rowsOf: (body: Record<string, unknown>) => Row[];
  rowView: (row: Row, open: () => void) => Child;
  detailView: (detail: Detail) => Child[];
}

const USERS: Kind<UserRow, UserDetail> = {
  noun: 'user',
  path: 'users',
  searchLabel: 'Search users by userName or externalId',
  hint: 'Exact match is an index lookup; "starts with" reads at most 10,000 users. Leave empty to list everyone.',
  rowsOf: (body) => body.users as UserRow[],
  rowView: (u, open) => [
    h('button', { type: 'button', class: 'link', onclick: open }, u.userName),
    h(
      'span',
      { class: 'meta' },
      [u.displayName, u.externalId ? `externalId ${u.externalId}` : '', u.active ? 'Active' : 'Inactive']
        .filter(Boolean)
        .join(' · '),
    ),
  ],
  detailView: ({ user, groups, groupCount }) => {
    const emails = Array.isArray(user.emails) ? (user.emails as Array<{ value?: string }>).map((e) => e.value) : [];
    const name = user.name as { formatted?: string; givenName?: string; familyName?: string } | undefined;
    return [
      h('h4', { tabindex: '-1' }, `User ${str(user.userName)}`),
      facts([
        ['userName', str(user.userName)],
        ['Display name', str(user.displayName)],
        ['Name', name?.formatted ?? [name?.givenName, name?.familyName].filter(Boolean).join(' ')],
        ['Emails', emails.filter(Boolean).join(', ')],
        ['externalId', str(user.externalId)],
        ['Status', user.active === false ? 'Inactive' : 'Active'],
        ['id', h('code', {}, user.id)],
        ['Created', minute(user.meta?.created)],
        ['Last modified', minute(user.meta?.lastModified)],
      ]),
      h('h5', {}, `Groups (${number.format(groupCount)})`),
      groups.length
        ? h(
            'ul',
            { class: 'plain' },
            groups.map((g) => h('li', {}, g.displayName ?? g.id)),
          )
        : h('p', {}, 'Not a member of any group.'),
      rawJson(user),
    ];
  },
};

const GROUPS: Kind<GroupRow, GroupDetail> = {
  noun: 'group',
  path: 'groups',
  searchLabel: 'Search groups by displayName',
  hint: 'Exact match (any case) is an index lookup; "starts with" reads at most 10,000 groups. Leave empty to list all.',
  rowsOf: (body) => body.groups as GroupRow[],
  rowView: (g, open) => [
    h('button', { type: 'button', class: 'link', onclick: open }, g.displayName || g.id),
    g.externalId ? h('span', { class: 'meta' }, `externalId ${g.externalId}`) : null,
  ],
  detailView: ({ group, memberCount, members }) => {
    const count = memberCount.exact
      ? number.format(memberCount.value)
      : `more than ${number.format(memberCount.moreThan)}`;
    return [
      h('h4', { tabindex: '-1' }, `Group ${str(group.displayName)}`),
      facts([
        ['Display name', str(group.displayName)],
        ['externalId', str(group.externalId)],
        ['Members', count],
        ['id', h('code', {}, group.id)],
        ['Created', minute(group.meta?.created)],
        ['Last modified', minute(group.meta?.lastModified)],
      ]),
      h(
        'h5',
        {},
        members.length < (memberCount.exact ? memberCount.value : Infinity)
          ? `First ${members.length} members`
          : 'Members',
      ),
      members.length
        ? h(
            'ul',
            { class: 'plain' },
            members.map((m) =>
              h(
                'li',
                {},
                m.type === 'Group'
                  ? `${m.displayName ?? m.id} (group)`
                  : [m.userName ?? m.id, m.displayName ? ` (${m.displayName})` : ''].join(''),
              ),
            ),
          )
        : h('p', {}, 'No members.'),
      rawJson(group),
    ];
  },
};

function panel<Row extends { id: string }, Detail>(screen: TenantScreen, kind: Kind<Row, Detail>): HTMLElement {
  const tenantPath = `/tenants/${seg(screen.tenant.id)}`;
  const q = h('input', { type: 'search', name: 'q', maxlength: 256, autocomplete: 'off', spellcheck: 'false' });
  const match = h(
    'select',
    { name: 'match' },
    h('option', { value: 'exact' }, 'Exact'),
    h('option', { value: 'prefix' }, 'Starts with'),
  );
  const results = h('div', { class: 'results' });
  const detail = h('div', { class: 'detail' });
  const status = statusLine();
  let list: HTMLElement | undefined;

  const open = async (row: Row) => {
    const res = await api<Detail>('GET', `${tenantPath}/${kind.path}/${seg(row.id)}`);
    replace(detail, res.ok ? kind.detailView(res.body) : errorBox(res.detail));
    detail.querySelector<HTMLElement>('h4')?.focus();
  };

  const search = async (cursor?: string) => {
    const params = new URLSearchParams({ match: match.value });
    if (q.value.trim()) params.set('q', q.value.trim());
    if (cursor) params.set('cursor', cursor);
    const res = await api<Record<string, unknown> & { totalResults: number; nextCursor?: string }>(
      'GET',
      `${tenantPath}/${kind.path}?${params}`,
    );
    if (!res.ok) {
      replace(results, errorBox(res.detail));
      return;
    }
    const rows = kind.rowsOf(res.body);
    if (!cursor) {
      list = h('ul', {
        class: 'plain result-list',
        'aria-label': `${kind.noun === 'user' ? 'Users' : 'Groups'} found`,
      });
      replace(results, list);
      status.say(
        `${number.format(res.body.totalResults)} ${kind.noun}${res.body.totalResults === 1 ? '' : 's'} found.`,
      );
      replace(detail);
    }
    for (const row of rows)
      list!.append(
        h(
          'li',
          {},
          kind.rowView(row, () => void open(row)),
        ),
      );
    results.querySelector('.more')?.remove();
    if (res.body.nextCursor) {
      const next = res.body.nextCursor;
      results.append(
        h('button', { type: 'button', class: 'more', onclick: () => void search(next) }, `Show more ${kind.noun}s`),
      );
    }
  };

  const form = h(
    'form',
    {
      class: 'search',
      role: 'search',
      'aria-label': kind.searchLabel,
      onsubmit: (event: Event) => {
        event.preventDefault();
        void search();
      },
    },
    field(kind.searchLabel, q, kind.hint),
    field('Match', match),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, `Search ${kind.noun}s`)),
  );
  void search();
  return h('div', { class: 'panel' }, form, status, results, detail);
}

export async function renderDirectory(body: HTMLElement, screen: TenantScreen): Promise<void> {
  replace(
    body,
    h('p', {}, 'Read only: what the identity provider has provisioned into this tenant.'),
    h('h3', {}, 'Users'),
    panel(screen, USERS),
    h('h3', {}, 'Groups'),
    panel(screen, GROUPS),
  );
}
