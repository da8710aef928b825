// Over 400 lines: invoices, their versions, approval links, customer settings and delivery share the invoice row mapping and lifecycle check.
/**
 * Tuition invoices stored, their versions, approval links and delivery. The lifecycle — draft →
 * awaiting approval → approved | denied → delivered, what an edit voids, who may do what — is
 * src/tuition/lifecycle.ts; this file stores what it allows and audits every change. Every version
 * is kept; links name one version and the sha-256 of its document, so the customer's decision is tied
 * to exactly what they were shown. Delivery goes through the delivery service: a batch whose items
 * carry the invoice's preparers, approved by the customer's approver under the approval rule.
 */
import { createHash } from 'node:crypto';
import type { Audit } from '../../audit';
import { canonicalJson } from '../../canonical-json';
import { AppError, conflict, notFound } from '../../errors';
import type { Secrets } from '../../secrets';
import type { Queryable, Store } from '../../store';
import { decideBatch, getBatch } from '../../store/batches';
import { legacyPerson, recordedPerson, systemPerson, type Person, type User } from '../../../src/approval';
import { newId, nowIso, parseJson } from '../../store/ids';
import { deliverBatch, listReceipts, prepareDelivery, type DeliverOptions, type ReceiptRow } from '../../delivery/service';
import { ExcelFileWorkbook } from '../../../platform/workbook/excel-file';
import {
  customerApprover,
  customerKey,
  DEFAULT_CUSTOMER_LAYOUT,
  invoiceApprovalStands,
  invoiceFacts,
  invoiceTransition,
  invoiceCsvForCustomer,
  invoiceDocument,
  tuitionSheets,
  type CustomerLayout,
  type InvoiceAction,
  type InvoiceActor,
  type InvoiceState,
  type InvoiceRefusal,
  type TuitionInvoice,
} from '../../../src/tuition';
import { linkIdOf, linkKey, newLinkId, signLink, verifyLink } from './links';
import { createZohoInvoice, type ZohoTarget } from './zoho';
import { describeZohoError } from '../../zoho/errors';
import type { ClientOptions } from '../../zoho/connections';

export type { InvoiceState } from '../../../src/tuition';
export type InvoiceDocument = ReturnType<typeof invoiceDocument>;

export interface TuitionDeps {
  store: Store;
  audit: Audit;
  secrets: Secrets;
  masterKey: Buffer;
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
  /** The authors of every version: none of them may approve it. */
  preparers: Person[];
  createdAt: string;
  updatedAt: string;
  /** `by` is the name shown; `byId` the identity of the approver the link was configured for. */
  decision: { decision: 'approved' | 'denied'; by: string; byId: string; at: string; reason: string | null; version: number; hash: string } | null;
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
  decided_at: string | null;
  decision_reason: string | null;
  delivery_batch_id: string | null;
  delivery_error: string | null;
  delivered_at: string | null;
  remote_id?: string | null;
}

const toInvoice = (r: InvoiceRow, preparers: Person[]): StoredInvoice => ({
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

/** Rows with their preparers: the authors of every version, each once. */
async function withPreparers(db: Queryable, rows: readonly InvoiceRow[]): Promise<StoredInvoice[]> {
  if (rows.length === 0) return [];
  const authors = await db.query<{ invoice_id: string; created_by: string; created_by_name: string | null }>(
    `SELECT invoice_id, created_by, created_by_name FROM tuition_invoice_versions WHERE invoice_id IN (${rows.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY version`,
    rows.map((r) => r.id),
  );
  const byInvoice = new Map<string, Map<string, Person>>();
  for (const a of authors) {
    const p = recordedPerson(a.created_by, a.created_by_name);
    let m = byInvoice.get(a.invoice_id);
    if (!m) byInvoice.set(a.invoice_id, (m = new Map()));
    if (!m.has(p.id)) m.set(p.id, p);
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
function allow(inv: StoredInvoice, action: InvoiceAction, actor: InvoiceActor) {
  const t = invoiceTransition(invoiceFacts(inv), action, actor);
  if (!t.ok) throw new AppError(t.status, t.code, t.reason);
  return t;
}

const person = (user: User): InvoiceActor => ({ kind: 'person', user });
const DELIVERY: InvoiceActor = { kind: 'worker' };
/** The delivery process, the preparer of an invoice's delivery batch (the invoice's own preparers are its items'). */
export const TUITION_DELIVERY = systemPerson('tuition-delivery');

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
    await tx.exec('INSERT INTO tuition_invoice_versions (invoice_id, version, document, doc_hash, created_by, created_by_name, created_at) VALUES ($1, 1, $2, $3, $4, $5, $6)', [
      id, canonicalJson(doc), hash, actor.id, actor.name, at,
    ]);
    await deps.audit.append({ actor: actor.id, action: 'tuition.invoice-drafted', subjectType: 'tuition-invoice', subjectId: id, details: { number: inv.number, version: 1, hash, totalCents: inv.totalCents, currency: inv.currency } }, tx);
    return requireInvoice(tx, id);
  });
}

/** A new version of an invoice (an edit); voids any approval and every link of older versions. */
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
    await tx.exec('INSERT INTO tuition_invoice_versions (invoice_id, version, document, doc_hash, created_by, created_by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      id, version, canonicalJson(doc), hash, actor.id, actor.name, at,
    ]);
    if (t.revokesLinks) await tx.exec('UPDATE tuition_links SET revoked_at = $2 WHERE invoice_id = $1 AND used_at IS NULL AND revoked_at IS NULL', [id, at]);
    await deps.audit.append(
      {
        actor: actor.id,
        action: 'tuition.invoice-revised',
        subjectType: 'tuition-invoice',
        subjectId: id,
        details: { number: cur.number, fromVersion: cur.version, version, previousState: cur.state, hash, approvalVoided: t.voidsApproval, totalCents: doc.totalCents },
      },
      tx,
    );
    return requireInvoice(tx, id);
  });
}

