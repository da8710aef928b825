/**
 * Tuition invoices stored, with every version, and the customers' settings (approver, delivery,
 * layout, learner rules). The lifecycle — draft → awaiting approval → approved | denied → delivered,
 * what an edit voids, who may do what — is src/tuition/lifecycle.ts; this file stores what it allows
 * and audits every change. Approval links are ./approval.ts, delivery ./delivery.ts.
 */
import { createHash } from 'node:crypto';
import type { Audit } from '../../audit';
import { canonicalJson } from '../../canonical-json';
import { AppError, notFound } from '../../errors';
import type { Secrets } from '../../secrets';
import { placeholders, type Queryable, type Store } from '../../store';
import { setBatchState } from '../../store/batches';
import { legacyPerson, recordedPerson, type User } from '../../../src/approval';
import { newId, nowIso, parseJson } from '../../store/ids';
import {
  customerKey,
  invoiceFacts,
  invoiceTransition,
  invoiceDocument,
  mailboxOf,
  rulesByCustomer,
  type CustomerLayout,
  type CustomerLearnerRules,
  type InvoiceAction,
  type InvoiceActor,
  type InvoicePreparer,
  type InvoiceState,
  type LearnerRules,
  type TuitionInvoice,
} from '../../../src/tuition';
import type { ZohoTarget } from './zoho';
import { putTarget } from '../../delivery/targets';
import type { Mailer } from '../../mail';

export type { InvoiceState } from '../../../src/tuition';
export type InvoiceDocument = ReturnType<typeof invoiceDocument>;
export type { InvoiceRow };

export interface TuitionDeps {
  store: Store;
  audit: Audit;
  secrets: Secrets;
  masterKey: Buffer;
  /** Sends approval links; absent: nothing can be sent for approval. */
  mailer?: Mailer;
  /** Origin of the e-mailed links (configuration, never a request's Host header). */
  publicOrigin?: string;
}

export interface StoredInvoice {
  id: string;
  number: string;
  customer: string;
  month: string;
  currency: string;
  version: number;
  state: InvoiceState;
  document: InvoiceDocument;
  hash: string;
  totalCents: number;
  /** Identity key of who made the current version. */
  createdBy: string;
  createdByName: string;
  /** The authors of every version (with their mailboxes): none of them may approve it. */
  preparers: InvoicePreparer[];
  createdAt: string;
  updatedAt: string;
  /**
   * `by` is the name shown; `byId` the identity of the approver the link was issued for; `recipient`
   * the address the link was e-mailed to (null for decisions from before links were e-mailed).
   */
  decision: { decision: 'approved' | 'denied'; by: string; byId: string; recipient: string | null; at: string; reason: string | null; version: number; hash: string } | null;
  deliveryBatchId: string | null;
  deliveryError: string | null;
  deliveredAt: string | null;
  /** Zoho Books invoice id when delivered to Zoho. */
  remoteId: string | null;
}

interface InvoiceRow {
  id: string;
  number: string;
  customer: string;
  month: string;
  currency: string;
  version: number;
  state: InvoiceState;
  document: string;
  doc_hash: string;
  total_cents: number | string;
  created_by: string;
  created_by_name: string | null;
  created_at: string;
  updated_at: string;
  decided_version: number | null;
  decided_hash: string | null;
  decided_by: string | null;
  decided_by_id: string | null;
  decided_recipient?: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  delivery_batch_id: string | null;
  delivery_error: string | null;
  delivered_at: string | null;
  remote_id?: string | null;
}

const toInvoice = (r: InvoiceRow, preparers: InvoicePreparer[]): StoredInvoice => ({
  id: r.id,
  number: r.number,
  customer: r.customer,
  month: r.month,
  currency: r.currency,
  version: Number(r.version),
  state: r.state,
  document: parseJson<InvoiceDocument>(r.document, {} as InvoiceDocument),
  hash: r.doc_hash,
  totalCents: Number(r.total_cents),
  createdBy: recordedPerson(r.created_by, r.created_by_name).id,
  createdByName: recordedPerson(r.created_by, r.created_by_name).name,
  preparers,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  decision:
    r.decided_at && r.decided_by
      ? {
          decision: r.state === 'denied' ? 'denied' : 'approved',
          by: r.decided_by,
          byId: r.decided_by_id ?? legacyPerson(r.decided_by).id,
          recipient: r.decided_recipient ?? null,
          at: r.decided_at,
          reason: r.decision_reason,
          version: Number(r.decided_version),
          hash: String(r.decided_hash),
        }
      : null,
  deliveryBatchId: r.delivery_batch_id,
  deliveryError: r.delivery_error,
  deliveredAt: r.delivered_at,
  remoteId: r.remote_id ?? null,
});

