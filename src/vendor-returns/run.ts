// Over 400 lines: one builder reads transaction and RVR rows chunk by chunk and posts the journals, so a row of a big THR file is looked at once.
/**
 * A VRET run: select the ledger/geo/period transactions, match them to RVR refunds, split each
 * amount into RVR amount and vendor funding, and post balanced journals per ledger and currency.
 *
 * Rows can arrive as whole tables (sheets, CSV files, query results) or in chunks of one big file
 * (THR), so `VretRunBuilder` takes tables one after another and keeps only the selected rows.
 */
import { blocking, hasBlocking, warning, type Problem } from '../kernel/problems';
import { noRowsWarning, PeriodSet } from '../kernel/periods';
import { parseAmount, type Cents } from '../kernel/money';
import { readId } from '../kernel/ids';
import { readDate } from '../kernel/dates';
import { findColumns, isBlank, type Cell, type Table } from '../kernel/table';
import { JournalAccumulator, journalBalances, validateJournal, SEGMENTS, type CurrencyBalance, type Journal, type Segments } from '../journal/journal';
import { creditAccountFor, type MappingTables, type VretConfig } from './config';
import { normalisePeriod } from './period';
import { rvrAmount as rvrAmountOf } from './rvr-amount';
import { rowInSelection, selectVretRun, type VretOptions, type VretSelection } from './select';

export interface VretTransaction {
  /** Table or file the row came from, and its row number there (problems, Analysis). */
  source: string;
  rowNumber: number;
  ledger: string;
  period: string;
  segments: Segments;
  currency: string;
  amount: Cents;
  vendorName: string;
  transactionNum: string;
  category: string;
  /** Filled by matching. */
  rvr?: RvrReturn;
  rvrAmount: Cents;
  funding: Cents;
  creditAccount: string;
}

export interface RvrRow {
  source: string;
  rowNumber: number;
  returnId: string;
  countryCode: string;
  status: string;
  state: string;
  refund: Cents;
  date: string;
  vendorName: string;
}

/** All RVR rows of one RETURN_ID and what the transactions took from them. */
export interface RvrReturn {
  returnId: string;
  rows: RvrRow[];
  refund: Cents;
  /** Refund not yet taken by a transaction. */
  remaining: Cents;
  matchedTransactions: number;
  transactionAmount: Cents;
  rvrAmount: Cents;
}

export interface SourceCount {
  source: string;
  rowsRead: number;
  rowsSelected: number;
}

export interface AddOptions {
  /** Rows whose field count differs from the header's are reported and left out (text files). */
  checkFieldCount?: boolean;
}

const TX_COLUMNS = [
  { name: 'LEDGER', aliases: ['LEDGER_NAME'], required: true },
  { name: 'PERIOD', aliases: ['PERIOD_NAME'], required: true },
  ...SEGMENTS.map((s) => ({ name: s, required: true })),
  { name: 'TRANSACTION_AMOUNT', aliases: ['AMOUNT'], required: true },
  { name: 'VENDOR_NAME', aliases: ['VENDOR'] },
  { name: 'TRANSACTION_NUM', aliases: ['TRANSACTION_NUMBER', 'TRX_NUMBER'], required: true },
  { name: 'CATEGORY' },
];

const RVR_COLUMNS = [
  { name: 'RETURN_ID', required: true },
  { name: 'COUNTRY_CODE', aliases: ['COUNTRY'] },
  { name: 'RVR_STATUS' },
  { name: 'CURRENT_STATE' },
  { name: 'TOT_BASE_REFUND_AMT', aliases: ['REFUND_AMOUNT'], required: true },
  { name: 'RVR_DATE' },
  { name: 'VENDOR_NAME', aliases: ['VENDOR'] },
];

function text(c: Cell | undefined): string {
  if (c === null || c === undefined) return '';
  if (c instanceof Date) return c.toISOString().slice(0, 10);
  return String(c).trim();
}

export class VretRunBuilder {
  readonly config: VretConfig;
  readonly selection: VretSelection | null;
  readonly problems: Problem[] = [];
  readonly transactions: VretTransaction[] = [];
  readonly rvrRows: RvrRow[] = [];
  readonly counts = new Map<string, SourceCount>();
  /** Periods of the rows of the run's ledgers (and channel), whatever the period asked for: what a run that selects nothing names. */
  readonly periodsSeen = new PeriodSet();
  private readonly byNum = new Map<string, VretTransaction>();
  private readonly badHeaders = new Set<string>();
  /** One string per distinct segment, vendor and category: a million rows repeat a few hundred. */
  private readonly texts = new Map<string, string>();
  private otherCountryRvr = 0;
  /** Set by build(): its index of transaction numbers is gone and its warnings are given, so nothing more is added. */
  private built = false;

