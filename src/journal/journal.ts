/**
 * The balanced journal model shared by jobs: netting signed amounts into one-sided lines and
 * totalling debits and credits (VRET and settlements), and the GL journal with the seven segments as
 * text (leading zeros kept, VRET's GLDI), debit or credit in integer minor units, checks per currency.
 */
import { blocking, type Problem } from '../kernel/problems';
import { addCents, formatAmount, parseAmount, type Cents } from '../kernel/money';
import { findColumns, isBlank, type Cell, type Table } from '../kernel/table';

export const SEGMENTS = ['CO', 'LOC', 'CC', 'ACCT', 'PROD', 'CHAN', 'PROJ'] as const;
export type SegmentName = (typeof SEGMENTS)[number];
export type Segments = Record<SegmentName, string>;

export interface JournalLine {
  segments: Segments;
  /** Minor units; exactly one of debit/credit is non-zero on a valid line. */
  debit: Cents;
  credit: Cents;
  description: string;
}

export interface Journal {
  ledger: string;
  currency: string;
  /** Journal Name in GLDI. */
  name: string;
  description?: string;
  lines: JournalLine[];
}

export interface CurrencyBalance {
  currency: string;
  debits: Cents;
  credits: Cents;
  /** debits − credits; 0 when balanced. */
  difference: Cents;
}

/** Debits, credits and difference per currency, over one journal or many (currencies in first-seen order). */
export function journalBalances(journals: Journal | readonly Journal[]): CurrencyBalance[] {
  const list = Array.isArray(journals) ? journals : [journals as Journal];
  const by = new Map<string, CurrencyBalance>();
  for (const j of list) {
    let b = by.get(j.currency);
    if (!b) by.set(j.currency, (b = { currency: j.currency, debits: 0, credits: 0, difference: 0 }));
    const t = sideTotals(j.lines);
    b.debits = addCents(b.debits, t.debits);
    b.credits = addCents(b.credits, t.credits);
    b.difference = b.debits - b.credits;
  }
  return [...by.values()];
}

export function isBalanced(journals: Journal | readonly Journal[]): boolean {
  return journalBalances(journals).every((b) => b.difference === 0);
}

/**
 * A journal is postable when it balances, has at least two lines, and every line carries exactly
 * one positive amount (debit or credit) and all seven segments.
 */
export function validateJournal(journal: Journal, source = 'GLDI'): Problem[] {
  const problems: Problem[] = [];
  const where = `Journal "${journal.name}" (${journal.ledger}, ${journal.currency})`;
  if (journal.lines.length < 2)
    problems.push(
      blocking({ source, message: `${where} has ${journal.lines.length} line(s); a journal needs at least two.`, code: 'journal-too-short' }),
    );
  journal.lines.forEach((l, i) => {
    const line = i + 1;
    const debitSet = l.debit !== 0;
    const creditSet = l.credit !== 0;
    if (debitSet === creditSet)
      problems.push(
        blocking({
          source,
          row: line,
          column: 'Debit',
          value: `${formatAmount(l.debit, journal.currency)} / ${formatAmount(l.credit, journal.currency)}`,
          message: `${where} line ${line} must have either a debit or a credit, not ${debitSet ? 'both' : 'neither'}.`,
          code: 'journal-line-sides',
        }),
      );
    if (l.debit < 0 || l.credit < 0)
      problems.push(
        blocking({
          source,
          row: line,
          column: l.debit < 0 ? 'Debit' : 'Credit',
          value: formatAmount(l.debit < 0 ? l.debit : l.credit, journal.currency),
          message: `${where} line ${line} has a negative amount; use the other side instead.`,
          code: 'journal-negative',
        }),
      );
    for (const s of SEGMENTS)
      if (!l.segments[s])
        problems.push(
          blocking({ source, row: line, column: s, value: '', message: `${where} line ${line} has no ${s} segment.`, code: 'journal-segment' }),
        );
  });
  for (const b of journalBalances(journal))
    if (b.difference !== 0)
      problems.push(
        blocking({
          source,
          column: 'Debit',
          value: formatAmount(b.difference, b.currency),
          message: `${where} does not balance: debits ${formatAmount(b.debits, b.currency)}, credits ${formatAmount(b.credits, b.currency)}, difference ${formatAmount(b.difference, b.currency)}.`,
          code: 'journal-unbalanced',
        }),
      );
  return problems;
}

/** Debits, credits and their difference over lines that each carry both sides (checked sums). */
export function sideTotals(lines: Iterable<{ debit: Cents; credit: Cents }>): { debits: Cents; credits: Cents; difference: Cents } {
  let debits = 0;
  let credits = 0;
  for (const l of lines) {
    debits = addCents(debits, l.debit);
    credits = addCents(credits, l.credit);
  }
  return { debits, credits, difference: debits - credits };
}

/**
 * Nets signed amounts per key in first-posted order: amount > 0 debits, amount < 0 credits. What a
 * line carries besides its amount (segments, an account and its description) is kept from its
 * first posting, or combined with each later one by `merge`. Every job's journal nets this way.
 */