// ---- approval links ----------------------------------------------------------------------------

export const DEFAULT_LINK_HOURS = 7 * 24;

export interface IssuedLink {
  token: string;
  path: string;
  expiresAt: string;
  invoice: StoredInvoice;
}

/** Sends the current version for the customer's approval: a new signed, expiring, single-use link (older unused links are revoked). */
export async function sendForApproval(deps: TuitionDeps, id: string, actor: User, options: { validForMs?: number; now?: number } = {}): Promise<IssuedLink> {
  const now = options.now ?? Date.now();
  const validFor = options.validForMs ?? DEFAULT_LINK_HOURS * 3_600_000;
  return deps.store.transaction(async (tx) => {
    const inv = await requireInvoice(tx, id, true);
    const t = allow(inv, { type: 'send-for-approval' }, person(actor));
    const at = new Date(now).toISOString();
    // One link at a time: older unused links stop working.
    if (t.revokesLinks) await tx.exec('UPDATE tuition_links SET revoked_at = $2 WHERE invoice_id = $1 AND used_at IS NULL AND revoked_at IS NULL', [id, at]);
    const claims = { linkId: newLinkId(), invoiceId: id, version: inv.version, docHash: inv.hash, expiresAt: new Date(now + validFor).toISOString() };
    await tx.exec('INSERT INTO tuition_links (id, invoice_id, version, doc_hash, expires_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      claims.linkId, id, inv.version, inv.hash, claims.expiresAt, actor.id, at,
    ]);
    await tx.exec(`UPDATE tuition_invoices SET state = $2, updated_at = $3 WHERE id = $1`, [id, t.to, at]);
    await deps.audit.append(
      { actor: actor.id, action: 'tuition.sent-for-approval', subjectType: 'tuition-invoice', subjectId: id, details: { number: inv.number, version: inv.version, hash: inv.hash, linkId: claims.linkId, expiresAt: claims.expiresAt } },
      tx,
    );
    const token = signLink(linkKey(deps.masterKey), claims);
    return { token, path: `/tuition/approve/${token}`, expiresAt: claims.expiresAt, invoice: await requireInvoice(tx, id) };
  });
}

/** `not-allowed`: the approval rule refuses the link's approver (she prepared a version of the invoice). */
export type LinkRefusal = 'tampered' | 'expired' | 'used' | 'superseded' | 'not-awaiting' | 'not-allowed';

export type LinkCheck = { ok: true; invoice: StoredInvoice; linkId: string; expiresAt: string } | { ok: false; reason: LinkRefusal; message: string; invoice?: StoredInvoice };

interface LinkRow {
  id: string;
  invoice_id: string;
  version: number;
  doc_hash: string;
  expires_at: string;
  revoked_at: string | null;
  used_at: string | null;
  used_decision: string | null;
}

