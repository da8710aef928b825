/** The datasets service: JSON records and whole workbooks as jobs read them, and what a dataset id may be. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { createDatasets, isDatasetId, readDatasetTables, type Datasets } from './index';

let dir: string;
let datasets: Datasets;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-datasets-'));
  fs.writeFileSync(path.join(dir, 'cb.json'), JSON.stringify([{ CASE_ID: 'CB-1', ARN: '745' }]));
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Expenses').addRows([['Reference', 'Amount'], ['LW1', 12.5]]);
  wb.addWorksheet('Notes').addRows([['Note'], ['x']]);
  await wb.xlsx.writeFile(path.join(dir, 'learnwell.xlsx'));
  fs.writeFileSync(path.join(dir, 'broken.xlsx'), 'not a workbook');
  datasets = createDatasets({ dir });
});
afterAll(async () => {
  await datasets.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a JSON array of records is a dataset like a CSV file', async () => {
  const list = await datasets.list();
  expect(list.find((d) => d.id === 'cb.json')).toMatchObject({ kind: 'json', columns: ['CASE_ID', 'ARN'] });
  expect(await readDatasetTables(datasets, 'cb.json')).toMatchObject({ tables: [{ name: 'cb.json', header: ['CASE_ID', 'ARN'], rows: [['CB-1', '745']] }], problems: [] });
});

test('a whole workbook: every sheet, named <file> <sheet>; one that is not a workbook is one problem for jobs and a 422 for pages', async () => {
  const r = await readDatasetTables(datasets, 'learnwell.xlsx');
  expect(r.tables.map((t) => t.name)).toEqual(['learnwell.xlsx Expenses', 'learnwell.xlsx Notes']);
  expect((await readDatasetTables(datasets, 'learnwell.xlsx!Expenses')).tables.map((t) => t.rows)).toEqual([[['LW1', 12.5]]]);
  const broken = await readDatasetTables(datasets, 'broken.xlsx');
  expect(broken).toMatchObject({ tables: [], problems: [{ code: 'bad-workbook', source: 'broken.xlsx' }] });
  expect((await datasets.list()).find((d) => d.id === 'broken.xlsx')).toBeDefined();
  await expect(datasets.read('broken.xlsx')).rejects.toMatchObject({ statusCode: 422, code: 'dataset-unreadable' });
  await expect(datasets.workbook('nope.xlsx')).rejects.toMatchObject({ code: 'dataset-not-found' });
});

test('dataset ids: files of the folder, sheets and queries; nothing that climbs out', () => {
  for (const ok of ['cb.json', 'vret/cm.csv', 'demo.xlsx!TC_Data', 'sql:vret_cm', 'settlement report (final).txt']) expect([ok, isDatasetId(ok)]).toEqual([ok, true]);
  for (const bad of ['', '../secrets.json', 'vret/../../x.csv', '/etc/passwd', 'a\\b.csv', 'a//b.csv', './x.csv', 'sql:']) expect([bad, isDatasetId(bad)]).toEqual([bad, false]);
});
