// The admin console in headless Chromium against a local runner: the provisioning flow an admin
// clicks through (create a tenant, generate a token shown once, the cap and its reason, expiry,
// delete, provisioning off), the directory search, the IdP and activity screens, keyboard use,
// labels on every control and the 375 px layout. Controls are found by role and name, as a person
// or a screen reader finds them. One browser for the whole file.
//
// UPDATE_SCREENSHOTS=1 also writes the pictures in docs/images/ that docs/console.md shows.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../../bin/admin/console/server.ts';
import { resolveTarget } from '../../bin/admin/target.ts';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';
import { CONTROLS_WITHOUT_NAME, FOCUSED_NAME, SIDEWAYS_SCROLL } from './accessibility.ts';
import { CHROMIUM_MISSING, findChromium, inCi, launchChromium } from './chromium.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DAY_MS = 86_400_000;
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const screenshot = (name: string) => fileURLToPath(new URL(`../../docs/images/${name}`, import.meta.url));

// In CI a missing Chromium is a failure (beforeAll throws CHROMIUM_MISSING); elsewhere the file is
// skipped with the same message, so a laptop without Chromium can still run `npm test`.
const available = findChromium() !== undefined;
if (!available && !inCi()) console.warn(`test/browser/console.test.ts skipped. ${CHROMIUM_MISSING}`);

