/**
 * An organisation's chart of accounts, items and customers, read through a connection, in the
 * shape the settlement mapping reads (src/settlements ZohoLists): ids kept as the text Zoho sent.
 */
import type { ZohoLists } from '../../src/settlements/mapping';
import { clientFor, type ConnectionDeps } from './connections';

export async function organisationLists(deps: ConnectionDeps, connectionId: string): Promise<Required<ZohoLists>> {
  const { client } = await clientFor(deps, connectionId);
  const [accounts, items, contacts] = await Promise.all([
    client.listAll<Record<string, unknown>>('/chartofaccounts', 'chartofaccounts'),
    client.listAll<Record<string, unknown>>('/items', 'items'),
    client.listAll<Record<string, unknown>>('/contacts', 'contacts'),
  ]);
  const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));
  return {
    accounts: accounts.map((a) => ({ account_id: String(a.account_id), account_name: String(a.account_name) })),
    items: items.map((i) => ({ item_id: String(i.item_id), name: String(i.name), ...(str(i.sku) ? { sku: str(i.sku)! } : {}) })),
    contacts: contacts.map((c) => ({ contact_id: String(c.contact_id), contact_name: String(c.contact_name) })),
  };
}
