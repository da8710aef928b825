/**
 * The balance history and current balances — a third of a FIFO run's writing — written here or handed
 * to the run's helper thread (./helper-thread) while this one writes the allocations, the redemptions
 * and the unmatched file. The columns only these two files need are moved to that thread (transferred,
 * not copied); the few the other writers also read are copied. After handing them over `result`'s
 * customerOf, createdMs, amount and balanceAfter are empty: a host that still needs them (the xlsx
 * output) writes in-thread instead.
 *
 * Public API
 * - `writeBalanceFiles(result, files, asOf?)`: in this thread.
 * - `balanceFilesJob(result, files, asOf?)` → { job, transferList }: what to post to the helper thread.
 */
import type { FifoResult } from '../../../src/fifo/allocate';
import { balanceHistoryCsvBytes, currentBalanceCsvBytes, type BalanceFilesInput } from '../../../src/fifo/canonical';
import { writeByteChunks } from './outputs';

export interface BalanceFiles {
  history: string;
  balances: string;
}

export interface BalanceFilesJob {
  input: BalanceFilesInput;
  files: BalanceFiles;
  asOf?: string;
}

export function writeBalanceFiles(input: BalanceFilesInput, files: BalanceFiles, asOf?: string): void {
  writeByteChunks(files.history, balanceHistoryCsvBytes(input));
  writeByteChunks(files.balances, currentBalanceCsvBytes(input, asOf));
}

export function balanceFilesJob(result: FifoResult, files: BalanceFiles, asOf?: string): { job: BalanceFilesJob; transferList: ArrayBuffer[] } {
  const tx = result.transactions;
  const moved = { customerOf: tx.customerOf, createdMs: tx.createdMs, amount: tx.amount, balanceAfter: result.balanceAfter };
  // Copies made here are moved too (left out of the list they would be copied once more).
  const copies = { order: result.order.slice(), active: tx.active.slice(), type: tx.type.slice(), idNum: tx.idNum.slice() };
  const job: BalanceFilesJob = {
    input: {
      order: copies.order,
      balanceAfter: moved.balanceAfter,
      customerOrder: result.customerOrder,
      groupStart: result.groupStart,
      balance: result.balance,
      transactions: {
        count: tx.count,
        active: copies.active,
        customerOf: moved.customerOf,
        customers: tx.customers,
        createdMs: moved.createdMs,
        type: copies.type,
        amount: moved.amount,
        idNum: copies.idNum,
        idText: tx.idText,
      },
    },
    files,
    asOf,
  };
  // A moved column's buffer goes along whole (columns may be views of longer spares), unless another
  // column this thread keeps lies in it: then that one is copied instead.
  const kept = new Set<ArrayBufferLike>();
  for (const holder of [result, tx, result.allocations] as object[])
    for (const v of Object.values(holder)) if (ArrayBuffer.isView(v) && !Object.values(moved).includes(v as never)) kept.add(v.buffer);
  const buffers = Object.values(moved).map((a) => a.buffer);
  const transferList = [...buffers.filter((b, i) => !kept.has(b) && buffers.indexOf(b) === i), ...Object.values(copies).map((a) => a.buffer)] as ArrayBuffer[];
  return { job, transferList };
}
