/**
 * A chargeback batch, the one entry every host calls (task pane, server route, CLI): records in,
 * at most 4 CSV files out, one per card network present (docs/rules.md, "Chargebacks"), with their
 * totals, sheets and problems. File names follow a configurable pattern; the default is
 * `{network}_{merchant}_{yyyymmdd}_{batch}.csv`. The batch date defaults to the latest transaction
 * date of the records (never the clock), the batch label to `B` + that date.
 */
import { blocking, centsToNumber, formatAmount, hasBlocking, latestPeriod, sumCents, toCsv, warning, type Problem, type Table } from '../kernel';
import type { SheetSpec } from '../workbook/sheet-spec';
import { readChargebacks, type ChargebackRecord } from './records';
import { NETWORKS, type Network } from './reason-codes';

export const MAX_FILES_PER_BATCH = 4;
export const DEFAULT_FILE_PATTERN = '{network}_{merchant}_{yyyymmdd}_{batch}.csv';

export const FILE_COLUMNS = [
  'CASE_ID', 'NETWORK', 'REASON_CODE', 'AMOUNT', 'CURRENCY', 'TRANSACTION_DATE', 'ARN', 'MERCHANT_ID', 'DUE_DATE', 'STATUS',
] as const;

export interface ChargebackFileOptions {
  /** Batch label used in file names ({batch}); blank or absent: `B` + the batch date's yyyymmdd. */
  batch?: string;
  /** The batch date, ISO YYYY-MM-DD ({yyyymmdd}); blank or absent: the latest transaction date of the records. */
  date?: string;
  /** Merchant label for {merchant}; default: the one merchant id of the file's records. */
  merchant?: string;
  /** File name pattern; tokens {network} {merchant} {yyyymmdd} {date} {batch} {count}. */
  pattern?: string;
  lineEnding?: '\r\n' | '\n';
}

export interface ChargebackFile {
  network: Network;
  fileName: string;
  records: ChargebackRecord[];
  /** Total per currency, minor units. */
  totals: { currency: string; cents: number }[];
  /** The CSV as delivered (UTF-8 text). */
  csv: string;
  /** The same rows for a sheet in the workbook. */
  sheet: SheetSpec;
}

export interface ChargebackBatch {
  files: ChargebackFile[];
  records: ChargebackRecord[];
  problems: Problem[];
  /** True when nothing may be sent (any blocking problem). */
  blocked: boolean;
  /** The batch date used (as given, or the latest transaction date); '' when neither gave one. */
  date: string;
  /** True when no date was given and the records gave it. */
  dateFromData: boolean;
  /** The batch label used in the file names. */
  batch: string;
}

/** Tables of records, with the problems found while reading them (a file that could not be opened, bad JSON). */
export interface ChargebackInput {
  tables: readonly Table[];
  problems?: readonly Problem[];
}

/** The label a batch gets when none is given: `B` and the batch date as yyyymmdd. */
export function defaultBatchLabel(date: string): string {
  return `B${date.replace(/-/g, '')}`;
}

/** File names are used on remote servers: keep letters, digits, dot, dash and underscore. */
function safeNamePart(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'NA';
}

export function chargebackFileName(pattern: string, parts: { network: string; merchant: string; date: string; batch: string; count: number }): string {
  const name = pattern.replace(/\{(\w+)\}/g, (whole, token: string) => {
    switch (token) {
      case 'network': return safeNamePart(parts.network);
      case 'merchant': return safeNamePart(parts.merchant);
      case 'yyyymmdd': return parts.date.replace(/-/g, '');
      case 'date': return parts.date;
      case 'batch': return safeNamePart(parts.batch);
      case 'count': return String(parts.count);
      default: return whole;
    }
  });
  return name.replace(/[/\\]/g, '-');
}

function fileRows(records: readonly ChargebackRecord[]) {
  return records.map((r) => [
    r.caseId, r.network, r.reasonCode, formatAmount(r.amountCents, r.currency), r.currency, r.transactionDate, r.arn,
    r.merchantId, r.dueDate, r.status,
  ]);
}

function fileSheet(network: Network, records: readonly ChargebackRecord[]): SheetSpec {
  return {
    name: `CB ${network}`,
    freezeHeader: true,
    columns: [
      { header: 'CASE_ID', type: 'id' },
      { header: 'NETWORK', type: 'text' },
      { header: 'REASON_CODE', type: 'id' },
      // Currencies may differ per row, so the amount is shown as a plain number in its own currency.
      { header: 'AMOUNT', type: 'number', numberFormat: '#,##0.00###' },
      { header: 'CURRENCY', type: 'text' },
      { header: 'TRANSACTION_DATE', type: 'date' },
      { header: 'ARN', type: 'id', width: 26 },
      { header: 'MERCHANT_ID', type: 'id' },
      { header: 'DUE_DATE', type: 'date' },
      { header: 'STATUS', type: 'text' },
    ],
    rows: records.map((r) => [
      r.caseId, r.network, r.reasonCode, centsToNumber(r.amountCents, r.currency), r.currency, r.transactionDate, r.arn,
      r.merchantId, r.dueDate, r.status,
    ]),
  };
}

/**
 * Validates the records of one batch and builds its files. Files are built from the valid rows
 * even when problems block the batch, so the user sees what would be sent; `blocked` says whether
 * it may be sent.
 */
