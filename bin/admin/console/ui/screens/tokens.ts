/// <reference lib="dom" />
// Tenant → Tokens: the tenant's SCIM tokens with status and expiry, a warning for tokens that
// expire within 30 days, Generate token (shown once, in a popup) and Delete (after confirmation;
// the token is revoked and stays listed as Revoked until it is cleaned up, 30 days later).
import { api, seg, type NewToken, type Token, type TokenList } from '../api.ts';
import { confirmAction, copyable, day, errorBox, field, h, minute, modal, replace, statusLine, table } from '../dom.ts';
import type { TenantScreen } from '../main.ts';

const DAY_MS = 86_400_000;
export const EXPIRY_WARNING_DAYS = 30;
/** What the last action did, said once by the next render (which replaces the status line). */
let flash: string | undefined;

const STATUS_TEXT: Record<string, string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };
const statusText = (status: string) => STATUS_TEXT[status] ?? status.charAt(0).toUpperCase() + status.slice(1);

/** Whole days until `iso` (rounded up), from the browser's clock. */
const daysLeft = (iso: string) => Math.ceil((Date.parse(iso) - Date.now()) / DAY_MS);

function expiryWarning(token: Token): string | undefined {
  if (token.status !== 'active') return undefined;
  const days = daysLeft(token.expiresAt);
  if (days > EXPIRY_WARNING_DAYS) return undefined;
  return days <= 1 ? 'Expires within a day' : `Expires in ${days} days`;
}

export async function renderTokens(body: HTMLElement, screen: TenantScreen): Promise<void> {
  const { tenant } = screen;
  const status = statusLine();
  if (flash) status.say(flash);
  flash = undefined;
  const res = await api<TokenList>('GET', `/tenants/${seg(tenant.id)}/tokens`);
  if (!res.ok) {
    replace(body, errorBox(res.detail));
    return;
  }
  const { tokens, limits } = res.body;
  const active = tokens.filter((t) => t.status === 'active').length;
  const max = limits?.maxActiveTokens;

  let reason: string | undefined;
  if (!tenant.provisioning.enabled) {
    reason = 'Provisioning is off for this tenant: turn it on (Provisioning tab) before generating a token.';
  } else if (max !== undefined && active >= max) {
    reason = `This tenant already has ${active} active token${active === 1 ? '' : 's'}, the maximum (${max}). Delete one, or wait until one expires, to generate another.`;
  }

  const generate = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      disabled: reason !== undefined,
      ...(reason ? { 'aria-describedby': 'generate-reason' } : {}),
      onclick: () => void generateToken(screen, limits).then(() => refreshAndFocus(body, screen)),
    },
    'Generate token',
  );

  const expiring = tokens.filter((t) => expiryWarning(t) !== undefined);
  const rows = tokens.map((t) => {
    const warning = expiryWarning(t);
    return [
      t.name,
      t.scope === 'read' ? 'Read only' : 'Full (read and write)',
      h('span', { class: 'nowrap' }, day(t.createdAt)),
      h(
        'span',
        {},
        h('span', { class: 'nowrap' }, day(t.expiresAt)),
        warning ? h('strong', { class: 'warn' }, ` ⚠ ${warning}`) : null,
      ),
      h('span', { class: `badge ${t.status}` }, statusText(t.status)),
      t.lastUsedAt ? minute(t.lastUsedAt) : 'Never',
      // A revoked token is only listed: there is nothing left to do with it.
      t.status === 'revoked'
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: 'danger',
              'aria-label': `Delete token ${t.name}`,
              onclick: () =>
                void deleteToken(screen, t, status).then((done) => (done ? refreshAndFocus(body, screen) : undefined)),
            },
            'Delete',
          ),
    ];
  });

  replace(
    body,
    h(
      'p',
      {},
      'Each identity provider connection gets its own token. ',
      max !== undefined ? `A tenant may hold ${max} active tokens at once, so you can rotate without downtime.` : '',
    ),
    h('div', { class: 'actions' }, generate),
    reason ? h('p', { id: 'generate-reason', class: 'reason' }, reason) : null,
    expiring.length
      ? h(
          'p',
          { class: 'warning', role: 'note' },
          `⚠ ${expiring.length} token${expiring.length === 1 ? ' expires' : 's expire'} within ${EXPIRY_WARNING_DAYS} days: generate a new one, paste it into the identity provider, then delete the old one.`,
        )
      : null,
    status,
    tokens.length
      ? table('Tokens', ['Name', 'Scope', 'Created', 'Expires', 'Status', 'Last used', 'Actions'], rows, {
          captionHidden: true,
        })
      : h('p', {}, 'No tokens. Generate one for each identity provider you connect.'),
  );
}

