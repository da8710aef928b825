/**
 * A synthetic settlement flat file V2 for the parse benchmark: one summary row, then orders of
 * 5–7 lines (principal, tax, shipping, commission, FBA fee, facilitator tax), refunds now and then,
 * and a few other-transaction lines; ISO dates, decimal point, CRLF. Deterministic (seeded).
 */
import fs from 'node:fs';

const HEADER = [
  'settlement-id', 'settlement-start-date', 'settlement-end-date', 'deposit-date', 'total-amount', 'currency', 'transaction-type', 'order-id',
  'merchant-order-id', 'adjustment-id', 'shipment-id', 'marketplace-name', 'amount-type', 'amount-description', 'amount', 'fulfillment-id',
  'posted-date', 'posted-date-time', 'order-item-code', 'merchant-order-item-id', 'merchant-adjustment-item-id', 'sku', 'quantity-purchased', 'promotion-id',
];

function money(cents: number): string {
  const a = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** Writes `lines` detail lines (plus header and summary) and returns the total in cents. */
export function writeSettlementFile(file: string, lines: number, seed = 7): { totalCents: number; bytes: number } {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const int = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));
  const sid = '19283746501';
  const body: string[] = [];
  let total = 0;
  let written = 0;
  const parts: string[] = [];
  const add = (type: string, order: string, at: string, desc: string, cents: number, sku: string, qty: string) => {
    total += cents;
    written++;
    const d = `2024-11-${String(int(1, 14)).padStart(2, '0')}`;
    parts.push(`${sid}\t\t\t\t\t\t${type}\t${order}\t\t\t\t${order ? 'Amazon.com' : ''}\t${at}\t${desc}\t${money(cents)}\t${order ? 'AFN' : ''}\t${d}T${String(int(0, 23)).padStart(2, '0')}:00:00+00:00\t\t\t\t\t${sku}\t${qty}\t`);
  };
  const skus = Array.from({ length: 500 }, (_, i) => `SKU-${String(i).padStart(5, '0')}`);
  while (written < lines) {
    const order = `${int(111, 114)}-${int(1000000, 9999999)}-${int(1000000, 9999999)}`;
    const sku = skus[int(0, skus.length - 1)]!;
    const price = int(999, 9999);
    add('Order', order, 'ItemPrice', 'Principal', price, sku, '1');
    add('Order', order, 'ItemPrice', 'Tax', Math.round(price * 0.08), sku, '1');
    if (rand() < 0.4) add('Order', order, 'ItemPrice', 'Shipping', 499, sku, '1');
    add('Order', order, 'ItemFees', 'Commission', -Math.round(price * 0.15), sku, '1');
    add('Order', order, 'ItemFees', 'FBAPerUnitFulfillmentFee', -int(250, 600), sku, '1');
    add('Order', order, 'ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal', -Math.round(price * 0.08), sku, '1');
    if (rand() < 0.05) {
      add('Refund', order, 'ItemPrice', 'Principal', -price, sku, '1');
      add('Refund', order, 'ItemFees', 'RefundCommission', -Math.round(price * 0.03), sku, '1');
    }
    if (rand() < 0.01) add('other-transaction', '', 'other-transaction', 'Current Reserve Amount', -int(5000, 15000), '', '');
    if (parts.length >= 50_000) body.push(parts.splice(0).join('\r\n'));
  }
  body.push(parts.join('\r\n'));
  const summary = `${sid}\t2024-11-01T00:00:00+00:00\t2024-11-15T00:00:00+00:00\t2024-11-17T00:00:00+00:00\t${money(total)}\tUSD${'\t'.repeat(18)}`;
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  for (const chunk of [HEADER.join('\t'), summary, ...body]) {
    if (!chunk) continue;
    bytes += fs.writeSync(fd, chunk + '\r\n');
  }
  fs.closeSync(fd);
  return { totalCents: total, bytes };
}
