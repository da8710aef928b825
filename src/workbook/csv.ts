/**
 * A SheetSpec as CSV (for files delivered to partners and for the CLI's --csv output).
 *
 * Public API
 * - `sheetCsvRows(spec)`: the data rows as CSV cells (money → '-1234.56' in the column's currency, ids as text,
 *   dates/datetimes as ISO strings, booleans TRUE/FALSE, numbers as numbers).
 * - `sheetToCsv(spec, options?)`: RFC 4180 text through kernel `toCsv` (formula-injection rule included);
 *   `options.preamble: true` writes the spec's preamble rows above the header.
 */
import { toCsv, csvRow, type CsvOptions } from '../kernel/csv';
import { formatAmount } from '../kernel/money';
import { readDate, readDateTime } from '../kernel/dates';
import { readId } from '../kernel/ids';
import type { Cell } from '../kernel/table';
import type { SheetColumn, SheetSpec } from './sheet-spec';

export interface SheetCsvOptions extends CsvOptions {
  /** Write the preamble rows above the header (default false: a CSV is one table). */
  preamble?: boolean;
}

export function csvCell(value: Cell | undefined, column: SheetColumn): Cell {
  if (value === null || value === undefined || value === '') return '';
  switch (column.type) {
    case 'money':
      return typeof value === 'number' && Number.isSafeInteger(value) ? formatAmount(value, column.currency ?? 'USD') : value;
    case 'id': {
      if (typeof value === 'string') return value;
      const r = readId(value);
      return r.ok ? r.id : String(value);
    }
    case 'date': {
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
      const r = readDate(value);
      return r.ok ? r.iso : value;
    }
    case 'datetime': {
      const r = readDateTime(value);
      return r.ok ? r.iso : value;
    }
    default:
      return value;
  }
}

export function sheetCsvRows(spec: SheetSpec): Cell[][] {
  return spec.rows.map((r) => spec.columns.map((c, i) => csvCell(r[i], c)));
}

export function sheetToCsv(spec: SheetSpec, options: SheetCsvOptions = {}): string {
  const { preamble, ...csvOptions } = options;
  const body = toCsv(
    spec.columns.map((c) => c.header),
    sheetCsvRows(spec),
    { ...csvOptions, bom: false },
  );
  const eol = csvOptions.lineEnding ?? '\r\n';
  const head = preamble && spec.preamble?.length ? spec.preamble.map((r) => csvRow(r, csvOptions) + eol).join('') : '';
  return (csvOptions.bom ? '\uFEFF' : '') + head + body;
}
