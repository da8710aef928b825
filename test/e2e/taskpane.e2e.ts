/**
 * The task pane in preview mode against the real server: sign in, load datasets into the preview
 * workbook and compare the grid with the data, cancel a large load, keep a screenshot.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Page, Request, Route } from 'playwright-core';
import { RESULTS, TASK_PANE_WIDTH, expectText, openPage, startHarness, type Harness } from './harness';

// Ids with leading zeros and a 17-digit id, amounts as text, a comma inside quotes: what a
// finance CSV looks like, and what must reach the sheet unchanged.
const SMALL_HEADER = ['TRANS_ID', 'CUSTOMERID', 'TCTYPE', 'AMOUNT', 'REASON'];
const SMALL_ROWS: string[][] = Array.from({ length: 25 }, (_, i) => [
  String(1000 + i).padStart(6, '0'),
  i === 3 ? '12345678901234567' : `C${(i % 4) + 1}`,
  i % 3 === 0 ? 'spent' : 'earned',
  `${i % 3 === 0 ? '-' : ''}${10 + i}.${String(i).padStart(2, '0')}`,
  i === 5 ? 'refund, partial' : `reason ${i}`,
]);
const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const SMALL_CSV = [SMALL_HEADER, ...SMALL_ROWS].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';

const XLSX_HEADER = ['ORDERID', 'SKU', 'QTY', 'PRICE'];
const XLSX_ROWS: (string | number)[][] = Array.from({ length: 12 }, (_, i) => [`111-${String(i).padStart(7, '0')}`, `SKU-${i}`, i + 1, 9.5 + i]);

const BIG_ROWS = 40_000;

async function prepareDatasets(dir: string): Promise<void> {
  writeFileSync(join(dir, 'customer-rewards.csv'), SMALL_CSV);
  const lines = ['ID,VALUE,NOTE'];
  for (let i = 0; i < BIG_ROWS; i++) lines.push(`${i},${i * 3},row ${i}`);
  writeFileSync(join(dir, 'big-ledger.csv'), lines.join('\n') + '\n');
  // Line 3 has one field too many: the server reports it, the Data page lists it.
  writeFileSync(join(dir, 'uneven.csv'), 'ID,NAME,AMOUNT\n1,a,10\n2,b,20,extra\n3,c,30\n');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Orders');
  ws.addRow(XLSX_HEADER);
  for (const r of XLSX_ROWS) ws.addRow(r);
  await wb.xlsx.writeFile(join(dir, 'orders.xlsx'));
}

let h: Harness;
let token = '';

beforeAll(async () => {
  h = await startHarness({ prepareDatasets });
  mkdirSync(RESULTS, { recursive: true });
});

afterAll(async () => {
  await h?.close();
});

async function tab(page: Page, name: string): Promise<void> {
  await openPage(page, name);
}

/** The grid as text: header row first, then the data rows, without the row-number column. */
async function gridRows(page: Page): Promise<string[][]> {
  return page.$$eval('[data-testid="sheet-grid"] tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).slice(1).map((td) => td.textContent ?? '')),
  );
}

/** Sheet names on the preview's tabs (the tab's value: Fluent repeats the label text inside the tab). */
async function sheetTabNames(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="sheet-tabs"] [role="tab"]', (tabs) => tabs.map((t) => t.getAttribute('value') ?? ''));
}

