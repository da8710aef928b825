/**
 * The settlement job's sheets: `Invoices`, `Payments`, `Journals`, `Reconciliation` and
 * `Settlement Problems`, as SheetSpecs any WorkbookPort (Excel, preview, CLI files) writes.
 * Every document row carries its idempotency KEY so a posting status can be written back per row
 * (`withPostingStatus`).
 */
import { PROBLEM_COLUMNS, problemRows, type Problem } from '../kernel/problems';
import { centsToNumber, minorUnitDigits } from '../kernel/money';
import type { Cell } from '../kernel/table';
import type { SheetColumn, SheetSpec } from '../workbook/sheet-spec';
import type { SettlementBuild } from './build';

export const SETTLEMENT_SHEETS = {
  invoices: 'Invoices',
  payments: 'Payments',
  journals: 'Journals',
  reconciliation: 'Reconciliation',
  problems: 'Settlement Problems',
} as const;

/**
 * Money columns hold cents in the column currency's minor unit. When a run mixes currencies with
 * different minor units (USD and JPY), amounts are written as decimal numbers instead, per row.
 */
function moneyStyle(currencies: readonly string[]): { column: (header: string) => SheetColumn; cell: (cents: number | null, currency: string) => Cell } {
  const digits = new Set(currencies.map((c) => minorUnitDigits(c)));
  if (digits.size <= 1) {
    const currency = currencies[0] ?? 'USD';
    return { column: (header) => ({ header, type: 'money', currency }), cell: (cents) => cents };
  }
  return {
    column: (header) => ({ header, type: 'number', numberFormat: '#,##0.###' }),
    cell: (cents, currency) => (cents === null ? null : centsToNumber(cents, currency)),
  };
}

