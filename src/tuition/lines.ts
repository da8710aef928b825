/**
 * Partner files → expense lines in the normal form, with a problem per bad row.
 * A table's layout is recognised by its headers (the profile whose columns are all present);
 * an unknown layout names the columns the closest profile misses.
 */
import {
  blocking,
  findColumns,
  hasBlocking,
  isBlank,
  parseAmount,
  readDate,
  readId,
  rowNumber,
  warning,
  type Cell,
  type Problem,
  type Table,
} from '../kernel';
import { isCurrencyCode } from '../kernel/money';
import { DEFAULT_PROFILES, requiredColumns, type ExpenseType, type PartnerProfile, type ProfileColumns } from './profiles';

export interface ExpenseLine {
  partner: string;
  customer: string;
  /** The customer's employee (email or name as the partner gives it). */
  user: string;
  expenseType: ExpenseType;
  /** Minor units; negative for a credit. */
  cents: number;
  currency: string;
  /** ISO date. */
  date: string;
  /** The partner's own line reference (unique per partner). */
  reference: string;
  credit: boolean;
  source: string;
  row: number;
}

export interface ReadLinesOptions {
  /** YYYY-MM: lines dated in another month are problems. */
  month?: string;
  profiles?: readonly PartnerProfile[];
  /** Force a partner profile by name instead of recognising it by headers. */
  partner?: string;
}

export interface ReadLinesResult {
  lines: ExpenseLine[];
  problems: Problem[];
  /** Which profile each table was read with (null: unknown layout). */
  layouts: { source: string; partner: string | null }[];
}

type Fields = keyof ProfileColumns;
const FIELDS: Fields[] = ['reference', 'customer', 'user', 'expenseType', 'amount', 'currency', 'date', 'credit'];

function locate(table: Table, p: PartnerProfile): { index: Record<Fields, number>; missing: string[] } {
  const refs = FIELDS.filter((f) => p.columns[f]?.length).map((f) => ({ name: f, aliases: p.columns[f]! }));
  const found = findColumns(table, refs).index;
  const index = Object.fromEntries(FIELDS.map((f) => [f, found[f] ?? -1])) as Record<Fields, number>;
  const missing = requiredColumns(p)
    .filter((c) => index[c.field] < 0)
    .map((c) => c.names[0] ?? c.field);
  return { index, missing };
}

/** The profile whose required columns are all in the table, or the closest one with what it misses. */
export function recogniseLayout(
  table: Table,
  profiles: readonly PartnerProfile[] = DEFAULT_PROFILES,
  partner?: string,
): { profile: PartnerProfile; index: Record<Fields, number> } | { profile: null; closest: PartnerProfile | null; missing: string[] } {
  const candidates = partner ? profiles.filter((p) => p.partner.toLowerCase() === partner.toLowerCase()) : profiles;
  let best: { p: PartnerProfile; missing: string[] } | null = null;
  for (const p of candidates) {
    const { index, missing } = locate(table, p);
    if (missing.length === 0) return { profile: p, index };
    if (!best || missing.length < best.missing.length) best = { p, missing };
  }
  return { profile: null, closest: best?.p ?? null, missing: best?.missing ?? [] };
}

function wordMap(words: Record<string, ExpenseType> | undefined): Map<string, ExpenseType> {
  return new Map(Object.entries(words ?? {}).map(([k, v]) => [k.trim().toLowerCase(), v]));
}

const MESSY_SPACE = /\s\s|[\t\n\r\u00a0]/;
function text(c: Cell | undefined): string {
  if (c instanceof Date) return c.toISOString();
  const s = String(c ?? '').trim();
  return MESSY_SPACE.test(s) ? s.replace(/\s+/g, ' ') : s;
}

/**
 * Reads every table into expense lines. Duplicate partner references are found across all the
 * tables given (a partner re-sending a line in a second file is a duplicate too).
 */
export function readExpenseLines(tables: readonly Table[], options: ReadLinesOptions = {}): ReadLinesResult {
  const reader = new ExpenseLineReader(options);
  for (const t of tables) reader.read(t);
  return reader.result();
}

/**
 * The same, one table at a time (a host can let each file's table go once read): duplicate
 * references are still found across every table given to one reader.
 */
export class ExpenseLineReader {
  private readonly profiles: readonly PartnerProfile[];
  private readonly lines: ExpenseLine[] = [];
  private readonly problems: Problem[] = [];
  private readonly layouts: ReadLinesResult['layouts'] = [];
  private readonly seen = new Map<string, { source: string; row: number }>();
  /** One string per distinct customer, user and currency, however many lines repeat it. */
  private readonly names = new Map<string, string>();
  /** Partner files repeat a few dozen dates a million times: each text is read once. */
  private readonly dates = new Map<string, ReturnType<typeof readDate>>();

  constructor(private readonly options: ReadLinesOptions = {}) {
    this.profiles = options.profiles ?? DEFAULT_PROFILES;
  }

  result(): ReadLinesResult {
    return { lines: this.lines, problems: this.problems, layouts: this.layouts };
  }

  private name(s: string): string {
    const hit = this.names.get(s);
    if (hit !== undefined) return hit;
    this.names.set(s, s);
    return s;
  }

  private date(c: Cell, slash: PartnerProfile['slash']): ReturnType<typeof readDate> {
    if (typeof c !== 'string') return readDate(c, { slash });
    const key = `${slash ?? ''}|${c}`;
    let r = this.dates.get(key);
    if (!r) {
      r = readDate(c, { slash });
      if (this.dates.size < 100_000) this.dates.set(key, r);
    }
    return r;
  }

