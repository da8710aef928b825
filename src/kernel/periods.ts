/**
 * Periods taken from the data, never from the clock. A job's period or month field defaults to the
 * latest period its chosen inputs hold (each job says how it reads a period from its rows), and a
 * run that selects no row is a warning naming the periods the inputs do hold, so a wrong period
 * reads "No transactions in 2026-11; the inputs hold 2024-10 to 2024-11." instead of a success.
 *
 * Periods are ISO text (`YYYY-MM` months or `YYYY-MM-DD` dates), so their text order is time order.
 */
import { warning, type Problem } from './problems';

/** The first and last of a set of periods. */
export interface PeriodSpan {
  first: string;
  last: string;
}

/** Collects the periods rows carry, as a run or a survey reads them. */
export class PeriodSet {
  private readonly seen = new Set<string>();

  add(period: string | null | undefined): void {
    if (period) this.seen.add(period);
  }

  get size(): number {
    return this.seen.size;
  }

  has(period: string): boolean {
    return this.seen.has(period);
  }

  span(): PeriodSpan | null {
    return periodSpan(this.seen);
  }

  latest(): string | null {
    return this.span()?.last ?? null;
  }
}

export function periodSpan(periods: Iterable<string | null | undefined>): PeriodSpan | null {
  let first: string | null = null;
  let last: string | null = null;
  for (const p of periods) {
    if (!p) continue;
    if (first === null || p < first) first = p;
    if (last === null || p > last) last = p;
  }
  return first === null || last === null ? null : { first, last };
}

/** The latest period among the given ones, or null when there is none. */
export function latestPeriod(periods: Iterable<string | null | undefined>): string | null {
  return periodSpan(periods)?.last ?? null;
}

/** `2024-10 to 2024-11`, or `2024-11` when the inputs hold one period. */
export function describeSpan(span: PeriodSpan): string {
  return span.first === span.last ? span.first : `${span.first} to ${span.last}`;
}

export interface NoRowsInput {
  /** What the run selects, plural: `transactions`, `expense lines`. */
  what: string;
  period: string;
  /** The periods the inputs hold (null: none at all). */
  span: PeriodSpan | null;
  /** Words after the period that narrow the selection, e.g. ` of Amazon.eu for DE`. */
  scope?: string;
  source: string;
  code: string;
}

/** The sentence of a run that selected no row: what it looked for and what the inputs hold. */
export function noRowsSentence(o: Pick<NoRowsInput, 'what' | 'period' | 'span' | 'scope'>): string {
  const looked = `No ${o.what} in ${o.period}${o.scope ?? ''}`;
  return o.span ? `${looked}; the inputs hold ${describeSpan(o.span)}.` : `${looked}; the inputs hold none in any period.`;
}

/** A run that selected no row: a warning (amber), never a success. */
export function noRowsWarning(o: NoRowsInput): Problem {
  return warning({ source: o.source, column: 'period', value: o.period, message: noRowsSentence(o), code: o.code });
}

/** The period a run uses: the one asked for, else the latest the inputs hold (null when they hold none). */
export function chosenPeriod(asked: string | null | undefined, latest: () => string | null): { period: string | null; fromData: boolean } {
  const given = asked?.trim();
  if (given) return { period: given, fromData: false };
  return { period: latest(), fromData: true };
}
