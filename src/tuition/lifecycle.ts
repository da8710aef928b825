/**
 * The life of a tuition invoice as pure transitions; the server stores what these allow.
 *
 *   draft ──send-for-approval──▶ awaiting_approval ──approve──▶ approved ──deliver──▶ delivered
 *     ▲                               │      └──────deny──────▶ denied
 *     └──────────── revise (a new version: the approval and every pending link no longer count) ───┘
 *
 * Every version is kept; a decision names the version and the sha-256 of the document the approver
 * was shown. Preparers (the preparer role) revise and send; the customer's configured approver decides
 * through a signed link e-mailed to her address, and the approval rule (src/approval/rule.ts) refuses
 * anyone who prepared any version — by identity, and by mailbox: a preparer whose sign-in gave an
 * e-mail address is the same person as the holder of that mailbox, so configuring her own address as
 * the customer's approver does not let her approve her own invoice. Sending is refused when no
 * approver is configured or the configured one may not decide. Delivery happens only for an approval
 * of the current version and hash, and never twice (what leaves is then a batch a second person in
 * the company approves, under the batch lifecycle).
 */
import { identityKey, type KnownPerson, type Person } from '../approval/identity';
import { holdsPreparingRole, mayApprove, type ApprovalSubject, type User } from '../approval/rule';
import { sumCents } from '../kernel/money';
import { customerKey, type InvoiceLine, type TuitionInvoice } from './invoices';
import type { ExpenseType } from './profiles';

export const INVOICE_STATES = ['draft', 'awaiting_approval', 'approved', 'denied', 'delivered'] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

export interface InvoiceDecision {
  decision: 'approved' | 'denied';
  version: number;
  hash: string;
  reason: string | null;
}

/** Who made a version: her identity and name, and her mailbox when her sign-in gave one. */
export interface InvoicePreparer extends Person {
  readonly mailbox?: string | null;
}

/** What identifies an invoice version and where it is in its life. */
interface InvoiceVersion {
  number: string;
  month: string;
  currency: string;
  state: InvoiceState;
  version: number;
  /** sha-256 of the current version's document. */
  hash: string;
  /** The authors of every version, the current one included. */
  preparers: readonly InvoicePreparer[];
  decision: InvoiceDecision | null;
}

export interface InvoiceFacts extends InvoiceVersion {
  /** Who made the current version. */
  preparedBy: Person;
}

/** An invoice as the server stores and shows it (the fields the lifecycle needs). */
export interface InvoiceRecord extends InvoiceVersion {
  createdBy: string;
  createdByName: string;
}

/** The lifecycle's facts of a stored invoice (the server and the task pane read them the same way). */
export function invoiceFacts(inv: InvoiceRecord): InvoiceFacts {
  const { number, month, currency, state, version, hash, preparers, decision } = inv;
  return {
    number,
    month,
    currency,
    state,
    version,
    hash,
    preparers,
    preparedBy: { id: inv.createdBy, name: inv.createdByName },
    decision: decision && { decision: decision.decision, version: decision.version, hash: decision.hash, reason: decision.reason },
  };
}

/** A signed-in person (or the customer's approver through a link), or CloseDesk's delivery process. */
export type InvoiceActor = { kind: 'person'; user: User } | { kind: 'worker' };

export type InvoiceAction =
  | { type: 'revise'; expectedVersion?: number; number: string; month: string; currency: string; hash: string }
  /**
   * `approver`: the customer's configured approver (customerApprover), null when none is set. A
   * screen that does not know her leaves it out; the server always gives it.
   */
  | { type: 'send-for-approval'; approver?: User | null }
  | { type: 'approve'; shownHash: string }
  | { type: 'deny'; shownHash: string; reason?: string }
  | { type: 'deliver' }
  | { type: 'mark-delivered'; version: number };
export type InvoiceActionType = InvoiceAction['type'];

export type InvoiceRefusal = { ok: false; status: 400 | 403 | 409; code: string; reason: string };
export type InvoiceTransition =
  | {
      ok: true;
      to: InvoiceState;
      /** Nothing changes (an edit to the same document, a delivery already done). */
      unchanged: boolean;
      newVersion: boolean;
      /** The current approval no longer counts. */
      voidsApproval: boolean;
      /** Unused approval links stop working. */
      revokesLinks: boolean;
    }
  | InvoiceRefusal;

const refuse = (status: InvoiceRefusal['status'], code: string, reason: string): InvoiceRefusal => ({ ok: false, status, code, reason });
const moveTo = (to: InvoiceState, extra: Partial<Extract<InvoiceTransition, { ok: true }>> = {}): InvoiceTransition => ({
  ok: true,
  to,
  unchanged: false,
  newVersion: false,
  voidsApproval: false,
  revokesLinks: false,
  ...extra,
});
const inWords = (s: InvoiceState) => s.replace(/_/g, ' ');

/**
 * Mailboxes as identities: whoever decides through an approval link proved she reads the mailbox the
 * link was e-mailed to, so she is that mailbox (`<issuer>#<address, lower-cased>`). A preparer's own
 * mailbox is the same identity, which is how the rule sees her when her address is configured as the
 * customer's approver.
 */
