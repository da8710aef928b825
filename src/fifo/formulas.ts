/**
 * FIFO for worksheet formulas (CLOSEDESK.FIFO and CLOSEDESK.BALANCE in functions/functions.ts):
 * a range's table in, plain values out, problems for the wrapper to turn into #VALUE!.
 *
 * Public API
 * - `fifoAllocationTable(table, mode?)` → { header, rows (amounts as decimal numbers), problems }.
 * - `fifoBalance(table, customer, asOf?)` → { ok: true, value } (decimal) | { ok: false, reason }.
 */
import type { Cell, Table } from '../kernel/table';
import { centsToNumber } from '../kernel/money';
import { readId } from '../kernel/ids';
import { readDate } from '../kernel/dates';
import { hasBlocking, type Problem } from '../kernel/problems';
import { readFifoWorkbook } from './read';
import { allocateFifo, customerBalanceAsOf, type FifoMode } from './allocate';
import { transIdAt } from './transactions';

export function parseFifoMode(value: unknown): FifoMode | undefined {
  const m = String(value ?? '').trim().toLowerCase();
  if (m === '' || m === 'lots') return 'lots';
  if (m === 'one-to-one' || m === 'onetoone' || m === '1:1') return 'one-to-one';
  return undefined;
}

export function fifoAllocationTable(table: Table, mode: FifoMode = 'lots'): { header: string[]; rows: Cell[][]; problems: Problem[] } {
  const input = readFifoWorkbook([table], { sheet: table.name });
  const header = ['REDEEM_TRANS_ID', 'EARNED_TRANS_ID', 'AMOUNT'];
  if (hasBlocking(input.problems)) return { header, rows: [], problems: input.problems };
  const result = allocateFifo(input.transactions, { mode });
  const tx = result.transactions;
  const al = result.allocations;
  const rows: Cell[][] = [];
  for (let k = 0; k < al.count; k++) rows.push([transIdAt(tx, al.redeem[k]!), transIdAt(tx, al.earned[k]!), centsToNumber(al.amount[k]!)]);
  return { header, rows, problems: [...input.problems, ...result.problems] };
}

export function fifoBalance(
  table: Table,
  customer: Cell,
  asOf?: Cell,
): { ok: true; value: number } | { ok: false; reason: string; problems?: Problem[] } {
  const id = readId(customer);
  if (!id.ok) return { ok: false, reason: `customer: ${id.reason}` };
  let date: string | undefined;
  if (asOf !== undefined && asOf !== null && asOf !== '') {
    const d = readDate(asOf);
    if (!d.ok) return { ok: false, reason: `asOf: ${d.reason}` };
    date = d.iso;
  }
  const input = readFifoWorkbook([table], { sheet: table.name });
  if (hasBlocking(input.problems)) return { ok: false, reason: 'The transactions have blocking problems.', problems: input.problems };
  const cents = customerBalanceAsOf(input.transactions, id.id, date);
  if (cents === undefined) return { ok: false, reason: `Customer ${id.id} has no transactions in the range.` };
  return { ok: true, value: centsToNumber(cents) };
}
