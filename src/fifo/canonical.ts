/**
 * Canonical texts of a FIFO run's input and result, for the checksums recorded with each run
 * (the hosts hash them: node:crypto on the server and CLI, crypto.subtle in the task pane).
 * Same data → same text, whatever the file format or the sheet layout it came from.
 *
 * Public API
 * - `fifoInputCanonical(tx)`: chunks of lines `TRANS_ID,TYPE,CREATEDAT_MS,CUSTOMERID,CENTS` in input order (left-out rows excluded).
 * - `fifoResultCanonical(result)`: chunks of lines `REDEEM_TRANS_ID,EARNED_TRANS_ID,CENTS` in allocation order,
 *   then `U,TRANS_ID,CENTS` per unmatched redemption.
 */
import { TYPE_NAMES, customerAt, transIdAt, type FifoTransactions } from './transactions';
import type { FifoResult } from './allocate';

const CHUNK = 20_000;

export function* fifoInputCanonical(tx: FifoTransactions): Generator<string> {
  let buf: string[] = [];
  for (let i = 0; i < tx.count; i++) {
    if (!tx.active[i]) continue;
    buf.push(`${transIdAt(tx, i)},${TYPE_NAMES[tx.type[i]!]},${tx.createdMs[i]},${customerAt(tx, i)},${tx.amount[i]}\n`);
    if (buf.length === CHUNK) {
      yield buf.join('');
      buf = [];
    }
  }
  if (buf.length) yield buf.join('');
}

export function* fifoResultCanonical(result: FifoResult): Generator<string> {
  const tx = result.transactions;
  const al = result.allocations;
  let buf: string[] = [`mode,${result.mode}\n`];
  for (let k = 0; k < al.count; k++) {
    buf.push(`${transIdAt(tx, al.redeem[k]!)},${transIdAt(tx, al.earned[k]!)},${al.amount[k]}\n`);
    if (buf.length === CHUNK) {
      yield buf.join('');
      buf = [];
    }
  }
  for (let p = 0; p < result.order.length; p++) {
    const r = result.order[p]!;
    if (result.unmatched[r]! > 0) buf.push(`U,${transIdAt(tx, r)},${result.unmatched[r]}\n`);
    if (buf.length === CHUNK) {
      yield buf.join('');
      buf = [];
    }
  }
  if (buf.length) yield buf.join('');
}
