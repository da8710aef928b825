import fs from 'node:fs';
import path from 'node:path';
import { datasetToInput, loadSettlementDataset, readPickedFiles, buildSettlements, writeSettlementSheets, loadStoredMapping, storeMapping, mappingFromText, MAPPING_STORAGE_KEY } from './settlements-run';
import type { WorkbookPort } from '../../../src/workbook/port';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
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
  await writeSettlementSheets(port, r.sheets, { onProgress: (done) => progress.push(done) });
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
