/**
 * Over 400 lines because ordering, matching, balances as of a date and the results check share the typed columns.
 * FIFO matching of reward cash (docs/rules.md, "FIFO matching of reward cash").
 *
 * The rule, precisely (the SQL in the server's FIFO SQL computes the same thing set-based):
 * - Rows of one customer are taken in the tie order: CREATEDAT, then earned before spent/expired,
 *   then TRANS_ID (see compareTransIdRows), then input order.
 * - lots mode: an earned row adds a lot. A spent/expired row of |r| cents consumes the oldest open
 *   lots among those earlier in the tie order, splitting the last one; whatever the open lots cannot
 *   cover is unmatched and is NOT carried forward (a later lot never pays an earlier spend).
 *   Equivalently, with A = cumulative earned before and at the redemption and R = cumulative |r|,
 *   consumed-so-far C = R + min(0, min over the customer's redemptions so far of (A − R)), and the
 *   redemption consumes the earned cents in [C_before, C_after) of the customer's lot line.
 * - one-to-one mode (legacy): a redemption takes the oldest unused earned row available to it
 *   whole, whatever the amounts; without one it is unmatched in full.
 *
 * Speed (10M rows): rows are grouped by customer with a counting sort, each group sorted in place
 * (groups are small), then one pass with a typed-array queue of open lots. No objects per row. The
 * working columns of one step (and the input's, when given up) become the next step's (SpareArrays):
 * memory first written costs page faults, about a second per GB.
 *
 * Public API
 * - `allocateFifo(transactions, { mode, release? })` → FifoResult (typed columns; see fields).
 * - `allocationAt(result, k)`, `balancesAsOf(result, isoDate)`, `customerBalanceAsOf(result, customerId, isoDate)`.
 * - `validateFifoResults(result)` → problems (balance equations, chronology, same customer, no lot over-allocated).
 */
import { blocking, warning, type Problem } from '../kernel/problems';
import { formatAmount } from '../kernel/money';
import { isIsoDate } from '../kernel/dates';
import { SpareArrays } from '../kernel/spare-arrays';
import { EARNED, compareTransIdRows, customerAt, transIdAt, type FifoTransactions } from './transactions';

export type FifoMode = 'lots' | 'one-to-one';

export interface FifoAllocations {
  count: number;
  /** Row index of the spent/expired row. */
  redeem: Int32Array;
  /** Row index of the earned row (the lot). */
  earned: Int32Array;
  /** Cents, positive. */
  amount: Float64Array;
}

export interface FifoResult {
  mode: FifoMode;
  /**
   * The rows that take part in matching, physically in processing order (customers in id order,
   * each in the tie order): every later pass reads memory sequentially, which on 10M rows is
   * several times faster than following an index. `sourceIndex` leads back to the input rows.
   */
  transactions: FifoTransactions;
  /** Rows of the input left out of matching (duplicates and rows with blocking problems are never in `transactions`). */
  leftOut: number;
  /** Processing order; the identity, kept so passes read the same whatever the layout. */
  order: Int32Array;
  /** Customer indexes in id order; rows of customerOrder[k] are order[groupStart[k] .. groupStart[k+1]). */
  customerOrder: Int32Array;
  groupStart: Int32Array;
  /** Position of each row in `order`. */
  position: Int32Array;
  /** Row of `transactions` for each source data row index (-1: left out or not a data row). */
  rowOfSource: Int32Array;
  allocations: FifoAllocations;
  /** Cents still open on each earned row (0 for other rows). */
  remaining: Float64Array;
  /** Row index of the redemption that consumed the lot's last cent, -1 while open (earned rows only). */
  closedBy: Int32Array;
  /** Cents of each redemption no lot covered. */
  unmatched: Float64Array;
  /** Customer's running balance after each row (signed cents). */
  balanceAfter: Float64Array;
  /** Current balance per customer index. */
  balance: Float64Array;
  /** Unmatched redemptions reported one by one (the first MAX_UNMATCHED_LISTED) and in a total line. */
  problems: Problem[];
}

export const MAX_UNMATCHED_LISTED = 1000;

/**
 * Customer indexes in id order (numeric when every CUSTOMERID is digits, else text). Plain numbers
 * are sorted natively as a Float64Array (833K customers: a comparator sort takes seconds).
 */
