import { tableFromValues, type Cell, type Table } from '../kernel/table';
import { isoDateTime, isoToExcelSerial } from '../kernel/dates';
import { formatAmount } from '../kernel/money';
import { hasBlocking } from '../kernel/problems';
import {
  allocateFifo,
  allocationAt,
  balancesAsOf,
  buildFifoSheets,
  customerBalanceAsOf,
  fifoAnalytics,
  fifoStoppedBy,
  matchRateText,
  openLots,
  centsText,
  IsoDateTimeCache,
  readFifoWorkbook,
  transIdAt,
  validateFifoResults,
  type FifoMode,
  type FifoResult,
} from './index';

const HEADER = ['TRANS_ID', 'TCTYPE', 'CREATEDAT', 'EXPIREDAT', 'CUSTOMERID', 'ORDERID', 'AMOUNT', 'REASON'];

function sheet(rows: Cell[][], header = HEADER, name = 'TC_Data'): Table {
  return tableFromValues(name, [header, ...rows]);
}

function run(rows: Cell[][], mode: FifoMode = 'lots', extra: Table[] = []) {
  const input = readFifoWorkbook([sheet(rows), ...extra]);
  const result = allocateFifo(input.transactions, { mode });
  return { input, result, allocations: allocs(result) };
}

function allocs(result: FifoResult): [string, string, number][] {
  const out: [string, string, number][] = [];
  for (let k = 0; k < result.allocations.count; k++) {
    const a = allocationAt(result, k);
    out.push([a.redeemTransId, a.earnedTransId, a.cents]);
  }
  return out;
}

function byId(result: FifoResult, id: string): number {
  const tx = result.transactions;
  for (let i = 0; i < tx.count; i++) if (transIdAt(tx, i) === id) return i;
  throw new Error(`no row ${id}`);
}

const WORKED: Cell[][] = [
  // newest first, as the real sheet often is
  ['4', 'spent', '2024-03-04', '', '77', 'O-1', '-16.07', 'Delivered, Not Received'],
  ['3', 'earned', '2024-03-03', '2025-03-03', '77', '', '0.90', 'bonus'],
  ['2', 'earned', '2024-03-02', '', '77', '', '0.94', ''],
  ['1', 'earned', '2024-03-01', '', '77', '', '14.23', ''],
];

describe('allocateFifo — the worked example', () => {
  test('a spend of 16.07 covered by 14.23, 0.94 and 0.90 closes the 0.90 lot exactly', () => {
    const { input, result, allocations } = run(WORKED);
    expect(input.problems).toEqual([]);
    expect(allocations).toEqual([
      ['4', '1', 1423],
      ['4', '2', 94],
      ['4', '3', 90],
    ]);
    const lot = byId(result, '3');
    expect(result.remaining[lot]).toBe(0);
    expect(transIdAt(result.transactions, result.closedBy[lot]!)).toBe('4');
    expect(result.unmatched[byId(result, '4')]).toBe(0);
    expect(result.balance[0]).toBe(0);
    expect(validateFifoResults(result)).toEqual([]);
    expect(result.problems).toEqual([]);
  });

  test('one-to-one (legacy) takes the oldest earned row whole and leaves 0.94 and 0.90 open', () => {
    const { result, allocations } = run(WORKED, 'one-to-one');
    expect(allocations).toEqual([['4', '1', 1423]]);
    expect(result.remaining[byId(result, '2')]).toBe(94);
    expect(result.closedBy[byId(result, '3')]).toBe(-1);
    const checks = validateFifoResults(result);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ severity: 'warning', code: 'one-to-one-gap' });
    expect(checks[0]!.message).toContain('difference 1.84');
  });
});

