/**
 * Monthly tuition invoices: one per customer, calendar month and currency (amounts in two
 * currencies are never added: they make two invoices), with a line per customer user and expense
 * type. Also the invoice's exact document (what the customer approves), invoices.csv, the
 * customer's CSV layout and the sheets for Excel.
 */
import { addCents, centsToNumber, formatAmount, sumCents } from '../kernel/money';
import { toCsv, type CsvOptions } from '../kernel/csv';
import type { Cell } from '../kernel/table';
import type { SheetSpec } from '../workbook/sheet-spec';
import type { ExpenseLine } from './lines';
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

const typeOrder = (t: ExpenseType) => EXPENSE_TYPES.indexOf(t);

/** Groups lines of one month into invoices; lines of other months are expected to be filtered (they are problems). */
export function buildTuitionInvoices(lines: readonly ExpenseLine[], month: string): TuitionInvoice[] {
  type Group = { customer: string; currency: string; partners: Set<string>; byLine: Map<string, Map<ExpenseType, InvoiceLine>> };
  // Nested maps keyed by the lines' own (shared) strings: no key string is built per line.
  const groups = new Map<string, Map<string, Group>>();
  const keys = new Map<string, string>();
  const lower = new Map<string, string>();
  for (const l of lines) {
    if (!l.date.startsWith(month)) continue;
    let ck = keys.get(l.customer);
    if (ck === undefined) keys.set(l.customer, (ck = customerKey(l.customer)));
    let byCurrency = groups.get(ck);
    if (!byCurrency) groups.set(ck, (byCurrency = new Map()));
    let g = byCurrency.get(l.currency);
    if (!g) byCurrency.set(l.currency, (g = { customer: l.customer, currency: l.currency, partners: new Set(), byLine: new Map() }));
    g.partners.add(l.partner);
    let uk = lower.get(l.user);
    if (uk === undefined) lower.set(l.user, (uk = l.user.toLowerCase()));
    let byType = g.byLine.get(uk);
    if (!byType) g.byLine.set(uk, (byType = new Map()));
    const il = byType.get(l.expenseType);
    const ref = `${l.partner}:${l.reference}`;
    if (il) {
      il.cents = addCents(il.cents, l.cents);
      il.items++;
      il.references.push(ref);
    } else byType.set(l.expenseType, { user: l.user, expenseType: l.expenseType, cents: l.cents, items: 1, references: [ref] });
  }
  const out: TuitionInvoice[] = [];
  for (const g of [...groups.values()].flatMap((m) => [...m.values()])) {
    const invLines = [...g.byLine.values()].flatMap((m) => [...m.values()]).sort(
      (a, b) => a.user.toLowerCase().localeCompare(b.user.toLowerCase()) || typeOrder(a.expenseType) - typeOrder(b.expenseType),
    );
    for (const l of invLines) l.references.sort();
    out.push({
      number: invoiceNumber(g.customer, month, g.currency),
      customer: g.customer,
      month,
      currency: g.currency,
      partners: [...g.partners].sort(),
      lines: invLines,
      totalCents: sumCents(invLines.map((l) => l.cents)),
    });
  }
  return out.sort((a, b) => a.customer.toLowerCase().localeCompare(b.customer.toLowerCase()) || a.currency.localeCompare(b.currency));
}

export const INVOICE_CSV_HEADER = ['Customer', 'Month', 'User', 'Expense Type', 'Amount', 'Currency'] as const;

/** invoices.csv: a row per invoice line (customer, month, user, expense type, amount, currency). */
export function invoicesCsv(invoices: readonly TuitionInvoice[], options: CsvOptions = {}): string {
  const rows: Cell[][] = [];
  for (const inv of invoices) for (const l of inv.lines) rows.push([inv.customer, inv.month, l.user, l.expenseType, formatAmount(l.cents, inv.currency), inv.currency]);
  return toCsv([...INVOICE_CSV_HEADER], rows, options);
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
