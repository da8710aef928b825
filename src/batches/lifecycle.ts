/**
 * The life of a batch — what will be posted to Zoho or delivered to partners — as pure transitions.
 * The store persists what these functions allow; the routes, the workers and the task pane ask them.
 *
 *   awaiting_approval ──approve──▶ approved ──send──▶ sending ──finish──▶ done | failed
 *         │  ▲  │                     │                  ▲   │              │
 *         │  │  └─reject──▶ rejected  └─edit──┐          │   └─finish──▶ needs_review ──settle──▶ done | failed
 *         │  │                                │          └───────send───────┘ (retry after a failure)
 *         │  └──────edit / remove-items───────┘ (a new version; any approval no longer counts)
 *         │  └──────void-approval── approved | sending | failed (what would leave is not what was approved)
 *         └─withdraw (or a cancel by the sending process) ──▶ cancelled
 *
 * needs_review: everything was sent, but what the remote holds does not match (a Zoho document
 * posted twice, or with another amount); it settles once every finding is resolved.
 *
 * Who: a preparer of the batch withdraws it or removes items before it is approved; anyone with the
 * preparer role edits it (and so becomes one of its preparers); an approver who prepared nothing in it
 * approves or rejects (src/approval/rule.ts); only CloseDesk's sending process sends, finishes or
 * cancels. Sending needs an approval of the current version that the approval rule still accepts
 * against the current preparers, of exactly the content about to leave: the approval records the
 * hash of what the approver reviewed, and the sending process brings the hash of what it would send
 * (hashing is the host's; comparing is this file's). When they differ the sending process voids the
 * approval (`void-approval`): the batch awaits approval again, and the void approval is kept as evidence.
 */
import { samePerson, type Person } from '../approval/identity';
import { holdsPreparingRole, mayApprove, preparersOf, type ApprovalSubject, type User } from '../approval/rule';

