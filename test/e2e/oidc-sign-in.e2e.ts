/**
 * Real sign-in: a real OpenID Connect provider (oidc-provider) on 127.0.0.1 over HTTPS, the
 * CloseDesk server trusting it (JWKS fetched over https with the provider's CA), and the built task
 * pane in Chromium signing in with MSAL through the provider's own login page in a popup. The pane
 * then calls the API with the token it got: it shows the user and role the server read from the
 * token and lists the datasets; its access tokens live one minute, so every call renews silently
 * (refresh token); sign-out forgets the tokens and the next user signs in with their own password.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { OIDC_USERS, startOidcProvider, type TestOidcProvider } from '../servers/oidc';
import { RESULTS, expectText, openPage, startHarness, type Harness } from './harness';
import { freePort } from './server';

let idp: TestOidcProvider;
let h: Harness;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'closedesk-oidc-e2e-'));
  const port = await freePort();
  idp = await startOidcProvider({ dir, redirectUris: [`http://127.0.0.1:${port}/auth-redirect.html`], accessTokenTtl: 60 });
  h = await startHarness({
    port,
    env: idp.serverEnv,
    allowOrigins: [idp.issuer],
    ignoreHTTPSErrors: true,
    prepareDatasets: async (d) => writeFileSync(join(d, 'ledger.csv'), 'ID,AMOUNT\n1,10.00\n2,20.00\n'),
  });
});

afterAll(async () => {
  await h?.close();
  await idp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Clicks the pane's sign-in button and signs in on the provider's page in the popup it opens. */
async function signInThroughProvider(page: Page, user: keyof typeof OIDC_USERS, password: string = OIDC_USERS[user].password): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Sign in with your work account' }).click()]);
  // MSAL opens the window blank, then sends it to the provider's authorization endpoint.
  await popup.waitForURL((u) => u.href.startsWith(`${idp.issuer}/`), { timeout: 30_000 });
  await popup.getByLabel('Username').fill(user);
  await popup.getByLabel('Password').fill(password);
  await popup.getByRole('button', { name: 'Sign in' }).click();
  return popup;
}

test('signs in through the provider login page, calls the API with the token, renews silently, signs out', async () => {
  const { page } = h;
  await page.goto(`${h.server.origin}/taskpane.html`);
  await page.getByRole('button', { name: 'Sign in with your work account' }).waitFor();
  await page.screenshot({ path: join(RESULTS, 'oidc-sign-in.png') });

  // A wrong password stays on the provider's page; the pane is not signed in.
  const first = await signInThroughProvider(page, 'alice', 'not-her-password');
  await expectText(first.getByRole('alert'), 'not right');
  expect(await page.getByTestId('signed-in').count()).toBe(0);
  await first.getByLabel('Username').fill('alice');
  await first.getByLabel('Password').fill(OIDC_USERS.alice.password);
  await first.getByRole('button', { name: 'Sign in' }).click();

  // The pane shows who the server says the token belongs to, with the role from the token's claim.
  await expectText(page.getByTestId('signed-in'), 'alice');
  await expectText(page.getByTestId('signed-in'), 'preparer');
  expect(idp.grants).toContain('authorization_code');

  // The Data page lists the server's datasets: the API accepted the provider's token.
  const data = await openPage(page, 'Data');
  await page.getByTestId('dataset-select').locator('option', { hasText: 'ledger.csv' }).waitFor({ state: 'attached' });
  await page.screenshot({ path: join(RESULTS, 'oidc-signed-in.png') });
  expect(await data.isVisible()).toBe(true);
  // Access tokens live a minute, inside MSAL's renewal margin: the calls above were made with renewed tokens.
  expect(idp.grants).toContain('refresh_token');

  // Reloading keeps the sign-in (MSAL's cache, silent).
  await page.reload();
  await expectText(page.getByTestId('signed-in'), 'alice');

  // Sign out: the tokens are forgotten; the next person signs in with their own password.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in with your work account' }).waitFor();
  await signInThroughProvider(page, 'bob');
  await expectText(page.getByTestId('signed-in'), 'bob');
  await expectText(page.getByTestId('signed-in'), 'approver');
});
