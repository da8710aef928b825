/**
 * From parsed settlements to Zoho Books documents (DESIGN.md §4.3):
 * - invoices for the sales (`per-order`: AMZN + last 7 digits of the order id; `per-settlement`:
 *   one summary invoice per settlement and currency);
 * - one customer payment per settlement (and customer) applying to its invoices, never more than an
 *   invoice's known balance;
 * - one journal per settlement for everything that is not a sale (fees, commissions, refunds,
 *   reserves, reimbursements), the net deposit to the bank and the clearing line; balanced in cents;
 * - a reconciliation per settlement.
 *
 * Accounting picture: the payment lands in the clearing account (Dr Clearing = sales invoiced); the
 * journal moves the net deposit to the bank and books every other amount against clearing, so the
 * clearing account ends at zero exactly when total-amount = sales + other amounts.
 */
import { blocking, warning, type Problem } from '../kernel/problems';
import { formatAmount } from '../kernel/money';
import { invoiceNumberForOrder } from './invoice-number';
import {
  idempotencyKey,
  zohoAmount,
  type InvoiceDocument,
  type JournalDocument,
  type PaymentDocument,
  type SettlementDocument,
  type ZohoInvoiceLineItem,
  type ZohoJournalLine,
} from './documents';
import { lookupName, ruleMatcher, type AccountRule, type SettlementConfig } from './mapping';
import type { Settlement, SettlementLine } from './parse';

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

// ---- Plain results (the sheets are made from these) ---------------------------------------------------

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

// ---- The builder ------------------------------------------------------------------------------------------

interface Unmapped {
  settlement: Settlement;
  transactionType: string;
  amountType: string;
  amountDescription: string;
  cents: number;
  rows: number[];
}

interface MissingId {
  what: string;
  name: string;
  cents: number;
  currency: string;
  source: string;
  row: number;
  count: number;
}