export const TUITION_APPROVER_ISSUER = 'urn:closedesk:tuition-approval-link';

const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;

/** An address such as ap@contoso.example (no display name, no spaces). */
export const isEmailAddress = (text: string): boolean => EMAIL.test(text.trim());

/** The mailbox of a signed-in person: her name or user name when it is an e-mail address (a sign-in's preferred_username or email). */
export function mailboxOf(person: KnownPerson): string | null {
  const found = [person.name, ...(person.names ?? [])].map((n) => n.trim()).find(isEmailAddress);
  return found ? found.toLowerCase() : null;
}

/** The holder of a mailbox as an identity. */
export function mailboxPerson(address: string): Person {
  return { id: identityKey({ issuer: TUITION_APPROVER_ISSUER, subject: address.trim().toLowerCase() }), name: address.trim() };
}

/** The customer's approver: the configured address (lower-cased), else the customer itself; the approver role comes with the link. */
export function customerApprover(customer: string, approverEmail?: string | null): User {
  const email = approverEmail?.trim();
  const subject = email ? email.toLowerCase() : `customer:${customerKey(customer)}`;
  return { id: identityKey({ issuer: TUITION_APPROVER_ISSUER, subject }), name: email || customer, roles: ['approver'] };
}

/** "j***@contoso.example": how screens and answers name the address a link went to (the preparer never needs it whole). */
export function maskAddress(address: string): string {
  const a = address.trim();
  const at = a.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${a[0]}***${a.slice(at)}`;
}

/** The invoice as the approval rule sees it: every version's author is a preparer, under her identity and her mailbox. */
export function invoiceApprovalSubject(inv: Pick<InvoiceFacts, 'number' | 'preparedBy' | 'preparers'>): ApprovalSubject {
  return {
    label: `invoice ${inv.number}`,
    preparedBy: inv.preparedBy,
    items: inv.preparers.map((p) => ({ preparedBy: p.mailbox ? [p, mailboxPerson(p.mailbox)] : [p] })),
  };
}

/** How long an approval link works unless the preparer asks for less or more. */
export const APPROVAL_LINK_HOURS = 7 * 24;

/** The base of the files a customer receives for one version (`<number>-v<version>`, then .csv / .xlsx). */
export const invoiceFileBase = (number: string, version: number): string => `${number}-v${version}`;

/** The lines a preparer gives when she edits an invoice (items default to 1, references to none). */
export interface EditedLine {
  user: string;
  expenseType: ExpenseType;
  cents: number;
  items?: number;
  references?: string[];
}

/** The invoice after an edit of its lines: the same number, customer, month and currency; the total is the lines' sum. */
export function editedInvoice(current: TuitionInvoice, lines: readonly EditedLine[]): TuitionInvoice {
  const next: InvoiceLine[] = lines.map((l) => ({ user: l.user, expenseType: l.expenseType, cents: l.cents, items: l.items ?? 1, references: [...(l.references ?? [])] }));
  return { ...current, partners: [...current.partners], lines: next, totalCents: sumCents(next.map((l) => l.cents)) };
}

/** True when the customer approved exactly the current version and document. */
export function invoiceApprovalStands(inv: Pick<InvoiceFacts, 'state' | 'version' | 'hash' | 'decision'>): boolean {
  return (inv.state === 'approved' || inv.state === 'delivered') && inv.decision?.decision === 'approved' && inv.decision.version === inv.version && inv.decision.hash === inv.hash;
}

function revise(inv: InvoiceFacts, a: Extract<InvoiceAction, { type: 'revise' }>, user: User): InvoiceTransition {
  if (!holdsPreparingRole(user)) return refuse(403, 'wrong-role', `Changing invoice ${inv.number} needs the preparer role; you are signed in as ${user.name} without it.`);
  if (a.expectedVersion !== undefined && a.expectedVersion !== inv.version) {
    return refuse(409, 'stale-version', `Invoice ${inv.number} changed meanwhile (now version ${inv.version}); reload it and edit again.`);
  }
  if (inv.state === 'delivered') return refuse(409, 'already-delivered', `Invoice ${inv.number} was already delivered; it cannot change.`);
  if (a.number !== inv.number || a.currency !== inv.currency || a.month !== inv.month) {
    return refuse(400, 'different-invoice', `The edit changes the invoice number, month or currency of ${inv.number}; that is another invoice.`);
  }
  if (a.hash === inv.hash) return moveTo(inv.state, { unchanged: true });
  return moveTo('draft', { newVersion: true, voidsApproval: inv.state === 'approved', revokesLinks: true });
}

function sendForApproval(inv: InvoiceFacts, a: Extract<InvoiceAction, { type: 'send-for-approval' }>, user: User): InvoiceTransition {
  if (!holdsPreparingRole(user)) return refuse(403, 'wrong-role', `Sending invoice ${inv.number} for approval needs the preparer role; you are signed in as ${user.name} without it.`);
  if (inv.state === 'denied') {
    return refuse(409, 'wrong-state', `The customer denied ${inv.number} (${inv.decision?.reason ?? 'no reason given'}); correct the invoice (a new version) before sending it again.`);
  }
  if (inv.state !== 'draft' && inv.state !== 'awaiting_approval') {
    return refuse(409, 'wrong-state', `Invoice ${inv.number} is ${inWords(inv.state)}; only a draft or an invoice awaiting approval can be sent for approval.`);
  }
  if (a.approver === null) {
    return refuse(409, 'no-approver', `No approver e-mail is set for the customer of ${inv.number}; an admin sets one under Settings → Delivery targets, then send it again.`);
  }
  if (a.approver) {
    // The link would reach someone the approval rule refuses: she prepared a version of the invoice.
    const verdict = mayApprove(invoiceApprovalSubject(inv), a.approver);
    if (!verdict.ok && verdict.code === 'maker-checker') {
      return refuse(
        403,
        'maker-checker',
        `The approver set for the customer (${a.approver.name}) prepared a version of ${inv.number}, so the link would let a preparer approve her own invoice; an admin sets another approver under Settings → Delivery targets.`,
      );
    }
  }
  return moveTo('awaiting_approval', { revokesLinks: true });
}

function decide(inv: InvoiceFacts, a: Extract<InvoiceAction, { type: 'approve' | 'deny' }>, user: User): InvoiceTransition {
  const verdict = mayApprove(invoiceApprovalSubject(inv), user, a.type === 'approve' ? 'approve' : 'reject');
  if (!verdict.ok) return refuse(403, verdict.code, verdict.reason);
  if (inv.state !== 'awaiting_approval') return refuse(409, 'not-awaiting', `Invoice ${inv.number} is not awaiting your decision (it is ${inWords(inv.state)}).`);
  if (a.shownHash !== inv.hash) return refuse(409, 'changed', `The invoice you were shown is not the current version of ${inv.number}; reload the page and decide again.`);
  if (a.type === 'deny' && !a.reason?.trim()) return refuse(400, 'reason-missing', 'Please say why you deny the invoice, so it can be corrected.');
  return moveTo(a.type === 'approve' ? 'approved' : 'denied', { revokesLinks: true });
}

function deliver(inv: InvoiceFacts): InvoiceTransition {
  if (inv.state === 'delivered') return moveTo('delivered', { unchanged: true });
  if (!invoiceApprovalStands(inv)) {
    return refuse(409, 'not-approved', `Invoice ${inv.number} version ${inv.version} is ${inWords(inv.state)}; nothing is delivered until the customer approves this exact version.`);
  }
  return moveTo('delivered');
}

/** What happens when this actor does this to the invoice: the next state, or why not. */
export function invoiceTransition(inv: InvoiceFacts, action: InvoiceAction, actor: InvoiceActor): InvoiceTransition {
  if (action.type === 'mark-delivered') {
    if (actor.kind !== 'worker') return refuse(403, 'worker-only', `Invoice ${inv.number} is marked delivered by CloseDesk's delivery, not by a person.`);
    if (inv.state === 'delivered') return moveTo('delivered', { unchanged: true });
    if (action.version !== inv.version || !invoiceApprovalStands(inv)) {
      return refuse(409, 'stale-version', `Invoice ${inv.number} changed while it was being delivered (now version ${inv.version}); the delivery of version ${action.version} does not count for it.`);
    }
    return moveTo('delivered');
  }
  if (action.type === 'deliver') {
    if (actor.kind === 'person' && !actor.user.roles.some((r) => r === 'preparer' || r === 'approver' || r === 'admin')) {
      return refuse(403, 'wrong-role', `Delivering invoice ${inv.number} needs a CloseDesk role; you are signed in as ${actor.user.name} without one.`);
    }
    return deliver(inv);
  }
  if (actor.kind !== 'person') return refuse(403, 'person-only', `Only a person can ${action.type.replace(/-/g, ' ')} invoice ${inv.number}.`);
  switch (action.type) {
    case 'revise':
      return revise(inv, action, actor.user);
    case 'send-for-approval':
      return sendForApproval(inv, action, actor.user);
    default:
      return decide(inv, action, actor.user);
  }
}

/**
 * The person's actions the invoice allows now (for the screen; approving and denying happen through
 * the link). With `approver` (the customer's configured one, null when none) sending is checked against her too.
 */
export function allowedInvoiceActions(inv: InvoiceFacts, user: User, approver?: User | null): InvoiceActionType[] {
  const samples: InvoiceAction[] = [
    { type: 'revise', number: inv.number, month: inv.month, currency: inv.currency, hash: `${inv.hash}, changed` },
    { type: 'send-for-approval', ...(approver !== undefined ? { approver } : {}) },
    { type: 'deliver' },
  ];
  return samples
    .filter((a) => {
      const t = invoiceTransition(inv, a, { kind: 'person', user });
      return t.ok && !t.unchanged;
    })
    .map((a) => a.type);
}
