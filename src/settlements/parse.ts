/**
 * Amazon settlement flat files: V2 (23–24 columns, one amount per row with amount-type /
 * amount-description) and legacy V1 (33–36 columns, several type/amount pairs per row), found by header
 * name. V1 rows are spread into V2-shaped lines so everything downstream (mapping, builders) sees one shape.
 *
 * Per file the date style and the decimal separator are detected from the values themselves, because
 * Amazon writes them per marketplace (Amazon.de: `13.11.2024 00:00:00 UTC` and `34,20`). The first data
 * row with a total-amount is the summary; its total must equal the sum of all detail amounts to the
 * cent, else the file is blocked with both figures shown. The reading itself is ./read.ts (bytes to
 * columns, in steps); this module gives hosts the lines as objects.
 *
 * Public API
 * - `parseSettlementFile(input)` → { settlement | null, problems }; `parseSettlementFiles(inputs)` (a settlement in two files blocks).
 * - `parsedFromRead(read)`, `collectSettlements(parsed)`: the same for files a host read its own way (a Node host reads a large one on two threads).
 * - `settlementTotalsMatch(settlement)`: the invariant.
 * - Types: `Settlement`, `SettlementLine`, `SettlementFileInput`, `SettlementFormat`, `DateStyle`, `DecimalSeparator`.
 */
import { blocking, type Problem } from '../kernel/problems';
import type { Cell } from '../kernel/table';
import type { SettlementEncoding } from './decode';
import type { SettlementFormat } from './columns';
import type { DateStyle, DecimalSeparator } from './conventions';
import type { SettlementLine } from './lines';
import { readSettlementFile, type SettlementRead } from './read';

export type { SettlementFormat } from './columns';
export type { DateStyle, DecimalSeparator } from './conventions';
export { decimalEvidence } from './conventions';
export type { SettlementLine } from './lines';

export interface Settlement {
  file: string;
  format: SettlementFormat;
  settlementId: string;
  startDate: string;
  endDate: string;
  /** ISO date (UTC) of the deposit; '' when absent. */
  depositDate: string;
  currency: string;
  /** total-amount of the summary row. */
  totalCents: number;
  /** Σ of the detail amounts. */
  detailCents: number;
  summaryRow: number;
  lines: SettlementLine[];
  dateStyle: DateStyle | null;
  decimal: DecimalSeparator;
  encoding: SettlementEncoding;
}

export interface SettlementFileInput {
  name: string;
  /** Raw bytes (read here as UTF-8, else windows-1252) … */
  bytes?: Uint8Array;
  /** … or text already decoded … */
  text?: string;
  /** … or a table already split into cells (a backend dataset, a sheet); row numbers from `firstRowNumber`. */
  table?: { header: readonly Cell[]; rows: readonly (readonly Cell[])[]; firstRowNumber?: number };
}

export interface ParsedSettlementFile {
  /** null when the file cannot be read at all (no header, no amount column, unknown format). */
  settlement: Settlement | null;
  problems: Problem[];
}

export function parseSettlementFile(input: SettlementFileInput): ParsedSettlementFile {
  return parsedFromRead(readSettlementFile(input));
}

/** A file's read (lines as columns) with its lines as objects. */
export function parsedFromRead(r: SettlementRead): ParsedSettlementFile {
  return { settlement: r.settlement && { ...r.settlement, lines: r.settlement.lines.toArray() }, problems: r.problems };
}

/** The settlement invariant: total-amount equals Σ detail amounts, to the cent. */
export function settlementTotalsMatch(s: Pick<Settlement, 'totalCents' | 'detailCents'>): boolean {
  return s.totalCents === s.detailCents;
}

export interface ParsedSettlements {
  settlements: Settlement[];
  problems: Problem[];
}

/** Several files at once; the same settlement in two files is blocking (it would be posted twice). */
export function parseSettlementFiles(inputs: readonly SettlementFileInput[]): ParsedSettlements {
  return collectSettlements(inputs.map(parseSettlementFile));
}

/** Files parsed one by one (a host may read them its own way), in order; a settlement in two files blocks. */
export function collectSettlements(files: readonly ParsedSettlementFile[]): ParsedSettlements {
  const settlements: Settlement[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const r of files) {
    problems.push(...r.problems);
    if (!r.settlement) continue;
    const s = r.settlement;
    const key = s.settlementId;
    const first = seen.get(key);
    if (key && first !== undefined) {
      problems.push(
        blocking({ source: s.file, row: s.summaryRow, column: 'settlement-id', value: key, message: `Settlement ${key} is also in ${first}; load each settlement once.`, code: 'duplicate-settlement' }),
      );
      continue;
    }
    if (key) seen.set(key, s.file);
    settlements.push(s);
  }
  return { settlements, problems };
}