export class NetAccumulator<T> {
  private readonly lines = new Map<string, { item: T; net: Cents }>();

  constructor(private readonly merge?: (kept: T, next: T) => T) {}

  post(key: string, item: T, amount: Cents): void {
    const l = this.lines.get(key);
    if (!l) {
      this.lines.set(key, { item, net: amount });
      return;
    }
    l.net = addCents(l.net, amount);
    if (this.merge) l.item = this.merge(l.item, item);
  }

  /** Net of what was posted so far (debits positive). */
  net(): Cents {
    let n = 0;
    for (const l of this.lines.values()) n = addCents(n, l.net);
    return n;
  }

  /** Lines in first-posted order, zero nets dropped, each on one side. */
  toSides(): { item: T; debit: Cents; credit: Cents }[] {
    const out: { item: T; debit: Cents; credit: Cents }[] = [];
    for (const l of this.lines.values()) if (l.net !== 0) out.push({ item: l.item, debit: l.net > 0 ? l.net : 0, credit: l.net < 0 ? -l.net : 0 });
    return out;
  }
}

/**
 * Adds a signed amount to a line keyed by its segments and description; a net negative debit
 * becomes a credit (and vice versa) when the lines are read out, so every line has one side.
 */
export class JournalAccumulator {
  private readonly acc = new NetAccumulator<{ segments: Segments; description: string }>();

  /** amount > 0 debits, amount < 0 credits. */
  post(segments: Segments, amount: Cents, description: string): void {
    if (amount === 0) return;
    const key = `${segments.CO}|${segments.LOC}|${segments.CC}|${segments.ACCT}|${segments.PROD}|${segments.CHAN}|${segments.PROJ}|${description}`;
    this.acc.post(key, { segments: { ...segments }, description }, amount);
  }

  /** Lines in first-posted order, zero nets dropped. */
  toLines(): JournalLine[] {
    return this.acc.toSides().map((l) => ({ segments: l.item.segments, debit: l.debit, credit: l.credit, description: l.item.description }));
  }
}

/**
 * Checks a range of journal lines as a worksheet holds it (custom function JOURNALCHECK):
 * a header row with Debit and Credit (and optionally Currency), or just two columns debit, credit.
 * Returns per-currency balances and the problems of unreadable amounts.
 */
export function checkJournalRange(values: Cell[][], defaultCurrency = 'USD'): { balances: CurrencyBalance[]; problems: Problem[] } {
  const problems: Problem[] = [];
  if (values.length === 0) return { balances: [], problems };
  const header = values[0]!.map((c) => String(c ?? ''));
  const table: Table = { name: 'lines', header, rows: values.slice(1), firstRowNumber: 2 };
  const found = findColumns(table, [
    { name: 'DEBIT', aliases: ['Debit', 'DR', 'Entered Debit', 'DEBIT_AMOUNT'] },
    { name: 'CREDIT', aliases: ['Credit', 'CR', 'Entered Credit', 'CREDIT_AMOUNT'] },
    { name: 'CURRENCY', aliases: ['Currency', 'CURRENCY_CODE'] },
  ]);
  let dIdx = found.index.DEBIT!;
  let cIdx = found.index.CREDIT!;
  const curIdx = found.index.CURRENCY!;
  let rows = table.rows;
  let first = 2;
  if (dIdx < 0 || cIdx < 0) {
    // No header: the last two columns are debit and credit.
    const width = values[0]!.length;
    if (width < 2) {
      problems.push(blocking({ source: 'lines', message: 'The range needs a Debit and a Credit column.', code: 'missing-column' }));
      return { balances: [], problems };
    }
    dIdx = width - 2;
    cIdx = width - 1;
    rows = values;
    first = 1;
  }
  const by = new Map<string, CurrencyBalance>();
  rows.forEach((r, i) => {
    const currency = curIdx >= 0 && !isBlank(r[curIdx]) ? String(r[curIdx]).trim().toUpperCase() : defaultCurrency;
    let b = by.get(currency);
    if (!b) by.set(currency, (b = { currency, debits: 0, credits: 0, difference: 0 }));
    for (const [idx, side] of [
      [dIdx, 'debits'],
      [cIdx, 'credits'],
    ] as const) {
      const cell = r[idx];
      if (isBlank(cell)) continue;
      const a = parseAmount(cell!, { currency, round: typeof cell === 'number' });
      if (!a.ok) {
        problems.push(blocking({ source: 'lines', row: first + i, column: side === 'debits' ? 'Debit' : 'Credit', value: cell, message: a.reason, code: 'bad-amount' }));
        continue;
      }
      b[side] = addCents(b[side], a.cents);
    }
    b.difference = b.debits - b.credits;
  });
  return { balances: [...by.values()].filter((b) => b.debits !== 0 || b.credits !== 0 || by.size === 1), problems };
}
