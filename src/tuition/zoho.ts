/**
 * An approved tuition invoice as a Zoho Books invoice document: the Zoho invoice number is ours
 * (`<number>-v<version>`, unique per organisation, so Zoho refuses a second copy), one line per user
 * and expense type under the customer's Zoho item, no negative lines (Zoho invoices take none: a credit goes by file or as a credit
 * note), and only in the Zoho customer's own currency (another currency would change every amount).
 */
import { centsToNumber, formatAmount } from '../kernel/money';
import type { ZohoDocument } from '../zoho/documents';
import type { TuitionInvoice } from './invoices';
import type { ExpenseType } from './profiles';

/** How an expense type reads on the invoice and the approval page. */
export const EXPENSE_TYPE_WORDS: Readonly<Record<ExpenseType, string>> = { TUITION: 'Tuition', MATERIALS: 'Books and materials', TUTORING: 'Tutoring' };

export const expenseTypeWords = (t: string): string => EXPENSE_TYPE_WORDS[t as ExpenseType] ?? t;

/** The Zoho invoice number of one version of a tuition invoice. */
export function tuitionZohoNumber(number: string, version: number): string {
  return `${number}-v${version}`;
}

export interface TuitionZohoInput {
  number: string;
  version: number;
  month: string;
  currency: string;
  /** sha-256 of the approved version (the reference Zoho shows). */
  hash: string;
  approvedBy: string | null;
  document: Pick<TuitionInvoice, 'lines' | 'totalCents'>;
}

export interface TuitionZohoCustomer {
  /** The customer as CloseDesk names it (for the sentences). */
  customer: string;
  /** The customer's contact id in Zoho Books (text, 17+ digits). */
  contactId: string;
  contactName: string;
  /** The contact's currency in Zoho, when Zoho says. */
  currency?: string;
  /** The Zoho item every line is billed under (Zoho requires an item on each invoice line). */
  itemId: string;
}

export type TuitionZohoResult = { ok: true; document: ZohoDocument } | { ok: false; reason: string };

export function tuitionZohoDocument(inv: TuitionZohoInput, customer: TuitionZohoCustomer): TuitionZohoResult {
  const negative = inv.document.lines.find((l) => l.cents < 0);
  if (negative) {
    return { ok: false, reason: `Invoice ${inv.number} has a credit line (${negative.user}, ${negative.expenseType}, ${formatAmount(negative.cents, inv.currency)}); Zoho Books invoices take no negative lines. Deliver it by file, or issue the credit as a credit note.` };
  }
  // Settings saved before the item became required may lack it: say so instead of a refusal from Zoho.
  if (!customer.itemId) {
    return { ok: false, reason: `The tuition settings of ${customer.customer} name no Zoho item; Zoho Books needs one on every invoice line. Add the item's Zoho id in the customer's tuition settings.` };
  }
  if (customer.currency && customer.currency !== inv.currency) {
    return { ok: false, reason: `Invoice ${inv.number} is in ${inv.currency} but the Zoho customer ${customer.contactName} bills in ${customer.currency}; use a Zoho customer in ${inv.currency} or deliver it by file.` };
  }
  const number = tuitionZohoNumber(inv.number, inv.version);
  return {
    ok: true,
    document: {
      kind: 'invoice',
      idempotencyKey: `tuition:${number}`,
      lookup: { invoice_number: number },
      currency: inv.currency,
      cents: { total: inv.document.totalCents },
      query: { ignore_auto_number_generation: true },
      body: {
        customer_id: customer.contactId,
        invoice_number: number,
        reference_number: inv.hash.slice(0, 50),
        date: `${inv.month}-01`,
        notes: `Tuition expenses ${inv.month}, approved by ${inv.approvedBy ?? 'the customer'} (version ${inv.version}, sha-256 ${inv.hash}).`,
        line_items: inv.document.lines.map((l) => ({
          item_id: customer.itemId,
          name: expenseTypeWords(l.expenseType),
          description: `${l.user} (${l.items} item${l.items === 1 ? '' : 's'})`,
          // Exact: cents → the decimal's nearest double, which JSON prints in its shortest form (1200.1).
          rate: centsToNumber(l.cents, inv.currency),
          quantity: 1,
        })),
      },
    },
  };
}
