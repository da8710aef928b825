/**
 * Monthly tuition invoices: one per customer, calendar month and currency (amounts in two
 * currencies are never added: they make two invoices), with a line per customer user and expense
 * type. Also the invoice's exact document (what the customer approves), invoices.csv, the
 * customer's CSV layout and the sheets for Excel.
 */
import { addCents, centsToNumber, formatAmount, sumCents } from '../kernel/money';
import { csvCell, csvRow, toCsv, type CsvOptions } from '../kernel/csv';
import type { Cell } from '../kernel/table';
import type { SheetSpec } from '../workbook/sheet-spec';
import { ExpenseColumns, KeyIds, resized, TextIds, type ExpenseLine } from './columns';
import { EXPENSE_TYPES, type ExpenseType } from './profiles';

export interface InvoiceLine {
  user: string;
  expenseType: ExpenseType;
  cents: number;
  /** Number of partner lines summed into this one. */
  items: number;
  /** Partner references behind the line, for the customer's questions. */
  references: string[];
}

export interface TuitionInvoice {
  /** `TU-2024-11-NORTHWIND-TRADERS-USD`: stable for a customer, month and currency. */
  number: string;
  customer: string;
  month: string;
  currency: string;
  partners: string[];
  lines: InvoiceLine[];
  totalCents: number;
}

/** Customers are matched on their name ignoring case and spacing. */
export const customerKey = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

export function invoiceNumber(customer: string, month: string, currency: string): string {
  const slug = customer
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toUpperCase()
    .slice(0, 40);
  return `TU-${month}-${slug || 'CUSTOMER'}-${currency}`;
}

/** Groups lines of one month into invoices; lines of other months are expected to be filtered (they are problems). */
export function buildTuitionInvoices(lines: readonly ExpenseLine[], month: string): TuitionInvoice[] {
  return buildTuitionInvoicesFromColumns(ExpenseColumns.fromLines(lines), month);
}

// The order of String.prototype.localeCompare (the default collator), without making one per call.
const collator = new Intl.Collator();

/**
 * Per printable ASCII character but capitals: its place in the collator's order (0: not placed). In
 * English (the root order) each of them sorts on its own — no two equal, none joined with a neighbour
 * as some languages join "aa" — so two texts of only these characters compare as their places do,
 * character by character; other texts, and other languages, go to the collator.
 */
const PLACE = ((): Uint8Array => {
  const place = new Uint8Array(128);
  if (!/^en(-|$)/.test(collator.resolvedOptions().locale)) return place;
  const chars = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c < 'A' || c > 'Z');
  chars.sort(collator.compare);
  // each one its own letter, not only its own accent or case: else a later letter would decide first
  const base = new Intl.Collator(undefined, { sensitivity: 'base' });
  for (let k = 1; k < chars.length; k++) if (base.compare(chars[k - 1]!, chars[k]!) === 0) return place;
  chars.forEach((c, k) => (place[c.charCodeAt(0)] = k + 1));
  return place;
})();

/** collator.compare(a, b) as -1, 0 or 1. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  let differ = -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (c >= 128 || PLACE[c] === 0) return Math.sign(collator.compare(a, b));
    if (differ < 0 && i < n && c !== b.charCodeAt(i)) differ = i;
  }
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if (c >= 128 || PLACE[c] === 0) return Math.sign(collator.compare(a, b));
  }
  if (differ < 0) return a.length < b.length ? -1 : 1;
  return PLACE[a.charCodeAt(differ)]! < PLACE[b.charCodeAt(differ)]! ? -1 : 1;
}

/**
 * The same invoices from lines held as columns, grouped by integer ids (customer key, currency, user
 * key, expense type) — no key string per line. `references: false` leaves each line's references out
 * (invoices.csv does not show them; the approval document does).
 */