/** Checks a token: signature, expiry, single use, still the current version and still awaiting a decision. */
export async function checkLink(deps: TuitionDeps, db: Queryable, token: string, now = Date.now()): Promise<LinkCheck> {
  const tampered: LinkCheck = { ok: false, reason: 'tampered', message: 'This approval link is not valid: it was changed or was never issued by us. Use the link exactly as you received it, or ask your billing contact for a new one.' };
  const linkId = linkIdOf(token);
  if (!linkId) return tampered;
  const link = await db.one<LinkRow>(`SELECT * FROM tuition_links WHERE id = $1${forUpdate(db)}`, [linkId]);
  if (!link) return tampered;
  if (!verifyLink(linkKey(deps.masterKey), token, { linkId, invoiceId: link.invoice_id, version: Number(link.version), docHash: link.doc_hash, expiresAt: link.expires_at })) return tampered;
  const invoice = await requireInvoice(db, link.invoice_id, true);
  if (link.used_at) {
    return { ok: false, reason: 'used', invoice, message: `This link was already used on ${link.used_at.slice(0, 16).replace('T', ' ')} UTC to ${link.used_decision === 'denied' ? 'deny' : 'approve'} invoice ${invoice.number}; a link works once.` };
  }
  if (Date.parse(link.expires_at) <= now) {
    return { ok: false, reason: 'expired', invoice, message: `This link expired on ${link.expires_at.slice(0, 16).replace('T', ' ')} UTC. Ask your billing contact to send invoice ${invoice.number} again.` };
  }
  if (link.revoked_at && invoice.version === Number(link.version) && invoice.hash === link.doc_hash) {
    return { ok: false, reason: 'superseded', invoice, message: `A newer approval link for invoice ${invoice.number} was sent after this one; please use the newest link.` };
  }
  if (link.revoked_at || invoice.version !== Number(link.version) || invoice.hash !== link.doc_hash) {
    return { ok: false, reason: 'superseded', invoice, message: `Invoice ${invoice.number} was changed after this link was sent, so it no longer shows the current invoice. A link to the new version will be sent to you.` };
  }
  // The lifecycle decides whether the link's approver may decide now (state, and the approval rule).
  const t = invoiceTransition(invoiceFacts(invoice), { type: 'approve', shownHash: invoice.hash }, person(await linkApprover(db, invoice)));
  if (!t.ok) return { ok: false, reason: t.code === 'not-awaiting' ? 'not-awaiting' : 'not-allowed', invoice, message: t.reason };
  return { ok: true, invoice, linkId, expiresAt: link.expires_at };
}

/** Who decides through a link: the customer's approver as configured (never a name typed into the form). */
async function linkApprover(db: Queryable, inv: StoredInvoice): Promise<User> {
  return customerApprover(inv.customer, (await getCustomerSettings(db, inv.customer))?.approverEmail);
}

const linkRefusal = (t: InvoiceRefusal): LinkRefusal | 'changed' | 'reason-missing' =>
  t.code === 'changed' || t.code === 'reason-missing' || t.code === 'not-awaiting' ? t.code : 'not-allowed';

export interface CustomerDecision {
  decision: 'approved' | 'denied';
  reason?: string;
  /** The hash of the document the approver's page showed (a hidden field of the form). */
  shownHash: string;
  /** The name the approver gives on the form, shown with the decision (who decides is the configured approver). */
  approver?: string;
}

export type DecisionResult = { ok: true; invoice: StoredInvoice } | { ok: false; reason: LinkRefusal | 'changed' | 'reason-missing'; message: string };

/** Records the customer's decision through a link, once, for the exact version shown. */
export async function decideByLink(deps: TuitionDeps, token: string, d: CustomerDecision, now = Date.now()): Promise<DecisionResult> {
  const reason = (d.reason ?? '').trim();
  return deps.store.transaction(async (tx) => {
    const check = await checkLink(deps, tx, token, now);
    if (!check.ok) return check;
    const inv = check.invoice;
    const approver = await linkApprover(tx, inv);
    const action: InvoiceAction = d.decision === 'approved' ? { type: 'approve', shownHash: d.shownHash } : { type: 'deny', shownHash: d.shownHash, reason };
    const t = invoiceTransition(invoiceFacts(inv), action, person(approver));
    if (!t.ok) return { ok: false, reason: linkRefusal(t), message: t.reason } as DecisionResult;
    const by = `customer:${(d.approver ?? '').trim() || approver.name}`;
    const at = new Date(now).toISOString();
    const used = await tx.exec('UPDATE tuition_links SET used_at = $2, used_decision = $3 WHERE id = $1 AND used_at IS NULL', [check.linkId, at, d.decision]);
    if (used.changes !== 1) return { ok: false, reason: 'used', message: 'This link was already used; a link works once.' } as DecisionResult;
    await tx.exec(
      `UPDATE tuition_invoices SET state = $2, decided_version = $3, decided_hash = $4, decided_by = $5, decided_by_id = $6, decided_at = $7, decision_reason = $8, updated_at = $7 WHERE id = $1`,
      [inv.id, t.to, inv.version, inv.hash, by, approver.id, at, reason || null],
    );
    await deps.audit.append(
      {
        actor: approver.id,
        action: d.decision === 'approved' ? 'tuition.approved' : 'tuition.denied',
        subjectType: 'tuition-invoice',
        subjectId: inv.id,
        details: { number: inv.number, version: inv.version, hash: inv.hash, linkId: check.linkId, shownAs: by, ...(reason ? { reason } : {}) },
      },
      tx,
    );
    return { ok: true, invoice: await requireInvoice(tx, inv.id) } as DecisionResult;
  });
}

