/**
 * Datasets: tables the task pane and the CLI can load. Files in the datasets folder (.xlsx → one
 * dataset per sheet, .csv, pipe-delimited .txt with a header, .json arrays of records) and named
 * queries over configured SQL sources (parameters always bound, never concatenated). Cells keep their
 * text where the source is text, so ids and long numbers stay exact. Jobs on the server read whole
 * datasets through `readDatasetTables` (a whole workbook too: every sheet); what a dataset id may
 * look like is `isDatasetId`, so routes never resolve paths themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readId } from '../../src/kernel/ids';
import { warning, type Problem } from '../../src/kernel/problems';
import { columnLetter, rowNumber, type Cell, type Table } from '../../src/kernel/table';
import { AppError, badRequest, notFound, upstreamFailed } from '../errors';
import { readTableFile } from '../../platform/workbook/table-file';
import { loadSqlSources, type SqlQuery, type SqlSources } from './sql-sources';

export type DatasetKind = 'xlsx' | 'csv' | 'txt' | 'json' | 'sql';

export interface DatasetInfo {
  /** Stable id for GET /api/datasets/:id (URL-encode it): `vret/cm.csv`, `demo.xlsx!TC_Data`, `sql:glap`. */
  id: string;
  name: string;
  kind: DatasetKind;
  /** File path relative to the datasets folder, or the SQL source name. */
  source: string;
  columns?: string[];
  /** Parameters a SQL dataset takes (query-string names). */
  params?: { name: string; default?: string }[];
}

export type JsonCell = string | number | boolean | null;

export interface DatasetPage {
  id: string;
  name: string;
  header: string[];
  rows: JsonCell[][];
  total: number;
  offset: number;
  /** Offset of the next page, or null after the last one. */
  nextOffset: number | null;
  /** Problems found while reading the source (e.g. a line with too many fields). */
  problems: Problem[];
}

export interface ReadOptions {
  offset?: number;
  limit?: number;
  /** Values for a SQL dataset's parameters, by name. */
  params?: Record<string, string>;
}

export interface Datasets {
  list(): Promise<DatasetInfo[]>;
  read(id: string, options?: ReadOptions): Promise<DatasetPage>;
  /** Every sheet of a workbook file of the folder (`file.xlsx`), each named `<file> <sheet>`. */
  workbook(rel: string): Promise<{ tables: Table[]; problems: Problem[] }>;
  close(): Promise<void>;
}

/**
 * What a dataset id looks like: a file of the datasets folder (`vret/cm.csv`, `demo.xlsx!TC_Data`,
 * `learnwell.xlsx`) or a query (`sql:glap`); never an absolute path or one that climbs out (`..`).
 */
export function isDatasetId(id: string): boolean {
  if (!id || id.length > 300 || id.includes('\0') || id.includes('\\')) return false;
  if (id.startsWith('sql:')) return id.length > 4;
  return !id.startsWith('/') && !id.split('/').some((part) => part === '..' || part === '.' || part === '');
}

/** A dataset id in a request body: refused (400) when it is not one. */
export const datasetIdSchema = z.string().refine(isDatasetId, 'must be a dataset of the datasets folder or a configured query (no path outside it)');

/**
 * A dataset as the tables a job reads: a sheet, a text file or a query is one table; a whole workbook
 * (`file.xlsx`, no sheet named) is every sheet of it.
 */
export async function readDatasetTables(datasets: Datasets, id: string, params?: Record<string, string>): Promise<{ tables: Table[]; problems: Problem[] }> {
  if (/\.xlsx$/i.test(id) && !id.startsWith('sql:')) return datasets.workbook(id);
  const { table, problems } = await readDatasetTable(datasets, id, params);
  return { tables: [table], problems };
}

export const DEFAULT_PAGE = 1000;
export const MAX_PAGE = 10000;

/** A whole dataset as one table (jobs on the server read it all; the API hands it out in pages). */
export async function readDatasetTable(datasets: Datasets, id: string, params?: Record<string, string>): Promise<{ table: Table; problems: Problem[] }> {
  const rows: Cell[][] = [];
  const problems: Problem[] = [];
  let header: string[] = [];
  let name = id;
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await datasets.read(id, { offset, limit: MAX_PAGE, params });
    header = page.header;
    name = page.name;
    rows.push(...(page.rows as Cell[][]));
    problems.push(...page.problems);
    offset = page.nextOffset;
  }
  return { table: { name, header, rows, firstRowNumber: 2 }, problems };
}
const FILE_KINDS: Record<string, DatasetKind> = { '.xlsx': 'xlsx', '.csv': 'csv', '.txt': 'txt', '.json': 'json' };

interface Loaded {
  mtimeMs: number;
  size: number;
  tables: Table[];
  problems: Problem[];
}

