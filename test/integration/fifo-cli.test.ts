/**
 * `closedesk fifo` end to end on files: the worked example, every bad-input case, a workbook with
 * Excel serial dates and float ids, --xlsx, --as-of, the run recorded in a real SQLite store,
 * --sql, and --run-on against a real PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { Writable } from 'node:stream';
import { runCli } from '../../server/cli';
import { FIFO_OUTPUT_FILES } from '../../server/jobs/fifo/job';
import { readWorkbookTables } from '../../platform/workbook/excel-file';
import { readXlsxCharts } from '../xlsx-charts';
import { openStore } from '../../server/store';
import { parseCsv } from '../../src/kernel/csv';
import { isoToExcelSerial } from '../../src/kernel/dates';
import { createTestDatabase } from './postgres';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'fifo');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fifo-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

/** `closedesk fifo …` through the CLI, as a scheduled run starts it. */
async function run(args: string[], env: Record<string, string | undefined> = { CLOSEDESK_DATA_DIR: path.join(tmp, 'data') }) {
  const out = new Capture();
  const err = new Capture();
  const code = await runCli(['fifo', ...args], { out, err, env });
  return { code, stdout: out.text, stderr: err.text };
}

function csv(file: string): string[][] {
  const { table } = parseCsv(fs.readFileSync(file, 'utf8'), { name: path.basename(file) });
  return [table.header, ...(table.rows as string[][])];
}

describe('closedesk fifo on CSV', () => {
  const out = path.join(tmp, 'worked');
  let result: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    result = await run([path.join(FIXTURES, 'worked-example.csv'), '--out', out, '--as-of', '2024-03-03']);
  });

  test('runs, writes exactly the listed files, amounts with two decimals', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual([...FIFO_OUTPUT_FILES].sort());
    expect(csv(path.join(out, 'allocations.csv'))).toEqual([
      ['REDEEM_TRANS_ID', 'EARNED_TRANS_ID', 'AMOUNT'],
      ['4', '1', '14.23'],
      ['4', '2', '0.94'],
      ['4', '3', '0.90'],
      ['6', '5', '5.00'],
    ]);
    expect(csv(path.join(out, 'unmatched.csv'))).toEqual([
      ['TRANS_ID', 'UNMATCHED_AMOUNT'],
      ['6', '2.00'],
    ]);
    expect(csv(path.join(out, 'customer_current_balances.csv'))).toEqual([
      ['CUSTOMERID', 'BALANCE', 'BALANCE_AS_OF'],
      ['77', '0.00', '16.07'],
      ['78', '-2.00', '5.00'],
    ]);
  });

  test('tc_data_with_redemptions keeps the input columns, adds REDEEMID and REMAINING, neutralises formulas', () => {
    const rows = csv(path.join(out, 'tc_data_with_redemptions.csv'));
    expect(rows[0]).toEqual(['TRANS_ID', 'TCTYPE', 'CREATEDAT', 'EXPIREDAT', 'CUSTOMERID', 'ORDERID', 'AMOUNT', 'REASON', 'REDEEMID', 'REMAINING']);
    expect(rows[1]).toEqual(['4', 'spent', '2024-03-04 10:00:00', '', '77', 'O-1', '-16.07', 'Delivered, Not Received', '', '']);
    expect(rows[2]!.slice(-2)).toEqual(['4', '0.00']);
    expect(rows[5]).toEqual(['5', 'earned', '2024-03-01', '', '78', '', '5.00', `'=HYPERLINK("x")`, '6', '0.00']);
    const text = fs.readFileSync(path.join(out, 'tc_data_with_redemptions.csv'), 'utf8');
    expect(text.split('\r\n')).toHaveLength(8); // header + 6 rows + final line end
  });

  test('balance history, analytics report and problems', () => {
    const hist = csv(path.join(out, 'customer_balance_history.csv'));
    expect(hist[0]).toEqual(['CUSTOMERID', 'TRANS_ID', 'CREATEDAT', 'TCTYPE', 'AMOUNT', 'BALANCE']);
    expect(hist.slice(1).map((r) => [r[1], r[5]])).toEqual([
      ['1', '14.23'],
      ['2', '15.17'],
      ['3', '16.07'],
      ['4', '0.00'],
      ['5', '5.00'],
      ['6', '-2.00'],
    ]);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'analytics_report.json'), 'utf8'));
    expect(report).toMatchObject({ mode: 'lots', transactions: 6, unmatchedCents: 200, allocatedCents: 2107, negativeBalanceCustomers: 1 });
    expect(report.inputChecksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    const problems = csv(path.join(out, 'problems.csv'));
    expect(problems.slice(1).map((r) => [r[0], r[2], r[3], r[6]])).toEqual([['warning', '7', 'AMOUNT', 'unmatched']]);
  });

  test('the run is recorded in the local store with checksums and an audit entry', async () => {
    const store = await openStore({ sqliteFile: path.join(tmp, 'data', 'closedesk.sqlite') });
    try {
      const runs = await store.query<{ job: string; mode: string; input_checksum: string; result_checksum: string; row_counts: string }>(
        "SELECT * FROM runs WHERE job = 'fifo'",
      );
      expect(runs).toHaveLength(1);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'analytics_report.json'), 'utf8'));
      expect(runs[0]).toMatchObject({ mode: 'lots', input_checksum: report.inputChecksum, result_checksum: report.resultChecksum });
      expect(JSON.parse(runs[0]!.row_counts)).toMatchObject({ inputRows: 6, allocations: 4, unmatched: 1 });
      const audit = await store.query<{ action: string }>("SELECT action FROM audit_log WHERE action = 'run.recorded'");
      expect(audit.length).toBe(1);
    } finally {
      await store.close();
    }
  });

  test('one-to-one mode reproduces the legacy result and its gap', async () => {
    const o = path.join(tmp, 'legacy');
    const r = await run([path.join(FIXTURES, 'worked-example.csv'), '--mode', 'one-to-one', '--out', o, '--no-record']);
    expect(r.code).toBe(0);
    expect(csv(path.join(o, 'allocations.csv')).slice(1)).toEqual([
      ['4', '1', '14.23'],
      ['6', '5', '5.00'],
    ]);
    const codes = csv(path.join(o, 'problems.csv')).map((x) => x[6]);
    expect(codes).toContain('one-to-one-gap');
  });
});