async function datasetsFromServer(): Promise<{ id: string; name: string }[]> {
  const res = await fetch(`${h.server.origin}/api/datasets`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as unknown;
  return (Array.isArray(body) ? body : (body as { datasets: { id: string; name: string }[] }).datasets) as { id: string; name: string }[];
}

async function selectDataset(page: Page, fileName: string): Promise<void> {
  const ds = (await datasetsFromServer()).find((d) => d.name === fileName || d.id === fileName || d.name.startsWith(fileName.replace(/\.\w+$/, '')));
  if (!ds) throw new Error(`The server does not list ${fileName}.`);
  await page.getByTestId('dataset-select').selectOption(ds.id);
}

test('starts in preview mode with the stubbed Office and signs in with the development issuer', async () => {
  const { page } = h;
  await page.goto(`${h.server.origin}/taskpane.html`);
  await expectText(page.getByTestId('host-mode'), 'Preview (no Excel)');
  expect(await page.evaluate(() => (window as unknown as { __officeReadyCalls: number }).__officeReadyCalls)).toBeGreaterThan(0);

  await page.getByTestId('sign-in').waitFor();
  await page.screenshot({ path: join(RESULTS, 'taskpane-sign-in.png') });
  // A user name the server refuses: its sentence is shown, nobody is signed in.
  await page.getByLabel('User name').fill('alice smith!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.getByTestId('sign-in'), 'letters, digits');
  expect(await page.getByTestId('signed-in').count()).toBe(0);

  await page.getByLabel('User name').fill('alice');
  await page.getByLabel('Role').selectOption('preparer');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.getByTestId('signed-in'), 'alice');
  await expectText(page.getByTestId('signed-in'), 'preparer');
  token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('closedesk.session') ?? '{}').token as string);
  expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

  // The shell's pages are reachable at task pane width (tabs that fit, the rest in the More menu);
  // the Workbook page exists in preview mode.
  for (const name of ['Activity', 'Workbook', 'Data']) await tab(page, name);
});

test('loads a CSV dataset into a new preview sheet and the grid shows exactly its rows', async () => {
  const { page } = h;
  await tab(page, 'Data');
  await selectDataset(page, 'customer-rewards.csv');
  await page.getByRole('button', { name: 'Load into a new sheet' }).click();
  await expectText(page.getByTestId('load-outcome'), 'Loaded 25 rows into sheet customer-rewards.');

  await tab(page, 'Workbook');
  await page.getByRole('tab', { name: 'customer-rewards' }).click();
  await page.getByTestId('sheet-grid').waitFor();
  const rows = await gridRows(page);
  expect(rows).toEqual([SMALL_HEADER, ...SMALL_ROWS]);
  await page.screenshot({ path: join(RESULTS, 'taskpane.png'), fullPage: false });
});

