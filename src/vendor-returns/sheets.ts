/**
 * The VRET outputs as SheetSpecs: GLDI, "20321 JE", "20321 Analysis", "RVR Report", "Funding by vendor"
 * (with its bar chart), the SPURSH table (CSV through src/workbook/csv) and a Problems sheet. Money in
 * cents, segments as ids (text).
 */
import { addCents } from '../kernel/money';
import { PROBLEM_COLUMNS, problemRows, type Problem } from '../kernel/problems';
import type { Cell } from '../kernel/table';
import type { SheetColumn, SheetSpec } from '../workbook/sheet-spec';
import { sheetToCsv } from '../workbook/csv';
import { buildGldiSheet } from '../journal/gldi';
import { SEGMENTS } from '../journal/journal';
import type { SpurshField, VretConfig } from './config';
import { periodEnd, periodName } from './period';
import type { VretResult, VretTransaction } from './run';

/** Excel's last row; a longer table continues on "<name> (2)". */
export const EXCEL_MAX_ROWS = 1_048_576;

export const VRET_SHEET_NAMES = { gldi: 'GLDI', je: '20321 JE', analysis: '20321 Analysis', rvr: 'RVR Report', funding: 'Funding by vendor' } as const;

function segmentColumns(): SheetColumn[] {
  return SEGMENTS.map((s) => ({ header: s, type: 'id', width: 8 }));
}

function money(header: string, currency: string | undefined): SheetColumn {
  return { header, type: 'money', currency };
}

export function buildJeSheet(result: VretResult): SheetSpec {
  const currency = result.selection?.currency;
  const rows: Cell[][] = [];
  for (const j of result.journals)
    for (const l of j.lines)
      rows.push([j.ledger, j.currency, ...SEGMENTS.map((s) => l.segments[s]), l.debit || '', l.credit || '', l.description]);
  return {
    name: VRET_SHEET_NAMES.je,
    columns: [
      { header: 'LEDGER', type: 'text', width: 20 },
      { header: 'CURRENCY', type: 'text', width: 9 },
      ...segmentColumns(),
      money('DEBIT', currency),
      money('CREDIT', currency),
      { header: 'DESCRIPTION', type: 'text', width: 30 },
    ],
    rows,
    freezeHeader: true,
  };
}

function matchWord(tx: VretTransaction): string {
  if (!tx.rvr) return 'No RVR';
  return tx.rvrAmount > 0 ? 'Matched' : 'Matched, no refund';
}

export function buildAnalysisSheet(result: VretResult): SheetSpec {
  const currency = result.selection?.currency;
  const rows: Cell[][] = new Array(result.transactions.length);
  let i = 0;
  for (const tx of result.transactions) {
    const s = tx.segments;
    const first = tx.rvr?.rows[0];
    rows[i++] = [
      tx.source,
      tx.rowNumber,
      tx.ledger,
      tx.period,
      s.CO,
      s.LOC,
      s.CC,
      s.ACCT,
      s.PROD,
      s.CHAN,
      s.PROJ,
      tx.currency,
      tx.vendorName,
      tx.transactionNum,
      tx.category,
      tx.amount,
      matchWord(tx),
      first ? first.returnId : '',
      first ? first.status : '',
      first ? first.state : '',
      tx.rvr ? tx.rvr.refund : '',
      tx.rvrAmount,
      tx.funding,
      tx.creditAccount,
    ];
  }
  return {
    name: VRET_SHEET_NAMES.analysis,
    columns: [
      { header: 'SOURCE', type: 'text' },
      { header: 'SOURCE_ROW', type: 'integer' },
      { header: 'LEDGER', type: 'text', width: 20 },
      { header: 'PERIOD', type: 'text', width: 9 },
      ...segmentColumns(),
      { header: 'CURRENCY', type: 'text', width: 9 },
      { header: 'VENDOR_NAME', type: 'text', width: 24 },
      { header: 'TRANSACTION_NUM', type: 'id' },
      { header: 'CATEGORY', type: 'text' },
      money('TRANSACTION_AMOUNT', currency),
      { header: 'RVR_MATCH', type: 'text' },
      { header: 'RETURN_ID', type: 'id' },
      { header: 'RVR_STATUS', type: 'text' },
      { header: 'CURRENT_STATE', type: 'text' },
      money('RVR_REFUND', currency),
      money('RVR_AMOUNT', currency),
      money('FUNDING_AMOUNT', currency),
      { header: 'CREDIT_ACCOUNT', type: 'id' },
    ],
    rows,
    freezeHeader: true,
  };
}

