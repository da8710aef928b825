/**
 * The FIFO page's work without the screen, against real parts: the preview workbook (exceljs), the
 * real backend listening on 127.0.0.1 (datasets, POST /api/runs) through the task pane's ApiClient,
 * and the CLI on the same data (same result checksum from both hosts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { ApiClient } from '../../taskpane/api';
import { PreviewWorkbook } from '../../taskpane/preview/preview-workbook';
import {
  defaultTransactionsSheet,
  readTransactionsFromWorkbook,
  recordFifoRun,
  runFifo,
} from '../../taskpane/pages/fifo/fifo-run';
import { PassThrough } from 'node:stream';
import { runCli } from '../../server/cli';
import { readDataset } from '../../taskpane/components/read-dataset';
import { writeSheets } from '../../src/workbook/write-sheets';
import { parseCsv } from '../../src/kernel/csv';
import { openTestBackend, type TestBackend } from './backends';
import { devId } from './people';

const WORKED = path.join(__dirname, '..', 'fixtures', 'fifo', 'worked-example.csv');
let t: TestBackend;
let app: FastifyInstance;
let api: ApiClient;

beforeAll(async () => {
  t = await openTestBackend('sqlite');
  const datasets = path.join(t.dir, 'datasets');
  fs.mkdirSync(datasets, { recursive: true });
  fs.copyFileSync(WORKED, path.join(datasets, 'TC_Data.csv'));
  const config = loadConfig(
    { CLOSEDESK_DATA_DIR: t.dir, CLOSEDESK_DATASETS_DIR: datasets, CLOSEDESK_HTTPS: 'off', LOG_LEVEL: 'silent', CLOSEDESK_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') },
    t.dir,
  );
  app = await buildApp(config, { store: t.store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  const token = await app.ctx.auth.devIssuer!.sign({ user: 'pat', roles: ['preparer'] });
  api = new ApiClient({ baseUrl: `http://127.0.0.1:${address.port}`, getToken: async () => token });
});
afterAll(async () => {
  await app?.close();
  await t?.cleanup();
});

function workedSheet() {
  const { table } = parseCsv(fs.readFileSync(WORKED, 'utf8'), { name: 'TC_Data' });
  return { name: 'TC_Data', columns: table.header.map((h) => ({ header: h, type: 'text' as const })), rows: table.rows };
}

test('TC_Data is offered first; FIFO outputs are not offered', () => {
  expect(defaultTransactionsSheet(['Sheet1', 'tc_data'])).toBe('tc_data');
  expect(defaultTransactionsSheet(['FIFO Allocations', 'TC_Data with redemptions', 'Data'])).toBe('Data');
  expect(defaultTransactionsSheet([])).toBeUndefined();
});

test('from a workbook sheet: five sheets written, run recorded with the same result checksum as the CLI', async () => {
  const wb = PreviewWorkbook.empty();
  await wb.writeSheet(workedSheet());
  const tables = await readTransactionsFromWorkbook(wb, 'TC_Data');
  const outcome = await runFifo(tables, { sheet: 'TC_Data', mode: 'lots' });
  expect(outcome.stopped).toBe(false);
  const progress: number[] = [];
  await writeSheets(wb, outcome.sheets, { onProgress: (done) => progress.push(done) });
  expect(await wb.listSheets()).toEqual(['Sheet1', 'TC_Data', 'FIFO Allocations', 'TC_Data with redemptions', 'Balance history', 'Current balances', 'FIFO Analytics']);
  const alloc = await wb.readSheet('FIFO Allocations');
  expect(alloc.rows).toEqual([
    ['4', '1', 14.23],
    ['4', '2', 0.94],
    ['4', '3', 0.9],
    ['6', '5', 5],
  ]);
  const tc = await wb.readSheet('TC_Data with redemptions');
  expect(tc.header.slice(-2)).toEqual(['REDEEMID', 'REMAINING']);
  expect(tc.rows[1]!.slice(-2)).toEqual(['4', 0]);
  expect(progress[progress.length - 1]).toBe(outcome.sheets.reduce((n, s) => n + s.rows.length, 0));

  const run = await recordFifoRun(api, outcome, { mode: 'lots', version: '0.1.0' });
  const rows = await t.store.query<{ id: string; job: string; result_checksum: string; input_checksum: string; user_id: string }>("SELECT * FROM runs WHERE job = 'fifo'");
  expect(rows).toEqual([expect.objectContaining({ id: run.id, user_id: devId('pat'), result_checksum: outcome.resultChecksum, input_checksum: outcome.inputChecksum })]);

  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fifo-tp-'));
  try {
    const code = await runCli(['fifo', WORKED, '--out', out, '--no-record'], { out: new PassThrough(), err: new PassThrough() });
    expect(code).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'analytics_report.json'), 'utf8'));
    expect(report.resultChecksum).toBe(outcome.resultChecksum);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('from a dataset on the server, page by page; a sheet without TCTYPE stops with the column named', async () => {
  const list = await api.listDatasets();
  const dataset = list.find((d) => /TC_Data/.test(d.name))!;
  expect(dataset).toBeDefined();
  const seen: number[] = [];
  const { table } = await readDataset((id, offset, limit, signal) => api.getDatasetPage(id, offset, limit, signal), dataset.id, dataset.name, { pageSize: 2, onProgress: (n) => seen.push(n) });
  expect(seen).toEqual([2, 4, 6]);
  const outcome = await runFifo([table], { sheet: table.name, mode: 'lots', asOf: '2024-03-03' });
  expect(outcome.analytics.allocations).toBe(4);
  expect(outcome.sheets.find((s) => s.name === 'Current balances')!.rows).toEqual([
    ['77', 0, 1607],
    ['78', -200, 500],
  ]);

  const wb = PreviewWorkbook.empty();
  await wb.writeSheet({ name: 'TC_Data', columns: [{ header: 'TRANS_ID', type: 'text' }, { header: 'AMOUNT', type: 'text' }], rows: [['1', '2.00']] });
  const stopped = await runFifo(await readTransactionsFromWorkbook(wb, 'TC_Data'), { sheet: 'TC_Data', mode: 'lots' });
  expect(stopped.stopped).toBe(true);
  expect(stopped.sheets).toEqual([]);
  expect(stopped.problems.map((p) => p.column)).toEqual(expect.arrayContaining(['TCTYPE', 'CREATEDAT', 'CUSTOMERID']));
});
