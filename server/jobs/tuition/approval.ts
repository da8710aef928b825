/**
 * Approval links, e-mailed to the customer's approver. Sending issues a signed, expiring,
 * single-use link for the current version (./links.ts) to the approver address in the customer's
 * settings, e-mails it (server/mail) with a link origin from configuration — never from the request
 * — and answers the preparer with the masked address and the time only: the token goes to the mail
 * server and nowhere else (no answer, log line or audit detail carries it). A new link replaces the
 * older unused ones once its e-mail is accepted; a link whose e-mail failed is revoked.
 *
 * Whoever opens the link decides as the approver it was e-mailed to (her mailbox is her identity,
 * src/tuition/lifecycle.ts) — never as a name typed into the page — and the lifecycle with the
 * approval rule decides whether she may: not when she prepared a version, by identity or mailbox.
 * The decision records that identity and the address the link went to.
 */
import type { User } from '../../../src/approval';
import {
  APPROVAL_LINK_HOURS,
  customerApprover,
  invoiceFacts,
  invoiceTransition,
  isEmailAddress,
  maskAddress,
  type InvoiceAction,
  type InvoiceRefusal,
  type InvoiceState,
} from '../../../src/tuition';
import { utcMinute } from '../../../src/kernel/dates';
import { AppError, upstreamFailed } from '../../errors';
import { MailError } from '../../mail';
import { placeholders, type Queryable } from '../../store';
import { getCustomerSettings, person, allow, requireInvoice, type StoredInvoice, type TuitionDeps } from './invoices';
import { linkIdOf, linkKey, newLinkId, signLink, verifyLink, type LinkClaims } from './links';
import { approvalMail } from './mail';

const forUpdate = (db: Queryable) => (db.dialect === 'postgres' ? ' FOR UPDATE' : '');
const TOKEN_PATH = '/tuition/approve/';

/** What the preparer is told: the address masked, when the mail server took it, until when it works. */
export interface ApprovalRequest {
  sentTo: string;
  sentAt: string;
  expiresAt: string;
}

export interface SentForApproval extends ApprovalRequest {
  invoice: StoredInvoice;
}

/** The configured approver of the invoice's customer (null when no address is set). */
async function configuredApprover(db: Queryable, inv: StoredInvoice): Promise<{ address: string; approver: User } | null> {
  const address = (await getCustomerSettings(db, inv.customer))?.approverEmail.trim() ?? '';
  return isEmailAddress(address) ? { address: address.toLowerCase(), approver: customerApprover(inv.customer, address) } : null;
}

/**
 * Sends the current version for the customer's approval: the link is e-mailed to the configured
 * approver; older unused links stop working once the mail server accepted the new one.
 */
export async function sendForApproval(deps: TuitionDeps, id: string, actor: User, options: { validForMs?: number; now?: number } = {}): Promise<SentForApproval> {
  const { mailer, publicOrigin } = deps;
  if (!mailer || !publicOrigin) {
    throw new AppError(503, 'mail-not-set-up', 'E-mail is not set up on this server (SMTP_HOST), so no approval link can reach the customer’s approver; ask an administrator.');
  }
  const now = options.now ?? Date.now();
  const validFor = options.validForMs ?? APPROVAL_LINK_HOURS * 3_600_000;
  const at = new Date(now).toISOString();

  // 1. The link, recorded before it is e-mailed, so an approver who clicks at once finds it.
  const issued = await deps.store.transaction(async (tx) => {
    const inv = await requireInvoice(tx, id, true);
    const configured = await configuredApprover(tx, inv);
    const t = allow(inv, { type: 'send-for-approval', approver: configured?.approver ?? null }, person(actor));
    const claims: LinkClaims = { linkId: newLinkId(), invoiceId: id, version: inv.version, docHash: inv.hash, expiresAt: new Date(now + validFor).toISOString(), recipient: configured!.address };
    await tx.exec(
      'INSERT INTO tuition_links (id, invoice_id, version, doc_hash, expires_at, created_by, created_at, recipient, approver_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [claims.linkId, id, inv.version, inv.hash, claims.expiresAt, actor.id, at, claims.recipient, configured!.approver.id],
    );
    await tx.exec(`UPDATE tuition_invoices SET state = $2, updated_at = $3 WHERE id = $1`, [id, t.to, at]);
    return { inv, claims, previous: inv.state, approverId: configured!.approver.id };
  });
  const { inv, claims } = issued;
  const token = signLink(linkKey(deps.masterKey), claims);

  // 2. The e-mail, under the mail service's deadline.
  let sent;
  try {
    sent = await mailer.send(approvalMail(inv, claims.recipient!, `${publicOrigin}${TOKEN_PATH}${token}`, claims.expiresAt));
  } catch (e) {
    const sentence = e instanceof MailError ? e.message : 'The e-mail was not sent.';
    await deps.store.transaction(async (tx) => {
      await tx.exec('UPDATE tuition_links SET revoked_at = $2 WHERE id = $1', [claims.linkId, new Date().toISOString()]);
      // Back to how it was when no other link stands for this version (a resend keeps the old link).
      const live = await tx.one<{ n: number }>('SELECT COUNT(*) AS n FROM tuition_links WHERE invoice_id = $1 AND used_at IS NULL AND revoked_at IS NULL', [id]);
      if (Number(live?.n ?? 0) === 0) await restoreState(tx, id, inv.version, issued.previous);
      await deps.audit.append(
        { actor: actor.id, action: 'tuition.approval-mail-failed', subjectType: 'tuition-invoice', subjectId: id, details: { number: inv.number, version: inv.version, recipient: claims.recipient, error: sentence } },
        tx,
      );
    });
    throw upstreamFailed('approval-mail-failed', `${sentence} Invoice ${inv.number} was not sent for approval; try again.`, e instanceof MailError ? new Error(e.detail) : e);
  }

  // 3. Sent: this link is the one that counts.
  return deps.store.transaction(async (tx) => {
    await tx.exec('UPDATE tuition_links SET mailed_at = $2, message_id = $3 WHERE id = $1', [claims.linkId, sent.acceptedAt, sent.messageId]);
    await tx.exec(
      `UPDATE tuition_links SET revoked_at = $3 WHERE invoice_id = $1 AND id <> $2 AND used_at IS NULL AND revoked_at IS NULL AND created_at <= $4`,
      [id, claims.linkId, sent.acceptedAt, at],
    );
    await deps.audit.append(
      {
        actor: actor.id,
        action: 'tuition.sent-for-approval',
        subjectType: 'tuition-invoice',
        subjectId: id,
        details: { number: inv.number, version: inv.version, hash: inv.hash, linkId: claims.linkId, recipient: claims.recipient, approver: issued.approverId, expiresAt: claims.expiresAt, messageId: sent.messageId },
      },
      tx,
    );
    return { sentTo: maskAddress(claims.recipient!), sentAt: sent.acceptedAt, expiresAt: claims.expiresAt, invoice: await requireInvoice(tx, id) };
  });
}

