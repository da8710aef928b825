/**
 * What the Approvals page does apart from the screen: read the inbox (every job's batches that wait
 * for a decision or for sending, and the latest finished ones), sort them into the groups a person
 * works through, describe a batch in a line (job, preparer, when, totals, items, state), and ask the
 * server to approve, reject, withdraw or remove items. Who may do what is the server's answer from
 * the rules in src/ (the approval rule, the batch lifecycle); the page shows it.
 */
import type { ApprovalVerdict, Person } from '../../../src/approval';
import { sentBatchSentence, type ContentView, type RestClosed, type MoneyTotal, type RowDiff, type VersionSummary } from '../../../src/batches';
import { displayAmount } from '../../../src/kernel/money';
import type { ApiClient } from '../../api';
import { countOf, formatCount } from '../../../src/kernel/counts';

export type ItemStateName = 'pending' | 'sending' | 'done' | 'failed' | 'needs_review';

export interface BatchView {
  id: string;
  job: string;
  kind: string;
  state: string;
  version: number;
  preparedBy: string;
  preparedByName: string;
  preparers: Person[];
  createdAt: string;
  updatedAt: string;
  payload: Record<string, unknown>;
}


export interface InboxEntryView {
  batch: BatchView;
  itemCount: number;
  itemStates: Record<ItemStateName, number>;
  summary: VersionSummary | null;
  contentHash: string | null;
  lastDecision: { decision: 'approved' | 'rejected'; byName: string; at: string; reason: string | null; version: number } | null;
  approvedBy: string | null;
  /** "Approval void: the content changed after approval (…)" while it awaits approval again. */
  approvalVoid?: string | null;
  verdict: ApprovalVerdict | null;
  allowedActions: string[];
  mine: boolean;
  /** The batches that took over what it did not post (a batch of the rest), with how many each took. */
  handedOn?: { batchId: string; count: number }[];
  /** What it did not post that no batch took over (a batch of the rest is still to prepare for these). */
  notHandedOn?: number;
  /** Its rest closed without posting: how many, by whom, why (absent when none was). */
  closed?: RestClosed;
}

export interface InboxView {
  entries: InboxEntryView[];
  waitingForYou: number;
}

export interface BatchContentView {
  batch: BatchView;
  content: ContentView;
  approvedHash: string | null;
  matchesApproval: boolean | null;
  approvalVoid?: string | null;
}

export interface BatchItemView {
  seq: number;
  kind: string;
  state: ItemStateName;
  error: string | null;
  attempts: number;
  request: Record<string, unknown>;
  response: unknown;
  preparedBy: Person[];
}

export interface BatchDetailView {
  batch: BatchView;
  items: BatchItemView[];
  approvedForSending: boolean;
  allowedActions: string[];
}

// ---- the server ----------------------------------------------------------------------------------

const at = (id: string) => `/api/batches/${encodeURIComponent(id)}`;

export const readInbox = (api: ApiClient, signal?: AbortSignal) => api.request<InboxView>('/api/batches/inbox', { signal });
export const readWaitingCount = async (api: ApiClient, signal?: AbortSignal) => (await api.request<{ waitingForYou: number }>('/api/batches/inbox/count', { signal })).waitingForYou;
export const readContent = (api: ApiClient, id: string, signal?: AbortSignal) => api.request<BatchContentView>(`${at(id)}/content`, { signal });
export const readDetail = (api: ApiClient, id: string, signal?: AbortSignal) => api.request<BatchDetailView>(at(id), { signal });

/** Approves or rejects the version and content the approver reviewed. */
export async function decide(api: ApiClient, c: BatchContentView, decision: 'approve' | 'reject', reason?: string): Promise<void> {
  await api.request(`${at(c.batch.id)}/${decision}`, { method: 'POST', body: { version: c.batch.version, contentHash: c.content.contentHash, ...(reason ? { reason } : {}) } });
}

export async function withdraw(api: ApiClient, b: BatchView, reason?: string): Promise<void> {
  await api.request(`${at(b.id)}/withdraw`, { method: 'POST', body: { version: b.version, ...(reason ? { reason } : {}) } });
}

export async function removeItems(api: ApiClient, b: BatchView, seqs: readonly number[]): Promise<void> {
  await api.request(`${at(b.id)}/remove-items`, { method: 'POST', body: { version: b.version, seqs } });
}

// ---- the nav badge hears when the inbox changed ----------------------------------------------------

