/**
 * A settlement file from disk as the CLI and the benchmark read it: a large UTF-8 flat file in two
 * parts side by side — this thread reads the first part's bytes and lines while a worker thread
 * (./read-file-worker) reads the second's into the same shared memory — joined in file order
 * (src/settlements/parts.ts: the same result as one pass, which small files, comma-separated copies
 * and windows-1252 files get).
 *
 * Public API
 * - `readSettlementFileAt(file, options?)` → SettlementRead. `threads`: 2 (the default; 1 on a one-core machine) reads a large file on this thread and a worker, 1 in one pass;
 *   `partBytes` (default 8 MB): a file under twice this is read in one pass (a worker's start costs more).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { LineTextField } from '../../../src/settlements/lines';
import { readSettlementFile, type SettlementRead } from '../../../src/settlements/read';
import type { Pass1Part } from '../../../src/settlements/read-lines';
import { joinSettlementParts, planSettlementParts, readSettlementPart, type SettlementPartJob } from '../../../src/settlements/parts';
import { NOT_UTF8 } from '../../../src/settlements/rows';
import { startWorkerFile } from '../../worker-file';

/** First message to the worker: read bytes [from, to) of the file into `bytes` (shared memory). */
export interface PartBytes {
  file: string;
  bytes: Uint8Array;
  from: number;
  to: number;
}

/** Second message: read that part's lines. */
export interface PartJob {
  job: SettlementPartJob;
}

/** The worker's answer: the part read, or word that its bytes are not UTF-8. */
export type PartDone = { part: Pass1Part } | { notUtf8: true };

export interface ReadOptions {
  fields?: readonly LineTextField[];
  threads?: number;
  partBytes?: number;
}

/** Where the second part starts: past the middle (the worker starts later, by its own start-up), after a line feed. */
const SECOND_PART_AT = 0.54;
/** The bytes looked at for that line feed; a longer line (no settlement file has one) means one pass. */
const LINE_WINDOW = 1 << 20;

/** Reads bytes [from, to) of an open file into `bytes` at the same offsets. */
export function readRange(fd: number, bytes: Uint8Array, from: number, to: number): void {
  for (let at = from; at < to; ) {
    const n = fs.readSync(fd, bytes, at, to - at, at);
    if (n === 0) throw new Error('The file became shorter while it was read.');
    at += n;
  }
}

export async function readSettlementFileAt(file: string, options: ReadOptions = {}): Promise<SettlementRead> {
  const name = path.basename(file);
  const fields = options.fields;
  const onePass = () => readSettlementFile({ name, bytes: fs.readFileSync(file) }, { fields });
  const size = fs.statSync(file).size;
  if ((options.threads ?? Math.min(2, os.availableParallelism())) < 2 || size < 2 * (options.partBytes ?? 8 << 20)) return onePass();
  // the worker starts while this thread finds where the second part starts and reads the first
  const worker = startWorkerFile(__filename, 'read-file-worker');
  const done = answer(worker, file);
  try {
    const fd = fs.openSync(file, 'r');
    let bytes: Uint8Array;
    let split: number;
    try {
      const target = Math.floor(size * SECOND_PART_AT);
      const window = Buffer.alloc(Math.min(LINE_WINDOW, size - target));
      const nl = window.subarray(0, fs.readSync(fd, window, 0, window.length, target)).indexOf(10);
      if (nl < 0 || target + nl + 1 >= size) return onePass();
      split = target + nl + 1;
      bytes = new Uint8Array(new SharedArrayBuffer(size));
      worker.postMessage({ file, bytes, from: split, to: size } satisfies PartBytes);
      readRange(fd, bytes, 0, split);
    } finally {
      fs.closeSync(fd);
    }
    const input = { name, bytes };
    const plan = planSettlementParts(input, [split], fields);
    if (!plan) return onePass();
    worker.postMessage({ job: plan.jobs[1]! } satisfies PartJob);
    let first;
    try {
      first = readSettlementPart(bytes, plan.jobs[0]!);
    } catch (e) {
      if (e === NOT_UTF8) return onePass();
      throw e;
    }
    const second = await done;
    if ('notUtf8' in second) return onePass();
    return joinSettlementParts(plan, first, [second.part]);
  } finally {
    await worker.terminate();
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
