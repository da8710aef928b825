/**
 * Every page at a 350 px task pane, after running its demo on the demo data: nothing scrolls
 * sideways and no two visible text boxes overlap (test/e2e/layout.ts). Screenshots of each page are
 * kept in test-results/pane-width/. Along the way, the problems of the demo FIFO run are worked the
 * way a person would: 158 × "Order … is not in Sales" folded into one line, opened, and the last one
 * clicked, which shows its cell on the Workbook page, scrolled into view and highlighted.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateDemoData } from '../../scripts/generate-demo-data';
import { RESULTS, TASK_PANE_WIDTH, expectText, openPage, openSignedIn, startHarness, type Harness } from './harness';
import { expectChosenOptionReadable, expectFitsPane, expectShownInFull } from './layout';

/** Excel's task pane is 320–450 px wide; 350 is the desktop default. */
const PANE_WIDTHS = [320, 350, 450] as const;

const connection = (id: string, name: string, organizationName: string, dataCentreLabel: string) => ({
  id,
  name,
  dataCentre: 'com',
  dataCentreLabel,
  organizationId: '60012345678',
  organizationName,
  clientId: '1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123',
  sandbox: false,
  createdBy: 'https://login.example.test#admin',
  createdAt: '2024-11-01T09:00:00Z',
  lastTestAt: null,
  lastTestResult: null,
});

let h: Harness;
let datasetsDir = '';

beforeAll(async () => {
  h = await startHarness({
    prepareDatasets: async (dir) => {
      datasetsDir = dir;
      await generateDemoData(dir);
    },
  });
  mkdirSync(RESULTS, { recursive: true });
  // Two Zoho connections with the long names organisations have: the Settlements page offers them in one dropdown.
  await h.page.route('**/api/zoho/connections', (route) =>
    route.request().method() === 'GET'
      ? route.fulfill({
          json: {
            connections: [
              connection('c1', 'Contoso Books (United States, production)', 'Contoso Retail Holdings International Ltd.', 'United States'),
              connection('c2', 'Contoso Books EU', 'Contoso Retail Europe GmbH & Co. KG', 'Europe'),
            ],
          },
        })
      : route.continue(),
  );
  await openSignedIn(h, 'alice', 'preparer');
});

afterAll(async () => {
  await h?.close();
});

async function pickDataset(page: Page, testId: string, name: string | RegExp): Promise<void> {
  const select = page.getByTestId(testId);
  const option = select.locator('option', { hasText: name }).first();
  await option.waitFor({ state: 'attached' });
  await select.selectOption({ value: (await option.getAttribute('value'))! });
}

test('the pane is 350 px wide', () => {
  expect(h.page.viewportSize()?.width).toBe(TASK_PANE_WIDTH);
});

test('Data: a demo dataset loads into a sheet', async () => {
  const { page } = h;
  await openPage(page, 'Data');
  await pickDataset(page, 'dataset-select', 'chargebacks-2024-11.csv');
  await page.getByRole('button', { name: 'Load into a new sheet' }).click();
  await expectText(page.getByTestId('load-outcome'), 'Loaded 60 rows into sheet chargebacks-2024-11.');
  await expectFitsPane(page, 'data');
});

