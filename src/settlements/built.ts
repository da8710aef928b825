/**
 * The plain results of a settlements build (build.ts): invoices, payments, journals and the
 * reconciliation per settlement, in cents. The sheets and the Zoho documents are made from these.
 */
import type { SettlementDocument } from './documents';
import type { Problem } from '../kernel/problems';

export type InvoiceMode = 'per-order' | 'per-settlement';

/** What Zoho already holds for an invoice number (from a look-up before building the payment). */
export interface KnownInvoice {
  invoiceId: string;
  balanceCents: number;
}

export interface BuildOptions {
  invoiceMode?: InvoiceMode;
  /** invoice_number → the invoice's id and balance in Zoho; invoices not listed are new (balance = total). */
  balances?: ReadonlyMap<string, KnownInvoice>;
}

export interface InvoiceLine {
  /** SKU, or the charge name for tax/shipping lines. */
  what: string;
  kind: 'sku' | 'charge';
  itemId: string;
  quantity: number;
  rateCents: number;
  cents: number;
  rows: number[];
}

export interface BuiltInvoice {
  key: string;
  settlementId: string;
  file: string;
  invoiceNumber: string;
  /** Amazon order id (per-order) or '' (per-settlement). */
  orderId: string;
  date: string;
  marketplace: string;
  customerId: string;
  currency: string;
  lines: InvoiceLine[];
  totalCents: number;
}

export interface BuiltApplication {
  invoiceNumber: string;
  invoiceKey: string;
  invoiceCents: number;
  knownBalanceCents: number | null;
  appliedCents: number;
  note: string;
}

export interface BuiltPayment {
  key: string;
  settlementId: string;
  referenceNumber: string;
  date: string;
  marketplace: string;
  customerId: string;
  currency: string;
  amountCents: number;
  applications: BuiltApplication[];
  /** Why no payment document is built (every invoice already paid); absent when it is. */
  skipped?: string;
}

export interface BuiltJournalLine {
  account: string;
  accountId: string;
  /** Positive = credit, negative = debit (settlement sign: money to the seller is a credit to the account). */
  creditCents: number;
  description: string;
  rows: number;
}

export interface BuiltJournal {
  key: string;
  settlementId: string;
  referenceNumber: string;
  date: string;
  currency: string;
  lines: BuiltJournalLine[];
  debitCents: number;
  creditCents: number;
}

export interface SettlementReconciliation {
  settlementId: string;
  file: string;
  currency: string;
  depositDate: string;
  totalCents: number;
  detailCents: number;
  /** Σ invoice totals (the sales). */
  invoicedCents: number;
  /** Σ payment amounts. */
  paymentCents: number;
  /** Σ amount_applied (less than the payment when an invoice was already paid). */
  appliedCents: number;
  /** Σ mapped non-sale amounts booked by the journal. */
  journalItemsCents: number;
  /** Σ amounts with no mapping (never dropped; they keep the clearing account from reaching zero). */
  unmappedCents: number;
  /** Net deposit moved to the bank by the journal. */
  bankCents: number;
  /** Payments into clearing minus the journal's clearing line. */
  clearingCents: number;
  balanced: boolean;
  status: string;
}

export interface SettlementBuild {
  invoices: BuiltInvoice[];
  payments: BuiltPayment[];
  journals: BuiltJournal[];
  reconciliation: SettlementReconciliation[];
  documents: SettlementDocument[];
  problems: Problem[];
}
