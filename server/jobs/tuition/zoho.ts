/**
 * An approved tuition invoice delivered to Zoho Books through the one Zoho poster: the document is
 * built by src/tuition/zoho.ts (our invoice number `<number>-v<version>`, which Zoho keeps unique),
 * looked up first (a delivery may be repeated after a crash), created once, adopted on 1001 when
 * its amount is ours to the cent; an uncertain write is only ever followed by a look-up.
 */
import { tuitionZohoDocument, tuitionZohoNumber } from '../../../src/tuition/zoho';
import type { Secrets } from '../../secrets';
import type { Store } from '../../store';
import { clientFor, type ClientOptions } from '../../zoho/connections';
import { isZohoError } from '../../zoho/errors';
import { createOnce, findPosted, type Posted, type Review } from '../../zoho/poster';
import type { StoredInvoice } from './invoices';

export interface ZohoTarget {
  method: 'zoho';
  connectionId: string;
  /** The customer's contact id in Zoho Books (text, 17+ digits). */
  zohoCustomerId: string;
  /** The Zoho item every line is billed under (Zoho requires an item on each invoice line). */
  itemId: string;
}

export const zohoInvoiceNumber = (inv: StoredInvoice) => tuitionZohoNumber(inv.number, inv.version);

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
  const { client } = await clientFor(deps, target.connectionId, clientOptions);
  const contact = (await client.listAll<{ contact_id: string; contact_name: string; currency_code?: string }>('/contacts', 'contacts')).find((c) => String(c.contact_id) === target.zohoCustomerId);
  if (!contact) throw new Error(`Zoho Books has no customer ${target.zohoCustomerId} for ${inv.customer}; an admin corrects the customer's Zoho customer under Settings → Delivery targets.`);
  const built = tuitionZohoDocument(
    { number: inv.number, version: inv.version, month: inv.month, currency: inv.currency, hash: inv.hash, approvedBy: inv.decision?.by ?? null, document: inv.document },
    { customer: inv.customer, contactId: target.zohoCustomerId, contactName: contact.contact_name, currency: contact.currency_code, itemId: target.itemId },
  );
  if (!built.ok) throw new Error(built.reason);
  const doc = built.document;
  const delivered = (r: Posted | Review): ZohoDelivery => {
    if (r.state === 'review') throw new Error(`Invoice ${zohoInvoiceNumber(inv)}: ${r.message}`);
    return { invoiceId: r.found.zohoId, invoiceNumber: zohoInvoiceNumber(inv), adopted: r.adopted };
  };
  const existing = await findPosted(client, doc, 'found in Zoho before creating');
  if (existing) return delivered(existing);
  try {
    return delivered(await createOnce(client, doc));
  } catch (e) {
    // Unknown outcome: the look-up decides (the invoice number is unique in Zoho, so a later
    // delivery cannot create a second one either).
    if (isZohoError(e, 'uncertain')) {
      const found = await findPosted(client, doc);
      if (found) return delivered(found);
    }
    throw e;
  }
}
