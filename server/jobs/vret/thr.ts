/**
 * THR transaction-history files: pipe-delimited text with a header, possibly millions of lines.
 * Read as a stream and handed on in chunks (tables with their true line numbers), so memory holds
 * one chunk at a time; the engine keeps only the selected rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
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
 * chunk as [''] so line numbers hold; the file's sha256 is computed on the way.
 */
export async function readThrFile(file: string, onChunk: (table: Table) => void | Promise<void>, chunkRows = 20_000): Promise<ThrReadResult> {
  const name = path.basename(file);
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = fs.createReadStream(file);
  stream.on('data', (b) => {
    hash.update(b as Buffer);
    bytes += (b as Buffer).length;
  });
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let header: string[] | null = null;
  let lineNo = 0;
  let rows: string[][] = [];
  let first = 2;
  for await (const raw of rl) {
    lineNo++;
    if (header === null) {
      if (raw.trim() === '') continue;
      header = raw.replace(/^\uFEFF/, '').split('|').map((h) => h.trim());
      first = lineNo + 1;
      continue;
    }
    rows.push(raw.trim() === '' ? [''] : raw.split('|'));
    if (rows.length >= chunkRows) {
      await onChunk({ name, header, rows, firstRowNumber: first });
      first = lineNo + 1;
      rows = [];
    }
  }
  if (header && rows.length) await onChunk({ name, header, rows, firstRowNumber: first });
  if (!header) await onChunk({ name, header: [], rows: [], firstRowNumber: 2 });
  return { file: name, lines: lineNo, bytes, sha256: hash.digest('hex') };
}
