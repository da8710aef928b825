/**
 * A settlement file from disk as the CLI and the benchmark read it: a large UTF-8 flat file in two
 * parts side by side — this thread reads the first while a worker thread (./read-file-worker) reads
 * the second from the same shared bytes — joined in file order (src/settlements/parts.ts: the same
 * result as one pass, which small files, comma-separated copies and windows-1252 files get).
 *
 * Public API
 * - `readSettlementFileAt(file, options?)` → SettlementRead. `threads` (default 2): parts read at once;
 *   `partBytes` (default 8 MB): below twice this a file is read in one pass (a worker's start costs more).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { LineTextField } from '../../../src/settlements/lines';
import { readSettlementFile, type SettlementRead } from '../../../src/settlements/read';
import type { Pass1Part } from '../../../src/settlements/read-lines';
import { joinSettlementParts, planSettlementParts, readSettlementPart, type SettlementPartJob } from '../../../src/settlements/parts';
import { NOT_UTF8 } from '../../../src/settlements/rows';
import { startWorkerFile } from '../../worker-file';

export interface PartJob {
  bytes: Uint8Array;
  job: SettlementPartJob;
}

/** A part read, or word that its bytes are not UTF-8. */
export type PartDone = { part: Pass1Part } | { notUtf8: true };

export interface ReadOptions {
  fields?: readonly LineTextField[];
  threads?: number;
  partBytes?: number;
}

/** The whole file into memory other threads can read (no copy is made for them). */
function readShared(file: string): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    for (let at = 0; at < size; ) {
      const n = fs.readSync(fd, bytes, at, size - at, at);
      if (n === 0) throw new Error(`${file} became shorter while it was read.`);
      at += n;
    }
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

export async function readSettlementFileAt(file: string, options: ReadOptions = {}): Promise<SettlementRead> {
  const name = path.basename(file);
  const threads = options.threads ?? 2;
  const fields = options.fields;
  if (threads < 2 || fs.statSync(file).size < 2 * (options.partBytes ?? 8 << 20)) return readSettlementFile({ name, bytes: fs.readFileSync(file) }, { fields });
  // the workers start while this thread reads the file
  const workers = Array.from({ length: threads - 1 }, () => startWorkerFile(__filename, 'read-file-worker'));
  try {
    const bytes = readShared(file);
    const input = { name, bytes };
    const plan = planSettlementParts(input, threads, fields);
    if (!plan) return readSettlementFile(input, { fields });
    const later = plan.jobs.slice(1).map((job, k) => readPart(workers[k]!, { bytes, job }));
    let first;
    try {
      first = readSettlementPart(bytes, plan.jobs[0]!);
    } catch (e) {
      if (e === NOT_UTF8) return readSettlementFile(input, { fields });
      throw e;
    }
    const parts: Pass1Part[] = [];
    for (const done of await Promise.all(later)) {
      if ('notUtf8' in done) return readSettlementFile(input, { fields });
      parts.push(done.part);
    }
    return joinSettlementParts(plan, first, parts);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function readPart(worker: Worker, job: PartJob): Promise<PartDone> {
  const done = new Promise<PartDone>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    // (a worker ended by terminate() once its part is joined has settled this already)
    worker.once('exit', (code) => reject(new Error(`Reading ${job.job.file} failed (worker exit ${code}).`)));
  });
  done.catch(() => undefined); // a failure is seen where the promise is awaited
  worker.postMessage(job);
  return done;
}