test('FIFO: the demo workbook, its problems by kind, one opened and clicked, the cell shown', async () => {
  const { page } = h;
  const region = await openPage(page, 'Workbook');
  await region.getByTestId('open-xlsx').setInputFiles(join(datasetsDir, 'reward-cash.xlsx'));
  await expectText(region, 'Opened reward-cash.xlsx.');

  const fifo = await openPage(page, 'FIFO');
  await fifo.getByTestId('fifo-sheet').selectOption('TC_Data');
  // A wrong date shows its sentence under the field, above the next control, not under it.
  await fifo.getByTestId('fifo-as-of').fill('30/06/2024');
  await expectText(fifo, 'A date as YYYY-MM-DD');
  await expectFitsPane(page, 'fifo-form-error');
  await fifo.getByTestId('fifo-as-of').fill('');
  await fifo.getByTestId('fifo-run').click();
  await expectText(fifo.getByTestId('fifo-outcome'), 'Wrote FIFO Allocations');
  const list = fifo.getByTestId('problems-list');
  // The 158 orders missing from Sales are one line, folded.
  const kind = list.getByTestId('problem-kind').filter({ hasText: /^\d+ × Order … is not in Sales/ });
  await kind.waitFor();
  const count = Number(/^(\d+) ×/.exec((await kind.textContent())!.trim())![1]);
  expect(count).toBeGreaterThan(100);
  expect(await kind.getAttribute('aria-expanded')).toBe('false');
  // A folded list is short: every kind is a line, no problem is listed yet.
  expect(await list.getByTestId('problem').count()).toBe(0);
  await expectFitsPane(page, 'fifo');

  await kind.click();
  expect(await kind.getAttribute('aria-expanded')).toBe('true');
  // Virtualised: far fewer rows in the page than problems in the kind.
  const rendered = await list.getByTestId('problem').count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(count);
  // The most frequent kind is listed first (there is no blocking kind in the demo): its header is
  // row 0 and its last problem row `count`. Scroll the list to it and click it.
  expect(await list.getByTestId('problem-kind').first().textContent()).toBe(await kind.textContent());
  await list.locator('div[style*="height"]').first().evaluate((el) => el.scrollTo(0, el.scrollHeight));
  const last = list.locator(`[data-index="${count}"]`).getByTestId('problem');
  await last.waitFor();
  const lastText = (await last.textContent())!;
  const row = Number(/TC_Data row (\d+)|TC_Data!F(\d+)/.exec(lastText)!.slice(1).find(Boolean));
  expect(row).toBeGreaterThan(100);
  await expectFitsPane(page, 'fifo-problems-open');
  await last.click();

  // The Workbook page shows TC_Data with that cell highlighted and scrolled into the grid's view.
  await page.getByRole('region', { name: 'Workbook', exact: true }).waitFor();
  const cell = page.locator(`[data-testid="sheet-grid"] td[data-selected][data-cell="F${row}"]`);
  await cell.waitFor();
  expect(await page.getByTestId('sheet-tabs').getByRole('tab', { selected: true }).getAttribute('value')).toBe('TC_Data');
  await page.waitForFunction(
    (sel) => {
      const td = document.querySelector(sel);
      const box = document.querySelector('[data-testid="sheet-grid-scroller"]');
      if (!td || !box) return false;
      const c = td.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      return c.top >= b.top && c.bottom <= b.bottom && c.left >= b.left && c.right <= b.right && c.bottom <= window.innerHeight && c.top >= 0;
    },
    `[data-testid="sheet-grid"] td[data-selected][data-cell="F${row}"]`,
  );
  await page.screenshot({ path: join(RESULTS, 'pane-width', 'workbook-cell-shown.png') });
  await expectFitsPane(page, 'workbook');
});

test('Workbook: a file that is not a workbook is refused in one sentence, with no library message or address', async () => {
  const { page } = h;
  const region = await openPage(page, 'Workbook');
  await region.getByTestId('open-xlsx').setInputFiles({ name: 'settlement report (final).xlsx', mimeType: 'application/octet-stream', buffer: Buffer.from('settlement-id\tamount\n1\t2\n') });
  await expectText(region, 'settlement report (final).xlsx could not be opened: it is not an Excel workbook (.xlsx), or it is damaged.');
  expect(await region.textContent()).not.toMatch(/https?:|zip file|central directory/i);
  await expectFitsPane(page, 'workbook-bad-file');
});

test('Vendor returns: demo datasets built in the pane', async () => {
  const { page } = h;
  const region = await openPage(page, 'Vendor returns');
  await region.getByRole('radio', { name: 'Datasets on the server' }).check();
  await expectText(region, 'datasets chosen');
  await region.getByTestId('vret-period').fill('2024-11');
  await region.getByTestId('vret-build').click();
  await expectText(region.getByTestId('vret-outcome'), 'wrote GLDI');
  await region.getByTestId('vret-balances').waitFor();
  await expectFitsPane(page, 'vendor-returns');
});

