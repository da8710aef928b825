/**
 * The columns of a settlement flat file and what its header says: V2 (23–24 columns, one amount per
 * row with amount-type / amount-description) or legacy V1 (33–36 columns, several type/amount pairs
 * per row), found by header name. Step 1 of reading a file (see ./read.ts).
 *
 * Public API
 * - `readSettlementHeader(file, headerRow, header)` → { layout, problems }: layout null when the file
 *   cannot be read (no amount column, a required column missing).
 * - `SettlementLayout`: format, column indexes, V1 amount columns.
 */
import { blocking, isBlocking, warning, type Problem } from '../kernel/problems';
import { normaliseHeader } from '../kernel/table';

export type SettlementFormat = 'v2' | 'v1';

const COMMON_COLUMNS = [
  'settlement-id', 'settlement-start-date', 'settlement-end-date', 'deposit-date', 'total-amount', 'currency',
  'transaction-type', 'order-id', 'merchant-order-id', 'adjustment-id', 'shipment-id', 'marketplace-name',
  'fulfillment-id', 'posted-date', 'order-item-code', 'merchant-order-item-id', 'merchant-adjustment-item-id',
  'sku', 'quantity-purchased', 'promotion-id',
] as const;

const V2_ONLY = ['amount-type', 'amount-description', 'amount', 'posted-date-time'] as const;

/** V1 type/amount pairs → the V2 amount-type they stand for. */
const V1_PAIRS = [
  { type: 'price-type', amount: 'price-amount', amountType: 'ItemPrice' },
  { type: 'item-related-fee-type', amount: 'item-related-fee-amount', amountType: 'ItemFees' },
  { type: 'shipment-fee-type', amount: 'shipment-fee-amount', amountType: 'ShipmentFees' },
  { type: 'order-fee-type', amount: 'order-fee-amount', amountType: 'OrderFees' },
  { type: 'promotion-type', amount: 'promotion-amount', amountType: 'Promotion' },
  { type: 'direct-payment-type', amount: 'direct-payment-amount', amountType: 'DirectPayment' },
] as const;
/** V1 amounts without a type column; the description comes from elsewhere (see V1Amount.single). */
const V1_SINGLE = [
  { amount: 'misc-fee-amount', amountType: 'MiscFee' },
  { amount: 'other-fee-amount', amountType: 'other-transaction' },
  { amount: 'other-amount', amountType: 'other-transaction' },
] as const;
const V1_ONLY = [
  ...V1_PAIRS.flatMap((p) => [p.type, p.amount]),
  ...V1_SINGLE.map((s) => s.amount),
  'other-fee-reason-description',
  'promotion-amount',
] as const;

const KNOWN = new Set<string>([...COMMON_COLUMNS, ...V2_ONLY, ...V1_ONLY].map(normaliseHeader));

/** One amount column of a V1 row and the V2 amount-type it stands for. */
export interface V1Amount {
  typeAt: number;
  amountAt: number;
  amountType: string;
  /** No type column: the description is other-fee-reason-description, else the transaction-type. */
  single: boolean;
}

export interface SettlementColumns {
  settlementId: number;
  start: number;
  end: number;
  deposit: number;
  total: number;
  currency: number;
  transactionType: number;
  orderId: number;
  merchantOrderId: number;
  adjustmentId: number;
  shipmentId: number;
  marketplace: number;
  amountType: number;
  amountDescription: number;
  amount: number;
  fulfillmentId: number;
  postedDate: number;
  postedDateTime: number;
  sku: number;
  quantity: number;
  promotionId: number;
  otherReason: number;
}

export interface SettlementLayout {
  format: SettlementFormat;
  /** The header as given (a leading BOM taken off each name). */
  header: string[];
  /** Fields in the header; more on a line are extra. */
  width: number;
  idx: SettlementColumns;
  /** V1: the amount columns present. */
  v1Amounts: V1Amount[];
  /** Every column holding an amount (V2: just `amount`). */
  amountCols: number[];
}

