/**
 * VRET named queries for a PostgreSQL-protocol source (PostgreSQL, Redshift). Ledger, period and geo
 * are always bound parameters ($n), never written into the SQL. The EU rule is applied in SQL too, so
 * the source sends only the rows the run needs; the engine applies it again (same rule, same result).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Table } from '../../../src/kernel/table';
import { defaultVretConfig, type VretConfig } from '../../../src/vendor-returns/config';
import type { Queryable } from '../../store';

export type VretQueryName = 'cm' | 'adj' | 'glap' | 'rvr' | 'l2c' | 'led2chan' | 'ledgers';
export type VretParam = 'ledger' | 'period' | 'geo' | 'eu_ledger' | 'eu_geos';

export interface VretQuery {
  name: VretQueryName;
  sql: string;
  /** Parameter names in $1…$n order. */
  params: VretParam[];
}

export interface VretTableNames {
  cm: string;
  adj: string;
  glap: string;
  rvr: string;
  l2c: string;
  led2chan: string;
  ledgers: string;
}

export const DEMO_TABLES: VretTableNames = {
  cm: 'vret_cm',
  adj: 'vret_adj',
  glap: 'vret_glap',
  rvr: 'vret_rvr',
  l2c: 'vret_l2c',
  led2chan: 'vret_led2chan',
  ledgers: 'vret_ledgers',
};

/** Table names come from configuration, never from a request; still, only plain identifiers pass. */
function ident(name: string): string {
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)?$/.test(name)) throw new Error(`"${name}" is not a plain table name.`);
  return name;
}

const TX_SELECT = 'ledger, period, co, loc, cc, acct, prod, chan, proj, transaction_amount, vendor_name, transaction_num, category';

/** Is the geo ($3) one of the EU geos ($5, comma-separated)? Portable to Redshift (no arrays). */
const EU = `POSITION(',' || $3 || ',' IN ',' || $5 || ',') > 0`;

export function vretQueries(tables: VretTableNames = DEMO_TABLES): VretQuery[] {
  const tx = (name: 'cm' | 'adj' | 'glap'): VretQuery => ({
    name,
    // $4 = the EU ledger (Amazon.eu), $5 = EU geos comma-separated: the EU rule.
    sql:
      `SELECT ${TX_SELECT} FROM ${ident(tables[name])} t WHERE t.period = $2 AND (t.ledger = $1 OR (t.ledger = $4 AND ${EU})) ` +
      `AND (t.ledger <> $4 OR NOT ${EU} OR t.chan = (SELECT channel FROM ${ident(tables.led2chan)} WHERE country = $3))`,
    params: ['ledger', 'period', 'geo', 'eu_ledger', 'eu_geos'],
  });
  return [
    tx('cm'),
    tx('adj'),
    tx('glap'),
    {
      name: 'rvr',
      sql: `SELECT return_id, country_code, rvr_status, current_state, tot_base_refund_amt, to_char(rvr_date, 'YYYY-MM-DD') AS rvr_date, vendor_name FROM ${ident(tables.rvr)} WHERE country_code = $1`,
      params: ['geo'],
    },
    { name: 'l2c', sql: `SELECT ledger, country FROM ${ident(tables.l2c)}`, params: [] },
    { name: 'led2chan', sql: `SELECT country, channel FROM ${ident(tables.led2chan)}`, params: [] },
    { name: 'ledgers', sql: `SELECT ledger, currency, company FROM ${ident(tables.ledgers)}`, params: [] },
  ];
}

/**
 * The queries as entries for the CLOSEDESK_SQL_SOURCES file, so each becomes a dataset the task
 * pane can load (`sql:vret_cm` with ?ledger=…&period=…&geo=…).
 */
export function vretDatasetQueries(source: string, tables: VretTableNames = DEMO_TABLES, config: VretConfig = defaultVretConfig()) {
  const defaults: Partial<Record<VretParam, string>> = { eu_ledger: config.euLedger, eu_geos: config.euGeos.join(',') };
  return vretQueries(tables).map((q) => ({
    id: `vret_${q.name}`,
    name: `VRET ${q.name.toUpperCase()}`,
    source,
    sql: q.sql,
    params: q.params.map((p) => (defaults[p] !== undefined ? { name: p, default: defaults[p] } : { name: p })),
  }));
}

/**
 * Every (ledger, channel, period) the source's transaction tables hold, a handful of rows: the run's
 * period when none is asked for (the engine keeps those of the run's ledgers and channel).
 */
export function vretPeriodsQuery(tables: VretTableNames = DEMO_TABLES): string {
  return (['cm', 'adj', 'glap'] as const).map((t) => `SELECT DISTINCT ledger, chan, period FROM ${ident(tables[t])}`).join(' UNION ');
}

/** The (ledger, channel, period) triples of the source's transaction tables, as the source writes them. */
export async function loadVretPeriods(db: Queryable, tables: VretTableNames = DEMO_TABLES): Promise<{ ledger: string; chan: string; period: string }[]> {
  let t: { columns: string[]; rows: unknown[][] };
  try {
    t = await db.queryTable(vretPeriodsQuery(tables), []);
  } catch (err) {
    throw new Error(`The VRET periods query failed: ${(err as Error).message}`);
  }
  const s = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return t.rows.map((r) => ({ ledger: s(r[0]), chan: s(r[1]), period: s(r[2]) }));
}

export interface VretSourceTables {
  transactions: Table[];
  rvr: Table[];
  l2c: Table;
  led2chan: Table;
  ledgers: Table;
  /** Rows per query, for the run record. */
  rowCounts: Record<string, number>;
}

function asTable(name: string, t: { columns: string[]; rows: unknown[][] }): Table {
  return {
    name,
    header: t.columns,
    rows: t.rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'bigint' ? v.toString() : (v as string | number | boolean)))),
    firstRowNumber: 2,
  };
}

/** Runs every VRET query with bound parameters; a failure names the query and the source's sentence. */
export async function loadVretFromSource(
  db: Queryable,
  options: { ledger: string; period: string; geo: string },
  config: VretConfig = defaultVretConfig(),
  tables: VretTableNames = DEMO_TABLES,
): Promise<VretSourceTables> {
  const values: Record<VretParam, string> = {
    ledger: options.ledger,
    period: options.period,
    geo: options.geo.toUpperCase(),
    eu_ledger: config.euLedger,
    eu_geos: config.euGeos.join(','),
  };
  const out: Partial<Record<VretQueryName, Table>> = {};
  const rowCounts: Record<string, number> = {};
  for (const q of vretQueries(tables)) {
    let t: { columns: string[]; rows: unknown[][] };
    try {
      t = await db.queryTable(q.sql, q.params.map((p) => values[p]));
    } catch (err) {
      throw new Error(`The VRET query ${q.name.toUpperCase()} failed: ${(err as Error).message}`);
    }
    out[q.name] = asTable(q.name.toUpperCase(), t);
    rowCounts[q.name] = t.rows.length;
  }
  return {
    transactions: [out.cm!, out.adj!, out.glap!],
    rvr: [out.rvr!],
    l2c: out.l2c!,
    led2chan: out.led2chan!,
    ledgers: out.ledgers!,
    rowCounts,
  };
}

export function demoSchemaSql(): string {
  return fs.readFileSync(path.join(__dirname, 'demo-schema.sql'), 'utf8');
}
export function demoSeedSql(): string {
  return fs.readFileSync(path.join(__dirname, 'demo-seed.sql'), 'utf8');
}