  /** Rows added after build() would miss their duplicates; a second build() would repeat its warnings. */
  private open(what: string): void {
    if (this.built) throw new Error(`${what} after build(): a run is built once, after all its rows were added.`);
  }

  constructor(
    readonly options: VretOptions,
    config: VretConfig,
  ) {
    this.config = config;
    const s = selectVretRun(options, config);
    this.selection = s.selection;
    this.problems.push(...s.problems);
  }

  private intern(s: string): string {
    const hit = this.texts.get(s);
    if (hit !== undefined) return hit;
    this.texts.set(s, s);
    return s;
  }

  private count(source: string): SourceCount {
    let c = this.counts.get(source);
    if (!c) this.counts.set(source, (c = { source, rowsRead: 0, rowsSelected: 0 }));
    return c;
  }

  /** Reads transaction rows (CM, ADJ, GLAP, THR); may be called several times per source (chunks). */
  addTransactions(table: Table, options: AddOptions = {}): void {
    this.open('addTransactions');
    const sel = this.selection;
    const count = this.count(table.name);
    if (!sel || this.badHeaders.has(table.name)) return;
    const found = findColumns(table, TX_COLUMNS);
    if (found.problems.length) {
      this.badHeaders.add(table.name);
      this.problems.push(...found.problems);
      return;
    }
    const ix = found.index;
    const iLedger = ix.LEDGER!, iPeriod = ix.PERIOD!, iAmount = ix.TRANSACTION_AMOUNT!, iNum = ix.TRANSACTION_NUM!;
    const iVendor = ix.VENDOR_NAME!, iCategory = ix.CATEGORY!, iChan = ix.CHAN!;
    const segIdx = SEGMENTS.map((s) => ix[s]!);
    const width = table.header.length;
    const base = table.firstRowNumber ?? 2;
    const name = table.name;
    const periodCache = new Map<string, string | null>();
    for (let r = 0; r < table.rows.length; r++) {
      const cells = table.rows[r]!;
      const row = base + r;
      if (cells.length === 1 && isBlank(cells[0])) continue;
      count.rowsRead++;
      if (options.checkFieldCount && cells.length !== width) {
        this.problems.push(
          blocking({ source: name, row, value: cells.slice(0, 3).map(text).join('|'), message: `This line has ${cells.length} fields where the header has ${width}; it was left out.`, code: 'field-count' }),
        );
        continue;
      }
      if (cells.every(isBlank)) {
        count.rowsRead--;
        continue;
      }
      const ledgerKey = text(cells[iLedger]).toLowerCase();
      if (!rowInSelection(sel, ledgerKey, text(cells[iChan]))) continue;
      const ledger = sel.ledgers.get(ledgerKey)!;
      const rawPeriod = text(cells[iPeriod]);
      let period = periodCache.get(rawPeriod);
      if (period === undefined) {
        periodCache.set(rawPeriod, (period = normalisePeriod(rawPeriod)));
        this.periodsSeen.add(period);
      }
      if (period === null) {
        this.problems.push(blocking({ source: name, row, column: table.header[iPeriod], value: rawPeriod, message: `PERIOD "${rawPeriod}" is not a period (use YYYY-MM).`, code: 'bad-period' }));
        continue;
      }
      if (period !== sel.period) continue;
      let bad = false;
      const amountCell = cells[iAmount];
      const a = parseAmount(amountCell, { currency: ledger.currency, round: typeof amountCell === 'number' });
      if (!a.ok) {
        this.problems.push(blocking({ source: name, row, column: table.header[iAmount], value: amountCell, message: `TRANSACTION_AMOUNT: ${a.reason}`, code: 'bad-amount' }));
        bad = true;
      }
      const numCell = cells[iNum];
      const num = isBlank(numCell) ? ({ ok: false, reason: 'is empty.' } as const) : readId(numCell);
      if (!num.ok) {
        this.problems.push(blocking({ source: name, row, column: table.header[iNum], value: numCell, message: `TRANSACTION_NUM ${num.reason}`, code: 'bad-transaction-num' }));
        bad = true;
      }
      const seg = {} as Segments;
      for (let s = 0; s < SEGMENTS.length; s++) {
        const v = text(cells[segIdx[s]!]);
        const segName = SEGMENTS[s]!;
        if (v === '' && segName === 'CO' && ledger.company) seg.CO = ledger.company;
        else if (v === '') {
          this.problems.push(blocking({ source: name, row, column: table.header[segIdx[s]!], value: '', message: `The ${segName} segment is empty.`, code: 'blank-segment' }));
          bad = true;
        } else seg[segName] = this.intern(v);
      }
      if (bad || !a.ok || !num.ok) continue;
      count.rowsSelected++;
      const tx: VretTransaction = {
        source: name,
        rowNumber: row,
        ledger: ledger.name,
        period,
        segments: seg,
        currency: ledger.currency,
        amount: a.cents,
        vendorName: iVendor >= 0 ? this.intern(text(cells[iVendor])) : '',
        transactionNum: num.id,
        category: iCategory >= 0 ? this.intern(text(cells[iCategory])) : '',
        rvrAmount: 0,
        funding: 0,
        creditAccount: '',
      };
      const first = this.byNum.get(tx.transactionNum);
      if (first)
        this.problems.push(
          blocking({
            source: name,
            row,
            column: table.header[iNum],
            value: tx.transactionNum,
            message: `TRANSACTION_NUM ${tx.transactionNum} appears twice (first at ${first.source} row ${first.rowNumber}); its RVR refund is shared between them, in input order.`,
            code: 'duplicate-transaction-num',
          }),
        );
      else this.byNum.set(tx.transactionNum, tx);
      this.transactions.push(tx);
    }
  }

