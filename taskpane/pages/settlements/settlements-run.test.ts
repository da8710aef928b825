import fs from 'node:fs';
import path from 'node:path';
import {
  datasetToInput,
  loadSettlementDataset,
  readPickedFiles,
  buildSettlements,
  loadStoredMapping,
  storeMapping,
  mappingFromText,
  MAPPING_STORAGE_KEY,
  resolveIdSource,
  idSourceValue,
  describeIdSource,
  readZohoLists,
  loadZohoLists,
  listZohoConnections,
  settlementConfigFor,
  describeZohoIds,
} from './settlements-run';
import { zohoIdsFromLists, type ZohoLists } from '../../../src/settlements/mapping';
import type { WorkbookPort } from '../../../src/workbook/port';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import { writeSheets } from '../../../src/workbook/write-sheets';
import type { DatasetPage } from '../../api';

const FIX = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'settlements');
const mappingText = fs.readFileSync(path.join(FIX, 'demo-config.json'), 'utf8');

function memoryPort(): WorkbookPort & { written: SheetSpec[] } {
  const written: SheetSpec[] = [];
  return {
    written,
    async listSheets() {
      return written.map((s) => s.name);
    },
    async readSheet() {
      throw new Error('not used');
    },
    async writeSheet(spec, o) {
      written.push(spec);
      o?.onProgress?.({ sheet: spec.name, rowsWritten: spec.rows.length, rowsTotal: spec.rows.length });
    },
  };
}

