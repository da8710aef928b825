/** JSON records (an array of objects, as an API or an export sends them) as a table. */
import { blocking, type Problem } from './problems';
import type { Cell, Table } from './table';

/**
 * A JSON array of objects as a table: the header is every key in order of first appearance.
 * Numbers stay numbers, so an id sent as a JSON number that cannot be exact is caught later.
 * `what` names the records in the sentences (`chargeback records`).
 */
export function tableFromRecords(name: string, data: unknown, what = 'records'): { table: Table; problems: Problem[] } {
  const empty: Table = { name, header: [], rows: [], firstRowNumber: 2 };
  if (!Array.isArray(data)) {
    return { table: empty, problems: [blocking({ source: name, message: `${name} must hold a JSON array of ${what}.`, code: 'not-an-array' })] };
  }
  const header: string[] = [];
  const seen = new Set<string>();
  const problems: Problem[] = [];
  data.forEach((rec, i) => {
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      problems.push(blocking({ source: name, row: i + 2, message: `Record ${i + 1} is not an object with fields.`, code: 'not-an-object' }));
      return;
    }
    for (const k of Object.keys(rec)) if (!seen.has(k)) (seen.add(k), header.push(k));
  });
  const rows: Cell[][] = data.map((rec) =>
    header.map((k) => {
      const v = rec && typeof rec === 'object' ? (rec as Record<string, unknown>)[k] : undefined;
      if (v === undefined || v === null) return '';
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      return JSON.stringify(v);
    }),
  );
  // Row numbers count the header line as 1 so JSON record n is "row n+1", like a sheet.
  return { table: { name, header, rows, firstRowNumber: 2 }, problems };
}

/** JSON text as records; text that is not JSON is one blocking problem. */
export function tableFromJsonText(name: string, text: string, what = 'records'): { table: Table; problems: Problem[] } {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return {
      table: { name, header: [], rows: [], firstRowNumber: 2 },
      problems: [blocking({ source: name, message: `${name} is not valid JSON: ${(e as Error).message}.`, code: 'bad-json' })],
    };
  }
  return tableFromRecords(name, data, what);
}
