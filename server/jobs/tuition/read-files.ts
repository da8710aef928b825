/**
 * Partner files into a reader, in file order: one at a time on this thread, or — for several large
 * files — read side by side on worker threads (./read-files-worker), each file as a part that this
 * thread merges in file order (src/tuition/parts.ts): the same lines, problems and layouts either way.
 *
 * Public API
 * - `readTuitionFilesInto(reader, files, options?)` → the files' own problems (CSV syntax, empty,
 *   unreadable workbook), in file order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Problem } from '../../../src/kernel';
import type { ExpenseLineReader } from '../../../src/tuition';
import type { ExpensePart } from '../../../src/tuition/parts';
import { readTuitionFileInto } from './inputs';

/** Below this many bytes in all, starting threads costs more than it saves. */
const THREADS_FROM_BYTES = 8 << 20;

export interface FileJob {
  index: number;
  file: string;
  options: ExpenseLineReader['options'];
}

export interface FileDone {
  index: number;
  part: ExpensePart;
  problems: Problem[];
}

export async function readTuitionFilesInto(reader: ExpenseLineReader, files: readonly string[], options: { threads?: number } = {}): Promise<Problem[]> {
  const threads = Math.min(options.threads ?? os.availableParallelism(), files.length);
  const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  const problems: Problem[] = [];
  if (threads < 2 || bytes < THREADS_FROM_BYTES) {
    // one file's bytes at a time: each is let go once its lines are read (kept as columns)
    for (const f of files) problems.push(...(await readTuitionFileInto(reader, path.basename(f), fs.readFileSync(f))));
    return problems;
  }
  const done = files.map(() => deferred<FileDone>());
  const workers = startWorkers(threads, files, reader.options, done);
  try {
    // merged in file order as they arrive: while a later file is read, this thread merges an earlier one
    for (const d of done) {
      const { part, problems: own } = await d.promise;
      problems.push(...own);
      reader.merge(part);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return problems;
}

function startWorkers(threads: number, files: readonly string[], options: FileJob['options'], done: Deferred<FileDone>[]): Worker[] {
  const ext = path.extname(__filename);
  let next = 0;
  const give = (w: Worker) => {
    if (next < files.length) w.postMessage({ index: next, file: files[next], options } satisfies FileJob);
    next++;
  };
  const fail = (err: unknown) => done.forEach((d) => d.reject(err));
  return Array.from({ length: threads }, () => {
    const w = new Worker(path.join(__dirname, `read-files-worker${ext}`), {
      // From the TypeScript sources (tsx, tests) the worker compiles its modules the same way.
      execArgv: ext === '.ts' ? [...process.execArgv, '--require', 'tsx/cjs'] : process.execArgv,
    });
    w.on('message', (m: FileDone) => {
      done[m.index]!.resolve(m);
      give(w);
    });
    w.once('error', fail);
    // (a worker ended by terminate() once every part is merged finds them all settled)
    w.once('exit', (code) => fail(new Error(`Reading the partner files failed (worker exit ${code}).`)));
    give(w);
    return w;
  });
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined); // a failure is seen where the promise is awaited
  return { promise, resolve, reject };
}