  /** Reads RVR rows; rows of another country than the geo are left out. */
  addRvr(table: Table, options: AddOptions = {}): void {
    this.open('addRvr');
    const sel = this.selection;
    const count = this.count(table.name);
    if (!sel || this.badHeaders.has(table.name)) return;
    const found = findColumns(table, RVR_COLUMNS);
    if (found.problems.length) {
      this.badHeaders.add(table.name);
      this.problems.push(...found.problems);
      return;
    }
    const ix = found.index;
    const get = (cells: Cell[], k: string) => (ix[k]! >= 0 ? text(cells[ix[k]!]) : '');
    const base = table.firstRowNumber ?? 2;
    const width = table.header.length;
    for (let r = 0; r < table.rows.length; r++) {
      const cells = table.rows[r]!;
      if (cells.every(isBlank)) continue;
      const row = base + r;
      count.rowsRead++;
      if (options.checkFieldCount && cells.length !== width) {
        this.problems.push(blocking({ source: table.name, row, message: `This line has ${cells.length} fields where the header has ${width}; it was left out.`, code: 'field-count' }));
        continue;
      }
      const country = get(cells, 'COUNTRY_CODE').toUpperCase();
      if (country && country !== sel.geo) {
        this.otherCountryRvr++;
        continue;
      }
      const idCell = cells[ix.RETURN_ID!];
      const id = isBlank(idCell) ? ({ ok: false, reason: 'is empty.' } as const) : readId(idCell);
      const amountCell = cells[ix.TOT_BASE_REFUND_AMT!];
      const a = isBlank(amountCell) ? ({ ok: true, cents: 0 } as const) : parseAmount(amountCell, { currency: sel.currency, round: typeof amountCell === 'number' });
      if (!id.ok) this.problems.push(blocking({ source: table.name, row, column: table.header[ix.RETURN_ID!], value: idCell, message: `RETURN_ID ${id.reason}`, code: 'bad-return-id' }));
      if (!a.ok)
        this.problems.push(
          blocking({ source: table.name, row, column: table.header[ix.TOT_BASE_REFUND_AMT!], value: amountCell, message: `TOT_BASE_REFUND_AMT: ${a.reason}`, code: 'bad-amount' }),
        );
      if (!id.ok || !a.ok) continue;
      let date = '';
      const dateCell = ix.RVR_DATE! >= 0 ? cells[ix.RVR_DATE!] : undefined;
      if (!isBlank(dateCell)) {
        const d = readDate(dateCell!);
        if (d.ok) date = d.iso;
        else {
          date = text(dateCell);
          this.problems.push(warning({ source: table.name, row, column: table.header[ix.RVR_DATE!], value: dateCell, message: `RVR_DATE ${d.reason}; kept as written.`, code: 'bad-date' }));
        }
      }
      count.rowsSelected++;
      this.rvrRows.push({
        source: table.name,
        rowNumber: row,
        returnId: id.id,
        countryCode: country,
        status: get(cells, 'RVR_STATUS'),
        state: get(cells, 'CURRENT_STATE'),
        refund: a.cents,
        date,
        vendorName: get(cells, 'VENDOR_NAME'),
      });
    }
  }

