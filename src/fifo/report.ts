/**
 * Over 400 lines because the CLI's streamed tables and the workbook's sheets are built from the same generators.
 * What a FIFO run shows: output tables as row generators (so the CLI streams 10M rows to CSV
 * without building them all), analytics, and the five sheets for a workbook.
 *
 * Public API
 * - Column lists: `ALLOCATION_COLUMNS`, `BALANCE_HISTORY_COLUMNS`, `UNMATCHED_COLUMNS`, `currentBalanceColumns(asOf?)`.
 * - Row generators: `allocationRows`, `balanceHistoryRows`, `currentBalanceRows(result, asOf?)`, `unmatchedRows`,
 *   `redemptionColumns(result, sourceIndex)` → [REDEEMID, REMAINING] for one source row.
 * - `openLots(result, referenceDate?)` → OpenLot[] (customer, TRANS_ID, dates, remaining, past expiry).
 * - `fifoAnalytics(result, { asOf? })` → FifoAnalytics (totals by type, match rate, unmatched, negative balances,
 *   open lots past expiry, outstanding reward cash over time); `matchRateText(a)` shows the rate, or words when
 *   nothing was redeemed.
 * - `buildFifoSheets(result, { source?, asOf? })` → the five SheetSpecs.
 */
import type { Cell, Table } from '../kernel/table';
import { isoDateTime } from '../kernel/dates';
import { formatAmount } from '../kernel/money';
import { normaliseHeader } from '../kernel/table';
import type { SheetColumn, SheetSpec } from '../workbook/sheet-spec';
import { EARNED, TYPE_NAMES, customerAt, transIdAt } from './transactions';
import { balancesAsOf, endOfDayMs, type FifoResult } from './allocate';

const DAY_MS = 86_400_000;

export const ALLOCATION_COLUMNS: SheetColumn[] = [
  { header: 'REDEEM_TRANS_ID', type: 'id' },
  { header: 'EARNED_TRANS_ID', type: 'id' },
  { header: 'AMOUNT', type: 'money' },
];

export const BALANCE_HISTORY_COLUMNS: SheetColumn[] = [
  { header: 'CUSTOMERID', type: 'id' },
  { header: 'TRANS_ID', type: 'id' },
  { header: 'CREATEDAT', type: 'datetime' },
  { header: 'TCTYPE', type: 'text' },
  { header: 'AMOUNT', type: 'money' },
  { header: 'BALANCE', type: 'money' },
];

export const UNMATCHED_COLUMNS: SheetColumn[] = [
  { header: 'TRANS_ID', type: 'id' },
  { header: 'UNMATCHED_AMOUNT', type: 'money' },
];

export function currentBalanceColumns(asOf?: string): SheetColumn[] {
  const cols: SheetColumn[] = [
    { header: 'CUSTOMERID', type: 'id' },
    { header: 'BALANCE', type: 'money' },
  ];
  if (asOf) cols.push({ header: 'BALANCE_AS_OF', type: 'money' });
  return cols;
}

/** The extra columns of "TC_Data with redemptions". */
export const REDEMPTION_COLUMNS: SheetColumn[] = [
  { header: 'REDEEMID', type: 'id' },
  { header: 'REMAINING', type: 'money' },
];

export function* allocationRows(result: FifoResult): Generator<Cell[]> {
  const tx = result.transactions;
  const al = result.allocations;
  for (let k = 0; k < al.count; k++) yield [transIdAt(tx, al.redeem[k]!), transIdAt(tx, al.earned[k]!), al.amount[k]!];
}

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/**
 * isoDateTime with the date part cached per day: 10M Date objects and toISOString calls cost
 * seconds, and a history spans a few thousand days. Same text as the kernel's isoDateTime.
 */
export class IsoDateTimeCache {
  private days = new Map<number, string>();
  format(ms: number): string {
    if (ms % 1000 !== 0) return isoDateTime(ms);
    const day = Math.floor(ms / DAY_MS);
    const prefix = this.dayPrefix(day);
    const sec = (ms - day * DAY_MS) / 1000;
    const h = Math.floor(sec / 3600);
    const m = Math.floor((sec % 3600) / 60);
    return `${prefix}${two(h)}:${two(m)}:${two(sec % 60)}Z`;
  }
  /** 'YYYY-MM-DDT' of a day number (ms / DAY_MS). */
  dayPrefix(day: number): string {
    let prefix = this.days.get(day);
    if (prefix === undefined) {
      prefix = isoDateTime(day * DAY_MS).slice(0, 11);
      this.days.set(day, prefix);
    }
    return prefix;
  }
}

