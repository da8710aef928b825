/**
 * A settlement file's own conventions, decided once per file from its values (step 3 of reading, see
 * ./read.ts): Amazon writes them per marketplace (Amazon.de: `13.11.2024 00:00:00 UTC` and `34,20`).
 * Evidence is gathered while the lines are read; the decision comes after the last line.
 *
 * Public API
 * - `decimalEvidence(text)`: what one amount says about the decimal separator.
 * - `DecimalTally`: `noteText(text, row)` per amount (or `note(kind, row)` and, for the first of a kind,
 *   `firstText(kind, text)`); `decide(file, problems)` → the separator.
 * - `dateShape(text)`: which date style one date text has; `DateTally`: note(text, row); `decide(file, decimal, problems)`.
 */
import { blocking, warning, type Problem } from '../kernel/problems';

export type DateStyle = 'iso' | 'dotted' | 'slash-mdy' | 'slash-dmy';
export type DecimalSeparator = '.' | ',';
export type DecimalEvidence = 'dot' | 'comma' | 'grouped' | 'none';

/** What one amount text says about the decimal separator. */
export function decimalEvidence(text: string): DecimalEvidence {
  const c = text.lastIndexOf(',');
  const d = text.lastIndexOf('.');
  if (c < 0 && d < 0) return 'none';
  if (c >= 0 && d >= 0) return d > c ? 'dot' : 'comma';
  const at = c >= 0 ? c : d;
  const sep = c >= 0 ? ',' : '.';
  if (text.indexOf(sep) !== at) return sep === ',' ? 'dot' : 'comma'; // several: they group thousands
  const after = text.length - at - 1;
  if (after === 3 && /^\D*\d{1,3}[.,]\d{3}\D*$/.test(text)) return 'grouped'; // 1,234 or 1.234: either reading
  return sep === ',' ? 'comma' : 'dot';
}

/** Counts of each kind of amount, and the first row and text of each. */
export class DecimalTally {
  dot = 0;
  comma = 0;
  grouped = 0;
  private dotRow = 0;
  private commaRow = 0;
  private groupedRow = 0;
  private dotValue = '';
  private commaValue = '';
  private groupedValue = '';

  /** One amount of a kind; true when it is the first of its kind (the caller then gives its text to `firstText`). */
  note(kind: DecimalEvidence, row: number): boolean {
    if (kind === 'dot') {
      this.dot++;
      if (this.dotRow) return false;
      this.dotRow = row;
    } else if (kind === 'comma') {
      this.comma++;
      if (this.commaRow) return false;
      this.commaRow = row;
    } else if (kind === 'grouped') {
      this.grouped++;
      if (this.groupedRow) return false;
      this.groupedRow = row;
    } else return false;
    return true;
  }

  firstText(kind: DecimalEvidence, text: string): void {
    if (kind === 'dot') this.dotValue = text;
    else if (kind === 'comma') this.commaValue = text;
    else if (kind === 'grouped') this.groupedValue = text;
  }

  noteText(text: string, row: number): void {
    if (!text) return;
    const kind = decimalEvidence(text);
    if (this.note(kind, row)) this.firstText(kind, text);
  }

  /** Adds the tally of a later part of the file (its rows counted from `rowOffset`; a copy made on another thread is plain data). */
  merge(later: DecimalTally, rowOffset: number): void {
    const o = later as unknown as Record<'dotRow' | 'commaRow' | 'groupedRow', number> & Record<'dotValue' | 'commaValue' | 'groupedValue', string>;
    if (later.dot && !this.dotRow) [this.dotRow, this.dotValue] = [o.dotRow + rowOffset, o.dotValue];
    if (later.comma && !this.commaRow) [this.commaRow, this.commaValue] = [o.commaRow + rowOffset, o.commaValue];
    if (later.grouped && !this.groupedRow) [this.groupedRow, this.groupedValue] = [o.groupedRow + rowOffset, o.groupedValue];
    this.dot += later.dot;
    this.comma += later.comma;
    this.grouped += later.grouped;
  }

  /** Evidence from unambiguous values; both kinds present is a blocking ambiguity. */
  decide(file: string, problems: Problem[]): DecimalSeparator {
    if (this.dot && this.comma) {
      const decimal: DecimalSeparator = this.comma > this.dot ? ',' : '.';
      problems.push(
        blocking({
          source: file,
          row: decimal === ',' ? this.dotRow : this.commaRow,
          column: 'amount',
          value: decimal === ',' ? this.dotValue : this.commaValue,
          message: `The decimal separator is ambiguous: row ${this.commaRow} has "${this.commaValue}" (decimal comma) and row ${this.dotRow} has "${this.dotValue}" (decimal point). Amounts in one file must use one separator.`,
          code: 'decimal-ambiguous',
        }),
      );
      return decimal;
    }
    if (this.comma) return ',';
    if (this.grouped && !this.dot) {
      problems.push(
        warning({
          source: file,
          row: this.groupedRow,
          column: 'amount',
          value: this.groupedValue,
          message: `"${this.groupedValue}" could be read with a comma or a dot as decimal separator; no other amount in ${file} decides it, so 3 digits after the separator are read as thousands.`,
          code: 'decimal-ambiguous',
        }),
      );
      // The reading that keeps a 2-decimal currency valid: "1,234" → 1234 with '.', "1.234" → 1234 with ','.
      return this.groupedValue.includes('.') ? ',' : '.';
    }
    return '.';
  }
}