/** sha-256 of the canonical JSON of the document: the identity of one invoice version. */
export const documentHash = (doc: InvoiceDocument): string => createHash('sha256').update(canonicalJson(doc)).digest('hex');

const forUpdate = (db: Queryable) => (db.dialect === 'postgres' ? ' FOR UPDATE' : '');

/** Rows with their preparers: the authors of every version, each once, with every mailbox they signed in with. */
export async function withPreparers(db: Queryable, rows: readonly InvoiceRow[]): Promise<StoredInvoice[]> {
  if (rows.length === 0) return [];
  const authors = await db.query<{ invoice_id: string; created_by: string; created_by_name: string | null; created_by_mailbox: string | null }>(
    `SELECT invoice_id, created_by, created_by_name, created_by_mailbox FROM tuition_invoice_versions WHERE invoice_id IN (${placeholders(rows.length)}) ORDER BY version`,
    rows.map((r) => r.id),
  );
  const byInvoice = new Map<string, Map<string, InvoicePreparer>>();
  for (const a of authors) {
    const p = recordedPerson(a.created_by, a.created_by_name);
    let m = byInvoice.get(a.invoice_id);
    if (!m) byInvoice.set(a.invoice_id, (m = new Map()));
    // One entry per person and mailbox: her address may have changed between two versions.
    const key = `${p.id}\u0000${a.created_by_mailbox ?? ''}`;
    if (!m.has(key)) m.set(key, { ...p, ...(a.created_by_mailbox ? { mailbox: a.created_by_mailbox } : {}) });
  }
  return rows.map((r) => toInvoice(r, [...(byInvoice.get(r.id)?.values() ?? [recordedPerson(r.created_by, r.created_by_name)])]));
}

export async function getInvoice(db: Queryable, id: string): Promise<StoredInvoice | undefined> {
  const r = await db.one<InvoiceRow>('SELECT * FROM tuition_invoices WHERE id = $1', [id]);
  return r ? (await withPreparers(db, [r]))[0] : undefined;
}

export async function requireInvoice(db: Queryable, id: string, lock = false): Promise<StoredInvoice> {
  const r = await db.one<InvoiceRow>(`SELECT * FROM tuition_invoices WHERE id = $1${lock ? forUpdate(db) : ''}`, [id]);
  if (!r) throw notFound('invoice-not-found', `There is no tuition invoice ${id}.`);
  return (await withPreparers(db, [r]))[0]!;
}

export async function listInvoices(db: Queryable, filter: { month?: string } = {}): Promise<StoredInvoice[]> {
  const rows = filter.month
    ? await db.query<InvoiceRow>('SELECT * FROM tuition_invoices WHERE month = $1 ORDER BY customer_key, currency', [filter.month])
    : await db.query<InvoiceRow>('SELECT * FROM tuition_invoices ORDER BY month DESC, customer_key, currency LIMIT 500');
  return withPreparers(db, rows);
}

/** Checks a transition against the lifecycle; throws its refusal as an AppError. */
export function allow(inv: StoredInvoice, action: InvoiceAction, actor: InvoiceActor) {
  const t = invoiceTransition(invoiceFacts(inv), action, actor);
  if (!t.ok) throw new AppError(t.status, t.code, t.reason);
  return t;
}

export const person = (user: User): InvoiceActor => ({ kind: 'person', user });

/** Unused approval links of an invoice stop working. */
export async function revokeLinks(tx: Queryable, invoiceId: string, at: string): Promise<void> {
  await tx.exec('UPDATE tuition_links SET revoked_at = $2 WHERE invoice_id = $1 AND used_at IS NULL AND revoked_at IS NULL', [invoiceId, at]);
}

export interface SaveResult {
  created: StoredInvoice[];
  revised: StoredInvoice[];
  unchanged: StoredInvoice[];
  /** Delivered invoices cannot change; the new figures are reported, not applied. */
  refused: { number: string; message: string }[];
}

/**
 * Stores a month's invoices as drafts. An invoice whose figures changed becomes a new version: back
 * to draft, any approval or pending link void (the audit entry says so).
 */