export const BATCH_STATES = ['awaiting_approval', 'approved', 'rejected', 'sending', 'done', 'failed', 'cancelled', 'needs_review'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

export interface BatchItemFacts {
  seq: number;
  /** How a sentence names the item (e.g. the file name); optional. */
  label?: string;
  /** Everyone who put this item's current content into the batch. */
  preparedBy: readonly Person[];
}

export interface RecordedApproval {
  /** The version approved. */
  version: number;
  /** The approver as she was when she decided (her roles then). */
  approvedBy: User;
  /**
   * Hash of the content approved (what would leave). Absent for approvals recorded before content
   * hashes were: those stand as they did then, since what their approver saw cannot be known now.
   */
  contentHash?: string;
  /** Voided because what would leave was not what it approved; kept as evidence, it never counts again. */
  voided?: boolean;
}

export interface BatchFacts {
  id: string;
  state: BatchState;
  version: number;
  /** Who made the current version (created it, or edited it last). */
  preparedBy: Person;
  items: readonly BatchItemFacts[];
  /** Approvals recorded for this batch (any version). */
  approvals: readonly RecordedApproval[];
}

/** A signed-in person, or CloseDesk's own sending process (posting worker, delivery service). */
export type BatchActor = { kind: 'person'; user: User } | { kind: 'worker' };
export const WORKER: BatchActor = { kind: 'worker' };
export const person = (user: User): BatchActor => ({ kind: 'person', user });

export type BatchAction =
  | {
      type: 'approve';
      version: number;
      /** Hash of the batch's content now, and of the content the approver reviewed (when her screen says). */
      contentHash?: string;
      reviewedHash?: string;
    }
  | { type: 'reject'; version: number; reason?: string; contentHash?: string; reviewedHash?: string }
  | { type: 'edit'; version: number }
  | { type: 'remove-items'; version: number; seqs: readonly number[] }
  | { type: 'withdraw'; version?: number }
  /** contentHash: the hash of exactly what the sending process is about to send. */
  | { type: 'send'; contentHash: string }
  | { type: 'finish'; outcome: 'done' | 'failed' | 'needs_review' }
  | { type: 'settle'; outcome: 'done' | 'failed' }
  | { type: 'cancel' }
  /** contentHash: the hash of what the sending process found it would send, unlike the approved one. */
  | { type: 'void-approval'; contentHash: string };
export type BatchActionType = BatchAction['type'];
export const BATCH_ACTIONS: readonly BatchActionType[] = ['approve', 'reject', 'edit', 'remove-items', 'withdraw', 'send', 'finish', 'settle', 'cancel', 'void-approval'];

export type Refusal = { ok: false; status: 400 | 403 | 409; code: string; reason: string };
export type BatchTransition = { ok: true; to: BatchState; newVersion: boolean; voidsApproval: boolean } | Refusal;

const refuse = (status: Refusal['status'], code: string, reason: string): Refusal => ({ ok: false, status, code, reason });
const inWords = (s: BatchState) => s.replace(/_/g, ' ');

/** The batch as the approval rule sees it. */
export function approvalSubject(batch: Pick<BatchFacts, 'id' | 'preparedBy' | 'items'>): ApprovalSubject {
  return { label: `batch ${batch.id}`, preparedBy: batch.preparedBy, items: batch.items.map((i) => ({ label: i.label ?? `item ${i.seq}`, preparedBy: i.preparedBy })) };
}

/**
 * The approval that lets the batch be sent: one of the current version whose approver the rule
 * still accepts against the current preparers (an edit that made the approver a preparer voids it).
 */
export function standingApproval(batch: BatchFacts): RecordedApproval | undefined {
  const subject = approvalSubject(batch);
  return batch.approvals.find((a) => a.version === batch.version && !a.voided && mayApprove(subject, a.approvedBy).ok);
}

export function isPreparerOf(batch: Pick<BatchFacts, 'id' | 'preparedBy' | 'items'>, user: User): boolean {
  return preparersOf(approvalSubject(batch)).some((p) => samePerson(user, p));
}

function staleVersion(batch: BatchFacts, given: number, doing: 'review' | 'change'): Refusal {
  return refuse(
    409,
    'stale-version',
    doing === 'review'
      ? `Batch ${batch.id} changed after you opened it (now version ${batch.version}, you reviewed version ${given}); review it again.`
      : `Batch ${batch.id} was changed by someone else (it is now version ${batch.version}); reload it before changing it.`,
  );
}

function decide(batch: BatchFacts, action: Extract<BatchAction, { type: 'approve' | 'reject' }>, user: User): BatchTransition {
  const verdict = mayApprove(approvalSubject(batch), user, action.type);
  if (!verdict.ok) return refuse(403, verdict.code, verdict.reason);
  if (batch.version !== action.version) return staleVersion(batch, action.version, 'review');
  if (batch.state !== 'awaiting_approval') return refuse(409, 'not-awaiting-approval', `Batch ${batch.id} is ${inWords(batch.state)}, not awaiting approval.`);
  if (action.reviewedHash !== undefined && action.contentHash !== undefined && action.reviewedHash !== action.contentHash) {
    return refuse(409, 'stale-content', `The content of batch ${batch.id} is not what you reviewed (it changed after you opened it); review it again.`);
  }
  if (action.type === 'reject' && !action.reason?.trim()) return refuse(400, 'reason-required', 'Say why you reject the batch so the preparer can fix it.');
  return { ok: true, to: action.type === 'approve' ? 'approved' : 'rejected', newVersion: false, voidsApproval: false };
}

function edit(batch: BatchFacts, action: Extract<BatchAction, { type: 'edit' }>, user: User): BatchTransition {
  if (!holdsPreparingRole(user)) {
    return refuse(403, 'wrong-role', `Changing batch ${batch.id} needs the preparer role; you are signed in as ${user.name} without it.`);
  }
  if (!['awaiting_approval', 'approved', 'rejected'].includes(batch.state)) {
    return refuse(409, 'not-editable', `Batch ${batch.id} is ${inWords(batch.state)}; it can no longer be changed.`);
  }
  if (batch.version !== action.version) return staleVersion(batch, action.version, 'change');
  return { ok: true, to: 'awaiting_approval', newVersion: true, voidsApproval: batch.approvals.some((a) => a.version === batch.version) };
}

function beforeApproval(batch: BatchFacts, user: User, doing: string, version: number | undefined, adminToo: boolean): Refusal | undefined {
  if (!isPreparerOf(batch, user) && !(adminToo && user.roles.includes('admin'))) {
    return refuse(403, 'not-a-preparer', `Only a preparer of batch ${batch.id} can ${doing}; it was prepared by ${batch.preparedBy.name}.`);
  }
  if (batch.state !== 'awaiting_approval' && batch.state !== 'rejected') {
    return refuse(409, 'not-before-approval', `Batch ${batch.id} is ${inWords(batch.state)}; you can ${doing} only before it is approved.`);
  }
  if (version !== undefined && version !== batch.version) return staleVersion(batch, version, 'change');
  return undefined;
}

function removeItems(batch: BatchFacts, action: Extract<BatchAction, { type: 'remove-items' }>, user: User): BatchTransition {
  const refused = beforeApproval(batch, user, 'remove its items', action.version, false);
  if (refused) return refused;
  const seqs = new Set(action.seqs);
  if (seqs.size === 0) return refuse(400, 'nothing-to-remove', `Choose the items to remove from batch ${batch.id}.`);
  const unknown = [...seqs].filter((s) => !batch.items.some((i) => i.seq === s));
  if (unknown.length) return refuse(400, 'item-not-found', `Batch ${batch.id} has no item ${unknown.join(', ')}.`);
  if (batch.items.every((i) => seqs.has(i.seq))) {
    return refuse(400, 'would-be-empty', `Removing every item leaves nothing to approve; withdraw batch ${batch.id} instead.`);
  }
  return { ok: true, to: 'awaiting_approval', newVersion: true, voidsApproval: false };
}

function withdraw(batch: BatchFacts, action: Extract<BatchAction, { type: 'withdraw' }>, user: User): BatchTransition {
  const refused = beforeApproval(batch, user, 'withdraw it', action.version, true);
  return refused ?? { ok: true, to: 'cancelled', newVersion: false, voidsApproval: false };
}

const shortHash = (h: string) => h.slice(0, 12);

/** The void approval of the current version, if the sending process voided one: the latest. */
export function voidedApproval(batch: BatchFacts): RecordedApproval | undefined {
  return batch.approvals.filter((a) => a.version === batch.version && a.voided).at(-1);
}

/** What the approvals inbox says about a batch whose approval was voided: the two hashes, shortened. */
export function approvalVoidSentence(approvedHash: string, nowHash: string): string {
  return `Approval void: the content changed after approval (approved hash ${shortHash(approvedHash)}…, now ${shortHash(nowHash)}…).`;
}

function contentChanged(batch: BatchFacts, approval: RecordedApproval & { contentHash: string }, contentHash: string): Refusal {
  return refuse(
    409,
    'content-changed',
    `Batch ${batch.id} is not what ${approval.approvedBy.name} approved (its content hashes to ${shortHash(contentHash)}… now, the approval was for ${shortHash(approval.contentHash)}…); nothing is sent, and that approval ${approval.voided ? 'is void: the batch awaits approval again' : 'does not count for this content'}.`,
  );
}

function send(batch: BatchFacts, contentHash: string): BatchTransition {
  const approval = standingApproval(batch);
  if (!approval) {
    const voided = voidedApproval(batch);
    if (voided?.contentHash !== undefined && voided.contentHash !== contentHash) return contentChanged(batch, { ...voided, contentHash: voided.contentHash }, contentHash);
    return refuse(409, 'not-approved', `Batch ${batch.id} has no approval for its current version ${batch.version} by someone who prepared none of it; nothing is sent until there is one.`);
  }
  if (approval.contentHash !== undefined && approval.contentHash !== contentHash) return contentChanged(batch, { ...approval, contentHash: approval.contentHash }, contentHash);
  if (!['approved', 'failed', 'sending'].includes(batch.state)) return refuse(409, 'wrong-state', `Batch ${batch.id} is ${inWords(batch.state)}; it cannot be sent.`);
  return { ok: true, to: 'sending', newVersion: false, voidsApproval: false };
}

/**
 * The sending process found that what would leave is not what was approved: the approval is void and
 * the batch goes back to awaiting approval (only while it was on its way out).
 */
function voidApproval(batch: BatchFacts, contentHash: string): BatchTransition {
  const approval = standingApproval(batch);
  if (!['approved', 'failed', 'sending'].includes(batch.state) || approval?.contentHash === undefined || approval.contentHash === contentHash) {
    return refuse(409, 'nothing-to-void', `Batch ${batch.id} has no approval of other content than it holds now, so there is no approval to void.`);
  }
  return { ok: true, to: 'awaiting_approval', newVersion: false, voidsApproval: true };
}

function finish(batch: BatchFacts, outcome: 'done' | 'failed' | 'needs_review'): BatchTransition {
  if (batch.state !== 'sending') return refuse(409, 'wrong-state', `Batch ${batch.id} is ${inWords(batch.state)}, not sending, so it cannot become ${inWords(outcome)}.`);
  return { ok: true, to: outcome, newVersion: false, voidsApproval: false };
}

/** A batch in review ends when its findings are resolved: done, or failed when a document was never posted. */
function settle(batch: BatchFacts, outcome: 'done' | 'failed'): BatchTransition {
  if (batch.state !== 'needs_review') return refuse(409, 'wrong-state', `Batch ${batch.id} is ${inWords(batch.state)}, not in review, so it cannot be settled as ${outcome}.`);
  return { ok: true, to: outcome, newVersion: false, voidsApproval: false };
}

function cancel(batch: BatchFacts): BatchTransition {
  if (!['awaiting_approval', 'approved', 'sending'].includes(batch.state)) {
    return refuse(409, 'wrong-state', `Batch ${batch.id} is ${inWords(batch.state)}, so it cannot be cancelled.`);
  }
  return { ok: true, to: 'cancelled', newVersion: false, voidsApproval: false };
}

/** What happens when this actor does this to the batch: the next state, or why not. */
export function batchTransition(batch: BatchFacts, action: BatchAction, actor: BatchActor): BatchTransition {
  const byWorker = action.type === 'send' || action.type === 'finish' || action.type === 'settle' || action.type === 'cancel' || action.type === 'void-approval';
  if (byWorker !== (actor.kind === 'worker')) {
    return byWorker
      ? refuse(403, 'worker-only', `Batch ${batch.id} is sent, finished and cancelled by CloseDesk's sending process, not by a person directly.`)
      : refuse(403, 'person-only', `Only a signed-in person can ${action.type.replace('-', ' ')} batch ${batch.id}.`);
  }
  if (actor.kind === 'worker') {
    if (action.type === 'send') return send(batch, action.contentHash);
    if (action.type === 'finish') return finish(batch, action.outcome);
    if (action.type === 'settle') return settle(batch, action.outcome);
    if (action.type === 'void-approval') return voidApproval(batch, action.contentHash);
    return cancel(batch);
  }
  switch (action.type) {
    case 'approve':
    case 'reject':
      return decide(batch, action, actor.user);
    case 'edit':
      return edit(batch, action, actor.user);
    case 'remove-items':
      return removeItems(batch, action, actor.user);
    case 'withdraw':
      return withdraw(batch, action, actor.user);
    default:
      return refuse(403, 'worker-only', `Batch ${batch.id} is sent, finished and cancelled by CloseDesk's sending process.`);
  }
}

/** The person's actions the batch allows now (for the screen: which buttons to offer). */
export function allowedBatchActions(batch: BatchFacts, user: User): BatchActionType[] {
  const samples: BatchAction[] = [
    { type: 'approve', version: batch.version },
    { type: 'reject', version: batch.version, reason: 'a reason' },
    { type: 'edit', version: batch.version },
    { type: 'remove-items', version: batch.version, seqs: batch.items.slice(0, 1).map((i) => i.seq) },
    { type: 'withdraw', version: batch.version },
  ];
  return samples.filter((a) => batchTransition(batch, a, person(user)).ok).map((a) => a.type);
}

/** An item as it is stored, to tell an unchanged item from a changed one in an edit. */
export interface StoredItemContent {
  key: string;
  /** The item's content as one comparable text (kind and request). */
  content: string;
  preparedBy: readonly Person[];
}

/**
 * Who prepared each item of an edit: an unchanged item (same key, same content) keeps its
 * preparers; a changed one keeps them and adds the editor (both shaped what leaves); a new item is
 * the editor's alone. Items left out are gone with their preparers.
 */
export function preparersAfterEdit(before: readonly StoredItemContent[], after: readonly { key: string; content: string }[], editor: Person): Person[][] {
  const old = new Map(before.map((i) => [i.key, i]));
  return after.map((item) => {
    const was = old.get(item.key);
    if (!was) return [editor];
    if (was.content === item.content) return [...was.preparedBy];
    return was.preparedBy.some((p) => p.id === editor.id) ? [...was.preparedBy] : [...was.preparedBy, editor];
  });
}
