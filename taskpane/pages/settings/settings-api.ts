/**
 * What the Settings pages do, apart from the screen: the partner, target, tuition customer and Zoho
 * mapping requests (secrets are sent, never read back), and the plain functions that decide what
 * each page lists — tested in node without a browser.
 */
import type { ApiClient } from '../../api';
import type { PartnerView, TargetView } from '../../../platform/delivery/views';
import { NETWORKS } from '../../../src/chargebacks/reason-codes';
import { chooseTarget, DEFAULT_TARGET_KEY, targetKey, type DeliveryTarget, type TargetChoice, type TargetConfig, type TargetJob } from '../../../src/delivery/targets';
import { customerKey } from '../../../src/tuition/invoices';
import type { CustomerLearnerRules } from '../../../src/tuition/learners';
import { CHARGE_ITEM_NAMES, zohoIdsFromLists, type ZohoLists } from '../../../src/settlements/mapping';
import { MAPPING_KIND_WORDS, settlementMappingKeys, type MappingEntry, type MappingKind } from '../../../src/settlements/mapping-file';
import type { Problem } from '../../../src/kernel/problems';
import { listZohoConnections, loadZohoLists, type ZohoConnectionSummary } from '../settlements/settlements-run';

export type Partner = PartnerView;
export type Protocol = PartnerView['protocol'];

export interface PartnerForm {
  name: string;
  protocol: Protocol;
  host: string;
  port: string;
  folder: string;
  username: string;
  auth: 'password' | 'key';
  /** Write-only: empty keeps what is stored. */
  password: string;
  privateKey: string;
  passphrase: string;
  hostFingerprint: string;
  tlsFingerprint: string;
  pgpPublicKey: string;
}

export const DEFAULT_PORTS: Record<Protocol, number> = { ftp: 21, ftps: 21, sftp: 22 };

export function emptyPartnerForm(): PartnerForm {
  return { name: '', protocol: 'sftp', host: '', port: '', folder: '', username: '', auth: 'password', password: '', privateKey: '', passphrase: '', hostFingerprint: '', tlsFingerprint: '', pgpPublicKey: '' };
}

export function partnerToForm(p: Partner): PartnerForm {
  return {
    name: p.name,
    protocol: p.protocol,
    host: p.host,
    port: String(p.port),
    folder: p.folder,
    username: p.username,
    auth: p.auth,
    password: '',
    privateKey: '',
    passphrase: '',
    hostFingerprint: p.hostFingerprint ?? '',
    tlsFingerprint: p.tlsFingerprint ?? '',
    pgpPublicKey: p.pgpPublicKey ?? '',
  };
}

/**
 * The request body for a new partner or a change: fingerprints only for their protocol, a secret
 * only when typed (a change without one keeps the stored secret), nothing unchanged sent twice.
 */
export function partnerBody(f: PartnerForm, existing?: Partner): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: f.name.trim(),
    protocol: f.protocol,
    host: f.host.trim(),
    folder: f.folder.trim(),
    username: f.username.trim(),
    hostFingerprint: f.protocol === 'sftp' && f.hostFingerprint.trim() ? f.hostFingerprint.trim() : null,
    tlsFingerprint: f.protocol === 'ftps' && f.tlsFingerprint.trim() ? f.tlsFingerprint.trim() : null,
    pgpPublicKey: f.pgpPublicKey.trim() ? f.pgpPublicKey.trim() : null,
  };
  if (f.port.trim()) body.port = Number(f.port.trim());
  else if (!existing || existing.protocol !== f.protocol) body.port = DEFAULT_PORTS[f.protocol];
  const key = f.protocol === 'sftp' && f.auth === 'key';
  if (key && f.privateKey.trim()) {
    body.privateKey = f.privateKey;
    if (f.passphrase) body.passphrase = f.passphrase;
  } else if (!key && f.password) body.password = f.password;
  return body;
}

/** What keeps the form from being saved, in one sentence (null: it may be saved). */
export function partnerFormProblem(f: PartnerForm, existing?: Partner): string | null {
  if (!f.name.trim()) return 'Give the partner a name.';
  if (!f.host.trim()) return 'Give the server\'s host name or address.';
  if (f.port.trim() && !/^\d{1,5}$/.test(f.port.trim())) return 'The port is a number, e.g. 22.';
  if (!f.username.trim()) return 'Give the user name CloseDesk signs in with.';
  const key = f.protocol === 'sftp' && f.auth === 'key';
  const changesSecretKind = existing && (existing.auth !== (key ? 'key' : 'password') || (existing.protocol === 'sftp') !== (f.protocol === 'sftp'));
  if ((!existing || !existing.hasSecret || changesSecretKind) && !(key ? f.privateKey.trim() : f.password)) return key ? 'Paste the private key CloseDesk signs in with.' : 'Give the password CloseDesk signs in with.';
  if (f.protocol === 'sftp' && !f.hostFingerprint.trim()) return 'Pin the server\'s host key: read it from the server and compare it with the fingerprint the partner gave you.';
  return null;
}

