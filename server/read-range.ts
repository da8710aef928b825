/**
 * A file's bytes into memory the caller already has (a buffer reused from file to file: fresh memory
 * costs more on large inputs than reading the file).
 *
 * Public API
 * - `readRange(fd, bytes, from, to)`: bytes [from, to) of an open file into `bytes` at the same offsets.
 */
import fs from 'node:fs';

export function readRange(fd: number, bytes: Uint8Array, from: number, to: number): void {
  for (let at = from; at < to; ) {
    const n = fs.readSync(fd, bytes, at, to - at, at);
    if (n === 0) throw new Error('The file became shorter while it was read.');
    at += n;
  }
}