const ISO_START = /^\d{4}-\d{2}-\d{2}/;
const DOTTED_START = /^\d{1,2}\.\d{1,2}\.\d{4}/;
const SLASH_START = /^(\d{1,2})\/(\d{1,2})\/\d{2,4}/;

export type DateShape = { style: 'iso' | 'dotted' } | { style: 'slash'; first: number; second: number } | null;

export const ISO_SHAPE: DateShape = { style: 'iso' };
export const DOTTED_SHAPE: DateShape = { style: 'dotted' };

/** The style a date text starts with (null: none of them). */
export function dateShape(text: string): DateShape {
  if (ISO_START.test(text)) return ISO_SHAPE;
  if (DOTTED_START.test(text)) return DOTTED_SHAPE;
  const m = SLASH_START.exec(text);
  return m ? { style: 'slash', first: +m[1]!, second: +m[2]! } : null;
}

/** Counts of each date style, and which rows show the day first or the month first. */
export class DateTally {
  iso = 0;
  dotted = 0;
  slash = 0;
  /** First row whose first part exceeds 12 (so day first) / second part exceeds 12 (so month first). */
  private dayFirstRow = 0;
  private monthFirstRow = 0;
  private readonly firstRow: Partial<Record<'iso' | 'dotted' | 'slash', number>> = {};

  note(shape: DateShape, row: number): void {
    if (!shape) return;
    if (shape.style === 'slash') {
      if (!this.slash++) this.firstRow.slash = row;
      if (shape.first > 12 && !this.dayFirstRow) this.dayFirstRow = row;
      if (shape.second > 12 && !this.monthFirstRow) this.monthFirstRow = row;
    } else if (shape.style === 'iso') {
      if (!this.iso++) this.firstRow.iso = row;
    } else if (!this.dotted++) this.firstRow.dotted = row;
  }

  noteText(text: string, row: number): void {
    if (text) this.note(dateShape(text), row);
  }

  /** Adds the tally of a later part of the file (its rows counted from `rowOffset`; a copy made on another thread is plain data). */
  merge(later: DateTally, rowOffset: number): void {
    const o = later as unknown as { dayFirstRow: number; monthFirstRow: number; firstRow: DateTally['firstRow'] };
    if (o.dayFirstRow && !this.dayFirstRow) this.dayFirstRow = o.dayFirstRow + rowOffset;
    if (o.monthFirstRow && !this.monthFirstRow) this.monthFirstRow = o.monthFirstRow + rowOffset;
    for (const s of ['iso', 'dotted', 'slash'] as const) {
      if (later[s] && !this[s]) this.firstRow[s] = o.firstRow[s]! + rowOffset;
      this[s] += later[s];
    }
  }

  /** ISO and dd.mm.yyyy are unambiguous; slash dates need evidence of which part is the day. */
  decide(file: string, decimal: DecimalSeparator, problems: Problem[]): { dateStyle: DateStyle | null; slash: 'mdy' | 'dmy' } {
    let slash: 'mdy' | 'dmy' = 'mdy';
    const styles = (['iso', 'dotted', 'slash'] as const).filter((s) => this[s] > 0);
    if (styles.length > 1)
      problems.push(
        warning({ source: file, message: `${file} mixes date styles (${styles.map((s) => `${s} from row ${this.firstRow[s]}`).join(', ')}); each date is read by its own style.`, code: 'mixed-date-styles' }),
      );
    if (!styles.length) return { dateStyle: null, slash };
    const main = styles.reduce((a, b) => (this[b] > this[a] ? b : a));
    if (main === 'iso') return { dateStyle: 'iso', slash };
    if (main === 'dotted') return { dateStyle: 'dotted', slash };
    if (this.dayFirstRow && this.monthFirstRow) {
      problems.push(
        blocking({ source: file, row: this.monthFirstRow, column: 'posted-date', message: `Slash dates disagree: row ${this.dayFirstRow} has the day first and row ${this.monthFirstRow} has the month first.`, code: 'date-style-ambiguous' }),
      );
    } else if (this.dayFirstRow) slash = 'dmy';
    else if (!this.monthFirstRow) {
      // No date decides it: follow the decimal separator (comma countries write the day first).
      slash = decimal === ',' ? 'dmy' : 'mdy';
      problems.push(
        warning({ source: file, message: `No date in ${file} shows whether slash dates are month/day or day/month; read as ${slash === 'mdy' ? 'month/day/year' : 'day/month/year'}.`, code: 'date-style-ambiguous' }),
      );
    }
    return { dateStyle: slash === 'mdy' ? 'slash-mdy' : 'slash-dmy', slash };
  }
}