export function buildSettlementDocuments(settlements: readonly Settlement[], config: SettlementConfig, options: BuildOptions = {}): SettlementBuild {
  const mode: InvoiceMode = options.invoiceMode ?? 'per-order';
  const balances = options.balances ?? new Map<string, KnownInvoice>();
  const match = ruleMatcher(config.rules);
  const problems: Problem[] = [];
  const out: SettlementBuild = { invoices: [], payments: [], journals: [], reconciliation: [], documents: [], problems };

  // Names → ids with a cache (lookups ignore case), and one problem per missing name with its total.
  const missing = new Map<string, MissingId>();
  const idCache = new Map<string, string | undefined>();
  const resolve = (what: 'account' | 'item' | 'charge item' | 'customer', map: Record<string, string>, name: string, cents: number, s: Settlement, row: number, rows = 1): string => {
    const ck = `${what}\u0000${name}`;
    let id = idCache.get(ck);
    if (!idCache.has(ck)) {
      id = lookupName(map, name);
      idCache.set(ck, id);
    }
    if (id) return id;
    const mk = `${what}\u0000${name}\u0000${s.currency}`;
    const m = missing.get(mk);
    if (m) {
      m.cents += cents;
      m.count += rows;
    } else missing.set(mk, { what, name, cents, currency: s.currency, source: s.file, row, count: rows });
    return '';
  };
  const nonSales = new Set(config.nonSalesMarketplaces.map((m) => m.trim().toLowerCase()));
  const unmapped = new Map<string, Unmapped>();
  // Invoice numbers across the whole run: two orders on one AMZN number cannot both be posted.
  const numberOwners = new Map<string, { orderId: string; settlementId: string; file: string; row: number }>();
  const collided = new Set<string>();

  for (const s of settlements) {
    const date = s.depositDate || s.endDate;
    if (!date)
      problems.push(blocking({ source: s.file, row: s.summaryRow, column: 'deposit-date', message: `Settlement ${s.settlementId} has no deposit-date or settlement-end-date to date its documents.`, code: 'no-date' }));

    // 1. Sort every line into: invoice (sale), journal account, or unmapped.
    const invoices = new Map<string, BuiltInvoice>();
    const invoiceLines = new Map<string, Map<string, InvoiceLine & { quantitySum: number; quantityKnown: boolean }>>();
    const journalNet = new Map<string, { cents: number; rows: number; descriptions: Set<string> }>();
    let invoiced = 0;
    let journalItems = 0;
    let unmappedCents = 0;

    for (const l of s.lines) {
      const rule = match(l);
      if (!rule) {
        const k = `${s.settlementId}\u0000${l.transactionType}\u0000${l.amountType}\u0000${l.amountDescription}`;
        const u = unmapped.get(k);
        if (u) {
          u.cents += l.cents;
          u.rows.push(l.row);
        } else unmapped.set(k, { settlement: s, transactionType: l.transactionType, amountType: l.amountType, amountDescription: l.amountDescription, cents: l.cents, rows: [l.row] });
        unmappedCents += l.cents;
        continue;
      }
      const isSale = rule.posting === 'sale' && !nonSales.has(l.marketplace.trim().toLowerCase());
      if (!isSale) {
        addJournal(journalNet, rule.account, l);
        journalItems += l.cents;
        continue;
      }
      if (l.cents === 0) continue;
      const inv = invoiceFor(s, l, mode, invoices, numberOwners, collided, problems, date);
      if (!inv) {
        // No invoice can carry it (no usable order id): booked to the rule's account so nothing is lost; the problem blocks posting.
        addJournal(journalNet, rule.account, l);
        journalItems += l.cents;
        continue;
      }
      addInvoiceLine(invoiceLines, inv, rule, l);
      invoiced += l.cents;
    }

    // 2. Invoices: resolve ids, fix quantities/rates, make documents.
    const sInvoices: BuiltInvoice[] = [];
    for (const inv of invoices.values()) {
      inv.customerId = resolve('customer', config.customers, inv.marketplace, 0, s, invoiceLines.get(inv.key)!.values().next().value?.rows[0] ?? s.summaryRow);
      const lines = [...invoiceLines.get(inv.key)!.values()];
      for (const line of lines) {
        line.itemId =
          line.kind === 'sku'
            ? resolve('item', config.items, line.what, line.cents, s, line.rows[0]!, line.rows.length)
            : resolve('charge item', config.chargeItems, line.what, line.cents, s, line.rows[0]!, line.rows.length);
        // Quantity × rate must give the amount exactly; otherwise quantity 1 at the line amount.
        const q = line.kind === 'sku' && line.quantityKnown && line.quantitySum > 0 ? line.quantitySum : 1;
        if (q > 1 && line.cents % q === 0) {
          line.quantity = q;
          line.rateCents = line.cents / q;
        } else {
          line.quantity = 1;
          line.rateCents = line.cents;
        }
        inv.lines.push({ what: line.what, kind: line.kind, itemId: line.itemId, quantity: line.quantity, rateCents: line.rateCents, cents: line.cents, rows: line.rows });
        if (line.cents < 0)
          problems.push(
            blocking({ source: s.file, row: line.rows[0], column: 'amount', value: formatAmount(line.cents, s.currency), message: `Invoice ${inv.invoiceNumber} would have a negative line for ${line.what} (${formatAmount(line.cents, s.currency)} ${s.currency}); Zoho invoices take positive lines. Map that amount to a journal account.`, code: 'negative-invoice-line' }),
          );
      }
      inv.totalCents = inv.lines.reduce((a, b) => a + b.cents, 0);
      if (inv.totalCents <= 0)
        problems.push(blocking({ source: s.file, row: inv.lines[0]?.rows[0], message: `Invoice ${inv.invoiceNumber} totals ${formatAmount(inv.totalCents, s.currency)} ${s.currency}; an invoice must be positive.`, code: 'invoice-not-positive' }));
      sInvoices.push(inv);
      out.invoices.push(inv);
    }

    // 3. Payments: one per customer of the settlement (one in practice).
    const byCustomer = new Map<string, BuiltInvoice[]>();
    for (const inv of sInvoices) {
      const list = byCustomer.get(inv.marketplace) ?? [];
      list.push(inv);
      byCustomer.set(inv.marketplace, list);
    }
    let paymentCents = 0;
    let appliedCents = 0;
    let n = 0;
    for (const [marketplace, list] of byCustomer) {
      n++;
      const reference = byCustomer.size === 1 ? s.settlementId : `${s.settlementId}-${n}`;
      const pay: BuiltPayment = {
        key: idempotencyKey(s.settlementId, 'payment', reference),
        settlementId: s.settlementId,
        referenceNumber: reference,
        date,
        marketplace,
        customerId: list[0]!.customerId,
        currency: s.currency,
        amountCents: 0,
        applications: [],
      };
      for (const inv of list) {
        pay.amountCents += inv.totalCents;
        const known = balances.get(inv.invoiceNumber);
        let applied = Math.max(0, inv.totalCents);
        let note = '';
        if (known) {
          if (known.balanceCents <= 0) {
            applied = 0;
            note = `Skipped: invoice ${inv.invoiceNumber} is already paid in Zoho (balance ${formatAmount(known.balanceCents, s.currency)}).`;
          } else if (known.balanceCents < applied) {
            applied = known.balanceCents;
            note = `Applied only the open balance ${formatAmount(known.balanceCents, s.currency)} of invoice ${inv.invoiceNumber} (total ${formatAmount(inv.totalCents, s.currency)}).`;
          }
          if (note)
            problems.push(warning({ source: s.file, row: inv.lines[0]?.rows[0], column: 'invoice', value: inv.invoiceNumber, message: `${note} The difference stays on the payment as unused customer credit.`, code: known.balanceCents <= 0 ? 'invoice-already-paid' : 'invoice-partly-paid' }));
        }
        pay.applications.push({ invoiceNumber: inv.invoiceNumber, invoiceKey: inv.key, invoiceCents: inv.totalCents, knownBalanceCents: known ? known.balanceCents : null, appliedCents: applied, note });
      }
      const appliedHere = pay.applications.reduce((a, b) => a + b.appliedCents, 0);
      if (appliedHere === 0) {
        // Every invoice is already paid: most likely this settlement was posted before. No payment is built
        // (it would only be an unapplied duplicate); the clearing account shows the difference.
        pay.skipped = `No payment built: every invoice of settlement ${s.settlementId} for ${marketplace} is already paid in Zoho.`;
        problems.push(warning({ source: s.file, row: s.summaryRow, column: 'settlement-id', value: s.settlementId, message: `${pay.skipped} Check whether this settlement was posted before.`, code: 'payment-skipped' }));
      } else {
        paymentCents += pay.amountCents;
        appliedCents += appliedHere;
      }
      out.payments.push(pay);
    }

    // 4. Journal: each account's net, the bank deposit, the clearing line.
    const jLines: BuiltJournalLine[] = [];
    for (const [account, j] of journalNet) {
      jLines.push({ account, accountId: '', creditCents: j.cents, description: `${account}: ${[...j.descriptions].join(', ')}`, rows: j.rows });
    }
    jLines.push({ account: config.bankAccount, accountId: '', creditCents: -s.totalCents, description: `Net deposit of settlement ${s.settlementId}`, rows: 0 });
    const othersCredit = jLines.reduce((a, b) => a + b.creditCents, 0);
    jLines.push({ account: config.clearingAccount, accountId: '', creditCents: -othersCredit, description: `Clearing of settlement ${s.settlementId} (payment of the sales)`, rows: 0 });
    // Lines on the same account (e.g. Micro Deposit to the bank) are netted into one.
    const merged = new Map<string, BuiltJournalLine>();
    for (const l of jLines) {
      const m = merged.get(l.account);
      if (m) {
        m.creditCents += l.creditCents;
        m.rows += l.rows;
        m.description = `${m.description}; ${l.description}`;
      } else merged.set(l.account, { ...l });
    }
    const lines = [...merged.values()].filter((l) => l.creditCents !== 0);
    for (const l of lines) l.accountId = resolve('account', config.accounts, l.account, 0, s, s.summaryRow);
    const debit = lines.reduce((a, l) => a + (l.creditCents < 0 ? -l.creditCents : 0), 0);
    const credit = lines.reduce((a, l) => a + (l.creditCents > 0 ? l.creditCents : 0), 0);
    const clearingCredit = -othersCredit;
    const journal: BuiltJournal = {
      key: idempotencyKey(s.settlementId, 'journal', s.settlementId),
      settlementId: s.settlementId,
      referenceNumber: s.settlementId,
      date,
      currency: s.currency,
      lines,
      debitCents: debit,
      creditCents: credit,
    };
    if (debit !== credit)
      problems.push(blocking({ source: s.file, row: s.summaryRow, message: `The journal of settlement ${s.settlementId} does not balance: debits ${formatAmount(debit, s.currency)}, credits ${formatAmount(credit, s.currency)}.`, code: 'journal-unbalanced' }));
    if (lines.length) out.journals.push(journal);

    // 5. Reconciliation.
    const clearing = paymentCents - clearingCredit;
    const checks: string[] = [];
    if (s.totalCents !== s.detailCents) checks.push(`total-amount differs from the detail sum by ${formatAmount(s.totalCents - s.detailCents, s.currency)}`);
    if (unmappedCents !== 0 || [...unmapped.values()].some((u) => u.settlement === s)) checks.push(`${formatAmount(unmappedCents, s.currency)} not mapped to an account`);
    if (clearing !== 0) checks.push(`clearing account left at ${formatAmount(clearing, s.currency)}`);
    if (appliedCents !== paymentCents) checks.push(`${formatAmount(paymentCents - appliedCents, s.currency)} of the payment not applied to invoices`);
    const balanced = s.totalCents === s.detailCents && clearing === 0 && invoiced + journalItems + unmappedCents === s.detailCents && unmappedCents === 0;
    out.reconciliation.push({
      settlementId: s.settlementId,
      file: s.file,
      currency: s.currency,
      depositDate: s.depositDate,
      totalCents: s.totalCents,
      detailCents: s.detailCents,
      invoicedCents: invoiced,
      paymentCents,
      appliedCents,
      journalItemsCents: journalItems,
      unmappedCents,
      bankCents: s.totalCents,
      clearingCents: clearing,
      balanced,
      status: checks.length ? checks.join('; ') : 'Balanced: invoices + journal items = total-amount; clearing is zero.',
    });
  }

  // Problems collected across the run: unmapped triples and missing ids, each once with its total.
  for (const u of unmapped.values()) {
    const s = u.settlement;
    problems.push(
      blocking({
        source: s.file,
        row: u.rows[0],
        column: 'amount-description',
        value: `${u.transactionType} / ${u.amountType} / ${u.amountDescription}`,
        message: `No GL account is mapped for transaction-type "${u.transactionType}", amount-type "${u.amountType}", amount-description "${u.amountDescription}": ${formatAmount(u.cents, s.currency)} ${s.currency} on ${u.rows.length} row${u.rows.length === 1 ? '' : 's'} of settlement ${s.settlementId}. Add a mapping.`,
        code: 'unmapped-type',
      }),
    );
  }
  for (const m of missing.values()) {
    const which =
      m.what === 'item'
        ? `SKU "${m.name}" has no Zoho item`
        : m.what === 'charge item'
          ? `The invoice charge "${m.name}" has no Zoho item`
          : m.what === 'customer'
            ? `Marketplace "${m.name}" has no Zoho customer`
            : `GL account "${m.name}" has no Zoho account id`;
    problems.push(
      blocking({
        source: m.source,
        row: m.row || undefined,
        column: m.what === 'item' ? 'sku' : m.what === 'customer' ? 'marketplace-name' : undefined,
        value: m.name,
        message: `${which}${m.what === 'item' || m.what === 'charge item' ? ` (${formatAmount(m.cents, m.currency)} ${m.currency} on ${m.count} row${m.count === 1 ? '' : 's'})` : ''}. Map it before posting.`,
        code: m.what === 'item' ? 'unmapped-sku' : m.what === 'customer' ? 'unmapped-customer' : m.what === 'charge item' ? 'unmapped-charge-item' : 'unmapped-account',
      }),
    );
  }

  out.documents = makeDocuments(out, settlements, config, balances);
  return out;
}

