/**
 * The month a tuition build bills, and the build as every host runs it (task pane, server route,
 * CLI): partner tables in; expense lines, invoices, totals and problems out.
 * - The month is the one asked for, else the latest month the lines are dated in (never the clock).
 * - A month in which no line is dated is one warning naming the months the files hold ("No expense
 *   lines in 2026-11; the inputs hold 2024-11."), not a blocking problem per line. When the month does
 *   hold lines, a line dated in another month stays a blocking problem of its own (docs/rules.md).
 *
 * - Learners are one person however each partner writes them (src/tuition/learners.ts, with the
 *   customers' own rules): the invoices have a line per learner, and an ambiguous spelling is a warning.
 *
 * Hosts feed the tables to an ExpenseLineReader through `feed` (the CLI one file at a time); the feed
 * runs a second time only to learn the months when the month asked for holds no line, or to check
 * the lines against the month the data gave.
 */
import { blocking, hasBlocking, type Problem } from '../kernel/problems';
import { noRowsWarning, PeriodSet } from '../kernel/periods';
import { sumCents } from '../kernel/money';
import type { Table } from '../kernel/table';
import { invoicesOfTable, tuitionSheets, type TuitionInvoice } from './invoices';
import { buildInvoiceTable, type InvoiceTable } from './invoice-table';
import type { ExpenseColumns, ExpenseLine } from './columns';
import { ExpenseLineReader, type ReadLinesOptions, type ReadLinesResult } from './lines';
import type { LearnerMatch, LearnerRules } from './learners';
import { matchColumnLearners } from './learner-columns';
import { lineTrios } from './trios';

export type LineFeed = (reader: ExpenseLineReader) => void | Promise<void>;

export interface MonthLines extends ReadLinesResult {
  /** The lines as columns (invoices and counts need no object per line; `lines` makes the objects when first asked). */
  columns: ExpenseColumns;
  /** Number of lines (without making them). */
  count: number;
  /** The month billed ('' when neither the request nor the lines gave one). */
  month: string;
  /** True when no month was asked for and the lines gave it. */
  monthFromData: boolean;
  /** The month holds no line: the warning's sentence, else null. */
  noRows: string | null;
}

const OUTSIDE_MONTH = 'outside-month';

/** The months the lines are dated in (a column's distinct dates: those of lines only). */
function monthsOf(columns: ExpenseColumns): PeriodSet {
  const months = new PeriodSet();
  for (const d of columns.dates.values) months.add(d.slice(0, 7));
  return months;
}

type ColumnsRead = Omit<ReadLinesResult, 'lines' | 'columns'> & { columns: ExpenseColumns };

async function readWith(feed: LineFeed, options: ReadLinesOptions): Promise<ColumnsRead> {
  const reader = new ExpenseLineReader(options);
  await feed(reader);
  return reader.columns();
}

/** A month's read with `lines` made from the columns only when a host asks for them (`count` lines, 0: none). */
function monthLines(read: ColumnsRead, month: Pick<MonthLines, 'month' | 'monthFromData' | 'noRows'>, count = read.columns.count): MonthLines {
  let lines: ExpenseLine[] | undefined;
  const out = { ...read, ...month, count } as Omit<MonthLines, 'lines'>;
  return Object.defineProperty(out, 'lines', { enumerable: true, get: () => (lines ??= count ? read.columns.toArray() : []) }) as MonthLines;
}

/** Reads the lines of the month asked for, or of the latest month the lines hold. */
export async function readMonthLines(feed: LineFeed, options: Omit<ReadLinesOptions, 'month'> & { month?: string }): Promise<MonthLines> {
  const asked = options.month?.trim();
  if (!asked) {
    const all = await readWith(feed, { ...options, month: undefined });
    const months = monthsOf(all.columns);
    const latest = months.latest();
    if (!latest)
      return monthLines(
        { ...all, problems: [...all.problems, blocking({ source: 'Tuition', column: 'month', message: 'Enter the month (YYYY-MM): no expense line has a date to take it from.', code: 'no-month' })] },
        { month: '', monthFromData: true, noRows: null },
      );
    // Every line in the latest month: that read is the month's; otherwise read again to name the other months' lines.
    const read = months.size === 1 ? all : await readWith(feed, { ...options, month: latest });
    return monthLines(read, { month: latest, monthFromData: true, noRows: null });
  }
  const read = await readWith(feed, { ...options, month: asked });
  if (read.columns.count > 0 || !read.problems.some((p) => p.code === OUTSIDE_MONTH)) return monthLines(read, { month: asked, monthFromData: false, noRows: null });
  // Not one line in the month: the month is wrong, not every line. One warning with the months the files hold.
  const all = await readWith(feed, { ...options, month: undefined });
  const warning = noRowsWarning({ what: 'expense lines', period: asked, span: monthsOf(all.columns).span(), source: 'Tuition', code: 'no-lines-in-month' });
  return monthLines({ ...all, problems: [...all.problems, warning] }, { month: asked, monthFromData: false, noRows: warning.message }, 0);
}

