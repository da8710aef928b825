/**
 * The one Zoho poster every job uses (settlement batches, tuition invoices): find a document again
 * by its number or reference, create it once, adopt an existing invoice on Zoho's 1001, and compare
 * amounts in integer cents (src/zoho/documents.ts). It decides nothing about retries or pauses: a
 * ZohoError it does not handle goes to the caller, whose state machine knows what was sent.
 */
import type { Holding } from '../../src/zoho/census';
import { compareAmount, customerOf, documentDate, isVoided, lookupKey, type DocumentKind, type ZohoDocument } from '../../src/zoho/documents';
import type { SendOptions, ZohoClient, ZohoResponse } from './client';
import type { BodyOf, QueryOf } from './contract';
import { ZohoError } from './errors';

interface Endpoint {
  /** Key of the entity in a create/get answer. */
  entity: string;
  id: string;
  number: string;
}

const ENDPOINTS: Readonly<Record<DocumentKind, Endpoint>> = {
  invoice: { entity: 'invoice', id: 'invoice_id', number: 'invoice_number' },
  payment: { entity: 'payment', id: 'payment_id', number: 'payment_number' },
  journal: { entity: 'journal', id: 'journal_id', number: 'entry_number' },
};

export interface Found {
  zohoId: string;
  /** Zoho's number: the invoice number, payment number or journal entry number. */
  number: string | null;
  entity: Record<string, unknown>;
}

export interface Posted {
  state: 'posted';
  found: Found;
  /** True when the document existed already (1001, or found by the look-up before sending). */
  adopted: boolean;
  note?: string;
}

export interface Review {
  state: 'review';
  message: string;
  /** Zoho's code that led here (1001 for an existing invoice with another amount). */
  code?: number;
  /** What a person needs to decide: the copies Zoho holds, with their ids and amounts. */
  evidence: Record<string, unknown>;
}

function toFound(kind: DocumentKind, e: Record<string, unknown>): Found {
  const ep = ENDPOINTS[kind];
  const n = e[ep.number];
  return { zohoId: String(e[ep.id]), number: n === undefined || n === null ? null : String(n), entity: e };
}

type Entity = Record<string, unknown>;

/** Zoho's list of a kind, filtered by number or reference (and customer), or by date (the census). */
interface ListBy {
  number?: string;
  reference?: string;
  customer?: string;
  /** Payments and journals: on this date. */
  date?: string;
  /** Invoices: from this date to `until` (yyyy-mm-dd), both included. */
  from?: string;
  until?: string;
}

/** Zoho's list of a kind, filtered by number or reference (and customer), or by date (the census). */
function listOf(client: ZohoClient, kind: DocumentKind, by: ListBy): Promise<Entity[]> {
  switch (kind) {
    case 'invoice':
      return client.listAll<Entity>('/invoices', 'invoices', { invoice_number: by.number, date_start: by.from, date_end: by.until });
    case 'payment':
      return client.listAll<Entity>('/customerpayments', 'customerpayments', { reference_number: by.reference, customer_id: by.customer, date: by.date });
    case 'journal':
      return client.listAll<Entity>('/journals', 'journals', { reference_number: by.reference, date: by.date });
  }
}

/** Every copy Zoho holds of the document (by invoice number; by reference, and customer for payments). */
export async function lookupDocument(client: ZohoClient, doc: ZohoDocument): Promise<Found[]> {
  const key = lookupKey(doc);
  const customer = doc.kind === 'payment' ? customerOf(doc) : undefined;
  const listed = await listOf(client, doc.kind, doc.kind === 'invoice' ? { number: key.value } : { reference: key.value, customer });
  // Zoho's search may match more loosely than equality: keep exact matches only; a voided copy is not held.
  return listed.filter((e) => String(e[key.field] ?? '') === key.value && (!customer || String(e.customer_id ?? '') === customer) && !isVoided(e)).map((e) => toFound(doc.kind, e));
}

function describe(doc: ZohoDocument): string {
  const key = lookupKey(doc);
  return `${key.field.replace('_', ' ')} ${key.value}`;
}

function copiesEvidence(doc: ZohoDocument, copies: readonly Found[]): Record<string, unknown> {
  return {
    expectedCents: doc.cents.total,
    currency: doc.currency,
    copies: copies.map((c) => ({ zohoId: c.zohoId, number: c.number, cents: compareAmount(doc, c.entity, c.zohoId).zohoCents })),
  };
}

/** A copy found in Zoho is ours only when its amount is ours, to the cent. */
function adopt(doc: ZohoDocument, found: Found, note: string, refused?: { prefix: string; code: number }): Posted | Review {
  const check = compareAmount(doc, found.entity, found.number ?? found.zohoId);
  if (!check.ok) return { state: 'review', message: `${refused?.prefix ?? ''}${check.message}`, evidence: copiesEvidence(doc, [found]), ...(refused ? { code: refused.code } : {}) };
  return { state: 'posted', found, adopted: true, note };
}

/**
 * Looks the document up after an outcome we do not know: posted (one copy, our amount), review
 * (several copies, or another amount), or undefined when Zoho holds none.
 */
