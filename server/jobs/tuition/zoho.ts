/**
 * An approved tuition invoice as a Zoho Books invoice, created exactly once: the Zoho invoice
 * number is ours (`<number>-v<version>`, unique per organisation), so before creating we look it up,
 * a 1001 "already exists" is adopted after a look-up, and an uncertain write (timeout, 5xx) is only
 * ever followed by a look-up, never a blind retry.
 */
import { centsToNumber } from '../../../src/kernel';
import type { Secrets } from '../../secrets';
import type { Store } from '../../store';
import { clientFor, type ClientOptions } from '../../zoho/connections';
import { isZohoError } from '../../zoho/errors';
import type { ZohoClient } from '../../zoho/client';
import type { StoredInvoice } from './invoices';

export interface ZohoTarget {
  method: 'zoho';
  connectionId: string;
  /** The customer's contact id in Zoho Books (text, 17+ digits). */
  zohoCustomerId: string;
  /** The Zoho item every line is billed under (Zoho requires an item on each invoice line). */
  itemId: string;
}

const TYPE_WORDS: Record<string, string> = { TUITION: 'Tuition', MATERIALS: 'Books and materials', TUTORING: 'Tutoring' };

export const zohoInvoiceNumber = (inv: StoredInvoice) => `${inv.number}-v${inv.version}`;

interface ZohoInvoice {
  invoice_id: string;
  invoice_number: string;
  total: number | string;
  customer_id: string;
}

async function lookUp(client: ZohoClient, number: string): Promise<ZohoInvoice | undefined> {
  const r = await client.get('/invoices', { invoice_number: number });
  return ((r.invoices as ZohoInvoice[] | undefined) ?? []).find((i) => i.invoice_number === number);
}

export interface ZohoDelivery {
  invoiceId: string;
  invoiceNumber: string;
  adopted: boolean;
}

export async function createZohoInvoice(
  deps: { store: Store; secrets: Secrets },
  inv: StoredInvoice,
  target: ZohoTarget,
  clientOptions: ClientOptions = {},
): Promise<ZohoDelivery> {
  const negative = inv.document.lines.find((l) => l.cents < 0);
  if (negative) {
    throw new Error(`Invoice ${inv.number} has a credit line (${negative.user}, ${negative.expenseType}); Zoho Books invoices take no negative lines. Deliver it by file, or issue the credit as a credit note.`);
  }
  // Settings saved before the item became required may lack it: say so instead of a refusal from Zoho.
  if (!target.itemId) throw new Error(`The tuition settings of ${inv.customer} name no Zoho item; Zoho Books needs one on every invoice line. Add the item's Zoho id in the customer's tuition settings.`);
  const { client } = await clientFor(deps, target.connectionId, clientOptions);
  const number = zohoInvoiceNumber(inv);
  const contact = (await client.listAll<{ contact_id: string; contact_name: string; currency_code?: string }>('/contacts', 'contacts')).find((c) => String(c.contact_id) === target.zohoCustomerId);
  if (!contact) throw new Error(`Zoho Books has no customer ${target.zohoCustomerId} for ${inv.customer}; correct the customer's Zoho id in the tuition settings.`);
  // A Zoho invoice is in its customer's currency: a EUR invoice to a USD customer would change every amount.
  if (contact.currency_code && contact.currency_code !== inv.currency) {
    throw new Error(`Invoice ${inv.number} is in ${inv.currency} but the Zoho customer ${contact.contact_name} bills in ${contact.currency_code}; use a Zoho customer in ${inv.currency} or deliver it by file.`);
  }
  const existing = await lookUp(client, number);
  if (existing) return { invoiceId: String(existing.invoice_id), invoiceNumber: number, adopted: true };
  const body = {
    customer_id: target.zohoCustomerId,
    invoice_number: number,
    reference_number: inv.hash.slice(0, 50),
    date: `${inv.month}-01`,
    notes: `Tuition expenses ${inv.month}, approved by ${inv.decision?.by ?? 'the customer'} (version ${inv.version}, sha-256 ${inv.hash}).`,
    line_items: inv.document.lines.map((l) => ({
      item_id: target.itemId,
      name: `${TYPE_WORDS[l.expenseType] ?? l.expenseType}`,
      description: `${l.user} (${l.items} item${l.items === 1 ? '' : 's'})`,
      // Exact: cents → the decimal's nearest double, which JSON prints in its shortest form (1200.1).
      rate: centsToNumber(l.cents, inv.currency),
      quantity: 1,
    })),
  };
  try {
    const r = await client.post('/invoices', body, { ignore_auto_number_generation: true });
    const created = r.invoice as ZohoInvoice;
    return { invoiceId: String(created.invoice_id), invoiceNumber: number, adopted: false };
  } catch (e) {
    // Already there (1001) or unknown outcome: the look-up decides; nothing is posted twice.
    if (isZohoError(e, 'uncertain') || (isZohoError(e, 'rejected') && e.code === 1001)) {
      const found = await lookUp(client, number);
      if (found) return { invoiceId: String(found.invoice_id), invoiceNumber: number, adopted: true };
    }
    throw e;
  }
}
