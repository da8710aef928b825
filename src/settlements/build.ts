// Over 400 lines on purpose: one build read top to bottom, its seven steps as functions in the order they run.
/**
 * From parsed settlements to Zoho Books documents, in numbered steps per settlement:
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
import { addCents, formatAmount, sumCents } from '../kernel/money';
import { NetAccumulator, sideTotals } from '../journal/journal';
import { invoiceNumberForOrder } from './invoice-number';
import type { BuildOptions, BuiltApplication, BuiltInvoice, BuiltJournal, BuiltJournalLine, BuiltPayment, InvoiceLine, InvoiceMode, KnownInvoice, SettlementBuild, SettlementReconciliation } from './built';
import { idempotencyKey } from './documents';
import { lookupName, ruleMatcher, type AccountRule, type SettlementConfig } from './mapping';
import type { Settlement, SettlementLine } from './parse';
import { settlementDocuments } from './zoho-documents';

export type { BuildOptions, BuiltApplication, BuiltInvoice, BuiltJournal, BuiltJournalLine, BuiltPayment, InvoiceLine, InvoiceMode, KnownInvoice, SettlementBuild, SettlementReconciliation } from './built';

// ---- The builder ------------------------------------------------------------------------------------------

/** What the build reads: the settlements, the configuration and what Zoho already holds. */
export interface BuildSettlementInput {
  settlements: readonly Settlement[];
  config: SettlementConfig;
  mode: InvoiceMode;
  balances: ReadonlyMap<string, KnownInvoice>;
}

interface Unmapped {
  settlement: Settlement;
  transactionType: string;
  amountType: string;
  amountDescription: string;
  cents: number;
  rows: number[];
}

interface MissingId {
  what: IdKind;
  name: string;
  cents: number;
  currency: string;
  source: string;
  row: number;
  count: number;
}

type IdKind = 'account' | 'item' | 'charge item' | 'customer';

interface NumberOwner {
  orderId: string;
  settlementId: string;
  file: string;
  row: number;
}

/** State shared by the settlements of one build: names → ids, what is unmapped, invoice numbers taken. */
interface BuildRun {
  input: BuildSettlementInput;
  match: ReturnType<typeof ruleMatcher>;
  nonSales: Set<string>;
  problems: Problem[];
  out: SettlementBuild;
  idCache: Map<string, string | undefined>;
  missing: Map<string, MissingId>;
  unmapped: Map<string, Unmapped>;
  /** Invoice numbers across the whole run: two orders on one AMZN number cannot both be posted. */
  numberOwners: Map<string, NumberOwner>;
  collided: Set<string>;
}

type DraftLine = InvoiceLine & { quantitySum: number; quantityKnown: boolean };

/** Step 1's result for one settlement. */
interface SortedLines {
  invoices: Map<string, BuiltInvoice>;
  invoiceLines: Map<string, Map<string, DraftLine>>;
  journalNet: Map<string, { cents: number; rows: number; descriptions: Set<string> }>;
  invoiced: number;
  journalItems: number;
  unmappedCents: number;
}

export function buildSettlementDocuments(settlements: readonly Settlement[], config: SettlementConfig, options: BuildOptions = {}): SettlementBuild {
  const input: BuildSettlementInput = { settlements, config, mode: options.invoiceMode ?? 'per-order', balances: options.balances ?? new Map<string, KnownInvoice>() };
  const problems: Problem[] = [];
  const run: BuildRun = {
    input,
    match: ruleMatcher(config.rules),
    nonSales: new Set(config.nonSalesMarketplaces.map((m) => m.trim().toLowerCase())),
    problems,
    out: { invoices: [], payments: [], journals: [], reconciliation: [], documents: [], problems },
    idCache: new Map(),
    missing: new Map(),
    unmapped: new Map(),
    numberOwners: new Map(),
    collided: new Set(),
  };
  for (const s of settlements) {
    const date = s.depositDate || s.endDate;
    if (!date)
      problems.push(blocking({ source: s.file, row: s.summaryRow, column: 'deposit-date', message: `Settlement ${s.settlementId} has no deposit-date or settlement-end-date to date its documents.`, code: 'no-date' }));
    // 1. Sort every line into: invoice (sale), journal account, or unmapped.
    const sorted = sortLines(run, s, date);
    // 2. Invoices: resolve ids, fix quantities/rates.
    const invoices = finishInvoices(run, s, sorted);
    // 3. Payments: one per customer of the settlement (one in practice).
    const paid = buildPayments(run, s, date, invoices);
    // 4. Journal: each account's net, the bank deposit, the clearing line.
    const clearingCredit = buildJournal(run, s, date, sorted.journalNet);
    // 5. Reconciliation.
    run.out.reconciliation.push(reconcile(run, s, sorted, paid, clearingCredit));
  }
  // 6. Problems collected across the run: unmapped triples and missing ids, each once with its total.
  problems.push(...unmappedProblems(run), ...missingIdProblems(run));
  // 7. The Zoho documents.
  run.out.documents = settlementDocuments(run.out, input);
  return run.out;
}