export function buildTuitionInvoicesFromColumns(c: ExpenseColumns, month: string, options: { references?: boolean } = {}): TuitionInvoice[] {
  const withReferences = options.references !== false;
  const names = c.names.values;
  // Per distinct text, computed once: a name's customer key and lower-case user, whether a date is in the month.
  const customerKeys = new TextIds();
  const userKeys = new TextIds();
  const customerKeyOf = new Int32Array(names.length).fill(-1);
  const userKeyOf = new Int32Array(names.length).fill(-1);
  const inMonth = c.dates.values.map((d) => d.startsWith(month));
  // Invoices (customer key, currency) and their lines (invoice, user key, expense type) by integer keys;
  // each remembers when it was first met, the order kept among texts the collator finds equal.
  const groupOf = new KeyIds();
  const groupCustomer: number[] = [];
  const groupCurrency: number[] = [];
  const groupPartners: Set<number>[] = [];
  const groupLastPartner: number[] = []; // lines of one file come together: the set is asked only when the partner changes
  const lineOf = new KeyIds();
  // per invoice line, in typed arrays (grown as lines are met): hundreds of thousands of numbers the collector need not copy
  let lineGroup = new Int32Array(1024);
  let lineUser = new Int32Array(1024);
  let lineUserKey = new Int32Array(1024);
  let lineType = new Uint8Array(1024);
  let lineCents = new Float64Array(1024);
  let lineItems = new Int32Array(1024);
  // references of a line as a chain through the expense lines: first, then next of each
  let firstRef = new Int32Array(1024);
  let lastRef = new Int32Array(1024);
  const nextRef = withReferences ? new Int32Array(c.count).fill(-1) : new Int32Array(0);
  const W = names.length + 1;
  const direct = new Int32Array(names.length * EXPENSE_TYPES.length).fill(-1);
  const groupOfName = new Int32Array(names.length).fill(-1);
  for (let i = 0; i < c.count; i++) {
    if (!inMonth[c.date[i]!]) continue;
    const customer = c.customer[i]!;
    const currency = c.currency[i]!;
    // the invoice of a customer's name is nearly always the one of its last line (one currency): the table only when not
    let g = groupOfName[customer]!;
    if (g < 0 || groupCurrency[g] !== currency) {
      let ck = customerKeyOf[customer]!;
      if (ck < 0) ck = customerKeyOf[customer] = customerKeys.id(customerKey(names[customer]!));
      g = groupOfName[customer] = groupOf.id(ck * W + currency);
      if (g === groupCustomer.length) {
        groupCustomer.push(customer);
        groupCurrency.push(currency);
        groupPartners.push(new Set());
        groupLastPartner.push(-1);
      }
    }
    const partner = c.partner[i]!;
    if (groupLastPartner[g] !== partner) groupPartners[g]!.add((groupLastPartner[g] = partner));
    const user = c.user[i]!;
    let uk = userKeyOf[user]!;
    if (uk < 0) uk = userKeyOf[user] = userKeys.id(names[user]!.toLowerCase());
    const type = c.type[i]!;
    // a user key is nearly always on one invoice: its line of a type is looked up by (user key, type) in an
    // array, and by (invoice, user key, type) in the table when another invoice's line holds that place
    const d = uk * EXPENSE_TYPES.length + type;
    let l = direct[d]!;
    const known = lineOf.size;
    if (l < 0 || lineGroup[l] !== g) {
      l = lineOf.id((g * W + uk) * EXPENSE_TYPES.length + type);
      if (direct[d]! < 0) direct[d] = l;
    }
    if (l < known) {
      lineCents[l] = addCents(lineCents[l]!, c.cents[i]!);
      lineItems[l]!++;
      if (withReferences) lastRef[l] = nextRef[lastRef[l]!] = i;
    } else {
      if (l === lineGroup.length) {
        const n = l * 2;
        lineGroup = resized(lineGroup, n);
        lineUser = resized(lineUser, n);
        lineUserKey = resized(lineUserKey, n);
        firstRef = resized(firstRef, n);
        lastRef = resized(lastRef, n);
        lineItems = resized(lineItems, n);
        lineType = resized(lineType, n);
        lineCents = resized(lineCents, n);
      }
      lineGroup[l] = g;
      lineUser[l] = user;
      lineUserKey[l] = uk;
      lineType[l] = type;
      lineCents[l] = c.cents[i]!;
      lineItems[l] = 1;
      firstRef[l] = lastRef[l] = i;
    }
  }
  // The lines of each invoice (lines[from[g], from[g + 1]), ascending), then ordered by user (the collator's order, ranked once per invoice), type, and when met.
  const lineCount = lineOf.size;
  const from = new Int32Array(groupCustomer.length + 1);
  for (let l = 0; l < lineCount; l++) from[lineGroup[l]! + 1]!++;
  for (let g = 0; g < groupCustomer.length; g++) from[g + 1]! += from[g]!;
  const lines = new Int32Array(lineCount);
  const next = from.slice(0, groupCustomer.length);
  for (let l = 0; l < lineCount; l++) lines[next[lineGroup[l]!]!++] = l;
  const rank = new Int32Array(userKeys.values.length);
  const place = new Int32Array(userKeys.values.length);
  const T = EXPENSE_TYPES.length;
  const out: TuitionInvoice[] = [];
  for (let g = 0; g < groupCustomer.length; g++) {
    const ids = lines.subarray(from[g]!, from[g + 1]!);
    // users in the order first met (ids ascend), sorted stably: users the collator finds equal keep that order
    const users = [...new Set(Array.from(ids, (l) => lineUserKey[l]!))].sort((a, b) => compareText(userKeys.values[a]!, userKeys.values[b]!));
    users.forEach((u, k) => ((place[u] = k), (rank[u] = k > 0 && compareText(userKeys.values[users[k - 1]!]!, userKeys.values[u]!) === 0 ? rank[users[k - 1]!]! : k)));
    // (rank, type, place) is one number per line, and (place, type) names the line: a typed sort without a comparator
    const U = users.length;
    const lineAt = new Int32Array(U * T);
    const order = new Float64Array(ids.length);
    for (let k = 0; k < ids.length; k++) {
      const l = ids[k]!;
      const u = lineUserKey[l]!;
      lineAt[place[u]! * T + lineType[l]!] = l;
      order[k] = (rank[u]! * T + lineType[l]!) * U + place[u]!;
    }
    order.sort();
    for (let k = 0; k < ids.length; k++) {
      const p = order[k]! % U;
      ids[k] = lineAt[p * T + (((order[k]! - p) / U) % T)]!;
    }
    const invLines: InvoiceLine[] = Array.from(ids, (l) => {
      const references: string[] = [];
      if (withReferences) {
        for (let i = firstRef[l]!; i >= 0; i = nextRef[i]!) references.push(`${c.partners.values[c.partner[i]!]}:${c.references.text(c.reference[i]!)}`);
        references.sort();
      }
      return { user: names[lineUser[l]!]!, expenseType: EXPENSE_TYPES[lineType[l]!]!, cents: lineCents[l]!, items: lineItems[l]!, references };
    });
    const customer = names[groupCustomer[g]!]!;
    const currency = names[groupCurrency[g]!]!;
    out.push({
      number: invoiceNumber(customer, month, currency),
      customer,
      month,
      currency,
      partners: [...groupPartners[g]!].map((p) => c.partners.values[p]!).sort(),
      lines: invLines,
      totalCents: sumCents(invLines.map((l) => l.cents)),
    });
  }
  // invoices in the order met first (customer key, then currency), then sorted: ties keep that order
  const met = new Map<TuitionInvoice, number>();
  const byCustomer = new Map<number, number>();
  for (let g = 0; g < out.length; g++) {
    const ck = customerKeyOf[groupCustomer[g]!]!;
    if (!byCustomer.has(ck)) byCustomer.set(ck, byCustomer.size);
    met.set(out[g]!, byCustomer.get(ck)! * out.length + g);
  }
  return out.sort((a, b) => compareText(a.customer.toLowerCase(), b.customer.toLowerCase()) || compareText(a.currency, b.currency) || met.get(a)! - met.get(b)!);
}