export function* balanceHistoryRows(result: FifoResult): Generator<Cell[]> {
  const tx = result.transactions;
  const dates = new IsoDateTimeCache();
  for (let p = 0; p < result.order.length; p++) {
    const r = result.order[p]!;
    yield [customerAt(tx, r), transIdAt(tx, r), dates.format(tx.createdMs[r]!), TYPE_NAMES[tx.type[r]!]!, tx.amount[r]!, result.balanceAfter[r]!];
  }
}

export function* currentBalanceRows(result: FifoResult, asOf?: string): Generator<Cell[]> {
  const tx = result.transactions;
  const asOfBalances = asOf ? balancesAsOf(result, asOf) : undefined;
  for (let k = 0; k < result.customerOrder.length; k++) {
    const c = result.customerOrder[k]!;
    if (result.groupStart[k + 1] === result.groupStart[k]) continue; // every row of this customer was left out
    const row: Cell[] = [tx.customers[c]!, result.balance[c]!];
    if (asOfBalances) row.push(asOfBalances[c]!);
    yield row;
  }
}

export function* unmatchedRows(result: FifoResult): Generator<Cell[]> {
  const tx = result.transactions;
  for (let p = 0; p < result.order.length; p++) {
    const r = result.order[p]!;
    if (result.unmatched[r]! > 0) yield [transIdAt(tx, r), result.unmatched[r]!];
  }
}

/** REDEEMID and REMAINING for source data rows (any order), through `result.rowOfSource`. */
export class RedemptionCursor {
  constructor(private readonly result: FifoResult) {}
  /** [REDEEMID, REMAINING] for the source data row `sourceIndex`; blank for redemptions and rows left out. */
  next(sourceIndex: number): [Cell, Cell] {
    const tx = this.result.transactions;
    const r = sourceIndex < this.result.rowOfSource.length ? this.result.rowOfSource[sourceIndex]! : -1;
    if (r < 0 || tx.type[r] !== EARNED) return ['', ''];
    const by = this.result.closedBy[r]!;
    return [by >= 0 ? transIdAt(tx, by) : '', this.result.remaining[r]!];
  }
}

export interface OpenLot {
  customerId: string;
  transId: string;
  createdAt: string;
  /** ISO date-time, or '' when the row has no EXPIREDAT. */
  expiresAt: string;
  remainingCents: number;
  /** EXPIREDAT is before the reference date while cents remain (reported; lots never expire by themselves). */
  pastExpiry: boolean;
}

/** Earned rows with cents still open, per customer in id order then oldest first; `referenceDate` for the expiry flag. */
export function openLots(result: FifoResult, referenceDate?: string): OpenLot[] {
  const tx = result.transactions;
  const cutoff = referenceDate ? endOfDayMs(referenceDate) - DAY_MS : Infinity;
  const out: OpenLot[] = [];
  for (let p = 0; p < result.order.length; p++) {
    const r = result.order[p]!;
    if (tx.type[r] !== EARNED || !(result.remaining[r]! > 0)) continue;
    const e = tx.expiresMs[r]!;
    out.push({
      customerId: customerAt(tx, r),
      transId: transIdAt(tx, r),
      createdAt: isoDateTime(tx.createdMs[r]!),
      expiresAt: e === e ? isoDateTime(e) : '',
      remainingCents: result.remaining[r]!,
      pastExpiry: e === e && e < cutoff,
    });
  }
  return out;
}

export interface TypeTotal {
  count: number;
  cents: number;
}

export interface OutstandingPoint {
  date: string;
  cents: number;
}

export interface FifoAnalytics {
  mode: string;
  transactions: number;
  leftOut: number;
  customers: number;
  totals: { earned: TypeTotal; spent: TypeTotal; expired: TypeTotal };
  allocations: number;
  allocatedCents: number;
  redeemedCents: number;
  /** Share of redeemed cents covered by earned lots; null when nothing was redeemed (no rate over zero rows). */
  matchRate: number | null;
  fullyMatchedRedemptions: number;
  redemptions: number;
  unmatchedCount: number;
  unmatchedCents: number;
  openLots: number;
  openCents: number;
  /** Open lots whose EXPIREDAT is before the reference date (reported, never expired automatically). */
  openLotsPastExpiry: number;
  openCentsPastExpiry: number;
  /** as-of date, else the day of the latest CREATEDAT. */
  referenceDate: string;
  negativeBalanceCustomers: number;
  negativeBalanceCents: number;
  /** Earned cents not yet consumed, at the end of each day (or month when the data span more than a year). */
  outstanding: { period: 'day' | 'month'; points: OutstandingPoint[] };
}


