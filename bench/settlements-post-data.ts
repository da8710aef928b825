/**
 * Documents for the posting benchmark, in the contract's shape (src/settlements/documents.ts):
 * `settlements` settlements of `orders` orders each, as per-order invoices (AMZN + 7 digits) or
 * one summary invoice per settlement, plus one payment and one fees journal per settlement.
 */
import type { InvoiceDocument, JournalDocument, PaymentDocument, SettlementDocument } from '../src/settlements/documents';
import type { SeedIds } from '../server/dev/zoho-sandbox';

export type InvoiceMode = 'per-order' | 'per-settlement';

export interface BacklogOrder {
  orderId: string;
  principalCents: number;
  shippingCents: number;
  taxCents: number;
}

export interface BacklogSettlement {
  settlementId: string;
  depositDate: string;
  orders: BacklogOrder[];
  feesCents: number;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeBacklog(settlements: number, orders: number, seed = 129): BacklogSettlement[] {
  const r = rng(seed);
  const out: BacklogSettlement[] = [];
  let orderNo = 1_000_000;
  for (let s = 0; s < settlements; s++) {
    const day = new Date(Date.UTC(2025, 0, 1) + s * 14 * 86_400_000).toISOString().slice(0, 10);
    const list: BacklogOrder[] = [];
    for (let o = 0; o < orders; o++) {
      orderNo += 1 + Math.floor(r() * 50);
      list.push({
        orderId: `114-${String(Math.floor(r() * 1e7)).padStart(7, '0')}-${String(orderNo).padStart(7, '0')}`,
        principalCents: 500 + Math.floor(r() * 20_000),
        shippingCents: Math.floor(r() * 800),
        taxCents: Math.floor(r() * 1_500),
      });
    }
    out.push({ settlementId: String(11_873_355_301 + s), depositDate: day, orders: list, feesCents: 0 });
    out[s].feesCents = Math.round(list.reduce((sum, o) => sum + o.principalCents, 0) * 0.15);
  }
  return out;
}

export function backlogDocuments(backlog: readonly BacklogSettlement[], mode: InvoiceMode, seed: SeedIds): SettlementDocument[] {
  const docs: SettlementDocument[] = [];
  for (const s of backlog) {
    const invoices: InvoiceDocument[] = [];
    const invoice = (number: string, reference: string, lines: { item: string; cents: number; description: string }[], orderIds: string[]): InvoiceDocument => ({
      kind: 'invoice',
      idempotencyKey: `${s.settlementId}:invoice:${number}`,
      lookup: { invoice_number: number },
      currency: 'USD',
      cents: { total: lines.reduce((t, l) => t + l.cents, 0) },
      sourceRows: [{ file: `${s.settlementId}.txt`, rows: orderIds.map((_, i) => i + 2) }],
      settlementId: s.settlementId,
      query: { ignore_auto_number_generation: true },
      body: {
        customer_id: seed.customerId,
        invoice_number: number,
        date: s.depositDate,
        reference_number: reference,
        line_items: lines.filter((l) => l.cents > 0).map((l) => ({ item_id: l.item, rate: l.cents / 100, quantity: 1, description: l.description })),
      },
    });
    if (mode === 'per-order') {
      for (const o of s.orders) {
        invoices.push(
          invoice(`AMZN${o.orderId.slice(-7)}`, o.orderId, [
            { item: seed.itemIds.sales, cents: o.principalCents, description: 'Principal' },
            { item: seed.itemIds.shipping, cents: o.shippingCents, description: 'Shipping' },
            { item: seed.itemIds.tax, cents: o.taxCents, description: 'Tax' },
          ], [o.orderId]),
        );
      }
    } else {
      const sum = (k: keyof Omit<BacklogOrder, 'orderId'>) => s.orders.reduce((t, o) => t + o[k], 0);
      invoices.push(
        invoice(`AMZS-${s.settlementId}-USD`, s.settlementId, [
          { item: seed.itemIds.sales, cents: sum('principalCents'), description: 'Principal' },
          { item: seed.itemIds.shipping, cents: sum('shippingCents'), description: 'Shipping' },
          { item: seed.itemIds.tax, cents: sum('taxCents'), description: 'Tax' },
        ], s.orders.map((o) => o.orderId)),
      );
    }
    const total = invoices.reduce((t, d) => t + d.cents.total, 0);
    const payment: PaymentDocument = {
      kind: 'payment',
      idempotencyKey: `${s.settlementId}:payment:${s.settlementId}`,
      lookup: { reference_number: s.settlementId },
      currency: 'USD',
      cents: { total },
      dependsOn: invoices.map((d) => d.idempotencyKey),
      sourceRows: [{ file: `${s.settlementId}.txt`, rows: [1] }],
      settlementId: s.settlementId,
      body: {
        customer_id: seed.customerId,
        payment_mode: 'banktransfer',
        amount: total / 100,
        date: s.depositDate,
        reference_number: s.settlementId,
        invoices: invoices.map((d) => ({ invoice_id: '', amount_applied: d.cents.total / 100 })),
        account_id: seed.accountIds.clearing,
      },
      applies: invoices.map((d) => ({ idempotencyKey: d.idempotencyKey, invoice_number: d.body.invoice_number, amountAppliedCents: d.cents.total })),
    };
    const journal: JournalDocument = {
      kind: 'journal',
      idempotencyKey: `${s.settlementId}:journal:${s.settlementId}`,
      lookup: { reference_number: s.settlementId },
      currency: 'USD',
      cents: { total: s.feesCents },
      sourceRows: [{ file: `${s.settlementId}.txt`, rows: [1] }],
      settlementId: s.settlementId,
      body: {
        journal_date: s.depositDate,
        reference_number: s.settlementId,
        notes: `Amazon settlement ${s.settlementId}: fees and clearing`,
        line_items: [
          { account_id: seed.accountIds.fees, debit_or_credit: 'debit', amount: s.feesCents / 100, description: 'Commission and FBA fees' },
          { account_id: seed.accountIds.clearing, debit_or_credit: 'credit', amount: s.feesCents / 100, description: 'Amazon clearing' },
        ],
      },
    };
    docs.push(...invoices, payment, journal);
  }
  return docs;
}
