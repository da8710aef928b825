import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { chromium } from 'playwright-core';
import { startE2eServer } from './test/e2e/server';
import { OFFICE_STUB, CHROMIUM_ARGS } from './test/e2e/harness';
import { startZohoSandbox } from './server/zoho-sandbox';
(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h9-smoke-'));
  fs.mkdirSync(path.join(dir, 'datasets'));
  const sb = await startZohoSandbox({ port: 0, register: true });
  const server = await startE2eServer({ dataDir: dir, datasetsDir: path.join(dir, 'datasets'), distDir: '/tmp/h9/dist' });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 350, height: 900 } });
  await page.addInitScript(OFFICE_STUB);
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
  try {
    await page.goto(`${server.origin}/taskpane.html`);
    await page.getByTestId('sign-in').waitFor();
    await page.getByLabel('User name').fill('root');
    await page.getByLabel('Role').selectOption('admin');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in').waitFor();
    const nav = page.getByRole('navigation', { name: 'Pages' });
    const tab = nav.getByRole('tab', { name: 'Connections', exact: true });
    if (await tab.isVisible()) await tab.click(); else { await nav.getByRole('button', { name: /^More pages/ }).click(); await page.getByRole('menuitem', { name: 'Connections', exact: true }).click(); }
    await page.getByTestId('connections-page').waitFor();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    await page.screenshot({ path: '/tmp/h9/conn-1.png', fullPage: true });
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByTestId('connections-list').waitFor({ timeout: 15000 });
    await page.getByRole('button', { name: 'Test' }).click();
    await page.getByTestId('connection-test-result').filter({ hasText: 'Connected to' }).waitFor({ timeout: 15000 });
    await page.screenshot({ path: '/tmp/h9/conn-2.png', fullPage: true });
    const html = await page.content();
    console.log('secret shown?', html.includes('sandbox-client-secret'));
    console.log('OK');
  } catch (e) {
    console.log('FAIL', (e as Error).message);
    await page.screenshot({ path: '/tmp/h9/conn-fail.png', fullPage: true });
  } finally {
    await browser.close(); await server.close(); await sb.close();
  }
})();
