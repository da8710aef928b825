/**
 * Amazon settlement flat files (DESIGN.md §4.3): V2 (23–24 columns, one amount per row with
 * amount-type / amount-description) and legacy V1 (33–36 columns, several type/amount pairs per
 * row), found by header name. V1 rows are spread into V2-shaped lines so everything downstream
 * (mapping, builders) sees one shape.
 *
 * Per file we detect the date style and the decimal separator from the values themselves, because
 * Amazon writes them per marketplace (Amazon.de: `13.11.2024 00:00:00 UTC` and `34,20`).
 * The first data row with a total-amount is the summary; its total must equal the sum of all
 * detail amounts to the cent, else the file is blocked with both figures shown.
 */
import Papa from 'papaparse';
import { blocking, isBlocking, warning, type Problem } from '../kernel/problems';
import { normaliseHeader, type Cell } from '../kernel/table';
import { parseAmount, formatAmount, isCurrencyCode } from '../kernel/money';
import { readDateTime } from '../kernel/dates';
import { decodeSettlementBytes, type SettlementEncoding } from './decode';

export type SettlementFormat = 'v2' | 'v1';
export type DateStyle = 'iso' | 'dotted' | 'slash-mdy' | 'slash-dmy';
export type DecimalSeparator = '.' | ',';

/** One amount of a settlement, V2-shaped (a V1 row yields one line per non-empty amount pair). */
export interface SettlementLine {
  /** Line number in the file (header = 1), as a text editor shows it. */
  row: number;
  transactionType: string;
  orderId: string;
  merchantOrderId: string;
  adjustmentId: string;
  shipmentId: string;
  marketplace: string;
  amountType: string;
  amountDescription: string;
  cents: number;
  fulfillmentId: string;
  /** ISO date (UTC) or '' when the file gives none. */
  postedDate: string;
  sku: string;
  /** quantity-purchased, or null when blank. */
  quantity: number | null;
  promotionId: string;
}

export interface Settlement {
  file: string;
  format: SettlementFormat;
  settlementId: string;
  startDate: string;
  endDate: string;
  /** ISO date (UTC) of the deposit; '' when absent. */
  depositDate: string;
  currency: string;
  /** total-amount of the summary row. */
  totalCents: number;
  /** Σ of the detail amounts. */
  detailCents: number;
  summaryRow: number;
  lines: SettlementLine[];
  dateStyle: DateStyle | null;
  decimal: DecimalSeparator;
  encoding: SettlementEncoding;
}

export interface SettlementFileInput {
  name: string;
  /** Raw bytes (decoded here, UTF-8 then windows-1252) … */
  bytes?: Uint8Array;
  /** … or text already decoded … */
  text?: string;
  /** … or a table already split into cells (a backend dataset, a sheet); row numbers from `firstRowNumber`. */
  table?: { header: readonly Cell[]; rows: readonly (readonly Cell[])[]; firstRowNumber?: number };
}

export interface ParsedSettlementFile {
  /** null when the file cannot be read at all (no header, no amount column, unknown format). */
  settlement: Settlement | null;
  problems: Problem[];
}

// ---- Columns ------------------------------------------------------------------------------------

const COMMON_COLUMNS = [
  'settlement-id', 'settlement-start-date', 'settlement-end-date', 'deposit-date', 'total-amount', 'currency',
  'transaction-type', 'order-id', 'merchant-order-id', 'adjustment-id', 'shipment-id', 'marketplace-name',
  'fulfillment-id', 'posted-date', 'order-item-code', 'merchant-order-item-id', 'merchant-adjustment-item-id',
  'sku', 'quantity-purchased', 'promotion-id',
] as const;

const V2_ONLY = ['amount-type', 'amount-description', 'amount', 'posted-date-time'] as const;

/** V1 type/amount pairs → the V2 amount-type they stand for. */
const V1_PAIRS = [
  { type: 'price-type', amount: 'price-amount', amountType: 'ItemPrice' },
  { type: 'item-related-fee-type', amount: 'item-related-fee-amount', amountType: 'ItemFees' },
  { type: 'shipment-fee-type', amount: 'shipment-fee-amount', amountType: 'ShipmentFees' },
  { type: 'order-fee-type', amount: 'order-fee-amount', amountType: 'OrderFees' },
  { type: 'promotion-type', amount: 'promotion-amount', amountType: 'Promotion' },
  { type: 'direct-payment-type', amount: 'direct-payment-amount', amountType: 'DirectPayment' },
] as const;
/** V1 amounts without a type column; the description comes from elsewhere (see spreadV1). */
const V1_SINGLE = [
  { amount: 'misc-fee-amount', amountType: 'MiscFee' },
  { amount: 'other-fee-amount', amountType: 'other-transaction' },
  { amount: 'other-amount', amountType: 'other-transaction' },
] as const;
const V1_ONLY = [
  ...V1_PAIRS.flatMap((p) => [p.type, p.amount]),
  ...V1_SINGLE.map((s) => s.amount),
  'other-fee-reason-description',
  'promotion-amount',
] as const;

