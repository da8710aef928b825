/**
 * Legacy per-order invoice numbering (docs/rules.md, "Amazon settlements"): "AMZN" + the last 7 digits of the
 * order id's digits, so '114-1234567-7654321' → 'AMZN7654321'. Collisions between two orders on
 * one number are the settlement builder's concern; this only derives the number.
 */
import { readId } from '../kernel/ids';
import type { Cell } from '../kernel/table';

export const INVOICE_PREFIX = 'AMZN';
export const INVOICE_DIGITS = 7;

export type InvoiceNumberResult = { ok: true; invoiceNumber: string } | { ok: false; reason: string };

export function invoiceNumberForOrder(orderId: Cell | undefined): InvoiceNumberResult {
  // Through readId so an order id that Excel turned into an inexact number is refused, not guessed.
  const id = readId(orderId);
  if (!id.ok) return { ok: false, reason: `The order id is not usable: ${id.reason}` };
  const digits = id.id.replace(/\D/g, '');
  if (digits.length < INVOICE_DIGITS) {
    return {
      ok: false,
      reason: `The order id "${id.id}" has ${digits.length} digit${digits.length === 1 ? '' : 's'}; an invoice number needs at least ${INVOICE_DIGITS}.`,
    };
  }
  return { ok: true, invoiceNumber: INVOICE_PREFIX + digits.slice(-INVOICE_DIGITS) };
}