export async function saveInvoices(deps: TuitionDeps, invoices: readonly TuitionInvoice[], actor: User): Promise<SaveResult> {
  const out: SaveResult = { created: [], revised: [], unchanged: [], refused: [] };
  for (const inv of invoices) {
    const doc = invoiceDocument(inv);
    const existing = await deps.store.one<{ id: string }>('SELECT id FROM tuition_invoices WHERE number = $1', [inv.number]);
    if (!existing) {
      out.created.push(await createInvoice(deps, inv, doc, actor));
      continue;
    }
    const cur = await requireInvoice(deps.store, existing.id);
    const t = invoiceTransition(invoiceFacts(cur), { type: 'revise', number: doc.number, month: doc.month, currency: doc.currency, hash: documentHash(doc) }, person(actor));
    if (t.ok && t.unchanged) out.unchanged.push(cur);
    else if (!t.ok && t.code === 'already-delivered') out.refused.push({ number: inv.number, message: `${inv.number} was already delivered to ${inv.customer}; bill the difference on a new invoice.` });
    else out.revised.push(await reviseInvoice(deps, cur.id, doc, actor));
  }
  return out;
}

async function createInvoice(deps: TuitionDeps, inv: TuitionInvoice, doc: InvoiceDocument, actor: User): Promise<StoredInvoice> {
  const id = newId('tui');
  const hash = documentHash(doc);
  const at = nowIso();
  return deps.store.transaction(async (tx) => {
    await tx.exec(
      `INSERT INTO tuition_invoices (id, number, customer, customer_key, month, currency, version, state, document, doc_hash, total_cents, created_by, created_by_name, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 1, 'draft', $7, $8, $9, $10, $11, $12, $12)`,
      [id, inv.number, inv.customer, customerKey(inv.customer), inv.month, inv.currency, canonicalJson(doc), hash, inv.totalCents, actor.id, actor.name, at],
    );
    await tx.exec('INSERT INTO tuition_invoice_versions (invoice_id, version, document, doc_hash, created_by, created_by_name, created_by_mailbox, created_at) VALUES ($1, 1, $2, $3, $4, $5, $6, $7)', [
      id, canonicalJson(doc), hash, actor.id, actor.name, mailboxOf(actor), at,
    ]);
    await deps.audit.append({ actor: actor.id, action: 'tuition.invoice-drafted', subjectType: 'tuition-invoice', subjectId: id, details: { number: inv.number, version: 1, hash, totalCents: inv.totalCents, currency: inv.currency } }, tx);
    return requireInvoice(tx, id);
  });
}

/**
 * A new version of an invoice (an edit); voids any approval and every link of older versions. A
 * delivery batch prepared for the old version and not yet sending is cancelled: what the customer
 * approved is no longer the invoice.
 */
export async function reviseInvoice(deps: TuitionDeps, id: string, doc: InvoiceDocument, actor: User, expectedVersion?: number): Promise<StoredInvoice> {
  const hash = documentHash(doc);
  return deps.store.transaction(async (tx) => {
    const cur = await requireInvoice(tx, id, true);
    const t = allow(cur, { type: 'revise', expectedVersion, number: doc.number, month: doc.month, currency: doc.currency, hash }, person(actor));
    if (t.unchanged) return cur;
    const version = cur.version + 1;
    const at = nowIso();
    // A new version: the decision (approval or denial) of the old one no longer counts.
    await tx.exec(
      `UPDATE tuition_invoices SET version = $2, state = $3, document = $4, doc_hash = $5, total_cents = $6, updated_at = $7, created_by = $8, created_by_name = $9,
         decided_version = NULL, decided_hash = NULL, decided_by = NULL, decided_by_id = NULL, decided_at = NULL, decision_reason = NULL, delivery_error = NULL
       WHERE id = $1`,
      [id, version, t.to, canonicalJson(doc), hash, doc.totalCents, at, actor.id, actor.name],
    );
    await tx.exec('INSERT INTO tuition_invoice_versions (invoice_id, version, document, doc_hash, created_by, created_by_name, created_by_mailbox, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      id, version, canonicalJson(doc), hash, actor.id, actor.name, mailboxOf(actor), at,
    ]);
    if (t.revokesLinks) await revokeLinks(tx, id, at);
    let cancelledBatch: string | null = null;
    if (t.voidsApproval && cur.deliveryBatchId) {
      const open = await tx.one<{ state: string }>('SELECT state FROM batches WHERE id = $1', [cur.deliveryBatchId]);
      if (open && ['awaiting_approval', 'approved', 'failed'].includes(open.state)) {
        await setBatchState(tx, cur.deliveryBatchId, 'cancelled', ['awaiting_approval', 'approved', 'failed']);
        cancelledBatch = cur.deliveryBatchId;
      }
    }
    await deps.audit.append(
      {
        actor: actor.id,
        action: 'tuition.invoice-revised',
        subjectType: 'tuition-invoice',
        subjectId: id,
        details: {
          number: cur.number,
          fromVersion: cur.version,
          version,
          previousState: cur.state,
          hash,
          approvalVoided: t.voidsApproval,
          totalCents: doc.totalCents,
          ...(cancelledBatch ? { deliveryBatchCancelled: cancelledBatch } : {}),
        },
      },
      tx,
    );
    return requireInvoice(tx, id);
  });
}