const KNOWN = new Set<string>([...COMMON_COLUMNS, ...V2_ONLY, ...V1_ONLY].map(normaliseHeader));

// ---- Small readers ------------------------------------------------------------------------------

type DecimalEvidence = 'dot' | 'comma' | 'grouped' | 'none';

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

const ISO_START = /^\d{4}-\d{2}-\d{2}/;
const DOTTED_START = /^\d{1,2}\.\d{1,2}\.\d{4}/;
const SLASH_START = /^(\d{1,2})\/(\d{1,2})\/\d{2,4}/;

interface DateEvidence {
  iso: number;
  dotted: number;
  slash: number;
  /** First row whose first part exceeds 12 (so day first) / second part exceeds 12 (so month first). */
  dayFirstRow: number;
  monthFirstRow: number;
  firstRow: Partial<Record<'iso' | 'dotted' | 'slash', number>>;
}

function noteDate(ev: DateEvidence, text: string, row: number): void {
  if (!text) return;
  if (ISO_START.test(text)) {
    ev.iso++;
    ev.firstRow.iso ??= row;
  } else if (DOTTED_START.test(text)) {
    ev.dotted++;
    ev.firstRow.dotted ??= row;
  } else {
    const m = SLASH_START.exec(text);
    if (!m) return;
    ev.slash++;
    ev.firstRow.slash ??= row;
    if (+m[1]! > 12 && !ev.dayFirstRow) ev.dayFirstRow = row;
    if (+m[2]! > 12 && !ev.monthFirstRow) ev.monthFirstRow = row;
  }
}

// ---- Lines --------------------------------------------------------------------------------------

interface RawRow {
  row: number;
  cells: string[];
}

/** Splits text into cells per line, keeping line numbers; blank lines are skipped. */
function* tabLines(text: string): Generator<RawRow> {
  let start = 0;
  let row = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    row++;
    let line = text.slice(start, end);
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    start = end + 1;
    if (line.trim() === '') {
      if (end === n) break;
      continue;
    }
    // Cells are trimmed when read (get), not here: most of a line's 24 cells are never looked at.
    yield { row, cells: line.split('\t') };
    if (end === n) break;
  }
}

/** A table from a dataset or a sheet: cells as text, header on the row before `firstRowNumber`. */
function* tableLines(table: NonNullable<SettlementFileInput['table']>): Generator<RawRow> {
  const first = table.firstRowNumber ?? 2;
  const text = (c: Cell | undefined): string => (c === null || c === undefined ? '' : c instanceof Date ? c.toISOString() : String(c).trim());
  yield { row: first - 1, cells: table.header.map(text) };
  for (let i = 0; i < table.rows.length; i++) {
    const cells = table.rows[i]!.map(text);
    if (cells.every((c) => c === '')) continue;
    yield { row: first + i, cells };
  }
}

/** Comma-separated copies (a file re-saved from Excel): papaparse, keeping physical line numbers. */
function* csvLines(text: string): Generator<RawRow> {
  const res = Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: false });
  let row = 0;
  for (const cells of res.data) {
    row++;
    if (cells.every((c) => c.trim() === '')) continue;
    yield { row, cells: cells.map((c) => c.trim()) };
  }
}

// ---- The parser ---------------------------------------------------------------------------------

