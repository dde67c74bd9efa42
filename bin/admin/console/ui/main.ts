/// <reference lib="dom" />
// The console's single page: a hash router over the screens. `#/` lists tenants;
// `#/tenants/<id>/<section>` is one tenant's provisioning, tokens, IdP setup, directory or activity.
import { api, seg, type Session, type Tenant } from './api.ts';
import { errorBox, h, replace } from './dom.ts';
import { renderActivity } from './screens/activity.ts';
import { renderDirectory } from './screens/directory.ts';
import { renderIdp } from './screens/idp.ts';
import { renderProvisioning } from './screens/provisioning.ts';
import { renderTenants } from './screens/tenants.ts';
import { renderTokens } from './screens/tokens.ts';

export interface TenantScreen {
  session: Session;
  tenant: Tenant;
  /** Re-reads the tenant (counts, provisioning) and renders the current section again. */
  refresh: () => Promise<void>;
}

const SECTIONS = [
  { id: 'provisioning', title: 'Provisioning', render: renderProvisioning },
  { id: 'tokens', title: 'Tokens', render: renderTokens },
  { id: 'idp', title: 'Connect your IdP', render: renderIdp },
  { id: 'directory', title: 'Directory', render: renderDirectory },
  { id: 'activity', title: 'Activity', render: renderActivity },
] as const;

const main = document.getElementById('main') as HTMLElement;
const targetLine = document.getElementById('target') as HTMLElement;
let session: Session | undefined;

function focusHeading(): void {
  main.querySelector('h1')?.focus();
}

async function route(): Promise<void> {
  if (!session) {
    const res = await api<Session>('GET', '/session');
    if (!res.ok) {
      replace(main, h('h1', { tabindex: '-1' }, 'SCIM admin console'), errorBox(res.detail));
      return;
    }
    session = res.body;
    const t = session.target;
    targetLine.textContent =
      t.kind === 'local' ? `Local runner ${t.url}` : `Stack ${t.stack ?? ''} (${t.region ?? ''}), ${t.url}`;
  }
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'tenants' || !parts[1]) {
    document.title = 'Tenants · SCIM admin console';
    await renderTenants(main, session);
    focusHeading();
    return;
  }
  await renderTenant(parts[1], parts[2] ?? 'provisioning');
  focusHeading();
}

async function renderTenant(tenantId: string, sectionId: string): Promise<void> {
  const section = SECTIONS.find((s) => s.id === sectionId) ?? SECTIONS[0];
  const res = await api<Tenant>('GET', `/tenants/${seg(tenantId)}`);
  const heading = h('h1', { tabindex: '-1' }, `Tenant ${tenantId}`);
  const crumbs = h(
    'nav',
    { 'aria-label': 'Breadcrumb', class: 'crumbs' },
    h('a', { href: '#/' }, 'Tenants'),
    ' / ',
    h('span', {}, tenantId),
  );
  if (!res.ok) {
    replace(main, crumbs, heading, errorBox(res.detail));
    return;
  }
  const tenant = res.body;
  document.title = `${section.title} · ${tenantId} · SCIM admin console`;
  const tabs = h(
    'nav',
    { 'aria-label': 'Tenant sections', class: 'tabs' },
    h(
      'ul',
      {},
      SECTIONS.map((s) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: `#/tenants/${seg(tenantId)}/${s.id}`, ...(s.id === section.id ? { 'aria-current': 'page' } : {}) },
            s.title,
          ),
        ),
      ),
    ),
  );
  const body = h('section', { 'aria-labelledby': 'section-title' });
  replace(
    main,
    crumbs,
    heading,
    tenant.displayName ? h('p', { class: 'subtitle' }, tenant.displayName) : null,
    tabs,
    h('h2', { id: 'section-title' }, section.title),
    body,
  );
  const screen: TenantScreen = {
    session: session!,
    tenant,
    refresh: async () => {
      const again = await api<Tenant>('GET', `/tenants/${seg(tenantId)}`);
      if (again.ok) screen.tenant = again.body;
      await section.render(body, screen);
    },
  };
  await section.render(body, screen);
}

window.addEventListener('hashchange', () => void route());
void route();