export interface TuitionMonth extends MonthLines {
  /** Spellings taken as another learner (an alias, or the part before the @ of her address). */
  learners: LearnerMatch[];
  /** The invoices as a table (a host writing invoices.csv needs no object per invoice line). */
  invoiceTable: InvoiceTable | null;
  /** The invoices as objects, made from the table when first asked for. */
  invoices: TuitionInvoice[];
  /** Total per currency over the invoices. */
  totals: { currency: string; cents: number; invoices: number }[];
  /** A blocking problem remains: nothing may be stored or billed. */
  blocked: boolean;
}

export function invoiceTotals(invoices: readonly Pick<TuitionInvoice, 'currency' | 'totalCents'>[]): TuitionMonth['totals'] {
  const by = new Map<string, number[]>();
  for (const i of invoices) {
    const list = by.get(i.currency);
    if (list) list.push(i.totalCents);
    else by.set(i.currency, [i.totalCents]);
  }
  return [...by].map(([currency, list]) => ({ currency, cents: sumCents(list), invoices: list.length }));
}

export type TuitionMonthOptions = Omit<ReadLinesOptions, 'month'> & { month?: string; learners?: LearnerRules; references?: boolean };

/**
 * The month's lines and invoices; `before` are problems found reading the files (listed first).
 * `references: false` leaves the partner references out of the invoice lines (a host that shows
 * none, such as invoices.csv, then spends no string per line on them).
 */
export async function buildTuitionMonth(feed: LineFeed, options: TuitionMonthOptions, before: readonly Problem[] = []): Promise<TuitionMonth> {
  const { references, learners: rules, ...readOptions } = options;
  const read = await readMonthLines(feed, readOptions);
  // Who each learner is, decided once the rows are read (the reader keeps each spelling as written): the columns' users become the learners.
  // (each line's trio is found once: the learners rewrite theirs, and the invoice table takes them)
  const trios = lineTrios(read.columns, read.count);
  const learners = matchColumnLearners(read.columns, read.count, rules, options.profiles, trios);
  const problems = [...before, ...read.problems, ...learners.problems];
  // the lines dated in the month, from the reader's columns (a month with no line has none: count 0)
  const table = !read.month || read.count === 0 ? null : buildInvoiceTable(read.columns, read.month, { references, trios });
  let invoices: TuitionInvoice[] | undefined;
  // `read` keeps its lazy lines: the month's fields are set on it rather than spread into a new object
  const month = Object.assign(read, { problems, learners: learners.matches, invoiceTable: table, totals: invoiceTotals(table?.invoices ?? []), blocked: hasBlocking(problems) });
  return Object.defineProperty(month, 'invoices', { enumerable: true, get: () => (invoices ??= table ? invoicesOfTable(table) : []) }) as TuitionMonth;
}

/** A month's build as the API and the pane show it: counts, problems, invoices, totals and the sheets. */
export function tuitionMonthView(b: TuitionMonth) {
  return {
    month: b.month,
    monthFromData: b.monthFromData,
    noRows: b.noRows,
    blocked: b.blocked,
    lines: b.count,
    layouts: b.layouts,
    learners: b.learners,
    problems: b.problems,
    invoices: b.invoices,
    totals: b.totals,
    sheets: tuitionSheets(b.invoices),
  };
}

export type TuitionMonthView = ReturnType<typeof tuitionMonthView>;

/** A feed over tables in hand. */
export const tablesFeed =
  (tables: readonly Table[]): LineFeed =>
  (reader) => {
    for (const t of tables) reader.read(t);
  };

/**
 * The sheets of a partner workbook that hold expense lines (a header and at least one row); a workbook
 * with none is one problem.
 */
export function expenseSheets(file: string, sheets: readonly Table[]): { tables: Table[]; problems: Problem[] } {
  const tables = sheets.filter((t) => t.header.some((h) => h !== '') && t.rows.length > 0);
  if (tables.length === 0) return { tables: [], problems: [blocking({ source: file, message: `${file} has no sheet with expense lines.`, code: 'empty-file' })] };
  return { tables, problems: [] };
}
