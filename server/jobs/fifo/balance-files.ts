/**
 * The balance history and current balances — a third of a FIFO run's writing — written on a second
 * thread while this one writes the allocations, the redemptions and the unmatched file. The columns
 * only these two files need are moved to the worker (transferred, not copied); the few the other
 * writers also read are copied. After the call `result`'s customerOf, createdMs, amount and
 * balanceAfter are empty: a host that still needs them (the xlsx output) writes in-thread instead.
 *
 * Public API
 * - `writeBalanceFiles(result, files, asOf?)`: in this thread.
 * - `writeBalanceFilesInWorker(result, files, asOf?)` → Promise: on a worker thread (./balance-files-worker).
 */
import path from 'node:path';
import { startWorkerFile } from '../../worker-file';
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

export function writeBalanceFilesInWorker(result: FifoResult, files: BalanceFiles, asOf?: string): Promise<void> {
  const tx = result.transactions;
  const moved = { customerOf: tx.customerOf, createdMs: tx.createdMs, amount: tx.amount, balanceAfter: result.balanceAfter };
  const job: BalanceFilesJob = {
    input: {
      order: result.order.slice(),
      balanceAfter: moved.balanceAfter,
      customerOrder: result.customerOrder,
      groupStart: result.groupStart,
      balance: result.balance,
      transactions: {
        count: tx.count,
        active: tx.active.slice(),
        customerOf: moved.customerOf,
        customers: tx.customers,
        createdMs: moved.createdMs,
        type: tx.type.slice(),
        amount: moved.amount,
        idNum: tx.idNum.slice(),
        idText: tx.idText,
      },
    },
    files,
    asOf,
  };
  // Each moved column must own its whole buffer, or moving it would take other columns' memory along.
  const transferList = Object.values(moved).filter((a) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength).map((a) => a.buffer as ArrayBuffer);
  const worker = startWorkerFile(__filename, 'balance-files-worker', { workerData: job, transferList });
  return new Promise((resolve, reject) => {
    let done = false;
    worker.once('message', () => (done = true));
    worker.once('error', reject);
    worker.once('exit', (code) => (done ? resolve() : reject(new Error(`Writing ${path.basename(files.history)} failed (worker exit ${code}).`))));
  });
}