describe('allocateFifo — order and chronology', () => {
  test('same CREATEDAT: earned before spent, then TRANS_ID numerically, then input order', () => {
    const { allocations } = run([
      ['20', 'spent', '2024-01-01 10:00:00', '', 'C', '', '-3.00', ''],
      ['10', 'earned', '2024-01-01 10:00:00', '', 'C', '', '2.00', ''],
      ['9', 'earned', '2024-01-01 10:00:00', '', 'C', '', '2.00', ''],
      ['11', 'spent', '2024-01-01 10:00:00', '', 'C', '', '-1.00', ''],
    ]);
    // lots 9 then 10 (9 < 10 as numbers); spends 11 then 20
    expect(allocations).toEqual([
      ['11', '9', 100],
      ['20', '9', 100],
      ['20', '10', 200],
    ]);
  });

  test('text TRANS_IDs order as text when any id is not all digits', () => {
    const { allocations } = run([
      ['B', 'earned', '2024-01-01', '', 'C', '', '1.00', ''],
      ['A10', 'earned', '2024-01-01', '', 'C', '', '1.00', ''],
      ['9', 'earned', '2024-01-01', '', 'C', '', '1.00', ''],
      ['Z', 'spent', '2024-01-02', '', 'C', '', '-3.00', ''],
    ]);
    expect(allocations.map((a) => a[1])).toEqual(['9', 'A10', 'B']);
  });

  test('a lot created after the redemption is never consumed; the shortfall is unmatched and not carried forward', () => {
    const { result, allocations } = run([
      ['1', 'earned', '2024-01-01', '', 'C', '', '5.00', ''],
      ['2', 'spent', '2024-01-02', '', 'C', '', '-10.00', ''],
      ['3', 'earned', '2024-01-03', '', 'C', '', '20.00', ''],
      ['4', 'spent', '2024-01-04', '', 'C', '', '-1.00', ''],
    ]);
    expect(allocations).toEqual([
      ['2', '1', 500],
      ['4', '3', 100],
    ]);
    expect(result.unmatched[byId(result, '2')]).toBe(500);
    expect(result.remaining[byId(result, '3')]).toBe(1900);
    expect(result.balanceAfter[byId(result, '2')]).toBe(-500);
    expect(result.balance[0]).toBe(1400);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'unmatched', row: 3, column: 'AMOUNT', severity: 'warning' });
    expect(validateFifoResults(result)).toEqual([]);
  });

  test('customers are matched separately', () => {
    const { allocations } = run([
      ['1', 'earned', '2024-01-01', '', 'A', '', '5.00', ''],
      ['2', 'earned', '2024-01-01', '', 'B', '', '7.00', ''],
      ['3', 'spent', '2024-01-02', '', 'B', '', '-6.00', ''],
      ['4', 'spent', '2024-01-02', '', 'A', '', '-6.00', ''],
    ]);
    expect(allocations).toEqual([
      ['4', '1', 500],
      ['3', '2', 600],
    ]);
  });
});

/** Independent oracle: the closed form of lots mode (docs/rules.md) (the form the SQL uses). */
function oracle(rows: { id: number; type: string; t: number; c: string; cents: number }[]): [string, string, number][] {
  const out: [string, string, number][] = [];
  const customers = [...new Set(rows.map((r) => r.c))].sort((a, b) => Number(a) - Number(b));
  for (const c of customers) {
    const mine = rows
      .map((r, i) => ({ ...r, i }))
      .filter((r) => r.c === c)
      .sort((a, b) => a.t - b.t || (a.type === 'earned' ? 0 : 1) - (b.type === 'earned' ? 0 : 1) || a.id - b.id || a.i - b.i);
    let earnedCum = 0;
    let redeemedCum = 0;
    let minGap = 0;
    let consumedBefore = 0;
    const lots: { id: number; from: number; to: number }[] = [];
    for (const r of mine) {
      if (r.type === 'earned') {
        lots.push({ id: r.id, from: earnedCum, to: earnedCum + r.cents });
        earnedCum += r.cents;
        continue;
      }
      redeemedCum += -r.cents;
      minGap = Math.min(minGap, earnedCum - redeemedCum);
      const consumedAfter = redeemedCum + minGap;
      for (const lot of lots) {
        const lo = Math.max(lot.from, consumedBefore);
        const hi = Math.min(lot.to, consumedAfter);
        if (hi > lo) out.push([String(r.id), String(lot.id), hi - lo]);
      }
      consumedBefore = consumedAfter;
    }
  }
  return out;
}