  read(table: Table): void {
    const { options, profiles, lines, problems, layouts, seen } = this;
    const hit = recogniseLayout(table, profiles, options.partner);
    if (!hit.profile) {
      layouts.push({ source: table.name, partner: null });
      const which = hit.closest
        ? `It is closest to ${hit.closest.partner}'s layout, which also needs the column${hit.missing.length > 1 ? 's' : ''} ${hit.missing.join(', ')}.`
        : options.partner
          ? `There is no partner profile named ${options.partner}.`
          : 'No partner profile is configured.';
      problems.push(
        blocking({
          source: table.name,
          row: (table.firstRowNumber ?? 2) - 1,
          column: hit.missing.join(', '),
          value: table.header.join(', '),
          message: `The columns of ${table.name} match no partner layout. ${which}`,
          code: 'unknown-layout',
        }),
      );
      return;
    }
    const profile = hit.profile;
    const at = hit.index;
    layouts.push({ source: table.name, partner: profile.partner });
    const words = wordMap(profile.expenseWords);
    const creditWords = wordMap(profile.creditWords);
    const marks = new Set((profile.creditMarks ?? []).map((m) => m.toUpperCase()));
    const header = (f: Fields) => (at[f] >= 0 ? table.header[at[f]]! : (profile.columns[f]?.[0] ?? f));

    for (let i = 0; i < table.rows.length; i++) {
      const cells = table.rows[i]!;
      if (cells.every(isBlank)) continue;
      const row = rowNumber(table, i);
      const where = (f: Fields, value: unknown) => ({ source: table.name, row, column: header(f), value });
      const before = problems.length;
      const cell = (f: Fields) => (at[f] >= 0 ? cells[at[f]] : undefined);

      for (const f of ['reference', 'customer', 'user', 'expenseType', 'amount', 'date'] as Fields[]) {
        if (isBlank(cell(f))) problems.push(blocking({ ...where(f, ''), message: `${header(f)} is empty.`, code: 'blank' }));
      }
      if (problems.length > before) continue;

      const ref = readId(cell('reference')!);
      if (!ref.ok) problems.push(blocking({ ...where('reference', cell('reference')), message: `${header('reference')}: ${ref.reason}`, code: 'bad-reference' }));

      const word = text(cell('expenseType'));
      let expenseType = words.get(word.toLowerCase());
      let credit = false;
      if (!expenseType && creditWords.has(word.toLowerCase())) {
        expenseType = creditWords.get(word.toLowerCase());
        credit = true;
      }
      if (!expenseType) {
        const known = [...Object.keys(profile.expenseWords), ...Object.keys(profile.creditWords ?? {})].map((w) => `"${w}"`).join(', ');
        problems.push(
          blocking({
            ...where('expenseType', word),
            message: `"${word}" is not an expense type ${profile.partner} uses; expected one of ${known}. Add the word to the ${profile.partner} profile if it is new.`,
            code: 'unknown-expense-type',
          }),
        );
      }
      if (at.credit >= 0 && !isBlank(cell('credit')) && marks.has(text(cell('credit')).toUpperCase())) credit = true;

      const currency = at.currency >= 0 && !isBlank(cell('currency')) ? text(cell('currency')).toUpperCase() : (profile.defaultCurrency ?? '');
      if (!isCurrencyCode(currency)) {
        problems.push(blocking({ ...where('currency', cell('currency')), message: `"${currency}" is not a currency code such as USD or EUR.`, code: 'bad-currency' }));
      }
      const amount = parseAmount(cell('amount'), { currency: isCurrencyCode(currency) ? currency : undefined, decimal: profile.decimal });
      let cents = 0;
      if (!amount.ok) problems.push(blocking({ ...where('amount', cell('amount')), message: `${header('amount')}: ${amount.reason}`, code: 'bad-amount' }));
      else {
        cents = amount.cents;
        if (cents < 0 && !credit) {
          problems.push(
            blocking({
              ...where('amount', cell('amount')),
              message: `The amount is negative but the line is not marked as a credit; ${profile.partner} must mark refunds as credits (or send a positive amount).`,
              code: 'negative-not-credit',
            }),
          );
        }
        // A credit is money back to the customer whatever sign the partner writes.
        if (credit) cents = -Math.abs(cents);
        if (cents === 0) problems.push(warning({ ...where('amount', cell('amount')), message: 'The amount is zero; the line adds nothing to the invoice.', code: 'zero-amount' }));
      }

      const date = this.date(cell('date')!, profile.slash);
      if (!date.ok) problems.push(blocking({ ...where('date', cell('date')), message: `${header('date')}: ${date.reason}`, code: 'bad-date' }));
      else if (options.month && date.iso.slice(0, 7) !== options.month) {
        problems.push(
          blocking({
            ...where('date', cell('date')),
            message: `This line is dated ${date.iso}, outside ${options.month}; bill it with its own month or ask ${profile.partner} to correct the date.`,
            code: 'outside-month',
          }),
        );
      }

      if (ref.ok) {
        const key = `${profile.partner}\u0000${ref.id}`;
        const first = seen.get(key);
        if (first) {
          problems.push(
            blocking({
              ...where('reference', ref.id),
              message: `${profile.partner} reference ${ref.id} was already given on ${first.source} row ${first.row}; a line is billed once.`,
              code: 'duplicate-reference',
            }),
          );
        } else seen.set(key, { source: table.name, row });
      }

      if (hasBlocking(problems.slice(before))) continue;
      lines.push({
        partner: profile.partner,
        customer: this.name(text(cell('customer'))),
        user: this.name(text(cell('user'))),
        expenseType: expenseType!,
        cents,
        currency: this.name(currency),
        date: date.ok ? date.iso : '',
        reference: ref.ok ? ref.id : '',
        credit,
        source: table.name,
        row,
      });
    }
  }
}