describe('closedesk fifo — bad input', () => {
  test('each bad row is a problem with row and column; the rest still matches; exit 2', async () => {
    const out = path.join(tmp, 'bad');
    const r = await run([path.join(FIXTURES, 'bad-input.csv'), '--out', out, '--no-record']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('blocking problems');
    const problems = csv(path.join(out, 'problems.csv')).slice(1);
    const where = problems.map((p) => `${p[6]}@${p[2]}:${p[3]}`);
    expect(where).toEqual(
      expect.arrayContaining([
        'duplicate-id@3:TRANS_ID',
        'bad-enum@4:TYPE',
        'blank@5:CREATEDAT',
        'bad-datetime@6:CREATEDAT',
        'sign-mismatch@7:AMOUNT',
        'sign-mismatch@8:AMOUNT',
        'bad-amount@9:AMOUNT',
        'bad-id@10:TRANS_ID',
        'unmatched@11:AMOUNT',
      ]),
    );
    expect(csv(path.join(out, 'allocations.csv')).slice(1)).toEqual([['10', '1', '10.00']]);
    expect(csv(path.join(out, 'unmatched.csv')).slice(1)).toEqual([['10', '2.00']]);
    const tc = csv(path.join(out, 'tc_data_with_redemptions.csv'));
    expect(tc).toHaveLength(11);
    expect(tc[1]!.slice(-2)).toEqual(['10', '0.00']);
    expect(tc[2]!.slice(-2)).toEqual(['', '']); // the duplicate was left out
  });

  test('a missing column stops the run, naming the column and the aliases tried', async () => {
    const out = path.join(tmp, 'missing');
    const r = await run([path.join(FIXTURES, 'missing-column.csv'), '--out', out, '--no-record']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TCTYPE.*TYPE/);
    expect(fs.readdirSync(out)).toEqual(['problems.csv']);
  });

  test('an empty file stops the run', async () => {
    const out = path.join(tmp, 'empty');
    const r = await run([path.join(FIXTURES, 'empty.csv'), '--out', out, '--no-record']);
    expect(r.code).toBe(2);
    expect(csv(path.join(out, 'problems.csv'))[1]![6]).toBe('empty-sheet');
  });

  test('usage errors exit 1', async () => {
    expect((await run(['--mode', 'fast', '--out', tmp])).code).toBe(1);
    expect((await run([path.join(FIXTURES, 'nope.csv'), '--out', tmp])).code).toBe(1);
    expect((await run([path.join(FIXTURES, 'worked-example.csv')])).code).toBe(1);
  });
});

describe('closedesk fifo on a workbook', () => {
  test('Excel serial dates, ids stored as numbers and floats, Customers check, --xlsx with the five sheets', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('TC_Data');
    ws.addRow(['TRANS_ID', 'TYPE', 'CREATEDAT', 'EXPIREDAT', 'CUSTOMERID', 'ORDERID', 'AMOUNT', 'REASON']);
    const d = isoToExcelSerial('2024-03-01');
    ws.addRow(['12011457.0', 'spent', d + 3.25, null, 77, 'O-1', -16.07, 'Delivered, Not Received']);
    ws.addRow([12011456, 'earned', d + 2, d + 367, 77, null, 0.9, null]);
    ws.addRow([12011455, 'earned', d + 1, null, 77, null, 0.94, null]);
    ws.addRow([12011454, 'earned', d, null, 77, null, 14.23, null]);
    ws.addRow([12011458, 'earned', d, null, 99, null, 1, null]);
    const c = wb.addWorksheet('Customers');
    c.addRow(['CUSTOMERID', 'NAME']);
    c.addRow([77, 'Ann']);
    const input = path.join(tmp, 'input.xlsx');
    await wb.xlsx.writeFile(input);

    const out = path.join(tmp, 'xlsx');
    const r = await run([input, '--out', out, '--xlsx', '--no-record']);
    expect(r.code).toBe(0);
    expect(csv(path.join(out, 'allocations.csv')).slice(1)).toEqual([
      ['12011457', '12011454', '14.23'],
      ['12011457', '12011455', '0.94'],
      ['12011457', '12011456', '0.90'],
    ]);
    const problems = csv(path.join(out, 'problems.csv')).slice(1);
    expect(problems.map((p) => [p[2], p[3], p[6]])).toEqual([['6', 'CUSTOMERID', 'unknown-customer']]);
    const tables = await readWorkbookTables(path.join(out, 'fifo.xlsx'));
    expect(tables.map((t) => t.name)).toEqual(['FIFO Allocations', 'TC_Data with redemptions', 'Balance history', 'Current balances', 'FIFO Analytics']);
    expect(tables[0]!.rows[2]).toEqual(['12011457', '12011456', 0.9]);
    // FIFO Analytics carries its outstanding-over-time line chart, over the DATE and OUTSTANDING cells.
    const analytics = tables[4]!;
    const header = analytics.rows.findIndex((row) => row[0] === 'DATE');
    const points = analytics.rows.slice(header + 1).filter((row) => row[0] !== '');
    const first = analytics.firstRowNumber! + header + 1;
    const last = first + points.length - 1;
    const charts = await readXlsxCharts(fs.readFileSync(path.join(out, 'fifo.xlsx')));
    expect(charts.map((ch) => [ch.sheet, ch.kind, ch.title])).toEqual([['FIFO Analytics', 'lineChart', 'Outstanding reward cash']]);
    expect(charts[0]!.series).toEqual([
      {
        name: 'OUTSTANDING',
        nameRef: `'FIFO Analytics'!$B$${first - 1}`,
        categoryRef: `'FIFO Analytics'!$A$${first}:$A$${last}`,
        valueRef: `'FIFO Analytics'!$B$${first}:$B$${last}`,
        categories: points.map((row) => row[0]),
        values: points.map((row) => row[1]),
      },
    ]);
    expect(points.length).toBeGreaterThan(1);
  });
});