export function buildRvrReportSheet(result: VretResult): SheetSpec {
  const currency = result.selection?.currency;
  const rows: Cell[][] = [];
  for (const ret of result.returns)
    for (const r of ret.rows)
      rows.push([
        r.returnId,
        r.countryCode,
        r.status,
        r.state,
        r.refund,
        r.date,
        r.vendorName,
        ret.matchedTransactions > 0 ? 'Matched' : 'Unmatched: no transaction',
        ret.matchedTransactions,
        ret.matchedTransactions > 0 ? ret.transactionAmount : '',
        ret.rvrAmount,
        ret.remaining,
      ]);
  return {
    name: VRET_SHEET_NAMES.rvr,
    columns: [
      { header: 'RETURN_ID', type: 'id' },
      { header: 'COUNTRY_CODE', type: 'text', width: 8 },
      { header: 'RVR_STATUS', type: 'text' },
      { header: 'CURRENT_STATE', type: 'text' },
      money('TOT_BASE_REFUND_AMT', currency),
      { header: 'RVR_DATE', type: 'date' },
      { header: 'VENDOR_NAME', type: 'text', width: 24 },
      { header: 'MATCH_STATUS', type: 'text', width: 24 },
      { header: 'MATCHED_TRANSACTIONS', type: 'integer' },
      money('TRANSACTION_AMOUNT', currency),
      money('RVR_AMOUNT', currency),
      money('UNAPPLIED_REFUND', currency),
    ],
    rows,
    freezeHeader: true,
  };
}

/**
 * Vendor funding summed per vendor over the transactions that carry funding (the SPURSH lines), largest
 * first, with a horizontal bar chart: who funds how much this period.
 */
export function buildFundingByVendorSheet(result: VretResult): SheetSpec {
  const byVendor = new Map<string, { cents: number; count: number }>();
  for (const tx of result.transactions) {
    if (tx.funding === 0) continue;
    const v = byVendor.get(tx.vendorName) ?? { cents: 0, count: 0 };
    v.cents = addCents(v.cents, tx.funding);
    v.count++;
    byVendor.set(tx.vendorName, v);
  }
  const rows: Cell[][] = [...byVendor]
    .sort(([a, x], [b, y]) => y.cents - x.cents || (a < b ? -1 : a > b ? 1 : 0))
    .map(([vendor, v]) => [vendor, v.cents, v.count]);
  return {
    name: VRET_SHEET_NAMES.funding,
    columns: [{ header: 'VENDOR_NAME', type: 'text', width: 24 }, money('FUNDING_AMOUNT', result.selection?.currency), { header: 'TRANSACTIONS', type: 'integer', width: 13 }],
    rows,
    freezeHeader: true,
    chart: { type: 'bar', title: 'Funding by vendor', categoryColumn: 'VENDOR_NAME', valueColumns: ['FUNDING_AMOUNT'] },
  };
}

