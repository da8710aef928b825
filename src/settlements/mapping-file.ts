/**
 * The Zoho mapping an admin keeps per connection for settlements: GL account name → Zoho account,
 * SKU → Zoho item, invoice charge line → Zoho item, marketplace → Zoho customer. Here: reading a
 * mapping file (CSV with KIND, KEY, ZOHO_ID[, ZOHO_NAME], or JSON in the shape of the settlement
 * mapping file) into entries with problems naming file, row, column and value; checking entries
 * against the organisation's own lists; the CSV export; and the ids a settlement build uses.
 */
import { parseCsv, toCsv } from '../kernel/csv';
import { readId } from '../kernel/ids';
import { blocking, warning, type Problem } from '../kernel/problems';
import { findColumns, rowNumber, type Cell } from '../kernel/table';
import { CHARGE_ITEM_NAMES, defaultSettlementConfig, type SettlementConfig, type ZohoLists } from './mapping';

export const MAPPING_KINDS = ['account', 'item', 'charge-item', 'customer'] as const;
export type MappingKind = (typeof MAPPING_KINDS)[number];

export interface MappingEntry {
  kind: MappingKind;
  /** GL account name, SKU, charge line (Tax, Shipping …) or marketplace name. */
  key: string;
  /** Zoho's id, as text (17+ digits are common). */
  zohoId: string;
  /** The name Zoho shows for it, for people reading the mapping. */
  zohoName?: string;
}

/** An entry read from a file, with where it was. */
export interface MappingFileEntry extends MappingEntry {
  row?: number;
  column?: string;
}

/** Words for each kind: the page's headings, what the key is, which Zoho list the id comes from. */
export const MAPPING_KIND_WORDS: Record<MappingKind, { title: string; key: string; zoho: string; list: keyof ZohoLists }> = {
  account: { title: 'Accounts', key: 'GL account name', zoho: 'Zoho account', list: 'accounts' },
  item: { title: 'Items (SKU)', key: 'SKU', zoho: 'Zoho item', list: 'items' },
  'charge-item': { title: 'Charge items', key: 'Charge line', zoho: 'Zoho item', list: 'items' },
  customer: { title: 'Customers', key: 'Marketplace', zoho: 'Zoho customer', list: 'contacts' },
};

export const MAPPING_CSV_COLUMNS = ['KIND', 'KEY', 'ZOHO_ID', 'ZOHO_NAME'] as const;

/** JSON section of the settlement mapping file → kind. */
const JSON_SECTIONS: Record<string, MappingKind> = { accounts: 'account', items: 'item', chargeItems: 'charge-item', customers: 'customer' };
/** Parts of a settlement mapping file that are not Zoho ids (rules, accounts to clear against …). */
const OTHER_SETTINGS = new Set(['rules', 'currencies', 'nonSalesMarketplaces', 'clearingAccount', 'bankAccount', 'paymentMode']);

/** The words a file may use for a kind, with dashes and underscores read as spaces. */
const KIND_WORDS: Record<string, MappingKind> = {
  account: 'account',
  accounts: 'account',
  'gl account': 'account',
  item: 'item',
  items: 'item',
  sku: 'item',
  'charge item': 'charge-item',
  'charge items': 'charge-item',
  chargeitem: 'charge-item',
  chargeitems: 'charge-item',
  charge: 'charge-item',
  customer: 'customer',
  customers: 'customer',
  marketplace: 'customer',
};

export function mappingKindOf(text: string): MappingKind | undefined {
  return KIND_WORDS[text.trim().toLowerCase().replace(/[-_\s]+/g, ' ')];
}

const ZOHO_ID = /^\d{1,30}$/;

export interface MappingFileResult {
  entries: MappingFileEntry[];
  problems: Problem[];
}

