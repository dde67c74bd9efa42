// The console's "Connect your IdP" screen and the guides in docs/idp/ must name the same fields:
// every field name, and every value the screen says to type as written, appears in the IdP's guide.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IDP_GUIDES } from '../../../bin/admin/console/ui/idp-fields.ts';

/** The guide as prose: without Markdown emphasis and code marks, whitespace collapsed, any case. */
const prose = (doc: string) =>
  readFileSync(new URL(`../../../docs/idp/${doc}`, import.meta.url), 'utf8')
    .replace(/[*`]/g, '')
    .replace(/\s+/g, ' ')
    .toLowerCase();

describe('Connect your IdP', () => {
  it('covers Okta, Entra ID, OneLogin, JumpCloud and Ping', () => {
    expect(IDP_GUIDES.map((g) => g.id)).toEqual(['okta', 'entra', 'onelogin', 'jumpcloud', 'ping']);
  });

  for (const guide of IDP_GUIDES) {
    it(`${guide.name}: every field and fixed value is in docs/idp/${guide.doc}`, () => {
      const text = prose(guide.doc);
      for (const screen of guide.screens) {
        expect(
          screen.fields.some((f) => f.value.kind === 'scimBaseUrl'),
          `${screen.where}: where the base URL goes`,
        ).toBe(true);
        expect(
          screen.fields.some((f) => f.value.kind === 'token'),
          `${screen.where}: where the token goes`,
        ).toBe(true);
        for (const f of screen.fields) {
          expect(text, `${guide.doc}: field "${f.field}"`).toContain(f.field.toLowerCase());
          if (f.value.kind !== 'text') continue;
          // A list of choices ("A, B, C") appears choice by choice in the guide.
          for (const part of f.value.text.split(', ')) {
            expect(text, `${guide.doc}: value "${part}" of "${f.field}"`).toContain(part.toLowerCase());
          }
        }
      }
    });
  }
});
