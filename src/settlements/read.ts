/**
 * Reading an Amazon settlement flat file — V2, or legacy V1 spread into V2-shaped lines — in the
 * steps the work falls into:
 *  1. the source: a flat file's bytes (UTF-8, else windows-1252: a file re-saved on a European Windows
 *     machine), a comma-separated copy, or cells (a dataset, a sheet);
 *  2. the rows: split where they lie (./rows.ts), no string or object per line;
 *  3. the header: format and columns (./columns.ts);
 *  4. pass 1 (./read-lines.ts): each line's fields kept as spans (./lines.ts), amounts as integer cents
 *     where their form is plain, and evidence for the file's conventions;
 *  5. the conventions: decimal separator and date style, decided once for the file (./conventions.ts);
 *  6. the summary row (the first with a total-amount): settlement id, dates, currency, total;
 *  7. pass 2: every amount and posted date read with the file's conventions;
 *  8. the invariant: total-amount equals the sum of the detail amounts, to the cent.
 * Every problem names file, row, column and value.
 *
 * Public API
 * - `readSettlementFile(input, { fields? })` → { settlement (lines as columns) | null, problems }.
 * - `readHeader`, `finishRead`: step 3 and steps 5–8, for reading in parts (./parts.ts).
 */
import Papa from 'papaparse';
import { blocking, warning, type Problem } from '../kernel/problems';
import { formatAmount, isCurrencyCode, minorUnitDigits, parseAmount } from '../kernel/money';
import { readDateTime } from '../kernel/dates';
import type { Cell } from '../kernel/table';
import { decodeSettlementBytes, type SettlementEncoding } from './decode';
import { readSettlementHeader, type SettlementLayout } from './columns';
import type { LineField, SettlementLines } from './lines';
import { COMMA, NEEDS_BYTES, NO_SEPARATOR, POINT, Pass1 } from './read-lines';
import { CellRows, NOT_UTF8, TabRows, type SettlementRows } from './rows';
import { encodeUtf8 } from '../kernel/text-bytes';
import type { Settlement, SettlementFileInput } from './parse';

export type SettlementColumnsRead = Omit<Settlement, 'lines'> & { lines: SettlementLines };

export interface SettlementRead {
  settlement: SettlementColumnsRead | null;
  problems: Problem[];
}

/** `fields`: what to keep of each line (default all; a consumer that only totals names the few texts it groups by — quantity and posted date then only when named). */
export function readSettlementFile(input: SettlementFileInput, options: { fields?: readonly LineField[] } = {}): SettlementRead {
  try {
    return readFile(input, 'utf-8', options.fields);
  } catch (e) {
    // Not UTF-8 somewhere: the whole file is windows-1252, read again from the start.
    if (e === NOT_UTF8) return readFile(input, 'windows-1252', options.fields);
    throw e;
  }
}

// ---- 1. The source ------------------------------------------------------------------------------

/** Whether the first line says "comma-separated copy" (commas and no tab) rather than a flat file. */
function commaSeparated(firstLine: (c: number) => boolean): boolean {
  return !firstLine(9) && firstLine(44);
}

function bytesFirstLineHas(bytes: Uint8Array, from: number): (c: number) => boolean {
  let end = bytes.indexOf(10, from);
  if (end < 0) end = bytes.length;
  return (c) => {
    const i = bytes.indexOf(c, from);
    return i >= 0 && i < end;
  };
}

/** A table from a dataset or a sheet: cells as text, header on the row before `firstRowNumber`. */
function tableRows(table: NonNullable<SettlementFileInput['table']>): { row: number; cells: string[] }[] {
  const first = table.firstRowNumber ?? 2;
  const text = (c: Cell | undefined): string => (c === null || c === undefined ? '' : c instanceof Date ? c.toISOString() : String(c).trim());
  const out = [{ row: first - 1, cells: table.header.map(text) }];
  for (let i = 0; i < table.rows.length; i++) {
    const cells = table.rows[i]!.map(text);
    if (cells.some((c) => c !== '')) out.push({ row: first + i, cells });
  }
  return out;
}

/** A comma-separated copy (a file re-saved from Excel): papaparse, rows numbered by record. */
function csvRows(text: string): { row: number; cells: string[] }[] {
  const res = Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: false });
  const out: { row: number; cells: string[] }[] = [];
  res.data.forEach((cells, k) => {
    if (cells.some((c) => c.trim() !== '')) out.push({ row: k + 1, cells: cells.map((c) => c.trim()) });
  });
  return out;
}