// ---- customer settings -------------------------------------------------------------------------

export type DeliverySetting = { method: 'none' } | { method: 'partner'; partnerId: string } | ZohoTarget;

export interface CustomerSettings {
  name: string;
  approverEmail: string;
  delivery: DeliverySetting;
  layout: CustomerLayout | null;
  updatedBy: string;
  updatedAt: string;
}

export async function getCustomerSettings(db: Queryable, customer: string): Promise<CustomerSettings | undefined> {
  const r = await db.one<{ name: string; approver_email: string; delivery: string; layout: string | null; updated_by: string; updated_at: string }>(
    'SELECT * FROM tuition_customers WHERE customer_key = $1',
    [customerKey(customer)],
  );
  if (!r) return undefined;
  return {
    name: r.name,
    approverEmail: r.approver_email,
    delivery: parseJson<DeliverySetting>(r.delivery, { method: 'none' }),
    layout: r.layout ? parseJson<CustomerLayout | null>(r.layout, null) : null,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  };
}

export async function listCustomerSettings(db: Queryable): Promise<CustomerSettings[]> {
  const rows = await db.query<{ name: string }>('SELECT name FROM tuition_customers ORDER BY customer_key');
  return (await Promise.all(rows.map((r) => getCustomerSettings(db, r.name)))).filter((x): x is CustomerSettings => !!x);
}