test('loads an .xlsx dataset; the grid equals the rows the server serves, and a second load gets a new sheet name', async () => {
  const { page } = h;
  await tab(page, 'Data');
  await selectDataset(page, 'orders.xlsx');
  const ds = (await datasetsFromServer()).find((d) => d.name.startsWith('orders'))!;
  const res = await fetch(`${h.server.origin}/api/datasets/${encodeURIComponent(ds.id)}?offset=0&limit=1000`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const served = (await res.json()) as { header: string[]; rows: unknown[][]; total: number };
  expect(served.total).toBe(XLSX_ROWS.length);

  await page.getByRole('button', { name: 'Load into a new sheet' }).click();
  const outcome = page.getByTestId('load-outcome');
  await expectText(outcome, `Loaded ${XLSX_ROWS.length} rows into sheet`);
  const sheet = /into sheet (.+)\./.exec((await outcome.textContent()) ?? '')![1]!;

  await page.getByRole('button', { name: 'Load into a new sheet' }).click();
  await expectText(outcome, `Loaded ${XLSX_ROWS.length} rows into sheet ${sheet} (2).`);

  await tab(page, 'Workbook');
  await page.getByRole('tab', { name: sheet, exact: true }).click();
  await page.getByTestId('sheet-grid').waitFor();
  // The caption counts sheet rows, as Excel does: the header row and the data rows.
  await expectText(page.getByTestId('grid-caption'), `${XLSX_ROWS.length + 1} rows.`);
  const rows = await gridRows(page);
  expect(rows).toEqual([served.header, ...served.rows.map((r) => r.map((c) => (c === null ? '' : String(c))))]);
  // And the server's rows are the ones written into the file.
  expect(rows.slice(1)).toEqual(XLSX_ROWS.map((r) => r.map(String)));
});

test('a problem in a loaded dataset is listed, and clicking it shows the cell in the Workbook page', async () => {
  const { page } = h;
  await tab(page, 'Data');
  await selectDataset(page, 'uneven.csv');
  await page.getByRole('button', { name: 'Load into a new sheet' }).click();
  await expectText(page.getByTestId('load-outcome'), 'Loaded 3 rows into sheet uneven.');
  const problems = page.getByTestId('problems-list');
  await expectText(problems, 'This line has 4 fields where the header has 3.');
  expect(await problems.textContent()).toContain('uneven row 3');
  await page.screenshot({ path: join(RESULTS, 'taskpane-problems.png') });

  await problems.getByRole('button').first().click();
  const selected = page.locator('[data-testid="sheet-grid"] td[data-selected]');
  await selected.waitFor();
  expect(await selected.getAttribute('data-cell')).toBe('A3');
  expect(await page.getByTestId('sheet-tabs').getByRole('tab', { selected: true }).getAttribute('value')).toBe('uneven');
});

test('Download workbook saves an .xlsx holding the loaded sheets; New workbook empties it; Open .xlsx brings it back', async () => {
  const { page } = h;
  await tab(page, 'Workbook');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download workbook' }).click()]);
  const file = join(RESULTS, 'downloaded-workbook.xlsx');
  await download.saveAs(file);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet('customer-rewards')!;
  expect(ws).toBeDefined();
  const firstData = (ws.getRow(2).values as unknown[]).slice(1);
  expect(firstData).toEqual(SMALL_ROWS[0]);

  const sheetTabs = () => sheetTabNames(page);
  const before = await sheetTabs();
  await page.getByRole('button', { name: 'New workbook' }).click();
  await waitUntilAsync(async () => (await sheetTabs()).join() === 'Sheet1', 'the new workbook');

  await page.getByTestId('open-xlsx').setInputFiles(file);
  await expectText(page.locator('[data-page="workbook"]'), 'Opened downloaded-workbook.xlsx.');
  await waitUntilAsync(async () => (await sheetTabs()).join() === before.join(), 'the reopened workbook', async () => `tabs ${(await sheetTabs()).join(' | ')}, expected ${before.join(' | ')}`);
  await page.getByTestId('sheet-tabs').getByRole('tab', { name: 'customer-rewards', exact: true }).click();
  await page.getByTestId('sheet-grid').waitFor();
  expect(await gridRows(page)).toEqual([SMALL_HEADER, ...SMALL_ROWS]);
});

test('Cancel stops a large load: no more pages are fetched and no sheet is created', async () => {
  const { page } = h;
  await tab(page, 'Data');
  await selectDataset(page, 'big-ledger.csv');

  // Hold the second page until Cancel has been pressed, so the cancel lands mid-load every time.
  const pageRequests: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const handler = async (route: Route, request: Request) => {
    pageRequests.push(request.url());
    if (pageRequests.length === 2) await released;
    await route.continue().catch(() => undefined); // the page may have aborted it already
  };
  await page.route('**/api/datasets/big-ledger*', handler);

  await page.getByRole('button', { name: 'Load into a new sheet' }).click();
  const progress = page.getByTestId('run-progress');
  await expectText(progress, 'of 40,000 rows');
  await waitUntil(() => pageRequests.length === 2, 'the second page request');
  await page.getByRole('button', { name: 'Cancel' }).click();
  release();

  const outcome = page.getByTestId('load-outcome');
  await expectText(outcome, 'Loading was cancelled after reading');
  expect(await outcome.textContent()).toMatch(/no sheet was created/);
  await progress.waitFor({ state: 'detached' });
  // Give a runaway loop every chance to show itself: the load button is back and no request followed.
  await page.getByRole('button', { name: 'Load into a new sheet' }).waitFor();
  await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
  expect(pageRequests).toHaveLength(2);
  await page.unroute('**/api/datasets/big-ledger*', handler);

  await tab(page, 'Workbook');
  const sheetTabs = await sheetTabNames(page);
  expect(sheetTabs.length).toBeGreaterThan(0);
  expect(sheetTabs.some((t) => t.startsWith('big-ledger'))).toBe(false);
});

test('Activity lists runs and audit entries (or says there are none), and the pane fits a 350 px task pane', async () => {
  const { page } = h;
  await tab(page, 'Activity');
  await page.getByTestId('runs').waitFor();
  await page.getByTestId('audit').waitFor();
  for (const id of ['runs', 'audit']) {
    const section = page.getByTestId(id);
    const items = await section.locator('li').count();
    if (items === 0) expect(await section.textContent()).toMatch(/No runs yet|no entries yet/);
  }
  // Signing in is audited; the entry shows who did it.
  await expectText(page.getByTestId('audit'), 'Auth dev sign in');
  expect(await page.getByTestId('audit').textContent()).toContain('alice');
  // … by her display name, the identity key (issuer#subject) as its tooltip.
  const who = page.getByTestId('audit').getByTestId('activity-who').filter({ hasText: /^alice$/ }).first();
  await who.waitFor();
  expect(await who.getAttribute('title')).toMatch(/^\S+#\S+$/);
  await page.screenshot({ path: join(RESULTS, 'taskpane-activity.png') });
  // Nothing in the layout is wider than the task pane (no horizontal scrollbar on the page).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(page.viewportSize()?.width).toBe(TASK_PANE_WIDTH);
  await tab(page, 'Data');
  await page.screenshot({ path: join(RESULTS, 'taskpane-data.png') });
  // Nothing tried to leave the machine except what the harness refused (office.js is stubbed, so not even that).
  expect(h.blockedRequests.filter((u) => !u.startsWith('https://appsforoffice.microsoft.com/'))).toEqual([]);
});

test('a ribbon button opens its page through the commands bundle; one without a page says so', async () => {
  const { page } = h;
  await tab(page, 'Data');
  const press = (name: string) =>
    page.evaluate(async (n) => {
      const handlers = (window as unknown as { __ribbonHandlers?: Record<string, (e: { completed(): void }) => Promise<void>> }).__ribbonHandlers;
      if (!handlers?.[n]) throw new Error(`The ribbon command ${n} was not registered.`);
      let completed = false;
      await handlers[n]!({ completed: () => void (completed = true) });
      return completed;
    }, name);
  expect(await press('SendFiles')).toBe(true);
  await page.getByRole('region', { name: 'Activity', exact: true }).waitFor();
  const runFifo = await press('RunFifo');
  expect(runFifo).toBe(true);
  // Either the FIFO page is in this build and opens, or the pane says it is not available: never silence.
  await page.waitForFunction(
    () => !!document.querySelector('section[data-page="fifo"]:not([hidden])') || !!document.querySelector('[data-testid="ribbon-notice"]'),
  );
  const notice = page.getByTestId('ribbon-notice');
  if (await notice.count()) expect(await notice.textContent()).toContain('Run FIFO is not available in this version of CloseDesk yet.');
});

test('an expired or rejected token signs the user out with a sentence', async () => {
  const { page } = h;
  await page.evaluate(() => {
    const s = JSON.parse(sessionStorage.getItem('closedesk.session')!);
    sessionStorage.setItem('closedesk.session', JSON.stringify({ ...s, token: 'not-a-token' }));
  });
  await page.reload();
  await page.getByTestId('sign-in').waitFor();
  await expectText(page.locator('main'), 'Your sign-in has expired. Please sign in again.');
});

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitUntilAsync(cond: () => Promise<boolean>, what: string, state?: () => Promise<string>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}${state ? `: ${await state()}` : ''}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