export function parseSettlementFile(input: SettlementFileInput): ParsedSettlementFile {
  const file = input.name;
  const problems: Problem[] = [];
  let text: string;
  let encoding: SettlementEncoding = 'utf-8';
  if (input.text !== undefined) text = input.text.replace(/^\uFEFF/, '');
  else if (input.bytes) {
    const d = decodeSettlementBytes(input.bytes);
    text = d.text;
    encoding = d.encoding;
    if (encoding === 'windows-1252')
      problems.push(
        warning({ source: file, message: `${file} is not UTF-8; it was read as windows-1252 (Western European). Check accented names.`, code: 'encoding-fallback' }),
      );
  } else text = '';

  const firstLineEnd = text.indexOf('\n');
  const firstLine = firstLineEnd < 0 ? text : text.slice(0, firstLineEnd);
  const lines = input.table ? tableLines(input.table) : firstLine.includes('\t') || !firstLine.includes(',') ? tabLines(text) : csvLines(text);

  const head = lines.next();
  if (head.done) {
    problems.push(blocking({ source: file, message: `${file} is empty.`, code: 'empty-file' }));
    return { settlement: null, problems };
  }
  const headerRow = head.value.row;
  const header = head.value.cells.map((h) => h.replace(/^\uFEFF/, ''));
  const col = new Map<string, number>();
  header.forEach((h, i) => {
    const k = normaliseHeader(h);
    if (k && !col.has(k)) col.set(k, i);
  });
  const at = (name: string): number => col.get(normaliseHeader(name)) ?? -1;

  // Unknown columns are blocking: a renamed column may be an amount we would otherwise miss.
  header.forEach((h, i) => {
    if (h && !KNOWN.has(normaliseHeader(h)))
      problems.push(
        blocking({ source: file, row: headerRow, column: h, value: h, message: `The column "${h}" (column ${i + 1}) is not a settlement report column; rename it or remove it.`, code: 'unknown-column' }),
      );
  });

  const isV2 = at('amount') >= 0;
  const isV1 = V1_PAIRS.some((p) => at(p.amount) >= 0) || V1_SINGLE.some((s) => at(s.amount) >= 0);
  if (!isV2 && !isV1) {
    problems.push(
      blocking({ source: file, row: headerRow, column: 'amount', message: `${file} has no amount column (looked for "amount" of a V2 report and "price-amount", "item-related-fee-amount", "other-amount" … of a V1 report).`, code: 'no-amount-column' }),
    );
    return { settlement: null, problems };
  }
  const format: SettlementFormat = isV2 ? 'v2' : 'v1';
  const width = header.length;
  const expected = format === 'v2' ? [23, 24] : [33, 36];
  const named = header.filter((h) => h !== '').length;
  if (named < expected[0]! || named > expected[1]!)
    problems.push(
      warning({ source: file, row: headerRow, message: `A ${format.toUpperCase()} settlement report has ${expected[0]}–${expected[1]} columns; this one has ${named}.`, code: 'column-count' }),
    );
  const required = format === 'v2' ? ['settlement-id', 'total-amount', 'transaction-type', 'amount-type', 'amount-description', 'amount'] : ['settlement-id', 'total-amount', 'transaction-type'];
  for (const r of required)
    if (at(r) < 0)
      problems.push(blocking({ source: file, row: headerRow, column: r, message: `The column ${r} is missing.`, code: 'missing-column' }));
  if (problems.some((p) => isBlocking(p) && p.code === 'missing-column')) return { settlement: null, problems };

  const idx = {
    settlementId: at('settlement-id'), start: at('settlement-start-date'), end: at('settlement-end-date'), deposit: at('deposit-date'),
    total: at('total-amount'), currency: at('currency'), transactionType: at('transaction-type'), orderId: at('order-id'),
    merchantOrderId: at('merchant-order-id'), adjustmentId: at('adjustment-id'), shipmentId: at('shipment-id'),
    marketplace: at('marketplace-name'), amountType: at('amount-type'), amountDescription: at('amount-description'),
    amount: at('amount'), fulfillmentId: at('fulfillment-id'), postedDate: at('posted-date'), postedDateTime: at('posted-date-time'),
    sku: at('sku'), quantity: at('quantity-purchased'), promotionId: at('promotion-id'), otherReason: at('other-fee-reason-description'),
  };
  const v1Amounts = [
    ...V1_PAIRS.map((p) => ({ typeAt: at(p.type), amountAt: at(p.amount), amountType: p.amountType as string, single: false })),
    ...V1_SINGLE.map((s) => ({ typeAt: -1, amountAt: at(s.amount), amountType: s.amountType as string, single: true })),
  ].filter((a) => a.amountAt >= 0);
  const amountCols = format === 'v2' ? [idx.amount] : v1Amounts.map((a) => a.amountAt);
  const get = (cells: string[], i: number): string => {
    if (i < 0) return '';
    const c = cells[i];
    return c === undefined ? '' : c.trim();
  };

  // Pass 1: the lines with their amounts still as text, and evidence for the decimal separator and date style.
  // (Amounts and dates are read in pass 2, once the file's conventions are known.)
  const pending: SettlementLine[] = [];
  const amountTexts: string[] = [];
  const amountColumns: string[] = [];
  const foreignIds = new Map<number, string>();
  let summary: RawRow | null = null;
  const dec = { dot: 0, comma: 0, grouped: 0, dotRow: 0, commaRow: 0, groupedRow: 0, dotValue: '', commaValue: '', groupedValue: '' };
  const dates: DateEvidence = { iso: 0, dotted: 0, slash: 0, dayFirstRow: 0, monthFirstRow: 0, firstRow: {} };
  const noteAmount = (t: string, row: number): void => {
    if (!t) return;
    const e = decimalEvidence(t);
    if (e === 'none') return;
    dec[e]++;
    const rk = `${e}Row` as const;
    if (!dec[rk]) {
      dec[rk] = row;
      dec[`${e}Value`] = t;
    }
  };
  let firstSid = '';
  // Defined once (not per row): a closure per line of a million-line file costs real time.
  const pushLine = (c: string[], row: number, posted: string, quantity: number | null, amountType: string, amountDescription: string, text: string, column: string): void => {
    noteAmount(text, row);
    amountTexts.push(text);
    amountColumns.push(column);
    pending.push({
      row,
      transactionType: get(c, idx.transactionType),
      orderId: get(c, idx.orderId),
      merchantOrderId: get(c, idx.merchantOrderId),
      adjustmentId: get(c, idx.adjustmentId),
      shipmentId: get(c, idx.shipmentId),
      marketplace: get(c, idx.marketplace),
      amountType,
      amountDescription,
      cents: 0,
      fulfillmentId: get(c, idx.fulfillmentId),
      postedDate: posted, // text until pass 2
      sku: get(c, idx.sku),
      quantity,
      promotionId: get(c, idx.promotionId),
    });
  };
  const keep = (raw: RawRow): void => {
    const c = raw.cells;
    const sid = get(c, idx.settlementId);
    if (sid) {
      if (!firstSid) firstSid = sid;
      if (sid !== firstSid) foreignIds.set(raw.row, sid);
    }
    const qText = get(c, idx.quantity);
    let quantity: number | null = null;
    if (qText) {
      const q = Number(qText);
      if (Number.isSafeInteger(q)) quantity = q;
      else problems.push(warning({ source: file, row: raw.row, column: 'quantity-purchased', value: qText, message: `quantity-purchased "${qText}" is not a whole number; it is left blank.`, code: 'bad-integer' }));
    }
    const posted = get(c, idx.postedDate) || get(c, idx.postedDateTime);
    noteDate(dates, posted, raw.row);
    if (format === 'v2') {
      const t = get(c, idx.amount);
      if (t) pushLine(c, raw.row, posted, quantity, get(c, idx.amountType), get(c, idx.amountDescription), t, 'amount');
    } else {
      for (const a of v1Amounts) {
        const t = get(c, a.amountAt);
        if (!t) continue;
        // V1 "other" amounts carry their meaning in other-fee-reason-description or the transaction-type.
        const desc = a.single ? get(c, idx.otherReason) || get(c, idx.transactionType) : get(c, a.typeAt);
        pushLine(c, raw.row, posted, quantity, a.amountType, desc, t, header[a.amountAt]!);
      }
    }
  };
  for (let r = lines.next(); !r.done; r = lines.next()) {
    const raw = r.value;
    const cells = raw.cells;
    if (cells.length > width) {
      // Trailing empty fields (a summary row's extra tab, trailing spaces) are harmless; real values are not.
      const extra = cells.slice(width).map((x) => x.trim());
      if (extra.some((x) => x !== '') && !(summary === null && get(cells, idx.total) !== '' && extra.length === 1))
        problems.push(warning({ source: file, row: raw.row, value: extra.join(' | '), message: `This line has ${cells.length} fields where the header has ${width}; the extra values are ignored.`, code: 'field-count' }));
    }
    if (summary === null && get(cells, idx.total) !== '') {
      summary = raw;
      noteAmount(get(cells, idx.total), raw.row);
      for (const i of [idx.start, idx.end, idx.deposit]) noteDate(dates, get(cells, i), raw.row);
      // A summary row that also carries a detail amount counts as a detail too.
      if (amountCols.some((i) => get(cells, i) !== '')) keep(raw);
      continue;
    }
    keep(raw);
  }

  // Decimal separator: evidence from unambiguous values; both kinds present is a blocking ambiguity.
  let decimal: DecimalSeparator = '.';
  if (dec.dot && dec.comma) {
    decimal = dec.comma > dec.dot ? ',' : '.';
    problems.push(
      blocking({
        source: file,
        row: decimal === ',' ? dec.dotRow : dec.commaRow,
        column: 'amount',
        value: decimal === ',' ? dec.dotValue : dec.commaValue,
        message: `The decimal separator is ambiguous: row ${dec.commaRow} has "${dec.commaValue}" (decimal comma) and row ${dec.dotRow} has "${dec.dotValue}" (decimal point). Amounts in one file must use one separator.`,
        code: 'decimal-ambiguous',
      }),
    );
  } else if (dec.comma) decimal = ',';
  else if (dec.grouped && !dec.dot) {
    problems.push(
      warning({
        source: file,
        row: dec.groupedRow,
        column: 'amount',
        value: dec.groupedValue,
        message: `"${dec.groupedValue}" could be read with a comma or a dot as decimal separator; no other amount in ${file} decides it, so 3 digits after the separator are read as thousands.`,
        code: 'decimal-ambiguous',
      }),
    );
    // The reading that keeps a 2-decimal currency valid: "1,234" → 1234 with '.', "1.234" → 1234 with ','.
    decimal = dec.groupedValue.includes('.') ? ',' : '.';
  }

  // Date style: ISO and dd.mm.yyyy are unambiguous; slash dates need evidence of which part is the day.
  let dateStyle: DateStyle | null = null;
  let slash: 'mdy' | 'dmy' = 'mdy';
  const styles = (['iso', 'dotted', 'slash'] as const).filter((s) => dates[s] > 0);
  if (styles.length > 1)
    problems.push(
      warning({ source: file, message: `${file} mixes date styles (${styles.map((s) => `${s} from row ${dates.firstRow[s]}`).join(', ')}); each date is read by its own style.`, code: 'mixed-date-styles' }),
    );
  if (styles.length) {
    const main = styles.reduce((a, b) => (dates[b] > dates[a] ? b : a));
    if (main === 'iso') dateStyle = 'iso';
    else if (main === 'dotted') dateStyle = 'dotted';
    else {
      if (dates.dayFirstRow && dates.monthFirstRow) {
        problems.push(
          blocking({ source: file, row: dates.monthFirstRow, column: 'posted-date', message: `Slash dates disagree: row ${dates.dayFirstRow} has the day first and row ${dates.monthFirstRow} has the month first.`, code: 'date-style-ambiguous' }),
        );
      } else if (dates.dayFirstRow) slash = 'dmy';
      else if (!dates.monthFirstRow) {
        // No date decides it: follow the decimal separator (comma countries write the day first).
        slash = decimal === ',' ? 'dmy' : 'mdy';
        problems.push(
          warning({ source: file, message: `No date in ${file} shows whether slash dates are month/day or day/month; read as ${slash === 'mdy' ? 'month/day/year' : 'day/month/year'}.`, code: 'date-style-ambiguous' }),
        );
      }
      dateStyle = slash === 'mdy' ? 'slash-mdy' : 'slash-dmy';
    }
  }

  if (!summary) {
    problems.push(blocking({ source: file, column: 'total-amount', message: `${file} has no summary row (no row with a total-amount).`, code: 'no-summary' }));
    return { settlement: null, problems };
  }

  const dateCache = new Map<string, string | null>();
  const isoDate = (t: string): string | null => {
    let v = dateCache.get(t);
    if (v === undefined) {
      const r = readDateTime(t, { slash });
      v = r.ok ? r.iso.slice(0, 10) : null;
      dateCache.set(t, v);
    }
    return v;
  };
  const readDateCell = (cells: string[], i: number, row: number, column: string): string => {
    const t = get(cells, i);
    if (!t) return '';
    const v = isoDate(t);
    if (v === null) {
      problems.push(blocking({ source: file, row, column, value: t, message: `${column} "${t}" is not a date.`, code: 'bad-date' }));
      return '';
    }
    return v;
  };

  const sc = summary.cells;
  const currency = get(sc, idx.currency).toUpperCase();
  if (!isCurrencyCode(currency))
    problems.push(blocking({ source: file, row: summary.row, column: 'currency', value: get(sc, idx.currency), message: `The summary row's currency "${get(sc, idx.currency)}" is not a currency code.`, code: 'bad-currency' }));
  const cur = isCurrencyCode(currency) ? currency : 'USD';
  const settlementId = get(sc, idx.settlementId);
  if (!settlementId) problems.push(blocking({ source: file, row: summary.row, column: 'settlement-id', message: 'The summary row has no settlement-id.', code: 'blank' }));
  const totalText = get(sc, idx.total);
  const total = parseAmount(totalText, { currency: cur, decimal });
  if (!total.ok)
    problems.push(blocking({ source: file, row: summary.row, column: 'total-amount', value: totalText, message: `total-amount: ${total.reason}`, code: 'bad-amount' }));

  const settlement: Settlement = {
    file,
    format,
    settlementId,
    startDate: readDateCell(sc, idx.start, summary.row, 'settlement-start-date'),
    endDate: readDateCell(sc, idx.end, summary.row, 'settlement-end-date'),
    depositDate: readDateCell(sc, idx.deposit, summary.row, 'deposit-date'),
    currency: cur,
    totalCents: total.ok ? total.cents : 0,
    detailCents: 0,
    summaryRow: summary.row,
    lines: [],
    dateStyle,
    decimal,
    encoding,
  };

  // Pass 2: amounts and dates with the file's conventions; a line whose amount cannot be read is left out (and blocks).
  let detail = 0;
  let unreadable = 0;
  const amountOptions = { currency: cur, decimal };
  for (let i = 0; i < pending.length; i++) {
    const l = pending[i]!;
    const other = foreignIds.get(l.row);
    if (other !== undefined && settlementId && other !== settlementId && (i === 0 || pending[i - 1]!.row !== l.row))
      problems.push(blocking({ source: file, row: l.row, column: 'settlement-id', value: other, message: `This row belongs to settlement ${other}, not ${settlementId} of the summary row.`, code: 'settlement-id-mismatch' }));
    if (l.postedDate) {
      const v = isoDate(l.postedDate);
      if (v === null) {
        if (i === 0 || pending[i - 1]!.row !== l.row)
          problems.push(warning({ source: file, row: l.row, column: 'posted-date', value: l.postedDate, message: `posted-date "${l.postedDate}" is not a date; it is left blank.`, code: 'bad-date' }));
        l.postedDate = '';
      } else l.postedDate = v;
    }
    const text = amountTexts[i]!;
    const a = parseAmount(text, amountOptions);
    if (!a.ok) {
      unreadable++;
      const column = amountColumns[i]!;
      problems.push(blocking({ source: file, row: l.row, column, value: text, message: `${column}: ${a.reason}`, code: 'bad-amount' }));
      continue;
    }
    l.cents = a.cents;
    detail += a.cents;
    settlement.lines.push(l);
  }
  settlement.detailCents = detail;

  if (total.ok && settlementTotalsMatch(settlement) === false) {
    problems.push(
      blocking({
        source: file,
        row: summary.row,
        column: 'total-amount',
        value: totalText,
        message:
          `total-amount ${formatAmount(total.cents, cur)} ${cur} does not equal the sum of the detail amounts ${formatAmount(detail, cur)} ${cur} ` +
          `(difference ${formatAmount(total.cents - detail, cur)})${unreadable ? `; ${unreadable} amount${unreadable === 1 ? ' was' : 's were'} unreadable` : ''}.`,
        code: 'total-mismatch',
      }),
    );
  }
  return { settlement, problems };
}

/** The settlement invariant: total-amount equals Σ detail amounts, to the cent. */
export function settlementTotalsMatch(s: Pick<Settlement, 'totalCents' | 'detailCents'>): boolean {
  return s.totalCents === s.detailCents;
}

export interface ParsedSettlements {
  settlements: Settlement[];
  problems: Problem[];
}

/** Several files at once; the same settlement in two files is blocking (it would be posted twice). */
export function parseSettlementFiles(inputs: readonly SettlementFileInput[]): ParsedSettlements {
  const settlements: Settlement[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const input of inputs) {
    const r = parseSettlementFile(input);
    problems.push(...r.problems);
    if (!r.settlement) continue;
    const s = r.settlement;
    const key = s.settlementId;
    const first = seen.get(key);
    if (key && first !== undefined) {
      problems.push(
        blocking({ source: s.file, row: s.summaryRow, column: 'settlement-id', value: key, message: `Settlement ${key} is also in ${first}; load each settlement once.`, code: 'duplicate-settlement' }),
      );
      continue;
    }
    if (key) seen.set(key, s.file);
    settlements.push(s);
  }
  return { settlements, problems };
}
