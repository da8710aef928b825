/**
 * Mapping configuration (docs/rules.md, "Amazon settlements"): every (transaction-type, amount-type, amount-description)
 * goes to a GL account, either on the sales invoice (`sale`) or in the settlement journal
 * (`journal`); SKU → Zoho item; marketplace → Zoho customer; GL account name → Zoho account id.
 *
 * The defaults cover the types real settlement files carry so a new user's first file maps; the
 * Zoho ids (accounts, items, customers) are per organisation and come from configuration or from
 * the organisation's own lists (`zohoIdsFromLists`).
 */
import type { SettlementLine } from './parse';

export type Posting = 'sale' | 'journal';

export interface AccountRule {
  /** Matched case-insensitively; absent or '*' = any; a trailing '*' matches a prefix, a leading '*' a suffix. */
  transactionType?: string;
  amountType?: string;
  amountDescription?: string;
  /** GL account name in the finance team's words, e.g. "Amazon Selling Fees". */
  account: string;
  posting: Posting;
  /**
   * For `sale` rules: which invoice line carries the amount: 'sku' (the line's SKU → Zoho item)
   * or a charge name ('Tax', 'Shipping' …) looked up in `chargeItems`.
   */
  line?: string;
}

export interface SettlementConfig {
  /** Most specific match wins (exact > prefix > any per field); ties go to the earlier rule. */
  rules: AccountRule[];
  /** GL account name → Zoho account_id. */
  accounts: Record<string, string>;
  /** SKU → Zoho item_id. */
  items: Record<string, string>;
  /** Invoice charge lines ('Tax', 'Shipping', 'ShippingTax', 'GiftWrap', 'GiftWrapTax') → Zoho item_id. */
  chargeItems: Record<string, string>;
  /** marketplace-name → Zoho customer_id. */
  customers: Record<string, string>;
  /** ISO currency → Zoho currency_id (only for multi-currency organisations). */
  currencies?: Record<string, string>;
  /** Marketplaces whose orders are not Amazon sales (multi-channel fulfilment). */
  nonSalesMarketplaces: string[];
  /** GL account the payment is deposited to and the journal clears against. */
  clearingAccount: string;
  /** GL account the settlement's net deposit lands in. */
  bankAccount: string;
  /** Zoho payment_mode. */
  paymentMode: string;
}

export const ACCOUNT = {
  sales: 'Amazon Sales',
  shipping: 'Shipping Income',
  giftWrap: 'Gift Wrap Income',
  salesTax: 'Sales Tax Payable',
  refunds: 'Amazon Refunds',
  promotions: 'Promotional Rebates',
  sellingFees: 'Amazon Selling Fees',
  /** GST/HST/VAT Amazon charges on its own fees: input tax the seller reclaims, not a selling cost. */
  feeTax: 'Tax on Amazon Fees',
  fbaFees: 'FBA Fees',
  advertising: 'Advertising',
  reserve: 'Amazon Reserve',
  reimbursements: 'Amazon Reimbursements',
  clearing: 'Amazon Clearing',
  bank: 'Bank',
} as const;

const sale = (transactionType: string, amountDescription: string, account: string, line: string): AccountRule => ({
  transactionType,
  amountType: 'ItemPrice',
  amountDescription,
  account,
  posting: 'sale',
  line,
});
const journal = (account: string, match: Omit<AccountRule, 'account' | 'posting' | 'line'>): AccountRule => ({ ...match, account, posting: 'journal' });

/**
 * Fee-tax lines of current CA/US/UK/DE/FR settlement reports (GST/HST/VAT on Amazon's fees): ItemFees
 * descriptions ending in `Tax` (any other `…Tax` under ItemFees is caught by a suffix rule) and the
 * other-transaction subscription and digital-services fee taxes.
 */
const FEE_TAX_DESCRIPTIONS = [
  'CommissionTax',
  'RefundCommissionTax',
  'FBAPerUnitFulfillmentFeeTax',
  'FBAPerOrderFulfillmentFeeTax',
  'FBAWeightBasedFeeTax',
  'ShippingChargebackTax',
  'GiftwrapChargebackTax',
  'ShippingHBTax',
  'VariableClosingFeeTax',
  'FixedClosingFeeTax',
  'DigitalServicesFeeTax',
  'DigitalServicesFeeFBATax',
  'SubscriptionFeeTax',
  'Subscription Fee Tax',
] as const;