/** Excel dates come back as Date: day-only when at midnight UTC, otherwise full ISO time. */
export function jsonCell(c: Cell): JsonCell {
  if (c instanceof Date) {
    if (Number.isNaN(c.getTime())) return '';
    const iso = c.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
  }
  if (c === undefined) return null;
  return c;
}

function sqlCell(v: unknown): JsonCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return jsonCell(v);
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return JSON.stringify(v);
}

/**
 * Numeric Excel cells beyond 2^53 (17-digit ids typed into a number column) already lost digits
 * when the workbook was saved: name each such cell so nobody trusts the rounded value.
 */
export function inexactNumberProblems(file: string, table: Table): Problem[] {
  const out: Problem[] = [];
  table.rows.forEach((row, i) =>
    row.forEach((cell, j) => {
      if (typeof cell !== 'number' || !Number.isInteger(cell) || Number.isSafeInteger(cell)) return;
      const check = readId(cell);
      const r = rowNumber(table, i);
      out.push(
        warning({
          source: `${file} – ${table.name}`,
          row: r,
          column: table.header[j] ?? columnLetter(j),
          value: cell,
          message: `Cell ${table.name}!${columnLetter(j)}${r}: ${check.ok ? 'the number is too large to be exact.' : check.reason}`,
          code: 'inexact-number',
        }),
      );
    }),
  );
  return out;
}

function listFiles(dir: string, rel = ''): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.') || e.name.startsWith('~$')) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, r));
    else if (e.isFile() && FILE_KINDS[path.extname(e.name).toLowerCase()]) out.push(r);
  }
  return out;
}

function unknownDataset(id: string): AppError {
  return notFound(
    'dataset-not-found',
    `There is no dataset "${id}". Open the Data page to see the datasets available, or ask an administrator to add the file to the datasets folder.`,
  );
}

