/**
 * Writing a FIFO run's files. The engine gives each output as UTF-8 byte chunks (src/fifo/canonical:
 * no string per cell); this module only puts bytes into files, and copies the input's own bytes for
 * "TC_Data with redemptions" — each record as the file has it, found by the offsets the reader kept,
 * with `,REDEEMID,REMAINING` appended — so the input is never split a second time.
 *
 * Public API
 * - `writeByteChunks(file, chunks, hash?)`: the chunks into a file (and into a running hash).
 * - `writeCsvWithRedemptions(input, file, result, read, { windowBytes? })`: the CSV input's records plus REDEEMID and REMAINING.
 * - `writeTableWithRedemptions(source, file, result)`: the same for a workbook sheet.
 * - `writeProblemsCsv(file, problems)`.
 */
import fs from 'node:fs';
import type { Hash } from 'node:crypto';
import type { FifoResult } from '../../../src/fifo/allocate';
import { RedemptionSuffixes } from '../../../src/fifo/canonical';
import { ByteWriter } from '../../../src/kernel/byte-writer';
import { REDEMPTION_COLUMNS } from '../../../src/fifo/report';
import { csvRow, toCsv } from '../../../src/kernel/csv';
import { PROBLEM_COLUMNS, problemRows, type Problem } from '../../../src/kernel/problems';
import type { Table } from '../../../src/kernel/table';
import { recordTexts } from './csv-stream';
import type { FifoCsvInput } from './read-csv';

const EOL = '\r\n';

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

export function writeByteChunks(file: string, chunks: Iterable<Uint8Array>, hash?: Hash): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const c of chunks) {
      writeAll(fd, c);
      hash?.update(c);
    }
  } finally {
    fs.closeSync(fd);
  }
}

const FLUSH_AT = 1 << 21;

/**
 * Every data record of the CSV input again, with REDEEMID and REMAINING appended. A record the reader
 * marked verbatim (comma-separated, nothing to neutralise) is copied byte for byte; any other is split
 * and written through the kernel's CSV writer, as the whole file was before.
 */
export function writeCsvWithRedemptions(
  inputFile: string,
  file: string,
  result: FifoResult,
  read: Pick<FifoCsvInput, 'header' | 'spans' | 'delimiter'>,
  options: { windowBytes?: number } = {},
): void {
  const { spans } = read;
  const out = new ByteWriter(FLUSH_AT + (1 << 16));
  const suffixes = new RedemptionSuffixes(result);
  const inFd = fs.openSync(inputFile, 'r');
  const outFd = fs.openSync(file, 'w');
  try {
    out.text(csvRow([...read.header, ...REDEMPTION_COLUMNS.map((c) => c.header)]) + EOL);
    // A window of the input: records are read in file order, so it only ever moves forward.
    let window = Buffer.allocUnsafe(options.windowBytes ?? 1 << 22);
    let windowStart = 0;
    let windowEnd = 0;
    for (let i = 0; i < spans.count; i++) {
      const start = spans.start[i]!;
      const length = spans.length[i]!;
      if (start < windowStart || start + length > windowEnd) {
        if (length > window.length) window = Buffer.allocUnsafe(length);
        windowStart = start;
        windowEnd = start + fs.readSync(inFd, window, 0, window.length, start);
      }
      const from = start - windowStart;
      if (spans.verbatim[i]) {
        out.room(length);
        window.copy(out.buf, out.pos, from, from + length);
        out.pos += length;
      } else out.text(csvRow(recordTexts(window.subarray(from, from + length), read.delimiter)));
      suffixes.write(i, out);
      out.crlf();
      if (out.pos >= FLUSH_AT) writeAll(outFd, out.take());
    }
    if (out.pos) writeAll(outFd, out.take());
  } finally {
    fs.closeSync(inFd);
    fs.closeSync(outFd);
  }
}

/** "TC_Data with redemptions" from a workbook sheet: each cell through the kernel's CSV writer, straight into bytes. */
export function writeTableWithRedemptions(source: Table, file: string, result: FifoResult): void {
  const out = new ByteWriter(FLUSH_AT + (1 << 16));
  const suffixes = new RedemptionSuffixes(result);
  const fd = fs.openSync(file, 'w');
  try {
    out.text(csvRow([...source.header, ...REDEMPTION_COLUMNS.map((c) => c.header)]) + EOL);
    const width = source.header.length;
    for (let i = 0; i < source.rows.length; i++) {
      const cells = source.rows[i]!;
      for (let c = 0; c < width; c++) {
        if (c) out.byte(44);
        out.text(csvRow([cells[c] ?? '']));
      }
      suffixes.write(i, out);
      out.crlf();
      if (out.pos >= FLUSH_AT) writeAll(fd, out.take());
    }
    if (out.pos) writeAll(fd, out.take());
  } finally {
    fs.closeSync(fd);
  }
}

export function writeProblemsCsv(file: string, problems: readonly Problem[]): void {
  fs.writeFileSync(file, toCsv([...PROBLEM_COLUMNS], problemRows(problems)));
}
