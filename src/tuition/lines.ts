/**
 * (Over 400 lines: the rules for a row, `readRow`, and their form for plain CSV rows, `readPlainRow`, are
 * kept side by side so that a change to one is made next to the other.)
 *
 * Partner files → expense lines in the normal form, with a problem per bad row. Each file's layout is
 * recognised and compiled to a column plan once (./plan.ts); each row is then read by one set of rules
 * (`readRow`) from either a sheet's cells or a CSV file's bytes (./rows.ts: split where they lie, no string
 * per cell: values are decoded once per distinct text and plain amounts read straight to cents). A CSV
 * file's plain rows that the rules find nothing to say about are read in one pass over their bytes
 * (`readPlainRow`: each value looked up by the hash taken while splitting); any other row goes to the
 * rules. Lines are kept as columns (./columns.ts) keyed by integer ids, so a million lines stay small.
 *
 * Public API
 * - `readExpenseLines(tables, options)` → { lines, problems, layouts }.
 * - `ExpenseLineReader(options)`: `read(table)`, `readCsv(name, bytes, decode)` (the file's own CSV problems
 *   returned), `result()` (lines as objects), `columns()` (lines as columns), `reserve(lines)` (room made at
 *   once); duplicate references are found across everything one reader reads.
 * - `ExpenseLine`, `ReadLinesOptions`, `ReadLinesResult`; `recogniseLayout` (./plan.ts).
 */
import { blocking, isBlank, minorUnitDigits, parseCsv, warning, type Problem, type Table } from '../kernel';
import { AMOUNT_INTEGER, AMOUNT_POINT, isCurrencyCode, plainAmount, plainAmountAt } from '../kernel/money';
import { csvForm, CsvScratch, splitCsvBytes, type CsvForm, type CsvSpans } from '../kernel/csv-bytes';
import { fieldCountWarning } from '../kernel/csv';
import { PlainRecords, RECORD, END } from '../kernel/csv-plain';
import { SPACE, SpanText } from '../kernel/text-bytes';
import { CellMemo, CellRow, SpanRow, type RowCells } from './rows';
import { ExpenseColumns, type ExpenseLine, type TextIds } from './columns';
import { copyInto, duplicateReference, RecordedReferences, remapInto, sameReadOptions, type ExpensePart } from './parts';
import { compilePlan, recogniseLayout, type ColumnPlan, type Field } from './plan';
import { DEFAULT_PROFILES, EXPENSE_TYPES, type ExpenseType, type PartnerProfile } from './profiles';

export type { ExpenseLine } from './columns';
export { recogniseLayout } from './plan';

export interface ReadLinesOptions {
  /** YYYY-MM: lines dated in another month are problems. */
  month?: string;
  profiles?: readonly PartnerProfile[];
  /** Force a partner profile by name instead of recognising it by headers. */
  partner?: string;
}

export interface ReadLinesResult {
  lines: ExpenseLine[];
  /** The same lines as columns, when a reader read them (totals need no object per line). */
  columns?: ExpenseColumns;
  problems: Problem[];
  /** Which profile each table was read with (null: unknown layout). */
  layouts: { source: string; partner: string | null }[];
}


// ---- The rules ---------------------------------------------------------------------------------

const REQUIRED: Field[] = ['reference', 'customer', 'user', 'expenseType', 'amount', 'date'];

/** What an expense word means in a plan: its type (and its index in EXPENSE_TYPES), whether it is a credit word, and its text (problems show it). */
interface WordMeaning {
  type: ExpenseType | undefined;
  typeIndex: number;
  credit: boolean;
  word: string;
}

/** A file's compiled plan, the meanings of the words met in it, and the ids of its partner and name. */
interface FilePlan {
  plan: ColumnPlan;
  /** The header the plan was made from. */
  header: readonly string[];
  meanings: Map<number, WordMeaning>;
  partner: number;
  source: number;
  /** Per date cell met (RowCells.dateCell): the id of its ISO date (the file's date style is one). */
  dateIds: number[];
  /** For plain rows (readPlainRow): the columns of the REQUIRED fields. */
  required?: Int32Array;
  /** For plain rows (readPlainRow): what each cell of the few-values memo means here, once met. */
  few?: { meaning: WordMeaning[]; mark: boolean[]; currency: Currency[]; date: (string | null)[] };
}