export const INVOICE_CSV_HEADER = ['Customer', 'Month', 'User', 'Expense Type', 'Amount', 'Currency'] as const;

/** invoices.csv: a row per invoice line (customer, month, user, expense type, amount, currency). */
export function invoicesCsv(invoices: readonly TuitionInvoice[], options: CsvOptions = {}): string {
  return [...invoicesCsvPieces(invoices, options)].join('');
}

/**
 * invoicesCsv in pieces, one per invoice (their concatenation is invoicesCsv): a host writing a file
 * writes each piece as it comes, and never holds the whole text.
 */
export function* invoicesCsvPieces(invoices: readonly TuitionInvoice[], options: CsvOptions = {}): Generator<string> {
  const eol = options.lineEnding ?? '\r\n';
  const d = options.delimiter ?? ',';
  const typeCell = new Map(EXPENSE_TYPES.map((t) => [t, csvCell(t, d)]));
  yield (options.bom ? '\uFEFF' : '') + csvRow([...INVOICE_CSV_HEADER], options) + eol;
  for (const inv of invoices) {
    // an invoice's own cells are the same on each of its lines: written once; its rows are joined at once
    // (a short-lived piece per cell, not hundreds of thousands kept until the end)
    const before = csvRow([inv.customer, inv.month], options) + d;
    const after = d + csvCell(inv.currency, d);
    const rows = inv.lines.map((l) => before + csvCell(l.user, d) + d + typeCell.get(l.expenseType)! + d + csvCell(formatAmount(l.cents, inv.currency), d) + after);
    if (rows.length) yield rows.join(eol) + eol;
  }
}