async function restoreState(tx: Queryable, id: string, version: number, previous: InvoiceState): Promise<void> {
  await tx.exec(`UPDATE tuition_invoices SET state = $3, updated_at = $4 WHERE id = $1 AND version = $2 AND state = 'awaiting_approval'`, [id, version, previous, new Date().toISOString()]);
}

/** The latest approval request e-mailed for each invoice (for the screens: masked address, times). */
export async function latestRequests(db: Queryable, invoiceIds: readonly string[]): Promise<Map<string, ApprovalRequest & { version: number; live: boolean }>> {
  const out = new Map<string, ApprovalRequest & { version: number; live: boolean }>();
  if (invoiceIds.length === 0) return out;
  const rows = await db.query<{ invoice_id: string; version: number; recipient: string; mailed_at: string; expires_at: string; revoked_at: string | null; used_at: string | null }>(
    `SELECT invoice_id, version, recipient, mailed_at, expires_at, revoked_at, used_at FROM tuition_links
     WHERE mailed_at IS NOT NULL AND invoice_id IN (${placeholders(invoiceIds.length)}) ORDER BY mailed_at`,
    [...invoiceIds],
  );
  for (const r of rows) {
    out.set(r.invoice_id, { sentTo: maskAddress(r.recipient), sentAt: r.mailed_at, expiresAt: r.expires_at, version: Number(r.version), live: !r.revoked_at && !r.used_at });
  }
  return out;
}

/** `not-allowed`: the approval rule refuses the link's approver (she prepared a version of the invoice). */
export type LinkRefusal = 'tampered' | 'expired' | 'used' | 'superseded' | 'not-awaiting' | 'not-allowed';

export type LinkCheck =
  | { ok: true; invoice: StoredInvoice; linkId: string; expiresAt: string; approver: User; recipient: string | null }
  | { ok: false; reason: LinkRefusal; message: string; invoice?: StoredInvoice };

interface LinkRow {
  id: string;
  invoice_id: string;
  version: number;
  doc_hash: string;
  expires_at: string;
  revoked_at: string | null;
  used_at: string | null;
  used_decision: string | null;
  recipient: string | null;
}