function openRows(input: SettlementFileInput, mode: SettlementEncoding, problems: Problem[]): { rows: SettlementRows; encoding: SettlementEncoding } {
  const file = input.name;
  const fallback = () =>
    problems.push(warning({ source: file, message: `${file} is not UTF-8; it was read as windows-1252 (Western European). Check accented names.`, code: 'encoding-fallback' }));
  if (input.table) return { rows: CellRows.of(tableRows(input.table)), encoding: 'utf-8' };
  if (input.bytes) {
    const b = input.bytes;
    if (commaSeparated(bytesFirstLineHas(b, 0))) {
      const d = decodeSettlementBytes(b);
      if (d.encoding === 'windows-1252') fallback();
      return { rows: CellRows.of(csvRows(d.text)), encoding: d.encoding };
    }
    if (mode === 'windows-1252') fallback();
    const bom = mode === 'utf-8' && b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
    return { rows: new TabRows(b, bom, mode, mode === 'utf-8'), encoding: mode };
  }
  const text = (input.text ?? '').replace(/^\uFEFF/, '');
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  if (commaSeparated((c) => first.includes(String.fromCharCode(c)))) return { rows: CellRows.of(csvRows(text)), encoding: 'utf-8' };
  return { rows: new TabRows(encodeUtf8(text), 0, 'utf-8', false), encoding: 'utf-8' };
}

// ---- The steps together -------------------------------------------------------------------------

function readFile(input: SettlementFileInput, mode: SettlementEncoding, fields?: readonly LineField[]): SettlementRead {
  const file = input.name;
  const problems: Problem[] = [];
  const { rows, encoding } = openRows(input, mode, problems);
  const layout = readHeader(file, rows, problems);
  if (!layout) return { settlement: null, problems };
  // 4. Pass 1.
  const pass = new Pass1(rows, layout, file, problems, fields).read();
  return finishRead(file, layout, encoding, pass, problems);
}

/** 3. The header: the file's layout, or null (the file cannot be read; its problems say why). */
export function readHeader(file: string, rows: SettlementRows, problems: Problem[]): SettlementLayout | null {
  if (!rows.next()) {
    problems.push(blocking({ source: file, message: `${file} is empty.`, code: 'empty-file' }));
    return null;
  }
  const header: string[] = [];
  for (let f = 0; f < rows.count; f++) header.push(rows.raw(f));
  const { layout, problems: headerProblems } = readSettlementHeader(file, rows.row, header);
  problems.push(...headerProblems);
  if (!layout && rows instanceof TabRows) rows.validateRest(); // the encoding is the whole file's
  return layout;
}