type Currency = { code: string; ok: boolean; twoDecimals: boolean };

/** An ASCII span that is only spaces (or empty). */
function blankSpan(b: Uint8Array, s: number, e: number): boolean {
  while (s < e && SPACE[b[s]!]) s++;
  return s === e;
}

export function readExpenseLines(tables: readonly Table[], options: ReadLinesOptions = {}): ReadLinesResult {
  const reader = new ExpenseLineReader(options);
  for (const t of tables) reader.read(t);
  return reader.result();
}

/**
 * The reader: one file (or sheet) at a time, so a host can let each go once read; duplicate
 * references are found across everything one reader is given.
 */
export class ExpenseLineReader {
  private readonly profiles: readonly PartnerProfile[];
  private readonly store = new ExpenseColumns();
  private readonly problems: Problem[] = [];
  private readonly layouts: ReadLinesResult['layouts'] = [];
  private readonly cellRow = new CellRow(this.store.names);
  private readonly memos = { few: new CellMemo(), customers: new CellMemo(), many: new CellMemo() };
  /** Per text id of a currency cell: the code it reads as, whether it is one, whether amounts in it have two decimals. */
  private readonly currencies = new Map<number, { code: string; ok: boolean; twoDecimals: boolean }>();

  /** The span arrays each CSV file is split into (the same ones file after file: see CsvScratch). */
  private readonly scratch = new CsvScratch();

  /** Set for a part reader (`{ part: true }`): its references are recorded for the merge instead of checked. */
  private readonly recorded: RecordedReferences | null;

  constructor(
    readonly options: ReadLinesOptions = {},
    mode: { part?: boolean } = {},
  ) {
    this.profiles = options.profiles ?? DEFAULT_PROFILES;
    this.recorded = mode.part ? new RecordedReferences() : null;
  }

  /**
   * A part reader's lines, problems, layouts and references, to merge into another reader (./parts.ts),
   * once it has read everything: the lines are views of its own columns (posted to another thread they
   * are moved, not copied).
   */
  part(): ExpensePart {
    if (!this.recorded) throw new Error('part() is only for a reader made as a part (mode part: true).');
    const c = this.store;
    const n = c.count;
    return {
      month: this.options.month,
      partner: this.options.partner,
      lines: {
        count: n,
        partner: c.partner.subarray(0, n),
        customer: c.customer.subarray(0, n),
        user: c.user.subarray(0, n),
        type: c.type.subarray(0, n),
        cents: c.cents.subarray(0, n),
        currency: c.currency.subarray(0, n),
        date: c.date.subarray(0, n),
        credit: c.credit.subarray(0, n),
        source: c.source.subarray(0, n),
        row: c.row.subarray(0, n),
        names: c.names.values,
        partners: c.partners.values,
        dates: c.dates.values,
        sources: c.sources.values,
      },
      problems: this.problems,
      layouts: this.layouts,
      references: this.recorded.toPart(),
    };
  }

