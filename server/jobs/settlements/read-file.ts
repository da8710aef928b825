/**
 * A settlement file from disk as the CLI and the benchmark read it: a large UTF-8 flat file through a
 * window of a few MB refilled from the file (never held whole: fresh memory for 138 MB costs more than
 * reading it), in two parts side by side — this thread reads the first, a worker thread
 * (./read-file-worker) opens the file and reads the second, their lines written into shared columns —
 * joined in file order
 * (src/settlements/parts.ts: the same result as one pass). Small files, comma-separated copies,
 * windows-1252 files and files the window cannot finish (src/settlements/read-lines.ts NEEDS_BYTES)
 * are read whole in one pass.
 *
 * Public API
 * - `readSettlementFileAt(file, options?)` → SettlementRead. `threads`: 2 (the default; 1 on a one-core machine) reads a large file on this thread and a worker, 1 on this thread;
 *   `partBytes` (default 8 MB): a file under twice this is read whole in one pass (a worker's start costs more); `window`: the window's bytes.
 * - `fileBytes(fd)`: an open file's bytes for a windowed reader.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { LineField } from '../../../src/settlements/lines';
import { readSettlementFile, type SettlementRead } from '../../../src/settlements/read';
import { NEEDS_BYTES, type Pass1, type Pass1Part } from '../../../src/settlements/read-lines';
import { joinSettlementParts, placeSettlementParts, planSettlementParts, readSettlementPartWindowed, type ReadBytes, type SettlementPartJob } from '../../../src/settlements/parts';
import { NOT_UTF8 } from '../../../src/settlements/rows';
import { startWorkerFile } from '../../worker-file';
import { readRange } from '../../read-range';

/** The worker's message: read this part of the file. */
export interface PartJob {
  file: string;
  job: SettlementPartJob;
  window: number;
}

/** The worker's answer: the part read, or word that the file must be read whole (not UTF-8, or more than the window kept). */
export type PartDone = { part: Pass1Part } | { whole: true };

export interface ReadOptions {
  fields?: readonly LineField[];
  threads?: number;
  partBytes?: number;
  window?: number;
}

/** Where the second part starts: past the middle (the worker starts later, by its own start-up), after a line feed. */
const SECOND_PART_AT = 0.54;
/** The bytes looked at for that line feed; a longer line (no settlement file has one) means one pass. */
const LINE_WINDOW = 1 << 16;
/** The file's head given to the plan: the header, the rows that decide the second part (the summary and first detail rows, usually the first two), and lines per byte. */
const HEAD = 1 << 18;
/** Small enough to stay in the processor's cache while its lines are read, large enough for few reads. */
export const WINDOW = 1 << 20;

/** An open file's bytes for a windowed reader. */
export function fileBytes(fd: number): ReadBytes {
  return (into, at, length, position) => fs.readSync(fd, into, at, length, position);
}

/** Pass 1 of a part through a window, or null when the file must be read whole. */
export function readPartOf(file: string, job: SettlementPartJob, window: number): Pass1 | null {
  const fd = fs.openSync(file, 'r');
  try {
    return readSettlementPartWindowed(job, fileBytes(fd), window);
  } catch (e) {
    if (e === NOT_UTF8 || e === NEEDS_BYTES) return null;
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

export async function readSettlementFileAt(file: string, options: ReadOptions = {}): Promise<SettlementRead> {
  const name = path.basename(file);
  const fields = options.fields;
  const window = options.window ?? WINDOW;
  const onePass = () => readSettlementFile({ name, bytes: fs.readFileSync(file) }, { fields });
  const size = fs.statSync(file).size;
  if (size < 2 * (options.partBytes ?? 8 << 20)) return onePass();
  // the worker starts while this thread reads the file's head, plans the parts and reads the first
  const worker = (options.threads ?? Math.min(2, os.availableParallelism())) >= 2 ? startWorkerFile(__filename, 'read-file-worker') : null;
  const done = worker && answer(worker, file);
  try {
    const starts: number[] = [];
    const head = new Uint8Array(Math.min(HEAD, size));
    const fd = fs.openSync(file, 'r');
    try {
      readRange(fd, head, 0, head.length);
      if (worker) {
        const target = Math.floor(size * SECOND_PART_AT);
        const around = new Uint8Array(Math.min(LINE_WINDOW, size - target));
        const nl = around.subarray(0, fs.readSync(fd, around, 0, around.length, target)).indexOf(10);
        if (nl < 0 || target + nl + 1 >= size) return onePass();
        starts.push(target + nl + 1);
      }
    } finally {
      fs.closeSync(fd);
    }
    const plan = planSettlementParts({ name, bytes: head }, starts, fields, size);
    if (!plan) return onePass();
    // both parts' lines in shared columns: the worker writes its own where they stay
    if (worker) placeSettlementParts(plan, head, (n) => new SharedArrayBuffer(n));
    if (worker) worker.postMessage({ file, job: plan.jobs[1]!, window } satisfies PartJob);
    const first = readPartOf(file, plan.jobs[0]!, window);
    if (!first) return onePass();
    const later: Pass1Part[] = [];
    if (done) {
      const second = await done;
      if ('whole' in second) return onePass();
      later.push(second.part);
    }
    try {
      return joinSettlementParts(plan, first, later);
    } catch (e) {
      if (e === NEEDS_BYTES) return onePass();
      throw e;
    }
  } finally {
    await worker?.terminate();
  }
}

function answer(worker: Worker, file: string): Promise<PartDone> {
  const done = new Promise<PartDone>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    // (a worker ended by terminate() once its part is joined has settled this already)
    worker.once('exit', (code) => reject(new Error(`Reading ${path.basename(file)} failed (worker exit ${code}).`)));
  });
  done.catch(() => undefined); // a failure is seen where the promise is awaited
  return done;
}
