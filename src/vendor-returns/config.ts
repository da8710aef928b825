/**
 * VRET configuration: mappings and accounts with the defaults of docs/rules.md ("Vendor returns"). Mapping tables
 * loaded from the source (l2c, led2chan, ledgers) are laid over the defaults, entry by entry.
 */
import { blocking, warning, type Problem } from '../kernel/problems';
import { readRows, type Table } from '../kernel/table';

export interface LedgerDetails {
  currency: string;
  /** Company code; fills a blank CO segment. */
  company: string;
}

export interface VretMappings {
  /** Ledger → country (l2c); keys as written, looked up case-insensitively. */
  l2c: Record<string, string>;
  /** Country → channel (led2chan). */
  led2chan: Record<string, string>;
  ledgers: Record<string, LedgerDetails>;
}

/** Field names a SPURSH column can take its value from. */
export type SpurshField =
  | 'LEDGER'
  | 'PERIOD'
  | 'VENDOR_NAME'
  | 'TRANSACTION_NUM'
  | 'CURRENCY'
  | 'TRANSACTION_AMOUNT'
  | 'RVR_AMOUNT'
  | 'FUNDING_AMOUNT'
  | 'CATEGORY'
  | 'SOURCE'
  | 'CO'
  | 'LOC'
  | 'CC'
  | 'ACCT'
  | 'PROD'
  | 'CHAN'
  | 'PROJ'
  | 'CREDIT_ACCOUNT'
  | 'GEO';

export interface SpurshColumn {
  header: string;
  field: SpurshField;
}

export interface VretConfig extends VretMappings {
  /** Geos that combine the ledger's rows with Amazon.eu rows of the country's channel. */
  euGeos: string[];
  euLedger: string;
  accounts: {
    /** Debited with the transaction amount. */
    receivable: string;
    /** Credited with funding when the product line is one of fundingProductLines. */
    fundingProductLine: string;
    /** Credited with funding otherwise. */
    fundingOther: string;
    /** Credited with the RVR amount. */
    rvrOffset: string;
  };
  fundingProductLines: string[];
  journal: {
    source: string;
    category: string;
    receivableDescription: string;
    fundingDescription: string;
    rvrDescription: string;
  };
  spurshColumns: SpurshColumn[];
  spurshLineEnding: '\r\n' | '\n';
}

export const DEFAULT_SPURSH_COLUMNS: SpurshColumn[] = (
  ['LEDGER', 'PERIOD', 'VENDOR_NAME', 'TRANSACTION_NUM', 'CURRENCY', 'TRANSACTION_AMOUNT', 'RVR_AMOUNT', 'FUNDING_AMOUNT'] as const
).map((field) => ({ header: field, field }));

export function defaultVretConfig(): VretConfig {
  return {
    l2c: { 'Amazon.com, Inc.': 'US', 'Amazon.eu': 'EU', 'Amazon.co.uk Ltd.': 'UK' },
    led2chan: { DE: '1015', FR: '1020', IT: '1035' },
    ledgers: {
      'Amazon.com, Inc.': { currency: 'USD', company: '' },
      'Amazon.eu': { currency: 'EUR', company: '' },
      'Amazon.co.uk Ltd.': { currency: 'GBP', company: '' },
    },
    euGeos: ['ES', 'FR', 'IT', 'DE', 'PL', 'SE', 'NL'],
    euLedger: 'Amazon.eu',
    accounts: { receivable: '13209', fundingProductLine: '48550', fundingOther: '52910', rvrOffset: '20321' },
    fundingProductLines: ['1810', '2010', '2530'],
    journal: {
      source: 'Vendor Returns',
      category: 'Vendor Returns',
      receivableDescription: 'Vendor returns receivable',
      fundingDescription: 'Vendor funding',
      rvrDescription: 'RVR refunds',
    },
    spurshColumns: DEFAULT_SPURSH_COLUMNS,
    spurshLineEnding: '\r\n',
  };
}

/** Overrides on top of the defaults (deep for the records, whole for the lists). */
export type VretConfigOverrides = Partial<Omit<VretConfig, 'accounts' | 'journal'>> & {
  accounts?: Partial<VretConfig['accounts']>;
  journal?: Partial<VretConfig['journal']>;
};