  /**
   * A part read with the same options, as if its tables were read here now: its references are
   * checked against every one read before (a duplicate blocks its row, the problem after the row's
   * own), its lines (but those) and problems follow this reader's.
   */
  merge(part: ExpensePart): void {
    if (!sameReadOptions(part, this.options)) throw new Error('A part merges only into a reader with the options it was read with.');
    const { store, problems } = this;
    const { lines, references: r } = part;
    this.reserve(lines.count);
    const ids = (values: readonly string[], into: TextIds) => Int32Array.from(values, (v) => into.id(v));
    const partner = ids(lines.partners, store.partners);
    const source = ids(lines.sources, store.sources);
    // each reference: a duplicate gives a problem in its place and takes its row's line away; else it is kept
    const reference = new Int32Array(lines.count).fill(-1);
    const dropped = new Uint8Array(lines.count);
    let from = 0;
    for (let i = 0; i < r.count; i++) {
      const salt = partner[r.partner[i]!]!;
      const first = store.references.find(salt, r.pool, r.start[i]!, r.end[i]!);
      if (first < 0) {
        const entry = store.references.add(salt, r.pool, r.start[i]!, r.end[i]!, source[r.source[i]!]!, r.row[i]!);
        if (r.line[i]! >= 0) reference[r.line[i]!] = entry;
        continue;
      }
      for (const end = r.problemAt[i]!; from < end; from++) problems.push(part.problems[from]!);
      const where = { source: lines.sources[r.source[i]!]!, row: r.row[i]!, column: r.columns[r.column[i]!]! };
      const firstAt = { source: store.sources.values[store.references.source(first)]!, row: store.references.row(first) };
      problems.push(duplicateReference(where, lines.partners[r.partner[i]!]!, store.references.text(first), firstAt));
      if (r.line[i]! >= 0) dropped[r.line[i]!] = 1;
    }
    for (; from < part.problems.length; from++) problems.push(part.problems[from]!);
    this.layouts.push(...part.layouts);
    const name = ids(lines.names, store.names);
    // a date is given an id when a line kept has it (the dates held are those of lines, as months are read from them)
    const date = new Int32Array(lines.dates.length).fill(-1);
    const l = lines;
    // The lines kept (all but a duplicate's) go in column by column — the part's ids remapped through
    // the tables above, numbers copied — into the room reserved above: one tight loop per column, not
    // a call per line.
    let keep: Int32Array | null = null;
    if (dropped.includes(1)) {
      keep = new Int32Array(l.count - dropped.reduce((a, b) => a + b, 0));
      for (let i = 0, k = 0; i < l.count; i++) if (!dropped[i]) keep[k++] = i;
    }
    const n = keep ? keep.length : l.count;
    const at = store.count;
    for (let j = 0; j < n; j++) {
      const d = l.date[keep ? keep[j]! : j]!;
      if (date[d]! < 0) date[d] = store.dates.id(l.dates[d]!);
    }
    remapInto(store.partner, at, l.partner, partner, keep, n);
    remapInto(store.customer, at, l.customer, name, keep, n);
    remapInto(store.user, at, l.user, name, keep, n);
    remapInto(store.currency, at, l.currency, name, keep, n);
    remapInto(store.date, at, l.date, date, keep, n);
    remapInto(store.source, at, l.source, source, keep, n);
    copyInto(store.reference, at, reference, keep, n);
    copyInto(store.row, at, l.row, keep, n);
    copyInto(store.type, at, l.type, keep, n);
    copyInto(store.cents, at, l.cents, keep, n);
    copyInto(store.credit, at, l.credit, keep, n);
    store.count += n;
  }

  /** Lines read so far. */
  get lineCount(): number {
    return this.store.count;
  }

  /**
   * Room for about `lines` more lines (and their references), made at once: a host that knows how much
   * is coming (a CLI from its files' sizes) spares the columns and the reference set their doublings.
   * The lines read are the same either way.
   */
  reserve(lines: number): void {
    this.store.reserve(lines);
    if (this.recorded) this.recorded.reserve(lines);
    else this.store.references.reserve(lines);
  }

  result(): ReadLinesResult {
    return { lines: this.store.toArray(), columns: this.store, problems: this.problems, layouts: this.layouts };
  }

  /** The lines as columns (for totals that need no object per line), with the problems and layouts so far. */
  columns(): { columns: ExpenseColumns; problems: Problem[]; layouts: ReadLinesResult['layouts'] } {
    return { columns: this.store, problems: this.problems, layouts: this.layouts };
  }

  /** A sheet (or a table from any source). */
  read(table: Table): void {
    const plan = this.plan(table);
    if (plan) this.readTableRows(plan, table, 0);
  }

