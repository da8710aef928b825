/**
 * The posting panel's decisions, apart from React so they are tested: which step the batch is at
 * and what the signed-in user may do there, and the sheets to write back with a STATUS per row.
 */
import { mayApprove, type ApprovalSubject, type Person, type User } from '../../../src/approval';
import { endsWithRest, notHandedOnOf, sentBatchSentence, unsureSentence, type ItemCounts, type RestClosed } from '../../../src/batches/outcome';
import { countOf, formatCount } from '../../../src/kernel/counts';
import { withPostingStatus, type PostedItem } from '../../../src/settlements/sheets';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import type { LeaseView } from '../../../src/zoho';

export interface PanelBatch {
  id: string;
  version: number;
  state: string;
  /** zoho-post, or zoho-correction (the review's correction follows the same steps): the sentences' nouns. */
  kind: string;
  /** Identity key of who made the current version; preparedByName is for display. */
  preparedBy: string;
  preparedByName: string;
  /** Everyone who prepared any of it (the server lists them with the batch). */
  preparers: Person[];
  /** The connection it posts to: the rest of it goes to the same organisation. */
  payload?: { connectionId?: string };
}

/** The batch as the approval rule sees it. */
function approvalSubject(batch: PanelBatch): ApprovalSubject {
  return { preparedBy: { id: batch.preparedBy, name: batch.preparedByName }, items: batch.preparers.map((p) => ({ preparedBy: [p] })) };
}

/** What the posting routes report for a batch (its progress); the Approvals page reads the same. */
export interface PanelProgress {
  batchId?: string;
  batchState: string;
  total: number;
  counts: ItemCounts;
  fraction: number;
  running: boolean;
  control: { command: 'run' | 'pause' | 'cancel'; pausedUntil: string | null; reason: string | null };
  /** The worker's last outcome; `at` tells a new answer from the one seen before a start. */
  last: { state: string; message: string; at: string } | null;
  leases?: LeaseView;
  /** The batches that took over documents it did not post (a batch of the rest was prepared), with how many each took. */
  handedOn?: { batchId: string; count: number }[];
  /** Its documents not posted that no batch took over: a batch of the rest is offered for these. */
  notHandedOn?: number;
  /** Of those, the ones sent without Zoho confirming them: looked up in Zoho before they may be closed. */
  unsure?: number;
  /** Its rest closed without posting (how many, by whom, why): nothing more is offered. */
  closed?: RestClosed;
}

/** A posted document's result (the engine's PostedItem) with the Zoho id it was given. */
export interface PanelItem extends PostedItem {
  zohoId: string | null;
}

export type PanelStep =
  | { step: 'prepare'; canAct: boolean; hint: string }
  | { step: 'approve'; canAct: boolean; hint: string }
  | { step: 'post'; canAct: boolean; hint: string }
  | { step: 'posting'; canAct: boolean; hint: string }
  | { step: 'paused'; canAct: boolean; hint: string }
  | { step: 'finished'; canAct: false; hint: string }
  /**
   * A posting that failed or was cancelled with documents not posted: a new batch for those (`count`),
   * or, when they are not to be posted, closing them without posting (`restClose` says who may).
   */
  | { step: 'rest'; canAct: boolean; hint: string; count: number };

/** Closing the rest without posting (or looking up its unsure documents), beside the batch of the rest: whether she may, and the sentence why not. */
export interface RestClose {
  canAct: boolean;
  hint: string;
}

/** Closing the rest of an ended posting without posting, or reopening a rest closed by mistake. */
export type RestAct = 'close' | 'reopen';

/**
 * Who may close the rest of an ended posting without posting, reopen it, or look up its unsure documents in Zoho: a preparer or an
 * approver (or an admin, as the server's route lets one) — one rule for both, as on the server. The
 * panel and the inbox's batch detail ask here. Neither sends anything, so the workbook's blocking
 * problems do not hold them back.
 */