// ---- customer settings -------------------------------------------------------------------------

export type DeliverySetting = { method: 'none' } | { method: 'partner'; partnerId: string } | ZohoTarget;

export interface CustomerSettings {
  name: string;
  approverEmail: string;
  delivery: DeliverySetting;
  layout: CustomerLayout | null;
  /** How this customer's learners are matched across partner layouts (src/tuition/learners.ts). */
  learners: CustomerLearnerRules;
  updatedBy: string;
  updatedAt: string;
}

interface CustomerRow {
  name: string;
  approver_email: string;
  delivery: string;
  layout: string | null;
  learners: string | null;
  updated_by: string;
  updated_at: string;
}

const toSettings = (r: CustomerRow): CustomerSettings => ({
  name: r.name,
  approverEmail: r.approver_email,
  delivery: parseJson<DeliverySetting>(r.delivery, { method: 'none' }),
  layout: r.layout ? parseJson<CustomerLayout | null>(r.layout, null) : null,
  learners: r.learners ? parseJson<CustomerLearnerRules>(r.learners, {}) : {},
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
});

export async function getCustomerSettings(db: Queryable, customer: string): Promise<CustomerSettings | undefined> {
  const r = await db.one<CustomerRow>('SELECT * FROM tuition_customers WHERE customer_key = $1', [customerKey(customer)]);
  return r ? toSettings(r) : undefined;
}

/** Every customer's learner rules, as the month's build takes them. */
export async function learnerRules(db: Queryable): Promise<LearnerRules> {
  return rulesByCustomer(await listCustomerSettings(db));
}

export async function listCustomerSettings(db: Queryable): Promise<CustomerSettings[]> {
  return (await db.query<CustomerRow>('SELECT * FROM tuition_customers ORDER BY customer_key')).map(toSettings);
}

/** Delivery by file names the partner, and may name a folder and a file-name pattern: the customer's delivery target. */
export type DeliveryInput = Exclude<DeliverySetting, { method: 'partner' }> | { method: 'partner'; partnerId: string; folder?: string; fileNamePattern?: string };

export async function putCustomerSettings(
  deps: TuitionDeps,
  input: { name: string; approverEmail?: string; delivery?: DeliveryInput; layout?: CustomerLayout | null; learners?: CustomerLearnerRules },
  actor: string,
): Promise<CustomerSettings> {
  const cur = await getCustomerSettings(deps.store, input.name);
  const delivery: DeliverySetting | undefined = input.delivery?.method === 'partner' ? { method: 'partner', partnerId: input.delivery.partnerId } : input.delivery;
  const next = {
    approverEmail: input.approverEmail ?? cur?.approverEmail ?? '',
    delivery: delivery ?? cur?.delivery ?? { method: 'none' as const },
    layout: input.layout === undefined ? (cur?.layout ?? null) : input.layout,
    learners: input.learners ?? cur?.learners ?? {},
  };
  const file = input.delivery?.method === 'partner' ? { folder: input.delivery.folder ?? '', fileNamePattern: input.delivery.fileNamePattern ?? '' } : undefined;
  await deps.store.transaction(async (tx) => {
    // A file delivery is the customer's delivery target (one home for every job's targets); Zoho or none removes it.
    if (input.delivery?.method === 'partner') {
      await putTarget(tx, { job: 'tuition', key: input.name, label: input.name.trim(), partnerId: input.delivery.partnerId, ...file }, actor);
    } else if (input.delivery) await tx.exec(`DELETE FROM delivery_targets WHERE job = 'tuition' AND target_key = $1`, [customerKey(input.name)]);
    await tx.exec(
      `INSERT INTO tuition_customers (customer_key, name, approver_email, delivery, layout, learners, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (customer_key) DO UPDATE SET name = excluded.name, approver_email = excluded.approver_email, delivery = excluded.delivery,
         layout = excluded.layout, learners = excluded.learners, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [customerKey(input.name), input.name.trim(), next.approverEmail, JSON.stringify(next.delivery), next.layout ? JSON.stringify(next.layout) : null, JSON.stringify(next.learners), actor, nowIso()],
    );
    await deps.audit.append({ actor, action: 'tuition.customer-settings', subjectType: 'tuition-customer', subjectId: customerKey(input.name), details: { ...next, ...(file ? { file } : {}) } }, tx);
  });
  return (await getCustomerSettings(deps.store, input.name))!;
}

