/**
 * What the VRET page does, apart from the screen: read the input sheets (or datasets) and run
 * src/vendor-returns in the browser, or ask the backend to run it on its own inputs; send SPURSH to
 * the server, where it is prepared for approval. Period, run id, file names and the SPURSH hold-back
 * are the engine's (src/vendor-returns/job.ts).
 */
import type { Problem } from '../../../src/kernel/problems';
import type { Table } from '../../../src/kernel/table';
import type { CurrencyBalance } from '../../../src/journal/journal';
import type { WorkbookPort } from '../../../src/workbook/port';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import { classifyVretInputs, runVendorReturns, spurshText, vretInputKind, vretRunId, type VendorReturnsOutput } from '../../../src/vendor-returns';
import type { ApiClient } from '../../api';
import type { DeliveryView } from '../chargebacks/chargebacks-run';

export interface VretRequest {
  ledger: string;
  geo: string;
  /** Blank: the latest period the inputs hold. */
  period: string;
  runId?: string;
}

export interface VretOutcome {
  runId: string;
  /** The period the run used, and whether the inputs gave it (none was entered). */
  period: string;
  periodFromData: boolean;
  sheets: SheetSpec[];
  balances: CurrencyBalance[];
  problems: Problem[];
  /** Null while SPURSH is held back (nothing is exported then). */
  spurshCsv: string | null;
  spurshFileName: string;
  spurshRows: number;
  /** Why SPURSH is held back, or null. */
  spurshHeldBack: string | null;
  /** The run selected no transaction: its sentence (amber), or null. */
  noRows: string | null;
  /** Where the inputs came from, for the screen. */
  inputs: string;
}

/** A run id made in the browser: now, and six random hex digits. */
export function newRunId(now = new Date()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return vretRunId(now, [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(''));
}

function outcomeOf(output: VendorReturnsOutput, inputs: string): VretOutcome {
  return {
    runId: output.runId,
    period: output.period,
    periodFromData: output.periodFromData,
    sheets: output.sheets,
    balances: output.balances,
    problems: output.problems,
    spurshCsv: spurshText(output),
    spurshFileName: output.files.spursh,
    spurshRows: output.spursh.rows.length,
    spurshHeldBack: output.spurshHeldBack,
    noRows: output.noRows,
    inputs,
  };
}

/** Builds in the browser from tables named as their sheets or files (CM, THR…, RVR, mappings); others are left out. */
export function buildFromTables(tables: readonly Table[], request: VretRequest, from = 'datasets'): VretOutcome {
  const used = classifyVretInputs(tables);
  if (used.transactions.length === 0) throw new Error('Choose at least one CM, ADJ, GLAP or THR input, with the RVR input.');
  return outcomeOf(runVendorReturns(tables, { ...request, runId: request.runId ?? newRunId() }), `${from} ${used.used.join(', ')}`);
}

/** The input sheets of the workbook: all it has, or the ones the user chose. */
export async function buildFromWorkbook(port: WorkbookPort, request: VretRequest, sheets?: readonly string[]): Promise<VretOutcome> {
  const tables: Table[] = [];
  for (const name of sheets ?? (await port.listSheets())) if (vretInputKind(name)) tables.push(await port.readSheet(name));
  if (!tables.some((t) => vretInputKind(t.name) === 'transactions'))
    throw new Error('The workbook has no CM, ADJ, GLAP or THR sheet. Load them from the Data page first, or build from the server.');
  return buildFromTables(tables, request, 'sheets');
}

type BuildResponse = Omit<VretOutcome, 'spurshCsv' | 'spurshFileName' | 'spurshRows' | 'spurshHeldBack' | 'inputs'> & {
  spursh: { fileName: string; rows: number; csv: string | null; heldBack: string | null };
};

export async function buildFromBackend(api: ApiClient, request: VretRequest, signal?: AbortSignal): Promise<VretOutcome> {
  const r = await api.request<BuildResponse>('/api/vret/build', {
    method: 'POST',
    body: { ledger: request.ledger, geo: request.geo, period: request.period },
    signal,
  });
  return {
    runId: r.runId,
    period: r.period,
    periodFromData: r.periodFromData,
    sheets: r.sheets,
    balances: r.balances,
    problems: r.problems,
    spurshCsv: r.spursh.csv,
    spurshFileName: r.spursh.fileName,
    spurshRows: r.spursh.rows,
    spurshHeldBack: r.spursh.heldBack,
    noRows: r.noRows,
    inputs: 'the server',
  };
}

export interface SpurshSent {
  fileName: string;
  sha256: string;
  bytes: number;
  /** The delivery batch awaiting approval, or null when no SPURSH partner could be chosen. */
  delivery: DeliveryView | null;
  /** Why the file waits in the outbox instead, or null. */
  waiting: string | null;
}

/** Keeps SPURSH on the server, which prepares it for approval to the ledger's SPURSH target (or says why it waits). */
export async function sendSpurshToBackend(api: ApiClient, fileName: string, csv: string, ledger: string): Promise<SpurshSent> {
  return api.request('/api/vret/spursh', { method: 'POST', body: { fileName, csv, ledger } });
}
