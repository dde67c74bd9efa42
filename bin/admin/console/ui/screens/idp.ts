/// <reference lib="dom" />
// Tenant → Connect your IdP: for the chosen identity provider, each field its provisioning screen
// shows and what to paste into it (from docs/idp/, see ../idp-fields.ts).
import { seg } from '../api.ts';
import { copy, field, h, replace, statusLine, table } from '../dom.ts';
import { IDP_GUIDES, type IdpField } from '../idp-fields.ts';
import type { TenantScreen } from '../main.ts';

let chosen = IDP_GUIDES[0]!.id;

export async function renderIdp(body: HTMLElement, screen: TenantScreen): Promise<void> {
  const picker = h(
    'select',
    {
      name: 'idp',
      onchange: () => {
        chosen = picker.value;
        draw();
      },
    },
    IDP_GUIDES.map((g) => h('option', { value: g.id, ...(g.id === chosen ? { selected: true } : {}) }, g.name)),
  );
  const guideArea = h('div', {});
  const status = statusLine();
  const tokensHref = `#/tenants/${seg(screen.tenant.id)}/tokens`;

  const valueCell = (f: IdpField) => {
    switch (f.value.kind) {
      case 'scimBaseUrl': {
        const url = screen.session.scimBaseUrl;
        return h(
          'span',
          { class: 'value' },
          h('code', {}, url),
          ' ',
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Copy the value for ${f.field}`,
              onclick: async () => status.say((await copy(url)) ? `Copied the SCIM base URL for ${f.field}.` : url),
            },
            'Copy',
          ),
        );
      }
      case 'token':
        return h(
          'span',
          {},
          'a token from ',
          h('a', { href: tokensHref }, 'Tokens → Generate token'),
          ' (shown once; paste it without "Bearer ")',
        );
      case 'text':
        return h('code', {}, f.value.text);
    }
  };

  const draw = () => {
    const guide = IDP_GUIDES.find((g) => g.id === chosen) ?? IDP_GUIDES[0]!;
    replace(
      guideArea,
      guide.screens.map((s) => [
        h('h3', {}, s.where),
        table(
          `${guide.name}: ${s.where}`,
          ['Field', 'Value to paste'],
          s.fields.map((f) => [
            h('span', {}, h('strong', {}, f.field), f.note ? h('span', { class: 'hint' }, ` (${f.note})`) : null),
            valueCell(f),
          ]),
          { captionHidden: true },
        ),
      ]),
      h(
        'p',
        {},
        `The whole guide, with what ${guide.name} sends and the settings around these fields, is docs/idp/${guide.doc} in the repository.`,
      ),
    );
  };

  replace(
    body,
    h(
      'p',
      {},
      'Every identity provider needs two things: the SCIM base URL and a token of this tenant. Users are matched on userName.',
    ),
    field('Identity provider', picker),
    status,
    guideArea,
  );
  draw();
}
