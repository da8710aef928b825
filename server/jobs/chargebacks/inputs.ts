/**
 * Chargeback inputs on the server and the CLI: a CSV, an .xlsx workbook or a JSON array, turned into
 * tables for src/chargebacks. Which sheet: the one named, else every sheet that has a CASE_ID column.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { blocking, findColumns, parseCsv, type Problem, type Table } from '../../../src/kernel';
import { CHARGEBACK_COLUMNS, tableFromJson } from '../../../src/chargebacks';
import { readWorkbookTables } from '../../../platform/workbook/excel-file';

export interface ChargebackInput {
  tables: Table[];
  problems: Problem[];
}

const looksLikeChargebacks = (t: Table) => findColumns(t, [CHARGEBACK_COLUMNS[0]]).index.CASE_ID! >= 0;

export async function readChargebackBytes(name: string, bytes: Buffer, sheet?: string): Promise<ChargebackInput> {
  const ext = path.extname(name).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') {
    const all = await readWorkbookTables(bytes, sheet ? { sheets: [sheet] } : {});
    const named = all.map((t) => ({ ...t, name: `${name} ${t.name}` }));
    const tables = sheet ? named : named.filter(looksLikeChargebacks);
    if (tables.length === 0)
      return { tables: [], problems: [blocking({ source: name, message: `No sheet of ${name} has a CASE_ID column; name the sheet with the chargeback records.`, code: 'no-chargeback-sheet' })] };
    return { tables, problems: [] };
  }
  const text = bytes.toString('utf8');
  if (ext === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return { tables: [], problems: [blocking({ source: name, message: `${name} is not valid JSON: ${(e as Error).message}.`, code: 'bad-json' })] };
    }
    const r = tableFromJson(name, data);
    return { tables: [r.table], problems: r.problems };
  }
  const r = parseCsv(text, { name });
  return { tables: [r.table], problems: r.problems };
}

export async function readChargebackFile(file: string, sheet?: string): Promise<ChargebackInput> {
  return readChargebackBytes(path.basename(file), await fs.readFile(file), sheet);
}
