/**
 * The census after a batch is posted: what Zoho holds for each of the batch's numbers and
 * references, compared with what the batch recorded. Every document must be in Zoho exactly once,
 * under the id we recorded and for the amount we meant, to the cent. Anything else is a finding
 * that a person reviews (the batch is not reported as posted).
 */
import { compareAmount, customerOf, isVoided, lookupKey, type DocumentKind, type ZohoDocument } from './documents';

/** One posted item of the batch: its document and the Zoho id recorded for it. */
export interface CensusItem {
  seq: number;
  document: Pick<ZohoDocument, 'kind' | 'idempotencyKey' | 'lookup' | 'body' | 'currency' | 'cents'>;
  recordedId: string | null;
}

/** A document Zoho holds, as listed by the census (the entity exactly as Zoho returned it). */
export interface Holding {
  kind: DocumentKind;
  zohoId: string;
  entity: Record<string, unknown>;
}

export interface Copy {
  zohoId: string;
  number: string | null;
  /** Zoho's amount in cents (null when unreadable). */
  cents: number | null;
  /** The copy the batch recorded (the one to keep unless someone decides otherwise). */
  recorded: boolean;
}

export type FindingType = 'duplicate' | 'amount-mismatch' | 'missing' | 'other-id';

export interface Finding {
  type: FindingType;
  seq: number;
  idempotencyKey: string;
  kind: DocumentKind;
  /** invoice_number or reference_number and its value. */
  key: { field: string; value: string };
  expectedCents: number;
  currency: string;
  recordedId: string | null;
  /** Every copy Zoho holds under the key (two or more for a duplicate). */
  copies: Copy[];
  message: string;
}

const numberOf = (kind: DocumentKind, e: Record<string, unknown>): string | null => {
  const v = kind === 'invoice' ? e.invoice_number : kind === 'payment' ? e.payment_number : e.entry_number;
  return v === undefined || v === null ? null : String(v);
};

/** The census key of a document or of a Zoho entity: kind, key value and (payments) customer. */
function censusKey(kind: DocumentKind, value: string, customer: string | undefined): string {
  return `${kind}\u0000${value}\u0000${kind === 'payment' ? (customer ?? '') : ''}`;
}

export function holdingKey(h: Holding): string {
  const field = h.kind === 'invoice' ? 'invoice_number' : 'reference_number';
  const customer = h.entity.customer_id === undefined ? undefined : String(h.entity.customer_id);
  return censusKey(h.kind, String(h.entity[field] ?? ''), customer);
}

/** Compares the batch's posted items with what Zoho holds; returns one finding per item that is not exactly once, as recorded. */
export function takeCensus(items: readonly CensusItem[], holdings: readonly Holding[]): Finding[] {
  const byKey = new Map<string, Holding[]>();
  for (const h of holdings) {
    if (isVoided(h.entity)) continue;
    const k = holdingKey(h);
    const list = byKey.get(k);
    // The same entity listed twice (two overlapping list calls) is one copy.
    if (list) {
      if (!list.some((x) => x.zohoId === h.zohoId)) list.push(h);
    } else byKey.set(k, [h]);
  }
  const findings: Finding[] = [];
  for (const item of items) {
    const doc = item.document;
    const key = lookupKey(doc);
    const found = byKey.get(censusKey(doc.kind, key.value, customerOf(doc))) ?? [];
    const checks = found.map((h) => compareAmount(doc, h.entity, h.zohoId));
    const copies: Copy[] = found.map((h, i) => ({ zohoId: h.zohoId, number: numberOf(doc.kind, h.entity), cents: checks[i]!.zohoCents, recorded: h.zohoId === item.recordedId }));
    const base = { seq: item.seq, idempotencyKey: doc.idempotencyKey, kind: doc.kind, key, expectedCents: doc.cents.total, currency: doc.currency, recordedId: item.recordedId, copies };
    const where = `${key.field.replace('_', ' ')} ${key.value}`;
    if (copies.length > 1) {
      findings.push({ ...base, type: 'duplicate', message: `Zoho holds ${copies.length} ${doc.kind}s with ${where} (${copies.map((c) => c.zohoId).join(', ')}); keep one and void the others.` });
    } else if (copies.length === 0) {
      findings.push({ ...base, type: 'missing', message: `Zoho holds no ${doc.kind} with ${where}, although ${item.recordedId ?? 'it'} was recorded as posted.` });
    } else if (!copies[0]!.recorded) {
      findings.push({ ...base, type: 'other-id', message: `Zoho's ${doc.kind} with ${where} is ${copies[0]!.zohoId}, but the batch recorded ${item.recordedId ?? 'no id'}.` });
    } else {
      const check = checks[0]!;
      if (!check.ok) findings.push({ ...base, type: 'amount-mismatch', message: check.message });
    }
  }
  return findings;
}