/** After a dialog: the list again, with focus back on the main action (the old button is gone). */
async function refreshAndFocus(body: HTMLElement, screen: TenantScreen): Promise<void> {
  await screen.refresh();
  body.querySelector<HTMLElement>('.actions button')?.focus();
}

async function generateToken(screen: TenantScreen, limits: TokenList['limits']): Promise<void> {
  const { tenant } = screen;
  await modal<void>('Generate token', (close) => {
    const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, autocomplete: 'off' });
    const scope = h(
      'select',
      { name: 'scope' },
      h('option', { value: 'full' }, 'Full (read and write)'),
      h('option', { value: 'read' }, 'Read only (GET and searches)'),
    );
    const days = h('input', {
      type: 'number',
      name: 'days',
      required: true,
      min: 1,
      ...(limits ? { max: limits.maxLifetimeDays, value: limits.defaultLifetimeDays } : { value: 365 }),
    });
    const problem = statusLine();
    const area = h('div', {});
    const form = h(
      'form',
      {
        class: 'stack',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          const res = await api<NewToken>('POST', `/tenants/${seg(tenant.id)}/tokens`, {
            name: name.value.trim(),
            scope: scope.value,
            expiresInDays: Number(days.value),
          });
          if (!res.ok) {
            problem.say(res.detail, 'error');
            return;
          }
          showOnce(area, res.body, close);
        },
      },
      field('Name', name, 'A label for the connection, e.g. "okta-prod".'),
      field('Scope', scope),
      field(
        'Lifetime in days',
        days,
        limits ? `From 1 to ${limits.maxLifetimeDays} days; the token stops working after that.` : undefined,
      ),
      problem,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Generate'),
        h('button', { type: 'button', onclick: () => close() }, 'Cancel'),
      ),
    );
    area.append(form);
    return [area];
  });
}

/** The token, once: after this dialog closes it exists nowhere in the console. */
function showOnce(area: HTMLElement, token: NewToken, close: () => void): void {
  replace(
    area,
    h(
      'p',
      { class: 'warning', role: 'alert' },
      'Copy this token now. It cannot be shown again: only a hash of it is stored.',
    ),
    copyable('Token', token.token, { secret: true }),
    h(
      'p',
      {},
      `Token "${token.name}" (${token.scope === 'read' ? 'read only' : 'full'}) expires on ${day(token.expiresAt)}. `,
      'Paste it into your identity provider’s bearer-token field without "Bearer " (see Connect your IdP).',
    ),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => close() }, 'Done')),
  );
  area.querySelector<HTMLButtonElement>('.copyable button')?.focus();
}

async function deleteToken(screen: TenantScreen, token: Token, status: ReturnType<typeof statusLine>) {
  const ok = await confirmAction({
    title: `Delete token ${token.name}?`,
    message: h(
      'p',
      {},
      `The identity provider using "${token.name}" can no longer call the SCIM API with it (within the API's authorizer cache time, 60 seconds by default when deployed). This cannot be undone. The token stays listed as Revoked for 30 days.`,
    ),
    confirm: 'Delete token',
  });
  if (!ok) return false;
  const res = await api('DELETE', `/tenants/${seg(screen.tenant.id)}/tokens/${seg(token.id)}`);
  if (!res.ok) {
    status.say(res.detail, 'error');
    return false;
  }
  flash = `Token ${token.name} deleted: it is listed as Revoked for 30 days.`;
  return true;
}
