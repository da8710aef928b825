/**
 * VRET headless runs: the CSV fixtures plus a THR folder, bad inputs, a real PostgreSQL source seeded
 * with the demo schema, and an unreachable source (nothing written).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../server/store';
import { readWorkbookTables } from '../../platform/workbook/excel-file';
import { readXlsxCharts } from '../xlsx-charts';
import { demoSchemaSql, demoSeedSql, vretDatasetQueries } from '../../server/jobs/vret/queries';
import { readThrFile } from '../../server/jobs/vret/thr';
import { runVretJob, VretSourceError } from '../../server/jobs/vret/job';
import { createDatasets } from '../../server/datasets';
import { createTestDatabase, freePort } from './postgres';
import { testAudit } from './backends';

const FIX = path.join(__dirname, '..', 'fixtures', 'vret');
const base = { ledger: 'Amazon.eu', geo: 'DE', period: '2024-11' };

let tmp: string;
let store: Store;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-vret-'));
  store = await openStore({ sqliteFile: path.join(tmp, 'closedesk.sqlite') });
});
afterAll(async () => {
  await store.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const outDir = (name: string) => path.join(tmp, name);
const visible = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

const SPURSH_HEADER = 'LEDGER,PERIOD,VENDOR_NAME,TRANSACTION_NUM,CURRENCY,TRANSACTION_AMOUNT,RVR_AMOUNT,FUNDING_AMOUNT';
const SPURSH_CSV_ROWS = [
  'Amazon.eu,2024-11,Acme GmbH,R1001,EUR,100.00,30.00,70.00',
  'Amazon.eu,2024-11,Delta GmbH,R1004,EUR,20.00,0.00,20.00',
  'Amazon.eu,2024-11,Acme GmbH,R1005,EUR,12.34,0.00,12.34',
];

test('--inputs + --thr: workbook with the VRET sheets and the funding chart, SPURSH file, run recorded with checksums', async () => {
  const out = outDir('inputs');
  const r = await runVretJob({ ...base, inputsDir: path.join(FIX, 'inputs'), thrDir: path.join(FIX, 'thr'), outDir: out, runId: 'T1', record: { store, audit: testAudit(store) } });
  expect(r.problems.filter((p) => p.severity === 'blocking')).toEqual([]);
  expect(visible(out)).toEqual(['SPURSH_Amazon.eu_T1.csv', 'VRET_Amazon.eu_T1.xlsx']);
  expect(r.balances).toEqual([{ currency: 'EUR', debits: 22_784, credits: 22_784, difference: 0 }]);
  expect(fs.readFileSync(r.spurshPath!, 'utf8')).toBe(
    [SPURSH_HEADER, ...SPURSH_CSV_ROWS, 'Amazon.eu,2024-11,Epsilon GmbH,T2001,EUR,40.00,0.00,40.00', 'Amazon.eu,2024-11,Zeta KG,T2002,EUR,5.50,0.00,5.50', ''].join('\r\n'),
  );
  const tables = await readWorkbookTables(r.workbookPath);
  expect(tables.map((t) => t.name)).toEqual(['GLDI', '20321 JE', '20321 Analysis', 'RVR Report', 'Funding by vendor', 'Problems']);
  // Funding per vendor (the SPURSH lines summed), largest first, and its bar chart over those cells.
  expect(tables[4]!.rows).toEqual([
    ['Acme GmbH', 82.34, 2],
    ['Epsilon GmbH', 40, 1],
    ['Delta GmbH', 20, 1],
    ['Zeta KG', 5.5, 1],
  ]);
  const charts = await readXlsxCharts(fs.readFileSync(r.workbookPath));
  expect(charts.map((c) => [c.sheet, c.kind, c.barDir, c.title])).toEqual([['Funding by vendor', 'barChart', 'bar', 'Funding by vendor']]);
  expect(charts[0]!.series.map((s) => [s.categoryRef, s.valueRef, s.values])).toEqual([
    ["'Funding by vendor'!$A$2:$A$5", "'Funding by vendor'!$B$2:$B$5", [82.34, 40, 20, 5.5]],
  ]);
  const je = tables[1]!;
  expect(je.header).toEqual(['LEDGER', 'CURRENCY', 'CO', 'LOC', 'CC', 'ACCT', 'PROD', 'CHAN', 'PROJ', 'DEBIT', 'CREDIT', 'DESCRIPTION']);
  // Segments stay text with their leading zeros in the file.
  const adjLine = je.rows.find((row) => row[3] === '0002' && row[5] === '13209')!;
  expect(adjLine.slice(2, 11)).toEqual(['010', '0002', '0100', '13209', '2530', '1015', '0007', 20, '']);
  const rvrReport = tables[3]!;
  expect(rvrReport.rows.find((row) => row[0] === 'R1009')![7]).toBe('Unmatched: no transaction');
  const analysis = tables[2]!;
  expect(analysis.rows.map((row) => row[analysis.header.indexOf('TRANSACTION_NUM')])).toEqual(['R1001', 'R1002', 'R1004', 'R1005', 'T2001', 'T2002']);
  const thrRow = analysis.rows.find((row) => row[13] === 'T2001')!;
  expect(thrRow.slice(0, 2)).toEqual(['thr_2024-11.txt', 2]);
  const run = await store.one<{ id: string; job: string; input_checksum: string; options: string; result_checksum: string }>('SELECT * FROM runs WHERE id = $1', [r.recordedRunId!]);
  expect(run).toMatchObject({ job: 'vret', input_checksum: r.inputChecksum, result_checksum: r.resultChecksum });
  expect(JSON.parse(run!.options).runId).toBe('T1');
  const audit = await store.one<{ action: string; subject_id: string }>("SELECT action, subject_id FROM audit_log WHERE subject_id = $1", [r.recordedRunId!]);
  expect(audit).toEqual({ action: 'run.recorded', subject_id: r.recordedRunId });
  expect(JSON.parse(run!.options).inputs.map((i: { name: string }) => i.name)).toEqual([
    'cm.csv', 'adj.csv', 'glap.csv', 'rvr.csv', 'l2c.csv', 'led2chan.csv', 'ledgers.csv', 'thr:thr_2024-11.txt',
  ]);
  expect(r.inputs.find((i) => i.name === 'cm.csv')!.sha256).toMatch(/^[0-9a-f]{64}$/);
});

test('bad inputs: named problems, the other rows go on, no SPURSH while something blocks', async () => {
  const out = outDir('bad');
  const r = await runVretJob({ ...base, inputsDir: path.join(FIX, 'bad'), thrDir: path.join(FIX, 'thr-bad'), outDir: out, runId: 'B1' });
  const blocking = r.problems.filter((p) => p.severity === 'blocking').map((p) => [p.source, p.row, p.code]);
  expect(blocking).toEqual([
    ['cm.csv', 3, 'bad-amount'],
    ['cm.csv', 4, 'duplicate-transaction-num'],
    ['thr_bad.txt', 3, 'field-count'],
  ]);
  expect(visible(out)).toEqual(['VRET_Amazon.eu_B1.xlsx']);
  expect(r.spurshPath).toBeUndefined();
  const tables = await readWorkbookTables(r.workbookPath);
  const problems = tables.find((t) => t.name === 'Problems')!;
  expect(problems.rows.some((row) => row[1] === 'thr_bad.txt' && row[2] === 3 && String(row[5]).includes('12 fields'))).toBe(true);
  // The THR lines around the bad one were still read.
  const analysis = tables.find((t) => t.name === '20321 Analysis')!;
  expect(analysis.rows.map((row) => row[13])).toEqual(expect.arrayContaining(['T2001', 'T2002']));
  expect(r.balances[0]!.difference).toBe(0);
});

test('malformed options stop before any output of value but still explain in the workbook', async () => {
  const out = outDir('opts');
  const r = await runVretJob({ ledger: 'Amazon.zz', geo: 'XX', period: '11/2024', inputsDir: path.join(FIX, 'inputs'), outDir: out, runId: 'O1' });
  expect(r.problems.map((p) => p.code).sort()).toEqual(['bad-period', 'no-l2c', 'unknown-geo']);
  expect(r.spurshPath).toBeUndefined();
});

test('THR reader streams chunks with true line numbers and a checksum', async () => {
  const chunks: { first: number; rows: number }[] = [];
  const r = await readThrFile(path.join(FIX, 'thr', 'thr_2024-11.txt'), (t) => void chunks.push({ first: t.firstRowNumber!, rows: t.rows.length }), 2);
  expect(chunks).toEqual([
    { first: 2, rows: 2 },
    { first: 4, rows: 2 },
  ]);
  expect(r.lines).toBe(5);
  expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
});

describe('PostgreSQL source', () => {
  let url: string;
  beforeAll(async () => {
    url = await createTestDatabase();
    const db = await openStore({ databaseUrl: url, migrate: false });
    await db.execScript(demoSchemaSql());
    await db.execScript(demoSeedSql());
    await db.close();
  });

  test('--source: bound parameters, lower-case columns matched by name, same result as the CSV fixtures', async () => {
    const out = outDir('pg');
    const r = await runVretJob({ ...base, source: url, outDir: out, runId: 'P1', record: { store, audit: testAudit(store) } });
    expect(r.problems.filter((p) => p.severity === 'blocking')).toEqual([]);
    expect(fs.readFileSync(r.spurshPath!, 'utf8')).toBe([SPURSH_HEADER, ...SPURSH_CSV_ROWS, ''].join('\r\n'));
    expect(r.balances).toEqual([{ currency: 'EUR', debits: 18_234, credits: 18_234, difference: 0 }]);
    expect(r.inputs.map((i) => i.name)).toEqual(['sql:CM', 'sql:ADJ', 'sql:GLAP', 'sql:RVR', 'sql:L2C', 'sql:LED2CHAN', 'sql:LEDGERS']);
    // The SQL applied the EU rule and the period: the FR-channel and October rows never left the database.
    expect(r.inputs.find((i) => i.name === 'sql:CM')!.rows).toBe(2);
    // A hostile ledger value is a bound parameter: no rows, no error, the table still there.
    const r2 = await runVretJob({ ...base, ledger: "Amazon.eu' OR '1'='1", source: url, outDir: outDir('pg2'), runId: 'P2' });
    expect(r2.problems.map((p) => p.code)).toContain('no-l2c');
    const db = await openStore({ databaseUrl: url, migrate: false });
    expect((await db.query('SELECT COUNT(*) AS n FROM vret_cm'))[0]).toEqual({ n: 4 });
    await db.close();
  });

  test('the queries plug into the datasets (CLOSEDESK_SQL_SOURCES): listed, and read with bound parameters', async () => {
    const q = vretDatasetQueries('vret');
    expect(q.map((x) => x.id)).toEqual(['vret_cm', 'vret_adj', 'vret_glap', 'vret_rvr', 'vret_l2c', 'vret_led2chan', 'vret_ledgers']);
    expect(q[0]!.params.map((p) => p.name)).toEqual(['ledger', 'period', 'geo', 'eu_ledger', 'eu_geos']);
    expect(q[0]!.sql).not.toMatch(/Amazon/);
    const file = path.join(tmp, 'sql-sources.json');
    fs.writeFileSync(file, JSON.stringify({ sources: { vret: { urlEnv: 'CLOSEDESK_TEST_VRET_URL' } }, queries: q }));
    process.env.CLOSEDESK_TEST_VRET_URL = url;
    const datasets = createDatasets({ dir: path.join(tmp, 'no-files'), sqlSourcesFile: file });
    try {
      expect((await datasets.list()).map((d) => d.id)).toEqual(q.map((x) => `sql:${x.id}`));
      const page = await datasets.read('sql:vret_cm', { params: { ledger: 'Amazon.eu', period: '2024-11', geo: 'DE' } });
      expect(page.header.slice(0, 3)).toEqual(['ledger', 'period', 'co']);
      expect(page.rows.map((r) => r[11])).toEqual(['R1001', 'R1002']);
      expect(page.rows[0]![2]).toBe('010');
      const rvrPage = await datasets.read('sql:vret_rvr', { params: { geo: 'DE' } });
      expect(rvrPage.total).toBe(3);
    } finally {
      await datasets.close();
      delete process.env.CLOSEDESK_TEST_VRET_URL;
    }
  });

  test('database unreachable: a clear error and nothing written', async () => {
    const port = await freePort();
    const out = outDir('down');
    await expect(runVretJob({ ...base, source: `postgres://postgres@127.0.0.1:${port}/nope`, outDir: out, runId: 'D1' })).rejects.toThrow(VretSourceError);
    await expect(runVretJob({ ...base, source: `postgres://postgres@127.0.0.1:${port}/nope`, outDir: out, runId: 'D1' })).rejects.toThrow(
      /cannot be reached .*Nothing was written/,
    );
    expect(visible(out)).toEqual([]);
  });
});