export async function listPartners(api: ApiClient, signal?: AbortSignal): Promise<Partner[]> {
  return (await api.request<{ partners: Partner[] }>('/api/partners', { signal })).partners;
}

export async function savePartner(api: ApiClient, f: PartnerForm, existing?: Partner): Promise<Partner> {
  const body = partnerBody(f, existing);
  const r = existing
    ? await api.request<{ partner: Partner }>(`/api/partners/${encodeURIComponent(existing.id)}`, { method: 'PATCH', body })
    : await api.request<{ partner: Partner }>('/api/partners', { method: 'POST', body });
  return r.partner;
}

export async function removePartner(api: ApiClient, p: Partner): Promise<void> {
  await api.request(`/api/partners/${encodeURIComponent(p.id)}`, { method: 'DELETE' });
}

/** The key or certificate the server presents now (for a saved partner, or host/port typed in the form). */
export async function probeServer(api: ApiClient, what: Partner | { protocol: Protocol; host: string; port: number }): Promise<{ presented: string; pinned?: string | null; matches?: boolean | null }> {
  return 'id' in what
    ? api.request(`/api/partners/${encodeURIComponent(what.id)}/probe`, { method: 'POST', body: {} })
    : api.request('/api/partners/probe', { method: 'POST', body: what });
}

export async function testSignIn(api: ApiClient, p: Partner): Promise<{ ok: boolean; message: string; presented: string }> {
  return api.request(`/api/partners/${encodeURIComponent(p.id)}/test`, { method: 'POST', body: {} });
}

/** How a partner's pinning reads on its card. */
export function pinningText(p: Pick<Partner, 'protocol' | 'hostFingerprint' | 'tlsFingerprint'>): string {
  if (p.protocol === 'sftp') return p.hostFingerprint ? `Host key pinned: ${p.hostFingerprint}` : 'No host key pinned: deliveries to it are refused until one is.';
  if (p.protocol === 'ftps') return p.tlsFingerprint ? `Certificate pinned: ${p.tlsFingerprint}` : 'No certificate pinned: the server must present a publicly trusted one.';
  return 'Plain FTP: the password and files travel unencrypted.';
}

// ---- delivery targets -------------------------------------------------------------------------------

export type StoredTarget = TargetView;

export async function listTargets(api: ApiClient, signal?: AbortSignal): Promise<StoredTarget[]> {
  return (await api.request<{ targets: StoredTarget[] }>('/api/delivery-targets', { signal })).targets;
}

export async function saveTarget(api: ApiClient, t: { job: TargetJob; key: string; label?: string; partnerId: string; folder: string; fileNamePattern: string }): Promise<StoredTarget> {
  return (await api.request<{ target: StoredTarget }>('/api/delivery-targets', { method: 'PUT', body: t })).target;
}

export async function removeTarget(api: ApiClient, job: TargetJob, key: string): Promise<void> {
  await api.request('/api/delivery-targets', { method: 'DELETE', query: { job, key } });
}

export function targetConfigOf(targets: readonly DeliveryTarget[], partners: readonly Partner[]): TargetConfig {
  return { targets, partners };
}

export interface TargetRow {
  job: TargetJob;
  /** What the row is for: the network, customer or ledger ('*': every ledger). */
  value: string;
  title: string;
  /** The target set for exactly this row (to edit or remove), if any. */
  own: StoredTarget | undefined;
  /** Where files go now, by the rule every job asks. */
  choice: TargetChoice;
}

function row(job: TargetJob, value: string, title: string, targets: readonly StoredTarget[], config: TargetConfig): TargetRow {
  const own = targets.find((t) => t.job === job && t.key === targetKey(job, value));
  return { job, value, title, own, choice: chooseTarget(config, job, value) };
}

/** One row per card network. */
export function chargebackRows(targets: readonly StoredTarget[], partners: readonly Partner[]): TargetRow[] {
  const config = targetConfigOf(targets, partners);
  return NETWORKS.map((n) => row('chargebacks', n, n, targets, config));
}