function randomRows(seed: number, n: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows: { id: number; type: string; t: number; c: string; cents: number }[] = [];
  const ids = Array.from({ length: n }, (_, i) => i + 1).sort(() => rand() - 0.5);
  for (let i = 0; i < n; i++) {
    const type = rand() < 0.5 ? 'earned' : rand() < 0.8 ? 'spent' : 'expired';
    const cents = Math.floor(rand() * 3000) + (rand() < 0.1 ? 0 : 1);
    rows.push({ id: ids[i]!, type, t: Math.floor(rand() * 6), c: String(1 + Math.floor(rand() * 4)), cents: type === 'earned' ? cents : -cents });
  }
  return rows;
}

describe('allocateFifo agrees with the closed form the SQL uses', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('random data, seed %i (ties, overspend, several customers)', (seed) => {
    const data = randomRows(seed, 60);
    const cells = data.map((r) => [String(r.id), r.type, `2024-01-0${r.t + 1}`, '', r.c, '', (r.cents / 100).toFixed(2), ''] as Cell[]);
    const { input, result, allocations } = run(cells);
    expect(input.problems).toEqual([]);
    expect(allocations).toEqual(oracle(data));
    expect(validateFifoResults(result)).toEqual([]);
    expect(result.problems.length).toBeGreaterThanOrEqual(0);
  });
});

