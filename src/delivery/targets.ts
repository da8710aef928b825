/**
 * Where a job's files go: the delivery target an admin set for a card network (chargebacks), a
 * tuition customer (invoices) or a VRET ledger (SPURSH), chosen from the configured targets by one
 * rule every host asks. A target names a partner, optionally a remote folder and a file-name pattern.
 *
 * The choice, most specific first:
 * - chargebacks: the partner the preparer chose for the batch; else the network's target; else the
 *   one partner that takes the network (partners.ts, the rule for labels and choices);
 * - tuition: the customer's target; else the partner of the customer's own settings;
 * - SPURSH: the ledger's target; else the default target for every ledger; else the one partner
 *   that takes SPURSH.
 * Anything else is "no target", in a sentence naming the settings page where an admin sets one.
 */
import { customerKey } from '../tuition/invoices';
import { choosePartner, type PartnerCandidate, type PartnerMapping } from './partners';

export const TARGET_JOBS = ['chargebacks', 'tuition', 'spursh'] as const;
export type TargetJob = (typeof TARGET_JOBS)[number];

/** The key of the SPURSH target for every ledger without its own. */
export const DEFAULT_TARGET_KEY = '*';

/** Where an admin sets targets, as the pane names it. */
export const TARGETS_PAGE = 'Settings → Delivery targets';

export interface DeliveryTarget {
  job: TargetJob;
  /** The network, customer or ledger as the job names it ('*': SPURSH for every ledger). */
  key: string;
  /** How the page shows what the target is for ("Contoso Ltd", "All ledgers"). */
  label?: string;
  partnerId: string;
  /** '' = the partner's folder; a relative folder goes under it; one starting with '/' replaces it. */
  folder: string;
  /** '' = the job's own file name; else placeholders in braces (TARGET_PLACEHOLDERS). */
  fileNamePattern: string;
}

/** A partner as the rule sees it: its labels (`networks`, e.g. VISA, SPURSH) and its own folder. */
export interface TargetPartner extends PartnerCandidate {
  folder: string;
}

export interface TargetConfig {
  targets: readonly DeliveryTarget[];
  partners: readonly TargetPartner[];
}

export type TargetSource = 'chosen' | 'target' | 'default' | 'label' | 'customer';

export type TargetChoice =
  | {
      ok: true;
      partnerId: string;
      partnerName: string;
      /** The remote folder the files go into (partner folder and target folder joined). */
      folder: string;
      fileNamePattern: string;
      source: TargetSource;
      /** "Demo FTP (loopback), folder inbox/visa" — for the pages. */
      description: string;
    }
  | { ok: false; code: 'no-target' | 'ambiguous' | 'partner-gone' | 'chosen-missing'; reason: string };

/** Placeholders each job's file-name pattern may use; {file} is the file's own name, {name} and {ext} its parts. */
export const TARGET_PLACEHOLDERS: Record<TargetJob, readonly string[]> = {
  chargebacks: ['file', 'name', 'ext', 'network'],
  tuition: ['file', 'name', 'ext', 'customer', 'month'],
  spursh: ['file', 'name', 'ext', 'ledger'],
};

/** The key a target is stored and found under: networks in capitals, customers and ledgers ignoring case and spacing. */
export function targetKey(job: TargetJob, value: string): string {
  const v = value.trim();
  if (job === 'chargebacks') return v.toUpperCase();
  if (job === 'spursh' && v === DEFAULT_TARGET_KEY) return v;
  return customerKey(v);
}

/** What the target is for, in words: "VISA chargeback files", "Contoso Ltd's invoices", "SPURSH files of Amazon.eu". */
export function targetSubject(job: TargetJob, value: string): string {
  if (job === 'chargebacks') return `${value.trim().toUpperCase()} chargeback files`;
  if (job === 'tuition') return `${value.trim()}'s tuition invoices`;
  return value.trim() === DEFAULT_TARGET_KEY ? 'SPURSH files of every ledger' : `SPURSH files of ${value.trim()}`;
}

/** Partner folder and target folder: '' keeps the partner's, '/x' replaces it, 'x' goes under it. */
export function joinFolder(partnerFolder: string, targetFolder: string): string {
  const t = targetFolder.trim().replace(/\\/g, '/');
  if (!t) return partnerFolder;
  if (t.startsWith('/')) return t;
  const p = partnerFolder.trim().replace(/\\/g, '/').replace(/\/+$/, '');
  return p ? `${p}/${t}` : t;
}

function describe(partner: TargetPartner, folder: string, pattern: string): string {
  return `${partner.name}${folder ? `, folder ${folder}` : ''}${pattern ? `, named ${pattern}` : ''}`;
}

export interface ChooseOptions {
  /** Chargebacks: the partner the preparer chose per network for this batch. */
  chosen?: PartnerMapping;
  /** Tuition: the partner the customer's own settings name (before delivery targets existed). */
  customerPartnerId?: string;
}

/** The label a job's files go under at partners: the network, or SPURSH (tuition has none). */
const labelOf = (job: TargetJob, value: string) => (job === 'chargebacks' ? targetKey(job, value) : job === 'spursh' ? 'SPURSH' : undefined);

