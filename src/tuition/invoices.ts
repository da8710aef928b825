/**
 * Monthly tuition invoices: one per customer, calendar month and currency (amounts in two
 * currencies are never added: they make two invoices), with a line per customer user and expense
 * type. Also the invoice's exact document (what the customer approves), invoices.csv, the
 * customer's CSV layout and the sheets for Excel.
 */
import { centsToNumber, formatAmount } from '../kernel/money';
import { csvCell, csvRow, toCsv, type CsvOptions } from '../kernel/csv';
import type { Cell } from '../kernel/table';
import type { SheetSpec } from '../workbook/sheet-spec';
import { ExpenseColumns, type ExpenseLine } from './columns';
import { buildInvoiceTable, INVOICE_CSV_HEADER, type InvoiceTable } from './invoice-table';
import { EXPENSE_TYPES, type ExpenseType } from './profiles';

export { compareText, customerKey, invoiceNumber } from './invoice-keys';
export { buildInvoiceTable, INVOICE_CSV_HEADER, invoiceTableCsv, invoiceTableCsvViews, type InvoiceHead, type InvoiceTable } from './invoice-table';

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

/** Groups lines of one month into invoices; lines of other months are expected to be filtered (they are problems). */
export function buildTuitionInvoices(lines: readonly ExpenseLine[], month: string): TuitionInvoice[] {
  return buildTuitionInvoicesFromColumns(ExpenseColumns.fromLines(lines), month);
}

/**
 * The same invoices from lines held as columns (./invoice-table.ts groups them by integer ids).
 * `references: false` leaves each line's references out (invoices.csv does not show them).
 */
export function buildTuitionInvoicesFromColumns(c: ExpenseColumns, month: string, options: { references?: boolean } = {}): TuitionInvoice[] {
  return invoicesOfTable(buildInvoiceTable(c, month, options));
}

/** A table's invoices as objects. */
export function invoicesOfTable(t: InvoiceTable): TuitionInvoice[] {
  return t.invoices.map((h) => ({
    number: h.number,
    customer: h.customer,
    month: h.month,
    currency: h.currency,
    partners: h.partners,
    lines: Array.from(t.line.subarray(h.from, h.to), (l) => ({ user: t.names[t.user[l]!]!, expenseType: EXPENSE_TYPES[t.type[l]!]!, cents: t.cents[l]!, items: t.items[l]!, references: t.references(l) })),
    totalCents: h.totalCents,
  }));
}

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