export async function putCustomerSettings(
  deps: TuitionDeps,
  input: { name: string; approverEmail?: string; delivery?: DeliverySetting; layout?: CustomerLayout | null },
  actor: string,
): Promise<CustomerSettings> {
  const cur = await getCustomerSettings(deps.store, input.name);
  const next = {
    approverEmail: input.approverEmail ?? cur?.approverEmail ?? '',
    delivery: input.delivery ?? cur?.delivery ?? { method: 'none' as const },
    layout: input.layout === undefined ? (cur?.layout ?? null) : input.layout,
  };
  await deps.store.transaction(async (tx) => {
    await tx.exec(
      `INSERT INTO tuition_customers (customer_key, name, approver_email, delivery, layout, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (customer_key) DO UPDATE SET name = excluded.name, approver_email = excluded.approver_email, delivery = excluded.delivery,
         layout = excluded.layout, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [customerKey(input.name), input.name.trim(), next.approverEmail, JSON.stringify(next.delivery), next.layout ? JSON.stringify(next.layout) : null, actor, nowIso()],
    );
    await deps.audit.append({ actor, action: 'tuition.customer-settings', subjectType: 'tuition-customer', subjectId: customerKey(input.name), details: next }, tx);
  });
  return (await getCustomerSettings(deps.store, input.name))!;
}

// ---- delivery ----------------------------------------------------------------------------------

/** The files a customer receives for an invoice version: CSV in their layout and an .xlsx. */
export async function invoiceFiles(inv: StoredInvoice, layout: CustomerLayout | null): Promise<{ fileName: string; content: Buffer }[]> {
  const tuition: TuitionInvoice = { ...inv.document, partners: inv.document.partners, lines: inv.document.lines };
  const base = `${inv.number}-v${inv.version}`;
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
    const t = invoiceTransition(invoiceFacts(cur), { type: 'mark-delivered', version: inv.version }, DELIVERY);
    // Already delivered, or changed while it was being delivered: this delivery does not count for it.
    if (!t.ok || t.unchanged) return;
    const at = nowIso();
    await tx.exec(`UPDATE tuition_invoices SET state = 'delivered', delivered_at = $2, delivery_error = NULL, remote_id = $3, updated_at = $2 WHERE id = $1`, [inv.id, at, remoteId]);
    await deps.audit.append({ actor, action: 'tuition.delivered', subjectType: 'tuition-invoice', subjectId: inv.id, details: { number: inv.number, version: inv.version, hash: inv.hash, ...details } }, tx);
  });
}

async function deliverToZoho(deps: TuitionDeps, inv: StoredInvoice, target: ZohoTarget, actor: string, clientOptions?: ClientOptions): Promise<DeliveryResult> {
  try {
    const z = await createZohoInvoice(deps, inv, target, clientOptions);
    await markDelivered(deps, inv, actor, { zoho: { invoiceId: z.invoiceId, invoiceNumber: z.invoiceNumber, adopted: z.adopted, connectionId: target.connectionId } }, z.invoiceId);
  } catch (e) {
    const error = describeZohoError(e);
    await deps.store.exec('UPDATE tuition_invoices SET delivery_error = $2, updated_at = $3 WHERE id = $1', [inv.id, error, nowIso()]);
    await deps.audit.append({ actor, action: 'tuition.delivery-failed', subjectType: 'tuition-invoice', subjectId: inv.id, details: { number: inv.number, version: inv.version, target: 'zoho', error } });
  }
  return { invoice: await requireInvoice(deps.store, inv.id), receipts: [] };
}

/**
 * Delivers an approved invoice to the customer's target. Refused unless the approval is for the
 * current version and hash. Safe to call again after a failure: the same delivery batch is resumed.
 */
export async function deliverInvoice(
  deps: TuitionDeps,
  id: string,
  actor: string,
  options: Omit<DeliverOptions, 'actor'> & { zoho?: ClientOptions } = {},
): Promise<DeliveryResult> {
  if (running.has(id)) throw conflict('already-delivering', `Invoice ${id} is being delivered right now.`);
  running.add(id);
  try {
    let inv = await requireInvoice(deps.store, id);
    if (allow(inv, { type: 'deliver' }, DELIVERY).unchanged) {
      return { invoice: inv, receipts: inv.deliveryBatchId ? await listReceipts(deps.store, { batchId: inv.deliveryBatchId }) : [] };
    }
    const decision = inv.decision!;
    const settings = await getCustomerSettings(deps.store, inv.customer);
    const target = settings?.delivery ?? { method: 'none' as const };
    if (target.method === 'none') throw conflict('no-delivery-target', `${inv.customer} has no delivery target; an admin must set an FTP/SFTP partner or Zoho Books for this customer.`);
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
          files: files.map((f) => ({ ...f, partnerId: target.partnerId, label: inv.customer })),
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
      await deps.store.exec('UPDATE tuition_invoices SET delivery_error = $2, updated_at = $3 WHERE id = $1', [id, error, nowIso()]);
      await deps.audit.append({ actor, action: 'tuition.delivery-failed', subjectType: 'tuition-invoice', subjectId: id, details: { number: inv.number, version: inv.version, batchId, error } });
    }
    inv = await requireInvoice(deps.store, id);
    return { invoice: inv, receipts: await listReceipts(deps.store, { batchId: batchId! }) };
  } finally {
    running.delete(id);
  }
}

/**
 * Approved invoices whose delivery did not finish (the server stopped while sending, or the batch
 * was completed by the delivery service's own start-up resume): finished ones are marked delivered,
 * the others are returned so the caller can deliver them again.
 */
export async function pendingDeliveries(deps: TuitionDeps): Promise<StoredInvoice[]> {
  const rows = await deps.store.query<InvoiceRow>(`SELECT * FROM tuition_invoices WHERE state = 'approved' AND delivery_error IS NULL`);
  const out: StoredInvoice[] = [];
  for (const inv of await withPreparers(deps.store, rows)) {
    if (!invoiceApprovalStands(inv)) continue;
    const target = (await getCustomerSettings(deps.store, inv.customer))?.delivery ?? { method: 'none' };
    if (target.method === 'none') continue;
    if (inv.deliveryBatchId) {
      const b = await getBatch(deps.store, inv.deliveryBatchId);
      if (b?.state === 'done' && (b.payload as { invoiceVersion?: number }).invoiceVersion === inv.version) {
        await markDelivered(deps, inv, TUITION_DELIVERY.id, { batchId: b.id, files: (await listReceipts(deps.store, { batchId: b.id })).map((r) => ({ fileName: r.fileName, remotePath: r.remotePath, sha256: r.sha256 })) }, null);
        continue;
      }
    }
    out.push(inv);
  }
  return out;
}
