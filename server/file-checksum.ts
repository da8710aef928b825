/**
 * SHA-256 of a file computed on another thread: a job that reads a large input on the main thread
 * (FIFO's 10M-row CSV, 660 MB) gets its input checksum without spending a core-second of its own on
 * it — the worker reads the file itself (from the page cache the main read fills) and hashes as it goes.
 */
import { Worker } from 'node:worker_threads';

// Plain JavaScript, evaluated: the same code runs from the TypeScript sources and from the build.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const hash = require('node:crypto').createHash('sha256');
const fd = fs.openSync(workerData, 'r');
try {
  const buf = Buffer.allocUnsafe(1 << 22);
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
} finally {
  fs.closeSync(fd);
}
parentPort.postMessage(hash.digest('hex'));
`;

/** Hex SHA-256 of the file's bytes. */
export function sha256FileInWorker(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: file });
    let digest: string | undefined;
    worker.once('message', (d: string) => (digest = d));
    worker.once('error', reject);
    worker.once('exit', (code) => (digest !== undefined ? resolve(digest) : reject(new Error(`The checksum of ${file} could not be computed (worker exit ${code}).`))));
  });
}