export function createDatasets(options: { dir: string; sqlSourcesFile?: string }): Datasets {
  const dir = path.resolve(options.dir);
  const cache = new Map<string, Loaded>();
  let sql: SqlSources | undefined;
  const sqlSources = (): SqlSources => (sql ??= loadSqlSources(options.sqlSourcesFile));

  /**
   * Resolves a relative file id inside the datasets folder; refuses anything that escapes it, by
   * name (`../`) or through a symbolic link (the real path must stay inside the folder's real path).
   * The real path is what gets read, so a link swapped after the check changes nothing.
   */
  function filePath(rel: string): string | undefined {
    if (!rel || rel.includes('\0')) return undefined;
    const abs = path.resolve(dir, rel);
    if (!abs.startsWith(dir + path.sep)) return undefined;
    if (!FILE_KINDS[path.extname(abs).toLowerCase()]) return undefined;
    let real: string;
    let realDir: string;
    try {
      real = fs.realpathSync(abs);
      realDir = fs.realpathSync(dir);
    } catch {
      return undefined;
    }
    if (!real.startsWith(realDir + path.sep)) return undefined;
    return fs.statSync(real).isFile() ? real : undefined;
  }

  async function load(abs: string, rel: string): Promise<Loaded> {
    const st = fs.statSync(abs);
    const hit = cache.get(abs);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    const kind = FILE_KINDS[path.extname(abs).toLowerCase()];
    // One reader for every file kind (platform/workbook/table-file); a file that is not a workbook is refused here.
    const read = await readTableFile(kind === 'xlsx' ? rel : path.basename(rel), fs.readFileSync(abs), { sheetNames: 'sheet', delimiter: kind === 'txt' ? '|' : undefined });
    // A workbook that cannot be opened keeps its one problem: paged reads refuse it, jobs list it among their problems.
    const unreadable = read.problems.some((p) => p.code === 'bad-workbook');
    const problems = kind === 'xlsx' && !unreadable ? read.tables.flatMap((t) => inexactNumberProblems(rel, t)) : read.problems;
    const loaded: Loaded = { mtimeMs: st.mtimeMs, size: st.size, tables: read.tables, problems };
    cache.delete(abs);
    cache.set(abs, loaded);
    while (cache.size > 8) cache.delete(cache.keys().next().value as string);
    return loaded;
  }

  function page(id: string, name: string, header: string[], rows: JsonCell[][], total: number, offset: number, problems: Problem[]): DatasetPage {
    const next = offset + rows.length;
    return { id, name, header, rows, total, offset, nextOffset: next < total ? next : null, problems };
  }

  function pageBounds(o: ReadOptions): { offset: number; limit: number } {
    const offset = o.offset ?? 0;
    const limit = o.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(offset) || offset < 0) throw badRequest('bad-offset', 'offset must be a whole number, 0 or more.');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw badRequest('bad-limit', `limit must be a whole number from 1 to ${MAX_PAGE}.`);
    }
    return { offset, limit };
  }

  async function readSql(id: string, q: SqlQuery, o: ReadOptions): Promise<DatasetPage> {
    const { offset, limit } = pageBounds(o);
    const given = o.params ?? {};
    const unknown = Object.keys(given).filter((k) => !q.params.some((p) => p.name === k));
    if (unknown.length) {
      throw badRequest('unknown-parameter', `The dataset "${q.name}" has no parameter ${unknown.join(', ')}; it takes ${q.params.map((p) => p.name).join(', ') || 'none'}.`);
    }
    const values = q.params.map((p) => {
      const v = given[p.name] ?? p.default;
      if (v === undefined) throw badRequest('missing-parameter', `The dataset "${q.name}" needs a value for ${p.name} (add ?${p.name}=… to the request).`);
      return v;
    });
    const sources = sqlSources();
    const body = q.sql.trim().replace(/;\s*$/, '');
    const n = values.length;
    try {
      const count = await sources.queryTable(q.source, `SELECT COUNT(*) AS n FROM (${body}) q_count`, values);
      const total = Number(count.rows[0]?.[0] ?? 0);
      const t = await sources.queryTable(q.source, `SELECT * FROM (${body}) q_page LIMIT $${n + 1} OFFSET $${n + 2}`, [...values, limit, offset]);
      return page(id, q.name, t.columns, t.rows.map((r) => r.map(sqlCell)), total, offset, []);
    } catch (err) {
      if (err instanceof AppError) throw err; // a source without an address, or one that did not answer in time
      throw upstreamFailed(
        'sql-source-failed',
        `The query "${q.name}" failed on source ${q.source}. Try again; if it keeps failing, ask an administrator to look at the server log.`,
        err,
      );
    }
  }

  return {
    async list() {
      const out: DatasetInfo[] = [];
      for (const rel of listFiles(dir)) {
        const kind = FILE_KINDS[path.extname(rel).toLowerCase()];
        try {
          const loaded = await load(path.join(dir, rel), rel);
          if (loaded.problems.some((p) => p.code === 'bad-workbook')) throw new Error('unreadable');
          if (kind === 'xlsx') {
            for (const t of loaded.tables) out.push({ id: `${rel}!${t.name}`, name: `${path.basename(rel)} – ${t.name}`, kind, source: rel, columns: t.header });
          } else {
            out.push({ id: rel, name: path.basename(rel), kind, source: rel, columns: loaded.tables[0]?.header ?? [] });
          }
        } catch {
          // An unreadable file is still listed; reading it explains why it fails.
          out.push({ id: rel, name: path.basename(rel), kind, source: rel });
        }
      }
      for (const q of sqlSources().queries) {
        out.push({ id: `sql:${q.id}`, name: q.name, kind: 'sql', source: q.source, params: q.params });
      }
      return out;
    },

    async read(id, o = {}) {
      if (id.startsWith('sql:')) {
        const q = sqlSources().queries.find((x) => x.id === id.slice(4));
        if (!q) throw unknownDataset(id);
        return readSql(id, q, o);
      }
      const bang = id.lastIndexOf('!');
      const isSheet = bang > 0 && /\.xlsx$/i.test(id.slice(0, bang));
      const rel = isSheet ? id.slice(0, bang) : id;
      const abs = filePath(rel);
      if (!abs) throw unknownDataset(id);
      const { offset, limit } = pageBounds(o);
      const loaded = await load(abs, rel);
      const unreadable = loaded.problems.find((p) => p.code === 'bad-workbook');
      if (unreadable) throw new AppError(422, 'dataset-unreadable', unreadable.message);
      let table: Table | undefined;
      if (isSheet) table = loaded.tables.find((t) => t.name.toLowerCase() === id.slice(bang + 1).toLowerCase());
      else if (!/\.xlsx$/i.test(rel)) table = loaded.tables[0];
      if (!table) throw unknownDataset(id);
      const rows = table.rows.slice(offset, offset + limit).map((r) => r.map(jsonCell));
      const name = isSheet ? `${path.basename(rel)} – ${table.name}` : path.basename(rel);
      const problems = isSheet ? loaded.problems.filter((p) => p.source === `${rel} – ${table!.name}`) : loaded.problems;
      return page(id, name, table.header.map(String), rows, table.rows.length, offset, offset === 0 ? problems : []);
    },

    async workbook(rel) {
      const abs = /\.xlsx$/i.test(rel) ? filePath(rel) : undefined;
      if (!abs) throw unknownDataset(rel);
      const loaded = await load(abs, rel);
      const file = path.basename(rel);
      return { tables: loaded.tables.map((t) => ({ ...t, name: `${file} ${t.name}` })), problems: loaded.problems };
    },

    async close() {
      cache.clear();
      await sql?.close();
    },
  };
}