/** Names → ids with a cache (look-ups ignore case), and one problem per missing name with its total. */
function resolveId(run: BuildRun, what: IdKind, map: Record<string, string>, name: string, cents: number, s: Settlement, row: number, rows = 1): string {
  const ck = `${what}\u0000${name}`;
  let id = run.idCache.get(ck);
  if (!run.idCache.has(ck)) {
    id = lookupName(map, name);
    run.idCache.set(ck, id);
  }
  if (id) return id;
  const mk = `${what}\u0000${name}\u0000${s.currency}`;
  const m = run.missing.get(mk);
  if (m) {
    m.cents = addCents(m.cents, cents);
    m.count += rows;
  } else run.missing.set(mk, { what, name, cents, currency: s.currency, source: s.file, row, count: rows });
  return '';
}

function sortLines(run: BuildRun, s: Settlement, date: string): SortedLines {
  const r: SortedLines = { invoices: new Map(), invoiceLines: new Map(), journalNet: new Map(), invoiced: 0, journalItems: 0, unmappedCents: 0 };
  for (const l of s.lines) {
    const rule = run.match(l);
    if (!rule) {
      const k = `${s.settlementId}\u0000${l.transactionType}\u0000${l.amountType}\u0000${l.amountDescription}`;
      const u = run.unmapped.get(k);
      if (u) {
        u.cents = addCents(u.cents, l.cents);
        u.rows.push(l.row);
      } else run.unmapped.set(k, { settlement: s, transactionType: l.transactionType, amountType: l.amountType, amountDescription: l.amountDescription, cents: l.cents, rows: [l.row] });
      r.unmappedCents = addCents(r.unmappedCents, l.cents);
      continue;
    }
    const isSale = rule.posting === 'sale' && !run.nonSales.has(l.marketplace.trim().toLowerCase());
    if (!isSale) {
      addJournal(r.journalNet, rule.account, l);
      r.journalItems = addCents(r.journalItems, l.cents);
      continue;
    }
    if (l.cents === 0) continue;
    const inv = invoiceFor(run, s, l, r.invoices, date);
    if (!inv) {
      // No invoice can carry it (no usable order id): booked to the rule's account so nothing is lost; the problem blocks posting.
      addJournal(r.journalNet, rule.account, l);
      r.journalItems = addCents(r.journalItems, l.cents);
      continue;
    }
    addInvoiceLine(r.invoiceLines, inv, rule, l);
    r.invoiced = addCents(r.invoiced, l.cents);
  }
  return r;
}