  /** Matches, splits and posts; call once after all rows were added. */
  build(): VretResult {
    this.open('build');
    this.built = true;
    const sel = this.selection;
    const problems = this.problems;
    // Only adding rows needs the index of transaction numbers; a large run's sheets are built and written
    // after this, with a smaller heap to collect.
    this.byNum.clear();
    if (!sel) return { selection: null, transactions: [], returns: [], journals: [], balances: [], problems, counts: [...this.counts.values()] };
    if (this.otherCountryRvr > 0)
      problems.push(
        warning({ source: 'RVR', message: `${this.otherCountryRvr} RVR row(s) of other countries than ${sel.geo} were left out.`, code: 'rvr-other-country' }),
      );
    const returns = new Map<string, RvrReturn>();
    for (const r of this.rvrRows) {
      const existing = returns.get(r.returnId);
      if (existing) {
        problems.push(
          warning({
            source: r.source,
            row: r.rowNumber,
            column: 'RETURN_ID',
            value: r.returnId,
            message: `RETURN_ID ${r.returnId} appears more than once (first at row ${existing.rows[0]!.rowNumber}); its refunds are added together.`,
            code: 'duplicate-return-id',
          }),
        );
        existing.rows.push(r);
        existing.refund += r.refund;
        existing.remaining += r.refund;
      } else returns.set(r.returnId, { returnId: r.returnId, rows: [r], refund: r.refund, remaining: r.refund, matchedTransactions: 0, transactionAmount: 0, rvrAmount: 0 });
    }
    const acc = new Map<string, { ledger: string; currency: string; lines: JournalAccumulator }>();
    const { accounts, journal: words } = this.config;
    for (const tx of this.transactions) {
      const ret = returns.get(tx.transactionNum);
      let rvrAmount = 0;
      if (ret) {
        tx.rvr = ret;
        ret.matchedTransactions++;
        ret.transactionAmount += tx.amount;
        // rvr_amount = min(amount, refund) when the refund is positive; what one transaction takes is no longer there for the next.
        rvrAmount = rvrAmountOf(tx.amount, ret.remaining);
        ret.remaining -= rvrAmount;
        ret.rvrAmount += rvrAmount;
      }
      tx.rvrAmount = rvrAmount;
      tx.funding = tx.amount - rvrAmount;
      tx.creditAccount = creditAccountFor(tx.segments.PROD, this.config);
      const key = `${tx.ledger}\u0000${tx.currency}`;
      let j = acc.get(key);
      if (!j) acc.set(key, (j = { ledger: tx.ledger, currency: tx.currency, lines: new JournalAccumulator() }));
      j.lines.post({ ...tx.segments, ACCT: accounts.receivable }, tx.amount, words.receivableDescription);
      j.lines.post({ ...tx.segments, ACCT: tx.creditAccount }, -tx.funding, words.fundingDescription);
      j.lines.post({ ...tx.segments, ACCT: accounts.rvrOffset }, -rvrAmount, words.rvrDescription);
    }
    const journals: Journal[] = [];
    for (const j of acc.values()) {
      const journal: Journal = {
        ledger: j.ledger,
        currency: j.currency,
        name: `VRET ${j.ledger} ${sel.geo} ${sel.period} ${j.currency}`,
        description: `Vendor returns ${j.ledger} ${sel.geo} ${sel.period}`,
        lines: j.lines.toLines(),
      };
      if (journal.lines.length === 0) {
        problems.push(warning({ source: 'GLDI', message: `The transactions of ${j.ledger} (${j.currency}) add up to zero on every line; no journal was made.`, code: 'journal-empty' }));
        continue;
      }
      problems.push(...validateJournal(journal, 'GLDI'));
      journals.push(journal);
    }
    // A run that selects no row says which periods the inputs hold for its ledgers (a wrong period, not an empty month).
    if (this.transactions.length === 0 && !this.periodsSeen.has(sel.period))
      problems.push(
        noRowsWarning({
          what: 'transactions',
          period: sel.period,
          scope: ` for ${[...sel.ledgers.values()].map((l) => l.name).join(' / ')}, ${sel.geo}`,
          span: this.periodsSeen.span(),
          source: 'VRET',
          code: 'no-transactions',
        }),
      );
    for (const ret of returns.values())
      if (ret.matchedTransactions === 0)
        for (const r of ret.rows)
          problems.push(
            warning({ source: r.source, row: r.rowNumber, column: 'RETURN_ID', value: r.returnId, message: `The RVR refund ${r.returnId} has no transaction with that TRANSACTION_NUM; it is listed as unmatched in the RVR Report.`, code: 'rvr-unmatched' }),
          );
    return {
      selection: sel,
      transactions: this.transactions,
      returns: [...returns.values()],
      journals,
      balances: journalBalances(journals),
      problems,
      counts: [...this.counts.values()],
    };
  }
}

export interface VretResult {
  selection: VretSelection | null;
  transactions: VretTransaction[];
  returns: RvrReturn[];
  journals: Journal[];
  balances: CurrencyBalance[];
  problems: Problem[];
  counts: SourceCount[];
}

export interface VretInputs extends MappingTables {
  /** CM, ADJ, GLAP and THR tables (any number; the table name is the source shown in problems). */
  transactions: Table[];
  rvr?: Table[];
}
