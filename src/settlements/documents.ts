/**
 * The documents contract between the settlement engine (src/settlements, builds them) and the
 * posting worker (server, sends them to Zoho Books). Stable: change only backward compatibly.
 *
 * A document = the envelope every Zoho document has (src/zoho/documents.ts: kind, key, look-up,
 * cents, order) + the exact Zoho Books v3 request body, field names as in the server's Zoho
 * request contract (server/zoho/contract.ts, which checks at compile time that these types stay
 * within it):
 * - invoice: `POST /invoices?ignore_auto_number_generation=true` body `create-an-invoice-request`
 * - payment: `POST /customerpayments` body `create-a-payment-request`
 * - journal: `POST /journals` body `create-a-journal-request`
 *
 * Amounts in bodies are decimal numbers (Zoho's type is `number`), produced from integer cents by
 * `centsToNumber` only at the very end; the envelope's `cents` carries the exact figure. Ids
 * (customer_id, item_id, account_id, invoice_id) are strings.
 *
 * Payments depend on invoices of the same batch whose Zoho ids are unknown when the engine builds
 * the payment: `body.invoices[i].invoice_id` is '' for those, and `applies[i]` (same order) names the
 * invoice's idempotency key. The worker calls `resolvePaymentBody(doc, idOf)` with its id map just
 * before sending. Invoices that already exist in Zoho (a known balance with an id) carry their id.
 */
import { centsToNumber } from '../kernel/money';
import type { DocumentKind, DocumentLookup, ZohoDocument } from '../zoho/documents';

export { DOCUMENT_ORDER, type DocumentKind, type DocumentLookup } from '../zoho/documents';

export interface ZohoInvoiceLineItem {
  item_id: string;
  /** Unit price in the invoice currency (decimal). */
  rate: number;
  quantity: number;
  description?: string;
}

/** `create-an-invoice-request` (the fields CloseDesk sets). Sent with query `ignore_auto_number_generation=true`. */
export interface ZohoInvoiceBody {
  customer_id: string;
  invoice_number: string;
  /** yyyy-mm-dd */
  date: string;
  /** The Amazon order id (per-order) or the settlement id (per-settlement). */
  reference_number?: string;
  line_items: ZohoInvoiceLineItem[];
  notes?: string;
  /** Only when the configuration gives the currency's Zoho id (multi-currency organisations). */
  currency_id?: string;
}

export interface ZohoPaymentInvoice {
  /** '' until the worker resolves it from `applies[i].idempotencyKey`. */
  invoice_id: string;
  amount_applied: number;
}

/** `create-a-payment-request` (the fields CloseDesk sets). */
export interface ZohoPaymentBody {
  customer_id: string;
  /** 'banktransfer' by default (configuration). */
  payment_mode: string;
  /** The cash received for the settlement's sales (may exceed Σ amount_applied when an invoice was already paid: the excess stays as customer credit). */
  amount: number;
  /** Deposit date, yyyy-mm-dd. */
  date: string;
  /** The settlement id (unique per payment; `-2`, `-3` … when one settlement pays several customers). */
  reference_number: string;
  description?: string;
  invoices: ZohoPaymentInvoice[];
  /** The clearing account the payment is deposited to. */
  account_id: string;
}

export interface ZohoJournalLine {
  account_id: string;
  debit_or_credit: 'debit' | 'credit';
  /** Positive decimal. */
  amount: number;
  description?: string;
}

/** `create-a-journal-request` (the fields CloseDesk sets). Debits equal credits to the cent. */
export interface ZohoJournalBody {
  journal_date: string;
  /** The settlement id (plus `-CUR` when a settlement carries several currencies). */
  reference_number: string;
  notes: string;
  line_items: ZohoJournalLine[];
  currency_id?: string;
}

/** One payment application, parallel to `body.invoices`. */
export interface PaymentApplication {
  /** Idempotency key of the invoice document (when the invoice already exists in Zoho, `body.invoices[i].invoice_id` is filled and wins). */
  idempotencyKey: string;
  invoice_number: string;
  /** Exact amount applied, integer cents. */
  amountAppliedCents: number;
}

/** The general envelope; idempotency keys are `${settlementId}:${kind}:${number}` (e.g. `11873355301:invoice:AMZN8191527`). */
interface EnvelopeBase extends ZohoDocument {
  lookup: DocumentLookup;
  /** Settlement file rows the document comes from (file name → row numbers). */
  sourceRows: { file: string; rows: number[] }[];
  settlementId: string;
}

export interface InvoiceDocument extends EnvelopeBase {
  kind: 'invoice';
  /** Query parameters to send with the create call. */
  query: { ignore_auto_number_generation: true };
  body: ZohoInvoiceBody;
}

export interface PaymentDocument extends EnvelopeBase {
  kind: 'payment';
  body: ZohoPaymentBody;
  applies: PaymentApplication[];
}

export interface JournalDocument extends EnvelopeBase {
  kind: 'journal';
  body: ZohoJournalBody;
}

export type SettlementDocument = InvoiceDocument | PaymentDocument | JournalDocument;

export function idempotencyKey(settlementId: string, kind: DocumentKind, number: string): string {
  return `${settlementId}:${kind}:${number}`;
}

export type ResolveResult<B> = { ok: true; body: B } | { ok: false; missing: string[] };

/**
 * Why a payment is not sent while invoices it applies to are not in Zoho, for its status cell: a few
 * of them named (a payment of a whole settlement applies to dozens), their rows hold why.
 */
export function paymentNotSentSentence(missing: readonly string[]): string {
  const many = missing.length > 1;
  const named = missing.length > 3 ? `${missing.slice(0, 3).join(', ')} and ${missing.length - 3} more` : missing.join(', ');
  return `Not sent: its invoice${many ? 's' : ''} ${named} ${many ? 'are' : 'is'} not in Zoho (see their rows).`;
}

/**
 * Fills the payment's invoice ids from the worker's id map (idempotency key → Zoho invoice id).
 * Returns the keys still unknown instead of sending a payment with a blank invoice id.
 */
export function resolvePaymentBody(doc: PaymentDocument, idOf: (idempotencyKey: string) => string | undefined): ResolveResult<ZohoPaymentBody> {
  const missing: string[] = [];
  const invoices = doc.body.invoices.map((inv, i) => {
    if (inv.invoice_id) return { ...inv };
    const key = doc.applies[i]?.idempotencyKey ?? '';
    const id = key ? idOf(key) : undefined;
    if (!id) missing.push(key || `invoice ${doc.applies[i]?.invoice_number ?? i}`);
    return { ...inv, invoice_id: id ?? '' };
  });
  if (missing.length) return { ok: false, missing };
  return { ok: true, body: { ...doc.body, invoices } };
}

/** Cents → the decimal number a Zoho body carries (display/transport only, never summed). */
export function zohoAmount(cents: number, currency: string): number {
  return centsToNumber(cents, currency);
}
