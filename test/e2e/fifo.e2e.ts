/**
 * The FIFO page in a real browser (preview mode, real server): a transactions dataset from the
 * backend is matched and the five sheets land in the preview workbook. The data holds finance's
 * worked example (a 16.07 spend against 14.23, 0.94 and 0.90) and an overspend. FIFO Analytics shows
 * its outstanding-over-time chart in the pane, one point per day of the sheet's table.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readXlsxCharts } from '../xlsx-charts';
import { RESULTS, expectText, openPage, openSignedIn, startHarness, type Harness } from './harness';

let h: Harness;

const CSV = [
  'TRANS_ID,TCTYPE,CREATEDAT,EXPIREDAT,CUSTOMERID,ORDERID,AMOUNT,REASON',
  // newest first, as the export comes; ids stored as floats
  '5.0,spent,2024-07-01 10:00:00,,C2,114-0000001-0000002,-5.00,Order payment',
  '4.0,spent,2024-06-02 09:00:00,,C1,111-2223334-5556667,-16.07,Order payment',
  '3.0,earned,2024-06-01 11:00:00,2025-06-01,C1,,0.90,"Delivered, Not Received"',
  '2.0,earned,2024-06-01 10:00:00,2025-06-01,C1,,0.94,Promotion',
  '1.0,earned,2024-06-01 09:00:00,2025-06-01,C1,,14.23,Promotion',
  '6.0,earned,2024-06-15 09:00:00,2025-06-15,C2,,3.00,Promotion',
].join('\r\n');

beforeAll(async () => {
  h = await startHarness({ prepareDatasets: async (dir) => writeFileSync(join(dir, 'tc_data.csv'), CSV) });
  mkdirSync(RESULTS, { recursive: true });
});

afterAll(async () => {
  await h?.close();
});

test('a backend dataset → FIFO sheets in the workbook, the 0.90 lot closed exactly, the overspend reported', async () => {
  const { page } = h;
  await openSignedIn(h, 'fran', 'preparer');
  const region = await openPage(page, 'FIFO');
  await region.getByLabel('Dataset on the server').check();
  await page.getByTestId('fifo-dataset').selectOption({ label: 'tc_data.csv' });
  await page.getByTestId('fifo-run').click();
  await expectText(page.getByTestId('fifo-outcome'), 'Wrote FIFO Allocations');
  await page.screenshot({ path: join(RESULTS, 'fifo.png') });
  // C2 spends 5.00 against one 3.00 lot: 3.00 matched, 2.00 unmatched and listed as a problem.
  await expectText(page.getByTestId('problems-list'), 'C2');

  await openPage(page, 'Workbook');
  for (const sheet of ['FIFO Allocations', 'TC_Data with redemptions', 'Balance history', 'Current balances', 'FIFO Analytics']) {
    await page.getByRole('tab', { name: sheet, exact: true }).waitFor();
  }
  await page.getByRole('tab', { name: 'FIFO Allocations', exact: true }).click();
  await page.getByTestId('sheet-grid').waitFor();
  const grid = await page.$$eval('[data-testid="sheet-grid"] tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).slice(1, 4).map((td) => (td.textContent ?? '').trim())),
  );
  expect(grid[0]).toEqual(['REDEEM_TRANS_ID', 'EARNED_TRANS_ID', 'AMOUNT']);
  expect(grid.slice(1).filter((r) => r[0] !== '')).toEqual([
    ['4', '1', '14.23'],
    ['4', '2', '0.94'],
    ['4', '3', '0.90'],
    ['5', '6', '3.00'],
  ]);

  // The chart of FIFO Analytics, drawn in the pane at its width: an svg named by the chart's title with
  // one point of the OUTSTANDING series per day (16.07 earned, spent to 0, 3.00 earned, the 3.00 spent).
  await page.getByRole('tab', { name: 'FIFO Analytics', exact: true }).click();
  const chart = page.getByTestId('sheet-chart');
  const svg = chart.locator('svg[aria-label="Outstanding reward cash"]');
  await svg.waitFor();
  const points = await svg.locator('[role="option"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  expect(points).toEqual(['2024-06-01. OUTSTANDING, 16.07.', '2024-06-02. OUTSTANDING, 0.', '2024-06-15. OUTSTANDING, 3.', '2024-07-01. OUTSTANDING, 0.']);
  const box = (await chart.boundingBox())!;
  expect(box.width).toBeGreaterThan(250);
  expect(box.x + box.width).toBeLessThanOrEqual(350);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  await chart.screenshot({ path: join(RESULTS, 'fifo-chart.png') });

  // The workbook downloaded from the preview carries the same chart as a native Excel chart.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download workbook' }).click()]);
  const file = join(RESULTS, 'fifo-preview.xlsx');
  await download.saveAs(file);
  const charts = await readXlsxCharts(readFileSync(file));
  expect(charts.map((c) => [c.sheet, c.kind, c.title])).toEqual([['FIFO Analytics', 'lineChart', 'Outstanding reward cash']]);
  expect(charts[0]!.series.map((s) => [s.categories, s.values])).toEqual([[['2024-06-01', '2024-06-02', '2024-06-15', '2024-07-01'], [16.07, 0, 3, 0]]]);
});