/** The default rules: every (transaction, amount type, description) real settlement files carry, so a first file maps. */
export const DEFAULT_RULES: readonly AccountRule[] = [
  // Sales: the order's item price lines go on the invoice.
  sale('Order', 'Principal', ACCOUNT.sales, 'sku'),
  sale('Order', 'Tax', ACCOUNT.salesTax, 'Tax'),
  sale('Order', 'Shipping', ACCOUNT.shipping, 'Shipping'),
  sale('Order', 'ShippingTax', ACCOUNT.salesTax, 'ShippingTax'),
  sale('Order', 'GiftWrap', ACCOUNT.giftWrap, 'GiftWrap'),
  sale('Order', 'GiftWrapTax', ACCOUNT.salesTax, 'GiftWrapTax'),
  // Refunds and any other item-price movement outside an order (chargebacks, A-to-z claims).
  journal(ACCOUNT.refunds, { amountType: 'ItemPrice', amountDescription: 'Principal' }),
  journal(ACCOUNT.refunds, { amountType: 'ItemPrice', amountDescription: 'Shipping' }),
  journal(ACCOUNT.refunds, { amountType: 'ItemPrice', amountDescription: 'GiftWrap' }),
  journal(ACCOUNT.salesTax, { amountType: 'ItemPrice', amountDescription: 'Tax' }),
  journal(ACCOUNT.salesTax, { amountType: 'ItemPrice', amountDescription: 'ShippingTax' }),
  journal(ACCOUNT.salesTax, { amountType: 'ItemPrice', amountDescription: 'GiftWrapTax' }),
  // Promotions (V2 amount-type Promotion; V1 promotion-type pairs are spread to the same shape).
  journal(ACCOUNT.promotions, { amountType: 'Promotion' }),
  // Marketplace facilitator taxes: Amazon collected and remits the tax, so it leaves Sales Tax Payable.
  journal(ACCOUNT.salesTax, { amountDescription: 'MarketplaceFacilitator*' }),
  // Tax Amazon withholds as the marketplace facilitator on low-value imports (UK, AU): like the facilitator tax.
  journal(ACCOUNT.salesTax, { amountDescription: 'LowValueGoodsTax*' }),
  journal(ACCOUNT.salesTax, { amountType: 'ItemWithheldTax' }),
  journal(ACCOUNT.salesTax, { amountDescription: 'ItemWithheldTax' }),
  // Tax charged on Amazon's fees (docs/rules.md lists the lines): each fee's `…Tax` twin, whatever its fee.
  ...FEE_TAX_DESCRIPTIONS.map((d) => journal(ACCOUNT.feeTax, { amountDescription: d })),
  journal(ACCOUNT.feeTax, { amountType: 'ItemFees', amountDescription: '*Tax' }),
  journal(ACCOUNT.feeTax, { transactionType: 'ServiceFee', amountDescription: 'TaxAmount' }),
  journal(ACCOUNT.feeTax, { amountType: 'Cost of Advertising', amountDescription: 'TaxAmount' }),
  journal(ACCOUNT.feeTax, { amountDescription: 'TaxAmount' }),
  // Service fees Amazon bills outside an order (advertising is matched by its amount-type below).
  journal(ACCOUNT.sellingFees, { transactionType: 'ServiceFee', amountType: 'other-transaction', amountDescription: 'TransactionTotalAmount' }),
  // Selling fees.
  journal(ACCOUNT.sellingFees, { amountDescription: 'Commission' }),
  journal(ACCOUNT.sellingFees, { amountDescription: 'RefundCommission' }),
  journal(ACCOUNT.sellingFees, { amountDescription: 'DigitalServicesFee' }),
  journal(ACCOUNT.sellingFees, { amountDescription: 'DigitalServicesFeeFBA' }),
  journal(ACCOUNT.sellingFees, { amountDescription: 'VariableClosingFee' }),
  journal(ACCOUNT.sellingFees, { amountDescription: 'FixedClosingFee' }),
  journal(ACCOUNT.sellingFees, { amountDescription: 'SalesTaxCollectionFee' }),
  journal(ACCOUNT.sellingFees, { amountDescription: 'ShippingChargeback' }),
  journal(ACCOUNT.sellingFees, { amountDescription: 'ShippingHB' }),
  journal(ACCOUNT.sellingFees, { amountDescription: 'GiftwrapChargeback' }),
  journal(ACCOUNT.sellingFees, { amountDescription: 'Subscription Fee' }),
  // FBA fulfilment fees (FBAPerUnitFulfillmentFee, FBAPerOrderFulfillmentFee, FBAWeightBasedFee …).
  journal(ACCOUNT.fbaFees, { amountDescription: 'FBA*' }),
  journal(ACCOUNT.fbaFees, { amountDescription: 'RemovalComplete' }),
  journal(ACCOUNT.fbaFees, { transactionType: 'RemovalComplete' }),
  journal(ACCOUNT.fbaFees, { amountDescription: 'Inbound Transportation Fee' }),
  journal(ACCOUNT.fbaFees, { amountDescription: 'FBA Inbound Transportation Fee' }),
  journal(ACCOUNT.fbaFees, { transactionType: 'Inbound Transportation Fee' }),
  // Advertising (V2: amount-type "Cost of Advertising", description TransactionTotalAmount).
  journal(ACCOUNT.advertising, { amountType: 'Cost of Advertising' }),
  journal(ACCOUNT.advertising, { amountDescription: 'Cost of Advertising' }),
  journal(ACCOUNT.advertising, { transactionType: 'Cost of Advertising' }),
  // Reserves: held back this settlement, released from the previous one.
  journal(ACCOUNT.reserve, { amountDescription: 'Current Reserve Amount' }),
  journal(ACCOUNT.reserve, { amountDescription: 'Previous Reserve Amount Balance' }),
  // A negative balance carried to the next settlement, and the card charge that settles it.
  journal(ACCOUNT.reserve, { amountDescription: 'Payable to Amazon' }),
  journal(ACCOUNT.reserve, { transactionType: 'Payable to Amazon' }),
  journal(ACCOUNT.bank, { amountDescription: 'Successful charge' }),
  journal(ACCOUNT.bank, { transactionType: 'Successful charge' }),
  // Bank account verification deposits move money to and from the bank directly.
  journal(ACCOUNT.bank, { amountDescription: 'Micro Deposit' }),
  journal(ACCOUNT.bank, { transactionType: 'Micro Deposit' }),
  // Reimbursements for lost or damaged inventory.
  journal(ACCOUNT.reimbursements, { amountType: 'FBA Inventory Reimbursement' }),
  journal(ACCOUNT.reimbursements, { transactionType: 'FBA Inventory Reimbursement' }),
  journal(ACCOUNT.reimbursements, { amountDescription: 'WAREHOUSE_DAMAGE' }),
  journal(ACCOUNT.reimbursements, { amountDescription: 'WAREHOUSE_LOST' }),
  journal(ACCOUNT.reimbursements, { amountDescription: 'REVERSAL_REIMBURSEMENT' }),
];