export function fifoAnalytics(result: FifoResult, options: { asOf?: string } = {}): FifoAnalytics {
  const tx = result.transactions;
  const counts = [0, 0, 0];
  const sums = [0, 0, 0];
  let maxMs = -Infinity;
  let minMs = Infinity;
  // Outstanding reward cash moves up on an earned row's day and down on each consuming redemption's day
  // (one slot per day from the first row's day: a Map update per row costs more than the whole pass).
  for (let i = 0; i < tx.count; i++) {
    if (!tx.active[i]) continue;
    const ms = tx.createdMs[i]!;
    if (ms > maxMs) maxMs = ms;
    if (ms < minMs) minMs = ms;
  }
  const firstDay = maxMs >= minMs ? Math.floor(minMs / DAY_MS) : 0;
  const span = maxMs >= minMs ? Math.floor(maxMs / DAY_MS) - firstDay + 1 : 0;
  const delta = new Float64Array(span);
  const moved = new Uint8Array(span); // days with an earned row or a consuming redemption (net 0 included)
  let redemptions = 0;
  let fully = 0;
  let unmatchedCount = 0;
  let unmatchedCents = 0;
  for (let i = 0; i < tx.count; i++) {
    if (!tx.active[i]) continue;
    const t = tx.type[i]!;
    counts[t]!++;
    sums[t]! += tx.amount[i]!;
    if (t === EARNED) {
      const d = Math.floor(tx.createdMs[i]! / DAY_MS) - firstDay;
      delta[d]! += tx.amount[i]!;
      moved[d] = 1;
    } else {
      redemptions++;
      const u = result.unmatched[i]!;
      if (u > 0) {
        unmatchedCount++;
        unmatchedCents += u;
      } else fully++;
    }
  }
  const al = result.allocations;
  let allocated = 0;
  for (let k = 0; k < al.count; k++) {
    const a = al.amount[k]!;
    allocated += a;
    const d = Math.floor(tx.createdMs[al.redeem[k]!]! / DAY_MS) - firstDay;
    delta[d]! -= a;
    moved[d] = 1;
  }
  const referenceDate = options.asOf ?? (maxMs > -Infinity ? isoDateTime(maxMs).slice(0, 10) : '');
  const refCutoff = referenceDate ? endOfDayMs(referenceDate) - DAY_MS : 0;
  let openLots = 0;
  let openCents = 0;
  let pastLots = 0;
  let pastCents = 0;
  for (let i = 0; i < tx.count; i++) {
    if (!tx.active[i] || tx.type[i] !== EARNED) continue;
    const rem = result.remaining[i]!;
    if (rem <= 0) continue;
    openLots++;
    openCents += rem;
    const e = tx.expiresMs[i]!;
    if (e === e && e < refCutoff) {
      pastLots++;
      pastCents += rem;
    }
  }
  let negCustomers = 0;
  let negCents = 0;
  for (let k = 0; k < result.customerOrder.length; k++) {
    const b = result.balance[result.customerOrder[k]!]!;
    if (b < 0) {
      negCustomers++;
      negCents += b;
    }
  }
  const redeemed = -(sums[1]! + sums[2]!);
  return {
    mode: result.mode,
    transactions: result.order.length,
    leftOut: result.leftOut,
    customers: result.customerOrder.length - countEmptyGroups(result),
    totals: {
      earned: { count: counts[0]!, cents: sums[0]! },
      spent: { count: counts[1]!, cents: sums[1]! },
      expired: { count: counts[2]!, cents: sums[2]! },
    },
    allocations: al.count,
    allocatedCents: allocated,
    redeemedCents: redeemed,
    matchRate: redeemed === 0 ? null : Math.min(allocated, redeemed) / redeemed,
    fullyMatchedRedemptions: fully,
    redemptions,
    unmatchedCount,
    unmatchedCents,
    openLots,
    openCents,
    openLotsPastExpiry: pastLots,
    openCentsPastExpiry: pastCents,
    referenceDate,
    negativeBalanceCustomers: negCustomers,
    negativeBalanceCents: negCents,
    outstanding: outstandingSeries(delta, moved, firstDay, minMs, maxMs),
  };
}

function countEmptyGroups(result: FifoResult): number {
  let n = 0;
  for (let k = 0; k < result.customerOrder.length; k++) if (result.groupStart[k + 1] === result.groupStart[k]) n++;
  return n;
}

function outstandingSeries(delta: Float64Array, moved: Uint8Array, firstDay: number, minMs: number, maxMs: number): FifoAnalytics['outstanding'] {
  if (!(maxMs >= minMs)) return { period: 'day', points: [] };
  const days: number[] = [];
  for (let d = 0; d < moved.length; d++) if (moved[d]) days.push(firstDay + d);
  const monthly = (maxMs - minMs) / DAY_MS > 366;
  const points: OutstandingPoint[] = [];
  let running = 0;
  for (let i = 0; i < days.length; i++) {
    running += delta[days[i]! - firstDay]!;
    const date = isoDateTime(days[i]! * DAY_MS).slice(0, 10);
    const key = monthly ? date.slice(0, 7) : date;
    const nextKey = i + 1 < days.length ? (monthly ? isoDateTime(days[i + 1]! * DAY_MS).slice(0, 7) : null) : null;
    if (monthly && nextKey === key) continue; // keep the month's last day
    points.push({ date: key, cents: running });
  }
  return { period: monthly ? 'month' : 'day', points };
}