function addJournal(journalNet: Map<string, { cents: number; rows: number; descriptions: Set<string> }>, account: string, l: SettlementLine): void {
  const j = journalNet.get(account) ?? { cents: 0, rows: 0, descriptions: new Set<string>() };
  j.cents += l.cents;
  j.rows++;
  if (j.descriptions.size < 8) j.descriptions.add(l.amountDescription || l.amountType || l.transactionType);
  journalNet.set(account, j);
}

function invoiceFor(
  s: Settlement,
  l: SettlementLine,
  mode: InvoiceMode,
  invoices: Map<string, BuiltInvoice>,
  owners: Map<string, { orderId: string; settlementId: string; file: string; row: number }>,
  collided: Set<string>,
  problems: Problem[],
  date: string,
): BuiltInvoice | null {
  let number: string;
  let groupKey: string;
  if (mode === 'per-settlement') {
    // One summary invoice per settlement and currency (and customer, when a settlement has several).
    groupKey = `${l.marketplace}`;
    number = `AMZS-${s.settlementId}-${s.currency}`;
    const other = [...invoices.values()].filter((i) => i.marketplace !== l.marketplace).length;
    if (!invoices.has(groupKey) && other > 0) number = `${number}-${other + 1}`;
  } else {
    const r = invoiceNumberForOrder(l.orderId);
    if (!r.ok) {
      problems.push(blocking({ source: s.file, row: l.row, column: 'order-id', value: l.orderId, message: `This sale cannot be invoiced per order: ${r.reason}`, code: 'bad-order-id' }));
      return null;
    }
    number = r.invoiceNumber;
    groupKey = l.orderId;
    const owner = owners.get(number);
    if (!owner) owners.set(number, { orderId: l.orderId, settlementId: s.settlementId, file: s.file, row: l.row });
    else if (owner.orderId !== l.orderId) {
      if (!collided.has(`${number}\u0000${l.orderId}`)) {
        collided.add(`${number}\u0000${l.orderId}`);
        problems.push(
          blocking({ source: s.file, row: l.row, column: 'order-id', value: l.orderId, message: `Orders ${owner.orderId} (${owner.file} row ${owner.row}) and ${l.orderId} both get invoice number ${number}; Zoho would refuse the second (1001). Use per-settlement invoices for this run.`, code: 'invoice-number-collision' }),
        );
      }
      // The second order gets no invoice of its own (it would share the first one's key); its amounts stay visible in the journal.
      return null;
    } else if (owner.settlementId !== s.settlementId && !invoices.has(groupKey)) {
      problems.push(
        blocking({ source: s.file, row: l.row, column: 'order-id', value: l.orderId, message: `Order ${l.orderId} has sales in settlements ${owner.settlementId} and ${s.settlementId}; both would be invoice ${number}. Use per-settlement invoices for this run.`, code: 'invoice-number-collision' }),
      );
    }
  }
  let inv = invoices.get(groupKey);
  if (!inv) {
    inv = {
      key: idempotencyKey(s.settlementId, 'invoice', number),
      settlementId: s.settlementId,
      file: s.file,
      invoiceNumber: number,
      orderId: mode === 'per-order' ? l.orderId : '',
      date: mode === 'per-order' ? l.postedDate || date : date,
      marketplace: l.marketplace,
      customerId: '',
      currency: s.currency,
      lines: [],
      totalCents: 0,
    };
    invoices.set(groupKey, inv);
  } else if (mode === 'per-order' && l.postedDate && (!inv.date || l.postedDate < inv.date)) inv.date = l.postedDate;
  return inv;
}