/** A mapping file's text (CSV, or JSON when it starts with "{") → entries and the problems found in it. */
export function readMappingFile(name: string, text: string): MappingFileResult {
  return /^\uFEFF?\s*\{/.test(text) ? readJson(name, text) : readCsv(name, text);
}

function checkEntry(source: string, e: MappingFileEntry, rawId: Cell | undefined, seen: Map<string, MappingFileEntry>, problems: Problem[]): boolean {
  const where = { source, row: e.row, column: e.column };
  if (!e.key) {
    problems.push(blocking({ ...where, column: e.column ?? 'KEY', value: '', message: `The ${MAPPING_KIND_WORDS[e.kind].key} is empty.`, code: 'mapping-key-empty' }));
    return false;
  }
  if (e.kind === 'charge-item' && !(e.key in CHARGE_ITEM_NAMES)) {
    problems.push(
      blocking({ ...where, value: e.key, message: `"${e.key}" is not a charge line of settlement invoices; use ${Object.keys(CHARGE_ITEM_NAMES).join(', ')}.`, code: 'mapping-unknown-charge' }),
    );
    return false;
  }
  const id = readId(rawId);
  if (!id.ok || !ZOHO_ID.test(id.id)) {
    problems.push(
      blocking({
        ...where,
        column: e.column && e.column !== 'KEY' ? e.column : 'ZOHO_ID',
        value: id.ok ? id.id : String(rawId ?? ''),
        message: id.ok ? `The Zoho id for "${e.key}" is not a Zoho id (digits only).` : `${id.reason.replace(/\.$/, '')} (the Zoho id for "${e.key}").`,
        code: 'mapping-bad-id',
      }),
    );
    return false;
  }
  e.zohoId = id.id;
  const k = `${e.kind}\u0000${e.key.trim().toLowerCase()}`;
  const before = seen.get(k);
  if (before) {
    const at = before.row ? `row ${before.row}` : 'earlier in the file';
    if (before.zohoId !== e.zohoId) {
      problems.push(
        blocking({ ...where, value: e.key, message: `"${e.key}" is mapped twice, to ${before.zohoId} (${at}) and to ${e.zohoId}; keep one.`, code: 'mapping-conflict' }),
      );
    } else problems.push(warning({ ...where, value: e.key, message: `"${e.key}" is listed twice (also ${at}); it is kept once.`, code: 'mapping-repeated' }));
    return false;
  }
  seen.set(k, e);
  return true;
}

function readCsv(name: string, text: string): MappingFileResult {
  const { table, problems } = parseCsv(text, { name });
  if (table.header.length === 0) return { entries: [], problems };
  const cols = findColumns(table, [
    { name: 'KIND', aliases: ['TYPE'], required: true },
    { name: 'KEY', aliases: ['NAME', 'FROM'], required: true },
    { name: 'ZOHO_ID', aliases: ['ID', 'TO'], required: true },
    { name: 'ZOHO_NAME' },
  ]);
  problems.push(...cols.problems);
  if (cols.problems.length) return { entries: [], problems };
  const entries: MappingFileEntry[] = [];
  const seen = new Map<string, MappingFileEntry>();
  const cell = (r: readonly Cell[], c: string): Cell | undefined => {
    const i = cols.index[c]!;
    return i < 0 ? undefined : r[i];
  };
  table.rows.forEach((r, i) => {
    const row = rowNumber(table, i);
    const kindText = String(cell(r, 'KIND') ?? '').trim();
    const kind = mappingKindOf(kindText);
    if (!kind) {
      problems.push(
        blocking({ source: name, row, column: 'KIND', value: kindText, message: `"${kindText}" is not a kind of mapping; use account, item, charge-item or customer.`, code: 'mapping-unknown-kind' }),
      );
      return;
    }
    const zohoName = String(cell(r, 'ZOHO_NAME') ?? '').trim();
    const e: MappingFileEntry = { kind, key: String(cell(r, 'KEY') ?? '').trim(), zohoId: '', row, column: 'KEY', ...(zohoName ? { zohoName } : {}) };
    if (checkEntry(name, e, cell(r, 'ZOHO_ID'), seen, problems)) entries.push(e);
  });
  if (table.rows.length === 0) problems.push(warning({ source: name, message: `${name} has a header but no mapping rows.`, code: 'mapping-empty' }));
  return { entries, problems };
}

function readJson(name: string, text: string): MappingFileResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { entries: [], problems: [blocking({ source: name, message: `${name} is not valid JSON; check its brackets, quotes and commas.`, code: 'mapping-not-json' })] };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return { entries: [], problems: [blocking({ source: name, message: `${name} must be one JSON object with accounts, items, chargeItems and customers.`, code: 'mapping-not-object' })] };
  }
  const problems: Problem[] = [];
  const entries: MappingFileEntry[] = [];
  const seen = new Map<string, MappingFileEntry>();
  for (const [section, value] of Object.entries(raw as Record<string, unknown>)) {
    const kind = JSON_SECTIONS[section];
    if (!kind) {
      problems.push(
        OTHER_SETTINGS.has(section)
          ? warning({ source: name, column: section, message: `"${section}" is a settlement setting, not a Zoho id; the stored mapping keeps Zoho ids only, so it is left out.`, code: 'mapping-other-setting' })
          : blocking({ source: name, column: section, message: `"${section}" is not part of a mapping; use accounts, items, chargeItems and customers.`, code: 'mapping-unknown-section' }),
      );
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(blocking({ source: name, column: section, message: `"${section}" must map each name to its Zoho id in quotes, for example "Amazon Sales": "460000000000101".`, code: 'mapping-not-object' }));
      continue;
    }
    for (const [key, id] of Object.entries(value as Record<string, unknown>)) {
      const e: MappingFileEntry = { kind, key: key.trim(), zohoId: '', column: `${section}.${key}` };
      if (typeof id === 'number') {
        problems.push(
          blocking({ source: name, column: e.column, value: String(id), message: `The Zoho id for "${key}" is written as a number, which loses digits; write it in quotes.`, code: 'mapping-bad-id' }),
        );
        continue;
      }
      if (checkEntry(name, e, typeof id === 'string' ? id : '', seen, problems)) entries.push(e);
    }
  }
  return { entries, problems };
}

