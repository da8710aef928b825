/**
 * Chargeback inputs on the server and the CLI: a CSV, an .xlsx workbook or a JSON array read by the
 * one table-file reader (platform/workbook/table-file), then the workbook's record sheets picked by
 * src/chargebacks (the sheet named, else every sheet with a CASE_ID column).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { chargebackSheets, type ChargebackInput } from '../../../src/chargebacks';
import type { Problem, Table } from '../../../src/kernel';
import { isWorkbookName, readTableFile } from '../../../platform/workbook/table-file';

/** A workbook's sheets narrowed to the record sheets; other inputs as they are. */
export function recordTables(name: string, read: { tables: Table[]; problems: Problem[] }, sheet?: string): { tables: Table[]; problems: Problem[] } {
  if (!isWorkbookName(name) || read.tables.length === 0) return read;
  const picked = chargebackSheets(name, read.tables, sheet);
  return { tables: picked.tables, problems: [...read.problems, ...picked.problems] };
}

export async function readChargebackFile(file: string, sheet?: string): Promise<ChargebackInput & { tables: Table[]; problems: Problem[] }> {
  const name = path.basename(file);
  return recordTables(name, await readTableFile(name, await fs.readFile(file), { sheet, records: 'chargeback records' }), sheet);
}
