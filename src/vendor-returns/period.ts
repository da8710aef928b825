/**
 * Accounting periods: the run's period is `YYYY-MM`; input rows may say `2024-11`, `202411`, `NOV-24`
 * or `Nov-2024`. When no period is asked for, a run takes the latest period its transaction rows hold
 * (`VretPeriodSurvey`), never the clock's month.
 */
import { isIsoMonth } from '../kernel/dates';
import { PeriodSet } from '../kernel/periods';
import { findColumns, type Cell, type Table } from '../kernel/table';
import { rowInSelection, type VretSelection } from './select';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** `YYYY-MM`, or null when the text is not a period. */
export function normalisePeriod(text: string): string | null {
  const t = text.trim().toUpperCase();
  if (isIsoMonth(t)) return t;
  let m = /^(\d{4})(\d{2})$/.exec(t);
  if (m && isIsoMonth(`${m[1]}-${m[2]}`)) return `${m[1]}-${m[2]}`;
  m = /^([A-Z]{3})-(\d{2}|\d{4})$/.exec(t);
  if (m) {
    const mo = MONTHS.indexOf(m[1]!);
    if (mo < 0) return null;
    const year = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
    return `${year}-${String(mo + 1).padStart(2, '0')}`;
  }
  return null;
}

/** Last calendar day of a `YYYY-MM` period, the default accounting date. */
export function periodEnd(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m, 0));
  return d.toISOString().slice(0, 10);
}

/** Oracle-style period name `NOV-24`. */
export function periodName(period: string): string {
  const [y, m] = period.split('-') as [string, string];
  return `${MONTHS[Number(m) - 1]}-${y.slice(2)}`;
}

/** The columns a survey reads (the names the run accepts). */
const SURVEY_COLUMNS = [{ name: 'PERIOD', aliases: ['PERIOD_NAME'] }, { name: 'LEDGER', aliases: ['LEDGER_NAME'] }, { name: 'CHAN' }];

const cellText = (c: Cell | undefined): string => (c === null || c === undefined || c instanceof Date ? '' : String(c));

/**
 * The periods transaction rows hold, read table by table (tables, query results, or chunks of a THR
 * file): what a run defaults to when no period is asked for. Given the run's scope (`vretScope`), only
 * the rows of its ledgers and channel count, so the default is a period the run has rows in.
 */
export class VretPeriodSurvey {
  private readonly periods = new PeriodSet();
  /** Each distinct text is read once; files repeat a handful of periods a million times. */
  private readonly cache = new Map<string, string | null>();

  constructor(private readonly scope: VretSelection | null = null) {}

  /** A table with a PERIOD column; a table without one adds nothing (the run names the missing column). */
  addTable(table: Pick<Table, 'name' | 'header' | 'rows'>): void {
    const ix = findColumns(table, SURVEY_COLUMNS).index;
    const at = ix.PERIOD!;
    if (at < 0) return;
    const scope = this.scope;
    if (scope && ix.LEDGER! < 0) return;
    for (const row of table.rows) {
      if (scope && !rowInSelection(scope, cellText(row[ix.LEDGER!]).trim().toLowerCase(), ix.CHAN! >= 0 ? cellText(row[ix.CHAN!]).trim() : '')) continue;
      this.addPeriod(cellText(row[at]));
    }
  }

  /** One row's ledger, channel and period as the source writes them (query results of distinct values). */
  addRow(ledger: string, chan: string, period: string): void {
    if (this.scope && !rowInSelection(this.scope, ledger.trim().toLowerCase(), chan.trim())) return;
    this.addPeriod(period);
  }

  /** One period as the source writes it. */
  addPeriod(raw: string): void {
    let p = this.cache.get(raw);
    if (p === undefined) {
      p = normalisePeriod(raw);
      if (this.cache.size < 10_000) this.cache.set(raw, p);
      this.periods.add(p);
    }
  }

  latest(): string | null {
    return this.periods.latest();
  }
}

/** The latest period the transaction tables hold, for the run's scope when given (null: none). */
export function latestVretPeriod(transactions: readonly Pick<Table, 'name' | 'header' | 'rows'>[], scope: VretSelection | null = null): string | null {
  const survey = new VretPeriodSurvey(scope);
  for (const t of transactions) survey.addTable(t);
  return survey.latest();
}