/**
 * The entries against the organisation's lists: each id must be one of its accounts, items or
 * customers (blocking otherwise, naming where the entry came from); the name Zoho shows is filled in.
 */
export function checkMappingAgainstLists(source: string, entries: readonly MappingFileEntry[], lists: ZohoLists, organisation: string): MappingFileResult {
  const names: Record<keyof ZohoLists, Map<string, string>> = {
    accounts: new Map((lists.accounts ?? []).map((a) => [String(a.account_id), a.account_name])),
    items: new Map((lists.items ?? []).map((i) => [String(i.item_id), i.name])),
    contacts: new Map((lists.contacts ?? []).map((c) => [String(c.contact_id), c.contact_name])),
  };
  const out: MappingFileEntry[] = [];
  const problems: Problem[] = [];
  for (const e of entries) {
    const words = MAPPING_KIND_WORDS[e.kind];
    const found = names[words.list].get(e.zohoId);
    if (found === undefined) {
      problems.push(
        blocking({
          source,
          row: e.row,
          column: e.column === 'KEY' ? 'ZOHO_ID' : e.column,
          value: e.zohoId,
          message: `${organisation} has no ${words.zoho.replace('Zoho ', '')} with id ${e.zohoId} (for "${e.key}"); pick one of its own.`,
          code: 'mapping-not-in-zoho',
        }),
      );
      continue;
    }
    out.push({ ...e, zohoName: found });
  }
  return { entries: out, problems };
}

/** The mapping as CSV (KIND, KEY, ZOHO_ID, ZOHO_NAME), kinds in page order; text that a spreadsheet would run is neutralised. */
export function mappingCsv(entries: readonly MappingEntry[]): string {
  const sorted = [...entries].sort((a, b) => MAPPING_KINDS.indexOf(a.kind) - MAPPING_KINDS.indexOf(b.kind) || a.key.localeCompare(b.key));
  return toCsv([...MAPPING_CSV_COLUMNS], sorted.map((e) => [e.kind, e.key, e.zohoId, e.zohoName ?? '']));
}

export type SettlementIds = Pick<SettlementConfig, 'accounts' | 'items' | 'chargeItems' | 'customers'>;

/** The Zoho ids a settlement build takes from the stored mapping. */
export function settlementIdsFromMapping(entries: readonly MappingEntry[]): SettlementIds {
  const ids: SettlementIds = { accounts: {}, items: {}, chargeItems: {}, customers: {} };
  const section: Record<MappingKind, keyof SettlementIds> = { account: 'accounts', item: 'items', 'charge-item': 'chargeItems', customer: 'customers' };
  for (const e of entries) ids[section[e.kind]][e.key] = e.zohoId;
  return ids;
}

/** The names the settlement build looks up for each kind that has a fixed list: the GL accounts of its rules and the charge lines. */
export function settlementMappingKeys(config: Pick<SettlementConfig, 'rules' | 'clearingAccount' | 'bankAccount'> = defaultSettlementConfig()): Partial<Record<MappingKind, string[]>> {
  const accounts = [...new Set([...config.rules.map((r) => r.account), config.clearingAccount, config.bankAccount])].sort((a, b) => a.localeCompare(b));
  return { account: accounts, 'charge-item': Object.keys(CHARGE_ITEM_NAMES) };
}