export function buildSettlementSheets(b: SettlementBuild, problems: readonly Problem[] = b.problems): SheetSpec[] {
  const currencies = [...new Set([...b.reconciliation.map((r) => r.currency), ...b.invoices.map((i) => i.currency)])];
  const m = moneyStyle(currencies);
  const id = (header: string, width?: number): SheetColumn => ({ header, type: 'id', ...(width ? { width } : {}) });
  const text = (header: string, width?: number): SheetColumn => ({ header, type: 'text', ...(width ? { width } : {}) });

  const invoices: SheetSpec = {
    name: SETTLEMENT_SHEETS.invoices,
    freezeHeader: true,
    columns: [
      id('SETTLEMENT_ID'), id('INVOICE_NUMBER'), id('ORDER_ID'), { header: 'DATE', type: 'date' }, text('MARKETPLACE'), id('CUSTOMER_ID'),
      text('ITEM', 18), id('ITEM_ID'), { header: 'QUANTITY', type: 'integer' }, m.column('RATE'), m.column('AMOUNT'), m.column('INVOICE_TOTAL'),
      text('CURRENCY', 9), text('SOURCE_ROWS', 18), id('KEY', 36),
    ],
    rows: b.invoices.flatMap((inv) =>
      inv.lines.map((l, i) => [
        inv.settlementId, inv.invoiceNumber, inv.orderId, inv.date, inv.marketplace, inv.customerId,
        l.what, l.itemId, l.quantity, m.cell(l.rateCents, inv.currency), m.cell(l.cents, inv.currency), i === 0 ? m.cell(inv.totalCents, inv.currency) : null,
        inv.currency, rowsText(l.rows), inv.key,
      ]),
    ),
  };

  const payments: SheetSpec = {
    name: SETTLEMENT_SHEETS.payments,
    freezeHeader: true,
    columns: [
      id('SETTLEMENT_ID'), id('REFERENCE_NUMBER'), { header: 'DATE', type: 'date' }, text('MARKETPLACE'), id('CUSTOMER_ID'), m.column('PAYMENT_AMOUNT'),
      id('INVOICE_NUMBER'), m.column('INVOICE_TOTAL'), m.column('KNOWN_BALANCE'), m.column('AMOUNT_APPLIED'), text('CURRENCY', 9), text('NOTE', 40), id('KEY', 36),
    ],
    rows: b.payments.flatMap((p) => {
      const head = [p.settlementId, p.referenceNumber, p.date, p.marketplace, p.customerId, m.cell(p.amountCents, p.currency)];
      if (!p.applications.length) return [[...head, '', null, null, null, p.currency, 'No invoices to apply.', p.key]];
      return p.applications.map((a) => [
        ...head, a.invoiceNumber, m.cell(a.invoiceCents, p.currency), m.cell(a.knownBalanceCents, p.currency), m.cell(a.appliedCents, p.currency), p.currency,
        [a.note, p.skipped].filter(Boolean).join(' '), p.skipped ? '' : p.key,
      ]);
    }),
  };

  const journals: SheetSpec = {
    name: SETTLEMENT_SHEETS.journals,
    freezeHeader: true,
    columns: [
      id('SETTLEMENT_ID'), id('REFERENCE_NUMBER'), { header: 'DATE', type: 'date' }, text('ACCOUNT', 24), id('ACCOUNT_ID'), m.column('DEBIT'), m.column('CREDIT'),
      text('CURRENCY', 9), text('DESCRIPTION', 50), { header: 'ROWS', type: 'integer' }, id('KEY', 36),
    ],
    rows: b.journals.flatMap((j) =>
      j.lines.map((l) => [
        j.settlementId, j.referenceNumber, j.date, l.account, l.accountId,
        l.creditCents < 0 ? m.cell(-l.creditCents, j.currency) : null, l.creditCents > 0 ? m.cell(l.creditCents, j.currency) : null,
        j.currency, l.description, l.rows, j.key,
      ]),
    ),
  };

  const reconciliation: SheetSpec = {
    name: SETTLEMENT_SHEETS.reconciliation,
    freezeHeader: true,
    columns: [
      id('SETTLEMENT_ID'), text('FILE', 28), text('CURRENCY', 9), { header: 'DEPOSIT_DATE', type: 'date' }, m.column('TOTAL_AMOUNT'), m.column('DETAIL_SUM'),
      m.column('INVOICED'), m.column('PAYMENTS'), m.column('APPLIED'), m.column('JOURNAL_ITEMS'), m.column('UNMAPPED'), m.column('BANK_DEPOSIT'),
      m.column('CLEARING_BALANCE'), { header: 'BALANCED', type: 'boolean' }, text('STATUS', 60),
    ],
    rows: b.reconciliation.map((r) => [
      r.settlementId, r.file, r.currency, r.depositDate, m.cell(r.totalCents, r.currency), m.cell(r.detailCents, r.currency), m.cell(r.invoicedCents, r.currency),
      m.cell(r.paymentCents, r.currency), m.cell(r.appliedCents, r.currency), m.cell(r.journalItemsCents, r.currency), m.cell(r.unmappedCents, r.currency),
      m.cell(r.bankCents, r.currency), m.cell(r.clearingCents, r.currency), r.balanced, r.status,
    ]),
  };

  const problemsSheet: SheetSpec = {
    name: SETTLEMENT_SHEETS.problems,
    freezeHeader: true,
    columns: PROBLEM_COLUMNS.map((h) => (h === 'ROW' ? { header: h, type: 'integer' } : { header: h, type: 'text', ...(h === 'MESSAGE' ? { width: 80 } : {}) })) as SheetColumn[],
    rows: problemRows(problems),
  };

  return [invoices, payments, journals, reconciliation, problemsSheet];
}