  /** A table's rows from row index `from`. */
  private readTableRows(plan: FilePlan, table: Table, from: number): void {
    const row = this.cellRow;
    for (let i = from; i < table.rows.length; i++) {
      const cells = table.rows[i]!;
      if (cells.every(isBlank)) continue;
      row.cells = cells;
      row.row = (table.firstRowNumber ?? 2) + i;
      this.readRow(plan, table.name, row);
    }
  }

  /**
   * A CSV file's bytes, split where they lie when its form allows (see splitCsvBytes), else decoded
   * (`decode`: the host's UTF-8 decoding) and parsed as any table. Returns the file's own CSV problems
   * (syntax, field counts, empty), which hosts list before the rows' problems, as they do for a table.
   */
  readCsv(name: string, bytes: Uint8Array, decode: () => string): Problem[] {
    // Plain records first (src/kernel/csv-plain.ts: each field found and hashed in one pass); from the
    // first record that is not plain, the file is split or parsed as below, which give the same records.
    const form = csvForm(bytes);
    const records = form && PlainRecords.open(bytes, form);
    if (!records) return this.readCsvFrom(name, bytes, decode, form, null, 0);
    const plan = this.plan({ name, header: records.header, rows: [], firstRowNumber: 2 });
    if (!plan) return (splitCsvBytes(bytes, name, this.scratch, form) ?? parseCsv(decode(), { name })).problems;
    const width = records.width;
    // a record readPlainRow leaves to the rules is read as a one-record CsvSpans over the records' spans
    const one: CsvSpans = { bytes, text: new SpanText(bytes, 'utf-8'), header: records.header, rows: 1, rowStart: new Int32Array(2), start: records.start, end: records.end, literals: [], problems: [] };
    const row = new SpanRow(one, this.store.names, this.memos);
    const problems: Problem[] = [];
    for (;;) {
      const got = records.next();
      if (got === END) return problems;
      if (got !== RECORD) return this.readCsvFrom(name, bytes, decode, form, plan, records.taken);
      const rowNo = records.taken + 1;
      if (records.count !== width) problems.push(fieldCountWarning(name, rowNo, records.count, width));
      else if (this.readPlainRow(plan, records, one.text, rowNo)) continue;
      one.start = records.start;
      one.end = records.end;
      one.rowStart[1] = records.count;
      row.at(0);
      row.row = rowNo;
      this.readRow(plan, name, row);
    }
  }

  /**
   * A CSV file split where it lies (splitCsvBytes), else parsed, its records read from data record
   * `from` on (those before were plain and read already, with `plan`); the file's own problems.
   */
  private readCsvFrom(name: string, bytes: Uint8Array, decode: () => string, form: CsvForm | null, plan: FilePlan | null, from: number): Problem[] {
    const csv = splitCsvBytes(bytes, name, this.scratch, form);
    const parsed = csv ? null : parseCsv(decode(), { name });
    const header = csv ? csv.header : parsed!.table.header;
    if (plan && header.join('\u0000') !== plan.header.join('\u0000')) throw new Error(`${name}: the header read twice differs (${plan.header.join(', ')} / ${header.join(', ')}).`);
    plan ??= this.plan(parsed ? parsed.table : { name, header, rows: [], firstRowNumber: 2 });
    if (plan && parsed) this.readTableRows(plan, parsed.table, from);
    else if (plan && csv) {
      const row = new SpanRow(csv, this.store.names, this.memos);
      for (let r = from; r < csv.rows; r++) {
        row.at(r);
        this.readRow(plan, name, row);
      }
    }
    return (csv ?? parsed)!.problems;
  }

