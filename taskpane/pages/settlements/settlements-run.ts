/**
 * What the Settlements page does, apart from the screen: read settlement files the user picked
 * (or a backend dataset), build the Zoho documents and the sheets with the engine, write the
 * sheets through the WorkbookPort, and keep the mapping file the user chose.
 */
import type { Cell } from '../../../src/kernel/table';
import type { WorkbookPort, WriteProgress } from '../../../src/workbook/port';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import { buildSettlementPosting, type SettlementPosting } from '../../../src/settlements/posting';
import type { InvoiceMode } from '../../../src/settlements/build';
import type { SettlementFileInput } from '../../../src/settlements/parse';
import { defaultSettlementConfig, type SettlementConfig } from '../../../src/settlements/mapping';
import { readSettlementConfigJson } from '../../../src/settlements/config-file';
import type { DatasetPage } from '../../api';

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

export async function loadSettlementDataset(
  fetchPage: (id: string, offset: number, limit: number, signal?: AbortSignal) => Promise<DatasetPage>,
  id: string,
  name: string,
  options: { signal?: AbortSignal; pageSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<SettlementFileInput> {
  const limit = options.pageSize ?? 10_000;
  let header: string[] = [];
  const rows: Cell[][] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    options.signal?.throwIfAborted();
    const page: DatasetPage = await fetchPage(id, offset, limit, options.signal);
    if (offset === 0) header = page.header;
    for (const r of page.rows) rows.push(r);
    options.onProgress?.(rows.length, page.total);
    offset = page.nextOffset;
  }
  return datasetToInput(name, header, rows);
}

export function buildSettlements(inputs: readonly SettlementFileInput[], config: SettlementConfig, invoiceMode: InvoiceMode): SettlementPosting {
  return buildSettlementPosting(inputs, config, { invoiceMode });
}

export async function writeSettlementSheets(
  port: WorkbookPort,
  sheets: readonly SheetSpec[],
  options: { onProgress?: (done: number, total: number, sheet: string) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const total = sheets.reduce((n, s) => n + s.rows.length, 0);
  let before = 0;
  for (const spec of sheets) {
    options.signal?.throwIfAborted();
    await port.writeSheet(spec, {
      signal: options.signal,
      onProgress: (p: WriteProgress) => options.onProgress?.(before + p.rowsWritten, total, p.sheet),
    });
    before += spec.rows.length;
    options.onProgress?.(before, total, spec.name);
  }
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
