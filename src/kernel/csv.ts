/**
 * CSV in and out. Writing is RFC 4180 by hand (a few lines; quoting rules are the
 * whole of it) so the formula-injection rule and per-target line endings stay in one place.
 * Reading uses papaparse (string mode only: no Node streams here).
 */
import Papa from 'papaparse';
import { blocking, warning, type Problem } from './problems';
import { tableFromValues, type Cell, type Table } from './table';

export interface CsvOptions {
  lineEnding?: '\r\n' | '\n';
  bom?: boolean;
  delimiter?: string;
}

/** Text a spreadsheet would run as a formula; neutralised with a leading apostrophe (OWASP advice). */
const DANGEROUS_START = /^[=+\-@\t\r\n]/;
/** A real signed number written as text stays a number (e.g. "-12.50"). */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function neutraliseText(s: string): string {
  return DANGEROUS_START.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
}

function cellText(c: Cell | undefined): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'number') return Number.isFinite(c) ? String(c) : '';
  if (typeof c === 'boolean') return c ? 'TRUE' : 'FALSE';
  if (c instanceof Date) return c.toISOString();
  return neutraliseText(c);
}

/**
 * Characters that make a cell quoted whatever the file's own delimiter: a file written with `;` is
 * often opened as `,` (or tab) separated, and an unquoted `x,=1+1` would then split into a cell
 * that starts a formula.
 */
const NEEDS_QUOTES = /[,;\t"\r\n]/;

/** One cell as a CSV row writes it (neutralised, quoted when needed) for the delimiter `d`. */
export function csvCell(c: Cell | undefined, d = ','): string {
  const t = cellText(c);
  return NEEDS_QUOTES.test(t) || t.includes(d) ? `"${t.replace(/"/g, '""')}"` : t;
}

export function csvRow(cells: readonly Cell[], options: CsvOptions = {}): string {
  const d = options.delimiter ?? ',';
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    if (i) out += d;
    out += csvCell(cells[i], d);
  }
  return out;
}

/** The warning for a record whose field count is not the header's (every CSV reader words it so). */
export function fieldCountWarning(source: string, row: number, count: number, width: number): Problem {
  return warning({ source, row, message: `This line has ${count} fields where the header has ${width}.`, code: 'field-count' });
}

export function toCsv(header: readonly string[], rows: Iterable<readonly Cell[]>, options: CsvOptions = {}): string {
  const eol = options.lineEnding ?? '\r\n';
  const parts: string[] = [csvRow(header, options)];
  for (const r of rows) parts.push(csvRow(r, options));
  return (options.bom ? '\uFEFF' : '') + parts.join(eol) + eol;
}

export interface ParseCsvOptions {
  /** File name, for problems. */
  name: string;
  /** Default: detected among , ; tab | */
  delimiter?: string;
}

/**
 * Parses CSV text into a table with every cell kept as text (ids and amounts stay exact).
 * Blank lines are skipped; a row with a different field count is a warning and kept.
 */
export function parseCsv(text: string, options: ParseCsvOptions): { table: Table; problems: Problem[] } {
  const body = text.replace(/^\uFEFF/, '');
  const res = Papa.parse<string[]>(body, { delimiter: options.delimiter ?? '', skipEmptyLines: 'greedy' });
  const problems: Problem[] = [];
  for (const e of res.errors) {
    if (e.code === 'UndetectableDelimiter') continue;
    if (e.code === 'TooFewFields' || e.code === 'TooManyFields') continue; // reported below with the column counts
    problems.push(blocking({ source: options.name, row: (e.row ?? 0) + 1, message: `The CSV cannot be read here: ${e.message}.`, code: 'csv-syntax' }));
  }
  const values = res.data as Cell[][];
  if (values.length === 0) {
    problems.push(blocking({ source: options.name, message: `${options.name} is empty.`, code: 'empty-file' }));
    return { table: { name: options.name, header: [], rows: [], firstRowNumber: 2 }, problems };
  }
  const width = values[0]!.length;
  // Line numbers are lost once blank lines are skipped; keep them by counting the rows we return.
  values.forEach((r, i) => {
    if (i > 0 && r.length !== width) problems.push(fieldCountWarning(options.name, i + 1, r.length, width));
  });
  return { table: tableFromValues(options.name, values), problems };
}
