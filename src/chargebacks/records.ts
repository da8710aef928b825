/**
 * Chargeback records: read from a table (CSV or XLSX sheet) or a JSON array, and validate (the
 * record and its checks are in docs/rules.md, "Chargebacks"). Every bad row becomes a problem naming
 * its row and column; good rows go on.
 */
import {
  blocking,
  findColumns,
  isBlank,
  parseAmount,
  readDate,
  readId,
  tableFromRecords,
  warning,
  type Cell,
  type Problem,
  type Table,
} from '../kernel';
import { isIsoCurrency } from './currencies';
import { checkReasonCode, readNetwork, type Network } from './reason-codes';

export interface ChargebackRecord {
  /** Row as the user sees it in the source (sheet row or JSON element number + 1). */
  rowNumber: number;
  caseId: string;
  network: Network;
  reasonCode: string;
  /** Minor units of `currency`, always > 0. */
  amountCents: number;
  currency: string;
  transactionDate: string;
  /** Acquirer reference number, kept as text (23 digits for Visa/Mastercard). */
  arn: string;
  merchantId: string;
  dueDate: string;
  status: string;
}

export const CHARGEBACK_COLUMNS = [
  { name: 'CASE_ID', aliases: ['CASEID', 'CASE', 'CASE_NUMBER', 'DISPUTE_ID'], required: true },
  { name: 'NETWORK', aliases: ['CARD_NETWORK', 'CARD_BRAND', 'BRAND', 'SCHEME'], required: true },
  { name: 'REASON_CODE', aliases: ['REASON', 'REASONCODE'], required: true },
  { name: 'AMOUNT', aliases: ['CHARGEBACK_AMOUNT', 'DISPUTE_AMOUNT'], required: true },
  { name: 'CURRENCY', aliases: ['CCY', 'CURRENCY_CODE'], required: true },
  { name: 'TRANSACTION_DATE', aliases: ['TXN_DATE', 'TRAN_DATE', 'TRANSACTIONDATE'], required: true },
  { name: 'ARN', aliases: ['ACQUIRER_REFERENCE_NUMBER'], required: true },
  { name: 'MERCHANT_ID', aliases: ['MID', 'MERCHANT', 'MERCHANTID'], required: true },
  { name: 'DUE_DATE', aliases: ['RESPONSE_DUE', 'REPLY_BY', 'DUEDATE'], required: true },
  { name: 'STATUS', aliases: ['CASE_STATUS'] },
] as const;

/** A JSON array of chargeback records as a table (see tableFromRecords). */
export function tableFromJson(name: string, data: unknown): { table: Table; problems: Problem[] } {
  return tableFromRecords(name, data, 'chargeback records');
}

/**
 * The tables of a workbook that hold chargeback records: the sheet the user named, else every sheet
 * with a CASE_ID column; none is a problem that says to name the sheet.
 */
export function chargebackSheets(file: string, sheets: readonly Table[], named?: string): { tables: Table[]; problems: Problem[] } {
  if (named) return { tables: [...sheets], problems: [] };
  const tables = sheets.filter((t) => findColumns(t, [CHARGEBACK_COLUMNS[0]]).index.CASE_ID! >= 0);
  if (tables.length === 0 && sheets.length > 0)
    return { tables: [], problems: [blocking({ source: file, message: `No sheet of ${file} has a CASE_ID column; name the sheet with the chargeback records.`, code: 'no-chargeback-sheet' })] };
  return { tables, problems: [] };
}

export interface ReadChargebacksResult {
  records: ChargebackRecord[];
  problems: Problem[];
  /** Every distinct network word found (valid or not), for the batch-level "at most 4 files" rule. */
  networksSeen: string[];
}