export function sortCustomers(ids: readonly string[]): Int32Array {
  const n = ids.length;
  const nums = new Float64Array(n);
  let canonical = true;
  let digits = true;
  for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    if (!/^\d+$/.test(s)) {
      digits = canonical = false;
      break;
    }
    if (canonical && (s.length > 15 || (s.length > 1 && s.charCodeAt(0) === 48))) canonical = false;
    nums[i] = Number(s);
  }
  if (canonical) {
    // Customer ids are distinct, so each number's rank is found by binary search in the sorted copy.
    const sorted = nums.slice().sort();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = nums[i]!;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      out[lo] = i;
    }
    return out;
  }
  const keys = digits ? ids.map((s) => s.replace(/^0+(?=\d)/, '')) : ids;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const ka = keys[a]!;
    const kb = keys[b]!;
    if (digits && ka.length !== kb.length) return ka.length - kb.length;
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
  return Int32Array.from(order);
}

/** Tie order between two rows of one customer. */
function rowCompare(tx: FifoTransactions, a: number, b: number): number {
  const ca = tx.createdMs[a]!;
  const cb = tx.createdMs[b]!;
  if (ca !== cb) return ca - cb;
  const ta = tx.type[a] === EARNED ? 0 : 1;
  const tb = tx.type[b] === EARNED ? 0 : 1;
  if (ta !== tb) return ta - tb;
  const c = compareTransIdRows(tx, a, b);
  return c !== 0 ? c : a - b;
}

/**
 * Insertion sort of a small group when every TRANS_ID is a plain number, on the CREATEDAT keys
 * gathered next to `order` (kc) so comparisons read neighbouring memory; the type and the id are
 * only read on a tie of CREATEDAT, which is rare.
 */
function sortGroupNumeric(order: Int32Array, kc: Float64Array, type: Uint8Array, idNum: Float64Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const v = order[i]!;
    const cv = kc[i]!;
    let j = i - 1;
    while (j >= from) {
      const cu = kc[j]!;
      if (cu < cv) break;
      if (cu === cv) {
        const u = order[j]!;
        const tu = type[u] === EARNED ? 0 : 1;
        const tv = type[v] === EARNED ? 0 : 1;
        if (tu < tv) break;
        if (tu === tv) {
          const iu = idNum[u]!;
          const iv = idNum[v]!;
          if (iu < iv || (iu === iv && u < v)) break;
        }
      }
      order[j + 1] = order[j]!;
      kc[j + 1] = cu;
      j--;
    }
    order[j + 1] = v;
    kc[j + 1] = cv;
  }
}

function sortGroup(tx: FifoTransactions, order: Int32Array, from: number, to: number): void {
  const len = to - from;
  if (len < 2) return;
  if (len <= 48) {
    for (let i = from + 1; i < to; i++) {
      const v = order[i]!;
      let j = i - 1;
      while (j >= from && rowCompare(tx, order[j]!, v) > 0) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = v;
    }
    return;
  }
  const part = Array.from(order.subarray(from, to));
  part.sort((a, b) => rowCompare(tx, a, b));
  order.set(part, from);
}