const listeners = new Set<() => void>();
/** Tells the badge (and anything else listening) that a decision or change was made here. */
export function inboxChanged(): void {
  for (const l of [...listeners]) l();
}
export function onInboxChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

// ---- groups ------------------------------------------------------------------------------------------

export type GroupKey = 'decide' | 'send' | 'yours' | 'others' | 'finished';

export interface InboxGroup {
  key: GroupKey;
  title: string;
  entries: InboxEntryView[];
}

const GROUP_TITLES: Record<GroupKey, string> = {
  decide: 'Waiting for your decision',
  send: 'Approved: to send or needing attention',
  yours: 'Yours, awaiting approval',
  others: 'Awaiting someone else',
  finished: 'Finished recently',
};

export function groupOf(e: InboxEntryView): GroupKey {
  const s = e.batch.state;
  if (s === 'awaiting_approval') return e.verdict?.ok ? 'decide' : e.mine ? 'yours' : 'others';
  if (s === 'failed' && handedOnWhole(e)) return 'finished';
  if (s === 'approved' || s === 'sending' || s === 'failed' || s === 'needs_review') return 'send';
  return 'finished';
}

/**
 * A failed posting whose rest all went into new batches, or was closed without posting, asks nothing
 * more: those batches do, or finance decided. One whose rest they took only part of still asks for a
 * batch of the others.
 */
export function handedOnWhole(e: Pick<InboxEntryView, 'handedOn' | 'notHandedOn' | 'closed'>): boolean {
  return (!!e.handedOn?.length || !!e.closed?.count) && !e.notHandedOn;
}

/** The groups that have batches, in the order a person works through them; each newest first. */
export function groupInbox(entries: readonly InboxEntryView[]): InboxGroup[] {
  const order: GroupKey[] = ['decide', 'send', 'yours', 'others', 'finished'];
  const newest = (a: InboxEntryView, b: InboxEntryView) => (a.batch.createdAt < b.batch.createdAt ? 1 : a.batch.createdAt > b.batch.createdAt ? -1 : 0);
  return order
    .map((key) => ({ key, title: GROUP_TITLES[key], entries: entries.filter((e) => groupOf(e) === key).sort(newest) }))
    .filter((g) => g.entries.length > 0);
}

// ---- a batch in words ------------------------------------------------------------------------------

/** What the batch is, by job and kind: where it goes. */
export function jobLabel(b: Pick<BatchView, 'job' | 'kind'>): string {
  if (b.kind === 'zoho-post') return `${b.job === 'settlements' ? 'Settlements' : b.job} → Zoho Books`;
  // a batch that removes from Zoho the extra copies a posting's census found
  if (b.kind === 'zoho-correction') return `${b.job === 'settlements' ? 'Settlements' : b.job} → Zoho Books: correction`;
  if (b.kind === 'delivery') {
    const what: Record<string, string> = { chargebacks: 'Chargeback files', vret: 'SPURSH files', tuition: 'Tuition files' };
    return `${what[b.job] ?? `${b.job} files`} → partner`;
  }
  return `${b.job} (${b.kind})`;
}

export function stateText(state: string): string {
  return state.replace(/_/g, ' ');
}

export type Tone = 'warning' | 'brand' | 'informative' | 'success' | 'danger' | 'subtle';
export function stateTone(state: string): Tone {
  return ({ awaiting_approval: 'warning', approved: 'brand', sending: 'informative', done: 'success', failed: 'danger', needs_review: 'warning', rejected: 'danger', cancelled: 'subtle' } as Record<string, Tone>)[state] ?? 'informative';
}