describe('readFifoWorkbook — input as finance has it', () => {
  test('TYPE header, ids stored as floats, Excel serial dates, rows in any order', () => {
    const s1 = isoToExcelSerial('2024-02-01');
    const { input, allocations } = run([
      ['12011455.0', 'Spent', s1 + 1.5, '', '900.0', '', -2.5, 'x'],
      [12011454, 'EARNED', s1, '', 900, '', 10, 'y'],
    ]);
    expect(input.problems).toEqual([]);
    expect(allocations).toEqual([['12011455', '12011454', 250]]);
    const t = sheet([['1', 'earned', '2024-01-01', 'C', '1.00']], ['TRANS_ID', 'TYPE', 'CREATEDAT', 'CUSTOMERID', 'AMOUNT']);
    const alias = readFifoWorkbook([t]);
    expect(alias.problems).toEqual([]);
    expect(alias.transactions.count).toBe(1);
    expect(alias.transactions.amount[0]).toBe(100);
  });

  test('every bad input case is a problem naming row and column while the rest still matches', () => {
    const rows: Cell[][] = [
      ['1', 'earned', '2024-01-01', '', '5', '', '10.00', ''], // row 2: fine
      ['1', 'earned', '2024-01-01', '', '5', '', '3.00', ''], // row 3: duplicate TRANS_ID
      ['3', 'gift', '2024-01-01', '', '5', '', '3.00', ''], // row 4: unknown type
      ['4', 'earned', '', '', '5', '', '3.00', ''], // row 5: missing CREATEDAT
      ['5', 'earned', '31/31/2024', '', '5', '', '3.00', ''], // row 6: unparseable CREATEDAT
      ['6', 'spent', '2024-01-02', '', '5', '', '3.00', ''], // row 7: spent positive
      ['7', 'earned', '2024-01-02', '', '5', '', '-3.00', ''], // row 8: earned negative
      ['8', 'expired', '2024-01-02', '', '5', '', '-1.005', ''], // row 9: three decimals
      ['9', 'earned', '2024-01-02', '', '6', '', '1.00', ''], // row 10: customer 6 not in Customers
      [12345678901234567, 'earned', '2024-01-02', '', '5', '', '1.00', ''], // row 11: 17-digit id as a number
      ['10', 'spent', '2024-01-03', '', '5', '', '-12.00', ''], // row 12: larger than the open lots
    ];
    const customers = tableFromValues('Customers', [['CUSTOMERID', 'NAME'], ['5', 'Ann']]);
    const { input, result, allocations } = run(rows, 'lots', [customers]);
    const where = (code: string) => input.problems.filter((p) => p.code === code).map((p) => [p.row, p.column]);
    expect(where('duplicate-id')).toEqual([[3, 'TRANS_ID']]);
    expect(where('bad-enum')).toEqual([[4, 'TCTYPE']]);
    expect(where('blank')).toEqual([[5, 'CREATEDAT']]);
    expect(where('bad-datetime')).toEqual([[6, 'CREATEDAT']]);
    expect(where('sign-mismatch')).toEqual([
      [7, 'AMOUNT'],
      [8, 'AMOUNT'],
    ]);
    expect(where('bad-amount')).toEqual([[9, 'AMOUNT']]);
    expect(where('unknown-customer')).toEqual([[10, 'CUSTOMERID']]);
    expect(where('bad-id')).toEqual([[11, 'TRANS_ID']]);
    expect(input.problems.every((p) => p.message.length > 10)).toBe(true);
    // the good rows still match; the overspend is matched as far as it goes
    expect(allocations).toEqual([['10', '1', 1000]]);
    expect(result.unmatched[byId(result, '10')]).toBe(200);
    expect(result.problems).toEqual([expect.objectContaining({ code: 'unmatched', row: 12, column: 'AMOUNT' })]);
    expect(validateFifoResults(result)).toEqual([]);
  });

  test('an empty sheet, a header without rows, a missing column, a missing sheet', () => {
    expect(readFifoWorkbook([tableFromValues('TC_Data', [])]).problems).toEqual([expect.objectContaining({ code: 'empty-sheet', row: 1 })]);
    expect(readFifoWorkbook([sheet([])]).problems).toEqual([expect.objectContaining({ code: 'empty-sheet' })]);
    const noType = readFifoWorkbook([sheet([['1', '2024-01-01', 'C', '1.00']], ['TRANS_ID', 'CREATEDAT', 'CUSTOMERID', 'AMOUNT'])]);
    expect(noType.problems).toEqual([expect.objectContaining({ code: 'missing-column', column: 'TCTYPE', severity: 'blocking' })]);
    expect(noType.problems[0]!.message).toContain('TYPE');
    expect(noType.transactions.count).toBe(0);
    expect(readFifoWorkbook([sheet([])], { sheet: 'Other' }).problems).toEqual([expect.objectContaining({ code: 'missing-sheet' })]);
  });

  test('the stop rule: a missing column, an empty or missing sheet stop the run; bad rows and warnings do not', () => {
    const stops = (tables: Table[], options = {}) => fifoStoppedBy(readFifoWorkbook(tables, options).problems).map((p) => p.code);
    expect(stops([tableFromValues('TC_Data', [])])).toEqual(['empty-sheet']);
    expect(stops([sheet([['1', '2024-01-01', 'C', '1.00']], ['TRANS_ID', 'CREATEDAT', 'CUSTOMERID', 'AMOUNT'])])).toEqual(['missing-column']);
    expect(stops([sheet([])], { sheet: 'Other' })).toEqual(['missing-sheet']);
    const badRows = readFifoWorkbook([sheet([['1', 'earned', 'soon', '', 'A', '', '1.00', ''], ['2', 'earned', '2024-01-01', '', 'A', '', '1.00', '']])]);
    expect(hasBlocking(badRows.problems)).toBe(true);
    expect(fifoStoppedBy(badRows.problems)).toEqual([]);
    expect(fifoStoppedBy([{ severity: 'warning', code: 'missing-column', source: 'x', message: 'm' }])).toEqual([]);
  });
});

describe('results validation catches broken results', () => {
  test('over-allocated lot, wrong customer, chronology, remaining', () => {
    const { result } = run([
      ['1', 'earned', '2024-01-01', '', 'A', '', '5.00', ''],
      ['2', 'spent', '2024-01-02', '', 'A', '', '-3.00', ''],
      ['3', 'earned', '2024-01-03', '', 'B', '', '5.00', ''],
      ['4', 'spent', '2024-01-04', '', 'B', '', '-1.00', ''],
    ]);
    expect(validateFifoResults(result)).toEqual([]);
    const over: FifoResult = { ...result, allocations: { ...result.allocations, amount: result.allocations.amount.map((a, k) => (k === 0 ? 600 : a)) } };
    expect(validateFifoResults(over).map((p) => p.code)).toEqual(expect.arrayContaining(['results-over-allocated', 'results-earned-balance']));
    const wrongCustomer: FifoResult = { ...result, allocations: { ...result.allocations, earned: Int32Array.from([byId(result, '3'), byId(result, '3')]) } };
    expect(validateFifoResults(wrongCustomer).map((p) => p.code)).toEqual(expect.arrayContaining(['results-customer', 'results-chronology']));
    const remaining = result.remaining.slice();
    remaining[byId(result, '1')] = 0;
    expect(validateFifoResults({ ...result, remaining }).map((p) => p.code)).toContain('results-remaining');
  });
});

