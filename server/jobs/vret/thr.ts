/**
 * THR transaction-history files: pipe-delimited text with a header, possibly millions of lines.
 * Read as a stream and handed on in chunks (tables with their true line numbers), so memory holds
 * one chunk at a time; the engine keeps only the selected rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Table } from '../../../src/kernel/table';

export const THR_EXTENSIONS = ['.txt', '.thr', '.dat'];


/** THR files of a folder in name order (hidden and Office lock files skipped). */
export function listThrFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`The THR folder ${dir} does not exist.`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.startsWith('~$') && THR_EXTENSIONS.includes(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(dir, e.name))
    .sort();
}

export interface ThrReadResult {
  file: string;
  lines: number;
  bytes: number;
  sha256: string;
}

/**
 * Streams one THR file to `onChunk` in tables of at most `chunkRows` rows. Blank lines stay in the
 * chunk as [''] so line numbers hold; the file's sha256 is computed on the way. Lines are cut from the
 * bytes (LF, CRLF or a lone CR, as readline cuts them) and each is decoded on its own: a line event per
 * line cost more than the line, and a cell sliced from one big decoded piece would keep that whole piece
 * in memory for as long as the run keeps the cell. Chunks are small (2,000 rows, about 1 MB of
 * strings): a chunk is alive while the young generation fills, and each collection copies what is alive,
 * so 20,000-row chunks were copied again and again (seconds of the run).
 */
export async function readThrFile(file: string, onChunk: (table: Table) => void | Promise<void>, chunkRows = 2000, pieceBytes = 1 << 22): Promise<ThrReadResult> {
  const name = path.basename(file);
  const hash = createHash('sha256');
  let bytes = 0;
  let header: string[] | null = null;
  let lineNo = 0;
  let rows: string[][] = [];
  let first = 2;
  const line = async (raw: string) => {
    lineNo++;
    if (header === null) {
      if (raw.trim() === '') return;
      header = raw.replace(/^\uFEFF/, '').split('|').map((h) => h.trim());
      first = lineNo + 1;
      return;
    }
    rows.push(raw.trim() === '' ? [''] : raw.split('|'));
    if (rows.length >= chunkRows) {
      await onChunk({ name, header, rows, firstRowNumber: first });
      first = lineNo + 1;
      rows = [];
    }
  };
  const fd = fs.openSync(file, 'r');
  try {
    let carry: Buffer | null = null;
    const buf = Buffer.allocUnsafe(pieceBytes);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      const final = n === 0;
      if (n > 0) {
        hash.update(buf.subarray(0, n));
        bytes += n;
      }
      const data: Buffer = carry ? (final ? carry : Buffer.concat([carry, buf.subarray(0, n)])) : buf.subarray(0, n);
      let at = 0;
      if (data.indexOf(13) < 0) {
        for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, at)) {
          await line(data.toString('utf8', at, nl));
          at = nl + 1;
        }
      } else {
        for (let i = 0; i < data.length; i++) {
          const c = data[i];
          if (c !== 10 && c !== 13) continue;
          if (c === 13 && i + 1 === data.length && !final) break; // maybe half a CRLF: wait for the next piece
          await line(data.toString('utf8', at, i));
          if (c === 13 && data[i + 1] === 10) i++;
          at = i + 1;
        }
      }
      if (final) {
        if (at < data.length) await line(data.toString('utf8', at));
        break;
      }
      carry = at < data.length ? Buffer.from(data.subarray(at)) : null;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (header && rows.length) await onChunk({ name, header, rows, firstRowNumber: first });
  if (!header) await onChunk({ name, header: [], rows: [], firstRowNumber: 2 });
  return { file: name, lines: lineNo, bytes, sha256: hash.digest('hex') };
}