describe('closedesk fifo --sql and --run-on', () => {
  test('--sql prints the set-based query', async () => {
    const r = await run(['--sql', '--table', 'reward_tx']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('FROM reward_tx');
    expect(r.stdout).toContain('MIN(earned_cum - redeemed_cum)');
  });

  test('--run-on loads the file into PostgreSQL and writes the same allocations as the engine', async () => {
    const url = await createTestDatabase();
    const engineOut = path.join(tmp, 'worked');
    const out = path.join(tmp, 'pg');
    const r = await run([path.join(FIXTURES, 'bad-input.csv'), '--run-on', url, '--out', out]);
    expect(r.code).toBe(2); // rows with blocking problems are not loaded, as the engine leaves them out
    expect(r.stdout).toContain('Loaded 2 rows');
    expect(csv(path.join(out, 'allocations.csv'))).toEqual([['REDEEM_TRANS_ID', 'EARNED_TRANS_ID', 'AMOUNT'], ['10', '1', '10.00']]);
    const r2 = await run([path.join(FIXTURES, 'worked-example.csv'), '--run-on', url, '--out', out]);
    expect(r2.code).toBe(0);
    expect(csv(path.join(out, 'allocations.csv'))).toEqual(csv(path.join(engineOut, 'allocations.csv')));
    expect(csv(path.join(out, 'unmatched.csv'))).toEqual(csv(path.join(engineOut, 'unmatched.csv')));
  });
});