/** "3-5, 9" from [3, 4, 5, 9]: source rows compactly. */
export function rowsText(rows: readonly number[]): string {
  const sorted = [...new Set(rows)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** A sheet's columns once a posting status is written into it: its own, and STATUS last unless it has one. */
function withStatusColumn(columns: SheetColumn[]): SheetColumn[] {
  return columns.some((c) => c.header === 'STATUS') ? columns : [...columns, { header: 'STATUS', type: 'text', width: 40 }];
}

/**
 * The sheet with a STATUS column filled from the posting results (idempotency key → the Zoho id,
 * or Zoho's code and message), for writing back after a batch was posted.
 */
export function withPostingStatus(spec: SheetSpec, statusByKey: ReadonlyMap<string, string>): SheetSpec {
  const keyAt = spec.columns.findIndex((c) => c.header === 'KEY');
  if (keyAt < 0) return spec;
  const columns = withStatusColumn(spec.columns);
  const at = columns.findIndex((c) => c.header === 'STATUS');
  const rows = spec.rows.map((r) => {
    const out = r.slice();
    while (out.length < columns.length) out.push(null);
    out[at] = statusByKey.get(String(r[keyAt] ?? '')) ?? out[at] ?? null;
    return out;
  });
  return { ...spec, columns, rows };
}

/** A posted document's result as the pane lists it (the server's item status). */
export interface PostedItem {
  idempotencyKey: string;
  kind: string;
  state: string;
  status: string;
  /** Zoho's code when Zoho refused or failed. */
  code: number | null;
  /** Closed without posting with the rest of its batch: it asks nothing more. */
  closed?: boolean;
}

/**
 * The documents of a posting that ask for a person — failed, or sent without Zoho confirming them
 * (`needs_review`), and not closed without posting — as problems at their STATUS cell, found by
 * their KEY in the sheets they were posted from, so the pane lists them as it lists any problem:
 * grouped by what happened, and a click shows the row. A failure is red, a document to check in
 * Zoho amber. A key no sheet holds any more (the sheets were rebuilt) is placed on its kind's sheet
 * without a row. With them, the headers of those sheets once their STATUS is written, which place
 * the problems' column.
 */
export function postingAttention(sheets: readonly SheetSpec[], items: readonly PostedItem[]): { problems: Problem[]; headers: Record<string, string[]> } {
  const rowOfKey = new Map<string, { sheet: string; row: number }>();
  const headers: Record<string, string[]> = {};
  for (const s of sheets) {
    const keyAt = s.columns.findIndex((c) => c.header === 'KEY');
    if (keyAt < 0) continue;
    headers[s.name] = withStatusColumn(s.columns).map((c) => c.header);
    // the sheet's header sits under its preamble; data rows follow it
    const first = (s.preamble?.length ?? 0) + 2;
    // an invoice's lines share its key: the document's row is its first
    s.rows.forEach((r, i) => {
      const key = String(r[keyAt] ?? '');
      if (key && !rowOfKey.has(key)) rowOfKey.set(key, { sheet: s.name, row: first + i });
    });
  }
  const sheetOfKind: Record<string, string> = { invoice: SETTLEMENT_SHEETS.invoices, payment: SETTLEMENT_SHEETS.payments, journal: SETTLEMENT_SHEETS.journals };
  const problems: Problem[] = [];
  for (const item of items) {
    if ((item.state !== 'failed' && item.state !== 'needs_review') || item.closed) continue;
    const at = rowOfKey.get(item.idempotencyKey);
    problems.push({
      severity: item.state === 'failed' ? 'blocking' : 'warning',
      source: at?.sheet ?? sheetOfKind[item.kind] ?? SETTLEMENT_SHEETS.invoices,
      ...(at ? { row: at.row, column: 'STATUS' } : {}),
      value: item.idempotencyKey,
      message: at ? item.status : `${item.status} (its row is no longer in the sheet)`,
      // Zoho's refusals grouped by its code ("Zoho error 1001" when their sentences differ), other
      // failures by their sentence (a code kept from an earlier answer is not what this one says), the unsure in one group
      ...(item.state === 'needs_review'
        ? { code: 'to-check-in-zoho', kind: 'To check in Zoho: sent without Zoho confirming them' }
        : item.code !== null && item.status.startsWith(`Zoho ${item.code}:`)
          ? { code: `zoho-error-${item.code}` }
          : {}),
    });
  }
  return { problems, headers };
}