describe('balances, analytics and sheets', () => {
  const rows: Cell[][] = [
    ['1', 'earned', '2024-01-01', '2024-01-15', 'A', '', '5.00', ''],
    ['2', 'spent', '2024-01-02', '', 'A', '', '-3.00', ''],
    ['3', 'earned', '2024-01-03', '', 'B', '', '5.00', ''],
    ['4', 'spent', '2024-01-04', '', 'B', '', '-7.00', ''],
    ['5', 'expired', '2024-01-05', '', 'A', '', '-1.00', ''],
  ];
  test('balance as of a date and current balances', () => {
    const { input, result } = run(rows);
    expect(Array.from(result.balance)).toEqual([100, -200]);
    expect(Array.from(balancesAsOf(result, '2024-01-03'))).toEqual([200, 500]);
    expect(customerBalanceAsOf(input.transactions, 'A', '2024-01-01')).toBe(500);
    expect(customerBalanceAsOf(input.transactions, 'A')).toBe(100);
    expect(customerBalanceAsOf(input.transactions, 'Z')).toBeUndefined();
  });
  test('open lots, flagged past their EXPIREDAT but never expired by the engine', () => {
    const { result } = run(rows);
    expect(openLots(result, '2024-02-01')).toEqual([
      { customerId: 'A', transId: '1', createdAt: '2024-01-01T00:00:00Z', expiresAt: '2024-01-15T00:00:00Z', remainingCents: 100, pastExpiry: true },
    ]);
    expect(openLots(result, '2024-01-10')[0]!.pastExpiry).toBe(false);
  });
  test('analytics', () => {
    const { result } = run(rows);
    const a = fifoAnalytics(result);
    expect(a.totals).toEqual({ earned: { count: 2, cents: 1000 }, spent: { count: 2, cents: -1000 }, expired: { count: 1, cents: -100 } });
    expect(a.allocatedCents).toBe(900);
    expect(a.unmatchedCents).toBe(200);
    expect(a.matchRate).toBeCloseTo(900 / 1100, 10);
    expect(a.negativeBalanceCustomers).toBe(1);
    expect(a.openLots).toBe(1);
    expect(a.openLotsPastExpiry).toBe(0); // lot 1 expires on 2024-01-15, after the latest row
    expect(fifoAnalytics(result, { asOf: '2024-02-01' })).toMatchObject({ openLotsPastExpiry: 1, openCentsPastExpiry: 100 });
    expect(a.referenceDate).toBe('2024-01-05');
    expect(a.outstanding.points).toEqual([
      { date: '2024-01-01', cents: 500 },
      { date: '2024-01-02', cents: 200 },
      { date: '2024-01-03', cents: 700 },
      { date: '2024-01-04', cents: 200 },
      { date: '2024-01-05', cents: 100 },
    ]);
  });
  test('no rate over zero rows: a run where every row failed has no match rate, in figures or on the sheet', () => {
    const { input, result } = run([
      ['1', 'earned', 'not a date', '', 'A', '', '1.00', ''],
      ['2', 'spent', '2024-01-02', '', 'A', '', '1.234', ''],
    ]);
    expect(input.problems.length).toBeGreaterThan(0);
    const a = fifoAnalytics(result);
    expect(a.transactions).toBe(0);
    expect(a.matchRate).toBeNull();
    expect(matchRateText(a)).toBe('no redemptions to match');
    const analytics = buildFifoSheets(result, { analytics: a }).find((s) => s.name === 'FIFO Analytics')!;
    expect(analytics.preamble).toContainEqual(['Match rate', 'no redemptions to match']);
    expect(matchRateText({ matchRate: 0.5 })).toBe('50.00 %');
  });
  test('the five sheets', () => {
    const { input, result } = run(rows);
    const sheets = buildFifoSheets(result, { source: input.source, asOf: '2024-01-02' });
    expect(sheets.map((s) => s.name)).toEqual(['FIFO Allocations', 'TC_Data with redemptions', 'Balance history', 'Current balances', 'FIFO Analytics']);
    const tc = sheets[1]!;
    expect(tc.columns.map((c) => c.header).slice(-2)).toEqual(['REDEEMID', 'REMAINING']);
    expect(tc.rows[0]!.slice(-2)).toEqual(['', 100]);
    expect(tc.rows[2]!.slice(-2)).toEqual(['4', 0]);
    expect(tc.rows[1]!.slice(-2)).toEqual(['', '']);
    expect(sheets[3]!.rows).toEqual([
      ['A', 100, 200],
      ['B', -200, 0],
    ]);
    expect(sheets[4]!.chart).toMatchObject({ type: 'line', categoryColumn: 'DATE', valueColumns: ['OUTSTANDING'] });
    expect(sheets[2]!.rows[0]).toEqual(['A', '1', '2024-01-01T00:00:00Z', 'earned', 500, 500]);
  });
});

