/**
 * Demo data for every job, written to the datasets folder (default ./data/demo) so `npm start` has
 * something real to show. Deterministic (seeded), realistic in shape and in the quirks each input
 * has in the wild: newest-first rows, shared timestamps, ids stored as floats,
 * Excel serial dates, leading-zero segments, EU settlement dates, mixed partner layouts.
 *
 *   tsx scripts/generate-demo-data.ts [--out data/demo] [--force]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { DEMO_TUITION_CUSTOMERS } from '../server/jobs/tuition/demo';

type Row = (string | number | null)[];

/** mulberry32: tiny seeded PRNG so the demo is the same on every machine. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

const money = (cents: number) => (cents / 100).toFixed(2);

function csv(header: string[], rows: Row[], delimiter = ','): string {
  const q = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return s.includes(delimiter) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(q).join(delimiter)).join('\r\n') + '\r\n';
}

async function writeXlsx(file: string, sheets: { name: string; header: string[]; rows: Row[]; textColumns?: number[] }[]) {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    ws.addRow(s.header).font = { bold: true };
    for (const r of s.rows) ws.addRow(r);
    for (const c of s.textColumns ?? []) ws.getColumn(c + 1).numFmt = '@';
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  await wb.xlsx.writeFile(file);
}

const excelSerial = (ms: number) => ms / 86_400_000 + 25569;

// ---- FIFO: reward cash ------------------------------------------------------------------------
async function fifo(out: string) {
  const r = rng(20241101);
  const customers = Array.from({ length: 40 }, (_, i) => `C${String(10001 + i)}`);
  const tc: { id: number; type: string; at: number; exp: number; cust: string; order: string; cents: number; reason: string }[] = [];
  const sales: Row[] = [];
  let id = 12011400;
  const start = Date.UTC(2024, 0, 1);
  for (const cust of customers) {
    let balance = 0;
    let t = start + r.int(0, 20) * 86_400_000;
    const n = r.int(6, 18);
    for (let k = 0; k < n; k++) {
      // Several rows share one CREATEDAT: a spend right after the earn it uses, same second.
      if (r.next() > 0.15) t += r.int(1, 15) * 86_400_000 + r.int(0, 86_399) * 1000;
      const roll = r.next();
      const order = `${r.int(100, 999)}-${r.int(1000000, 9999999)}-${r.int(1000000, 9999999)}`;
      if (roll < 0.5 || balance <= 0) {
        const cents = r.pick([94, 90, 1423, 500, 1000, 250, 1999, 375]);
        balance += cents;
        tc.push({ id: ++id, type: 'earned', at: t, exp: t + 365 * 86_400_000, cust, order, cents, reason: r.pick(['Promotion', 'Delivered, Not Received', 'Price match', 'Late delivery']) });
        sales.push([order, cust, money(r.int(1000, 20000)), new Date(t).toISOString().slice(0, 10)]);
      } else if (roll < 0.9) {
        // Now and then a spend larger than the open lots: overspend, reported as unmatched.
        const cents = r.next() < 0.1 ? balance + r.int(1, 500) : Math.max(1, Math.min(balance, r.pick([1607, 500, 94, 1200, 333])));
        balance -= cents;
        tc.push({ id: ++id, type: 'spent', at: t, exp: 0, cust, order, cents: -cents, reason: 'Order payment' });
      } else {
        const cents = Math.max(1, Math.floor(balance / 3));
        balance -= cents;
        tc.push({ id: ++id, type: 'expired', at: t, exp: 0, cust, order: '', cents: -cents, reason: 'Expired' });
      }
    }
  }
  // The worked example finance quotes: 16.07 spent against 14.23, 0.94 and 0.90.
  const ex = 'C20000';
  customers.push(ex);
  const t0 = Date.UTC(2024, 5, 1, 9);
  tc.push({ id: 13000001, type: 'earned', at: t0, exp: t0 + 365 * 86_400_000, cust: ex, order: '', cents: 1423, reason: 'Promotion' });
  tc.push({ id: 13000002, type: 'earned', at: t0 + 3_600_000, exp: t0 + 365 * 86_400_000, cust: ex, order: '', cents: 94, reason: 'Promotion' });
  tc.push({ id: 13000003, type: 'earned', at: t0 + 7_200_000, exp: t0 + 365 * 86_400_000, cust: ex, order: '', cents: 90, reason: 'Promotion' });
  tc.push({ id: 13000004, type: 'spent', at: t0 + 86_400_000, exp: 0, cust: ex, order: '111-2223334-5556667', cents: -1607, reason: 'Order payment' });
  tc.sort((a, b) => b.at - a.at || b.id - a.id); // newest first, as the export comes
  const header = ['TRANS_ID', 'TCTYPE', 'CREATEDAT', 'EXPIREDAT', 'CUSTOMERID', 'ORDERID', 'AMOUNT', 'REASON'];
  const xlsxRows: Row[] = tc.map((x, i) => [
    x.id,
    x.type,
    // Mostly Excel serial dates, some text dates: both occur in the real workbook.
    i % 7 === 0 ? new Date(x.at).toISOString().replace('T', ' ').slice(0, 19) : excelSerial(x.at),
    x.exp ? excelSerial(x.exp) : null,
    x.cust,
    x.order,
    x.cents / 100,
    x.reason,
  ]);
  await writeXlsx(path.join(out, 'reward-cash.xlsx'), [
    { name: 'TC_Data', header, rows: xlsxRows },
    { name: 'Sales', header: ['ORDERID', 'CUSTOMERID', 'ORDER_TOTAL', 'ORDER_DATE'], rows: sales },
    { name: 'Customers', header: ['CUSTOMERID', 'NAME', 'COUNTRY'], rows: customers.map((c, i) => [c, `Customer ${i + 1}`, r.pick(['US', 'US', 'CA', 'GB'])]) },
  ]);
  const csvRows: Row[] = tc.map((x) => [
    `${x.id}.0`, // pandas exports ids as floats
    x.type,
    new Date(x.at).toISOString().replace('T', ' ').slice(0, 19),
    x.exp ? new Date(x.exp).toISOString().slice(0, 10) : '',
    x.cust,
    x.order,
    money(x.cents),
    x.reason,
  ]);
  fs.writeFileSync(path.join(out, 'tc_data.csv'), csv(header, csvRows));
}

// ---- Vendor returns ---------------------------------------------------------------------------
function vret(out: string) {
  const r = rng(20241102);
  const dir = path.join(out, 'vret');
  fs.mkdirSync(path.join(dir, 'thr'), { recursive: true });
  const ledgers = [
    ['Amazon.com, Inc.', 'USD', '2D'],
    ['Amazon.eu', 'EUR', '5J'],
    ['Amazon.co.uk Ltd.', 'GBP', '3K'],
  ];
  fs.writeFileSync(path.join(dir, 'ledgers.csv'), csv(['LEDGER', 'CURRENCY', 'COMPANY'], ledgers));
  fs.writeFileSync(path.join(dir, 'l2c.csv'), csv(['LEDGER', 'COUNTRY'], [['Amazon.com, Inc.', 'US'], ['Amazon.eu', 'EU'], ['Amazon.co.uk Ltd.', 'UK']]));
  const chan: Row[] = [['DE', '1015'], ['FR', '1020'], ['IT', '1035'], ['ES', '1040'], ['NL', '1070'], ['PL', '1080'], ['SE', '1090'], ['UK', '1010'], ['US', '0001']];
  fs.writeFileSync(path.join(dir, 'led2chan.csv'), csv(['COUNTRY', 'CHANNEL'], chan));
  const head = ['LEDGER', 'PERIOD', 'CO', 'LOC', 'CC', 'ACCT', 'PROD', 'CHAN', 'PROJ', 'TRANSACTION_AMOUNT', 'VENDOR_NAME', 'TRANSACTION_NUM', 'CATEGORY'];
  const vendors = ['Acme Toys GmbH', 'Bolt Electronics SARL', 'Casa Verde S.p.A.', 'Delta Home Ltd', 'Evergreen Books Inc'];
  const rvr: Row[] = [];
  const files: Record<string, Row[]> = { cm: [], adj: [], glap: [] };
  let n = 0;
  for (const [ledger, , co] of ledgers) {
    for (let i = 0; i < 60; i++) {
      const kind = r.pick(['cm', 'cm', 'adj', 'glap'] as const);
      const chanCode = ledger === 'Amazon.eu' ? r.pick(['1015', '1020', '1035', '1040']) : ledger === 'Amazon.com, Inc.' ? '0001' : '1010';
      const num = `RV${String(++n).padStart(7, '0')}`;
      const cents = r.int(1500, 250000);
      files[kind]!.push([ledger!, '2024-11', co!, '0100', '0000', '20321', r.pick(['1810', '2010', '2530', '0450', '0600']), chanCode, '0000', money(cents), r.pick(vendors), num, kind.toUpperCase()]);
      if (r.next() < 0.7) {
        const refund = r.next() < 0.2 ? cents + r.int(100, 5000) : r.int(0, cents);
        rvr.push([num, ledger === 'Amazon.eu' ? r.pick(['DE', 'FR', 'IT', 'ES']) : ledger === 'Amazon.com, Inc.' ? 'US' : 'UK', 'CLOSED', 'REFUNDED', money(refund), '2024-11-' + String(r.int(1, 28)).padStart(2, '0'), r.pick(vendors)]);
      }
    }
  }
  // An RVR refund with no transaction: the RVR Report lists it as unmatched.
  rvr.push(['RV9999999', 'DE', 'CLOSED', 'REFUNDED', '12.34', '2024-11-15', 'Acme Toys GmbH']);
  for (const k of Object.keys(files)) fs.writeFileSync(path.join(dir, `${k}.csv`), csv(head, files[k]!));
  fs.writeFileSync(path.join(dir, 'rvr.csv'), csv(['RETURN_ID', 'COUNTRY_CODE', 'RVR_STATUS', 'CURRENT_STATE', 'TOT_BASE_REFUND_AMT', 'RVR_DATE', 'VENDOR_NAME'], rvr));
  const thr: Row[] = [];
  for (let i = 0; i < 200; i++) {
    const cents = r.int(500, 90000);
    thr.push(['Amazon.eu', '2024-11', '5J', '0100', '0000', '20321', r.pick(['1810', '0450']), r.pick(['1015', '1020']), '0000', money(cents), r.pick(vendors), `TH${String(i + 1).padStart(7, '0')}`, 'THR']);
  }
  fs.writeFileSync(path.join(dir, 'thr', 'THR_2024-11.txt'), csv(head, thr, '|'));
}

// ---- Amazon settlement flat file V2 -----------------------------------------------------------
function settlements(out: string) {
  const r = rng(20241103);
  const dir = path.join(out, 'settlements');
  fs.mkdirSync(dir, { recursive: true });
  const header = ['settlement-id', 'settlement-start-date', 'settlement-end-date', 'deposit-date', 'total-amount', 'currency', 'transaction-type', 'order-id', 'merchant-order-id', 'adjustment-id', 'shipment-id', 'marketplace-name', 'amount-type', 'amount-description', 'amount', 'fulfillment-id', 'posted-date', 'posted-date-time', 'order-item-code', 'merchant-order-item-id', 'merchant-adjustment-item-id', 'sku', 'quantity-purchased', 'promotion-id'];
  for (const [sid, market, cur, dateStyle] of [['11873355301', 'Amazon.com', 'USD', 'iso'], ['11873355302', 'Amazon.de', 'EUR', 'dotted']] as const) {
    const lines: Row[] = [];
    const fmt = (d: Date) => (dateStyle === 'iso' ? d.toISOString().replace('.000Z', '+00:00') : `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()} ${d.toISOString().slice(11, 19)} UTC`);
    const amt = (c: number) => (dateStyle === 'iso' ? money(c) : money(c).replace('.', ','));
    let total = 0;
    const add = (type: string, order: string, at: string, desc: string, cents: number, sku = '', qty = '') => {
      total += cents;
      lines.push([sid, '', '', '', '', '', type, order, '', '', '', order ? market : '', at, desc, amt(cents), order ? 'AFN' : '', fmt(new Date(Date.UTC(2024, 10, r.int(1, 14)))), '', '', '', '', sku, qty, '']);
    };
    for (let i = 0; i < 40; i++) {
      const order = `${r.int(111, 114)}-${r.int(1000000, 9999999)}-${r.int(1000000, 9999999)}`;
      const sku = r.pick(['SKU-RED-MUG', 'SKU-BLUE-MUG', 'SKU-TEAPOT', 'SKU-COASTERS']);
      const price = r.int(999, 4999);
      add('Order', order, 'ItemPrice', 'Principal', price, sku, '1');
      add('Order', order, 'ItemPrice', 'Tax', Math.round(price * 0.08), sku, '1');
      if (r.next() < 0.4) add('Order', order, 'ItemPrice', 'Shipping', 499, sku, '1');
      add('Order', order, 'ItemFees', 'Commission', -Math.round(price * 0.15), sku, '1');
      add('Order', order, 'ItemFees', 'FBAPerUnitFulfillmentFee', -r.int(250, 600), sku, '1');
      add('Order', order, 'ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal', -Math.round(price * 0.08), sku, '1');
      if (r.next() < 0.1) {
        add('Refund', order, 'ItemPrice', 'Principal', -price, sku, '1');
        add('Refund', order, 'ItemFees', 'RefundCommission', -Math.round(price * 0.03), sku, '1');
      }
    }
    add('other-transaction', '', 'other-transaction', 'Subscription Fee', -3999);
    add('other-transaction', '', 'Cost of Advertising', 'TransactionTotalAmount', -r.int(2000, 9000));
    add('other-transaction', '', 'other-transaction', 'Current Reserve Amount', -r.int(5000, 15000));
    add('other-transaction', '', 'other-transaction', 'Previous Reserve Amount Balance', r.int(5000, 15000));
    add('other-transaction', '', 'FBA Inventory Reimbursement', 'WAREHOUSE_DAMAGE', r.int(500, 3000));
    const summary: Row = [sid, fmt(new Date(Date.UTC(2024, 10, 1))), fmt(new Date(Date.UTC(2024, 10, 15))), fmt(new Date(Date.UTC(2024, 10, 17))), amt(total), cur, ...Array(18).fill('')];
    const text = [header, summary, ...lines].map((l) => l.join('\t')).join('\r\n') + '\r\n';
    fs.writeFileSync(path.join(dir, `settlement-${sid}.txt`), text);
  }
}

// ---- Chargebacks ------------------------------------------------------------------------------
function chargebacks(out: string) {
  const r = rng(20241104);
  const dir = path.join(out, 'chargebacks');
  fs.mkdirSync(dir, { recursive: true });
  const codes: Record<string, string[]> = {
    VISA: ['10.4', '11.3', '12.6.1', '13.1', '13.2'],
    MASTERCARD: ['4837', '4853', '4863', '4834'],
    AMEX: ['C08', 'F29', 'A08', 'P22'],
    DISCOVER: ['AA', 'AP', 'NF', 'DP'],
  };
  const rows: Row[] = [];
  for (let i = 0; i < 60; i++) {
    const network = r.pick(Object.keys(codes));
    const tx = Date.UTC(2024, 9, r.int(1, 31));
    rows.push([
      `CB-2024-${String(i + 1).padStart(5, '0')}`,
      network,
      r.pick(codes[network]!),
      money(r.int(500, 90000)),
      r.pick(['USD', 'USD', 'EUR']),
      new Date(tx).toISOString().slice(0, 10),
      `7${String(r.int(1e9, 9e9))}${String(r.int(1e8, 9e8))}${String(r.int(1e2, 9e2))}`, // 23-digit ARN: text only
      'M000123', // one merchant account per export, as the acquirer sends it
      new Date(tx + r.int(20, 45) * 86_400_000).toISOString().slice(0, 10),
      r.pick(['OPEN', 'OPEN', 'REPRESENTED']),
    ]);
  }
  fs.writeFileSync(path.join(dir, 'chargebacks-2024-11.csv'), csv(['CASE_ID', 'NETWORK', 'REASON_CODE', 'AMOUNT', 'CURRENCY', 'TRANSACTION_DATE', 'ARN', 'MERCHANT_ID', 'DUE_DATE', 'STATUS'], rows));
}

// ---- Tuition partner files --------------------------------------------------------------------
async function tuition(out: string) {
  const r = rng(20241105);
  const dir = path.join(out, 'tuition');
  fs.mkdirSync(dir, { recursive: true });
  const customers = [...DEMO_TUITION_CUSTOMERS];
  const users = ['alice.ng', 'bob.ortiz', 'chen.li', 'dana.kim', 'eli.shah', 'fay.moss'];
  const a: Row[] = [];
  for (let i = 0; i < 40; i++) {
    a.push([`BP-${1000 + i}`, r.pick(customers), r.pick(users) + '@' + 'example.com', r.pick(['Tuition', 'Books & materials', 'Tutoring']), money(r.int(5000, 250000)), 'USD', `11/${String(r.int(1, 28)).padStart(2, '0')}/2024`]);
  }
  fs.writeFileSync(path.join(dir, 'brightpath-2024-11.csv'), csv(['Invoice Ref', 'Employer', 'Employee Email', 'Charge Type', 'Charge Amount', 'Currency', 'Service Date'], a));
  const b: Row[] = [];
  for (let i = 0; i < 30; i++) {
    b.push([`LW${String(500 + i)}`, r.pick(customers), r.pick(users), r.pick(['TUITION', 'MATERIALS', 'TUTORING']), r.int(2000, 150000) / 100, 'USD', `2024-11-${String(r.int(1, 28)).padStart(2, '0')}`]);
  }
  await writeXlsx(path.join(dir, 'learnwell-2024-11.xlsx'), [{ name: 'Expenses', header: ['Reference', 'Company', 'Learner', 'Expense Type', 'Amount', 'Currency', 'Date'], rows: b }]);
}

export async function generateDemoData(out: string): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  await fifo(out);
  vret(out);
  settlements(out);
  chargebacks(out);
  await tuition(out);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const out = path.resolve(args[args.indexOf('--out') + 1] && args.includes('--out') ? args[args.indexOf('--out') + 1]! : 'data/demo');
  const stamp = path.join(out, '.generated');
  if (fs.existsSync(stamp) && !args.includes('--force')) {
    console.log(`Demo data already in ${out} (use --force to regenerate).`);
  } else {
    generateDemoData(out)
      .then(() => {
        fs.writeFileSync(stamp, new Date().toISOString() + '\n');
        console.log(`Demo data written to ${out}`);
      })
      .catch((e) => {
        console.error(e);
        process.exit(1);
      });
  }
}
