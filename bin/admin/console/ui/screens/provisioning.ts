/// <reference lib="dom" />
// Tenant → Provisioning: the on/off switch (off deletes every token, after a confirmation) and the
// SCIM base URL to copy into the identity provider.
import { api, seg, type Tenant } from '../api.ts';
import { confirmAction, copyable, h, replace, statusLine } from '../dom.ts';
import type { TenantScreen } from '../main.ts';

export async function renderProvisioning(body: HTMLElement, screen: TenantScreen): Promise<void> {
  const { tenant, session } = screen;
  const on = tenant.provisioning.enabled;
  const status = statusLine();
  const labelId = 'provisioning-label';

  const toggle = async () => {
    if (on) {
      const n = tenant.counts.activeTokens;
      const ok = await confirmAction({
        title: 'Turn provisioning off?',
        message: [
          h(
            'p',
            {},
            `Every token of tenant ${tenant.id} is deleted now (${n} active token${n === 1 ? '' : 's'}). `,
            "Your identity provider's SCIM requests then get 401 Unauthorized.",
          ),
          h(
            'p',
            {},
            'Turning provisioning on again does not bring the tokens back: you will generate a new token and paste it into the identity provider.',
          ),
        ],
        confirm: 'Turn off and delete all tokens',
      });
      if (!ok) {
        status.say('Provisioning is still on; no token was deleted.');
        return;
      }
    }
    const res = await api<Tenant>('PUT', `/tenants/${seg(tenant.id)}/provisioning`, { enabled: !on });
    if (!res.ok) {
      status.say(res.detail, 'error');
      return;
    }
    await screen.refresh();
    const after = body.querySelector<HTMLElement>('.status');
    const message = on
      ? `Provisioning is off. ${res.body.revokedTokens ?? 0} token(s) deleted.`
      : 'Provisioning is on. Generate a token on the Tokens tab and paste it into your identity provider.';
    if (after) {
      after.textContent = message;
      after.dataset.kind = 'ok';
    }
    body.querySelector<HTMLElement>('[role="switch"]')?.focus();
  };

  replace(
    body,
    h(
      'div',
      { class: 'switch-row' },
      h('span', { id: labelId, class: 'switch-label' }, 'Provisioning'),
      h(
        'button',
        {
          type: 'button',
          role: 'switch',
          'aria-checked': on ? 'true' : 'false',
          'aria-labelledby': labelId,
          'aria-describedby': 'provisioning-state',
          class: 'switch',
          onclick: () => void toggle(),
        },
        h('span', { class: 'knob', 'aria-hidden': 'true' }),
        h('span', { class: 'switch-text' }, on ? 'On' : 'Off'),
      ),
    ),
    h(
      'p',
      { id: 'provisioning-state' },
      on
        ? 'Provisioning is on: identity providers can create, update and remove users and groups with this tenant’s tokens.'
        : 'Provisioning is off: SCIM requests for this tenant are refused and no token can be generated.',
    ),
    status,
    h('h3', {}, 'SCIM base URL'),
    h('p', {}, 'Paste this into your identity provider (see Connect your IdP for the exact field).'),
    copyable('SCIM base URL', session.scimBaseUrl),
    h('h3', {}, 'Directory'),
    h(
      'dl',
      { class: 'counts' },
      h('dt', {}, 'Users'),
      h('dd', {}, String(tenant.counts.users)),
      h('dt', {}, 'Groups'),
      h('dd', {}, String(tenant.counts.groups)),
      h('dt', {}, 'Active tokens'),
      h('dd', {}, String(tenant.counts.activeTokens)),
    ),
  );
}