describe.skipIf(!available && !inCi())('admin console in Chromium', () => {
  let api: LocalApi;
  let consoleApp: RunningConsole;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Plain tokens generated through the console, by name. */
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    browser = await launchChromium();
    api = await startLocalApi({ config: { maxActiveTokens: 2 } });
    const target = await resolveTarget({ url: api.url, adminKey: api.adminKey }, {}, ROOT);
    consoleApp = await startConsole({ target });
    context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    // Fail fast with Playwright's message rather than at the test's own timeout.
    context.setDefaultTimeout(5_000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: consoleApp.origin });
    page = await context.newPage();
    const entry = await page.goto(consoleApp.url);
    expect(entry?.status()).toBe(200);
    expect(new URL(page.url()).search, 'the secret leaves the address bar').toBe('');
  });
  afterAll(async () => {
    await browser?.close();
    await consoleApp?.close();
    await api?.close();
  });

  let visits = 0;
  /** A fresh load of the screen (a new query string: going to the same #hash would not reload). */
  const open = async (hash: string, tab: Page = page) => {
    await tab.goto(`${consoleApp.origin}/?visit=${++visits}${hash}`);
    await tab.getByRole('heading', { level: 1 }).waitFor();
  };
  const scim = (token: string) => api.call('GET', '/Users', { token });
  const clipboard = () => page.evaluate('navigator.clipboard.readText()') as Promise<string>;

  it('a request without the URL secret is refused', async () => {
    const stranger = await browser.newContext();
    try {
      const tab = await stranger.newPage();
      const res = await tab.goto(`${consoleApp.origin}/`);
      expect(res?.status()).toBe(403);
      await tab.getByText(/Open the URL that scim-admin console printed/).waitFor();
      const wrong = await tab.goto(`${consoleApp.origin}/?token=guess`);
      expect(wrong?.status()).toBe(403);
      const call = await tab.evaluate(
        `fetch('/api/tenants', { headers: { 'x-scim-console': '1' } }).then((r) => r.status)`,
      );
      expect(call).toBe(403);
    } finally {
      await stranger.close();
    }
  });

  it('a page of another origin cannot drive it, even on the same host (same site) with the cookie', async () => {
    // A page on another port of 127.0.0.1: same site, so the SameSite cookie alone would not stop it.
    const other = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>other</title><h1>other</h1>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const tab = await context.newPage();
      await tab.goto(otherOrigin);
      const outcome = await tab.evaluate(`(async () => {
        const results = [];
        // A form-like simple request (no preflight): the console sees a foreign Origin and refuses it.
        try {
          const r = await fetch('${consoleApp.origin}/api/tenants/default/tokens', {
            method: 'POST', mode: 'no-cors', credentials: 'include',
            headers: { 'content-type': 'text/plain' }, body: '{"name":"cross-origin"}',
          });
          results.push('no-cors:' + r.type);
        } catch (e) { results.push('no-cors:error'); }
        // With the console's header the browser must ask first; the console never allows it.
        try {
          await fetch('${consoleApp.origin}/api/tenants', { credentials: 'include', headers: { 'x-scim-console': '1' } });
          results.push('read:allowed');
        } catch (e) { results.push('read:blocked'); }
        return results;
      })()`);
      // The simple request reaches the console, which refuses it (checked below: no token was made);
      // the browser then hides the answer (opaque) or drops it (Cross-Origin-Resource-Policy).
      expect(outcome).toEqual([expect.stringMatching(/^no-cors:(opaque|error)$/), 'read:blocked']);
      await tab.close();
      const list = await api.admin('GET', '/tenants/default/tokens');
      expect(list.body.tokens.map((t: { name: string }) => t.name)).not.toContain('cross-origin');
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('creates a tenant', async () => {
    await open('#/');
    await page.getByRole('textbox', { name: 'Tenant id' }).fill('acme');
    await page.getByRole('textbox', { name: 'Display name (optional)' }).fill('Acme Corp');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('status').filter({ hasText: 'Tenant acme created.' }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'acme', exact: true }) });
    await expect.poll(() => row.innerText()).toMatch(/acme\s+Acme Corp\s+On\s+0\s+0\s+0/);
    expect((await api.admin('GET', '/tenants/acme')).body.displayName).toBe('Acme Corp');
  });

  it('generates a token: the popup shows it once with a copy button, and it works against the SCIM API', async () => {
    await open('#/tenants/acme/tokens');
    await page.getByRole('button', { name: 'Generate token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate token' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('okta-prod');
    await dialog.getByRole('combobox', { name: 'Scope' }).selectOption('full');
    await dialog.getByRole('spinbutton', { name: 'Lifetime in days' }).fill('10');
    await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
    const shown = dialog.getByRole('textbox', { name: 'Token' });
    const token = await shown.inputValue();
    expect(token).toMatch(/^scim_/);
    tokens['okta-prod'] = token;
    await dialog.getByText('It cannot be shown again').waitFor();
    await dialog.getByRole('button', { name: 'Copy Token' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
    expect(await clipboard()).toBe(token);
    if (SCREENSHOTS) await page.screenshot({ path: screenshot('console-token-popup.png') });

    expect((await scim(token)).status).toBe(200);

    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('cell', { name: 'okta-prod', exact: true }).waitFor();
    expect(await page.content(), 'the token is gone from the page').not.toContain(token);
  });

  it('lists tokens with status text and yyyy-MM-dd expiry, and warns of one expiring within 30 days', async () => {
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'okta-prod', exact: true }) });
    const expires = new Date(api.clock.now.getTime() + 10 * DAY_MS).toISOString().slice(0, 10);
    const cells = await row.getByRole('cell').allInnerTexts();
    expect(cells.slice(0, 6)).toEqual([
      'okta-prod',
      'Full (read and write)',
      api.clock.now.toISOString().slice(0, 10),
      `${expires} ⚠ Expires in 10 days`,
      'Active',
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/),
    ]);
    await expect.poll(() => page.getByRole('note').innerText()).toMatch(/1 token expires within 30 days/);
  });

  it("at the tenant's cap, Generate token is disabled and says why", async () => {
    await page.getByRole('button', { name: 'Generate token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate token' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('entra');
    await dialog.getByRole('combobox', { name: 'Scope' }).selectOption('read');
    await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
    tokens.entra = await dialog.getByRole('textbox', { name: 'Token' }).inputValue();
    await dialog.getByRole('button', { name: 'Done' }).click();

    const generate = page.getByRole('button', { name: 'Generate token' });
    await page.getByRole('cell', { name: 'entra', exact: true }).waitFor();
    await expect.poll(() => generate.isDisabled()).toBe(true);
    const reasonId = await generate.getAttribute('aria-describedby');
    await expect
      .poll(() => page.locator(`#${reasonId}`).innerText())
      .toMatch(/already has 2 active tokens, the maximum \(2\)\. Delete one, or wait until one expires/);
    if (SCREENSHOTS) await page.screenshot({ path: screenshot('console-tokens.png'), fullPage: true });
  });

  it('an expired token shows Expired (and frees its slot); Delete asks first, then the row shows Revoked', async () => {
    api.clock.advance(11 * DAY_MS);
    try {
      await open('#/tenants/acme/tokens');
      const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'okta-prod', exact: true }) });
      await expect.poll(() => row.getByRole('cell').nth(4).innerText()).toBe('Expired');
      await expect.poll(() => row.innerText()).not.toMatch(/Expires in/);
      await expect.poll(() => page.getByRole('button', { name: 'Generate token' }).isEnabled()).toBe(true);
      expect((await scim(tokens['okta-prod']!)).status).toBe(401);

      await page.getByRole('button', { name: 'Delete token okta-prod' }).click();
      const ask = page.getByRole('alertdialog', { name: 'Delete token okta-prod?' });
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => page.getByRole('cell', { name: 'okta-prod', exact: true }).count()).toBe(1);

      await page.getByRole('button', { name: 'Delete token okta-prod' }).click();
      await ask.getByRole('button', { name: 'Delete token' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: 'Token okta-prod deleted: it is listed as Revoked for 30 days.' })
        .waitFor();
      // Listed as revoked (text, not colour alone) until TTL removes it; nothing left to delete.
      await expect.poll(() => row.getByRole('cell').nth(4).innerText()).toBe('Revoked');
      await expect.poll(() => page.getByRole('button', { name: 'Delete token okta-prod' }).count()).toBe(0);
      expect((await scim(tokens['okta-prod']!)).body.detail).toBe('token revoked or unknown');
    } finally {
      api.clock.advance(-11 * DAY_MS);
    }
  });

  it('switching provisioning off warns that every token is deleted, asks to confirm, then the token fails', async () => {
    expect((await scim(tokens.entra!)).status).toBe(200);
    await open('#/tenants/acme/provisioning');
    const toggle = page.getByRole('switch', { name: 'Provisioning' });
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');

    await toggle.click();
    const ask = page.getByRole('alertdialog', { name: 'Turn provisioning off?' });
    await expect.poll(() => ask.innerText()).toMatch(/Every token of tenant acme is deleted now \(1 active token\)/);
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    expect((await scim(tokens.entra!)).status).toBe(200);

    await toggle.click();
    await ask.getByRole('button', { name: 'Turn off and delete all tokens' }).click();
    await page.getByText('Provisioning is off. 1 token(s) deleted.').waitFor();
    await expect
      .poll(() => page.getByRole('switch', { name: 'Provisioning' }).getAttribute('aria-checked'))
      .toBe('false');
    const refused = await scim(tokens.entra!);
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe('provisioning disabled');

    await open('#/tenants/acme/tokens');
    await expect.poll(() => page.getByRole('button', { name: 'Generate token' }).isDisabled()).toBe(true);
    await page.getByText(/Provisioning is off for this tenant: turn it on/).waitFor();

    await open('#/tenants/acme/provisioning');
    await page.getByRole('switch', { name: 'Provisioning' }).click();
    await page.getByText(/Provisioning is on\. Generate a token/).waitFor();
    expect((await api.admin('GET', '/tenants/acme')).body.provisioning.enabled).toBe(true);
  });

  it('shows the SCIM base URL with a copy button', async () => {
    await open('#/tenants/acme/provisioning');
    await expect.poll(() => page.getByRole('textbox', { name: 'SCIM base URL' }).inputValue()).toBe(api.scimUrl);
    await page.getByRole('button', { name: 'Copy SCIM base URL' }).click();
    expect(await clipboard()).toBe(api.scimUrl);
    if (SCREENSHOTS) await page.screenshot({ path: screenshot('console-provisioning.png') });
  });

  it('a user created over SCIM appears in the directory search, with its groups; a group with its members', async () => {
    const token = await api.tokenFor('acme', { name: 'okta-sync' });
    tokens['okta-sync'] = token;
    const user = await api.call('POST', '/Users', {
      token,
      body: { userName: 'grace@example.com', externalId: 'okta-00g1', displayName: 'Grace Hopper' },
    });
    expect(user.status, user.text).toBe(201);
    const group = await api.call('POST', '/Groups', {
      token,
      body: { displayName: 'Navy', members: [{ value: user.body.id }] },
    });
    expect(group.status, group.text).toBe(201);

    await open('#/tenants/acme/directory');
    await page.getByRole('searchbox', { name: 'Search users by userName or externalId' }).fill('okta-00g1');
    await page.getByRole('button', { name: 'Search users' }).click();
    await page.getByRole('status').filter({ hasText: '1 user found.' }).waitFor();
    await page.getByRole('button', { name: 'grace@example.com' }).click();
    const heading = page.getByRole('heading', { name: 'User grace@example.com' });
    await heading.waitFor();
    await expect.poll(() => page.evaluate('document.activeElement.textContent')).toBe('User grace@example.com');
    const detail = page.locator('.detail').first();
    await expect.poll(() => detail.innerText()).toMatch(/Display name\s+Grace Hopper/);
    await detail.getByRole('heading', { name: 'Groups (1)' }).waitFor();
    await expect.poll(() => detail.getByRole('listitem').allInnerTexts()).toEqual(['Navy']);

    await page.getByRole('searchbox', { name: 'Search groups by displayName' }).fill('NAVY');
    await page.getByRole('button', { name: 'Search groups' }).click();
    await page.getByRole('button', { name: 'Navy', exact: true }).click();
    const groupDetail = page.locator('.detail').nth(1);
    await groupDetail.getByRole('heading', { name: 'Group Navy' }).waitFor();
    await expect.poll(() => groupDetail.innerText()).toMatch(/Members\s+1/);
    await expect
      .poll(() => groupDetail.getByRole('listitem').allInnerTexts())
      .toEqual(['grace@example.com (Grace Hopper)']);

    await page.getByRole('searchbox', { name: 'Search users by userName or externalId' }).fill('nobody@example.com');
    await page.getByRole('button', { name: 'Search users' }).click();
    await page.getByRole('status').filter({ hasText: '0 users found.' }).waitFor();
  });

  it("Connect your IdP shows each IdP's field names with the value to paste", async () => {
    await open('#/tenants/acme/idp');
    await page.getByRole('combobox', { name: 'Identity provider' }).selectOption({ label: 'Microsoft Entra ID' });
    const tenantUrl = page.getByRole('row').filter({ hasText: 'Tenant URL' });
    await expect.poll(() => tenantUrl.innerText()).toContain(api.scimUrl);
    await expect
      .poll(() => page.getByRole('row').filter({ hasText: 'Secret Token' }).innerText())
      .toMatch(/Tokens → Generate token/);
    await page.getByRole('button', { name: 'Copy the value for Tenant URL' }).click();
    expect(await clipboard()).toBe(api.scimUrl);
    await page.getByRole('combobox', { name: 'Identity provider' }).selectOption({ label: 'Okta' });
    await expect
      .poll(() => page.getByRole('row').filter({ hasText: 'SCIM connector base URL' }).innerText())
      .toContain(api.scimUrl);
  });

  it('Activity shows refused requests with their detail (or says the events feature is not available)', async () => {
    const feed = await api.admin('GET', '/tenants/acme/events');
    if (feed.status === 404) {
      await open('#/tenants/acme/activity');
      await expect.poll(() => page.getByRole('note').innerText()).toMatch(/events feature is not available/);
      return;
    }
    expect(feed.status, feed.text).toBe(200);
    // An IdP re-creating a user that exists: refused with 409, kept as the tenant's activity.
    const duplicate = await api.call('POST', '/Users', {
      token: tokens['okta-sync']!,
      body: { userName: 'grace@example.com' },
    });
    expect(duplicate.status, duplicate.text).toBe(409);
    await expect
      .poll(async () => {
        await open('#/tenants/acme/activity');
        await page.getByRole('heading', { name: 'Refused requests' }).waitFor();
        return page
          .getByRole('row')
          .filter({ hasText: 'POST /scim/v2/Users' })
          .first()
          .innerText()
          .catch(() => '');
      })
      .toMatch(/409 uniqueness[\s\S]*grace@example\.com[\s\S]*okta-sync/);
    await page.getByRole('heading', { name: 'Recent changes' }).waitFor();
    await page.getByRole('combobox', { name: 'Period' }).selectOption({ label: 'Last 7 days' });
    await page
      .getByRole('status')
      .filter({ hasText: /newest first/ })
      .first()
      .waitFor();
  });

  it('is usable with the keyboard alone: create a tenant and open it', async () => {
    await open('#/');
    const focusOn = async (name: string) => {
      for (let i = 0; i < 40; i += 1) {
        await page.keyboard.press('Tab');
        if ((await page.evaluate(FOCUSED_NAME)) === name) return;
      }
      throw new Error(`Tab never reached "${name}"`);
    };
    await focusOn('Tenant id');
    await page.keyboard.type('keyboard-co');
    await page.keyboard.press('Enter');
    await page.getByText('Tenant keyboard-co created.').waitFor();
    await focusOn('keyboard-co');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Tenant keyboard-co' }).waitFor();
    await expect.poll(() => page.evaluate('document.activeElement.tagName')).toBe('H1');
  });

  const SCREENS = [
    '#/',
    ...['provisioning', 'tokens', 'idp', 'directory', 'activity'].map((s) => `#/tenants/acme/${s}`),
  ];

  it('every control on every screen and dialog has a label (accessible name)', async () => {
    for (const hash of SCREENS) {
      await open(hash);
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate(CONTROLS_WITHOUT_NAME), hash).toEqual([]);
    }
    await open('#/tenants/acme/tokens');
    await page.getByRole('button', { name: 'Generate token' }).click();
    expect(await page.evaluate(CONTROLS_WITHOUT_NAME), 'Generate token dialog').toEqual([]);
    await page.keyboard.press('Escape');
    await open('#/tenants/acme/provisioning');
    await page.getByRole('switch', { name: 'Provisioning' }).click();
    expect(await page.evaluate(CONTROLS_WITHOUT_NAME), 'provisioning dialog').toEqual([]);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('at 375 px wide, no screen scrolls sideways', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 375, height: 812 });
    try {
      for (const hash of SCREENS) {
        await open(hash, phone);
        await phone.waitForLoadState('networkidle');
        expect(await phone.evaluate(SIDEWAYS_SCROLL), hash).toBe(0);
      }
      await open('#/tenants/acme/tokens', phone);
      await phone.getByRole('button', { name: 'Generate token' }).click();
      expect(await phone.evaluate(SIDEWAYS_SCROLL), 'Generate token dialog').toBe(0);
    } finally {
      await phone.close();
    }
  });
});
