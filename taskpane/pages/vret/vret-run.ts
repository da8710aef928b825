/**
 * What the VRET page does, apart from the screen: find the input sheets in the workbook, build,
 * ask the backend to build, write the VRET sheets, and export SPURSH.
 */
import { hasBlocking, type Problem } from '../../../src/kernel/problems';
import type { Table } from '../../../src/kernel/table';
import type { CurrencyBalance } from '../../../src/journal/journal';
import type { WorkbookPort } from '../../../src/workbook/port';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import { buildVretRun, spurshCsv, type VretOptions } from '../../../src/vendor-returns';
import type { ApiClient } from '../../api';

export type InputKind = 'transactions' | 'rvr' | 'l2c' | 'led2chan' | 'ledgers';

/** A sheet name as the Data page or a user would give it: `cm`, `CM (2)`, `VRET CM`, `thr_2024-11`. */
export function inputKindOfSheet(name: string): InputKind | null {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/\.(csv|txt)$/, '')
    .replace(/\s*\(\d+\)$/, '')
    .replace(/^vret[\s_-]+/, '');
  if (n === 'cm' || n === 'adj' || n === 'glap' || /^thr([\s_-].*)?$/.test(n)) return 'transactions';
  if (n === 'rvr') return 'rvr';
  if (n === 'l2c' || n === 'led2chan' || n === 'ledgers') return n;
  return null;
}

export interface WorkbookInputs {
  transactions: Table[];
  rvr: Table[];
  l2c?: Table;
  led2chan?: Table;
  ledgers?: Table;
  /** Sheets used, for the screen. */
  used: string[];
}

/** Sorts input tables by what their names say they are (CM, THR…, RVR, mappings); others are left out. */
export function classifyInputs(tables: readonly Table[]): WorkbookInputs {
  const out: WorkbookInputs = { transactions: [], rvr: [], used: [] };
  for (const table of tables) {
    const kind = inputKindOfSheet(table.name);
    if (!kind) continue;
    out.used.push(table.name);
    if (kind === 'transactions') out.transactions.push(table);
    else if (kind === 'rvr') out.rvr.push(table);
    else out[kind] = table;
  }
  return out;
}

/** The input sheets of the workbook: all it has, or the ones the user chose. */
export async function readWorkbookInputs(port: WorkbookPort, sheets?: readonly string[]): Promise<WorkbookInputs> {
  const tables: Table[] = [];
  for (const name of sheets ?? (await port.listSheets())) if (inputKindOfSheet(name)) tables.push(await port.readSheet(name));
  return classifyInputs(tables);
}

export interface VretOutcome {
  runId: string;
  sheets: SheetSpec[];
  balances: CurrencyBalance[];
  problems: Problem[];
  /** Null while a blocking problem remains (nothing is exported then). */
  spurshCsv: string | null;
  spurshFileName: string;
  spurshRows: number;
  /** Where the inputs came from, for the screen. */
  inputs: string;
}

export function ledgerFilePart(ledger: string): string {
  return ledger.trim().replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '').replace(/\.+$/, '') || 'LEDGER';
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}`;
}

export async function buildFromWorkbook(port: WorkbookPort, options: VretOptions, sheets?: readonly string[]): Promise<VretOutcome> {
  const inputs = await readWorkbookInputs(port, sheets);
  if (inputs.transactions.length === 0)
    throw new Error('The workbook has no CM, ADJ, GLAP or THR sheet. Load them from the Data page first, or build from the server.');
  return buildFromInputs(inputs, options, `sheets ${inputs.used.join(', ')}`);
}

/** Builds in the browser from tables read elsewhere (datasets on the server), named as their files. */
export function buildFromTables(tables: readonly Table[], options: VretOptions): VretOutcome {
  const inputs = classifyInputs(tables);
  if (inputs.transactions.length === 0) throw new Error('Choose at least one CM, ADJ, GLAP or THR dataset, with the RVR dataset.');
  return buildFromInputs(inputs, options, `datasets ${inputs.used.join(', ')}`);
}

function buildFromInputs(inputs: WorkbookInputs, options: VretOptions, described: string): VretOutcome {
  const runId = options.runId ?? newRunId();
  const run = buildVretRun(inputs, { ...options, runId });
  const blocked = hasBlocking(run.problems);
  return {
    runId,
    sheets: run.sheets,
    balances: run.balances,
    problems: run.problems,
    spurshCsv: blocked ? null : spurshCsv(run.spursh, run.config),
    spurshFileName: `SPURSH_${ledgerFilePart(options.ledger)}_${runId}.csv`,
    spurshRows: run.spursh.rows.length,
    inputs: described,
  };
}

interface BuildResponse {
  runId: string;
  sheets: SheetSpec[];
  spursh: { fileName: string; rows: number; csv: string | null };
  balances: CurrencyBalance[];
  problems: Problem[];
}

export async function buildFromBackend(api: ApiClient, options: VretOptions, signal?: AbortSignal): Promise<VretOutcome> {
  const r = await api.request<BuildResponse>('/api/vret/build', {
    method: 'POST',
    body: { ledger: options.ledger, geo: options.geo, period: options.period },
    signal,
  });
  return {
    runId: r.runId,
    sheets: r.sheets,
    balances: r.balances,
    problems: r.problems,
    spurshCsv: r.spursh.csv,
    spurshFileName: r.spursh.fileName,
    spurshRows: r.spursh.rows,
    inputs: 'the server',
  };
}

export async function sendSpurshToBackend(api: ApiClient, fileName: string, csv: string): Promise<{ fileName: string; sha256: string; bytes: number }> {
  return api.request('/api/vret/spursh', { method: 'POST', body: { fileName, csv } });
}

/** The previous month as YYYY-MM: the usual close period. */
export function previousPeriod(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}