function finishInvoices(run: BuildRun, s: Settlement, sorted: SortedLines): BuiltInvoice[] {
  const { config } = run.input;
  const out: BuiltInvoice[] = [];
  for (const inv of sorted.invoices.values()) {
    const drafts = sorted.invoiceLines.get(inv.key)!;
    inv.customerId = resolveId(run, 'customer', config.customers, inv.marketplace, 0, s, drafts.values().next().value?.rows[0] ?? s.summaryRow);
    for (const line of drafts.values()) {
      line.itemId =
        line.kind === 'sku'
          ? resolveId(run, 'item', config.items, line.what, line.cents, s, line.rows[0]!, line.rows.length)
          : resolveId(run, 'charge item', config.chargeItems, line.what, line.cents, s, line.rows[0]!, line.rows.length);
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
        run.problems.push(
          blocking({ source: s.file, row: line.rows[0], column: 'amount', value: formatAmount(line.cents, s.currency), message: `Invoice ${inv.invoiceNumber} would have a negative line for ${line.what} (${formatAmount(line.cents, s.currency)} ${s.currency}); Zoho invoices take positive lines. Map that amount to a journal account.`, code: 'negative-invoice-line' }),
        );
    }
    inv.totalCents = sumCents(inv.lines.map((l) => l.cents));
    if (inv.totalCents <= 0)
      run.problems.push(blocking({ source: s.file, row: inv.lines[0]?.rows[0], message: `Invoice ${inv.invoiceNumber} totals ${formatAmount(inv.totalCents, s.currency)} ${s.currency}; an invoice must be positive.`, code: 'invoice-not-positive' }));
    out.push(inv);
    run.out.invoices.push(inv);
  }
  return out;
}

/** Payments into clearing of one settlement, and how much of them was applied to invoices. */
function buildPayments(run: BuildRun, s: Settlement, date: string, invoices: readonly BuiltInvoice[]): { paymentCents: number; appliedCents: number } {
  const byCustomer = new Map<string, BuiltInvoice[]>();
  for (const inv of invoices) {
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
      amountCents: sumCents(list.map((inv) => inv.totalCents)),
      applications: list.map((inv) => application(run, s, inv)),
    };
    const appliedHere = sumCents(pay.applications.map((a) => a.appliedCents));
    if (appliedHere === 0) {
      // Every invoice is already paid: most likely this settlement was posted before. No payment is built
      // (it would only be an unapplied duplicate); the clearing account shows the difference.
      pay.skipped = `No payment built: every invoice of settlement ${s.settlementId} for ${marketplace} is already paid in Zoho.`;
      run.problems.push(warning({ source: s.file, row: s.summaryRow, column: 'settlement-id', value: s.settlementId, message: `${pay.skipped} Check whether this settlement was posted before.`, code: 'payment-skipped' }));
    } else {
      paymentCents = addCents(paymentCents, pay.amountCents);
      appliedCents = addCents(appliedCents, appliedHere);
    }
    run.out.payments.push(pay);
  }
  return { paymentCents, appliedCents };
}

/** What a payment applies to one invoice: its total, never more than Zoho's known open balance. */
function application(run: BuildRun, s: Settlement, inv: BuiltInvoice): BuiltApplication {
  const known = run.input.balances.get(inv.invoiceNumber);
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
      run.problems.push(warning({ source: s.file, row: inv.lines[0]?.rows[0], column: 'invoice', value: inv.invoiceNumber, message: `${note} The difference stays on the payment as unused customer credit.`, code: known.balanceCents <= 0 ? 'invoice-already-paid' : 'invoice-partly-paid' }));
  }
  return { invoiceNumber: inv.invoiceNumber, invoiceKey: inv.key, invoiceCents: inv.totalCents, knownBalanceCents: known ? known.balanceCents : null, appliedCents: applied, note };
}

/**
 * The settlement's journal through the shared journal model (src/journal): each account's net,
 * the net deposit to the bank and the clearing line, lines on the same account netted into one.
 * Returns the clearing line's credit (the payments it clears).
 */