function spurshValue(tx: VretTransaction, field: SpurshField, geo: string): Cell {
  switch (field) {
    case 'LEDGER':
      return tx.ledger;
    case 'PERIOD':
      return tx.period;
    case 'VENDOR_NAME':
      return tx.vendorName;
    case 'TRANSACTION_NUM':
      return tx.transactionNum;
    case 'CURRENCY':
      return tx.currency;
    case 'TRANSACTION_AMOUNT':
      return tx.amount;
    case 'RVR_AMOUNT':
      return tx.rvrAmount;
    case 'FUNDING_AMOUNT':
      return tx.funding;
    case 'CATEGORY':
      return tx.category;
    case 'SOURCE':
      return tx.source;
    case 'CREDIT_ACCOUNT':
      return tx.creditAccount;
    case 'GEO':
      return geo;
    default:
      return tx.segments[field];
  }
}

const SPURSH_TYPES: Partial<Record<SpurshField, SheetColumn['type']>> = {
  TRANSACTION_AMOUNT: 'money',
  RVR_AMOUNT: 'money',
  FUNDING_AMOUNT: 'money',
  TRANSACTION_NUM: 'id',
  CO: 'id',
  LOC: 'id',
  CC: 'id',
  ACCT: 'id',
  PROD: 'id',
  CHAN: 'id',
  PROJ: 'id',
  CREDIT_ACCOUNT: 'id',
};

/** SPURSH: the vendor funding lines (transactions with a funding amount), columns as configured. */
export function buildSpurshSheet(result: VretResult, config: Pick<VretConfig, 'spurshColumns'>): SheetSpec {
  const geo = result.selection?.geo ?? '';
  const cols = config.spurshColumns;
  const rows: Cell[][] = [];
  for (const tx of result.transactions) if (tx.funding !== 0) rows.push(cols.map((c) => spurshValue(tx, c.field, geo)));
  return {
    name: 'SPURSH',
    columns: cols.map((c) => ({ header: c.header, type: SPURSH_TYPES[c.field] ?? 'text', currency: result.selection?.currency })),
    rows,
  };
}

export function spurshCsv(spursh: SheetSpec, config: Pick<VretConfig, 'spurshLineEnding'>): string {
  return sheetToCsv(spursh, { lineEnding: config.spurshLineEnding });
}

export function problemsSheet(problems: readonly Problem[], name = 'Problems'): SheetSpec {
  return {
    name,
    columns: PROBLEM_COLUMNS.map((h): SheetColumn => ({ header: h, type: h === 'ROW' ? 'integer' : 'text', width: h === 'MESSAGE' ? 80 : undefined })),
    rows: problemRows(problems),
    freezeHeader: true,
  };
}

/** Splits a sheet that would pass Excel's last row into "<name>", "<name> (2)", … */
export function splitForExcel(spec: SheetSpec, maxRows = EXCEL_MAX_ROWS): SheetSpec[] {
  const room = maxRows - (spec.preamble?.length ?? 0) - 1;
  if (spec.rows.length <= room) return [spec];
  const parts: SheetSpec[] = [];
  for (let start = 0, n = 1; start < spec.rows.length; start += room, n++) {
    const suffix = n === 1 ? '' : ` (${n})`;
    parts.push({ ...spec, name: spec.name.slice(0, 31 - suffix.length) + suffix, rows: spec.rows.slice(start, start + room) });
  }
  return parts;
}

export interface VretSheetOptions {
  runId?: string;
  accountingDate?: string;
}

/** The VRET sheets in workbook order (long tables split at Excel's row limit). */
export function buildVretSheets(result: VretResult, config: VretConfig, options: VretSheetOptions = {}): SheetSpec[] {
  const sel = result.selection;
  if (!sel) return [];
  const gldi = buildGldiSheet(result.journals, {
    source: config.journal.source,
    category: config.journal.category,
    accountingDate: options.accountingDate ?? periodEnd(sel.period),
    period: periodName(sel.period),
    batchName: `VRET ${sel.ledger} ${sel.geo} ${sel.period}${options.runId ? ` ${options.runId}` : ''}`,
    sheetName: VRET_SHEET_NAMES.gldi,
  });
  return [gldi, buildJeSheet(result), buildAnalysisSheet(result), buildRvrReportSheet(result), buildFundingByVendorSheet(result)].flatMap((s) => splitForExcel(s));
}