test('Settlements: a demo settlement report, the Zoho ids dropdown, the build and its problems', async () => {
  const { page } = h;
  const region = await openPage(page, 'Settlements');
  await region.getByRole('radio', { name: 'A dataset on the server' }).check();
  await pickDataset(page, 'settlements-dataset', 'settlement-11873355301.txt');
  const ids = region.getByTestId('settlements-id-source');
  await ids.waitFor();
  // Each choice reads in full or ends in "…" with the whole sentence in its title, at every pane width.
  const labels = new Set<string>();
  for (const width of PANE_WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const value of ['c1', '']) {
      await ids.selectOption(value);
      labels.add((await expectChosenOptionReadable(ids)).label);
      await expectFitsPane(page, `settlements-zoho-ids-${value || 'none'}-${width}`);
    }
  }
  await page.setViewportSize({ width: TASK_PANE_WIDTH, height: 900 });
  expect([...labels]).toEqual([
    'Zoho ids from connection Contoso Books (United States, production) (Contoso Retail Holdings International Ltd.)',
    'No Zoho ids (report every account, SKU and customer as unmapped)',
  ]);
  await expectFitsPane(page, 'settlements-form');
  await region.getByTestId('settlements-build').click();
  await expectText(region.getByTestId('settlements-outcome'), 'written to Invoices');
  await expectFitsPane(page, 'settlements');
});

test('Chargebacks: the demo records, four files with their partners', async () => {
  const { page } = h;
  const region = await openPage(page, 'Chargebacks');
  await region.getByRole('radio', { name: 'A dataset on the server' }).check();
  await pickDataset(page, 'cb-dataset', 'chargebacks-2024-11.csv');
  await region.getByTestId('cb-build').click();
  await expectText(region.getByTestId('cb-outcome'), 'valid records in');
  await region.getByTestId('cb-file').first().waitFor();
  await expectFitsPane(page, 'chargebacks');
});

test('Tuition: both demo partner files for 2024-11', async () => {
  const { page } = h;
  const region = await openPage(page, 'Tuition');
  await region.getByRole('radio', { name: 'Datasets on the server' }).check();
  await region.getByRole('checkbox', { name: /brightpath-2024-11/ }).check();
  await region.getByRole('checkbox', { name: /learnwell-2024-11/ }).check();
  await region.getByTestId('tu-month').fill('2024-11');
  await region.getByTestId('tu-build').click();
  await expectText(region.getByTestId('tu-outcome'), 'expense lines');
  await expectFitsPane(page, 'tuition');
});

test('Activity, and for an admin the Settings sections (Zoho connections among them)', async () => {
  const { page } = h;
  await openPage(page, 'Activity');
  await page.getByTestId('runs').waitFor();
  await expectFitsPane(page, 'activity');
  // Connections moved into Settings, which only administrators have.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await openSignedIn(h, 'root', 'admin');
  const settings = await openPage(page, 'Settings');
  for (const [label, testId, shot] of [
    ['Zoho connections', 'connections-page', 'connections'],
    ['Delivery partners', 'partners-section', 'settings-partners-demo'],
    ['Delivery targets', 'targets-section', 'settings-targets-demo'],
  ] as const) {
    await settings.getByTestId('settings-section').selectOption({ label });
    await page.getByTestId(testId).waitFor();
    await expectFitsPane(page, shot);
  }
  await expectText(page.getByTestId('targets-section'), 'Chargeback files');
});

test('a long user name in the header at 320, 350 and 450 px: the name ends in "…", the role badge reads in full', async () => {
  const { page } = h;
  const user = 'bartholomew.featherstonehaugh@contoso-retail-holdings.example';
  await page.getByRole('button', { name: 'Sign out' }).click();
  await openSignedIn(h, user, 'approver');
  const who = page.getByTestId('signed-in');
  const name = who.getByText(user, { exact: true });
  for (const width of PANE_WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await expectText(who.getByTestId('signed-in-role'), 'approver');
    await expectShownInFull(who.getByTestId('signed-in-role'));
    await expectShownInFull(page.getByRole('heading', { name: 'CloseDesk', exact: true }));
    // The name gives way: cut with "…", the whole of it in its title.
    expect(await name.evaluate((el) => ({ cut: el.scrollWidth > el.clientWidth, ellipsis: getComputedStyle(el).textOverflow, title: el.getAttribute('title') }))).toEqual({ cut: true, ellipsis: 'ellipsis', title: user });
    await expectShownInFull(page.getByRole('button', { name: 'Sign out' }));
    await expectFitsPane(page, `header-long-name-${width}`);
  }
  await page.setViewportSize({ width: TASK_PANE_WIDTH, height: 900 });
});
