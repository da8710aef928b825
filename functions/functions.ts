/**
 * CLOSEDESK custom functions: thin wrappers over src/, following functions/adapt.ts
 * (range → table → engine verb → spill with header; problems → #VALUE! with the sentence).
 * Metadata (functions.json) is generated from the JSDoc below; after adding or changing a
 * function run `npm run functions:golden` and commit test/functions/functions.golden.json.
 * Functions that need the backend go through functions/backend-batch.ts (one request per recalculation).
 */
import pkg from '../package.json';
import { invoiceNumberForOrder } from '../src/settlements/invoice-number';
import { centsToNumber, formatAmount, parseAmount } from '../src/kernel/money';
import { checkJournalRange } from '../src/journal/journal';
import { creditAccountFor, defaultVretConfig } from '../src/vendor-returns/config';
import { rvrAmount } from '../src/vendor-returns/rvr-amount';
import { functionError, throwOnBlocking, optionalArg, rangeTable, spillVerb } from './adapt';
import { fifoAllocationTable, fifoBalance, parseFifoMode } from '../src/fifo/formulas';
import { deferredRegistry } from './registry';

// The metadata plugin appends `CustomFunctions.associate(id, fn)` calls to this file; this binding
// sends them to Excel's registry once Office is ready, and nowhere in a plain browser.
const CustomFunctions = deferredRegistry();
export const registry = CustomFunctions;

/**
 * The CloseDesk add-in version.
 * @customfunction VERSION
 * @returns The version number, for example 0.1.0.
 */
export function version(): string {
  return pkg.version;
}

// ---------------------------------------------------------------------------------------------
// Amazon settlements (src/settlements)
// ---------------------------------------------------------------------------------------------

/**
 * Invoice number of an Amazon order in per-order mode: "AMZN" and the last 7 digits of the order id.
 * @customfunction INVOICENUMBER
 * @param orderId Amazon order id, for example 114-1234567-7654321.
 * @returns The invoice number, for example AMZN7654321.
 */
export function invoiceNumber(orderId: string | number | boolean): string {
  const result = invoiceNumberForOrder(orderId);
  if (!result.ok) throw functionError(result.reason);
  return result.invoiceNumber;
}

// ---------------------------------------------------------------------------------------------
// FIFO matching (src/fifo) — FIFO(transactions, [mode]) and BALANCE(transactions, customer, [asOf])
// ---------------------------------------------------------------------------------------------

/**
 * FIFO matching of reward cash: which earned rows each spent or expired row consumed, oldest first.
 * @customfunction FIFO
 * @param transactions Range with a header row: TRANS_ID, TCTYPE (or TYPE), CREATEDAT, CUSTOMERID, AMOUNT.
 * @param [mode] "lots" (default: lots split to the cent) or "one-to-one" (the legacy rule).
 * @returns The allocations with a header: REDEEM_TRANS_ID, EARNED_TRANS_ID, AMOUNT.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Excel gives any cell type in a range
export function fifo(transactions: any[][], mode?: string): any[][] {
  const chosen = parseFifoMode(optionalArg<string>(mode, 'lots'));
  if (!chosen) throw functionError(`mode is "lots" or "one-to-one", not "${String(mode)}".`);
  return spillVerb('transactions', transactions, (table) => fifoAllocationTable(table, chosen));
}

/**
 * A customer's reward-cash balance (earned minus spent and expired), as of a date when given.
 * @customfunction BALANCE
 * @param transactions Range with a header row: TRANS_ID, TCTYPE (or TYPE), CREATEDAT, CUSTOMERID, AMOUNT.
 * @param customer The CUSTOMERID.
 * @param [asOf] Count only rows created on or before this date.
 * @returns The balance.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Excel gives any cell type in a range
export function balance(transactions: any[][], customer: string | number, asOf?: string | number): number {
  const result = fifoBalance(rangeTable('transactions', transactions), customer, optionalArg<string | number | null>(asOf, null));
  if (!result.ok) {
    if (result.problems) throwOnBlocking(result.problems);
    throw functionError(result.reason, 'notAvailable');
  }
  return result.value;
}

// ---------------------------------------------------------------------------------------------
// Vendor returns (src/vendor-returns) — RVRAMOUNT(amount, refund), CREDITACCOUNT(productLine)
// and JOURNALCHECK(lines) go here, written by the VRET job helper with ./adapt.
// ---------------------------------------------------------------------------------------------

/** An amount argument in cents: numbers as Excel holds them (rounded to the cent), text parsed exactly. */
function centsArg(name: string, value: unknown): number {
  if (value === null || value === undefined || value === '') return 0;
  if (typeof value !== 'number' && typeof value !== 'string') throw functionError(`${name} must be an amount.`);
  const r = parseAmount(value, { round: typeof value === 'number' });
  if (!r.ok) throw functionError(`${name}: ${r.reason}`);
  return r.cents;
}

/**
 * The part of a vendor return covered by its RVR refund: the smaller of the amount and the refund when the refund is positive, else 0.
 * @customfunction RVRAMOUNT
 * @param amount The transaction amount, for example 100.00.
 * @param refund The RVR refund (TOT_BASE_REFUND_AMT), for example 30.00.
 * @returns The RVR amount; the vendor funding is the amount minus it.
 */
export function rvrAmountFunction(amount: number | string, refund: number | string): number {
  return centsToNumber(rvrAmount(centsArg('amount', amount), centsArg('refund', refund)));
}

/**
 * The account credited with vendor funding for a product line: 48550 for 1810, 2010 and 2530, otherwise 52910.
 * @customfunction CREDITACCOUNT
 * @param productLine The PROD segment, for example 1810.
 * @returns The account number as text.
 */
export function creditAccountFunction(productLine: string | number): string {
  const text = String(productLine ?? '').trim();
  if (!text) throw functionError('productLine is empty.');
  return creditAccountFor(text, defaultVretConfig());
}

/**
 * Checks that journal lines balance: a range with Debit and Credit columns (and optionally Currency) under a header row, or two bare columns debit, credit.
 * @customfunction JOURNALCHECK
 * @param lines The journal lines.
 * @returns "balanced", or the difference debits minus credits (per currency when there are several).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Excel gives any cell type; a union result is not allowed in the metadata
export function journalCheckFunction(lines: any[][]): any {
  if (!Array.isArray(lines) || lines.length === 0) throw functionError('lines must be a range.');
  const { balances, problems } = checkJournalRange(lines);
  throwOnBlocking(problems);
  const off = balances.filter((b) => b.difference !== 0);
  if (off.length === 0) return 'balanced';
  if (balances.length === 1) return centsToNumber(off[0]!.difference, off[0]!.currency);
  return off.map((b) => `${b.currency} ${formatAmount(b.difference, b.currency)}`).join('; ');
}