export async function findPosted(client: ZohoClient, doc: ZohoDocument, note = 'found in Zoho by look-up after an interrupted call'): Promise<Posted | Review | undefined> {
  const copies = await lookupDocument(client, doc);
  if (copies.length === 0) return undefined;
  if (copies.length > 1) {
    return { state: 'review', message: `Zoho holds ${copies.length} ${doc.kind}s with ${describe(doc)} (${copies.map((c) => c.zohoId).join(', ')}); check them in Zoho before posting this one.`, evidence: copiesEvidence(doc, copies) };
  }
  return adopt(doc, copies[0]!, note);
}

/**
 * Creates the document (the body may differ from doc.body: a payment's invoice ids are filled in
 * just before sending). Zoho's 1001 on our own invoice number means the invoice exists: it is looked
 * up and adopted when the amount is ours, otherwise left for review. Other Zoho errors are thrown.
 */
export async function createOnce(client: ZohoClient, doc: ZohoDocument, body: object = doc.body, o: SendOptions = {}): Promise<Posted | Review> {
  const ep = ENDPOINTS[doc.kind];
  try {
    // The bodies are the engine's, checked against the request contract at compile time (contract.ts).
    let r: ZohoResponse;
    if (doc.kind === 'invoice') r = await client.post('/invoices', body as BodyOf<'createInvoice'>, doc.query as QueryOf<'createInvoice'> | undefined, o);
    else if (doc.kind === 'payment') r = await client.post('/customerpayments', body as BodyOf<'createPayment'>, undefined, o);
    else r = await client.post('/journals', body as BodyOf<'createJournal'>, undefined, o);
    return { state: 'posted', found: toFound(doc.kind, r[ep.entity] as Record<string, unknown>), adopted: false };
  } catch (e) {
    if (e instanceof ZohoError && e.kind === 'rejected' && e.code === 1001 && doc.kind === 'invoice') {
      const number = lookupKey(doc).value;
      const copies = await lookupDocument(client, doc);
      if (copies.length === 1) return adopt(doc, copies[0]!, `Zoho 1001: invoice ${number} already existed; adopted`, { prefix: `Zoho 1001: invoice ${number} already exists with a different amount — `, code: 1001 });
      if (copies.length > 1) return { state: 'review', message: `Zoho 1001: Zoho holds ${copies.length} invoices numbered ${number}; check them in Zoho.`, evidence: copiesEvidence(doc, copies), code: 1001 };
    }
    throw e;
  }
}

/**
 * What Zoho holds that the census must see for these documents: invoices in one paged list over
 * their range of dates; payments and journals (a settlement's share its deposit date) in one list
 * per date (and customer, for payments) — a batch of thousands costs a few calls, not one per
 * document. A document without a date is listed by its own number or reference.
 */
export async function listHoldings(client: ZohoClient, docs: readonly ZohoDocument[]): Promise<Holding[]> {
  const groups = new Map<string, { kind: DocumentKind; by: ListBy }>();
  for (const d of docs) {
    const date = documentDate(d);
    const customer = d.kind === 'payment' ? customerOf(d) : undefined;
    const key = lookupKey(d);
    if (!date) {
      const by = d.kind === 'invoice' ? { number: key.value } : { reference: key.value, customer };
      groups.set(`${d.kind}|${JSON.stringify(by)}`, { kind: d.kind, by });
      continue;
    }
    if (d.kind !== 'invoice') {
      groups.set(`${d.kind}|${date}|${customer ?? ''}`, { kind: d.kind, by: { date, customer } });
      continue;
    }
    const g = groups.get('invoice|range');
    if (!g) groups.set('invoice|range', { kind: d.kind, by: { from: date, until: date } });
    else {
      if (date < g.by.from!) g.by.from = date;
      if (date > g.by.until!) g.by.until = date;
    }
  }
  const out: Holding[] = [];
  for (const g of groups.values()) {
    const ep = ENDPOINTS[g.kind];
    for (const e of await listOf(client, g.kind, g.by)) out.push({ kind: g.kind, zohoId: String(e[ep.id]), entity: e });
  }
  return out;
}

/**
 * Takes one copy out of the books: an invoice is voided (Zoho keeps voided invoices), a payment or
 * journal deleted (neither can be voided). Already gone counts as done, so a retry is harmless.
 */
export async function removeCopy(client: ZohoClient, kind: DocumentKind, zohoId: string): Promise<'removed' | 'already-gone'> {
  const ep = ENDPOINTS[kind];
  const id = encodeURIComponent(zohoId);
  try {
    if (kind === 'invoice') await client.post(`/invoices/${id}/status/void`, undefined);
    else if (kind === 'payment') await client.delete(`/customerpayments/${id}`);
    else await client.delete(`/journals/${id}`);
    return 'removed';
  } catch (e) {
    if (e instanceof ZohoError && e.kind === 'rejected' && e.code === 1002) return 'already-gone';
    if (e instanceof ZohoError && e.kind === 'uncertain') {
      // Removing twice does no harm: ask Zoho whether it is gone, else let the caller retry.
      try {
        const r = kind === 'invoice' ? await client.get(`/invoices/${id}`) : kind === 'payment' ? await client.get(`/customerpayments/${id}`) : await client.get(`/journals/${id}`);
        if (isVoided((r[ep.entity] ?? {}) as Record<string, unknown>)) return 'removed';
      } catch (g) {
        if (g instanceof ZohoError && g.kind === 'rejected' && g.code === 1002) return 'removed';
      }
    }
    throw e;
  }
}
