/** `closedesk settlements …` through the real CLI entry (in-process) on the fixture files. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Papa from 'papaparse';
import { runCli } from '../../server/cli';

const FIX = path.join(__dirname, '..', 'fixtures', 'settlements');
const CONFIG = path.join(FIX, 'demo-config.json');
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-settlements-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  const code = await runCli(args, { out, err, cwd: tmp, env: { CLOSEDESK_DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'silent' } });
  return { code, out: o, err: e };
}

function readCsv(file: string): Record<string, string>[] {
  return Papa.parse<Record<string, string>>(fs.readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true }).data;
}

test('V2 (US, EU windows-1252) and V1 files: five CSVs, balanced, exit 0', async () => {
  const r = await cli(['settlements', FIX, '--out', 'ok', '--config', CONFIG]);
  expect(r.code).toBe(0);
  expect(r.out).toContain('3 settlements, 4 invoices (per-order), 3 payments, 3 journals');
  expect(r.out).toContain('Ready to post.');
  expect(r.err).toContain('v2-eu-cp1252.txt is not UTF-8; it was read as windows-1252');
  const dir = path.join(tmp, 'ok');
  expect(fs.readdirSync(dir).sort()).toEqual(['documents.json', 'invoices.csv', 'journals.csv', 'payments.csv', 'problems.csv', 'reconciliation.csv']);
  const rec = readCsv(path.join(dir, 'reconciliation.csv'));
  expect(rec.map((x) => [x.SETTLEMENT_ID, x.CURRENCY, x.TOTAL_AMOUNT, x.CLEARING_BALANCE, x.BALANCED])).toEqual([
    ['20000003', 'USD', '1.00', '0.00', 'TRUE'],
    ['20000002', 'EUR', '1020.88', '0.00', 'TRUE'],
    ['20000001', 'USD', '18.99', '0.00', 'TRUE'],
  ]);
  const journals = readCsv(path.join(dir, 'journals.csv'));
  for (const id of ['20000001', '20000002', '20000003']) {
    const lines = journals.filter((j) => j.SETTLEMENT_ID === id);
    const cents = (v: string | undefined) => (v ? Math.round(Number(v) * 100) : 0);
    expect(lines.reduce((a, j) => a + cents(j.DEBIT), 0)).toBe(lines.reduce((a, j) => a + cents(j.CREDIT), 0));
  }
  const invoices = readCsv(path.join(dir, 'invoices.csv'));
  // The Non-Amazon (multi-channel) order is not a sale; the EU decimal comma reads 1234,56 as 1234.56.
  expect([...new Set(invoices.map((i) => i.INVOICE_NUMBER))]).toEqual(['AMZN6666666', 'AMZN2222222', 'AMZN7654321', 'AMZN0000002']);
  expect(invoices.find((i) => i.INVOICE_NUMBER === 'AMZN2222222' && i.ITEM === 'SKU-BLUE-MUG')!.AMOUNT).toBe('1234.56');
  // V1: two units at 10.00.
  expect(invoices.find((i) => i.INVOICE_NUMBER === 'AMZN6666666')).toMatchObject({ QUANTITY: '2', RATE: '10.00', AMOUNT: '20.00' });
  expect(readCsv(path.join(dir, 'problems.csv'))).toEqual([expect.objectContaining({ SEVERITY: 'warning', CODE: 'encoding-fallback' })]);
  const docs = JSON.parse(fs.readFileSync(path.join(dir, 'documents.json'), 'utf8')) as { kind: string; body: Record<string, unknown> }[];
  expect(docs.filter((d) => d.kind === 'payment').map((d) => d.body.reference_number)).toEqual(['20000003', '20000002', '20000001']);
});

test('per-settlement: one invoice per settlement and currency', async () => {
  const r = await cli(['settlements', path.join(FIX, 'v2-us.txt'), path.join(FIX, 'v2-eu-cp1252.txt'), '--invoices', 'per-settlement', '--out', 'ps', '--config', CONFIG]);
  expect(r.code).toBe(0);
  const invoices = readCsv(path.join(tmp, 'ps', 'invoices.csv'));
  expect([...new Set(invoices.map((i) => i.INVOICE_NUMBER))]).toEqual(['AMZS-20000001-USD', 'AMZS-20000002-EUR']);
});

test('blocking problems: exit 2, each named on stderr and in problems.csv', async () => {
  const r = await cli(['settlements', path.join(FIX, 'bad'), '--out', 'bad', '--config', CONFIG]);
  expect(r.code).toBe(2);
  expect(r.err).toContain('blocking: v2-bad.txt row 2, column total-amount: total-amount 999.99 USD does not equal the sum of the detail amounts 19.98 USD');
  expect(r.err).toContain('both get invoice number AMZN1234567');
  expect(r.err).toContain('"Mystery Fee": -7.77 USD on 1 row');
  expect(r.err).toContain('SKU "SKU-UNKNOWN" has no Zoho item (15.00 USD on 1 row)');
  const problems = readCsv(path.join(tmp, 'bad', 'problems.csv'));
  expect(problems.map((p) => p.CODE).sort()).toEqual(['invoice-number-collision', 'total-mismatch', 'unmapped-sku', 'unmapped-type']);
});

test('without Zoho ids the defaults still map every type, and posting is blocked on the ids', async () => {
  const r = await cli(['settlements', path.join(FIX, 'v2-us.txt'), '--out', 'noids']);
  expect(r.code).toBe(2);
  const codes = new Set(readCsv(path.join(tmp, 'noids', 'problems.csv')).map((p) => p.CODE));
  expect(codes).toEqual(new Set(['unmapped-customer', 'unmapped-sku', 'unmapped-charge-item', 'unmapped-account']));
});

test('wrong usage and unreadable settings: exit 2 with a reason', async () => {
  expect((await cli(['settlements', '--out', 'x'])).err).toContain('Give at least one settlement file');
  const bad = await cli(['settlements', FIX, '--out', 'x', '--invoices', 'weekly']);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('--invoices is per-order or per-settlement');
  fs.writeFileSync(path.join(tmp, 'm.json'), JSON.stringify({ items: { 'SKU-A': 73985000000430759 } }));
  const cfg = await cli(['settlements', FIX, '--out', 'x', '--config', 'm.json']);
  expect(cfg.code).toBe(2);
  expect(cfg.err).toMatch(/items\.SKU-A: Expected string/);
  expect((await cli(['settlements', 'nope.txt', '--out', 'x'])).err).toContain('nope.txt does not exist');
});