export function restClose(count: number, user: User | null, act: RestAct | 'look-up' = 'close'): RestClose {
  const them = count === 1 ? 'it' : 'them';
  // an admin may do anything on the server (hasRole), so here too
  const may = !!user?.roles.some((r) => r === 'preparer' || r === 'approver' || r === 'admin');
  // the unsure ones looked up in Zoho (POST …/look-up-rest): the same route rule
  if (act === 'look-up') return may ? { canAct: true, hint: unsureSentence(count) } : { canAct: false, hint: `A preparer or an approver looks ${them} up in Zoho: sign in as one.` };
  if (act === 'reopen') {
    if (may) return { canAct: true, hint: `If the ${countOf(count, 'document')} closed without posting ${count === 1 ? 'is' : 'are'} to be posted after all, reopen ${them}, saying why: a batch of the rest may then take ${them}.` };
    return { canAct: false, hint: `A preparer or an approver reopens ${them}: sign in as one.` };
  }
  if (may) {
    return { canAct: true, hint: `If the ${countOf(count, 'document')} not posted ${count === 1 ? 'is' : 'are'} not to be posted (refused for good, or built again under other keys), close ${them} without posting, saying why.` };
  }
  return { canAct: false, hint: `A preparer or an approver closes ${them} without posting: sign in as one.` };
}

/** The words of the close (or reopen) action beside the batch: its button, the reason's question and hint, confirm and keep. */
export interface RestActWords {
  open: string;
  question: string;
  hint: string;
  confirm: string;
  keep: string;
  /** Said when the server's answer is not a sentence of its own. */
  failed: string;
}

export function restActWords(act: RestAct, count: number): RestActWords {
  const them = count === 1 ? 'it' : 'them';
  const docs = count === 1 ? 'is the 1 document' : `are the ${formatCount(count)} documents`;
  if (act === 'reopen') {
    return {
      open: `Reopen the ${formatCount(count)} closed`,
      question: `Why ${docs} reopened?`,
      hint: `Saved with your name, beside who closed ${them} and why. Nothing is sent to Zoho; ${count === 1 ? 'it is' : 'they are'} left again, for a batch of the rest.`,
      confirm: `Reopen ${them}`,
      keep: `Keep ${them} closed`,
      failed: "The documents could not be reopened; the details are in the browser's console.",
    };
  }
  return {
    open: `Close the ${formatCount(count)} without posting`,
    question: `Why ${docs} not to be posted?`,
    hint: `Saved with your name. Nothing is sent to Zoho, and no batch of the rest takes ${them} later.`,
    confirm: `Close ${them} without posting`,
    keep: `Keep ${them} open`,
    failed: "The documents could not be closed; the details are in the browser's console.",
  };
}