/** Customers in id order and active rows grouped per customer in the tie order; its working columns go to `spares`. */
export function fifoOrder(tx: FifoTransactions, spares?: SpareArrays): { order: Int32Array; customerOrder: Int32Array; groupStart: Int32Array } {
  const nc = tx.customers.length;
  const customerOrder = sortCustomers(tx.customers);
  const rankOf = new Int32Array(nc);
  for (let k = 0; k < nc; k++) rankOf[customerOrder[k]!] = k;
  const groupStart = new Int32Array(nc + 1);
  const n = tx.count;
  let active = 0;
  for (let i = 0; i < n; i++) {
    if (tx.active[i]) {
      groupStart[rankOf[tx.customerOf[i]!]! + 1]!++;
      active++;
    }
  }
  for (let k = 0; k < nc; k++) groupStart[k + 1]! += groupStart[k]!;
  const fill = groupStart.slice(0, nc);
  const order = new Int32Array(active);
  if (tx.idOrder === 'number') {
    // CREATEDAT is written next to `order` as the rows are placed (reading the input in sequence),
    // in two passes: first into at most 256 bands of customers (a few write streams, which caches
    // follow), then each band to its rows' places, which lie close together. On 10M rows this is
    // several times faster than writing each row straight to a random place, or gathering later.
    const kc = new Float64Array(active);
    const { createdMs, type, idNum } = tx;
    let shift = 0;
    while (nc >> shift > 256) shift++;
    const bands = (nc >> shift) + 1;
    const bandFill = new Int32Array(bands);
    for (let b = 0; b < bands; b++) bandFill[b] = groupStart[Math.min(nc, b << shift)]!;
    const rowOf = new Int32Array(active);
    const rankAt = new Int32Array(active);
    const createdAt = new Float64Array(active);
    for (let i = 0; i < n; i++) {
      if (!tx.active[i]) continue;
      const r = rankOf[tx.customerOf[i]!]!;
      const p = bandFill[r >> shift]!++;
      rowOf[p] = i;
      rankAt[p] = r;
      createdAt[p] = createdMs[i]!;
    }
    for (let p = 0; p < active; p++) {
      const q = fill[rankAt[p]!]!++;
      order[q] = rowOf[p]!;
      kc[q] = createdAt[p]!;
    }
    for (let k = 0; k < nc; k++) {
      const from = groupStart[k]!;
      const to = groupStart[k + 1]!;
      if (to - from <= 48) sortGroupNumeric(order, kc, type, idNum, from, to);
      else sortGroup(tx, order, from, to);
    }
    for (const a of [kc, rowOf, rankAt, createdAt]) spares?.give(a);
  } else {
    for (let i = 0; i < n; i++) if (tx.active[i]) order[fill[rankOf[tx.customerOf[i]!]!]!++] = i;
    for (let k = 0; k < nc; k++) sortGroup(tx, order, groupStart[k]!, groupStart[k + 1]!);
  }
  return { order, customerOrder, groupStart };
}

/**
 * A copy of the active rows laid out in `order`: each column read in sequence and written to its
 * row's new place (scattered writes overlap; on 10M rows this is 3-4x faster than gathering
 * through `order`, whose reads each wait for memory). Every place of the copy is written (`order`
 * holds each active row once), so its columns may be spares with old contents.
 */
export function reorderTransactions(tx: FifoTransactions, order: Int32Array, options: { release?: boolean; spares?: SpareArrays } = {}): FifoTransactions {
  const n = order.length;
  const m = tx.count;
  const spares = options.spares ?? new SpareArrays();
  const at = spares.i32(m, -1);
  for (let k = 0; k < n; k++) at[order[k]!] = k;
  // With `release` each input column is dropped once copied and becomes the next column's copy, so
  // only one column is ever held twice and the copy takes no new memory.
  const scatter = <T extends Float64Array | Int32Array>(col: T, out: T): T => {
    for (let i = 0; i < m; i++) {
      const k = at[i]!;
      if (k >= 0) out[k] = col[i]!;
    }
    if (options.release) spares.give(col);
    return out;
  };
  const f64 = (key: 'idNum' | 'createdMs' | 'expiresMs' | 'amount') => {
    const col = tx[key];
    if (options.release) tx[key] = new Float64Array(0);
    return scatter(col, spares.f64(n));
  };
  const i32 = (key: 'customerOf' | 'rowNumber' | 'sourceIndex') => {
    const col = tx[key];
    if (options.release) tx[key] = new Int32Array(0);
    return scatter(col, spares.i32(n));
  };
  const type = new Uint8Array(n);
  for (let i = 0; i < m; i++) {
    const k = at[i]!;
    if (k >= 0) type[k] = tx.type[i]!;
  }
  const idText = new Map<number, string>();
  if (tx.idText.size) for (let k = 0; k < n; k++) {
    const t = tx.idText.get(order[k]!);
    if (t !== undefined) idText.set(k, t);
  }
  // The input's flags, set again, when it is given up (nothing above reads them).
  const active = options.release && tx.active.length >= n ? tx.active.subarray(0, n).fill(1) : new Uint8Array(n).fill(1);
  if (options.release) {
    tx.type = new Uint8Array(0);
    tx.idText = new Map();
    tx.active = new Uint8Array(0);
  }
  const out: FifoTransactions = {
    source: tx.source,
    count: n,
    idNum: f64('idNum'),
    idText,
    idOrder: tx.idOrder,
    customerOf: i32('customerOf'),
    customers: tx.customers,
    type,
    createdMs: f64('createdMs'),
    expiresMs: f64('expiresMs'),
    amount: f64('amount'),
    rowNumber: i32('rowNumber'),
    sourceIndex: i32('sourceIndex'),
    active,
  };
  spares.give(at);
  return out;
}

