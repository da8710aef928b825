/**
 * Reward-cash transactions (docs/rules.md) held column by column: 10M rows stay a few
 * hundred MB as typed arrays, where 10M row objects would not fit. Amounts are signed integer
 * cents in a Float64Array (exact up to 2^53); TRANS_IDs that are plain numbers (≤ 15 digits, no
 * leading zero) are kept as numbers and the rest as text, so a 17-digit id never passes through
 * a JS number.
 *
 * Public API
 * - `EARNED`, `SPENT`, `EXPIRED`, `TYPE_NAMES`: type codes (Uint8Array values) and their words.
 * - `FifoTransactionsBuilder`: `add(row)` one checked row at a time (sign per type), `finish()` → FifoTransactions
 *   with duplicate TRANS_IDs found and left out (problems name both rows).
 * - `transIdAt(tx, i)`, `customerAt(tx, i)`: the id texts of a row.
 * - `FifoTransactionsBuilder.newCustomer(id)`: a host's fast path interning an id it knows is new (see there).
 * - `compareTransIdRows(tx, a, b)`: the TRANS_ID tie order (numeric when every id is digits, else text).
 */
import { blocking, type Problem } from '../kernel/problems';
import { formatAmount } from '../kernel/money';

export const EARNED = 0;
export const SPENT = 1;
export const EXPIRED = 2;
export const TYPE_NAMES = ['earned', 'spent', 'expired'] as const;
export type FifoType = (typeof TYPE_NAMES)[number];

/** How TRANS_IDs compare in the tie order, decided once for the whole input. */
export type IdOrder = 'number' | 'digits' | 'text';

export interface FifoTransactions {
  /** Sheet or file name, for problems. */
  source: string;
  count: number;
  /** TRANS_ID as a number when canonical (see header), else NaN and the text is in `idText`. */
  idNum: Float64Array;
  idText: Map<number, string>;
  idOrder: IdOrder;
  /** Customer index into `customers`. */
  customerOf: Int32Array;
  customers: string[];
  type: Uint8Array;
  createdMs: Float64Array;
  /** NaN when blank. */
  expiresMs: Float64Array;
  /** Signed cents: earned positive, spent and expired negative. */
  amount: Float64Array;
  /** Row number as the user sees it (sheet row or CSV record); 32 bits, as every row index here. */
  rowNumber: Int32Array;
  /** Index of the row among the source's data rows (to carry other columns through). */
  sourceIndex: Int32Array;
  /** 1 when the row takes part in matching (0: left out, e.g. a duplicate TRANS_ID). */
  active: Uint8Array;
}

export interface TransactionInput {
  rowNumber: number;
  sourceIndex: number;
  transId: string;
  type: FifoType;
  createdMs: number;
  expiresMs?: number;
  customerId: string;
  amountCents: number;
  /** Column headers as found in the input, for problems. */
  columns?: { amount?: string };
}

/** A TRANS_ID that survives a round trip through a double unchanged. */
function canonicalNumber(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return NaN;
  if (n > 1 && s.charCodeAt(0) === 48) return NaN;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
  }
  return Number(s);
}

function allDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export class FifoTransactionsBuilder {
  private cap: number;
  private n = 0;
  private idNum: Float64Array;
  private idText = new Map<number, string>();
  private customerOf: Int32Array;
  private customerIndex = new Map<string, number>();
  private customers: string[] = [];
  private type: Uint8Array;
  private createdMs: Float64Array;
  private expiresMs: Float64Array;
  private amount: Float64Array;
  private rowNumber: Int32Array;
  private sourceIndex: Int32Array;
  private everyIdDigits = true;
  readonly problems: Problem[] = [];

  constructor(
    readonly source: string,
    capacity = 1024,
  ) {
    this.cap = Math.max(16, capacity);
    this.idNum = new Float64Array(this.cap);
    this.customerOf = new Int32Array(this.cap);
    this.type = new Uint8Array(this.cap);
    this.createdMs = new Float64Array(this.cap);
    this.expiresMs = new Float64Array(this.cap);
    this.amount = new Float64Array(this.cap);
    this.rowNumber = new Int32Array(this.cap);
    this.sourceIndex = new Int32Array(this.cap);
  }

  get count(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.idNum = g(this.idNum, (k) => new Float64Array(k));
    this.customerOf = g(this.customerOf, (k) => new Int32Array(k));
    this.type = g(this.type, (k) => new Uint8Array(k));
    this.createdMs = g(this.createdMs, (k) => new Float64Array(k));
    this.expiresMs = g(this.expiresMs, (k) => new Float64Array(k));
    this.amount = g(this.amount, (k) => new Float64Array(k));
    this.rowNumber = g(this.rowNumber, (k) => new Int32Array(k));
    this.sourceIndex = g(this.sourceIndex, (k) => new Int32Array(k));
    this.cap = cap;
  }

  /** Interns a customer id; returns its index. */
  customer(id: string): number {
    // customers added by newCustomer join the index only now (most inputs never get here)
    for (let k = this.customerIndex.size; k < this.customers.length; k++) this.customerIndex.set(this.customers[k]!, k);
    let c = this.customerIndex.get(id);
    if (c === undefined) {
      c = this.customers.length;
      this.customers.push(id);
      this.customerIndex.set(id, c);
    }
    return c;
  }

  /**
   * A customer id the host knows is not interned yet (it indexes the ids it met itself, and those
   * `customer` interned: `customerIds`); returns its index. No lookup: on 10M rows a string Map of the
   * customers costs more than reading their ids.
   */
  newCustomer(id: string): number {
    this.customers.push(id);
    return this.customers.length - 1;
  }

  /** The customer ids interned so far, by index. */
  get customerIds(): readonly string[] {
    return this.customers;
  }

  /**
   * Checks the sign against the type and stores the row. A row whose sign disagrees is a blocking
   * problem and is left out (matching it either way would move someone's balance the wrong way).
   */
  add(row: TransactionInput): boolean {
    const typeCode = row.type === 'earned' ? EARNED : row.type === 'spent' ? SPENT : EXPIRED;
    const a = row.amountCents;
    if ((typeCode === EARNED && a < 0) || (typeCode !== EARNED && a > 0)) {
      this.problems.push(
        blocking({
          source: this.source,
          row: row.rowNumber,
          column: row.columns?.amount ?? 'AMOUNT',
          value: formatAmount(a),
          message:
            typeCode === EARNED
              ? `An earned row must have a positive amount; ${formatAmount(a)} is negative, so this row is left out.`
              : `A ${row.type} row must have a negative amount; ${formatAmount(a)} is positive, so this row is left out.`,
          code: 'sign-mismatch',
        }),
      );
      return false;
    }
    this.addChecked(row.transId, typeCode, row.createdMs, row.expiresMs ?? NaN, this.customer(row.customerId), a, row.rowNumber, row.sourceIndex);
    return true;
  }

  /** Hot path for streaming readers: values already parsed, sign already checked. */
  addChecked(transId: string, typeCode: number, createdMs: number, expiresMs: number, customer: number, cents: number, rowNo: number, sourceIndex: number): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    const num = canonicalNumber(transId);
    this.idNum[i] = num;
    if (num !== num) {
      this.idText.set(i, transId);
      if (this.everyIdDigits && !allDigits(transId)) this.everyIdDigits = false;
    }
    this.customerOf[i] = customer;
    this.type[i] = typeCode;
    this.createdMs[i] = createdMs;
    this.expiresMs[i] = expiresMs;
    this.amount[i] = cents;
    this.rowNumber[i] = rowNo;
    this.sourceIndex[i] = sourceIndex;
  }

  /** Same as addChecked with a TRANS_ID already known to be canonical (streaming fast path). */
  addCheckedNumericId(idNum: number, typeCode: number, createdMs: number, expiresMs: number, customer: number, cents: number, rowNo: number, sourceIndex: number): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.idNum[i] = idNum;
    this.customerOf[i] = customer;
    this.type[i] = typeCode;
    this.createdMs[i] = createdMs;
    this.expiresMs[i] = expiresMs;
    this.amount[i] = cents;
    this.rowNumber[i] = rowNo;
    this.sourceIndex[i] = sourceIndex;
  }

  finish(): { transactions: FifoTransactions; problems: Problem[] } {
    const n = this.n;
    // Readers size the columns from an estimate of the row count: a small unused tail is kept (a view)
    // rather than copying every column, which on 10M rows would briefly need twice the memory.
    const fit = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => (a.length - n <= n >> 3 ? a.subarray(0, n) : a.slice(0, n)) as T;
    const tx: FifoTransactions = {
      source: this.source,
      count: n,
      idNum: fit(this.idNum),
      idText: this.idText,
      idOrder: this.idText.size === 0 ? 'number' : this.everyIdDigits ? 'digits' : 'text',
      customerOf: fit(this.customerOf),
      customers: this.customers,
      type: fit(this.type),
      createdMs: fit(this.createdMs),
      expiresMs: fit(this.expiresMs),
      amount: fit(this.amount),
      rowNumber: fit(this.rowNumber),
      sourceIndex: fit(this.sourceIndex),
      active: new Uint8Array(n).fill(1),
    };
    const problems = [...this.problems, ...markDuplicateIds(tx)];
    return { transactions: tx, problems };
  }
}