export function vretConfig(overrides: VretConfigOverrides = {}): VretConfig {
  const d = defaultVretConfig();
  return {
    ...d,
    ...overrides,
    l2c: { ...d.l2c, ...overrides.l2c },
    led2chan: { ...d.led2chan, ...overrides.led2chan },
    ledgers: { ...d.ledgers, ...overrides.ledgers },
    accounts: { ...d.accounts, ...overrides.accounts },
    journal: { ...d.journal, ...overrides.journal },
  };
}

/** The credit account for vendor funding of a product line (CLOSEDESK.CREDITACCOUNT). */
export function creditAccountFor(productLine: string, config: Pick<VretConfig, 'accounts' | 'fundingProductLines'>): string {
  return config.fundingProductLines.includes(productLine.trim()) ? config.accounts.fundingProductLine : config.accounts.fundingOther;
}

/** Case-insensitive lookup in a mapping record. */
export function lookup<T>(record: Record<string, T>, key: string): T | undefined {
  if (key in record) return record[key];
  const k = key.trim().toLowerCase();
  for (const [name, v] of Object.entries(record)) if (name.trim().toLowerCase() === k) return v;
  return undefined;
}

export interface MappingTables {
  l2c?: Table;
  led2chan?: Table;
  ledgers?: Table;
}

/** Reads the mapping tables (l2c.csv, led2chan.csv, ledgers.csv or query results) into mappings. */
export function readMappingTables(tables: MappingTables): { mappings: Partial<VretMappings>; problems: Problem[] } {
  const problems: Problem[] = [];
  const mappings: Partial<VretMappings> = {};
  const put = <T>(table: Table, target: Record<string, T>, key: string, value: T, row: number, column: string) => {
    const existing = target[key];
    if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(value))
      problems.push(
        warning({ source: table.name, row, column, value: key, message: `${key} is mapped twice; the later row wins.`, code: 'duplicate-mapping' }),
      );
    target[key] = value;
  };
  if (tables.l2c) {
    const r = readRows(tables.l2c, { LEDGER: { type: 'text', required: true, notBlank: true }, COUNTRY: { type: 'text', required: true, notBlank: true } });
    problems.push(...r.problems);
    const m: Record<string, string> = {};
    for (const row of r.rows) put(tables.l2c, m, row.values.LEDGER!, row.values.COUNTRY!.toUpperCase(), row.rowNumber, 'LEDGER');
    mappings.l2c = m;
  }
  if (tables.led2chan) {
    const r = readRows(tables.led2chan, { COUNTRY: { type: 'text', required: true, notBlank: true }, CHANNEL: { type: 'text', required: true, notBlank: true } });
    problems.push(...r.problems);
    const m: Record<string, string> = {};
    for (const row of r.rows) put(tables.led2chan, m, row.values.COUNTRY!.toUpperCase(), row.values.CHANNEL!, row.rowNumber, 'COUNTRY');
    mappings.led2chan = m;
  }
  if (tables.ledgers) {
    const r = readRows(tables.ledgers, {
      LEDGER: { type: 'text', required: true, notBlank: true },
      CURRENCY: { type: 'text', required: true, notBlank: true },
      COMPANY: { type: 'text', aliases: ['COMPANY_CODE', 'CO'] },
    });
    problems.push(...r.problems);
    const m: Record<string, LedgerDetails> = {};
    for (const row of r.rows) {
      const currency = row.values.CURRENCY!.toUpperCase();
      if (!/^[A-Z]{3}$/.test(currency)) {
        problems.push(
          blocking({ source: tables.ledgers.name, row: row.rowNumber, column: 'CURRENCY', value: currency, message: `"${currency}" is not a currency code.`, code: 'bad-currency' }),
        );
        continue;
      }
      put(tables.ledgers, m, row.values.LEDGER!, { currency, company: row.values.COMPANY ?? '' }, row.rowNumber, 'LEDGER');
    }
    mappings.ledgers = m;
  }
  return { mappings, problems };
}