/**
 * `release`: the caller gives the input up — its columns are emptied as they are copied into
 * processing order (on 10M rows the input and its copy would otherwise be held together).
 */
export function allocateFifo(input: FifoTransactions, options: { mode?: FifoMode; release?: boolean } = {}): FifoResult {
  const mode = options.mode ?? 'lots';
  // The working columns of ordering (and, with `release`, the input's) become the result's columns.
  const spares = new SpareArrays();
  const sorted = fifoOrder(input, spares);
  const tx = reorderTransactions(input, sorted.order, { release: options.release, spares });
  spares.give(sorted.order);
  const n = tx.count;
  const { customerOrder, groupStart } = sorted;
  const nc = customerOrder.length;
  const order = spares.i32(n);
  for (let k = 0; k < n; k++) order[k] = k;
  const position = order;
  let maxSource = -1;
  for (let k = 0; k < n; k++) if (tx.sourceIndex[k]! > maxSource) maxSource = tx.sourceIndex[k]!;
  const rowOfSource = spares.i32(maxSource + 1, -1);
  for (let k = 0; k < n; k++) rowOfSource[tx.sourceIndex[k]!] = k;
  // Every allocation closes a lot or finishes a redemption, so there are at most n of them; the
  // result keeps views of the first ones (the unused tail is never written).
  const redeem = spares.i32(n);
  const earned = spares.i32(n);
  const allocAmount = spares.f64(n);
  let na = 0;
  const remaining = spares.f64(n, 0);
  const closedBy = spares.i32(n, -1);
  const unmatched = spares.f64(n, 0);
  const balanceAfter = spares.f64(n);
  const balance = new Float64Array(tx.customers.length);
  // Open lots of one customer at a time: at most the rows of its group.
  let largest = 1;
  for (let k = 0; k < nc; k++) largest = Math.max(largest, groupStart[k + 1]! - groupStart[k]!);
  const queue = new Int32Array(largest);
  const amount = tx.amount;
  const type = tx.type;
  const oneToOne = mode === 'one-to-one';

  for (let k = 0; k < nc; k++) {
    let head = 0;
    let tail = 0;
    let bal = 0;
    const end = groupStart[k + 1]!;
    for (let p = groupStart[k]!; p < end; p++) {
      const r = order[p]!;
      const a = amount[r]!;
      bal += a;
      balanceAfter[r] = bal;
      if (type[r] === EARNED) {
        remaining[r] = a;
        // A zero lot has nothing to give.
        if (a > 0) queue[tail++] = r;
        continue;
      }
      let need = -a;
      if (oneToOne) {
        if (head < tail) {
          const lot = queue[head++]!;
          redeem[na] = r;
          earned[na] = lot;
          allocAmount[na++] = remaining[lot]!;
          remaining[lot] = 0;
          closedBy[lot] = r;
          need = 0;
        }
      } else {
        while (need > 0 && head < tail) {
          const lot = queue[head]!;
          const left = remaining[lot]!;
          const take = left < need ? left : need;
          redeem[na] = r;
          earned[na] = lot;
          allocAmount[na++] = take;
          need -= take;
          if (take === left) {
            remaining[lot] = 0;
            closedBy[lot] = r;
            head++;
          } else remaining[lot] = left - take;
        }
      }
      unmatched[r] = need;
    }
    balance[customerOrder[k]!] = bal;
  }

  const result: FifoResult = {
    mode,
    transactions: tx,
    leftOut: input.count - n,
    order,
    customerOrder,
    groupStart,
    position,
    rowOfSource,
    allocations: { count: na, redeem: redeem.subarray(0, na), earned: earned.subarray(0, na), amount: allocAmount.subarray(0, na) },
    remaining,
    closedBy,
    unmatched,
    balanceAfter,
    balance,
    problems: [],
  };
  result.problems = unmatchedProblems(result);
  return result;
}

