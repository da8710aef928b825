/**
 * What the Tuition page does, apart from the screen: read partner sheets (engine in the browser) or
 * backend datasets (engine on the server), write the month's invoices as sheets, store them as
 * drafts, send each for the customer's approval (the server e-mails the signed link to the customer's
 * approver; the pane never sees it) and follow their states. With the demo mail catcher, the signed-in
 * person's own demo mailbox.
 */
import type { Table } from '../../../src/kernel/table';
import { utcMinute } from '../../../src/kernel/dates';
import type { Problem } from '../../../src/kernel/problems';
import { rulesByCustomer, type LearnerRules } from '../../../src/tuition/learners';
import { buildTuitionMonth, tablesFeed, tuitionMonthView, type TuitionMonthView } from '../../../src/tuition/month';
import type { WorkbookPort } from '../../../src/workbook/port';
import { ApiError, tablesAsJson, type ApiClient } from '../../api';
import { listTuitionCustomers } from '../settings/settings-api';
import type { User } from '../../../src/approval';
import { TARGETS_PAGE } from '../../../src/delivery/targets';
import { allowedInvoiceActions, invoiceFacts, type InvoiceRecord } from '../../../src/tuition/lifecycle';

/** The month's build (src/tuition/month.ts) and where its lines came from, to store the same invoices on the server. */
export interface BuildOutcome extends TuitionMonthView {
  source: { tables: Table[] } | { datasets: string[] };
}

export type { InvoiceState } from '../../../src/tuition/lifecycle';

export interface InvoiceView extends InvoiceRecord {
  id: string;
  customer: string;
  totalCents: number;
  decision: { decision: 'approved' | 'denied'; by: string; at: string; reason: string | null; version: number; hash: string } | null;
  deliveryError: string | null;
  deliveredAt: string | null;
  remoteId: string | null;
  /** Where it goes once approved (the customer's delivery target or Zoho Books), or 'none' with the sentence why. */
  delivery: { method: string; description?: string; reason?: string };
  receipts: { fileName: string; remotePath: string; protocol: string; host: string; sha256: string }[];
  /** The latest approval link e-mailed: to whom (masked), when, until when; `live` while unused and not replaced. */
  request: { sentTo: string; sentAt: string; expiresAt: string; version: number; live: boolean } | null;
}

/** What the server says after e-mailing a link: the masked address and times, never the link. */
export interface SentForApproval {
  sentTo: string;
  sentAt: string;
  expiresAt: string;
  invoice: InvoiceView;
}

/** A message in the demo mailbox (the local mail catcher), addressed to the signed-in person. */
export interface DemoMail {
  id: string;
  subject: string;
  receivedAt: string;
  text: string;
  links: string[];
}

export const TUITION_SHEETS = ['Tuition Invoices', 'Tuition Lines'];

/** Partner sheets first (not the sheets this page writes). */
export function candidateSheets(names: readonly string[]): string[] {
  return names.filter((n) => !TUITION_SHEETS.includes(n) && n !== 'Tuition Problems');
}

/**
 * Builds the month in the browser; a blank month is the latest month the sheets' lines are dated in.
 * `learners`: the customers' learner rules as stored (learnerRulesFromServer), so the invoices shown
 * are the ones the server stores; none when no one is signed in.
 */
export async function buildFromSheets(port: WorkbookPort, sheets: readonly string[], month: string, learners: LearnerRules = {}): Promise<BuildOutcome> {
  const tables: Table[] = [];
  for (const s of sheets) tables.push(await port.readSheet(s));
  return { ...tuitionMonthView(await buildTuitionMonth(tablesFeed(tables), { month, learners })), source: { tables } };
}

/** Every customer's learner rules as the admin set them under Settings (the server builds with the same). */
export async function learnerRulesFromServer(api: ApiClient, signal?: AbortSignal): Promise<LearnerRules> {
  return rulesByCustomer(await listTuitionCustomers(api, signal));
}

/** The build warned that a learner's spelling could be two people: an alias under Settings settles it. */
export const hasAmbiguousLearners = (problems: readonly Problem[]) => problems.some((p) => p.code === 'ambiguous-learner');

/**
 * Each ambiguous spelling with its customer: the spelling stays a learner of its own, so the invoice
 * holding a line for it is that customer's.
 */
export function ambiguousLearners(outcome: Pick<TuitionMonthView, 'problems' | 'invoices'>): { customer: string; spelling: string }[] {
  const out = new Map<string, { customer: string; spelling: string }>();
  for (const p of outcome.problems) {
    if (p.code !== 'ambiguous-learner' || !p.value) continue;
    const spelling = p.value;
    for (const i of outcome.invoices) if (i.lines.some((l) => l.user === spelling)) out.set(`${i.customer}\n${spelling}`, { customer: i.customer, spelling });
  }
  return [...out.values()];
}

