/**
 * What the Chargebacks page does, apart from the screen: read records from a sheet (engine in the
 * browser) or a backend dataset (engine on the server), write one sheet per network file, and drive
 * a delivery batch through the backend: prepare → approve (someone else) → send, with progress.
 */
import { mayApprove, preparersOf, type ApprovalSubject, type Person, type User } from '../../../src/approval';
import { buildChargebackFiles, chargebackBatchView, type ChargebackBatchView, type ChargebackFileOptions } from '../../../src/chargebacks';
import { choosePartner, type PartnerMapping } from '../../../src/delivery/partners';
import type { Table } from '../../../src/kernel/table';
import type { WorkbookPort } from '../../../src/workbook/port';
import { tablesAsJson, type ApiClient } from '../../api';
import { formatCount } from '../../../src/kernel/counts';

export type FileView = ChargebackBatchView['files'][number];

export interface FilesOutcome extends ChargebackBatchView {
  /** Where the records came from, to prepare the same batch on the server. */
  source: { tables: Table[] } | { dataset: string };
}

export interface PartnerView {
  id: string;
  name: string;
  protocol: string;
  host: string;
  port: number;
  folder: string;
  networks: string[];
  hasSecret: boolean;
}

export interface ReceiptView {
  batchId: string;
  seq: number;
  fileName: string;
  remotePath: string;
  host: string;
  protocol: string;
  bytes: number;
  sha256: string;
  serverFingerprint: string;
  adopted: boolean;
  encrypted: boolean;
  attempts: number;
  sentBy: string;
  at: string;
}

export interface DeliveryItemView {
  seq: number;
  state: 'pending' | 'sending' | 'done' | 'failed' | 'needs_review';
  error: string | null;
  attempts: number;
  request: { fileName: string; bytes: number; partnerName: string; host: string; protocol: string; label?: string; encrypted?: boolean };
  progress?: { sent: number; total: number };
  /** Who put the file in the batch. */
  preparedBy: Person[];
}

export interface DeliveryView {
  batch: {
    id: string;
    job: string;
    state: string;
    version: number;
    /** Identity key of who made the current version; preparedByName is for display. */
    preparedBy: string;
    preparedByName: string;
    createdAt: string;
    updatedAt: string;
    payload?: Record<string, unknown>;
  };
  /** The approver's name as shown, while an approval stands. */
  approvedBy: string | null;
  items: DeliveryItemView[];
  receipts: ReceiptView[];
}

export const CHARGEBACK_SHEET_PREFIX = 'CB ';

/** Sheets that look like chargeback records come first in the picker; the file sheets we write are left out. */
export function candidateSheets(names: readonly string[]): string[] {
  const ours = (n: string) => n.startsWith(CHARGEBACK_SHEET_PREFIX) || n === 'CB Problems';
  const likely = (n: string) => /charge\s*back|dispute|^cb[\s_-]|^cb$/i.test(n);
  const rest = names.filter((n) => !ours(n));
  return [...rest.filter(likely), ...rest.filter((n) => !likely(n))];
}

export async function buildFromSheet(port: WorkbookPort, sheet: string, options: ChargebackFileOptions): Promise<FilesOutcome> {
  const table = await port.readSheet(sheet);
  return { ...chargebackBatchView(buildChargebackFiles(table, options)), source: { tables: [table] } };
}

export async function buildFromDataset(api: ApiClient, dataset: string, options: ChargebackFileOptions, signal?: AbortSignal): Promise<FilesOutcome> {
  const r = await api.request<Omit<FilesOutcome, 'source'>>('/api/chargebacks/files', { method: 'POST', body: { dataset, ...options }, signal });
  return { ...r, source: { dataset } };
}

/** The partner a network's file goes to, by the rule of src/delivery/partners.ts (chosen, configured, or the only one). */
export function partnerFor(network: string, partners: readonly PartnerView[], chosen: PartnerMapping, configured: PartnerMapping = {}): PartnerView | undefined {
  const c = choosePartner(network, partners, chosen, configured);
  return c.ok ? c.partner : undefined;
}

/** The partners, and the delivery targets an admin set (Settings → Delivery targets): read as Settings reads them. */
export { listPartners, listTargets } from '../settings/settings-api';