function unmatchedProblems(result: FifoResult): Problem[] {
  const tx = result.transactions;
  const problems: Problem[] = [];
  let count = 0;
  let total = 0;
  for (let p = 0; p < result.order.length; p++) {
    const r = result.order[p]!;
    const u = result.unmatched[r]!;
    if (u <= 0) continue;
    count++;
    total += u;
    if (count > MAX_UNMATCHED_LISTED) continue;
    const asked = formatAmount(-tx.amount[r]!);
    problems.push(
      warning({
        source: tx.source,
        row: tx.rowNumber[r]!,
        column: 'AMOUNT',
        value: formatAmount(tx.amount[r]!),
        message:
          result.mode === 'lots'
            ? `${transIdAt(tx, r)} of customer ${customerAt(tx, r)} uses ${asked} but only ${formatAmount(-tx.amount[r]! - u)} of earned reward cash was open; ${formatAmount(u)} is unmatched.`
            : `${transIdAt(tx, r)} of customer ${customerAt(tx, r)} found no unused earned row; ${formatAmount(u)} is unmatched.`,
        code: 'unmatched',
      }),
    );
  }
  if (count > MAX_UNMATCHED_LISTED)
    problems.push(
      warning({
        source: tx.source,
        message: `${count} redemptions are not fully covered by earned reward cash (${formatAmount(total)} in all); the first ${MAX_UNMATCHED_LISTED} are listed, the unmatched file lists every one.`,
        code: 'unmatched-total',
      }),
    );
  return problems;
}

export interface FifoAllocation {
  redeemTransId: string;
  earnedTransId: string;
  cents: number;
  customerId: string;
}

export function allocationAt(result: FifoResult, k: number): FifoAllocation {
  const tx = result.transactions;
  const r = result.allocations.redeem[k]!;
  return {
    redeemTransId: transIdAt(tx, r),
    earnedTransId: transIdAt(tx, result.allocations.earned[k]!),
    cents: result.allocations.amount[k]!,
    customerId: customerAt(tx, r),
  };
}

const DAY_MS = 86_400_000;

/** Epoch ms just after the given day (UTC): rows created before it count in a balance as of that day. */
export function endOfDayMs(isoDate: string): number {
  if (!isIsoDate(isoDate)) throw new RangeError(`"${isoDate}" is not a date in the form YYYY-MM-DD.`);
  return Date.parse(isoDate + 'T00:00:00Z') + DAY_MS;
}

/** Each customer's balance counting the rows created on or before `isoDate` (UTC), by customer index. */
export function balancesAsOf(
  result: { transactions: Pick<FifoTransactions, 'count' | 'active' | 'createdMs' | 'customerOf' | 'amount' | 'customers'> },
  isoDate: string,
): Float64Array {
  const tx = result.transactions;
  const cutoff = endOfDayMs(isoDate);
  const out = new Float64Array(tx.customers.length);
  for (let i = 0; i < tx.count; i++) if (tx.active[i] && tx.createdMs[i]! < cutoff) out[tx.customerOf[i]!]! += tx.amount[i]!;
  return out;
}

/** One customer's balance as of a day; undefined when the customer has no rows. */
export function customerBalanceAsOf(tx: FifoTransactions, customerId: string, isoDate?: string): number | undefined {
  const c = tx.customers.indexOf(customerId);
  if (c < 0) return undefined;
  const cutoff = isoDate === undefined ? Infinity : endOfDayMs(isoDate);
  let sum = 0;
  for (let i = 0; i < tx.count; i++) if (tx.active[i] && tx.customerOf[i] === c && tx.createdMs[i]! < cutoff) sum += tx.amount[i]!;
  return sum;
}

/**
 * Checks the results against the input, independently of how they were computed: per customer
 * Σearned = Σallocated + Σremaining and (lots mode) Σ|redemptions| = Σallocated + Σunmatched; every
 * allocation joins an earned row to a redemption of the same customer that comes after it; no lot
 * gives more than it holds; REDEEMID is set exactly on the lots that are used up.
 */