/** The default for every ledger first, then each ledger with its own target, then the ledgers asked for. */
export function spurshRows(targets: readonly StoredTarget[], partners: readonly Partner[], extraLedgers: readonly string[] = []): TargetRow[] {
  const config = targetConfigOf(targets, partners);
  const ledgers = new Map<string, string>();
  for (const t of targets) if (t.job === 'spursh' && t.key !== DEFAULT_TARGET_KEY) ledgers.set(t.key, t.label);
  for (const l of extraLedgers) if (l.trim() && !ledgers.has(targetKey('spursh', l))) ledgers.set(targetKey('spursh', l), l.trim());
  return [row('spursh', DEFAULT_TARGET_KEY, 'Every ledger (unless set below)', targets, config), ...[...ledgers.values()].sort((a, b) => a.localeCompare(b)).map((l) => row('spursh', l, l, targets, config))];
}

/** What not having a target means, on the page where it is set (the jobs' own pages name this page instead). */
const UNSET: Record<TargetJob, string> = {
  chargebacks: 'Not set: a batch with these files cannot be prepared.',
  tuition: 'Not set: approved invoices wait for one.',
  spursh: 'Not set: SPURSH files are kept on the server, not delivered.',
};

/** Where files go now, in words: the rule's answer and why (own target, the default, a partner's label). */
export function choiceText(job: TargetJob, c: TargetChoice): string {
  if (!c.ok) return c.code === 'no-target' ? UNSET[job] : c.reason;
  const why = c.source === 'default' ? ' (the target for every ledger)' : c.source === 'label' ? ' (the partner is labelled for it; set a target to be sure)' : c.source === 'customer' ? " (from the customer's settings)" : '';
  return `Goes to ${c.description}${why}.`;
}

/** Everything the Delivery targets section shows. */
export interface TargetsData {
  partners: Partner[];
  targets: StoredTarget[];
  customers: TuitionCustomer[];
  invoiced: string[];
  connections: ConnectionSummary[];
}

// ---- tuition customers ------------------------------------------------------------------------------

export type TuitionDeliverySetting =
  | { method: 'none' }
  | { method: 'partner'; partnerId: string }
  | { method: 'zoho'; connectionId: string; zohoCustomerId: string; itemId?: string };

/** A customer as GET /api/tuition/customers lists it, with where its invoices go now. */
export interface TuitionCustomer {
  name: string;
  approverEmail: string;
  delivery: TuitionDeliverySetting;
  /** How the customer's learners are matched across partner layouts. */
  learners?: CustomerLearnerRules;
  target?: { method: string; description?: string; reason?: string };
}

export async function listTuitionCustomers(api: ApiClient, signal?: AbortSignal): Promise<TuitionCustomer[]> {
  return (await api.request<{ customers: TuitionCustomer[] }>('/api/tuition/customers', { signal })).customers;
}

/** Customers of the invoices stored so far (those billed before anyone set them up). */
export async function invoicedCustomers(api: ApiClient, signal?: AbortSignal): Promise<string[]> {
  const r = await api.request<{ invoices: { customer: string }[] }>('/api/tuition/invoices', { signal });
  return r.invoices.map((i) => i.customer);
}

export type TuitionDeliveryInput =
  | { method: 'none' }
  | { method: 'partner'; partnerId: string; folder: string; fileNamePattern: string }
  | { method: 'zoho'; connectionId: string; zohoCustomerId: string; itemId?: string };

export async function saveTuitionCustomer(api: ApiClient, c: { name: string; approverEmail: string; delivery: TuitionDeliveryInput }): Promise<TuitionCustomer> {
  return (await api.request<{ customer: TuitionCustomer }>('/api/tuition/customers', { method: 'PUT', body: c })).customer;
}

/** Replaces a customer's learner rules only (its approver and delivery stay as they are). */
export async function saveLearnerRules(api: ApiClient, name: string, learners: CustomerLearnerRules): Promise<TuitionCustomer> {
  return (await api.request<{ customer: TuitionCustomer }>('/api/tuition/customers', { method: 'PUT', body: { name, learners } })).customer;
}

/** Every customer once (set up, invoiced or just added), by name ignoring case and spacing, sorted. */
export function tuitionCustomerNames(configured: readonly TuitionCustomer[], invoiced: readonly string[], added: readonly string[] = []): string[] {
  const names = new Map<string, string>();
  for (const n of [...configured.map((c) => c.name), ...invoiced, ...added]) if (n.trim() && !names.has(customerKey(n))) names.set(customerKey(n), n.trim());
  return [...names.values()].sort((a, b) => a.localeCompare(b));
}

// ---- Zoho mappings ----------------------------------------------------------------------------------

export type ConnectionSummary = ZohoConnectionSummary;

/** The connections as the settlement run reads them (checked, never a secret). */
export async function listConnections(api: ApiClient, signal?: AbortSignal): Promise<ConnectionSummary[]> {
  return listZohoConnections((path, opts) => api.request(path, opts), signal);
}

/** The organisation's accounts, items and customers, their ids checked as text like the settlement run's. */
export async function organisationLists(api: ApiClient, connectionId: string, signal?: AbortSignal): Promise<ZohoLists> {
  return loadZohoLists((path, opts) => api.request(path, opts), connectionId, signal);
}

