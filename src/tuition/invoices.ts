/**
 * Monthly tuition invoices: one per customer, calendar month and currency (amounts in two
 * currencies are never added: they make two invoices), with a line per customer user and expense
 * type. Also the invoice's exact document (what the customer approves), invoices.csv, the
 * customer's CSV layout and the sheets for Excel.
 */
import { addCents, centsToNumber, formatAmount, sumCents } from '../kernel/money';
import { csvRow, toCsv, type CsvOptions } from '../kernel/csv';
import type { Cell } from '../kernel/table';
import type { SheetSpec } from '../workbook/sheet-spec';
import { ExpenseColumns, TextIds, type ExpenseLine } from './columns';
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

/** Non-negative integer keys → dense ids in insertion order (an open-addressing table: a Map of 350k numbers costs more). */
class KeyIds {
  private keys = new Float64Array(1 << 12).fill(-1);
  private ids = new Int32Array(1 << 12);
  size = 0;
  /** The key's id; a new key gets the next one (check `size` before and after to tell). */
  id(key: number): number {
    const mask = this.keys.length - 1;
    let slot = (Math.imul(key | 0, 0x9e3779b1) ^ ((key / 4294967296) | 0)) & mask;
    for (;;) {
      const k = this.keys[slot]!;
      if (k === key) return this.ids[slot]!;
      if (k < 0) break;
      slot = (slot + 1) & mask;
    }
    this.keys[slot] = key;
    this.ids[slot] = this.size++;
    if (this.size * 2 > this.keys.length) this.grow();
    return this.size - 1;
  }
  private grow(): void {
    const keys = this.keys;
    const ids = this.ids;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.ids = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i]! < 0) continue;
      let slot = (Math.imul(keys[i]! | 0, 0x9e3779b1) ^ ((keys[i]! / 4294967296) | 0)) & mask;
      while (this.keys[slot]! >= 0) slot = (slot + 1) & mask;
      this.keys[slot] = keys[i]!;
      this.ids[slot] = ids[i]!;
    }
  }
}

// The order of String.prototype.localeCompare (the default collator), without making one per call.
const collator = new Intl.Collator();
const compareText = (a: string, b: string) => (a === b ? 0 : collator.compare(a, b));

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
  const groupOf = new Map<number, number>();
  const groupCustomer: number[] = [];
  const groupCurrency: number[] = [];
  const groupPartners: Set<number>[] = [];
  const lineOf = new KeyIds();
  const lineGroup: number[] = [];
  const lineUser: number[] = [];
  const lineUserKey: number[] = [];
  const lineType: number[] = [];
  const lineCents: number[] = [];
  const lineItems: number[] = [];
  const userSeen = new KeyIds(); // (invoice, user key) → when first met
  const lineUserSeen: number[] = [];
  // references of a line as a chain through the expense lines: first, then next of each
  const firstRef: number[] = [];
  const lastRef: number[] = [];
  const nextRef = withReferences ? new Int32Array(c.count).fill(-1) : new Int32Array(0);
  const W = names.length + 1;
  for (let i = 0; i < c.count; i++) {
    if (!inMonth[c.date[i]!]) continue;
    const customer = c.customer[i]!;
    let ck = customerKeyOf[customer]!;
    if (ck < 0) ck = customerKeyOf[customer] = customerKeys.id(customerKey(names[customer]!));
    const currency = c.currency[i]!;
    const gk = ck * W + currency;
    let g = groupOf.get(gk);
    if (g === undefined) {
      g = groupCustomer.length;
      groupOf.set(gk, g);
      groupCustomer.push(customer);
      groupCurrency.push(currency);
      groupPartners.push(new Set());
    }
    groupPartners[g]!.add(c.partner[i]!);
    const user = c.user[i]!;
    let uk = userKeyOf[user]!;
    if (uk < 0) uk = userKeyOf[user] = userKeys.id(names[user]!.toLowerCase());
    const type = c.type[i]!;
    const lk = (g * W + uk) * EXPENSE_TYPES.length + type;
    const known = lineOf.size;
    const l = lineOf.id(lk);
    if (l < known) {
      lineCents[l] = addCents(lineCents[l]!, c.cents[i]!);
      lineItems[l]!++;
      if (withReferences) lastRef[l] = nextRef[lastRef[l]!] = i;
    } else {
      const uKey = g * W + uk;
      const seen = userSeen.id(uKey);
      lineGroup.push(g);
      lineUser.push(user);
      lineUserKey.push(uk);
      lineType.push(type);
      lineCents.push(c.cents[i]!);
      lineItems.push(1);
      lineUserSeen.push(seen);
      firstRef.push(i);
      lastRef.push(i);
    }
  }
  // The lines of each invoice, then ordered by user (the collator's order, ranked once per invoice), type, and when met.
  const linesOf: number[][] = groupCustomer.map(() => []);
  const rank = new Int32Array(userKeys.values.length);
  for (let l = 0; l < lineGroup.length; l++) linesOf[lineGroup[l]!]!.push(l);
  const out: TuitionInvoice[] = [];
  for (let g = 0; g < groupCustomer.length; g++) {
    const ids = linesOf[g]!;
    const users = [...new Set(ids.map((l) => lineUserKey[l]!))].sort((a, b) => compareText(userKeys.values[a]!, userKeys.values[b]!));
    users.forEach((u, k) => (rank[u] = k > 0 && compareText(userKeys.values[users[k - 1]!]!, userKeys.values[u]!) === 0 ? rank[users[k - 1]!]! : k));
    ids.sort((a, b) => rank[lineUserKey[a]!]! - rank[lineUserKey[b]!]! || lineType[a]! - lineType[b]! || lineUserSeen[a]! - lineUserSeen[b]! || a - b);
    const invLines: InvoiceLine[] = ids.map((l) => {
      const references: string[] = [];
      if (withReferences) for (let i = firstRef[l]!; i >= 0; i = nextRef[i]!) references.push(`${c.partners.values[c.partner[i]!]}:${c.references.text(c.reference[i]!)}`);
      return { user: names[lineUser[l]!]!, expenseType: EXPENSE_TYPES[lineType[l]!]!, cents: lineCents[l]!, items: lineItems[l]!, references: references.sort() };
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
  const eol = options.lineEnding ?? '\r\n';
  const d = options.delimiter ?? ',';
  const parts: string[] = [csvRow([...INVOICE_CSV_HEADER], options)];
  for (const inv of invoices) {
    // an invoice's own cells are the same on each of its lines: written once
    const before = csvRow([inv.customer, inv.month], options) + d;
    const after = d + csvRow([inv.currency], options);
    for (const l of inv.lines) parts.push(before + csvRow([l.user, l.expenseType, formatAmount(l.cents, inv.currency)], options) + after);
  }
  return (options.bom ? '\uFEFF' : '') + parts.join(eol) + eol;
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
