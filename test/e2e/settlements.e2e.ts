/**
 * The Settlements page in preview mode against the real server: open settlement files (a mapping
 * file with the Zoho ids too), build, see the reconciliation and the sheets in the preview workbook;
 * then a settlement report served as a backend dataset; then a bad file and its problems.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { RESULTS, ROOT, startHarness, type Harness } from './harness';

const FIX = join(ROOT, 'test', 'fixtures', 'settlements');

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    prepareDatasets: async (dir) => {
      mkdirSync(join(dir, 'settlements'), { recursive: true });
      copyFileSync(join(FIX, 'v2-us.txt'), join(dir, 'settlements', 'v2-us.txt'));
    },
  });
  mkdirSync(RESULTS, { recursive: true });
});

afterAll(async () => {
  await h?.close();
});

async function expectText(locator: ReturnType<Page['getByTestId']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 30_000 });
}

async function tab(page: Page, name: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Pages' });
  const t = nav.getByRole('tab', { name, exact: true });
  if (await t.isVisible()) await t.click();
  else {
    await nav.getByRole('button', { name: /^More pages/ }).click();
    await page.getByRole('menuitem', { name, exact: true }).click();
  }
  await page.getByRole('region', { name, exact: true }).waitFor();
}

async function reconciliationRows(page: Page): Promise<string[][]> {
  return page.$$eval('[data-testid="reconciliation-row"]', (rows) =>
    rows.map((r) => [r.querySelector('span')?.textContent ?? '', ...Array.from(r.querySelectorAll('dd')).map((dd) => dd.textContent ?? '')]),
  );
}

test('files and a mapping file → the four sheets, balanced, ready to post', async () => {
  const { page } = h;
  await page.goto(`${h.server.origin}/taskpane.html`);
  await page.getByTestId('sign-in').waitFor();
  await page.getByLabel('User name').fill('pat');
  await page.getByLabel('Role').selectOption('preparer');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.getByTestId('signed-in'), 'pat');

  await tab(page, 'Settlements');
  await page.getByTestId('settlements-mapping').setInputFiles(join(FIX, 'demo-config.json'));
  await expectText(page.getByRole('region', { name: 'Settlements', exact: true }), 'Mapping: demo-config.json');
  await page.getByTestId('settlements-files').setInputFiles([join(FIX, 'v2-us.txt'), join(FIX, 'v2-eu-cp1252.txt'), join(FIX, 'v1-legacy.txt')]);
  await page.getByTestId('settlements-build').click();
  await expectText(page.getByTestId('settlements-outcome'), '3 settlements: 4 invoices, 3 payments, 3 journals written to Invoices, Payments, Journals, Reconciliation, Settlement Problems. Ready to post.');
  expect(await reconciliationRows(page)).toEqual([
    ['20000001 USD · Balanced', '18.99', '77.35', '-58.36', '0.00'],
    ['20000002 EUR · Balanced', '1,020.88', '1,333.32', '-312.44', '0.00'],
    ['20000003 USD · Balanced', '1.00', '20.00', '-19.00', '0.00'],
  ]);
  // The windows-1252 file is read, and said so.
  await expectText(page.getByTestId('problems-list'), 'read as windows-1252');
  await page.screenshot({ path: join(RESULTS, 'settlements.png') });

  await tab(page, 'Workbook');
  for (const sheet of ['Invoices', 'Payments', 'Journals', 'Reconciliation']) await page.getByRole('tab', { name: sheet, exact: true }).waitFor();
  await page.getByRole('tab', { name: 'Invoices', exact: true }).click();
  await page.getByTestId('sheet-grid').waitFor();
  const grid = await page.$$eval('[data-testid="sheet-grid"] tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).slice(1).map((td) => td.textContent ?? '')));
  expect(grid[0]!.slice(0, 3)).toEqual(['SETTLEMENT_ID', 'INVOICE_NUMBER', 'ORDER_ID']);
  // The 17-digit-style ids stay text, exactly.
  expect(grid.some((r) => r.includes('460000000000201'))).toBe(true);
});

test('a settlement report served as a dataset, per-settlement invoices', async () => {
  const { page } = h;
  await tab(page, 'Settlements');
  await page.getByRole('radio', { name: 'A dataset on the server' }).check();
  const select = page.getByTestId('settlements-dataset');
  await select.locator('option', { hasText: 'v2-us.txt' }).waitFor({ state: 'attached' });
  await page.getByRole('radio', { name: 'One per settlement' }).check();
  await page.getByTestId('settlements-build').click();
  await expectText(page.getByTestId('settlements-outcome'), '1 settlement: 1 invoice, 1 payment, 1 journal');
  expect(await reconciliationRows(page)).toEqual([['20000001 USD · Balanced', '18.99', '77.35', '-58.36', '0.00']]);
});

test('a bad file: blocking problems with their totals, held back from posting', async () => {
  const { page } = h;
  await tab(page, 'Settlements');
  await page.getByRole('radio', { name: 'Files on this computer' }).check();
  await page.getByRole('radio', { name: 'One per order (AMZN + 7 digits)' }).check();
  await page.getByTestId('settlements-files').setInputFiles([join(FIX, 'bad', 'v2-bad.txt')]);
  await page.getByTestId('settlements-build').click();
  await expectText(page.getByTestId('settlements-outcome'), '4 blocking problems hold them back from posting.');
  const list = page.getByTestId('problems-list');
  await expectText(list, 'total-amount 999.99 USD does not equal the sum of the detail amounts 19.98 USD');
  await expectText(list, 'SKU "SKU-UNKNOWN" has no Zoho item (15.00 USD on 1 row)');
  await expectText(list, '"Mystery Fee": -7.77 USD on 1 row');
  await expectText(list, 'both get invoice number AMZN1234567');
  expect((await reconciliationRows(page))[0]![0]).toBe('20000004 USD · Check');
  await expectText(page.getByTestId('settlements-reconciliation'), 'total-amount differs from the detail sum by 980.01');
});
