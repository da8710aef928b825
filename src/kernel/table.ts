/**
 * Tables: the engine's unit of data is a header plus rows of cells, the same shape as an Excel
 * range's `values`, so hosts pass ranges through without conversion (docs/rules.md, "Every job").
 * Columns are found by header name with aliases, case-insensitively, never by position.
 */
import { blocking, warning, type Problem } from './problems';

/** A cell as Excel's `Range.values` gives it: empty cells are ''. Dates from exceljs may be Date. */
export type Cell = string | number | boolean | null | Date;

export interface Table {
  /** Sheet or file name, used in problems. */
  name: string;
  header: string[];
  rows: Cell[][];
  /** Sheet row number of `rows[0]`; 2 when the header is on row 1. */
  firstRowNumber?: number;
}

export interface ColumnRef {
  /** Canonical name used by the engine, e.g. `TCTYPE`. */
  name: string;
  /** Other headers accepted, e.g. `TYPE`. */
  aliases?: readonly string[];
  required?: boolean;
}

export function normaliseHeader(h: unknown): string {
  return String(h ?? '').replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s_-]+/g, '_');
}

export interface ColumnIndex {
  /** Canonical name → index in the header, or -1 when absent. */
  index: Record<string, number>;
  problems: Problem[];
}

/** Locates columns by name or alias; a missing required column is a blocking problem naming the aliases tried. */
export function findColumns(table: Pick<Table, 'name' | 'header'>, refs: readonly ColumnRef[]): ColumnIndex {
  const positions = new Map<string, number>();
  table.header.forEach((h, i) => {
    const k = normaliseHeader(h);
    if (k && !positions.has(k)) positions.set(k, i);
  });
  const index: Record<string, number> = {};
  const problems: Problem[] = [];
  for (const ref of refs) {
    const names = [ref.name, ...(ref.aliases ?? [])];
    let at = -1;
    for (const n of names) {
      const p = positions.get(normaliseHeader(n));
      if (p !== undefined) {
        at = p;
        break;
      }
    }
    index[ref.name] = at;
    if (at < 0 && ref.required) {
      problems.push(
        blocking({
          source: table.name,
          row: (table as Table).firstRowNumber ? (table as Table).firstRowNumber! - 1 : 1,
          column: ref.name,
          message:
            names.length > 1
              ? `The column ${ref.name} is missing (looked for ${names.join(', ')}).`
              : `The column ${ref.name} is missing.`,
          code: 'missing-column',
        }),
      );
    }
  }
  return { index, problems };
}

/** Sheet row number of `table.rows[i]`. */
export function rowNumber(table: Table, i: number): number {
  return (table.firstRowNumber ?? 2) + i;
}

export function isBlank(c: Cell | undefined): boolean {
  return c === null || c === undefined || (typeof c === 'string' && c.trim() === '');
}

/** Builds a table from a 2-D range (first row = header), dropping fully empty trailing rows. */
export function tableFromValues(name: string, values: Cell[][], headerRowNumber = 1): Table {
  const [header = [], ...rest] = values;
  let end = rest.length;
  while (end > 0 && rest[end - 1]!.every(isBlank)) end--;
  return {
    name,
    header: header.map((h) => String(h ?? '').replace(/^\uFEFF/, '').trim()),
    rows: rest.slice(0, end),
    firstRowNumber: headerRowNumber + 1,
  };
}

/** Column letters as Excel shows them: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

// ---- Typed row readers -------------------------------------------------------------------------

import { parseAmount } from './money';
import { readId } from './ids';
import { readDate, readDateTime, type DateOptions } from './dates';

export type FieldType = 'text' | 'id' | 'amount' | 'date' | 'datetime' | 'integer' | 'enum';

export interface FieldSpec {
  /** Header the field is found under (default: the schema key). */
  header?: string;
  aliases?: readonly string[];
  required?: boolean;
  type: FieldType;
  /** Allowed words for `enum`, matched case-insensitively; the value returned is the word as listed here. */
  values?: readonly string[];
  currency?: string;
  decimal?: '.' | ',';
  round?: boolean;
  slash?: DateOptions['slash'];
  /** A blank cell is a problem (default: blank is allowed unless `required`). */
  notBlank?: boolean;
  /** A bad value is only a warning and the field is left undefined (for optional carried-through fields). */
  lenient?: boolean;
}