/** Checks a token: signature, expiry, single use, still the current version and approver, still awaiting a decision, and the approval rule. */
export async function checkLink(deps: TuitionDeps, db: Queryable, token: string, now = Date.now()): Promise<LinkCheck> {
  const tampered: LinkCheck = { ok: false, reason: 'tampered', message: 'This approval link is not valid: it was changed or was never issued by us. Use the link exactly as you received it, or ask your billing contact for a new one.' };
  const linkId = linkIdOf(token);
  if (!linkId) return tampered;
  const link = await db.one<LinkRow>(`SELECT * FROM tuition_links WHERE id = $1${forUpdate(db)}`, [linkId]);
  if (!link) return tampered;
  const claims: LinkClaims = { linkId, invoiceId: link.invoice_id, version: Number(link.version), docHash: link.doc_hash, expiresAt: link.expires_at, ...(link.recipient ? { recipient: link.recipient } : {}) };
  if (!verifyLink(linkKey(deps.masterKey), token, claims)) return tampered;
  const invoice = await requireInvoice(db, link.invoice_id, true);
  if (link.used_at) {
    return { ok: false, reason: 'used', invoice, message: `This link was already used on ${utcMinute(link.used_at)} to ${link.used_decision === 'denied' ? 'deny' : 'approve'} invoice ${invoice.number}; a link works once.` };
  }
  if (Date.parse(link.expires_at) <= now) {
    return { ok: false, reason: 'expired', invoice, message: `This link expired on ${utcMinute(link.expires_at)}. Ask your billing contact to send invoice ${invoice.number} again.` };
  }
  const configured = await configuredApprover(db, invoice);
  if (link.recipient && configured?.address !== link.recipient) {
    return { ok: false, reason: 'superseded', invoice, message: `${invoice.customer} named another approver for its invoices after this link was sent, so it no longer decides invoice ${invoice.number}.` };
  }
  if (link.revoked_at && invoice.version === Number(link.version) && invoice.hash === link.doc_hash) {
    return { ok: false, reason: 'superseded', invoice, message: `A newer approval link for invoice ${invoice.number} was sent after this one; please use the newest link.` };
  }
  if (link.revoked_at || invoice.version !== Number(link.version) || invoice.hash !== link.doc_hash) {
    return { ok: false, reason: 'superseded', invoice, message: `Invoice ${invoice.number} was changed after this link was sent, so it no longer shows the current invoice. A link to the new version will be sent to you.` };
  }
  // Whoever holds the link is the mailbox it was e-mailed to (links from before: the approver configured now).
  const approver = customerApprover(invoice.customer, link.recipient ?? configured?.address);
  // The lifecycle decides whether she may decide now (state, and the approval rule).
  const t = invoiceTransition(invoiceFacts(invoice), { type: 'approve', shownHash: invoice.hash }, person(approver));
  if (!t.ok) return { ok: false, reason: t.code === 'not-awaiting' ? 'not-awaiting' : 'not-allowed', invoice, message: t.reason };
  return { ok: true, invoice, linkId, expiresAt: link.expires_at, approver, recipient: link.recipient };
}

const linkRefusal = (t: InvoiceRefusal): LinkRefusal | 'changed' | 'reason-missing' =>
  t.code === 'changed' || t.code === 'reason-missing' || t.code === 'not-awaiting' ? t.code : 'not-allowed';

export interface CustomerDecision {
  decision: 'approved' | 'denied';
  reason?: string;
  /** The hash of the document the approver's page showed (a hidden field of the form). */
  shownHash: string;
}

export type DecisionResult = { ok: true; invoice: StoredInvoice } | { ok: false; reason: LinkRefusal | 'changed' | 'reason-missing'; message: string };

/** Records the customer's decision through a link, once, for the exact version shown, as the approver the link was e-mailed to. */
export async function decideByLink(deps: TuitionDeps, token: string, d: CustomerDecision, now = Date.now()): Promise<DecisionResult> {
  const reason = (d.reason ?? '').trim();
  return deps.store.transaction(async (tx) => {
    const check = await checkLink(deps, tx, token, now);
    if (!check.ok) return check;
    const { invoice: inv, approver } = check;
    const action: InvoiceAction = d.decision === 'approved' ? { type: 'approve', shownHash: d.shownHash } : { type: 'deny', shownHash: d.shownHash, reason };
    const t = invoiceTransition(invoiceFacts(inv), action, person(approver));
    if (!t.ok) return { ok: false, reason: linkRefusal(t), message: t.reason } as DecisionResult;
    const by = `customer:${approver.name}`;
    const at = new Date(now).toISOString();
    const used = await tx.exec('UPDATE tuition_links SET used_at = $2, used_decision = $3 WHERE id = $1 AND used_at IS NULL', [check.linkId, at, d.decision]);
    if (used.changes !== 1) return { ok: false, reason: 'used', message: 'This link was already used; a link works once.' } as DecisionResult;
    await tx.exec(
      `UPDATE tuition_invoices SET state = $2, decided_version = $3, decided_hash = $4, decided_by = $5, decided_by_id = $6, decided_recipient = $7, decided_at = $8, decision_reason = $9, updated_at = $8 WHERE id = $1`,
      [inv.id, t.to, inv.version, inv.hash, by, approver.id, check.recipient, at, reason || null],
    );
    await deps.audit.append(
      {
        actor: approver.id,
        action: d.decision === 'approved' ? 'tuition.approved' : 'tuition.denied',
        subjectType: 'tuition-invoice',
        subjectId: inv.id,
        details: { number: inv.number, version: inv.version, hash: inv.hash, linkId: check.linkId, recipient: check.recipient, ...(reason ? { reason } : {}) },
      },
      tx,
    );
    return { ok: true, invoice: await requireInvoice(tx, inv.id) } as DecisionResult;
  });
}