  private plan(table: Table): FilePlan | null {
    const hit = recogniseLayout(table, this.profiles, this.options.partner);
    if (!hit.profile) {
      this.layouts.push({ source: table.name, partner: null });
      const which = hit.closest
        ? `It is closest to ${hit.closest.partner}'s layout, which also needs the column${hit.missing.length > 1 ? 's' : ''} ${hit.missing.join(', ')}.`
        : this.options.partner
          ? `There is no partner profile named ${this.options.partner}.`
          : 'No partner profile is configured.';
      this.problems.push(
        blocking({
          source: table.name,
          row: (table.firstRowNumber ?? 2) - 1,
          column: hit.missing.join(', '),
          value: table.header.join(', '),
          message: `The columns of ${table.name} match no partner layout. ${which}`,
          code: 'unknown-layout',
        }),
      );
      return null;
    }
    this.layouts.push({ source: table.name, partner: hit.profile.partner });
    return { plan: compilePlan(hit.profile, table.header, hit.index), header: table.header, meanings: new Map(), partner: this.store.partners.id(hit.profile.partner), source: this.store.sources.id(table.name), dateIds: [] };
  }

  // The last currency and date met and their ids: lines repeat them, a Map lookup per line is not needed.
  private lastText = ['', ''];
  private lastId = [-1, -1];
  /** The id of a currency (in names) or a date (in dates). */
  private id(text: string, date = false): number {
    const k = date ? 1 : 0;
    if (this.lastText[k] === text && this.lastId[k]! >= 0) return this.lastId[k]!;
    this.lastText[k] = text;
    return (this.lastId[k] = (date ? this.store.dates : this.store.names).id(text));
  }

  /** A currency cell's text id (-1: none, the profile's default) as a code, whether it is one, whether it has two decimals. */
  private currency(textId: number, profile: PartnerProfile): { code: string; ok: boolean; twoDecimals: boolean } {
    const key = textId >= 0 ? textId : -1 - this.store.partners.id(profile.partner);
    let c = this.currencies.get(key);
    if (!c) {
      const code = textId >= 0 ? this.store.names.values[textId]!.toUpperCase() : (profile.defaultCurrency ?? '');
      const ok = isCurrencyCode(code);
      c = { code, ok, twoDecimals: minorUnitDigits(ok ? code : undefined) === 2 };
      this.currencies.set(key, c);
    }
    return c;
  }

  /** What the expense word of text id `wordId` means in a file's plan. */
  private meaningOf(p: FilePlan, wordId: number): WordMeaning {
    let meaning = p.meanings.get(wordId);
    if (!meaning) {
      const { plan } = p;
      const word = this.store.names.values[wordId]!;
      const lower = word.toLowerCase();
      const type = plan.words.get(lower);
      const credit = !type && plan.creditWords.has(lower);
      const t = type ?? plan.creditWords.get(lower);
      meaning = { type: t, typeIndex: t ? EXPENSE_TYPES.indexOf(t) : -1, credit, word };
      p.meanings.set(wordId, meaning);
    }
    return meaning;
  }

