import fs from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../../../src/kernel/csv';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import { PreviewWorkbook } from '../../preview/preview-workbook';
import { writeSheets } from '../../../src/workbook/write-sheets';
import { buildFromWorkbook, inputKindOfSheet, previousPeriod } from './vret-run';

const FIX = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'vret', 'inputs');

/** A fixture CSV as a sheet of text cells, the way the Data page loads it (leading zeros kept). */
function fixtureSheet(file: string, name: string): SheetSpec {
  const { table } = parseCsv(fs.readFileSync(path.join(FIX, file), 'utf8'), { name });
  return { name, columns: table.header.map((h) => ({ header: h, type: 'text' as const })), rows: table.rows };
}

test('sheet names map to VRET inputs, output sheets do not', () => {
  expect(inputKindOfSheet('cm')).toBe('transactions');
  expect(inputKindOfSheet('VRET GLAP')).toBe('transactions');
  expect(inputKindOfSheet('thr_2024-11')).toBe('transactions');
  expect(inputKindOfSheet('rvr (2)')).toBe('rvr');
  expect(inputKindOfSheet('RVR Report')).toBeNull();
  expect(inputKindOfSheet('20321 JE')).toBeNull();
  expect(inputKindOfSheet('ledgers')).toBe('ledgers');
  expect(previousPeriod(new Date(Date.UTC(2025, 0, 15)))).toBe('2024-12');
});

test('builds from the sheets in the workbook and writes the four sheets with segments as text', async () => {
  const wb = PreviewWorkbook.empty();
  for (const f of ['cm', 'adj', 'glap', 'rvr', 'l2c', 'led2chan', 'ledgers']) await wb.writeSheet(fixtureSheet(`${f}.csv`, f));
  const outcome = await buildFromWorkbook(wb, { ledger: 'Amazon.eu', geo: 'DE', period: '2024-11', runId: 'W1' });
  expect(outcome.balances).toEqual([{ currency: 'EUR', debits: 18_234, credits: 18_234, difference: 0 }]);
  expect(outcome.spurshFileName).toBe('SPURSH_Amazon.eu_W1.csv');
  expect(outcome.spurshCsv!.split('\r\n')).toHaveLength(5);
  // Problems point at the workbook's own sheets, so the list can select the cell.
  expect(outcome.problems.find((p) => p.code === 'rvr-unmatched')).toMatchObject({ source: 'rvr', row: 4 });
  const seen: number[] = [];
  await writeSheets(wb, outcome.sheets, { onProgress: (done) => seen.push(done) });
  expect(await wb.listSheets()).toEqual(expect.arrayContaining(['GLDI', '20321 JE', '20321 Analysis', 'RVR Report']));
  expect(seen[seen.length - 1]).toBe(outcome.sheets.reduce((n, s) => n + s.rows.length, 0));
  const je = await wb.readSheet('20321 JE');
  expect(je.rows[0]!.slice(2, 5)).toEqual(['010', '0001', '0000']);
  // A second build reads the inputs only, not its own outputs.
  const again = await buildFromWorkbook(wb, { ledger: 'Amazon.eu', geo: 'DE', period: '2024-11', runId: 'W2' });
  expect(again.balances).toEqual(outcome.balances);
});

test('a workbook without transaction sheets says what to do', async () => {
  await expect(buildFromWorkbook(PreviewWorkbook.empty(), { ledger: 'Amazon.eu', geo: 'DE', period: '2024-11' })).rejects.toThrow(/Data page/);
});
