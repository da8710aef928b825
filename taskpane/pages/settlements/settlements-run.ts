/**
 * What the Settlements page does, apart from the screen: read settlement files the user picked
 * (or a backend dataset), build the Zoho documents and the sheets with the engine, write the
 * sheets through the WorkbookPort, keep the mapping file the user chose, and otherwise take the
 * Zoho ids from a connected organisation's own lists.
 */
import type { Cell } from '../../../src/kernel/table';
import { buildSettlementPosting, type SettlementPosting } from '../../../src/settlements/posting';
import type { InvoiceMode } from '../../../src/settlements/build';
import type { SettlementFileInput } from '../../../src/settlements/parse';
import { defaultSettlementConfig, mergeSettlementConfig, zohoIdsFromLists, type SettlementConfig, type ZohoLists } from '../../../src/settlements/mapping';
import { readSettlementConfigJson } from '../../../src/settlements/config-file';
import { readDataset, type FetchDatasetPage, type ReadDatasetOptions } from '../../components/read-dataset';

/** Files from an <input type="file">: raw bytes, decoded by the engine (UTF-8, else windows-1252). */
export async function readPickedFiles(files: readonly Pick<File, 'name' | 'arrayBuffer'>[]): Promise<SettlementFileInput[]> {
  const out: SettlementFileInput[] = [];
  for (const f of files) out.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  return out;
}

/**
 * A backend dataset as a settlement input. A tab-delimited .txt read by the server as one column
 * per line (its datasets split .txt on '|') is joined back into text, so the engine splits it on tabs.
 */
export function datasetToInput(name: string, header: readonly string[], rows: readonly Cell[][]): SettlementFileInput {
  if (header.length === 1 && header[0]!.includes('\t')) {
    const text = [header[0]!, ...rows.map((r) => (r[0] === null || r[0] === undefined ? '' : String(r[0])))].join('\n');
    return { name, text };
  }
  return { name, table: { header, rows, firstRowNumber: 2 } };
}

export async function loadSettlementDataset(fetchPage: FetchDatasetPage, id: string, name: string, options: ReadDatasetOptions = {}): Promise<SettlementFileInput> {
  const { table } = await readDataset(fetchPage, id, name, { pageSize: 10_000, ...options });
  return datasetToInput(name, table.header, table.rows);
}

export function buildSettlements(inputs: readonly SettlementFileInput[], config: SettlementConfig, invoiceMode: InvoiceMode): SettlementPosting {
  return buildSettlementPosting(inputs, config, { invoiceMode });
}

// ---- The mapping file, remembered in the browser ------------------------------------------------

export const MAPPING_STORAGE_KEY = 'closedesk.settlements.mapping';