export function defaultSettlementConfig(): SettlementConfig {
  return {
    rules: DEFAULT_RULES.map((r) => ({ ...r })),
    accounts: {},
    items: {},
    chargeItems: {},
    customers: {},
    nonSalesMarketplaces: ['Non-Amazon'],
    clearingAccount: ACCOUNT.clearing,
    bankAccount: ACCOUNT.bank,
    paymentMode: 'banktransfer',
  };
}

/** The user's settings over the defaults: their rules come first (so they win ties), maps are merged. */
export function mergeSettlementConfig(base: SettlementConfig, over: Partial<SettlementConfig>): SettlementConfig {
  return {
    ...base,
    ...over,
    rules: [...(over.rules ?? []), ...base.rules],
    accounts: { ...base.accounts, ...over.accounts },
    items: { ...base.items, ...over.items },
    chargeItems: { ...base.chargeItems, ...over.chargeItems },
    customers: { ...base.customers, ...over.customers },
    currencies: { ...base.currencies, ...over.currencies },
    nonSalesMarketplaces: over.nonSalesMarketplaces ?? base.nonSalesMarketplaces,
  };
}

/** Charge lines and the Zoho item name they are found under in an organisation's item list. */
export const CHARGE_ITEM_NAMES: Record<string, string> = {
  Tax: 'Sales Tax',
  Shipping: 'Shipping',
  ShippingTax: 'Shipping Tax',
  GiftWrap: 'Gift Wrap',
  GiftWrapTax: 'Gift Wrap Tax',
};

