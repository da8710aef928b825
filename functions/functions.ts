/**
 * CLOSEDESK custom functions: thin wrappers over src/, following functions/adapt.ts
 * (range → table → engine verb → spill with header; problems → #VALUE! with the sentence).
 * Metadata (functions.json) is generated from the JSDoc below; after adding or changing a
 * function run `npm run functions:golden` and commit test/functions/functions.golden.json.
 * Functions that need the backend go through functions/backend-batch.ts (one request per recalculation).
 */
import pkg from '../package.json';
import { invoiceNumberForOrder } from '../src/settlements/invoice-number';
import { functionError } from './adapt';
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
// go here, written by the FIFO job helper with spillVerb/optionalArg from ./adapt.
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Vendor returns (src/vendor-returns) — RVRAMOUNT(amount, refund), CREDITACCOUNT(productLine)
// and JOURNALCHECK(lines) go here, written by the VRET job helper with ./adapt.
// ---------------------------------------------------------------------------------------------