export function validateFifoResults(result: FifoResult): Problem[] {
  const tx = result.transactions;
  const problems: Problem[] = [];
  const nc = tx.customers.length;
  const earnedSum = new Float64Array(nc);
  const redeemedSum = new Float64Array(nc);
  const allocatedByCustomer = new Float64Array(nc);
  const remainingSum = new Float64Array(nc);
  const unmatchedSum = new Float64Array(nc);
  const allocatedByLot = new Float64Array(tx.count);
  const bad = (row: number | undefined, message: string, code: string) =>
    problems.push(blocking({ source: tx.source, row, message, code }));
  const limit = 100; // one broken invariant tends to repeat on every row; the first ones tell the story

  const al = result.allocations;
  for (let k = 0; k < al.count && problems.length < limit; k++) {
    const r = al.redeem[k]!;
    const e = al.earned[k]!;
    const a = al.amount[k]!;
    if (tx.type[e] !== EARNED || tx.type[r] === EARNED) bad(tx.rowNumber[r], `Allocation ${k + 1} does not join an earned row to a redemption.`, 'results-kind');
    if (tx.customerOf[e] !== tx.customerOf[r])
      bad(tx.rowNumber[r], `${transIdAt(tx, r)} (customer ${customerAt(tx, r)}) was matched with ${transIdAt(tx, e)} of customer ${customerAt(tx, e)}.`, 'results-customer');
    if (!(result.position[e]! >= 0 && result.position[e]! < result.position[r]!) || tx.createdMs[e]! > tx.createdMs[r]!)
      bad(tx.rowNumber[r], `${transIdAt(tx, r)} consumed ${transIdAt(tx, e)}, which comes after it.`, 'results-chronology');
    if (!(a > 0) || !Number.isSafeInteger(a)) bad(tx.rowNumber[r], `Allocation ${k + 1} has the amount ${a}.`, 'results-amount');
    allocatedByLot[e]! += a;
    allocatedByCustomer[tx.customerOf[r]!]! += a;
  }
  for (let i = 0; i < tx.count && problems.length < limit; i++) {
    if (!tx.active[i]) continue;
    const c = tx.customerOf[i]!;
    if (tx.type[i] === EARNED) {
      earnedSum[c]! += tx.amount[i]!;
      remainingSum[c]! += result.remaining[i]!;
      if (allocatedByLot[i]! > tx.amount[i]!)
        bad(tx.rowNumber[i], `Lot ${transIdAt(tx, i)} of ${formatAmount(tx.amount[i]!)} gave ${formatAmount(allocatedByLot[i]!)}.`, 'results-over-allocated');
      if (result.remaining[i]! !== tx.amount[i]! - allocatedByLot[i]!)
        bad(tx.rowNumber[i], `Lot ${transIdAt(tx, i)} shows ${formatAmount(result.remaining[i]!)} remaining, not ${formatAmount(tx.amount[i]! - allocatedByLot[i]!)}.`, 'results-remaining');
      const closed = result.closedBy[i]! >= 0;
      if (closed !== (allocatedByLot[i]! > 0 && result.remaining[i] === 0))
        bad(tx.rowNumber[i], `Lot ${transIdAt(tx, i)} has REDEEMID ${closed ? 'set' : 'blank'} while ${formatAmount(result.remaining[i]!)} remains.`, 'results-redeemid');
    } else {
      redeemedSum[c]! -= tx.amount[i]!;
      unmatchedSum[c]! += result.unmatched[i]!;
    }
  }
  for (let c = 0; c < nc && problems.length < limit; c++) {
    if (earnedSum[c] !== allocatedByCustomer[c]! + remainingSum[c]!)
      bad(
        undefined,
        `Customer ${tx.customers[c]}: earned ${formatAmount(earnedSum[c]!)} is not allocated ${formatAmount(allocatedByCustomer[c]!)} plus remaining ${formatAmount(remainingSum[c]!)}.`,
        'results-earned-balance',
      );
    const difference = redeemedSum[c]! - allocatedByCustomer[c]! - unmatchedSum[c]!;
    if (difference !== 0) {
      const message = `Customer ${tx.customers[c]}: redemptions of ${formatAmount(redeemedSum[c]!)} are not allocated ${formatAmount(allocatedByCustomer[c]!)} plus unmatched ${formatAmount(unmatchedSum[c]!)}`;
      // The legacy mode ignores amounts by design; its gap is what finance needs to see, not a failure.
      if (result.mode === 'one-to-one')
        problems.push(warning({ source: tx.source, message: `${message} (one-to-one mode ignores amounts; difference ${formatAmount(difference)}).`, code: 'one-to-one-gap' }));
      else bad(undefined, message + '.', 'results-redeemed-balance');
    }
  }
  return problems;
}
