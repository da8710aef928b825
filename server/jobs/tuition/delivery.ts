/**
 * Delivery of an invoice the customer approved, to the customer's delivery target (Settings →
 * Delivery targets): the files in the customer's layout to its partner through the delivery service
 * (a batch whose checker is the customer's approver — the approval rule checks her again there —
 * sent exactly once, the approved bytes), or the Zoho Books invoice through ./zoho.ts (created once,
 * adopted when it exists). Refused unless the approval is for the current version and hash. When a
 * run ends the invoice says so (delivered, or the delivery error) and the audit records it; the
 * pane follows the invoice's state.
 */
import type { User } from '../../../src/approval';
import {
  DEFAULT_CUSTOMER_LAYOUT,
  invoiceApprovalStands,
  invoiceCsvForCustomer,
  invoiceFacts,
  invoiceFileBase,
  invoiceTransition,
  tuitionSheets,
  type CustomerLayout,
  type InvoiceActor,
  type TuitionInvoice,
} from '../../../src/tuition';
import { systemPerson } from '../../../src/approval';
import { ExcelFileWorkbook } from '../../../platform/workbook/excel-file';
import { conflict } from '../../errors';
import { deliverBatch, listReceipts, prepareDelivery, type DeliverOptions, type ReceiptRow } from '../../delivery/service';
import { targetedFile } from '../../delivery/targets';
import { decideBatch, getBatch } from '../../store/batches';
import { nowIso } from '../../store/ids';
import type { ClientOptions } from '../../zoho/connections';
import { describeZohoError } from '../../zoho/errors';
import { tuitionDelivery } from './delivery-target';
import { allow, getCustomerSettings, requireInvoice, withPreparers, type InvoiceRow, type StoredInvoice, type TuitionDeps } from './invoices';
import { createZohoInvoice, type ZohoTarget } from './zoho';

/** CloseDesk's delivery process: the preparer of an invoice's delivery batch (the invoice's own preparers are its items'). */
export const TUITION_DELIVERY = systemPerson('tuition-delivery');
const WORKER: InvoiceActor = { kind: 'worker' };

/** The files a customer receives for an invoice version: CSV in their layout and an .xlsx. */
export async function invoiceFiles(inv: StoredInvoice, layout: CustomerLayout | null): Promise<{ fileName: string; content: Buffer }[]> {
  const tuition: TuitionInvoice = { ...inv.document, partners: inv.document.partners, lines: inv.document.lines };
  const base = invoiceFileBase(inv.number, inv.version);
  const wb = new ExcelFileWorkbook();
  for (const spec of tuitionSheets([tuition])) await wb.writeSheet(spec);
  return [
    { fileName: `${base}.csv`, content: Buffer.from(invoiceCsvForCustomer(tuition, layout ?? DEFAULT_CUSTOMER_LAYOUT), 'utf8') },
    { fileName: `${base}.xlsx`, content: await wb.toBuffer() },
  ];
}

export interface DeliveryResult {
  invoice: StoredInvoice;
  receipts: ReceiptRow[];
}

const running = new Set<string>();

async function markDelivered(deps: TuitionDeps, inv: StoredInvoice, actor: string, details: Record<string, unknown>, remoteId: string | null): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const cur = await requireInvoice(tx, inv.id, true);
    const t = invoiceTransition(invoiceFacts(cur), { type: 'mark-delivered', version: inv.version }, WORKER);
    // Already delivered, or changed while it was being delivered: this delivery does not count for it.
    if (!t.ok || t.unchanged) return;
    const at = nowIso();
    await tx.exec(`UPDATE tuition_invoices SET state = 'delivered', delivered_at = $2, delivery_error = NULL, remote_id = $3, updated_at = $2 WHERE id = $1`, [inv.id, at, remoteId]);
    await deps.audit.append({ actor, action: 'tuition.delivered', subjectType: 'tuition-invoice', subjectId: inv.id, details: { number: inv.number, version: inv.version, hash: inv.hash, ...details } }, tx);
  });
}

async function deliveryFailed(deps: TuitionDeps, inv: StoredInvoice, actor: string, error: string, details: Record<string, unknown>): Promise<void> {
  await deps.store.exec('UPDATE tuition_invoices SET delivery_error = $2, updated_at = $3 WHERE id = $1', [inv.id, error, nowIso()]);
  await deps.audit.append({ actor, action: 'tuition.delivery-failed', subjectType: 'tuition-invoice', subjectId: inv.id, details: { number: inv.number, version: inv.version, error, ...details } });
}

async function deliverToZoho(deps: TuitionDeps, inv: StoredInvoice, target: ZohoTarget, actor: string, clientOptions?: ClientOptions): Promise<DeliveryResult> {
  try {
    const z = await createZohoInvoice(deps, inv, target, clientOptions);
    await markDelivered(deps, inv, actor, { zoho: { invoiceId: z.invoiceId, invoiceNumber: z.invoiceNumber, adopted: z.adopted, connectionId: target.connectionId } }, z.invoiceId);
  } catch (e) {
    await deliveryFailed(deps, inv, actor, describeZohoError(e), { target: 'zoho' });
  }
  return { invoice: await requireInvoice(deps.store, inv.id), receipts: [] };
}

