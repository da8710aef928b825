/**
 * What the Tuition page does, apart from the screen: read partner sheets (engine in the browser) or
 * backend datasets (engine on the server), write the month's invoices as sheets, store them as
 * drafts, send each for the customer's approval (a signed link to copy) and follow their states.
 */
import { hasBlocking, type Problem } from '../../../src/kernel/problems';
import type { Table } from '../../../src/kernel/table';
import { buildTuitionInvoices, readExpenseLines, tuitionSheets, type TuitionInvoice } from '../../../src/tuition';
import type { WorkbookPort } from '../../../src/workbook/port';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import { tablesAsJson, type ApiClient } from '../../api';
import type { User } from '../../../src/approval';
import { allowedInvoiceActions, invoiceFacts, type InvoiceRecord } from '../../../src/tuition/lifecycle';

export interface BuildOutcome {
  month: string;
  blocked: boolean;
  lines: number;
  problems: Problem[];
  invoices: TuitionInvoice[];
  sheets: SheetSpec[];
  layouts: { source: string; partner: string | null }[];
  /** Where the lines came from, to store the same invoices on the server. */
  source: { tables: Table[] } | { datasets: string[] };
}

export type { InvoiceState } from '../../../src/tuition/lifecycle';

export interface InvoiceView extends InvoiceRecord {
  id: string;
  customer: string;
  totalCents: number;
  decision: { decision: 'approved' | 'denied'; by: string; at: string; reason: string | null; version: number; hash: string } | null;
  deliveryError: string | null;
  deliveredAt: string | null;
  remoteId: string | null;
  delivery: { method: string };
  receipts: { fileName: string; remotePath: string; protocol: string; host: string; sha256: string }[];
}

export const TUITION_SHEETS = ['Tuition Invoices', 'Tuition Lines'];

/** The month before today's, YYYY-MM: what is billed at month end. */
export function previousMonth(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

/** Partner sheets first (not the sheets this page writes). */
export function candidateSheets(names: readonly string[]): string[] {
  return names.filter((n) => !TUITION_SHEETS.includes(n) && n !== 'Tuition Problems');
}

export async function buildFromSheets(port: WorkbookPort, sheets: readonly string[], month: string): Promise<BuildOutcome> {
  const tables: Table[] = [];
  for (const s of sheets) tables.push(await port.readSheet(s));
  const read = readExpenseLines(tables, { month });
  const invoices = buildTuitionInvoices(read.lines, month);
  return { month, blocked: hasBlocking(read.problems), lines: read.lines.length, problems: read.problems, invoices, sheets: tuitionSheets(invoices), layouts: read.layouts, source: { tables } };
}

export async function buildFromDatasets(api: ApiClient, datasets: readonly string[], month: string, signal?: AbortSignal): Promise<BuildOutcome> {
  const r = await api.request<Omit<BuildOutcome, 'source'>>('/api/tuition/preview', { method: 'POST', body: { month, datasets }, signal });
  return { ...r, source: { datasets: [...datasets] } };
}

export interface SavedOutcome {
  created: InvoiceView[];
  revised: InvoiceView[];
  unchanged: InvoiceView[];
  refused: { number: string; message: string }[];
}

/** Stores the month's invoices as drafts (the server builds them again from the same lines). */
export async function storeDrafts(api: ApiClient, outcome: BuildOutcome): Promise<SavedOutcome> {
  const source = 'tables' in outcome.source ? { tables: tablesAsJson(outcome.source.tables) } : outcome.source;
  return api.request<SavedOutcome>('/api/tuition/invoices', { method: 'POST', body: { month: outcome.month, ...source } });
}

export async function listInvoices(api: ApiClient, month: string, signal?: AbortSignal): Promise<InvoiceView[]> {
  return (await api.request<{ invoices: InvoiceView[] }>('/api/tuition/invoices', { query: { month }, signal })).invoices;
}

export async function sendForApproval(api: ApiClient, id: string): Promise<{ url: string; expiresAt: string; invoice: InvoiceView }> {
  return api.request(`/api/tuition/invoices/${encodeURIComponent(id)}/send`, { method: 'POST', body: {} });
}

export async function deliverAgain(api: ApiClient, id: string): Promise<InvoiceView> {
  return (await api.request<{ invoice: InvoiceView }>(`/api/tuition/invoices/${encodeURIComponent(id)}/deliver`, { method: 'POST', body: {} })).invoice;
}

/** The state in the user's words, with what happens next. */
export function describeState(i: InvoiceView): string {
  switch (i.state) {
    case 'draft':
      return i.version > 1 ? `Draft (version ${i.version}): changed, send it for approval again.` : 'Draft: send it for approval.';
    case 'awaiting_approval':
      return `Awaiting ${i.customer}'s approval (version ${i.version}).`;
    case 'approved':
      return i.deliveryError
        ? `Approved by ${i.decision?.by.replace(/^customer:/, '')}; delivery failed: ${i.deliveryError}`
        : i.delivery.method === 'none'
          ? `Approved by ${i.decision?.by.replace(/^customer:/, '')}; no delivery target is set for ${i.customer} (ask an admin).`
          : `Approved by ${i.decision?.by.replace(/^customer:/, '')}; being delivered.`;
    case 'denied':
      return `Denied by ${i.decision?.by.replace(/^customer:/, '')}: ${i.decision?.reason ?? ''}`;
    case 'delivered':
      return i.remoteId
        ? `Delivered to Zoho Books (invoice id ${i.remoteId}).`
        : `Delivered: ${i.receipts.map((r) => `${r.fileName} → ${r.protocol.toUpperCase()} ${r.host}:${r.remotePath} (sha256 ${r.sha256.slice(0, 12)}…)`).join('; ')}`;
  }
}

/** Whether the invoice's lifecycle (src/tuition/lifecycle.ts) lets this user send it for approval now. */
export const canSend = (i: InvoiceView, user: User | null) => !!user && allowedInvoiceActions(invoiceFacts(i), user).includes('send-for-approval');
/** A failed delivery the lifecycle lets this user start again (an approval of this exact version stands, and a target is set). */
export const canDeliverAgain = (i: InvoiceView, user: User | null) =>
  !!user && !!i.deliveryError && i.delivery.method !== 'none' && allowedInvoiceActions(invoiceFacts(i), user).includes('deliver');