  /**
   * A plain CSV record of the header's width as `readRow` reads it when the rules find nothing to say
   * — no blank, a reference as written, a known word, a currency code, a plain amount that is not zero
   * and not negative unless a credit, a date in the month, a reference not given before: its line is
   * added exactly as readRow adds it, and true returned. Otherwise it returns false having changed
   * nothing but what is remembered of cells (the same whichever reads them), and the record goes to
   * readRow. Values are looked up by the hashes the records were split with. (read.test.ts: the same
   * lines and problems as the simple reader on random files, most rows plain.)
   */
  private readPlainRow(p: FilePlan, r: PlainRecords, spans: SpanText, rowNo: number): boolean {
    const { at, profile, marks } = p.plan;
    const b = r.bytes;
    const { start, end, hash } = r;
    const { store, memos, options } = this;
    const names = store.names;
    const required = (p.required ??= Int32Array.from(REQUIRED, (f) => at[f]));
    for (let k = 0; k < required.length; k++) {
      const col = required[k]!;
      let i = start[col]!;
      const e = end[col]!;
      while (i < e && SPACE[b[i]!]) i++;
      if (i === e) return false;
    }
    // the reference: its trimmed bytes when neither a decimal point nor an exponent (those readId reads)
    let rs = start[at.reference]!;
    let re = end[at.reference]!;
    while (SPACE[b[rs]!]) rs++;
    while (SPACE[b[re - 1]!]) re--;
    for (let i = rs; i < re; i++) if (b[i] === 46 || b[i] === 101 || b[i] === 69) return false;

    const few = (p.few ??= { meaning: [], mark: [], currency: [], date: [] });
    let col = at.expenseType;
    let raw = memos.few.idHashed(hash[col]!, b, start[col]!, end[col]!);
    const meaning = (few.meaning[raw] ??= this.meaningOf(p, memos.few.nameId(raw, names, spans, start[col]!, end[col]!)));
    if (!meaning.type) return false;
    let credit = meaning.credit;
    if ((col = at.credit) >= 0 && !blankSpan(b, start[col]!, end[col]!)) {
      raw = memos.few.idHashed(hash[col]!, b, start[col]!, end[col]!);
      if ((few.mark[raw] ??= marks.has(names.values[memos.few.nameId(raw, names, spans, start[col]!, end[col]!)]!.toUpperCase()))) credit = true;
    }
    let cur: Currency;
    if ((col = at.currency) >= 0 && !blankSpan(b, start[col]!, end[col]!)) {
      raw = memos.few.idHashed(hash[col]!, b, start[col]!, end[col]!);
      cur = few.currency[raw] ??= this.currency(memos.few.nameId(raw, names, spans, start[col]!, end[col]!), profile);
    } else cur = this.currency(-1, profile);
    if (!cur.ok || !cur.twoDecimals || profile.decimal === ',') return false;

    col = at.amount;
    let as = start[col]!;
    let ae = end[col]!;
    while (SPACE[b[as]!]) as++;
    while (SPACE[b[ae - 1]!]) ae--;
    const form = plainAmountAt(b, as, ae);
    if (form !== AMOUNT_INTEGER && form !== AMOUNT_POINT) return false;
    let cents = plainAmount.cents;
    if (cents < 0 && !credit) return false;
    if (credit) cents = -Math.abs(cents);
    if (cents === 0) return false;

    col = at.date;
    const dateCell = memos.few.idHashed(hash[col]!, b, start[col]!, end[col]!);
    let iso = few.date[dateCell];
    if (iso === undefined) {
      const d = memos.few.dateOf(dateCell, profile.slash, spans, start[col]!, end[col]!);
      iso = few.date[dateCell] = d.ok && (!options.month || d.iso.slice(0, 7) === options.month) ? d.iso : null;
    }
    if (iso === null) return false;

    let reference = -1;
    if (this.recorded) this.recorded.add(b, rs, re, p.partner, p.source, rowNo, this.problems.length, store.count, p.plan.header.reference);
    else {
      if (store.references.find(p.partner, b, rs, re) >= 0) return false;
      reference = store.references.add(p.partner, b, rs, re, p.source, rowNo);
    }
    // (in readRow's order, so that new texts get the same ids)
    const dateId = (p.dateIds[dateCell] ??= this.id(iso, true));
    col = at.customer;
    const customer = memos.customers.nameIdHashed(hash[col]!, names, spans, start[col]!, end[col]!);
    col = at.user;
    const user = memos.many.nameIdHashed(hash[col]!, names, spans, start[col]!, end[col]!);
    store.add(p.partner, customer, user, meaning.typeIndex, cents, this.id(cur.code), dateId, reference, credit, p.source, rowNo);
    return true;
  }