function buildJournal(run: BuildRun, s: Settlement, date: string, journalNet: SortedLines['journalNet']): number {
  const { config } = run.input;
  type Line = { account: string; description: string; rows: number };
  const acc = new NetAccumulator<Line>((a, b) => ({ account: a.account, description: `${a.description}; ${b.description}`, rows: a.rows + b.rows }));
  // Settlement sign: money to the seller is a credit to the account; the accumulator takes debits as positive.
  for (const [account, j] of journalNet) acc.post(account, { account, description: `${account}: ${[...j.descriptions].join(', ')}`, rows: j.rows }, -j.cents);
  acc.post(config.bankAccount, { account: config.bankAccount, description: `Net deposit of settlement ${s.settlementId}`, rows: 0 }, s.totalCents);
  // The clearing line balances the others: the payment of the sales.
  const othersDebit = acc.net();
  acc.post(config.clearingAccount, { account: config.clearingAccount, description: `Clearing of settlement ${s.settlementId} (payment of the sales)`, rows: 0 }, -othersDebit);
  const sides = acc.toSides();
  const lines: BuiltJournalLine[] = sides.map((l) => ({ account: l.item.account, accountId: '', creditCents: l.credit - l.debit, description: l.item.description, rows: l.item.rows }));
  for (const l of lines) l.accountId = resolveId(run, 'account', config.accounts, l.account, 0, s, s.summaryRow);
  const totals = sideTotals(sides);
  const journal: BuiltJournal = {
    key: idempotencyKey(s.settlementId, 'journal', s.settlementId),
    settlementId: s.settlementId,
    referenceNumber: s.settlementId,
    date,
    currency: s.currency,
    lines,
    debitCents: totals.debits,
    creditCents: totals.credits,
  };
  if (totals.difference !== 0)
    run.problems.push(blocking({ source: s.file, row: s.summaryRow, message: `The journal of settlement ${s.settlementId} does not balance: debits ${formatAmount(totals.debits, s.currency)}, credits ${formatAmount(totals.credits, s.currency)}.`, code: 'journal-unbalanced' }));
  if (lines.length) run.out.journals.push(journal);
  return othersDebit;
}

function reconcile(run: BuildRun, s: Settlement, sorted: SortedLines, paid: { paymentCents: number; appliedCents: number }, clearingCredit: number): SettlementReconciliation {
  const { invoiced, journalItems, unmappedCents } = sorted;
  const { paymentCents, appliedCents } = paid;
  const clearing = paymentCents - clearingCredit;
  const status = reconciliationStatus(s.currency, {
    totalMinusDetail: s.totalCents - s.detailCents,
    unmapped: unmappedCents !== 0 || [...run.unmapped.values()].some((u) => u.settlement === s) ? unmappedCents : null,
    clearing,
    unapplied: paymentCents - appliedCents,
  });
  const balanced = s.totalCents === s.detailCents && clearing === 0 && sumCents([invoiced, journalItems, unmappedCents]) === s.detailCents && unmappedCents === 0;
  return {
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
    status,
  };
}

/** What a reconciliation found besides balance: each a difference in cents (0: none), unmapped null when every line mapped. */
export interface ReconciliationFacts {
  totalMinusDetail: number;
  unmapped: number | null;
  clearing: number;
  unapplied: number;
}

/**
 * The reconciliation's status: every sentence starts with a word, so a CSV or sheet never reads it as
 * a number or a formula (an amount first would get the formula neutraliser's apostrophe).
 */
export function reconciliationStatus(currency: string, f: ReconciliationFacts): string {
  const checks: string[] = [];
  if (f.totalMinusDetail !== 0) checks.push(`The total-amount differs from the detail sum by ${formatAmount(f.totalMinusDetail, currency)}`);
  if (f.unmapped !== null) checks.push(`Amount ${formatAmount(f.unmapped, currency)} not mapped to an account`);
  if (f.clearing !== 0) checks.push(`Clearing account left at ${formatAmount(f.clearing, currency)}`);
  if (f.unapplied !== 0) checks.push(`Amount ${formatAmount(f.unapplied, currency)} of the payment not applied to invoices`);
  return checks.length ? checks.join('; ') : 'Balanced: invoices + journal items = total-amount; clearing is zero.';
}

function unmappedProblems(run: BuildRun): Problem[] {
  return [...run.unmapped.values()].map((u) => {
    const s = u.settlement;
    return blocking({
      source: s.file,
      row: u.rows[0],
      column: 'amount-description',
      value: `${u.transactionType} / ${u.amountType} / ${u.amountDescription}`,
      message: `No GL account is mapped for transaction-type "${u.transactionType}", amount-type "${u.amountType}", amount-description "${u.amountDescription}": ${formatAmount(u.cents, s.currency)} ${s.currency} on ${u.rows.length} row${u.rows.length === 1 ? '' : 's'} of settlement ${s.settlementId}. Add a mapping.`,
      code: 'unmapped-type',
    });
  });
}