/** "just now", "5 min ago", "3 h ago", else the date and time (UTC). */
export function whenText(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const money = (cents: number, currency: string | null | undefined) => (currency ? `${displayAmount(cents, currency)} ${currency}` : displayAmount(cents));
const KIND_WORDS: Record<string, [string, string]> = {
  invoice: ['invoice', 'invoices'],
  payment: ['payment', 'payments'],
  journal: ['journal', 'journals'],
  // a correction's items: the copies it removes from Zoho (their amounts are in its finding)
  'remove-invoice': ['extra invoice copy to remove', 'extra invoice copies to remove'],
  'remove-payment': ['extra payment copy to remove', 'extra payment copies to remove'],
  'remove-journal': ['extra journal copy to remove', 'extra journal copies to remove'],
};

/** "2 invoices", "1 payment": a document type with its count. */
export function documentsOf(kind: string, count: number): string {
  const [one, many] = KIND_WORDS[kind] ?? [kind, `${kind}s`];
  return countOf(count, one, many);
}

/** One line of totals: per document type, or the files' rows and money columns. */
export function summaryText(s: VersionSummary | null, itemCount: number): string {
  if (!s) return countOf(itemCount, 'item');
  if (s.documents?.length) {
    const kinds = [...new Set(s.documents.map((d) => d.kind))];
    return kinds
      .map((k) => {
        const rows = s.documents!.filter((d) => d.kind === k);
        const count = rows.reduce((n, d) => n + d.count, 0);
        // a removal carries no document total (it names the copy by its Zoho id)
        return k.startsWith('remove-') ? documentsOf(k, count) : `${documentsOf(k, count)} ${rows.map((d) => money(d.cents, d.currency)).join(' + ')}`;
      })
      .join(' · ');
  }
  if (s.files !== undefined) {
    const parts = [countOf(s.files, 'file'), countOf(s.rows ?? 0, 'row')];
    const first = s.totals?.[0]?.column;
    const totals = (s.totals ?? []).filter((t) => t.column === first);
    if (totals.length) parts.push(`${first} ${totals.map((t) => money(t.cents, t.currency)).join(', ')}`);
    return parts.join(' · ');
  }
  return countOf(s.items, 'item');
}

/** The people who prepared it, by name. */
export function preparersText(b: Pick<BatchView, 'preparedByName' | 'preparers'>): string {
  const names = [...new Set([b.preparedByName, ...b.preparers.map((p) => p.name)])];
  return names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * What the signed-in person can do about it now, or why not: the rule's sentence while it waits for
 * approval; once it went out, what happened and what to do, as the posting panel says it.
 */
export function nextStepText(e: InboxEntryView): string {
  const s = e.batch.state;
  if (s === 'awaiting_approval') {
    const voided = e.approvalVoid ? `${e.approvalVoid} ` : '';
    if (e.verdict?.ok) return `${voided}You can approve or reject it.`;
    const why = e.verdict && !e.verdict.ok ? e.verdict.reason : '';
    return `${voided}${e.allowedActions.includes('withdraw') ? `${why} You can withdraw it${e.allowedActions.includes('remove-items') ? ' or remove items' : ''} until it is approved.`.trim() : why}`.trim();
  }
  if (s === 'approved') return `Approved by ${e.approvedBy ?? e.lastDecision?.byName ?? 'an approver'}; ready to ${e.batch.kind === 'zoho-post' ? 'post' : 'send'}.`;
  if (s === 'rejected') return `Rejected by ${e.lastDecision?.byName ?? 'an approver'}${e.lastDecision?.reason ? `: ${e.lastDecision.reason}` : '.'}`;
  return sentBatchSentence(e.batch.kind, s, e.itemStates, 'listed', e) ?? stateText(s);
}

/** A file's money totals as text, per column: "AMOUNT 10.25 USD, 7.00 EUR". */
export function totalsText(totals: readonly MoneyTotal[]): string {
  const columns = [...new Set(totals.map((t) => t.column))];
  return columns.map((c) => `${c} ${totals.filter((t) => t.column === c).map((t) => money(t.cents, t.currency)).join(', ')}`).join(' · ');
}

export function amountText(cents: number | undefined, currency: string | undefined): string {
  return cents === undefined ? '' : money(cents, currency);
}

/** What changed since the previous version, in one sentence. */
export function diffText(d: NonNullable<ContentView['diff']>): string {
  const parts: string[] = [];
  if (d.added.length) parts.push(`${formatCount(d.added.length)} added`);
  if (d.removed.length) parts.push(`${formatCount(d.removed.length)} removed`);
  if (d.changed.length) parts.push(`${formatCount(d.changed.length)} changed`);
  return `Since version ${d.fromVersion}: ${parts.length ? parts.join(', ') : 'no item changed'}${d.unchanged ? `; ${countOf(d.unchanged, 'item')} as before` : ''}.`;
}

/** A changed file's rows in one sentence: "+1 row, −0, 1 changed (matched on CASE_ID)". */
export function rowDiffText(r: RowDiff): string {
  const parts = [`${formatCount(r.counts.added)} added`, `${formatCount(r.counts.removed)} removed`, `${formatCount(r.counts.changed)} changed`];
  return `Rows: ${parts.join(', ')}${r.keyColumn ? ` (matched on ${r.keyColumn})` : ''}${r.headerChanged ? '; the header changed' : ''}.`;
}

/** A shortened hash for the screen. */
export const shortHash = (h: string) => `${h.slice(0, 12)}…`;
