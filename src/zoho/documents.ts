/**
 * Zoho Books documents as every job that posts there builds them (settlements, tuition): an envelope
 * around the exact request body, the order the kinds are sent in, how a document is found again,
 * which duplicate guard Zoho itself offers for each kind, and amounts compared in integer cents.
 *
 * Field names are Zoho Books v3's: invoices are created with `POST /invoices` and the query
 * `ignore_auto_number_generation=true` (our invoice number), payments with `POST /customerpayments`,
 * journals with `POST /journals`. Amounts in bodies are decimals made from cents at the very end;
 * the envelope's `cents` carries the exact figure. Ids are strings.
 */
import { formatAmount, parseAmount } from '../kernel/money';

export type DocumentKind = 'invoice' | 'payment' | 'journal';

/** The order documents are sent in: a payment names its invoices' Zoho ids; journals come last. */
export const DOCUMENT_ORDER: readonly DocumentKind[] = ['invoice', 'payment', 'journal'];

export function documentRank(kind: DocumentKind): number {
  return DOCUMENT_ORDER.indexOf(kind);
}

export function isDocumentKind(v: unknown): v is DocumentKind {
  return typeof v === 'string' && (DOCUMENT_ORDER as readonly string[]).includes(v);
}

export interface DocumentLookup {
  /** Invoices: search `GET /invoices?invoice_number=`. */
  invoice_number?: string;
  /** Payments and journals: search by `reference_number=`. */
  reference_number?: string;
}

/** What the poster needs of any document, whichever job built it. */
export interface ZohoDocument {
  kind: DocumentKind;
  /** Stable across runs; the id map and the batch item are keyed by it. */
  idempotencyKey: string;
  /** How to find the document in Zoho after an unknown outcome, before any retry. */
  lookup: DocumentLookup;
  /** ISO 4217 currency of the amounts. */
  currency: string;
  /** Exact total in integer cents (invoice total, payment amount, journal debits). */
  cents: { total: number };
  /** Query parameters of the create call (invoices: our own number). */
  query?: Record<string, string | number | boolean>;
  /** The Zoho request body, sent as is. */
  body: object;
  /** Idempotency keys this document needs posted first (a payment: its invoices). */
  dependsOn?: string[];
}

/**
 * How Zoho itself stops a second copy of a document of this kind when a retry follows a write whose
 * outcome is unknown (a timeout, a 5xx, a dropped connection, a crash):
 * - `unique-number`: invoices carry our invoice number (`ignore_auto_number_generation=true`) and
 *   Zoho refuses a second invoice with it (code 1001), so a retry can never create a second one;
 *   the look-up may run at once.
 * - `none`: the create requests of payments and journals take no number or key that Zoho keeps
 *   unique (a journal's entry number is Zoho's own; a payment's upsert needs a custom field the
 *   organisation configured as unique). The look-up must wait until the earlier request can no
 *   longer land: its hard deadline plus a margin.
 */
export type DuplicateGuard = 'unique-number' | 'none';

export const DUPLICATE_GUARD: Readonly<Record<DocumentKind, DuplicateGuard>> = {
  invoice: 'unique-number',
  payment: 'none',
  journal: 'none',
};

/** The field and value a document is found by in Zoho (and counted by in the census). */
export function lookupKey(doc: Pick<ZohoDocument, 'kind' | 'lookup' | 'body'>): { field: 'invoice_number' | 'reference_number'; value: string } {
  const body = doc.body as { invoice_number?: unknown; reference_number?: unknown };
  if (doc.kind === 'invoice') return { field: 'invoice_number', value: String(doc.lookup.invoice_number ?? body.invoice_number ?? '') };
  return { field: 'reference_number', value: String(doc.lookup.reference_number ?? body.reference_number ?? '') };
}

/** A voided copy (an invoice's status `void`) is no longer held: it counts for nothing. */
export function isVoided(entity: Record<string, unknown>): boolean {
  return entity.status === 'void';
}

/** The document's date as Zoho files it (an invoice's or payment's `date`, a journal's `journal_date`). */
export function documentDate(doc: Pick<ZohoDocument, 'kind' | 'body'>): string | undefined {
  const body = doc.body as { date?: unknown; journal_date?: unknown };
  const d = doc.kind === 'journal' ? body.journal_date : body.date;
  return typeof d === 'string' && d ? d : undefined;
}

/** The customer a payment belongs to (payments are looked up by reference within one customer). */
export function customerOf(doc: Pick<ZohoDocument, 'body'>): string | undefined {
  const id = (doc.body as { customer_id?: unknown }).customer_id;
  return id === undefined || id === null || id === '' ? undefined : String(id);
}

/** Zoho's amount field for a kind: a payment's `amount`, an invoice's or journal's `total`. */
export function amountField(kind: DocumentKind): 'amount' | 'total' {
  return kind === 'payment' ? 'amount' : 'total';
}

/**
 * A decimal amount as Zoho shows it (number or text) → integer cents, exactly; undefined when it is
 * absent or not an amount in the currency's minor units.
 */
export function zohoCents(value: unknown, currency: string): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  const r = parseAmount(value, { currency });
  return r.ok ? r.cents : undefined;
}

export type AmountCheck = { ok: true; zohoCents: number } | { ok: false; zohoCents: number | null; message: string };

/**
 * Whether Zoho's copy carries the amount we meant to post, compared in cents. A copy without a
 * readable amount is not a match: adopting it would be a guess.
 */
export function compareAmount(doc: Pick<ZohoDocument, 'kind' | 'currency' | 'cents'>, entity: Record<string, unknown>, name: string): AmountCheck {
  const field = amountField(doc.kind);
  const have = zohoCents(entity[field], doc.currency);
  const want = doc.cents.total;
  if (have === want) return { ok: true, zohoCents: have };
  const shown = (c: number) => formatAmount(c, doc.currency);
  if (have === undefined) {
    return { ok: false, zohoCents: null, message: `Zoho's ${doc.kind} ${name} shows no readable ${field} (${JSON.stringify(entity[field] ?? null)}); this document is for ${shown(want)} ${doc.currency}.` };
  }
  return { ok: false, zohoCents: have, message: `Zoho's ${doc.kind} ${name} is for ${shown(have)} ${doc.currency}, this document for ${shown(want)} ${doc.currency}.` };
}
