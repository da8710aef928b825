/**
 * What leaves in a batch, as the approver reviews it and as the formula rule lets it out: the
 * outgoing CSV files checked cell by cell for formulas, a file's first rows with its row count and
 * money totals, Zoho documents' totals per type, and what changed between two versions of a batch.
 * Pure functions over text and plain data; hashing and reading bytes are the host's.
 */
import { neutraliseText } from '../kernel/csv';
import { addCents, parseAmount, sumCents, type Cents } from '../kernel/money';
import { normaliseHeader } from '../kernel/table';

// ---- reading delimited text cell by cell, keeping where each cell starts ----------------------

interface ScannedCell {
  value: string;
  /** Index in the text where the cell's value starts (after the opening quote of a quoted cell). */
  at: number;
}

export type ScanResult = { ok: true; delimiter: string; records: ScannedCell[][] } | { ok: false; row: number; column: number; reason: string };

const DELIMITERS = [',', ';', '\t', '|'];

/** The delimiter of the first line (outside quotes): the most frequent of , ; tab |, else a comma. */
export function detectDelimiter(text: string): string {
  const counts = new Map(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/**
 * RFC 4180 records with each cell's value and position. Lenient where spreadsheets are (a quote
 * inside an unquoted cell is text; text after a closing quote joins the cell); a quoted cell still
 * open at the end of the text cannot be read and is refused with its row and column.
 */
export function scanDelimited(text: string, delimiter = detectDelimiter(text)): ScanResult {
  const records: ScannedCell[][] = [];
  let record: ScannedCell[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  for (;;) {
    // One cell from i.
    let value = '';
    let at = i;
    if (text[i] === '"') {
      at = i + 1;
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const q = text.indexOf('"', j);
        if (q < 0) break;
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        closed = true;
        break;
      }
      if (!closed) return { ok: false, row: records.length + 1, column: record.length + 1, reason: 'a quoted cell is not closed before the end of the file' };
      i = j;
    }
    // The unquoted rest of the cell, up to the delimiter or the end of the line.
    let k = i;
    while (k < n && text[k] !== delimiter && text[k] !== '\n' && text[k] !== '\r') k++;
    value += text.slice(i, k);
    record.push({ value, at });
    i = k;
    if (i < n && text[i] === delimiter) {
      i++;
      continue;
    }
    records.push(record);
    record = [];
    if (i >= n) break;
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
    if (i >= n) break;
  }
  return { ok: true, delimiter, records };
}

const blankRecord = (r: readonly ScannedCell[]) => r.length === 1 && r[0]!.value === '';

// ---- the formula rule for files that leave ----------------------------------------------------

export interface CellRef {
  /** Line of the file counted as records (the header is row 1). */
  row: number;
  /** The header's name for the column, or "column N" when the header has none. */
  column: string;
  /** The cell as it was. */
  value: string;
}

export type NeutralisedFile = { ok: true; text: string; cells: CellRef[] } | { ok: false; reason: string };

const columnName = (header: readonly ScannedCell[] | undefined, index: number) => header?.[index]?.value.trim() || `column ${index + 1}`;

/**
 * Every cell a spreadsheet would run as a formula — one beginning with = + - @, tab, CR or LF that
 * is not a plain number — gets a leading apostrophe, the same rule and the same mark the engine's
 * CSV writer applies (src/kernel/csv.ts), so a file a preparer brings leaves exactly as a file
 * CloseDesk wrote would. Only those cells change: every other byte, quote and line ending stays.
 *
 * Neutralised rather than refused: a partner's spreadsheet then shows the cell as the text it is,
 * nothing else in the file moves, and the approver sees the neutralised cells listed and the
 * content as it will leave (the batch's hash is taken after this). A file that cannot be read as
 * delimited text cannot be checked, and is refused with the place that stops the reading.
 */
export function neutraliseDelimitedText(text: string, name: string): NeutralisedFile {
  const scan = scanDelimited(text);
  if (!scan.ok) {
    return { ok: false, reason: `${name}, row ${scan.row}, column ${scan.column}: ${scan.reason}, so CloseDesk cannot check it for formulas; fix the file and prepare it again.` };
  }
  const header = scan.records[0];
  const cells: CellRef[] = [];
  const inserts: number[] = [];
  scan.records.forEach((record, r) => {
    record.forEach((cell, c) => {
      if (cell.value !== '' && neutraliseText(cell.value) !== cell.value) {
        cells.push({ row: r + 1, column: columnName(header, c), value: cell.value });
        inserts.push(cell.at);
      }
    });
  });
  if (inserts.length === 0) return { ok: true, text, cells };
  let out = '';
  let from = 0;
  for (const at of inserts) {
    out += text.slice(from, at) + "'";
    from = at;
  }
  return { ok: true, text: out + text.slice(from), cells };
}

/** A sentence naming the neutralised cells (at most `max`), for the approver and the audit. */
export function describeNeutralised(fileName: string, cells: readonly CellRef[], max = 3): string {
  if (cells.length === 0) return '';
  const shown = cells.slice(0, max).map((c) => `row ${c.row} ${c.column} "${c.value.length > 30 ? c.value.slice(0, 29) + '…' : c.value}"`);
  const more = cells.length > max ? ` and ${cells.length - max} more` : '';
  return `${fileName}: ${cells.length} cell${cells.length === 1 ? '' : 's'} that a spreadsheet would run as a formula now begin${cells.length === 1 ? 's' : ''} with an apostrophe (${shown.join('; ')}${more}).`;
}

// ---- a file as the approver sees it -----------------------------------------------------------

export interface MoneyTotal {
  /** The money column, as its header names it. */
  column: string;
  /** From the row's currency column; null when the file has none. */
  currency: string | null;
  cents: Cents;
  /** Rows with an amount in this column (and currency). */
  rows: number;
}

export interface TablePreview {
  header: string[];
  /** The first rows, as text. */
  rows: string[][];
  rowCount: number;
  totals: MoneyTotal[];
}

/** Headers that name an amount: AMOUNT, TRANSACTION_AMOUNT, TOTAL, FEE, REFUND_AMT, FUNDING_AMOUNT … */
const MONEY_HEADER = /(^|_)(amount|amt|total|totals|fee|fees|refund|funding|value|net|gross)(_|$)/;
const CURRENCY_HEADER = /^(currency|currency_code|ccy|curr)$/;

/** Sums of the columns whose header names an amount and whose every filled cell is one, per currency. */
export function moneyTotals(header: readonly string[], rows: readonly (readonly string[])[]): MoneyTotal[] {
  const names = header.map(normaliseHeader);
  const currencyAt = names.findIndex((h) => CURRENCY_HEADER.test(h));
  const out: MoneyTotal[] = [];
  names.forEach((h, c) => {
    if (c === currencyAt || !MONEY_HEADER.test(h)) return;
    const groups = new Map<string, Cents[]>();
    for (const row of rows) {
      const cell = (row[c] ?? '').trim();
      if (cell === '') continue;
      const currency = currencyAt >= 0 ? (row[currencyAt] ?? '').trim().toUpperCase() : '';
      const amount = parseAmount(cell, { currency: currency || undefined });
      if (!amount.ok) return; // not a money column after all: no total rather than a wrong one
      const list = groups.get(currency) ?? [];
      list.push(amount.cents);
      groups.set(currency, list);
    }
    for (const [currency, cents] of groups) out.push({ column: header[c]!.trim(), currency: currencyAt >= 0 ? currency : null, cents: sumCents(cents), rows: cents.length });
  });
  return out;
}

/** Totals of several files as one list: the same column and currency summed (cents and rows), first seen first. */
export function mergeMoneyTotals(all: readonly MoneyTotal[]): MoneyTotal[] {
  const out = new Map<string, MoneyTotal>();
  for (const t of all) {
    const key = `${t.column}\u0000${t.currency ?? ''}`;
    const was = out.get(key);
    out.set(key, was ? { ...was, cents: addCents(was.cents, t.cents), rows: was.rows + t.rows } : { ...t });
  }
  return [...out.values()];
}

/** The records of delimited text as plain cells; blank lines left out. Undefined when it cannot be read. */
export function readDelimited(text: string): string[][] | undefined {
  const scan = scanDelimited(text);
  return scan.ok ? scan.records.filter((r) => !blankRecord(r)).map((r) => r.map((c) => c.value)) : undefined;
}

/** Header, first rows, row count and money totals of a delimited text file; undefined when it cannot be read. */
export function previewDelimited(text: string, firstRows = 20): TablePreview | undefined {
  const records = readDelimited(text);
  if (!records) return undefined;
  const [header = [], ...rows] = records;
  return { header, rows: rows.slice(0, firstRows), rowCount: rows.length, totals: moneyTotals(header, rows) };
}

// ---- Zoho documents as the approver sees them -------------------------------------------------

export interface DocumentTotal {
  kind: string;
  currency: string;
  count: number;
  cents: Cents;
}

const KIND_ORDER = ['invoice', 'payment', 'journal'];

/** Count and cents per document type and currency (invoices, payments, journals first). */
export function documentTotals(documents: Iterable<{ kind: string; currency?: string; cents?: { total?: number } }>): DocumentTotal[] {
  const groups = new Map<string, { kind: string; currency: string; cents: Cents[] }>();
  for (const d of documents) {
    const currency = d.currency ?? '';
    const key = `${d.kind}\u0000${currency}`;
    const g = groups.get(key) ?? { kind: d.kind, currency, cents: [] };
    g.cents.push(Number.isSafeInteger(d.cents?.total) ? d.cents!.total! : 0);
    groups.set(key, g);
  }
  const rank = (k: string) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
  return [...groups.values()]
    .map((g) => ({ kind: g.kind, currency: g.currency, count: g.cents.length, cents: sumCents(g.cents) }))
    .sort((a, b) => rank(a.kind) - rank(b.kind) || a.kind.localeCompare(b.kind) || a.currency.localeCompare(b.currency));
}

// ---- what changed between two versions --------------------------------------------------------

/** One item of a version as recorded: what identifies it and a digest of what leaves for it. */
export interface ManifestEntry {
  key: string;
  kind: string;
  /** How the screen names it: the file name or the document's number. */
  label: string;
  /** Digest of the item's outgoing content (the host's hash). */
  digest: string;
  /** Files: the stored content the item sends (to compare rows). */
  blob?: string;
  /** Documents: the amount and currency. */
  cents?: Cents;
  currency?: string;
}

export interface ManifestDiff {
  added: ManifestEntry[];
  removed: ManifestEntry[];
  changed: { before: ManifestEntry; after: ManifestEntry }[];
  unchanged: number;
}

/** Items added, removed and changed (same key, another digest) from one version to the next. */
export function diffManifests(before: readonly ManifestEntry[], after: readonly ManifestEntry[]): ManifestDiff {
  const old = new Map(before.map((e) => [e.key, e]));
  const now = new Set(after.map((e) => e.key));
  const diff: ManifestDiff = { added: [], removed: before.filter((e) => !now.has(e.key)), changed: [], unchanged: 0 };
  for (const e of after) {
    const was = old.get(e.key);
    if (!was) diff.added.push(e);
    else if (was.digest !== e.digest) diff.changed.push({ before: was, after: e });
    else diff.unchanged++;
  }
  return diff;
}

export interface RowDiff {
  /** The column rows are matched on (the first, when its values are unique in both); null = whole rows. */
  keyColumn: string | null;
  headerChanged: boolean;
  added: string[][];
  removed: string[][];
  changed: { before: string[]; after: string[] }[];
  /** Totals before any list was cut to `max`. */
  counts: { added: number; removed: number; changed: number };
}

const uniqueFirst = (rows: readonly (readonly string[])[]) => new Set(rows.map((r) => r[0] ?? '')).size === rows.length;

/** Rows added, removed and changed between two versions of a file (records include the header). */
export function diffRows(before: readonly (readonly string[])[], after: readonly (readonly string[])[], max = 50): RowDiff {
  const [h1 = [], ...r1] = before;
  const [h2 = [], ...r2] = after;
  const line = (r: readonly string[]) => r.join('\u0000');
  const headerChanged = line(h1) !== line(h2);
  const added: string[][] = [];
  const removed: string[][] = [];
  const changed: { before: string[]; after: string[] }[] = [];
  let keyColumn: string | null = null;
  if (!headerChanged && h1.length > 0 && uniqueFirst(r1) && uniqueFirst(r2)) {
    keyColumn = h1[0] ?? null;
    const old = new Map(r1.map((r) => [r[0] ?? '', r]));
    const keys = new Set(r2.map((r) => r[0] ?? ''));
    for (const r of r2) {
      const was = old.get(r[0] ?? '');
      if (!was) added.push([...r]);
      else if (line(was) !== line(r)) changed.push({ before: [...was], after: [...r] });
    }
    for (const r of r1) if (!keys.has(r[0] ?? '')) removed.push([...r]);
  } else {
    // Rows as a multiset: each row of one version pairs with an equal row of the other.
    const left = new Map<string, number>();
    for (const r of r1) {
      const k = line(r);
      left.set(k, (left.get(k) ?? 0) + 1);
    }
    for (const r of r2) {
      const k = line(r);
      const n = left.get(k) ?? 0;
      if (n > 0) left.set(k, n - 1);
      else added.push([...r]);
    }
    for (const r of r1) {
      const k = line(r);
      const n = left.get(k) ?? 0;
      if (n > 0) {
        removed.push([...r]);
        left.set(k, n - 1);
      }
    }
  }
  return {
    keyColumn,
    headerChanged,
    added: added.slice(0, max),
    removed: removed.slice(0, max),
    changed: changed.slice(0, max),
    counts: { added: added.length, removed: removed.length, changed: changed.length },
  };
}