export interface StoredMapping {
  name: string;
  text: string;
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type MappingState = { name: string | null; config: SettlementConfig; error: string | null };

export function mappingFromText(name: string, text: string): MappingState {
  const r = readSettlementConfigJson(text, name);
  return r.ok ? { name, config: r.config, error: null } : { name: null, config: defaultSettlementConfig(), error: r.reason };
}

export function loadStoredMapping(store: KeyValueStore | null): MappingState {
  const raw = store?.getItem(MAPPING_STORAGE_KEY);
  if (!raw) return { name: null, config: defaultSettlementConfig(), error: null };
  try {
    const m = JSON.parse(raw) as StoredMapping;
    return mappingFromText(m.name, m.text);
  } catch {
    return { name: null, config: defaultSettlementConfig(), error: 'The remembered mapping file could not be read; choose it again.' };
  }
}

export function storeMapping(store: KeyValueStore | null, mapping: StoredMapping | null): void {
  if (!store) return;
  if (mapping) store.setItem(MAPPING_STORAGE_KEY, JSON.stringify(mapping));
  else store.removeItem(MAPPING_STORAGE_KEY);
}

// ---- Zoho ids from a connection -------------------------------------------------------------------

/** A connection as GET /api/zoho/connections lists it (never a secret). */
export interface ZohoConnectionSummary {
  id: string;
  name: string;
  organizationName?: string;
  sandbox?: boolean;
}

/** Where the run's Zoho ids come from. An uploaded mapping file always wins. */
export type IdSource = { kind: 'file'; name: string } | { kind: 'connection'; connection: ZohoConnectionSummary } | { kind: 'defaults' };

/**
 * `chosen`: the connection id the user picked, '' for "no Zoho ids" (the defaults alone), or null
 * when the user has not chosen: then the only connection is used, if there is exactly one.
 */
export function resolveIdSource(mapping: Pick<MappingState, 'name'>, connections: readonly ZohoConnectionSummary[] | null, chosen: string | null): IdSource {
  if (mapping.name) return { kind: 'file', name: mapping.name };
  const list = connections ?? [];
  const picked = chosen === null ? (list.length === 1 ? list[0] : undefined) : list.find((c) => c.id === chosen);
  return picked ? { kind: 'connection', connection: picked } : { kind: 'defaults' };
}

/** The value the page's connection selector shows for a source ('' = no Zoho ids). */
export function idSourceValue(source: IdSource): string {
  return source.kind === 'connection' ? source.connection.id : '';
}

export function describeIdSource(source: IdSource): string {
  if (source.kind === 'file') return `Zoho ids from the mapping file ${source.name}`;
  if (source.kind === 'connection') return `Zoho ids from connection ${source.connection.name}`;
  return 'No Zoho ids: every account, SKU and customer is reported as unmapped';
}

type Request = <T>(path: string, opts?: { signal?: AbortSignal }) => Promise<T>;

export async function listZohoConnections(request: Request, signal?: AbortSignal): Promise<ZohoConnectionSummary[]> {
  const r = await request<{ connections?: unknown }>('/api/zoho/connections', { signal });
  if (!Array.isArray(r?.connections)) throw new Error('The server sent a list of Zoho connections the task pane does not understand.');
  return (r.connections as Record<string, unknown>[]).map((c) => ({
    id: String(c.id),
    name: String(c.name ?? c.id),
    organizationName: c.organizationName === undefined || c.organizationName === null ? undefined : String(c.organizationName),
    sandbox: Boolean(c.sandbox),
  }));
}

/**
 * GET /api/zoho/connections/:id/lists → the shape `zohoIdsFromLists` reads. Ids are taken as the
 * strings the server sent (a number would have lost digits already, so it is refused).
 */
export function readZohoLists(body: unknown): ZohoLists {
  const o = (body ?? {}) as Record<string, unknown>;
  const rows = (key: string): Record<string, unknown>[] => {
    const v = o[key];
    if (!Array.isArray(v)) throw new Error(`The Zoho lists from the server have no ${key}.`);
    return v as Record<string, unknown>[];
  };
  const id = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || !v) throw new Error(`The Zoho lists from the server carry ${what} without a text id.`);
    return v;
  };
  return {
    accounts: rows('accounts').map((a) => ({ account_id: id(a.account_id, `account "${String(a.account_name)}"`), account_name: String(a.account_name ?? '') })),
    items: rows('items').map((i) => ({ item_id: id(i.item_id, `item "${String(i.name)}"`), name: String(i.name ?? ''), ...(typeof i.sku === 'string' && i.sku ? { sku: i.sku } : {}) })),
    contacts: rows('contacts').map((c) => ({ contact_id: id(c.contact_id, `customer "${String(c.contact_name)}"`), contact_name: String(c.contact_name ?? '') })),
  };
}

export async function loadZohoLists(request: Request, connectionId: string, signal?: AbortSignal): Promise<ZohoLists> {
  return readZohoLists(await request<unknown>(`/api/zoho/connections/${encodeURIComponent(connectionId)}/lists`, { signal }));
}

/**
 * The configuration a run uses: the mapping file's when one is chosen; with a connection, the
 * organisation's ids laid over it. Names the lists do not have stay unmapped, so the build reports
 * each one it needs as a blocking problem naming the account, SKU or customer.
 */
export function settlementConfigFor(source: IdSource, mapping: Pick<MappingState, 'config'>, lists: ZohoLists | null): SettlementConfig {
  if (source.kind !== 'connection') return mapping.config;
  if (!lists) throw new Error(`The Zoho lists of connection ${source.connection.name} have not been read.`);
  return mergeSettlementConfig(mapping.config, zohoIdsFromLists(lists));
}

/** "13 accounts, 4 SKUs, 5 charge items, 2 customers" found in the organisation's lists. */
export function describeZohoIds(config: Pick<SettlementConfig, 'accounts' | 'items' | 'chargeItems' | 'customers'>): string {
  const n = (m: Record<string, string>, one: string, many: string) => {
    const k = Object.keys(m).length;
    return `${k} ${k === 1 ? one : many}`;
  };
  return [n(config.accounts, 'account', 'accounts'), n(config.items, 'SKU', 'SKUs'), n(config.chargeItems, 'charge item', 'charge items'), n(config.customers, 'customer', 'customers')].join(', ');
}