export function transIdAt(tx: FifoTransactions, i: number): string {
  const n = tx.idNum[i]!;
  return n === n ? String(n) : tx.idText.get(i)!;
}

export function customerAt(tx: FifoTransactions, i: number): string {
  return tx.customers[tx.customerOf[i]!]!;
}

/**
 * Leaves out every repeat of a TRANS_ID after its first row. Numeric ids are found by sorting a
 * copy (a Set of 10M strings would cost gigabytes); text ids through a Map.
 */
function markDuplicateIds(tx: FifoTransactions): Problem[] {
  const problems: Problem[] = [];
  const n = tx.count;
  const report = (first: number, again: number) => {
    tx.active[again] = 0;
    problems.push(
      blocking({
        source: tx.source,
        row: tx.rowNumber[again]!,
        column: 'TRANS_ID',
        value: transIdAt(tx, again),
        message: `TRANS_ID ${transIdAt(tx, again)} is used again (first on row ${tx.rowNumber[first]!}); this row is left out.`,
        code: 'duplicate-id',
      }),
    );
  };
  // Exports usually list ids in increasing order: then there is no repeat and no sort is needed.
  let increasing = true;
  for (let i = 1; i < n; i++) {
    if (!(tx.idNum[i]! > tx.idNum[i - 1]!)) {
      increasing = false;
      break;
    }
  }
  if (n > 1 && !increasing) {
    const sorted = tx.idNum.slice().sort(); // NaN sorts last
    const dupValues = new Set<number>();
    for (let i = 1; i < n; i++) {
      const v = sorted[i]!;
      if (v !== v) break;
      if (v === sorted[i - 1]) dupValues.add(v);
    }
    if (dupValues.size) {
      const firstRow = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const v = tx.idNum[i]!;
        if (!dupValues.has(v)) continue;
        const f = firstRow.get(v);
        if (f === undefined) firstRow.set(v, i);
        else report(f, i);
      }
    }
  }
  if (tx.idText.size) {
    const seen = new Map<string, number>();
    // A text id such as "0012" never equals a canonical number id; ids compare as written.
    for (const [i, id] of [...tx.idText.entries()].sort((a, b) => a[0] - b[0])) {
      const f = seen.get(id);
      if (f === undefined) seen.set(id, i);
      else report(f, i);
    }
  }
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  return problems;
}

function stripZeros(s: string): string {
  let k = 0;
  while (k < s.length - 1 && s.charCodeAt(k) === 48) k++;
  return k ? s.slice(k) : s;
}

/**
 * TRANS_ID tie order between two rows: numeric when every id of the input is digits (length of the
 * id without leading zeros, then digits), else plain text order. Deciding once for the input keeps
 * the order a total order (a pairwise rule mixing numeric and text comparisons is not transitive)
 * and is what the SQL does too.
 */
export function compareTransIdRows(tx: FifoTransactions, a: number, b: number): number {
  if (tx.idOrder === 'number') return tx.idNum[a]! - tx.idNum[b]!;
  const sa = transIdAt(tx, a);
  const sb = transIdAt(tx, b);
  if (tx.idOrder === 'digits') {
    const ta = stripZeros(sa);
    const tb = stripZeros(sb);
    if (ta.length !== tb.length) return ta.length - tb.length;
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  }
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
