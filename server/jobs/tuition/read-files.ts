/**
 * Partner files into a reader, in file order: one after another on this thread, or — for large
 * inputs — in contiguous groups side by side: this thread reads the first group itself while each
 * worker thread (./read-files-worker) reads one later group as a part (src/tuition/parts.ts), which
 * this thread then merges in file order. The same lines, problems and layouts either way; a group is
 * one part (not one per file) so that its names, read once across its files, are merged once.
 *
 * Public API
 * - `readTuitionFilesInto(reader, files, options?)` → the files' own problems (CSV syntax, empty,
 *   unreadable workbook), in file order. `threads`: at most this many groups (1: one after another).
 * - `defaultThreads(files)`: the groups when none is asked for — one per core the machine leaves idle
 *   (the cores this process may use less the one-minute load average, rounded) but one, which the
 *   runtime's own threads (garbage collection) use; at least one, at most MAX_DEFAULT_THREADS (this
 *   thread merges every later group: past a few, merging costs what reading saves), one for a single
 *   file. On cores busy with other work, threads wait for each other and reading in order is faster:
 *   on an idle 2-core machine, 1M lines in 20 files took 2.0–2.3 s in order and 2.3–2.6 s in two
 *   groups (1.6 s more CPU). The lines, problems and layouts are the same either way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Problem } from '../../../src/kernel';
import type { ExpenseLineReader } from '../../../src/tuition';
import type { ExpensePart } from '../../../src/tuition/parts';
import { readRange } from '../../read-range';
import { startWorkerFile } from '../../worker-file';
import { isCsvInput, readTuitionFileInto } from './inputs';

export interface GroupJob {
  files: string[];
  options: ExpenseLineReader['options'];
}

export interface GroupDone {
  part: ExpensePart;
  problems: Problem[];
}

/**
 * Each file into the reader in order; their own problems (a worker reads its group with it too).
 * `later`: the bytes of CSV files whose lines will be merged into the reader after these (room is made for them too).
 */
export async function readInOrder(reader: ExpenseLineReader, files: readonly string[], later = 0): Promise<Problem[]> {
  const problems: Problem[] = [];
  // One file's bytes at a time, CSV files' in one buffer grown to the largest (fresh memory for each file
  // cost more than reading it): the reader keeps no view of a file's bytes once its lines are read.
  let buffer = Buffer.alloc(0);
  for (let i = 0; i < files.length; i++) {
    let bytes: Buffer;
    if (isCsvInput(files[i]!)) {
      const fd = fs.openSync(files[i]!, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size > buffer.length) buffer = Buffer.allocUnsafe(Math.max(size, Math.ceil(buffer.length * 1.25)));
        readRange(fd, buffer, 0, size);
        bytes = buffer.subarray(0, size);
      } finally {
        fs.closeSync(fd);
      }
    } else bytes = fs.readFileSync(files[i]!);
    const before = reader.lineCount;
    problems.push(...(await readTuitionFileInto(reader, path.basename(files[i]!), bytes)));
    // After the first CSV file, room for the other CSV files' lines (and those merged later) at its lines
    // per byte and an eighth more (partner files' rows are much alike): the columns and reference set are
    // made once, not doubled on the way there — nor once more for the last few lines or a merge.
    if (i === 0 && isCsvInput(files[0]!) && bytes.length > 0) {
      const rest = later + files.slice(1).filter(isCsvInput).reduce((sum, f) => sum + fs.statSync(f).size, 0);
      reader.reserve(Math.ceil((rest * (reader.lineCount - before) * 1.125) / bytes.length));
    }
  }
  return problems;
}

/** Files (by size) in at most `n` contiguous groups of about equal bytes: a file goes to the group its middle byte falls in. */
export function fileGroups(sizes: readonly number[], n: number): number[][] {
  const total = Math.max(1, sizes.reduce((a, b) => a + b, 0));
  const groups: number[][] = Array.from({ length: n }, () => []);
  let before = 0;
  for (let i = 0; i < sizes.length; i++) {
    groups[Math.min(n - 1, Math.floor(((before + sizes[i]! / 2) * n) / total))]!.push(i);
    before += sizes[i]!;
  }
  return groups.filter((g) => g.length > 0);
}

export const MAX_DEFAULT_THREADS = 4;

export function defaultThreads(files: number, cores = os.availableParallelism(), load = os.loadavg()[0]!): number {
  return Math.max(1, Math.min(files, Math.round(cores - load) - 1, MAX_DEFAULT_THREADS));
}

export async function readTuitionFilesInto(reader: ExpenseLineReader, files: readonly string[], options: { threads?: number } = {}): Promise<Problem[]> {
  const threads = Math.min(options.threads ?? defaultThreads(files.length), files.length);
  if (threads < 2) return readInOrder(reader, files);
  const sizes = files.map((f) => fs.statSync(f).size);
  const groups = fileGroups(sizes, threads);
  const [first, ...rest] = groups.map((g) => g.map((i) => files[i]!));
  const workers = rest.map((group) => readGroup(group, reader.options));
  try {
    const later = groups.slice(1).flat().reduce((sum, i) => sum + (isCsvInput(files[i]!) ? sizes[i]! : 0), 0);
    const problems = await readInOrder(reader, first!, later);
    for (const w of workers) {
      const { part, problems: own } = await w.done;
      problems.push(...own);
      reader.merge(part);
    }
    return problems;
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

/** A worker reading one group of files as a part. */
function readGroup(files: string[], options: GroupJob['options']): { worker: Worker; done: Promise<GroupDone> } {
  const worker = startWorkerFile(__filename, 'read-files-worker', { workerData: { files, options } satisfies GroupJob });
  const done = new Promise<GroupDone>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    // (a worker ended by terminate() once its part is merged has settled this already)
    worker.once('exit', (code) => reject(new Error(`Reading the partner files ${files.map((f) => path.basename(f)).join(', ')} failed (worker exit ${code}).`)));
  });
  done.catch(() => undefined); // a failure is seen where the promise is awaited
  return { worker, done };
}