export type Schema = Record<string, FieldSpec>;

type FieldValue<F extends FieldSpec> = F['type'] extends 'amount' | 'integer'
  ? number
  : F['type'] extends 'datetime'
    ? { iso: string; epochMs: number }
    : string;

export interface ParsedRow<S extends Schema> {
  /** Sheet/file row number as the user sees it. */
  rowNumber: number;
  /** The input row, untouched (for carrying other columns through). */
  cells: Cell[];
  /** Parsed values; a blank optional field is undefined. */
  values: { [K in keyof S]: FieldValue<S[K]> | undefined };
}

/**
 * Reads every row of a table against a schema, collecting problems instead of throwing.
 * A row with a blocking problem is left out of `rows`; the others go on.
 */
export function readRows<S extends Schema>(
  table: Table,
  schema: S,
): { rows: ParsedRow<S>[]; problems: import('./problems').Problem[]; index: Record<string, number> } {
  const keys = Object.keys(schema);
  const refs = keys.map((k) => ({ name: schema[k]!.header ?? k, aliases: schema[k]!.aliases, required: schema[k]!.required }));
  const found = findColumns(table, refs);
  const problems = [...found.problems];
  const index: Record<string, number> = {};
  keys.forEach((k, i) => (index[k] = found.index[refs[i]!.name]!));
  const rows: ParsedRow<S>[] = [];
  if (problems.length) return { rows, problems, index };
  const base = table.firstRowNumber ?? 2;
  for (let r = 0; r < table.rows.length; r++) {
    const cells = table.rows[r]!;
    if (cells.every(isBlank)) continue;
    const rowNo = base + r;
    const values: Record<string, unknown> = {};
    let bad = false;
    for (const k of keys) {
      const spec = schema[k]!;
      const at = index[k]!;
      if (at < 0) continue;
      const cell = cells[at];
      const column = table.header[at] ?? k;
      if (isBlank(cell)) {
        if (spec.required || spec.notBlank) {
          problems.push(blocking({ source: table.name, row: rowNo, column, value: '', message: `${column} is empty.`, code: 'blank' }));
          bad = true;
        }
        continue;
      }
      const r1 = readField(cell!, spec);
      if (r1.ok) values[k] = r1.value;
      else {
        const p = { source: table.name, row: rowNo, column, value: cell, message: `${column}: ${r1.reason}`, code: `bad-${spec.type}` };
        if (spec.lenient) problems.push(warning(p));
        else {
          problems.push(blocking(p));
          bad = true;
        }
      }
    }
    if (!bad) rows.push({ rowNumber: rowNo, cells, values: values as ParsedRow<S>['values'] });
  }
  return { rows, problems, index };
}

function readField(cell: Cell, spec: FieldSpec): { ok: true; value: unknown } | { ok: false; reason: string } {
  switch (spec.type) {
    case 'text':
      return { ok: true, value: cell instanceof Date ? cell.toISOString() : String(cell).trim() };
    case 'id': {
      const r = readId(cell);
      return r.ok ? { ok: true, value: r.id } : r;
    }
    case 'amount': {
      const r = parseAmount(cell, { currency: spec.currency, decimal: spec.decimal, round: spec.round });
      return r.ok ? { ok: true, value: r.cents } : r;
    }
    case 'integer': {
      const n = typeof cell === 'number' ? cell : Number(String(cell).trim());
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, reason: `"${String(cell)}" is not a whole number.` };
    }
    case 'date': {
      const r = readDate(cell, { slash: spec.slash });
      return r.ok ? { ok: true, value: r.iso } : r;
    }
    case 'datetime': {
      const r = readDateTime(cell, { slash: spec.slash });
      return r.ok ? { ok: true, value: { iso: r.iso, epochMs: r.epochMs } } : r;
    }
    case 'enum': {
      const t = String(cell).trim().toLowerCase();
      const hit = (spec.values ?? []).find((v) => v.toLowerCase() === t);
      return hit !== undefined
        ? { ok: true, value: hit }
        : { ok: false, reason: `"${String(cell)}" is not one of ${(spec.values ?? []).join(', ')}.` };
    }
  }
}