/** The target for one network, customer or ledger (see the file's comment for the order). */
export function chooseTarget(config: TargetConfig, job: TargetJob, value: string, options: ChooseOptions = {}): TargetChoice {
  const subject = targetSubject(job, value);
  const key = targetKey(job, value);
  const partners = new Map(config.partners.map((p) => [p.id, p]));
  const found = (t: DeliveryTarget, source: TargetSource): TargetChoice => {
    const partner = partners.get(t.partnerId);
    if (!partner) return { ok: false, code: 'partner-gone', reason: `The delivery target for ${subject} names a partner that no longer exists; an admin chooses another under ${TARGETS_PAGE}.` };
    const folder = joinFolder(partner.folder, t.folder);
    return { ok: true, partnerId: partner.id, partnerName: partner.name, folder, fileNamePattern: t.fileNamePattern, source, description: describe(partner, folder, t.fileNamePattern) };
  };
  const partnerOnly = (partner: TargetPartner, source: TargetSource): TargetChoice => ({
    ok: true,
    partnerId: partner.id,
    partnerName: partner.name,
    folder: partner.folder,
    fileNamePattern: '',
    source,
    description: describe(partner, partner.folder, ''),
  });
  const label = labelOf(job, value);
  if (label && options.chosen?.[label]) {
    const c = choosePartner(label, config.partners, options.chosen);
    return c.ok ? partnerOnly(c.partner, 'chosen') : { ok: false, code: 'chosen-missing', reason: c.message };
  }
  const own = config.targets.find((t) => t.job === job && targetKey(job, t.key) === key);
  if (own) return found(own, 'target');
  if (job === 'spursh') {
    const fallback = config.targets.find((t) => t.job === 'spursh' && t.key === DEFAULT_TARGET_KEY);
    if (fallback) return found(fallback, 'default');
  }
  if (job === 'tuition' && options.customerPartnerId) {
    const partner = partners.get(options.customerPartnerId);
    if (partner) return partnerOnly(partner, 'customer');
  }
  if (label) {
    const c = choosePartner(label, config.partners);
    if (c.ok) return partnerOnly(c.partner, 'label');
    if (c.code === 'several-partners') {
      return { ok: false, code: 'ambiguous', reason: `Several partners take ${subject} (${c.candidates.map((p) => p.name).join(', ')}); an admin sets which one under ${TARGETS_PAGE}.` };
    }
  }
  return { ok: false, code: 'no-target', reason: `No delivery target is set for ${subject}; an admin sets one under ${TARGETS_PAGE}.` };
}

/** The partner each label's target names (what partners.ts calls the configured mapping), for pages that offer a choice. */
export function configuredPartners(targets: readonly DeliveryTarget[], job: TargetJob): PartnerMapping {
  const out: Record<string, string> = {};
  for (const t of targets) if (t.job === job) out[job === 'spursh' ? (t.key === DEFAULT_TARGET_KEY ? 'SPURSH' : t.key) : targetKey(job, t.key)] ??= t.partnerId;
  return out;
}

// ---- file names -----------------------------------------------------------------------------------

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** A value put into a file name: letters, digits, dot, dash and underscore; anything else becomes a dash. */
function namePart(value: string): string {
  return value.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
}

export type FileNameResult = { ok: true; fileName: string } | { ok: false; reason: string };

/**
 * The name a file gets at the partner: the pattern with its placeholders filled ({file} = the
 * file's own name, {name} and {ext} its parts), or the file's own name when there is no pattern.
 */
export function targetFileName(pattern: string, fileName: string, values: Readonly<Record<string, string>> = {}): FileNameResult {
  if (!pattern.trim()) return { ok: true, fileName };
  const dot = fileName.lastIndexOf('.');
  const all: Record<string, string> = {
    file: fileName,
    name: dot > 0 ? fileName.slice(0, dot) : fileName,
    ext: dot > 0 ? fileName.slice(dot + 1) : '',
    ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k, namePart(v)])),
  };
  let unknown: string | undefined;
  const out = pattern.trim().replace(PLACEHOLDER, (_, k: string) => {
    if (!(k in all)) unknown ??= k;
    return all[k] ?? '';
  });
  if (unknown !== undefined) return { ok: false, reason: `The file-name pattern "${pattern}" names "${unknown}", which is not one of its placeholders here.` };
  if (!SAFE_NAME.test(out)) return { ok: false, reason: `The file-name pattern "${pattern}" gives "${out}", which is not a safe file name (letters, digits, dot, dash and underscore).` };
  return { ok: true, fileName: out };
}

/** What is wrong with a target an admin is about to save, as sentences (none: it may be saved). */
export function checkTarget(t: Pick<DeliveryTarget, 'job' | 'key' | 'folder' | 'fileNamePattern'>): string[] {
  const out: string[] = [];
  if (!t.key.trim()) out.push(t.job === 'chargebacks' ? 'Say which card network the target is for.' : t.job === 'tuition' ? 'Say which customer the target is for.' : 'Say which ledger the target is for.');
  const folder = t.folder.trim();
  if (folder.split(/[\\/]/).some((s) => s === '..')) out.push(`The folder "${folder}" climbs out with "..": give the folder itself.`);
  if (/[\0-\x1f]/.test(folder)) out.push('The folder holds a control character.');
  const pattern = t.fileNamePattern.trim();
  if (pattern) {
    const known = TARGET_PLACEHOLDERS[t.job];
    for (const m of pattern.matchAll(PLACEHOLDER)) {
      if (!known.includes(m[1]!)) out.push(`{${m[1]}} is not a placeholder of ${t.job === 'spursh' ? 'SPURSH' : t.job} file names; use ${known.map((k) => `{${k}}`).join(', ')}.`);
    }
    const literal = pattern.replace(PLACEHOLDER, 'x');
    if (/[{}]/.test(literal)) out.push(`The file-name pattern "${pattern}" has a brace without its pair.`);
    else if (!SAFE_NAME.test(literal)) out.push(`The file-name pattern "${pattern}" may only hold letters, digits, dot, dash, underscore and placeholders, and must start with a letter, a digit or a placeholder.`);
  }
  return out;
}