/** Reads and validates every row; a row with a blocking problem is left out of `records`. */
export function readChargebacks(table: Table): ReadChargebacksResult {
  const { index, problems: colProblems } = findColumns(table, CHARGEBACK_COLUMNS);
  const problems: Problem[] = [...colProblems];
  const records: ChargebackRecord[] = [];
  const networksSeen: string[] = [];
  if (colProblems.length) return { records, problems, networksSeen };
  const col = (k: (typeof CHARGEBACK_COLUMNS)[number]['name']) => index[k]!;
  const firstCase = new Map<string, number>();
  const base = table.firstRowNumber ?? 2;

  table.rows.forEach((cells, i) => {
    if (cells.every(isBlank)) return;
    const row = base + i;
    let bad = false;
    const cellOf = (k: Parameters<typeof col>[0]): Cell => (col(k) >= 0 ? cells[col(k)] ?? '' : '');
    const headerOf = (k: Parameters<typeof col>[0]) => table.header[col(k)] ?? k;
    const fail = (k: Parameters<typeof col>[0], message: string, code: string) => {
      problems.push(blocking({ source: table.name, row, column: headerOf(k), value: cellOf(k), message, code }));
      bad = true;
    };
    const need = (k: Parameters<typeof col>[0]): boolean => {
      if (!isBlank(cellOf(k))) return true;
      fail(k, `${headerOf(k)} is empty.`, 'blank');
      return false;
    };

    let caseId = '';
    if (need('CASE_ID')) {
      const r = readId(cellOf('CASE_ID'));
      if (!r.ok) fail('CASE_ID', r.reason, 'bad-case-id');
      else if (firstCase.has(r.id)) fail('CASE_ID', `Case ${r.id} appears twice (first on row ${firstCase.get(r.id)}); each case is filed once.`, 'duplicate-case');
      else (caseId = r.id), firstCase.set(r.id, row);
    }

    let network: Network | undefined;
    if (need('NETWORK')) {
      const word = String(cellOf('NETWORK')).trim();
      network = readNetwork(word);
      const label = network ?? word.toUpperCase();
      if (!networksSeen.includes(label)) networksSeen.push(label);
      if (!network) fail('NETWORK', `"${word}" is not a card network CloseDesk files chargebacks for (VISA, MASTERCARD, AMEX, DISCOVER).`, 'unknown-network');
    }

    let reasonCode = '';
    if (need('REASON_CODE') && network) {
      const raw = cellOf('REASON_CODE');
      const r = checkReasonCode(network, typeof raw === 'number' ? raw : String(raw));
      if (!r.ok) fail('REASON_CODE', r.reason, 'bad-reason-code');
      else {
        reasonCode = r.code;
        if (!r.known)
          problems.push(
            warning({
              source: table.name, row, column: headerOf('REASON_CODE'), value: raw,
              message: `${r.code} looks like a ${network} reason code but is not in CloseDesk's list; check it is current before sending.`,
              code: 'unlisted-reason-code',
            }),
          );
      }
    }

    let currency = '';
    if (need('CURRENCY')) {
      currency = String(cellOf('CURRENCY')).trim().toUpperCase();
      if (!isIsoCurrency(currency)) fail('CURRENCY', `"${String(cellOf('CURRENCY'))}" is not an ISO 4217 currency code (e.g. USD, EUR).`, 'bad-currency');
    }

    let amountCents = 0;
    if (need('AMOUNT')) {
      const r = parseAmount(cellOf('AMOUNT'), { currency: currency || undefined });
      if (!r.ok) fail('AMOUNT', r.reason, 'bad-amount');
      else if (r.cents <= 0) fail('AMOUNT', `The chargeback amount must be more than zero; ${String(cellOf('AMOUNT'))} is not.`, 'amount-not-positive');
      else amountCents = r.cents;
    }

    const dateOf = (k: 'TRANSACTION_DATE' | 'DUE_DATE'): string => {
      if (!need(k)) return '';
      const r = readDate(cellOf(k));
      if (!r.ok) {
        fail(k, r.reason, 'bad-date');
        return '';
      }
      return r.iso;
    };
    const transactionDate = dateOf('TRANSACTION_DATE');
    const dueDate = dateOf('DUE_DATE');
    if (transactionDate && dueDate && dueDate <= transactionDate) {
      fail('DUE_DATE', `The due date ${dueDate} is not after the transaction date ${transactionDate}.`, 'due-before-transaction');
    }

    let arn = '';
    if (need('ARN')) {
      const r = readId(cellOf('ARN'));
      if (!r.ok) fail('ARN', r.reason.replace(/The id/, 'The ARN'), 'bad-arn');
      else if (!/^\d+$/.test(r.id)) fail('ARN', `The ARN "${r.id}" must contain digits only.`, 'bad-arn');
      else {
        arn = r.id;
        if (arn.length !== 23 && (network === 'VISA' || network === 'MASTERCARD'))
          problems.push(
            warning({ source: table.name, row, column: headerOf('ARN'), value: arn, message: `The ARN has ${arn.length} digits; ${network} ARNs have 23.`, code: 'arn-length' }),
          );
      }
    }

    let merchantId = '';
    if (need('MERCHANT_ID')) {
      const r = readId(cellOf('MERCHANT_ID'));
      if (!r.ok) fail('MERCHANT_ID', r.reason.replace(/The id/, 'The merchant id'), 'bad-merchant-id');
      else merchantId = r.id;
    }

    const status = col('STATUS') >= 0 && !isBlank(cellOf('STATUS')) ? String(cellOf('STATUS')).trim().toUpperCase() : 'OPEN';

    if (!bad && network) {
      records.push({ rowNumber: row, caseId, network, reasonCode, amountCents, currency, transactionDate, arn, merchantId, dueDate, status });
    }
  });
  return { records, problems, networksSeen };
}