test('picked files (bytes, windows-1252 included) → sheets written through the port, with the mapping file', async () => {
  const names = ['v2-us.txt', 'v2-eu-cp1252.txt'];
  const files = names.map((n) => {
    const b = fs.readFileSync(path.join(FIX, n));
    return { name: n, arrayBuffer: async () => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  });
  const inputs = await readPickedFiles(files);
  const mapping = mappingFromText('demo-config.json', mappingText);
  expect(mapping.error).toBeNull();
  const r = buildSettlements(inputs, mapping.config, 'per-order');
  expect(r.blocked).toBe(false);
  expect(r.reconciliation.map((x) => [x.settlementId, x.clearingCents, x.balanced])).toEqual([
    ['20000001', 0, true],
    ['20000002', 0, true],
  ]);
  const port = memoryPort();
  const progress: number[] = [];
  await writeSheets(port, r.sheets, { onProgress: (done) => progress.push(done) });
  expect(port.written.map((s) => s.name)).toEqual(['Invoices', 'Payments', 'Journals', 'Reconciliation', 'Settlement Problems']);
  expect(progress.at(-1)).toBe(r.sheets.reduce((n, s) => n + s.rows.length, 0));
});

test('a backend dataset: a .txt read as one column per line is joined back and split on tabs', async () => {
  const text = fs.readFileSync(path.join(FIX, 'v2-us.txt'), 'utf8').trimEnd().split('\r\n');
  const pages: DatasetPage[] = [
    { name: 'v2-us.txt', header: [text[0]!], rows: text.slice(1, 5).map((l) => [l]), total: text.length - 1, offset: 0, nextOffset: 4 },
    { name: 'v2-us.txt', header: [text[0]!], rows: text.slice(5).map((l) => [l]), total: text.length - 1, offset: 4, nextOffset: null },
  ];
  const asked: number[] = [];
  const input = await loadSettlementDataset(async (_id, offset) => (asked.push(offset), pages[offset === 0 ? 0 : 1]!), 'settlements/v2-us.txt', 'v2-us.txt', { pageSize: 4 });
  expect(asked).toEqual([0, 4]);
  const r = buildSettlements([input], mappingFromText('m', mappingText).config, 'per-settlement');
  expect(r.blocked).toBe(false);
  expect(r.reconciliation[0]).toMatchObject({ settlementId: '20000001', totalCents: 1899, balanced: true });
  // A comma-separated dataset arrives already split: read as a table with sheet row numbers.
  const [h, ...rows] = text.map((l) => l.split('\t'));
  const table = datasetToInput('v2.csv', h!, rows);
  expect(table.table?.firstRowNumber).toBe(2);
  expect(buildSettlements([table], mappingFromText('m', mappingText).config, 'per-settlement').reconciliation[0]!.totalCents).toBe(1899);
});

test('the mapping file is remembered, and a bad one is refused with the reason', () => {
  const data = new Map<string, string>();
  const store = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
  expect(loadStoredMapping(store)).toMatchObject({ name: null, error: null });
  storeMapping(store, { name: 'demo-config.json', text: mappingText });
  const m = loadStoredMapping(store);
  expect(m.name).toBe('demo-config.json');
  expect(m.config.items['SKU-RED-MUG']).toBe('460000000000201');
  storeMapping(store, null);
  expect(data.has(MAPPING_STORAGE_KEY)).toBe(false);
  const bad = mappingFromText('m.json', '{"customers": {"Amazon.com": 460000000000401}}');
  expect(bad.error).toMatch(/customers\.Amazon\.com: Expected string/);
});

// ---- Zoho ids from a connection -------------------------------------------------------------------

const demo = { id: 'c1', name: 'Demo books', organizationName: 'CloseDesk Demo Books', sandbox: true };
const other = { id: 'c2', name: 'EU books' };

/** The lists route's answer for an organisation carrying the default names (17/18-digit ids as text). */
function orgLists(): ZohoLists {
  let n = 460000000000100n;
  const id = () => String(++n);
  const accounts = ['Amazon Sales', 'Shipping Income', 'Gift Wrap Income', 'Sales Tax Payable', 'Amazon Refunds', 'Promotional Rebates', 'Amazon Selling Fees', 'FBA Fees', 'Advertising', 'Amazon Reserve', 'Amazon Reimbursements', 'Amazon Clearing', 'Bank'];
  return {
    accounts: accounts.map((account_name) => ({ account_id: id(), account_name })),
    items: [
      { item_id: id(), name: 'Shipping' },
      { item_id: id(), name: 'Sales Tax' },
      { item_id: id(), name: 'Shipping Tax' },
      { item_id: id(), name: 'Gift Wrap' },
      { item_id: id(), name: 'Gift Wrap Tax' },
      { item_id: id(), name: 'Red mug', sku: 'SKU-RED-MUG' },
      { item_id: id(), name: 'Blue mug', sku: 'SKU-BLUE-MUG' },
      { item_id: id(), name: 'Teapot', sku: 'SKU-TEAPOT' },
      { item_id: id(), name: 'Coasters', sku: 'SKU-COASTERS' },
    ],
    contacts: [
      { contact_id: id(), contact_name: 'Amazon.com' },
      { contact_id: id(), contact_name: 'Amazon.de' },
    ],
  };
}

function fixtureInputs() {
  return ['v2-us.txt', 'v2-eu-cp1252.txt'].map((name) => ({ name, bytes: new Uint8Array(fs.readFileSync(path.join(FIX, name))) }));
}

describe('where the Zoho ids come from', () => {
  const noFile = { name: null };
  test('the only connection is the default; with several the user chooses; a mapping file always wins', () => {
    expect(resolveIdSource(noFile, [demo], null)).toEqual({ kind: 'connection', connection: demo });
    expect(resolveIdSource(noFile, [demo, other], null)).toEqual({ kind: 'defaults' });
    expect(resolveIdSource(noFile, [demo, other], 'c2')).toEqual({ kind: 'connection', connection: other });
    // The user chose "no Zoho ids", or a connection that has since been removed.
    expect(resolveIdSource(noFile, [demo], '')).toEqual({ kind: 'defaults' });
    expect(resolveIdSource(noFile, [demo], 'gone')).toEqual({ kind: 'defaults' });
    expect(resolveIdSource(noFile, null, null)).toEqual({ kind: 'defaults' });
    expect(resolveIdSource({ name: 'demo-config.json' }, [demo], 'c1')).toEqual({ kind: 'file', name: 'demo-config.json' });
    expect(idSourceValue(resolveIdSource(noFile, [demo], null))).toBe('c1');
    expect(describeIdSource({ kind: 'connection', connection: demo })).toBe('Zoho ids from connection Demo books');
  });

  test('ids from the connection build the demo settlements with no blocking problem', () => {
    const lists = orgLists();
    const source = resolveIdSource({ name: null }, [demo], null);
    const config = settlementConfigFor(source, { config: mappingFromText('x', '{}').config }, lists);
    const r = buildSettlements(fixtureInputs(), config, 'per-order');
    expect(r.problems.filter((p) => p.severity === 'blocking')).toEqual([]);
    expect(r.blocked).toBe(false);
    const invoice = r.documents.find((d) => d.kind === 'invoice')!;
    const customerIds = lists.contacts!.map((c) => c.contact_id);
    expect(customerIds).toContain((invoice.body as { customer_id: string }).customer_id);
    expect(describeZohoIds(zohoIdsFromLists(lists))).toBe('13 accounts, 4 SKUs, 5 charge items, 2 customers');
  });

  test('names the organisation lacks stay blocking problems that name them', () => {
    const lists = orgLists();
    lists.accounts = lists.accounts!.filter((a) => a.account_name !== 'Amazon Clearing');
    lists.items = lists.items!.filter((i) => i.sku !== 'SKU-TEAPOT');
    lists.contacts = lists.contacts!.filter((c) => c.contact_name !== 'Amazon.de');
    const config = settlementConfigFor({ kind: 'connection', connection: demo }, { config: mappingFromText('x', '{}').config }, lists);
    const r = buildSettlements(fixtureInputs(), config, 'per-order');
    expect(r.blocked).toBe(true);
    const blocking = r.problems.filter((p) => p.severity === 'blocking');
    // The clearing account is needed by both settlements (USD and EUR): named once for each file.
    expect(blocking.map((p) => [p.code, p.value, p.source]).sort()).toEqual([
      ['unmapped-account', 'Amazon Clearing', 'v2-eu-cp1252.txt'],
      ['unmapped-account', 'Amazon Clearing', 'v2-us.txt'],
      ['unmapped-customer', 'Amazon.de', 'v2-eu-cp1252.txt'],
      ['unmapped-sku', 'SKU-TEAPOT', 'v2-us.txt'],
    ]);
    expect(blocking.find((p) => p.code === 'unmapped-sku')!.message).toMatch(/^SKU "SKU-TEAPOT" has no Zoho item \(/);
    expect(blocking.find((p) => p.code === 'unmapped-customer')!.message).toMatch(/Marketplace "Amazon\.de" has no Zoho customer/);
  });

  test('without a file or a connection every id the run needs is reported; a mapping file is used as is', () => {
    const defaults = mappingFromText('x', '{}');
    const r = buildSettlements(fixtureInputs(), settlementConfigFor({ kind: 'defaults' }, defaults, null), 'per-order');
    const named = new Set(r.problems.filter((p) => p.severity === 'blocking').map((p) => p.value));
    for (const n of ['Amazon.com', 'Amazon.de', 'SKU-RED-MUG', 'Amazon Clearing', 'Amazon Selling Fees']) expect(named).toContain(n);
    const file = mappingFromText('demo-config.json', mappingText);
    expect(settlementConfigFor({ kind: 'file', name: 'demo-config.json' }, file, orgLists())).toBe(file.config);
    expect(() => settlementConfigFor({ kind: 'connection', connection: demo }, defaults, null)).toThrow(/have not been read/);
  });

  test('the lists and connections answers are read strictly: ids must arrive as text', async () => {
    const body = JSON.parse(JSON.stringify({ accounts: [{ account_id: '460000000000101', account_name: 'Bank' }], items: [{ item_id: '460000000000201', name: 'Shipping', sku: undefined }], contacts: [] }));
    expect(readZohoLists(body)).toEqual({ accounts: [{ account_id: '460000000000101', account_name: 'Bank' }], items: [{ item_id: '460000000000201', name: 'Shipping' }], contacts: [] });
    expect(() => readZohoLists({ accounts: [], items: [] })).toThrow(/no contacts/);
    expect(() => readZohoLists({ accounts: [{ account_id: 460000000000101, account_name: 'Bank' }], items: [], contacts: [] })).toThrow(/account "Bank" without a text id/);
    const asked: string[] = [];
    const request = async <T,>(p: string): Promise<T> => {
      asked.push(p);
      return (p.endsWith('/lists') ? body : { connections: [{ ...demo, clientId: 'x' }] }) as T;
    };
    expect(await listZohoConnections(request)).toEqual([demo]);
    await loadZohoLists(request, 'c/1');
    expect(asked).toEqual(['/api/zoho/connections', '/api/zoho/connections/c%2F1/lists']);
    await expect(listZohoConnections(async <T,>() => ({}) as T)).rejects.toThrow(/does not understand/);
  });
});
