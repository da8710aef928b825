/**
 * The approvals inbox: every batch of every job that waits for a decision or for sending, and the
 * latest finished ones, newest first, each with what the list shows (job, preparers, when, items
 * and their states, totals of the current version, the last decision) and what the signed-in
 * person may do with it — decided by the rules in src/ (the approval rule, the batch lifecycle),
 * the same ones the routes and workers ask. A constant number of queries, whatever the rows.
 */
import { mayApprove, recordedPerson, type ApprovalVerdict, type Person, type User } from '../../src/approval';
import { allowedBatchActions, approvalSubject, approvalVoidSentence, isPreparerOf, standingApproval, type BatchActionType, type BatchState } from '../../src/batches';
import { recordedVersions, type VersionSummary } from './batch-content';
import { approvalFromRow, factsFrom, handOnOf, NO_HAND_ON, storedPeople, toBatch, type Approval, type ApprovalRow, type Batch, type BatchRow, type HandOn, type ItemState } from './batches';
import { placeholders, type Queryable } from './index';

/** States in which a batch still needs someone: a decision, sending (again), or resolving what the census found. */
export const OPEN_STATES: readonly BatchState[] = ['awaiting_approval', 'approved', 'sending', 'failed', 'needs_review'];
const FINISHED_STATES: readonly BatchState[] = ['done', 'cancelled', 'rejected'];
// Every item state: one left out counted as NaN (sent as null), and the pane said nothing of items to check in Zoho.
const ITEM_STATES: readonly ItemState[] = ['pending', 'sending', 'done', 'failed', 'needs_review'];

/** With `handedOn` and `notHandedOn` (HandOn), for an ended posting: its batches of the rest, and how many no batch took. */
export interface InboxEntry extends HandOn {
  batch: Batch;
  itemCount: number;
  /** How many items are in each state (failed and needs_review ask for a person). */
  itemStates: Record<ItemState, number>;
  /** Totals of the current version; null for a version recorded before content hashes. */
  summary: VersionSummary | null;
  contentHash: string | null;
  lastDecision: { decision: Approval['decision']; byName: string; at: string; reason: string | null; version: number } | null;
  /** The approver's name while an approval of the current version stands. */
  approvedBy: string | null;
  /** While it awaits approval again because the sending process voided the approval: the sentence saying so. */
  approvalVoid: string | null;
  /** May the signed-in person approve it (the rule's answer and sentence); asked only while it awaits approval. */
  verdict: ApprovalVerdict | null;
  /** The person's actions the lifecycle allows now. */
  allowedActions: BatchActionType[];
  /** She prepared some of it. */
  mine: boolean;
}

export interface Inbox {
  entries: InboxEntry[];
  /** Batches awaiting approval that the approval rule lets this person decide. */
  waitingForYou: number;
}

async function batchesIn(db: Queryable, states: readonly BatchState[], order: string, limit: number): Promise<BatchRow[]> {
  return db.query<BatchRow>(`SELECT * FROM batches WHERE state IN (${placeholders(states.length)}) ORDER BY ${order} DESC, id LIMIT $${states.length + 1}`, [...states, limit]);
}

interface ItemFactsRow {
  batch_id: string;
  seq: number;
  state: ItemState;
  prepared_by: string | null;
  label: string | null;
}

/** The items' states, labels and preparers of these batches, one query. */
async function itemFactsOf(db: Queryable, ids: readonly string[]): Promise<Map<string, ItemFactsRow[]>> {
  const items = new Map<string, ItemFactsRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return items;
  const rows = await db.query<ItemFactsRow>(`SELECT batch_id, seq, state, prepared_by, label FROM batch_items WHERE batch_id IN (${placeholders(ids.length)}) ORDER BY batch_id, seq`, [...ids]);
  for (const r of rows) items.get(r.batch_id)!.push(r);
  return items;
}