function missingIdProblems(run: BuildRun): Problem[] {
  return [...run.missing.values()].map((m) => {
    const which =
      m.what === 'item'
        ? `SKU "${m.name}" has no Zoho item`
        : m.what === 'charge item'
          ? `The invoice charge "${m.name}" has no Zoho item`
          : m.what === 'customer'
            ? `Marketplace "${m.name}" has no Zoho customer`
            : `GL account "${m.name}" has no Zoho account id`;
    return blocking({
      source: m.source,
      row: m.row || undefined,
      column: m.what === 'item' ? 'sku' : m.what === 'customer' ? 'marketplace-name' : undefined,
      value: m.name,
      message: `${which}${m.what === 'item' || m.what === 'charge item' ? ` (${formatAmount(m.cents, m.currency)} ${m.currency} on ${m.count} row${m.count === 1 ? '' : 's'})` : ''}. Map it before posting.`,
      code: m.what === 'item' ? 'unmapped-sku' : m.what === 'customer' ? 'unmapped-customer' : m.what === 'charge item' ? 'unmapped-charge-item' : 'unmapped-account',
    });
  });
}

function addJournal(journalNet: SortedLines['journalNet'], account: string, l: SettlementLine): void {
  const j = journalNet.get(account) ?? { cents: 0, rows: 0, descriptions: new Set<string>() };
  j.cents = addCents(j.cents, l.cents);
  j.rows++;
  if (j.descriptions.size < 8) j.descriptions.add(l.amountDescription || l.amountType || l.transactionType);
  journalNet.set(account, j);
}

function invoiceFor(run: BuildRun, s: Settlement, l: SettlementLine, invoices: Map<string, BuiltInvoice>, date: string): BuiltInvoice | null {
  const mode = run.input.mode;
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
      run.problems.push(blocking({ source: s.file, row: l.row, column: 'order-id', value: l.orderId, message: `This sale cannot be invoiced per order: ${r.reason}`, code: 'bad-order-id' }));
      return null;
    }
    number = r.invoiceNumber;
    groupKey = l.orderId;
    const owner = run.numberOwners.get(number);
    if (!owner) run.numberOwners.set(number, { orderId: l.orderId, settlementId: s.settlementId, file: s.file, row: l.row });
    else if (owner.orderId !== l.orderId) {
      if (!run.collided.has(`${number}\u0000${l.orderId}`)) {
        run.collided.add(`${number}\u0000${l.orderId}`);
        run.problems.push(
          blocking({ source: s.file, row: l.row, column: 'order-id', value: l.orderId, message: `Orders ${owner.orderId} (${owner.file} row ${owner.row}) and ${l.orderId} both get invoice number ${number}; Zoho would refuse the second (1001). Use per-settlement invoices for this run.`, code: 'invoice-number-collision' }),
        );
      }
      // The second order gets no invoice of its own (it would share the first one's key); its amounts stay visible in the journal.
      return null;
    } else if (owner.settlementId !== s.settlementId && !invoices.has(groupKey)) {
      run.problems.push(
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

function addInvoiceLine(all: SortedLines['invoiceLines'], inv: BuiltInvoice, rule: AccountRule, l: SettlementLine): void {
  const lines = all.get(inv.key) ?? new Map<string, DraftLine>();
  all.set(inv.key, lines);
  const isSku = (rule.line ?? 'sku') === 'sku';
  const what = isSku ? l.sku : rule.line!;
  const k = `${isSku ? 'sku' : 'charge'}\u0000${what}`;
  let line = lines.get(k);
  if (!line) {
    line = { what, kind: isSku ? 'sku' : 'charge', itemId: '', quantity: 1, rateCents: 0, cents: 0, rows: [], quantitySum: 0, quantityKnown: true };
    lines.set(k, line);
  }
  line.cents = addCents(line.cents, l.cents);
  line.rows.push(l.row);
  if (l.quantity === null) line.quantityKnown = false;
  else line.quantitySum += l.quantity;
}