function collect(rows: Iterable<Cell[]>): Cell[][] {
  const out: Cell[][] = [];
  for (const r of rows) out.push(r);
  return out;
}

export const FIFO_SHEET_NAMES = {
  allocations: 'FIFO Allocations',
  transactions: 'TC_Data with redemptions',
  history: 'Balance history',
  balances: 'Current balances',
  analytics: 'FIFO Analytics',
} as const;

/** Ids stay text, dates become dates, amounts keep what the sheet had; the rest is text. */
function sourceColumnType(header: string): SheetColumn['type'] {
  const h = normaliseHeader(header).replace(/_/g, '');
  if (/id$/.test(h)) return 'id';
  if (/^(createdat|expiredat|expiresat)$/.test(h)) return 'datetime';
  if (h === 'amount') return 'number';
  return 'text';
}

/** "TC_Data with redemptions": the source rows untouched plus REDEEMID and REMAINING. */
export function transactionsWithRedemptions(result: FifoResult, source: Table): SheetSpec {
  const cursor = new RedemptionCursor(result);
  const columns: SheetColumn[] = [
    ...source.header.map((h): SheetColumn => ({ header: h, type: sourceColumnType(h) })),
    ...REDEMPTION_COLUMNS,
  ];
  const rows: Cell[][] = [];
  for (let i = 0; i < source.rows.length; i++) {
    const cells = source.rows[i]!;
    const padded: Cell[] = source.header.map((_, c) => cells[c] ?? '');
    padded.push(...cursor.next(i));
    rows.push(padded);
  }
  return { name: FIFO_SHEET_NAMES.transactions, columns, rows, freezeHeader: true };
}

/** `81.82 %`, or a sentence when there was nothing to match: a rate over zero redemptions means nothing. */
export function matchRateText(a: Pick<FifoAnalytics, 'matchRate'>): string {
  return a.matchRate === null ? 'no redemptions to match' : `${(a.matchRate * 100).toFixed(2)} %`;
}

export function analyticsSheet(a: FifoAnalytics): SheetSpec {
  const money = (c: number) => formatAmount(c);
  const preamble: Cell[][] = [
    ['FIFO matching', a.mode],
    ['Transactions matched', a.transactions, 'left out', a.leftOut],
    ['Customers', a.customers],
    ['Earned', a.totals.earned.count, money(a.totals.earned.cents)],
    ['Spent', a.totals.spent.count, money(a.totals.spent.cents)],
    ['Expired', a.totals.expired.count, money(a.totals.expired.cents)],
    ['Allocated', a.allocations, money(a.allocatedCents)],
    ['Match rate', matchRateText(a)],
    ['Unmatched redemptions', a.unmatchedCount, money(a.unmatchedCents)],
    ['Open lots', a.openLots, money(a.openCents)],
    [`Open lots past expiry on ${a.referenceDate}`, a.openLotsPastExpiry, money(a.openCentsPastExpiry)],
    ['Customers with a negative balance', a.negativeBalanceCustomers, money(a.negativeBalanceCents)],
    [],
  ];
  return {
    name: FIFO_SHEET_NAMES.analytics,
    preamble,
    columns: [
      { header: a.outstanding.period === 'day' ? 'DATE' : 'MONTH', type: 'text' },
      { header: 'OUTSTANDING', type: 'money' },
    ],
    rows: a.outstanding.points.map((p) => [p.date, p.cents]),
    freezeHeader: false,
    chart: { type: 'line', title: 'Outstanding reward cash', categoryColumn: a.outstanding.period === 'day' ? 'DATE' : 'MONTH', valueColumns: ['OUTSTANDING'] },
  };
}

export function buildFifoSheets(result: FifoResult, options: { source?: Table; asOf?: string; analytics?: FifoAnalytics } = {}): SheetSpec[] {
  const analytics = options.analytics ?? fifoAnalytics(result, { asOf: options.asOf });
  const sheets: SheetSpec[] = [
    { name: FIFO_SHEET_NAMES.allocations, columns: ALLOCATION_COLUMNS, rows: collect(allocationRows(result)), freezeHeader: true },
  ];
  if (options.source) sheets.push(transactionsWithRedemptions(result, options.source));
  sheets.push(
    { name: FIFO_SHEET_NAMES.history, columns: BALANCE_HISTORY_COLUMNS, rows: collect(balanceHistoryRows(result)), freezeHeader: true },
    { name: FIFO_SHEET_NAMES.balances, columns: currentBalanceColumns(options.asOf), rows: collect(currentBalanceRows(result, options.asOf)), freezeHeader: true },
    analyticsSheet(analytics),
  );
  return sheets;
}
