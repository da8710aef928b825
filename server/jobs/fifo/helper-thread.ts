/**
 * One helper thread per FIFO run on a CSV file, started before the read: it hashes the input while this
 * thread parses it, then writes the balance history and current balances (a third of the writing)
 * while this thread writes the other files. Started early, its start-up (a second V8 instance, the
 * modules it loads) is over by the time the balance files are handed to it, and a run starts one
 * thread, not two.
 *
 * Public API
 * - `FifoHelperThread(inputFile)`: `checksum` (Promise of the hex SHA-256), `writeBalanceFiles(result, files, asOf?)`
 *   → Promise (moves columns to the thread: see ./balance-files), `close()` when nothing more is to be
 *   handed (it ends once its work is done; after writeBalanceFiles it does nothing). At most one job per thread.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerFile } from '../../worker-file';
import type { FifoResult } from '../../../src/fifo/allocate';
import { balanceFilesJob, type BalanceFiles } from './balance-files';

interface Waiter {
  resolve(message: unknown): void;
  reject(error: Error): void;
}

export class FifoHelperThread {
  readonly checksum: Promise<string>;
  private readonly worker: Worker;
  /** Messages come in the order they are waited for: the checksum, then 'done'. */
  private readonly waiting: Waiter[] = [];
  private failed: Error | null = null;
  private handed = false;

  constructor(inputFile: string) {
    this.worker = startWorkerFile(__filename, 'helper-thread-worker', { workerData: inputFile });
    this.worker.on('message', (m) => this.waiting.shift()?.resolve(m));
    const fail = (e: Error) => {
      this.failed ??= e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.worker.once('error', fail);
    this.worker.once('exit', (code) => fail(new Error(`The FIFO helper thread for ${inputFile} ended early (exit ${code}).`)));
    this.checksum = this.next().then((m) => (m as { checksum: string }).checksum);
    this.checksum.catch(() => undefined); // awaited by the caller; a failed read must not also be unhandled here
  }

  private next(): Promise<unknown> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  writeBalanceFiles(result: FifoResult, files: BalanceFiles, asOf?: string): Promise<void> {
    if (this.handed) throw new Error('The FIFO helper thread takes one job.');
    this.handed = true;
    const { job, transferList } = balanceFilesJob(result, files, asOf);
    const done = this.next().then(() => undefined);
    this.worker.postMessage(job, transferList);
    return done;
  }

  close(): void {
    if (this.handed) return;
    this.handed = true;
    this.worker.postMessage(null);
  }
}
