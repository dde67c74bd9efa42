/// <reference lib="dom" />
// Tenants: every tenant with its provisioning state, active tokens and user/group counts; create one.
import { api, seg, type Session, type Tenant } from '../api.ts';
import { errorBox, field, h, replace, statusLine, table } from '../dom.ts';

const TENANT_ID = '[a-z0-9][a-z0-9_\\-]{0,62}';

export async function renderTenants(main: HTMLElement, _session: Session): Promise<void> {
  const listArea = h('div', { class: 'list-area' });
  const status = statusLine();
  const tenants: Tenant[] = [];
  let nextCursor: string | undefined;

  const drawList = () => {
    if (!tenants.length) {
      replace(listArea, h('p', {}, 'No tenants yet. Create one below.'));
      return;
    }
    const rows = tenants.map((t) => [
      h('a', { href: `#/tenants/${seg(t.id)}/provisioning` }, t.id),
      t.displayName ?? '',
      t.provisioning.enabled ? 'On' : 'Off',
      String(t.counts.activeTokens),
      String(t.counts.users),
      String(t.counts.groups),
    ]);
    replace(
      listArea,
      table('Tenants', ['Tenant', 'Display name', 'Provisioning', 'Active tokens', 'Users', 'Groups'], rows, {
        captionHidden: true,
      }),
      nextCursor ? h('button', { type: 'button', onclick: () => void load(nextCursor) }, 'Show more tenants') : null,
    );
  };

  const load = async (cursor?: string) => {
    const res = await api<{ tenants: Tenant[]; nextCursor?: string }>(
      'GET',
      `/tenants${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (!res.ok) {
      replace(listArea, errorBox(res.detail));
      return;
    }
    tenants.push(...res.body.tenants);
    nextCursor = res.body.nextCursor;
    drawList();
  };

  const idInput = h('input', {
    type: 'text',
    name: 'tenantId',
    required: true,
    pattern: TENANT_ID,
    maxlength: 63,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const nameInput = h('input', { type: 'text', name: 'displayName', maxlength: 200, autocomplete: 'off' });
  const form = h(
    'form',
    {
      class: 'stack',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const id = idInput.value.trim();
        const displayName = nameInput.value.trim();
        const res = await api<Tenant>('PUT', `/tenants/${seg(id)}`, displayName ? { displayName } : {});
        if (!res.ok) {
          status.say(res.detail, 'error');
          return;
        }
        // The list is an index read and may lag a moment behind the write: show the answer itself.
        const existing = tenants.findIndex((t) => t.id === res.body.id);
        if (existing >= 0) tenants[existing] = res.body;
        else {
          tenants.push(res.body);
          tenants.sort((a, b) => (a.id < b.id ? -1 : 1));
        }
        drawList();
        status.say(
          res.status === 201 ? `Tenant ${id} created.` : `Tenant ${id} already existed; display name kept or updated.`,
        );
        form.reset();
      },
    },
    field(
      'Tenant id',
      idInput,
      '1 to 63 lower-case letters, digits, "-" or "_", starting with a letter or digit. It cannot be changed later.',
    ),
    field('Display name (optional)', nameInput),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create tenant')),
    status,
  );

  replace(
    main,
    h('h1', { tabindex: '-1' }, 'Tenants'),
    h(
      'p',
      {},
      'Each tenant is a separate directory with its own users, groups and SCIM tokens. A token belongs to one tenant.',
    ),
    listArea,
    h('h2', {}, 'Create a tenant'),
    form,
  );
  replace(listArea, h('p', {}, 'Loading tenants…'));
  await load();
}