export function readSettlementHeader(file: string, headerRow: number, rawHeader: readonly string[]): { layout: SettlementLayout | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const header = rawHeader.map((h) => h.replace(/^\uFEFF/, ''));
  const col = new Map<string, number>();
  header.forEach((h, i) => {
    const k = normaliseHeader(h);
    if (k && !col.has(k)) col.set(k, i);
  });
  const at = (name: string): number => col.get(normaliseHeader(name)) ?? -1;

  // Unknown columns are blocking: a renamed column may be an amount we would otherwise miss.
  header.forEach((h, i) => {
    if (h && !KNOWN.has(normaliseHeader(h)))
      problems.push(
        blocking({ source: file, row: headerRow, column: h, value: h, message: `The column "${h}" (column ${i + 1}) is not a settlement report column; rename it or remove it.`, code: 'unknown-column' }),
      );
  });

  const isV2 = at('amount') >= 0;
  const isV1 = V1_PAIRS.some((p) => at(p.amount) >= 0) || V1_SINGLE.some((s) => at(s.amount) >= 0);
  if (!isV2 && !isV1) {
    problems.push(
      blocking({ source: file, row: headerRow, column: 'amount', message: `${file} has no amount column (looked for "amount" of a V2 report and "price-amount", "item-related-fee-amount", "other-amount" … of a V1 report).`, code: 'no-amount-column' }),
    );
    return { layout: null, problems };
  }
  const format: SettlementFormat = isV2 ? 'v2' : 'v1';
  const expected = format === 'v2' ? [23, 24] : [33, 36];
  const named = header.filter((h) => h !== '').length;
  if (named < expected[0]! || named > expected[1]!)
    problems.push(
      warning({ source: file, row: headerRow, message: `A ${format.toUpperCase()} settlement report has ${expected[0]}–${expected[1]} columns; this one has ${named}.`, code: 'column-count' }),
    );
  const required = format === 'v2' ? ['settlement-id', 'total-amount', 'transaction-type', 'amount-type', 'amount-description', 'amount'] : ['settlement-id', 'total-amount', 'transaction-type'];
  for (const r of required)
    if (at(r) < 0) problems.push(blocking({ source: file, row: headerRow, column: r, message: `The column ${r} is missing.`, code: 'missing-column' }));
  if (problems.some((p) => isBlocking(p) && p.code === 'missing-column')) return { layout: null, problems };

  const idx: SettlementColumns = {
    settlementId: at('settlement-id'), start: at('settlement-start-date'), end: at('settlement-end-date'), deposit: at('deposit-date'),
    total: at('total-amount'), currency: at('currency'), transactionType: at('transaction-type'), orderId: at('order-id'),
    merchantOrderId: at('merchant-order-id'), adjustmentId: at('adjustment-id'), shipmentId: at('shipment-id'),
    marketplace: at('marketplace-name'), amountType: at('amount-type'), amountDescription: at('amount-description'),
    amount: at('amount'), fulfillmentId: at('fulfillment-id'), postedDate: at('posted-date'), postedDateTime: at('posted-date-time'),
    sku: at('sku'), quantity: at('quantity-purchased'), promotionId: at('promotion-id'), otherReason: at('other-fee-reason-description'),
  };
  const v1Amounts: V1Amount[] = [
    ...V1_PAIRS.map((p) => ({ typeAt: at(p.type), amountAt: at(p.amount), amountType: p.amountType as string, single: false })),
    ...V1_SINGLE.map((s) => ({ typeAt: -1, amountAt: at(s.amount), amountType: s.amountType as string, single: true })),
  ].filter((a) => a.amountAt >= 0);
  const amountCols = format === 'v2' ? [idx.amount] : v1Amounts.map((a) => a.amountAt);
  return { layout: { format, header, width: header.length, idx, v1Amounts, amountCols }, problems };
}
