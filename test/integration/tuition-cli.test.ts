/** `closedesk tuition`: real files (CSV fixtures and an .xlsx written with exceljs) → invoices.csv, problems.csv, exit codes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { runCli } from '../../server/cli';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { parseCsv } from '../../src/kernel/csv';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'tuition');

describe('closedesk tuition', () => {
  let dir: string;
  const env = () => ({ CLOSEDESK_DATA_DIR: path.join(dir, 'data'), CLOSEDESK_HTTPS: 'off', PATH: process.env.PATH ?? '' });
  const cli = async (...argv: string[]) => {
    const out = new Capture();
    const err = new Capture();
    const code = await runCli(argv, { out, err, env: env(), cwd: dir });
    return { code, out: out.text, err: err.text };
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-tuition-cli-'));
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Expenses');
    ws.addRow(['Reference', 'Company', 'Learner', 'Expense Type', 'Amount', 'Currency', 'Date']);
    ws.addRow(['LW500', 'Northwind Traders', 'alice@northwind.test', 'TUTORING', 40.25, 'USD', new Date(Date.UTC(2024, 10, 8))]);
    ws.addRow(['LW501', 'northwind traders', 'carol@northwind.test', 'MATERIALS', 19.99, 'USD', '2024-11-09']);
    await wb.xlsx.writeFile(path.join(dir, 'learnwell.xlsx'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('CSV and XLSX partners → one invoice per customer and currency, a row per user and expense type', async () => {
    const r = await cli('tuition', path.join(FIXTURES, 'brightpath-good.csv'), 'learnwell.xlsx', '--month', '2024-11', '--out', 'out');
    expect(r.code).toBe(0);
    expect(r.out).toContain('learnwell.xlsx Expenses: LearnWell layout');
    const csv = fs.readFileSync(path.join(dir, 'out', 'invoices.csv'), 'utf8');
    expect(csv.split('\r\n')).toEqual([
      'Customer,Month,User,Expense Type,Amount,Currency',
      "Contoso Ltd,2024-11,'=cmd@contoso.test,TUITION,900.00,EUR",
      'Northwind Traders,2024-11,alice@northwind.test,TUITION,1200.00,USD',
      'Northwind Traders,2024-11,alice@northwind.test,MATERIALS,85.50,USD',
      'Northwind Traders,2024-11,alice@northwind.test,TUTORING,40.25,USD',
      'Northwind Traders,2024-11,bob@northwind.test,TUITION,-200.00,USD',
      'Northwind Traders,2024-11,bob@northwind.test,TUTORING,60.00,USD',
      'Northwind Traders,2024-11,carol@northwind.test,MATERIALS,19.99,USD',
      '',
    ]);
    expect(r.out).toContain('TU-2024-11-NORTHWIND-TRADERS-USD Northwind Traders 6 lines, 1205.74 USD');
    expect(fs.readFileSync(path.join(dir, 'out', 'problems.csv'), 'utf8').trim()).toBe('SEVERITY,SOURCE,ROW,COLUMN,VALUE,MESSAGE,CODE');
  });

  test('blocking problems: exit 2, problems.csv lists each, no invoices.csv', async () => {
    fs.mkdirSync(path.join(dir, 'bad'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'bad', 'invoices.csv'), 'stale');
    const r = await cli('tuition', path.join(FIXTURES, 'brightpath-bad.csv'), path.join(FIXTURES, 'unknown-layout.csv'), '--month', '2024-11', '--out', 'bad');
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(dir, 'bad', 'invoices.csv'))).toBe(false);
    const problems = fs.readFileSync(path.join(dir, 'bad', 'problems.csv'), 'utf8').trim().split('\r\n').slice(1);
    expect(problems.map((l) => l.split(',').pop())).toEqual(['unknown-expense-type', 'negative-not-credit', 'outside-month', 'duplicate-reference', 'unknown-layout']);
    expect(r.err).toMatch(/unknown-layout\.csv.*match no partner layout/);
    expect(r.err).toContain('Snacks');
  });

  test('a month no line is dated in: one warning naming the months the files hold, not a blocking problem per line', async () => {
    const r = await cli('tuition', path.join(FIXTURES, 'brightpath-good.csv'), 'learnwell.xlsx', '--month', '2026-11', '--out', 'wrong');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Warning: No expense lines in 2026-11; the inputs hold 2024-11.');
    const { table } = parseCsv(fs.readFileSync(path.join(dir, 'wrong', 'problems.csv'), 'utf8'), { name: 'problems.csv' });
    expect(table.rows).toEqual([['warning', 'Tuition', '', 'period', '2026-11', 'No expense lines in 2026-11; the inputs hold 2024-11.', 'no-lines-in-month']]);
  });

  test('--threads 2 and the default read the files on worker threads: the same invoices, problems and output as --threads 1', async () => {
    const files = [path.join(FIXTURES, 'brightpath-good.csv'), path.join(FIXTURES, 'brightpath-bad.csv'), 'learnwell.xlsx'];
    const one = await cli('tuition', ...files, '--month', '2024-11', '--out', 'threads-1', '--threads', '1');
    expect(one.code).toBe(2);
    for (const [out, threads] of [['threads-2', ['--threads', '2']], ['threads-default', []]] as const) {
      const two = await cli('tuition', ...files, '--month', '2024-11', '--out', out, ...threads);
      expect({ code: two.code, out: two.out.replaceAll(out, 'threads-1'), err: two.err }).toEqual({ code: one.code, out: one.out, err: one.err });
      expect(fs.readFileSync(path.join(dir, out, 'problems.csv'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'threads-1', 'problems.csv'), 'utf8'));
    }
    expect((await cli('tuition', ...files, '--month', '2024-11', '--out', 'x', '--threads', '0')).code).toBe(2);
  });

  test('usage errors', async () => {
    expect((await cli('tuition', path.join(FIXTURES, 'brightpath-good.csv'), '--out', 'x')).code).toBe(2);
    const r = await cli('tuition', path.join(FIXTURES, 'brightpath-good.csv'), '--month', '2024-13', '--out', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--month YYYY-MM');
  });

  test('--stored-learners: the customers\' learner rules an admin saved (the server\'s store) settle an ambiguous learner', async () => {
    fs.writeFileSync(
      path.join(dir, 'adatum-bp.csv'),
      ['Invoice Ref,Employer,Employee Email,Charge Type,Charge Amount,Currency,Service Date', 'BP-71,Adatum Corp,sam@adatum.test,Tuition,100.00,USD,11/04/2024', 'BP-72,Adatum Corp,sam@adatum-labs.test,Tuition,50.00,USD,11/05/2024'].join('\r\n'),
    );
    fs.writeFileSync(path.join(dir, 'adatum-lw.csv'), ['Reference,Company,Learner,Expense Type,Amount,Currency,Date', 'LW71,Adatum Corp,sam,TUITION,20.00,USD,2024-11-06'].join('\r\n'));
    const users = (folder: string) => parseCsv(fs.readFileSync(path.join(dir, folder, 'invoices.csv'), 'utf8'), { name: 'invoices.csv' }).table.rows.map((r) => [r[2], r[4]]);

    // Default rules: "sam" could be either address, a learner of its own and a warning.
    const plain = await cli('tuition', 'adatum-bp.csv', 'adatum-lw.csv', '--month', '2024-11', '--out', 'adatum-default');
    expect(plain.code).toBe(0);
    expect(users('adatum-default')).toEqual([['sam', '20.00'], ['sam@adatum-labs.test', '50.00'], ['sam@adatum.test', '100.00']]);
    expect(fs.readFileSync(path.join(dir, 'adatum-default', 'problems.csv'), 'utf8')).toContain('ambiguous-learner');

    // An admin names her through the server (Settings → Delivery targets → Learners saves the same).
    const app = await buildApp(loadConfig({ ...env(), LOG_LEVEL: 'silent' }, dir));
    try {
      await app.ready();
      const root = await app.ctx.auth.devIssuer!.sign({ user: 'root', roles: ['admin'] });
      const put = await app.inject({ method: 'PUT', url: '/api/tuition/customers', headers: { authorization: `Bearer ${root}` }, payload: { name: 'Adatum Corp', learners: { aliases: { sam: 'sam@adatum-labs.test' } } } });
      expect(put.statusCode).toBe(200);
      expect(put.json().customer.learners).toEqual({ aliases: { sam: 'sam@adatum-labs.test' } });
      const bad = await app.inject({ method: 'PUT', url: '/api/tuition/customers', headers: { authorization: `Bearer ${root}` }, payload: { name: 'Adatum Corp', learners: { aliases: { sam: '' } } } });
      expect(bad.statusCode).toBe(400);
    } finally {
      await app.close();
    }

    const stored = await cli('tuition', 'adatum-bp.csv', 'adatum-lw.csv', '--month', '2024-11', '--out', 'adatum-stored', '--stored-learners');
    expect(stored.code).toBe(0);
    expect(stored.err).toContain('Learner rules: stored for 1 customer.');
    expect(users('adatum-stored')).toEqual([['sam@adatum-labs.test', '70.00'], ['sam@adatum.test', '100.00']]);
    expect(fs.readFileSync(path.join(dir, 'adatum-stored', 'problems.csv'), 'utf8').trim()).toBe('SEVERITY,SOURCE,ROW,COLUMN,VALUE,MESSAGE,CODE');
  });
});
