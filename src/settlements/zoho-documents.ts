/**
 * The built invoices, payments and journals as Zoho documents (documents.ts): the exact request
 * bodies, decimals made from cents only here, with the envelope each document needs to be posted
 * once (key, look-up, cents, dependencies, source rows).
 */
import type { BuildSettlementInput, KnownInvoice, SettlementBuild } from './build';
import {
  zohoAmount,
  type InvoiceDocument,
  type JournalDocument,
  type PaymentDocument,
  type SettlementDocument,
  type ZohoInvoiceLineItem,
  type ZohoJournalLine,
} from './documents';
import { lookupName } from './mapping';

function sourceRows(file: string, rows: number[]): { file: string; rows: number[] }[] {
  return [{ file, rows: [...new Set(rows)].sort((a, b) => a - b) }];
}

export function settlementDocuments(b: SettlementBuild, input: BuildSettlementInput): SettlementDocument[] {
  const { settlements, config } = input;
  const balances: ReadonlyMap<string, KnownInvoice> = input.balances;
  const docs: SettlementDocument[] = [];
  const fileOf = new Map(settlements.map((s) => [s.settlementId, s]));
  const currencyId = (c: string): string | undefined => (config.currencies ? lookupName(config.currencies, c) : undefined);
  for (const inv of b.invoices) {
    const line_items: ZohoInvoiceLineItem[] = inv.lines.map((l) => ({
      item_id: l.itemId,
      rate: zohoAmount(l.rateCents, inv.currency),
      quantity: l.quantity,
      description: l.kind === 'sku' ? `${l.what}${inv.orderId ? ` — order ${inv.orderId}` : ''}` : l.what,
    }));
    const cid = currencyId(inv.currency);
    const doc: InvoiceDocument = {
      kind: 'invoice',
      idempotencyKey: inv.key,
      settlementId: inv.settlementId,
      lookup: { invoice_number: inv.invoiceNumber },
      currency: inv.currency,
      cents: { total: inv.totalCents },
      sourceRows: sourceRows(inv.file, inv.lines.flatMap((l) => l.rows)),
      query: { ignore_auto_number_generation: true },
      body: {
        customer_id: inv.customerId,
        invoice_number: inv.invoiceNumber,
        date: inv.date,
        reference_number: inv.orderId || inv.settlementId,
        line_items,
        notes: `Amazon settlement ${inv.settlementId}`,
        ...(cid ? { currency_id: cid } : {}),
      },
    };
    docs.push(doc);
  }
  const invoiceByKey = new Map(b.invoices.map((i) => [i.key, i]));
  for (const p of b.payments) {
    if (p.skipped) continue;
    const applied = p.applications.filter((a) => a.appliedCents > 0);
    const s = fileOf.get(p.settlementId);
    const doc: PaymentDocument = {
      kind: 'payment',
      idempotencyKey: p.key,
      settlementId: p.settlementId,
      lookup: { reference_number: p.referenceNumber },
      currency: p.currency,
      cents: { total: p.amountCents },
      // Invoices already in Zoho carry their id; the worker resolves the others from its id map.
      dependsOn: applied.filter((a) => !balances.get(a.invoiceNumber)?.invoiceId).map((a) => a.invoiceKey),
      sourceRows: s ? sourceRows(s.file, applied.flatMap((a) => invoiceByKey.get(a.invoiceKey)?.lines.flatMap((l) => l.rows) ?? [])) : [],
      applies: applied.map((a) => ({ idempotencyKey: a.invoiceKey, invoice_number: a.invoiceNumber, amountAppliedCents: a.appliedCents })),
      body: {
        customer_id: p.customerId,
        payment_mode: config.paymentMode,
        amount: zohoAmount(p.amountCents, p.currency),
        date: p.date,
        reference_number: p.referenceNumber,
        description: `Amazon settlement ${p.settlementId} (${p.marketplace})`,
        invoices: applied.map((a) => ({ invoice_id: balances.get(a.invoiceNumber)?.invoiceId ?? '', amount_applied: zohoAmount(a.appliedCents, p.currency) })),
        account_id: lookupName(config.accounts, config.clearingAccount) ?? '',
      },
    };
    docs.push(doc);
  }
  for (const j of b.journals) {
    const s = fileOf.get(j.settlementId);
    const line_items: ZohoJournalLine[] = j.lines.map((l) => ({
      account_id: l.accountId,
      debit_or_credit: l.creditCents > 0 ? 'credit' : 'debit',
      amount: zohoAmount(Math.abs(l.creditCents), j.currency),
      description: l.description,
    }));
    const cid = currencyId(j.currency);
    const doc: JournalDocument = {
      kind: 'journal',
      idempotencyKey: j.key,
      settlementId: j.settlementId,
      lookup: { reference_number: j.referenceNumber },
      currency: j.currency,
      cents: { total: j.debitCents },
      sourceRows: s ? [{ file: s.file, rows: [s.summaryRow] }] : [],
      body: { journal_date: j.date, reference_number: j.referenceNumber, notes: `Amazon settlement ${j.settlementId}: fees, reserves, reimbursements, deposit and clearing`, line_items, ...(cid ? { currency_id: cid } : {}) },
    };
    docs.push(doc);
  }
  return docs;
}