function addInvoiceLine(
  all: Map<string, Map<string, InvoiceLine & { quantitySum: number; quantityKnown: boolean }>>,
  inv: BuiltInvoice,
  rule: AccountRule,
  l: SettlementLine,
): void {
  const lines = all.get(inv.key) ?? new Map();
  all.set(inv.key, lines);
  const isSku = (rule.line ?? 'sku') === 'sku';
  const what = isSku ? l.sku : rule.line!;
  const k = `${isSku ? 'sku' : 'charge'}\u0000${what}`;
  let line = lines.get(k);
  if (!line) {
    line = { what, kind: isSku ? 'sku' : 'charge', itemId: '', quantity: 1, rateCents: 0, cents: 0, rows: [], quantitySum: 0, quantityKnown: true };
    lines.set(k, line);
  }
  line.cents += l.cents;
  line.rows.push(l.row);
  if (l.quantity === null) line.quantityKnown = false;
  else line.quantitySum += l.quantity;
}

// ---- Documents -------------------------------------------------------------------------------------------

function sourceRows(file: string, rows: number[]): { file: string; rows: number[] }[] {
  return [{ file, rows: [...new Set(rows)].sort((a, b) => a - b) }];
}

function makeDocuments(b: SettlementBuild, settlements: readonly Settlement[], config: SettlementConfig, balances: ReadonlyMap<string, KnownInvoice>): SettlementDocument[] {
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