export function panelStep(batch: PanelBatch | null, progress: PanelProgress | null, user: User | null, blocked: boolean): PanelStep {
  const holds = (role: string) => user?.roles.includes(role) ?? false;
  if (!batch || batch.state === 'rejected') {
    if (blocked) return { step: 'prepare', canAct: false, hint: 'Fix the blocking problems below first: nothing is posted while one remains.' };
    if (!holds('preparer')) return { step: 'prepare', canAct: false, hint: 'Sign in as a preparer to prepare a batch.' };
    return { step: 'prepare', canAct: true, hint: batch ? 'The last batch was rejected; prepare a new one.' : 'Prepare a batch; someone else then approves it before anything is sent.' };
  }
  const state = progress?.batchState ?? batch.state;
  if (state === 'awaiting_approval') {
    // The approval rule decides, as on the server: an approver or admin who prepared none of it.
    const verdict = mayApprove(approvalSubject(batch), user);
    if (!verdict.ok) return { step: 'approve', canAct: false, hint: verdict.code === 'maker-checker' ? verdict.reason : 'Waiting for an approver.' };
    return { step: 'approve', canAct: true, hint: `Prepared by ${batch.preparedByName}. Review it, then approve.` };
  }
  const mayOperate = holds('preparer') || holds('approver');
  if (state === 'approved') return { step: 'post', canAct: mayOperate, hint: 'Approved: ready to post to Zoho.' };
  if (state === 'sending') {
    if (progress?.control.command === 'pause' && !progress.running) {
      return { step: 'paused', canAct: mayOperate, hint: progress.control.reason ?? progress.last?.message ?? 'Paused.' };
    }
    if (!progress?.running) return { step: 'paused', canAct: mayOperate, hint: progress?.last?.message ?? 'Posting stopped before the end; resume to continue (documents already sent are not sent again).' };
    return { step: 'posting', canAct: mayOperate, hint: 'Posting…' };
  }
  // What happened and what to do, as the inbox says it (the findings and failed documents follow below); no counts, no sentence.
  const said = (progress && sentBatchSentence(batch.kind, state, progress.counts, 'panel', progress)) ?? '';
  // A posting is not sent again once it ended: what it did not post goes in a new batch, prepared here
  // and approved like any other — for the documents no batch of the rest took yet. (A correction
  // that failed runs again under its own approval.)
  const count = progress && endsWithRest(batch.kind, state) ? notHandedOnOf(progress.counts, progress) : 0;
  if (count) {
    if (blocked) return { step: 'rest', canAct: false, count, hint: `${said} Fix the blocking problems below first: nothing is posted while one remains.` };
    if (!holds('preparer')) return { step: 'rest', canAct: false, count, hint: `${said} A preparer prepares it: sign in as one.` };
    return { step: 'rest', canAct: true, count, hint: said };
  }
  return { step: 'finished', canAct: false, hint: said };
}

/**
 * What a batch of the rest left out, beside the batch: the documents already in Zoho, those a batch
 * of the rest before it holds (it may still post them), and those closed without posting, e.g. "1 document already in Zoho and
 * 2 in batch bat_x left out; this batch holds the other 3 documents."
 */
export function leftOutSentence(documents: number, inZoho: number, heldElsewhere: readonly { batchId: string; count: number }[] = [], closed = 0): string {
  const held = heldElsewhere.reduce((s, h) => s + h.count, 0);
  const where = heldElsewhere.length === 1 ? `batch ${heldElsewhere[0]!.batchId}` : `batches ${heldElsewhere.map((h) => `${h.batchId} (${formatCount(h.count)})`).join(', ')}`;
  const first = inZoho || (!held && !closed);
  const out = [
    first ? `${countOf(inZoho, 'document')} already in Zoho` : '',
    held ? `${first ? formatCount(held) : countOf(held, 'document')} in ${where}` : '',
    // closed without posting with the rest of an earlier batch: never posted from here
    closed ? `${first || held ? formatCount(closed) : countOf(closed, 'document')} closed without posting` : '',
  ].filter(Boolean);
  const said = out.length > 2 ? `${out.slice(0, -1).join(', ')} and ${out[out.length - 1]}` : out.join(' and ');
  return `${said} left out; this batch holds the other ${countOf(documents - inZoho - held - closed, 'document')}.`;
}

/**
 * The Invoices, Payments and Journals sheets with each row's posting status (Zoho id, or code and
 * message): `statuses` says where each document is now (the server's /api/posting/statuses), so a
 * row a batch of the rest left out still says where it is in Zoho; a row with none has no status.
 */
export function sheetsWithStatus(sheets: readonly SheetSpec[], statuses: readonly PanelItem[]): SheetSpec[] {
  const byKey = new Map(statuses.map((i) => [i.idempotencyKey, i.status]));
  return sheets.filter((s) => s.columns.some((c) => c.header === 'KEY')).map((s) => withPostingStatus(s, byKey));
}

/**
 * The connection the panel starts on: the one the Zoho ids were read from (ids of one organisation
 * must not be posted to another), else the only connection, else none (the user chooses).
 */
export function initialConnectionId(connections: readonly { id: string }[], preferred?: string): string {
  if (preferred && connections.some((c) => c.id === preferred)) return preferred;
  return connections.length === 1 ? connections[0]!.id : '';
}