/** Steps 5–8 once pass 1 has read every line (on one thread, or in parts appended in file order). */
export function finishRead(file: string, layout: SettlementLayout, encoding: SettlementEncoding, pass: Pass1, problems: Problem[]): SettlementRead {
  // 5. The conventions.
  const decimal = pass.decimals.decide(file, problems);
  const { dateStyle, slash } = pass.dates.decide(file, decimal, problems);

  // 6. The summary row.
  const summary = pass.summary;
  if (!summary) {
    problems.push(blocking({ source: file, column: 'total-amount', message: `${file} has no summary row (no row with a total-amount).`, code: 'no-summary' }));
    return { settlement: null, problems };
  }
  const dateCache = new Map<string, string | null>();
  const isoDate = (t: string): string | null => {
    let v = dateCache.get(t);
    if (v === undefined) {
      const r = readDateTime(t, { slash });
      v = r.ok ? r.iso.slice(0, 10) : null;
      dateCache.set(t, v);
    }
    return v;
  };
  const summaryDate = (t: string, column: string): string => {
    if (!t) return '';
    const v = isoDate(t);
    if (v !== null) return v;
    problems.push(blocking({ source: file, row: summary.row, column, value: t, message: `${column} "${t}" is not a date.`, code: 'bad-date' }));
    return '';
  };
  const currency = summary.currency.toUpperCase();
  if (!isCurrencyCode(currency))
    problems.push(blocking({ source: file, row: summary.row, column: 'currency', value: summary.currency, message: `The summary row's currency "${summary.currency}" is not a currency code.`, code: 'bad-currency' }));
  const cur = isCurrencyCode(currency) ? currency : 'USD';
  const settlementId = summary.settlementId;
  if (!settlementId) problems.push(blocking({ source: file, row: summary.row, column: 'settlement-id', message: 'The summary row has no settlement-id.', code: 'blank' }));
  const total = parseAmount(summary.total, { currency: cur, decimal });
  if (!total.ok) problems.push(blocking({ source: file, row: summary.row, column: 'total-amount', value: summary.total, message: `total-amount: ${total.reason}`, code: 'bad-amount' }));
  const lines = pass.lines;
  const settlement: SettlementColumnsRead = {
    file,
    format: layout.format,
    settlementId,
    startDate: summaryDate(summary.start, 'settlement-start-date'),
    endDate: summaryDate(summary.end, 'settlement-end-date'),
    depositDate: summaryDate(summary.deposit, 'deposit-date'),
    currency: cur,
    totalCents: total.ok ? total.cents : 0,
    detailCents: 0,
    summaryRow: summary.row,
    lines,
    dateStyle,
    decimal,
    encoding,
  };

  // 7. Pass 2: amounts and dates not read in pass 1, with the file's conventions; a line whose amount
  // cannot be read is left out (and blocks).
  const { foreign, laterDates, form } = pass;
  // Plain amounts were read as cents with two decimals: right when the currency has two and the separator is the file's.
  const plainForm = minorUnitDigits(cur) === 2 ? (decimal === '.' ? POINT : COMMA) : -1;
  // a pass read through a window kept as text only what a file with a point and two decimals needs
  if (pass.windowed && plainForm !== POINT) throw NEEDS_BYTES;
  const keep = new Uint8Array(lines.count).fill(1);
  let detail = 0;
  let unreadable = 0;
  const amountOptions = { currency: cur, decimal };
  const checkForeign = foreign.size > 0 && settlementId !== '';
  for (let i = 0; i < lines.count; i++) {
    const row = lines.row[i]!;
    if (checkForeign && (i === 0 || lines.row[i - 1] !== row)) {
      const other = foreign.get(row);
      if (other !== undefined && other !== settlementId)
        problems.push(blocking({ source: file, row, column: 'settlement-id', value: other, message: `This row belongs to settlement ${other}, not ${settlementId} of the summary row.`, code: 'settlement-id-mismatch' }));
    }
    if (laterDates.line[laterDates.next] === i) {
      const k = laterDates.next++;
      const t = pass.text(laterDates.start[k]!, laterDates.end[k]!);
      const v = isoDate(t);
      if (v === null) {
        if (i === 0 || lines.row[i - 1] !== row) problems.push(warning({ source: file, row, column: 'posted-date', value: t, message: `posted-date "${t}" is not a date; it is left blank.`, code: 'bad-date' }));
      } else lines.postedDate[i] = pass.dayId(Number(v.slice(0, 4)) * 10000 + Number(v.slice(5, 7)) * 100 + Number(v.slice(8, 10)));
    }
    const f = form[i]!;
    if (plainForm < 0 || (f !== NO_SEPARATOR && f !== plainForm)) {
      const t = pass.text(pass.amountStart[i]!, pass.amountEnd[i]!);
      const a = parseAmount(t, amountOptions);
      if (!a.ok) {
        unreadable++;
        const column = pass.column ? layout.header[pass.column[i]!]! : 'amount';
        problems.push(blocking({ source: file, row, column, value: t, message: `${column}: ${a.reason}`, code: 'bad-amount' }));
        keep[i] = 0;
        continue;
      }
      lines.cents[i] = a.cents;
    }
    detail += lines.cents[i]!;
  }
  if (unreadable) lines.keep(keep);
  settlement.detailCents = detail;

  // 8. The invariant.
  if (total.ok && total.cents !== detail) {
    problems.push(
      blocking({
        source: file,
        row: summary.row,
        column: 'total-amount',
        value: summary.total,
        message:
          `total-amount ${formatAmount(total.cents, cur)} ${cur} does not equal the sum of the detail amounts ${formatAmount(detail, cur)} ${cur} ` +
          `(difference ${formatAmount(total.cents - detail, cur)})${unreadable ? `; ${unreadable} amount${unreadable === 1 ? ' was' : 's were'} unreadable` : ''}.`,
        code: 'total-mismatch',
      }),
    );
  }
  return { settlement, problems };
}