/**
 * Delivers an approved invoice to the customer's target. Refused unless the approval is for the
 * current version and hash, or when no target is set (the refusal names the screen that sets it).
 * Safe to call again after a failure: the same delivery batch is resumed.
 */
export async function deliverInvoice(deps: TuitionDeps, id: string, actor: string, options: Omit<DeliverOptions, 'actor'> & { zoho?: ClientOptions } = {}): Promise<DeliveryResult> {
  if (running.has(id)) throw conflict('already-delivering', `Invoice ${id} is being delivered right now.`);
  running.add(id);
  try {
    const inv = await requireInvoice(deps.store, id);
    if (allow(inv, { type: 'deliver' }, WORKER).unchanged) {
      return { invoice: inv, receipts: inv.deliveryBatchId ? await listReceipts(deps.store, { batchId: inv.deliveryBatchId }) : [] };
    }
    const decision = inv.decision!;
    const settings = await getCustomerSettings(deps.store, inv.customer);
    const target = await tuitionDelivery(deps.store, deps.secrets, inv.customer, settings);
    if (target.method === 'none') throw conflict('no-delivery-target', target.reason);
    if (target.method === 'zoho') return await deliverToZoho(deps, inv, target, actor, options.zoho);
    let batchId = inv.deliveryBatchId;
    const batch = batchId ? await getBatch(deps.store, batchId) : undefined;
    // A batch prepared for an older version is never reused (the approval names a version).
    if (!batch || (batch.payload as { invoiceVersion?: number }).invoiceVersion !== inv.version) {
      const files = await invoiceFiles(inv, settings?.layout ?? null);
      const prepared = await prepareDelivery(
        { store: deps.store, secrets: deps.secrets, audit: deps.audit },
        {
          job: 'tuition',
          preparedBy: TUITION_DELIVERY,
          // The files are the invoice: whoever prepared any version of it prepared them.
          contentBy: inv.preparers,
          files: files.map((f) => ({ ...f, ...targetedFile(target.choice, f.fileName, { customer: inv.customer, month: inv.month }), label: inv.customer })),
          payload: { invoiceId: inv.id, invoiceNumber: inv.number, invoiceVersion: inv.version, invoiceHash: inv.hash },
        },
      );
      // The customer's approver is the checker of this batch (the approver role comes with the link): the approval rule checks her again here.
      const approver: User = { id: decision.byId, name: decision.by, roles: ['approver'] };
      await decideBatch(deps.store, { id: prepared.id, version: prepared.version, user: approver, decision: 'approved', reason: `Customer approved ${inv.number} version ${inv.version} (sha-256 ${inv.hash}).` });
      batchId = prepared.id;
      await deps.store.exec('UPDATE tuition_invoices SET delivery_batch_id = $2, updated_at = $3 WHERE id = $1', [id, batchId, nowIso()]);
    }
    const outcome = await deliverBatch({ store: deps.store, secrets: deps.secrets, audit: deps.audit }, batchId!, { ...options, actor });
    if (outcome.batch.state === 'done') {
      await markDelivered(deps, inv, actor, { batchId, files: outcome.receipts.map((r) => ({ fileName: r.fileName, remotePath: r.remotePath, sha256: r.sha256 })) }, null);
    } else {
      const error = outcome.items.filter((i) => i.error).map((i) => i.error).join('; ') || 'Delivery did not complete.';
      await deliveryFailed(deps, inv, actor, error, { batchId });
    }
    return { invoice: await requireInvoice(deps.store, id), receipts: await listReceipts(deps.store, { batchId: batchId! }) };
  } finally {
    running.delete(id);
  }
}

/**
 * Approved invoices whose delivery did not finish (the server stopped while sending, the batch was
 * completed by the delivery service's own start-up resume, or no target was set then): finished ones
 * are marked delivered, the ids of the others — with a target now — are returned to deliver again.
 */
export async function pendingDeliveries(deps: TuitionDeps, customerKey?: string): Promise<string[]> {
  const rows = await deps.store.query<InvoiceRow>(
    `SELECT * FROM tuition_invoices WHERE state = 'approved' AND delivery_error IS NULL${customerKey ? ' AND customer_key = $1' : ''}`,
    customerKey ? [customerKey] : [],
  );
  const out: string[] = [];
  for (const inv of await withPreparers(deps.store, rows)) {
    if (!invoiceApprovalStands(inv)) continue;
    const target = await tuitionDelivery(deps.store, deps.secrets, inv.customer, await getCustomerSettings(deps.store, inv.customer));
    if (target.method === 'none') continue;
    if (inv.deliveryBatchId) {
      const b = await getBatch(deps.store, inv.deliveryBatchId);
      if (b?.state === 'done' && (b.payload as { invoiceVersion?: number }).invoiceVersion === inv.version) {
        const files = (await listReceipts(deps.store, { batchId: b.id })).map((r) => ({ fileName: r.fileName, remotePath: r.remotePath, sha256: r.sha256 }));
        await markDelivered(deps, inv, TUITION_DELIVERY.id, { batchId: b.id, files }, null);
        continue;
      }
    }
    out.push(inv.id);
  }
  return out;
}