export interface ZohoLists {
  accounts?: readonly { account_id: string; account_name: string }[];
  items?: readonly { item_id: string; name: string; sku?: string }[];
  contacts?: readonly { contact_id: string; contact_name: string }[];
}

/**
 * Zoho ids from the organisation's own lists: accounts by name, items by SKU (and charge items by
 * name), customers whose name is the marketplace name. Ids are kept as the strings Zoho sent.
 */
export function zohoIdsFromLists(lists: ZohoLists): Pick<SettlementConfig, 'accounts' | 'items' | 'chargeItems' | 'customers'> {
  const accounts: Record<string, string> = {};
  for (const a of lists.accounts ?? []) accounts[a.account_name] ??= String(a.account_id);
  const items: Record<string, string> = {};
  const byName = new Map<string, string>();
  for (const it of lists.items ?? []) {
    if (it.sku) items[it.sku] ??= String(it.item_id);
    if (!byName.has(it.name.toLowerCase())) byName.set(it.name.toLowerCase(), String(it.item_id));
  }
  const chargeItems: Record<string, string> = {};
  for (const [charge, name] of Object.entries(CHARGE_ITEM_NAMES)) {
    const id = byName.get(name.toLowerCase());
    if (id) chargeItems[charge] = id;
  }
  const customers: Record<string, string> = {};
  for (const c of lists.contacts ?? []) customers[c.contact_name] ??= String(c.contact_id);
  return { accounts, items, chargeItems, customers };
}

// ---- Matching -------------------------------------------------------------------------------------

/** 2 exact, 1 prefix or suffix, 0 any, -1 no match. */
function fieldScore(pattern: string | undefined, value: string): number {
  if (pattern === undefined || pattern === '*' || pattern === '') return 0;
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  if (p.endsWith('*')) return v.startsWith(p.slice(0, -1)) ? 1 : -1;
  if (p.startsWith('*')) return v.endsWith(p.slice(1)) ? 1 : -1;
  return p === v ? 2 : -1;
}

export interface RuleMatcher {
  (line: Pick<SettlementLine, 'transactionType' | 'amountType' | 'amountDescription'>): AccountRule | undefined;
}

/** A matcher with a cache per triple (a 1M-line file has a few dozen distinct triples). */
export function ruleMatcher(rules: readonly AccountRule[]): RuleMatcher {
  const cache = new Map<string, AccountRule | undefined>();
  return (line) => {
    const key = `${line.transactionType}\u0000${line.amountType}\u0000${line.amountDescription}`;
    if (cache.has(key)) return cache.get(key);
    let best: AccountRule | undefined;
    let bestScore = -1;
    for (const r of rules) {
      const a = fieldScore(r.transactionType, line.transactionType);
      const b = fieldScore(r.amountType, line.amountType);
      const c = fieldScore(r.amountDescription, line.amountDescription);
      if (a < 0 || b < 0 || c < 0) continue;
      const score = a + b + c;
      if (score > bestScore) {
        best = r;
        bestScore = score;
      }
    }
    cache.set(key, best);
    return best;
  };
}

/** Finds a key in a name-keyed map ignoring case and surrounding spaces. */
export function lookupName(map: Record<string, string>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(map, name)) return map[name];
  const t = name.trim().toLowerCase();
  for (const k of Object.keys(map)) if (k.trim().toLowerCase() === t) return map[k];
  return undefined;
}