export interface StoredMappingEntry extends MappingEntry {
  zohoName: string;
}

export async function listMapping(api: ApiClient, connectionId: string, signal?: AbortSignal): Promise<StoredMappingEntry[]> {
  return (await api.request<{ entries: StoredMappingEntry[] }>(`/api/zoho/connections/${encodeURIComponent(connectionId)}/mappings`, { signal })).entries;
}

export async function setMapping(api: ApiClient, connectionId: string, e: { kind: MappingKind; key: string; zohoId: string; zohoName: string }): Promise<void> {
  await api.request(`/api/zoho/connections/${encodeURIComponent(connectionId)}/mappings`, { method: 'PUT', body: e });
}

export async function removeMapping(api: ApiClient, connectionId: string, kind: MappingKind, key: string): Promise<void> {
  await api.request(`/api/zoho/connections/${encodeURIComponent(connectionId)}/mappings`, { method: 'DELETE', query: { kind, key } });
}

export type LoadResult = { ok: true; set: number; removed: number; entries: StoredMappingEntry[]; problems: Problem[] } | { ok: false; message: string; problems: Problem[] };

/** Loads a mapping file; a refused file comes back with its problems (file, row, column, value). */
export async function loadMappingFile(api: ApiClient, connectionId: string, fileName: string, text: string, replace: boolean): Promise<LoadResult> {
  try {
    const r = await api.request<{ set: number; removed: number; entries: StoredMappingEntry[]; problems: Problem[] }>(
      `/api/zoho/connections/${encodeURIComponent(connectionId)}/mappings/file`,
      { method: 'POST', body: { fileName, text, replace } },
    );
    return { ok: true, ...r };
  } catch (e) {
    const details = (e as { details?: { problems?: Problem[] } }).details;
    if (details?.problems) return { ok: false, message: (e as Error).message, problems: details.problems };
    throw e;
  }
}

export async function exportMapping(api: ApiClient, connectionId: string): Promise<{ fileName: string; csv: string }> {
  return api.request(`/api/zoho/connections/${encodeURIComponent(connectionId)}/mappings/export`);
}

export interface ZohoOption {
  id: string;
  name: string;
}

/** The organisation's own choices for a kind: accounts, items or customers, by name. */
export function zohoOptions(kind: MappingKind, lists: ZohoLists): ZohoOption[] {
  const list = MAPPING_KIND_WORDS[kind].list;
  const out =
    list === 'accounts'
      ? (lists.accounts ?? []).map((a) => ({ id: a.account_id, name: a.account_name }))
      : list === 'items'
        ? (lists.items ?? []).map((i) => ({ id: i.item_id, name: i.sku ? `${i.name} (${i.sku})` : i.name }))
        : (lists.contacts ?? []).map((c) => ({ id: c.contact_id, name: c.contact_name }));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export interface MappingRow {
  key: string;
  /** The stored entry, if any. */
  entry: StoredMappingEntry | undefined;
  /** The organisation's id whose name (or SKU) is this key, offered when nothing is stored. */
  byName: string | undefined;
}

/**
 * The rows of one kind: the names the settlement build looks up (GL accounts of its rules, charge
 * lines), the organisation's SKUs and customers, every stored entry and the names added on the
 * page — each once.
 */
export function mappingRows(kind: MappingKind, entries: readonly StoredMappingEntry[], lists: ZohoLists | null, added: readonly string[] = []): MappingRow[] {
  const byName = lists ? zohoIdsFromLists(lists) : { accounts: {}, items: {}, chargeItems: {}, customers: {} };
  const names: Record<MappingKind, Record<string, string>> = { account: byName.accounts, item: byName.items, 'charge-item': byName.chargeItems, customer: byName.customers };
  const keys = new Map<string, string>();
  const add = (k: string) => {
    if (k.trim() && !keys.has(k.trim().toLowerCase())) keys.set(k.trim().toLowerCase(), k.trim());
  };
  (settlementMappingKeys()[kind] ?? []).forEach(add);
  if (kind === 'item' || kind === 'customer') Object.keys(names[kind]).forEach(add);
  entries.filter((e) => e.kind === kind).forEach((e) => add(e.key));
  added.forEach(add);
  const order = kind === 'charge-item' ? Object.keys(CHARGE_ITEM_NAMES) : null;
  const list = [...keys.values()].sort((a, b) => (order ? order.indexOf(a) - order.indexOf(b) : a.localeCompare(b)));
  return list.map((key) => ({
    key,
    entry: entries.find((e) => e.kind === kind && e.key.trim().toLowerCase() === key.toLowerCase()),
    byName: names[kind][key],
  }));
}