export function buildChargebackFiles(input: Table | readonly Table[] | ChargebackInput, options: ChargebackFileOptions = {}): ChargebackBatch {
  const list: readonly Table[] = Array.isArray(input) ? input : 'tables' in input ? (input as ChargebackInput).tables : [input as Table];
  const problems: Problem[] = Array.isArray(input) || !('tables' in input) ? [] : [...((input as ChargebackInput).problems ?? [])];
  const records: ChargebackRecord[] = [];
  const networksSeen: string[] = [];
  const seenCases = new Map<string, string>();
  for (const t of list) {
    const r = readChargebacks(t);
    problems.push(...r.problems);
    for (const n of r.networksSeen) if (!networksSeen.includes(n)) networksSeen.push(n);
    for (const rec of r.records) {
      const where = `${t.name} row ${rec.rowNumber}`;
      const first = seenCases.get(rec.caseId);
      if (first) {
        problems.push(blocking({ source: t.name, row: rec.rowNumber, column: 'CASE_ID', value: rec.caseId, message: `Case ${rec.caseId} is also on ${first}; each case is filed once.`, code: 'duplicate-case' }));
        continue;
      }
      seenCases.set(rec.caseId, where);
      records.push(rec);
    }
  }
  const source = list.map((t) => t.name).join(', ') || 'batch';

  if (records.length === 0 && !hasBlocking(problems)) {
    problems.push(blocking({ source, message: 'The batch has no chargeback records, so there is nothing to send.', code: 'empty-batch' }));
  } else if (records.length === 0) {
    problems.push(blocking({ source, message: 'No chargeback record is valid, so no file can be built.', code: 'empty-batch' }));
  }
  if (networksSeen.length > MAX_FILES_PER_BATCH) {
    problems.push(
      blocking({
        source,
        message: `The batch holds ${networksSeen.length} networks (${networksSeen.join(', ')}); a batch carries at most ${MAX_FILES_PER_BATCH} files, one per network. Split it.`,
        code: 'too-many-networks',
        value: networksSeen.join(', '),
      }),
    );
  }
  const given = options.date?.trim();
  const date = given || latestPeriod(records.map((r) => r.transactionDate)) || '';
  if (!given && !date && records.length > 0) {
    problems.push(blocking({ source, message: 'Enter the batch date (YYYY-MM-DD): the records hold no transaction date to take it from.', code: 'bad-batch-date' }));
  } else if (given && !/^\d{4}-\d{2}-\d{2}$/.test(given)) {
    problems.push(blocking({ source, message: `The batch date "${given}" must be YYYY-MM-DD.`, code: 'bad-batch-date' }));
  }
  const batch = options.batch?.trim() || defaultBatchLabel(date);

  const pattern = options.pattern?.trim() || DEFAULT_FILE_PATTERN;
  const files: ChargebackFile[] = [];
  for (const network of NETWORKS) {
    const mine = records.filter((r) => r.network === network);
    if (mine.length === 0) continue;
    const merchants = [...new Set(mine.map((r) => r.merchantId))];
    let merchant = options.merchant?.trim() || merchants[0]!;
    if (!options.merchant?.trim() && merchants.length > 1) {
      merchant = 'MULTI';
      if (pattern.includes('{merchant}'))
        problems.push(
          warning({ source, message: `The ${network} file holds ${merchants.length} merchants (${merchants.join(', ')}); its name uses MULTI. Give the batch a merchant name to change that.`, code: 'several-merchants' }),
        );
    }
    const fileName = chargebackFileName(pattern, { network, merchant, date, batch, count: mine.length });
    const totals = [...new Set(mine.map((r) => r.currency))].sort().map((currency) => ({
      currency,
      cents: sumCents(mine.filter((r) => r.currency === currency).map((r) => r.amountCents)),
    }));
    files.push({
      network,
      fileName,
      records: mine,
      totals,
      csv: toCsv([...FILE_COLUMNS], fileRows(mine), { lineEnding: options.lineEnding ?? '\r\n' }),
      sheet: fileSheet(network, mine),
    });
  }
  const names = new Map<string, Network>();
  for (const f of files) {
    const other = names.get(f.fileName);
    if (other)
      problems.push(blocking({ source, value: f.fileName, message: `The ${other} and ${f.network} files would both be named ${f.fileName}; put {network} in the file name pattern.`, code: 'duplicate-file-name' }));
    names.set(f.fileName, f.network);
  }
  return { files, records, problems, blocked: hasBlocking(problems), date, dateFromData: !given, batch };
}

/** A batch as the API and the pane show it: counts, problems and each file with its CSV and sheet. */
export function chargebackBatchView(b: ChargebackBatch) {
  return {
    blocked: b.blocked,
    records: b.records.length,
    problems: b.problems,
    date: b.date,
    dateFromData: b.dateFromData,
    /** `batch` of a delivery is the delivery batch itself; this is the label in the file names. */
    batchLabel: b.batch,
    files: b.files.map((f) => ({ network: f.network as string, fileName: f.fileName, records: f.records.length, totals: f.totals, csv: f.csv, sheet: f.sheet })),
  };
}

export type ChargebackBatchView = ReturnType<typeof chargebackBatchView>;