  /** The rules for one row: a problem for each bad value; a line when nothing blocks. */
  private readRow(p: FilePlan, source: string, row: RowCells): void {
    const { plan } = p;
    const { at, header, profile } = plan;
    const { problems, store, options } = this;
    const rowNo = row.row;
    const where = (f: Field, value: unknown) => ({ source, row: rowNo, column: header[f], value });
    let blocked = false;
    const block = (problem: Parameters<typeof blocking>[0]) => {
      problems.push(blocking(problem));
      blocked = true;
    };

    for (let k = 0; k < REQUIRED.length; k++) {
      const f = REQUIRED[k]!;
      if (row.blank(at[f])) block({ ...where(f, ''), message: `${header[f]} is empty.`, code: 'blank' });
    }
    if (blocked) return;

    const refOk = row.reference(at.reference);
    if (!refOk) block({ ...where('reference', row.cell(at.reference)), message: `${header.reference}: ${row.refReason}`, code: 'bad-reference' });

    const meaning = this.meaningOf(p, row.textId(at.expenseType));
    const expenseType = meaning.type;
    let credit = meaning.credit;
    if (!expenseType)
      block({
        ...where('expenseType', meaning.word),
        message: `"${meaning.word}" is not an expense type ${profile.partner} uses; expected one of ${plan.knownWords}. Add the word to the ${profile.partner} profile if it is new.`,
        code: 'unknown-expense-type',
      });
    if (at.credit >= 0 && !row.blank(at.credit) && plan.marks.has(store.names.values[row.textId(at.credit)]!.toUpperCase())) credit = true;

    const cur = this.currency(at.currency >= 0 && !row.blank(at.currency) ? row.textId(at.currency) : -1, profile);
    const currency = cur.code;
    if (!cur.ok) block({ ...where('currency', row.cell(at.currency)), message: `"${currency}" is not a currency code such as USD or EUR.`, code: 'bad-currency' });
    const amount = row.amount(at.amount, { currency: cur.ok ? currency : undefined, decimal: profile.decimal }, cur.twoDecimals && profile.decimal !== ',');
    let cents = 0;
    if (!amount.ok) block({ ...where('amount', row.cell(at.amount)), message: `${header.amount}: ${amount.reason}`, code: 'bad-amount' });
    else {
      cents = amount.cents;
      if (cents < 0 && !credit)
        block({
          ...where('amount', row.cell(at.amount)),
          message: `The amount is negative but the line is not marked as a credit; ${profile.partner} must mark refunds as credits (or send a positive amount).`,
          code: 'negative-not-credit',
        });
      // A credit is money back to the customer whatever sign the partner writes.
      if (credit) cents = -Math.abs(cents);
      if (cents === 0) problems.push(warning({ ...where('amount', row.cell(at.amount)), message: 'The amount is zero; the line adds nothing to the invoice.', code: 'zero-amount' }));
    }

    const date = row.date(at.date, profile.slash);
    if (!date.ok) block({ ...where('date', row.cell(at.date)), message: `${header.date}: ${date.reason}`, code: 'bad-date' });
    else if (options.month && date.iso.slice(0, 7) !== options.month)
      block({
        ...where('date', row.cell(at.date)),
        message: `This line is dated ${date.iso}, outside ${options.month}; bill it with its own month or ask ${profile.partner} to correct the date.`,
        code: 'outside-month',
      });

    let reference = -1;
    if (refOk && this.recorded) {
      // a part: the merging reader checks the reference against those before it (the row's last problem)
      this.recorded.add(row.refBytes, row.refStart, row.refEnd, p.partner, p.source, rowNo, problems.length, blocked ? -1 : store.count, header.reference);
    } else if (refOk) {
      const refs = store.references;
      const first = refs.find(p.partner, row.refBytes, row.refStart, row.refEnd);
      if (first >= 0) {
        problems.push(duplicateReference({ source, row: rowNo, column: header.reference }, profile.partner, refs.text(first), { source: store.sources.values[refs.source(first)]!, row: refs.row(first) }));
        blocked = true;
      } else reference = refs.add(p.partner, row.refBytes, row.refStart, row.refEnd, p.source, rowNo);
    }

    if (blocked) return;
    const iso = date.ok ? date.iso : '';
    const dateId = row.dateCell < 0 ? this.id(iso, true) : (p.dateIds[row.dateCell] ??= this.id(iso, true));
    store.add(p.partner, row.textId(at.customer, 'customers'), row.textId(at.user, 'many'), meaning.typeIndex, cents, this.id(currency), dateId, reference, credit, p.source, rowNo);
  }
}