export async function prepareBatch(
  api: ApiClient,
  outcome: FilesOutcome,
  options: ChargebackFileOptions,
  partners: Readonly<Record<string, string>>,
): Promise<DeliveryView> {
  const source = 'tables' in outcome.source ? { tables: tablesAsJson(outcome.source.tables) } : outcome.source;
  return api.request<DeliveryView>('/api/chargebacks/batches', { method: 'POST', body: { ...source, ...options, partners } });
}

export async function getDelivery(api: ApiClient, id: string, signal?: AbortSignal): Promise<DeliveryView> {
  return api.request<DeliveryView>(`/api/deliveries/${encodeURIComponent(id)}`, { signal });
}

export async function listDeliveries(api: ApiClient, job?: string, signal?: AbortSignal): Promise<DeliveryView[]> {
  return (await api.request<{ deliveries: DeliveryView[] }>('/api/deliveries', { query: { job, limit: 20 }, signal })).deliveries;
}

export async function approveDelivery(api: ApiClient, d: DeliveryView): Promise<void> {
  await api.request(`/api/batches/${encodeURIComponent(d.batch.id)}/approve`, { method: 'POST', body: { version: d.batch.version } });
}

export async function startSending(api: ApiClient, id: string): Promise<DeliveryView> {
  return api.request<DeliveryView>(`/api/deliveries/${encodeURIComponent(id)}/send`, { method: 'POST', body: {} });
}

/** Polls a sending batch until it stops, reporting each snapshot (per-file progress and receipts). */
export async function followDelivery(
  api: ApiClient,
  id: string,
  onUpdate: (d: DeliveryView) => void,
  opts: { signal?: AbortSignal; intervalMs?: number } = {},
): Promise<DeliveryView> {
  for (;;) {
    const d = await getDelivery(api, id, opts.signal);
    onUpdate(d);
    if (d.batch.state !== 'sending') return d;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, opts.intervalMs ?? 500);
      opts.signal?.addEventListener('abort', () => (clearTimeout(t), reject(new DOMException('Aborted', 'AbortError'))), { once: true });
    });
  }
}

/** The batch as the approval rule sees it: its author and each file's preparers. */
function approvalSubject(d: DeliveryView): ApprovalSubject {
  return { preparedBy: { id: d.batch.preparedBy, name: d.batch.preparedByName }, items: d.items.map((i) => ({ preparedBy: i.preparedBy })) };
}

/** Who may approve, in words for the screen; the approval rule (src/approval/rule.ts) decides. */
export function approvalRule(user: User | null, d: DeliveryView): { allowed: boolean; reason: string } {
  if (d.batch.state !== 'awaiting_approval') {
    return { allowed: false, reason: d.approvedBy ? `Approved by ${d.approvedBy}.` : `The batch is ${d.batch.state.replace(/_/g, ' ')}.` };
  }
  const subject = approvalSubject(d);
  const who = `Needs approval by an approver other than ${preparersOf(subject).map((p) => p.name).join(' and ')}.`;
  const verdict = mayApprove(subject, user);
  return verdict.ok ? { allowed: true, reason: `${who} You can approve it.` } : { allowed: false, reason: `${who} ${verdict.reason}` };
}

export function canSend(d: DeliveryView): boolean {
  return Boolean(d.approvedBy) && ['approved', 'failed'].includes(d.batch.state) && d.items.some((i) => i.state !== 'done' && i.state !== 'needs_review');
}

/** 0–100 for a file's bar: done is 100, otherwise bytes sent so far. */
export function filePercent(item: DeliveryItemView): number {
  if (item.state === 'done') return 100;
  const p = item.progress;
  if (!p || !p.total) return 0;
  return Math.min(100, Math.floor((100 * p.sent) / p.total));
}

export function describeReceipt(r: ReceiptView): string {
  const where = `${r.protocol.toUpperCase()} ${r.host}:${r.remotePath}`;
  const key = r.serverFingerprint ? ` · server ${r.serverFingerprint}` : '';
  return `${formatCount(r.bytes)} bytes → ${where} · sha256 ${r.sha256.slice(0, 16)}…${key}${r.adopted ? ' · was already there (adopted)' : ''}${r.encrypted ? ' · OpenPGP' : ''}`;
}