/** The batch and the facts the rules decide on, from its row, its items and its decisions. */
function factsOfRow(r: BatchRow, its: readonly ItemFactsRow[], decisions: readonly Approval[]) {
  const batch = toBatch(r, its.map((i) => i.prepared_by));
  const author: Person = recordedPerson(r.prepared_by, r.prepared_by_name);
  const items = its.map((i) => ({ seq: Number(i.seq), label: i.label ?? `item ${i.seq}`, preparedBy: storedPeople(i.prepared_by, author) }));
  return { batch, facts: factsFrom(batch, author, items, decisions) };
}

/**
 * Every open batch (up to `openLimit`) and the `finishedLimit` most recently finished, newest
 * first, as `user` sees them; `waitingForYou` counts the open ones the approval rule lets her decide.
 */
export async function listInbox(db: Queryable, user: User, opts: { openLimit?: number; finishedLimit?: number } = {}): Promise<Inbox> {
  const open = await batchesIn(db, OPEN_STATES, 'created_at', opts.openLimit ?? 1000);
  const finished = await batchesIn(db, FINISHED_STATES, 'updated_at', opts.finishedLimit ?? 30);
  const rows = [...open, ...finished];
  const ids = rows.map((r) => r.id);
  const items = await itemFactsOf(db, ids);
  const approvals = new Map<string, Approval[]>(ids.map((id) => [id, []]));
  if (ids.length) {
    for (const r of await db.query<ApprovalRow>(`SELECT * FROM approvals WHERE batch_id IN (${placeholders(ids.length)}) ORDER BY decided_at, id`, ids)) {
      approvals.get(r.batch_id)!.push(approvalFromRow(r));
    }
  }
  const versions = await recordedVersions(db, ids);
  // only an ended posting hands its rest on (failed or cancelled)
  const handOn = await handOnOf(db, rows.filter((r) => r.state === 'failed' || r.state === 'cancelled').map((r) => r.id));
  let waitingForYou = 0;
  const entries = rows.map((r): InboxEntry => {
    const its = items.get(r.id)!;
    const decisions = approvals.get(r.id)!;
    const { batch, facts } = factsOfRow(r, its, decisions);
    const standing = standingApproval(facts);
    const verdict = batch.state === 'awaiting_approval' ? mayApprove(approvalSubject(facts), user) : null;
    if (verdict?.ok) waitingForYou++;
    const version = versions.get(r.id)!.find((v) => v.version === batch.version);
    const last = decisions.at(-1);
    const itemStates = Object.fromEntries(ITEM_STATES.map((s) => [s, 0])) as Record<ItemState, number>;
    for (const i of its) itemStates[i.state]++;
    return {
      batch,
      itemCount: its.length,
      itemStates,
      summary: version?.summary ?? null,
      contentHash: version?.contentHash ?? null,
      lastDecision: last ? { decision: last.decision, byName: last.approvedByName, at: last.decidedAt, reason: last.reason, version: last.batchVersion } : null,
      approvedBy: standing?.approvedBy.name ?? null,
      approvalVoid: voidNote(batch, last),
      verdict,
      allowedActions: allowedBatchActions(facts, user),
      mine: isPreparerOf(facts, user),
      ...(handOn.get(r.id) ?? NO_HAND_ON),
    };
  });
  return { entries, waitingForYou };
}

/** The void sentence while the batch awaits approval and its last decision is a voided approval of this version. */
export function voidNote(batch: Pick<Batch, 'state' | 'version'>, last: Approval | undefined): string | null {
  if (batch.state !== 'awaiting_approval' || !last?.voided || last.batchVersion !== batch.version || !last.contentHash) return null;
  return approvalVoidSentence(last.contentHash, last.voided.contentHash);
}

/** For the pane's badge: how many batches awaiting approval this person may decide (two queries). */
export async function countWaitingFor(db: Queryable, user: User): Promise<number> {
  const rows = await db.query<BatchRow>(`SELECT * FROM batches WHERE state = 'awaiting_approval'`);
  const items = await itemFactsOf(db, rows.map((r) => r.id));
  return rows.filter((r) => mayApprove(approvalSubject(factsOfRow(r, items.get(r.id)!, []).facts), user).ok).length;
}