describe('fast formatters equal the kernel ones', () => {
  test('centsText = formatAmount; IsoDateTimeCache = isoDateTime', () => {
    const cache = new IsoDateTimeCache();
    let s = 5;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
    for (let i = 0; i < 20000; i++) {
      const cents = Math.floor((rand() - 0.5) * 10 ** Math.floor(rand() * 14));
      expect(centsText(cents)).toBe(formatAmount(cents));
      const ms = Math.floor((rand() - 0.3) * 4e12);
      const whole = ms - (((ms % 1000) + 1000) % 1000);
      expect(cache.format(whole)).toBe(isoDateTime(whole));
      expect(cache.format(ms)).toBe(isoDateTime(ms));
    }
    expect(centsText(0)).toBe('0.00');
    expect(centsText(-5)).toBe('-0.05');
  });
});

describe('allocateFifo with release (the input given up, its columns reused) gives the same result', () => {
  /** Every column of a result (and of its transactions) as plain arrays. */
  function columns(r: FifoResult): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [holder, prefix] of [[r, ''], [r.transactions, 'tx.'], [r.allocations, 'allocations.']] as const)
      for (const [k, v] of Object.entries(holder)) {
        if (k === 'transactions' || k === 'allocations') continue;
        out[prefix + k] = ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v instanceof Map ? [...v] : v;
      }
    return out;
  }

  test.each([
    [1, 'lots', false],
    [2, 'lots', true],
    [3, 'one-to-one', false],
  ] as const)('random rows, seed %i, %s, text ids %s; duplicates and bad rows left out', (seed, mode, textIds) => {
    const data = randomRows(seed, 3000);
    const cells = data.map((r, i) => {
      const id = textIds && i % 7 === 0 ? `T${r.id}` : String(i % 97 === 5 ? data[0]!.id : r.id); // some repeats
      const amount = i % 89 === 3 ? 'x' : (r.cents / 100).toFixed(2); // some bad amounts
      return [id, r.type, `2024-01-0${r.t + 1} 0${i % 3}:00:00`, '', String(Number(r.c) * (1 + (i % 50))), '', amount, ''] as Cell[];
    });
    const kept = readFifoWorkbook([sheet(cells)]);
    const given = readFifoWorkbook([sheet(cells)]);
    expect(kept.transactions.count).toBeLessThan(data.length); // bad rows left out before matching
    expect(kept.transactions.active.includes(0)).toBe(true); // and duplicates at matching
    const a = allocateFifo(kept.transactions, { mode });
    const b = allocateFifo(given.transactions, { mode, release: true });
    expect(a.allocations.count).toBeGreaterThan(100);
    expect(columns(b)).toEqual(columns(a));
    expect(given.transactions.amount.length).toBe(0); // the input was given up
    expect(validateFifoResults(b)).toEqual(mode === 'lots' ? [] : expect.any(Array));
  });
});