export async function buildFromDatasets(api: ApiClient, datasets: readonly string[], month: string, signal?: AbortSignal): Promise<BuildOutcome> {
  const r = await api.request<Omit<BuildOutcome, 'source'>>('/api/tuition/preview', { method: 'POST', body: { month, datasets }, signal });
  return { ...r, source: { datasets: [...datasets] } };
}

export interface SavedOutcome {
  created: InvoiceView[];
  revised: InvoiceView[];
  unchanged: InvoiceView[];
  refused: { number: string; message: string }[];
}

/** Stores the month's invoices as drafts (the server builds them again from the same lines). */
export async function storeDrafts(api: ApiClient, outcome: BuildOutcome): Promise<SavedOutcome> {
  const source = 'tables' in outcome.source ? { tables: tablesAsJson(outcome.source.tables) } : outcome.source;
  return api.request<SavedOutcome>('/api/tuition/invoices', { method: 'POST', body: { month: outcome.month, ...source } });
}

export async function listInvoices(api: ApiClient, month: string, signal?: AbortSignal): Promise<InvoiceView[]> {
  return (await api.request<{ invoices: InvoiceView[] }>('/api/tuition/invoices', { query: { month }, signal })).invoices;
}

export async function sendForApproval(api: ApiClient, id: string): Promise<SentForApproval> {
  return api.request(`/api/tuition/invoices/${encodeURIComponent(id)}/send`, { method: 'POST', body: {} });
}

export async function deliverAgain(api: ApiClient, id: string): Promise<InvoiceView> {
  return (await api.request<{ invoice: InvoiceView }>(`/api/tuition/invoices/${encodeURIComponent(id)}/deliver`, { method: 'POST', body: {} })).invoice;
}


/**
 * The signed-in person's demo mailbox; null when the server has none (a real mail server, or a real
 * identity provider), so the page shows nothing.
 */
export async function demoMailbox(api: ApiClient, signal?: AbortSignal): Promise<{ mailbox: string | null; messages: DemoMail[] } | null> {
  try {
    return await api.request<{ mailbox: string | null; messages: DemoMail[] }>('/api/dev/mail', { signal });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** The state in the user's words, with what happens next. */
export function describeState(i: InvoiceView): string {
  switch (i.state) {
    case 'draft':
      return i.version > 1 ? `Draft (version ${i.version}): changed, send it for approval again.` : 'Draft: send it for approval.';
    case 'awaiting_approval':
      return `Awaiting ${i.customer}'s approval (version ${i.version}).${
        i.request?.live && i.request.version === i.version ? ` The link was e-mailed to ${i.request.sentTo}; it works until ${utcMinute(i.request.expiresAt)}.` : ''
      }`;
    case 'approved':
      return i.deliveryError
        ? `Approved by ${i.decision?.by.replace(/^customer:/, '')}; delivery failed: ${i.deliveryError}`
        : i.delivery.method === 'none'
          ? `Approved by ${i.decision?.by.replace(/^customer:/, '')}; no delivery target is set for ${i.customer}: an admin sets one under ${TARGETS_PAGE}, and it is delivered then.`
          : `Approved by ${i.decision?.by.replace(/^customer:/, '')}; being delivered${i.delivery.method === 'zoho' ? ' to Zoho Books' : i.delivery.description ? ` to ${i.delivery.description}` : ''}.`;
    case 'denied':
      return `Denied by ${i.decision?.by.replace(/^customer:/, '')}: ${i.decision?.reason ?? ''}`;
    case 'delivered':
      return i.remoteId
        ? `Delivered to Zoho Books (invoice id ${i.remoteId}).`
        : `Delivered: ${i.receipts.map((r) => `${r.fileName} → ${r.protocol.toUpperCase()} ${r.host}:${r.remotePath} (sha256 ${r.sha256.slice(0, 12)}…)`).join('; ')}`;
  }
}

/** Whether the invoice's lifecycle (src/tuition/lifecycle.ts) lets this user send it for approval now. */
export const canSend = (i: InvoiceView, user: User | null) => !!user && allowedInvoiceActions(invoiceFacts(i), user).includes('send-for-approval');
/** A failed delivery the lifecycle lets this user start again (an approval of this exact version stands, and a target is set). */
export const canDeliverAgain = (i: InvoiceView, user: User | null) =>
  !!user && !!i.deliveryError && i.delivery.method !== 'none' && allowedInvoiceActions(invoiceFacts(i), user).includes('deliver');