// ---- the customer's CSV layout -----------------------------------------------------------------

export const LAYOUT_FIELDS = ['invoiceNumber', 'customer', 'month', 'user', 'expenseType', 'amount', 'currency', 'items', 'partners'] as const;
export type LayoutField = (typeof LAYOUT_FIELDS)[number];

export interface CustomerLayout {
  columns: { header: string; field: LayoutField }[];
  delimiter?: ',' | ';' | '\t' | '|';
  lineEnding?: '\r\n' | '\n';
  /** Expense types in the customer's own words (default: the normal form). */
  expenseWords?: Partial<Record<ExpenseType, string>>;
}

export const DEFAULT_CUSTOMER_LAYOUT: CustomerLayout = {
  columns: [
    { header: 'Invoice', field: 'invoiceNumber' },
    { header: 'Customer', field: 'customer' },
    { header: 'Month', field: 'month' },
    { header: 'User', field: 'user' },
    { header: 'Expense Type', field: 'expenseType' },
    { header: 'Amount', field: 'amount' },
    { header: 'Currency', field: 'currency' },
  ],
};

export function invoiceCsvForCustomer(inv: TuitionInvoice, layout: CustomerLayout = DEFAULT_CUSTOMER_LAYOUT): string {
  const value = (l: InvoiceLine, f: LayoutField): Cell => {
    switch (f) {
      case 'invoiceNumber':
        return inv.number;
      case 'customer':
        return inv.customer;
      case 'month':
        return inv.month;
      case 'user':
        return l.user;
      case 'expenseType':
        return layout.expenseWords?.[l.expenseType] ?? l.expenseType;
      case 'amount':
        return formatAmount(l.cents, inv.currency);
      case 'currency':
        return inv.currency;
      case 'items':
        return l.items;
      case 'partners':
        return inv.partners.join(' ');
    }
  };
  return toCsv(
    layout.columns.map((c) => c.header),
    inv.lines.map((l) => layout.columns.map((c) => value(l, c.field))),
    { delimiter: layout.delimiter, lineEnding: layout.lineEnding },
  );
}

// ---- the exact document a customer approves ----------------------------------------------------

/**
 * The invoice as shown to the approver, in a fixed shape: the server hashes its canonical JSON,
 * and a decision is only valid for the hash of the version the approver saw.
 */
export function invoiceDocument(inv: TuitionInvoice) {
  return {
    number: inv.number,
    customer: inv.customer,
    month: inv.month,
    currency: inv.currency,
    partners: [...inv.partners],
    lines: inv.lines.map((l) => ({ user: l.user, expenseType: l.expenseType, cents: l.cents, items: l.items, references: [...l.references] })),
    totalCents: inv.totalCents,
  };
}

// ---- sheets ------------------------------------------------------------------------------------

export function tuitionSheets(invoices: readonly TuitionInvoice[]): SheetSpec[] {
  const amount = (cents: number, currency: string) => centsToNumber(cents, currency);
  return [
    {
      name: 'Tuition Invoices',
      freezeHeader: true,
      columns: [
        { header: 'Invoice', type: 'id', width: 36 },
        { header: 'Customer', type: 'text', width: 28 },
        { header: 'Month', type: 'id', width: 9 },
        { header: 'Currency', type: 'id', width: 9 },
        { header: 'Lines', type: 'integer' },
        { header: 'Total', type: 'number', numberFormat: '#,##0.00', width: 14 },
      ],
      rows: invoices.map((i) => [i.number, i.customer, i.month, i.currency, i.lines.length, amount(i.totalCents, i.currency)]),
    },
    {
      name: 'Tuition Lines',
      freezeHeader: true,
      columns: [
        { header: 'Invoice', type: 'id', width: 36 },
        { header: 'Customer', type: 'text', width: 28 },
        { header: 'User', type: 'text', width: 28 },
        { header: 'Expense Type', type: 'id', width: 12 },
        { header: 'Items', type: 'integer' },
        { header: 'Amount', type: 'number', numberFormat: '#,##0.00', width: 14 },
        { header: 'Currency', type: 'id', width: 9 },
      ],
      rows: invoices.flatMap((i) => i.lines.map((l) => [i.number, i.customer, l.user, l.expenseType, l.items, amount(l.cents, i.currency), i.currency])),
    },
  ];
}
