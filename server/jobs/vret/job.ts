/**
 * VRET inputs and outputs on the server and the CLI: gather the inputs (CSV folder, SQL source, THR
 * folder), run `VendorReturnsRun` (src/vendor-returns: period, run id, file names, SPURSH hold-back),
 * and write the files. Both files are written in a staging folder and moved into place only when
 * everything succeeded; a source that cannot be reached stops the run before anything is written. The
 * run id and the input checksums are recorded in `runs`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { csvRow, parseCsv } from '../../../src/kernel/csv';
import type { Problem } from '../../../src/kernel/problems';
import type { Table } from '../../../src/kernel/table';
import { csvCell } from '../../../src/workbook/csv';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import {
  configFromMappings,
  vretConfig,
  vretInputKind,
  vretRunId,
  vretScope,
  VendorReturnsRun,
  VretPeriodSurvey,
  type MappingTables,
  type VretSelection,
  type VendorReturnsOutput,
  type VretConfigOverrides,
} from '../../../src/vendor-returns';
import type { CurrencyBalance } from '../../../src/journal/journal';
import { openStore, type Queryable, type Store } from '../../store';
import { recordRun } from '../../runs';
import type { Audit } from '../../audit';
import { writeWorkbookFile } from '../../../platform/workbook/excel-file';
import { loadVretFromSource, loadVretPeriods, type VretTableNames } from './queries';
import { listThrFiles, readThrFile } from './thr';

export interface VretJobOptions {
  ledger: string;
  geo: string;
  /** `YYYY-MM`; absent or blank: the latest period the inputs hold. */
  period?: string;
  /** postgres:// URL of the VRET source (PostgreSQL or Redshift). */
  source?: string;
  thrDir?: string;
  /** Folder with cm.csv, adj.csv, glap.csv, rvr.csv, l2c.csv, led2chan.csv, ledgers.csv (any present). */
  inputsDir?: string;
  outDir: string;
  runId?: string;
  /** Where the run is recorded (runs table and audit log); skipped when absent. */
  record?: { store: Store; audit: Audit };
  userId?: string;
  config?: VretConfigOverrides;
  tables?: VretTableNames;
  /** Seconds to wait for the source to answer the first query. */
  connectTimeoutSeconds?: number;
}

export interface VretJobResult {
  /** The run id in the file names and the GLDI batch name. */
  runId: string;
  /** The period the run used (as asked, or the latest the inputs hold). */
  period: string;
  /** Id of the record in the runs table (when a store was given). */
  recordedRunId?: string;
  workbookPath: string;
  /** Absent when a blocking problem kept the SPURSH file back. */
  spurshPath?: string;
  spurshRows: number;
  /** Why SPURSH was not written, or null. */
  spurshHeldBack: string | null;
  /** The run selected no transaction: its sentence, else null. */
  noRows: string | null;
  balances: CurrencyBalance[];
  problems: Problem[];
  inputs: { name: string; sha256: string; rows: number }[];
  inputChecksum: string;
  resultChecksum: string;
  sheets: { name: string; rows: number }[];
}

export const INPUT_FILES = ['cm.csv', 'adj.csv', 'glap.csv', 'rvr.csv', 'l2c.csv', 'led2chan.csv', 'ledgers.csv'] as const;

/** A new run id: now and six random hex digits (the form is src's). */
export function newRunId(now = new Date()): string {
  return vretRunId(now, randomBytes(3).toString('hex'));
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** sha256 of a query result, from its columns and rows (what the run read). */
function tableChecksum(t: Table): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(t.header));
  for (const r of t.rows) h.update('\n' + JSON.stringify(r));
  return h.digest('hex');
}

async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function withTimeout<T>(p: Promise<T>, seconds: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), seconds * 1000);
    }),
  ]);
}

/** Writes the SPURSH table row by row (no whole-file string for big runs). */
async function writeSpursh(file: string, spec: SheetSpec, eol: string): Promise<void> {
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  // Lines go out in ~1 MB chunks: a write (and an await) per line costs more than building the line.
  let chunk = csvRow(spec.columns.map((c) => c.header)) + eol;
  const flush = async () => {
    const text = chunk;
    chunk = '';
    if (!out.write(text)) await once(out, 'drain');
  };
  try {
    for (const r of spec.rows) {
      chunk += csvRow(spec.columns.map((c, i) => csvCell(r[i], c))) + eol;
      if (chunk.length >= 1 << 20) await flush();
    }
    await flush();
  } finally {
    out.end();
    await once(out, 'finish');
  }
}

export class VretSourceError extends Error {
  override name = 'VretSourceError';
}

export interface BuiltVret {
  output: VendorReturnsOutput;
  inputs: VretJobResult['inputs'];
  inputChecksum: string;
}

/** Gathers the inputs, builds, writes the files and records the run. */
export async function runVretJob(o: VretJobOptions): Promise<VretJobResult> {
  const built = await buildVretFromSources(o);
  return writeOutputs(o, built);
}

async function openSource(url: string, seconds: number): Promise<Store> {
  let src: Store | undefined;
  const where = url.replace(/\/\/[^@/]*@/, '//');
  try {
    src = await openStore({ databaseUrl: url, migrate: false, poolMax: 2 });
    await withTimeout(src.query('SELECT 1'), seconds, `no answer within ${seconds} s`);
    return src;
  } catch (err) {
    await src?.close().catch(() => undefined);
    throw new VretSourceError(`The VRET source database ${where} cannot be reached (${(err as Error).message}). Nothing was written.`);
  }
}

/** A query on the source; its failure stops the run before anything is written. */
async function fromSource<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new VretSourceError(`${(err as Error).message} Nothing was written.`);
  }
}

/**
 * The latest period the run's rows hold: the CSV tables in hand, the source's periods and the THR
 * files (one streamed pass, only when no period is asked for).
 */
async function surveyLatestPeriod(o: Pick<VretJobOptions, 'thrDir' | 'tables'>, scope: VretSelection | null, tx: readonly Table[], src: Queryable | undefined): Promise<string | null> {
  const survey = new VretPeriodSurvey(scope);
  for (const t of tx) survey.addTable(t);
  if (src) for (const r of await fromSource(() => loadVretPeriods(src, o.tables))) survey.addRow(r.ledger, r.chan, r.period);
  if (o.thrDir) for (const file of listThrFiles(o.thrDir)) await readThrFile(file, (chunk) => survey.addTable(chunk));
  return survey.latest();
}

/** Gathers the inputs (CSV folder, SQL source, THR folder) and builds the run; writes nothing. */
export async function buildVretFromSources(o: Omit<VretJobOptions, 'outDir' | 'record' | 'userId'>): Promise<BuiltVret> {
  if (!o.source && !o.inputsDir && !o.thrDir) throw new Error('Give at least one input: --source, --inputs or --thr.');
  const runId = o.runId ?? newRunId();
  const inputs: VretJobResult['inputs'] = [];
  const tx: Table[] = [];
  const rvr: Table[] = [];
  const mappings: MappingTables = {};
  const sourceMappings: MappingTables = {};
  const problems: Problem[] = [];

  // 1. CSV inputs (small enough to read whole).
  if (o.inputsDir) {
    if (!fs.existsSync(o.inputsDir)) throw new Error(`The inputs folder ${o.inputsDir} does not exist.`);
    const present = fs.readdirSync(o.inputsDir);
    let any = false;
    for (const want of INPUT_FILES) {
      const actual = present.find((f) => f.toLowerCase() === want);
      if (!actual) continue;
      any = true;
      const bytes = fs.readFileSync(path.join(o.inputsDir, actual));
      const { table, problems: p } = parseCsv(bytes.toString('utf8'), { name: actual });
      // Field counts are judged by the run (blocking there), not as the parser's warnings.
      problems.push(...p.filter((x) => x.code !== 'field-count'));
      inputs.push({ name: actual, sha256: sha256(bytes), rows: table.rows.length });
      const kind = vretInputKind(want)!;
      if (kind === 'transactions') tx.push(table);
      else if (kind === 'rvr') rvr.push(table);
      else mappings[kind] = table;
    }
    if (!any) throw new Error(`The inputs folder ${o.inputsDir} has none of ${INPUT_FILES.join(', ')}.`);
  }

  // Mappings: defaults, then the caller's, then the CSV folder's, then the source's (later wins).
  // The CSV folder's are known now: enough to tell which rows are the run's when the period comes from the data.
  const scope = o.period?.trim() ? null : vretScope(o, configFromMappings(o.config ?? {}, mappings).config);

  // 2. SQL source: all queries before anything is written; unreachable → a clear error.
  const src = o.source ? await openSource(o.source, o.connectTimeoutSeconds ?? 15) : undefined;
  let latestPeriod: string | null = null;
  try {
    if (!o.period?.trim()) latestPeriod = await surveyLatestPeriod(o, scope, tx, src);
    const period = o.period?.trim() || latestPeriod || '';
    if (src && period) {
      const loaded = await fromSource(() => loadVretFromSource(src, { ledger: o.ledger, geo: o.geo, period }, vretConfig(o.config), o.tables));
      for (const t of [...loaded.transactions, ...loaded.rvr, loaded.l2c, loaded.led2chan, loaded.ledgers])
        inputs.push({ name: `sql:${t.name}`, sha256: tableChecksum(t), rows: t.rows.length });
      tx.push(...loaded.transactions);
      rvr.push(...loaded.rvr);
      sourceMappings.l2c = loaded.l2c;
      sourceMappings.led2chan = loaded.led2chan;
      sourceMappings.ledgers = loaded.ledgers;
    }
  } finally {
    await src?.close().catch(() => undefined);
  }

  const { config, problems: mappingProblems } = configFromMappings(o.config ?? {}, mappings, sourceMappings);
  const run = new VendorReturnsRun({ ledger: o.ledger, geo: o.geo, period: o.period, runId }, config, { latestPeriod, problems: [...problems, ...mappingProblems] });
  for (const t of tx) run.addTransactions(t, { checkFieldCount: true });
  for (const t of rvr) run.addRvr(t, { checkFieldCount: true });
  // The run kept what it needs; let the input tables go before the THR files stream in.
  tx.length = 0;
  rvr.length = 0;

  // 3. THR files, streamed.
  if (o.thrDir) {
    for (const file of listThrFiles(o.thrDir)) {
      const r = await readThrFile(file, (chunk) => run.addTransactions(chunk, { checkFieldCount: true }));
      inputs.push({ name: `thr:${r.file}`, sha256: r.sha256, rows: Math.max(0, r.lines - 1) });
    }
  }

  return { output: run.finish(), inputs, inputChecksum: inputChecksumOf(inputs) };
}

export function inputChecksumOf(inputs: VretJobResult['inputs']): string {
  return sha256(inputs.map((i) => `${i.name}:${i.sha256}`).sort().join('\n'));
}

/** Records a VRET run and its audit entry in one transaction (CLI, server build); returns the record's id. */
export async function recordVretRun(
  store: Store,
  audit: Audit,
  built: BuiltVret,
  o: { ledger: string; geo: string; resultChecksum: string; userId: string; extra?: Record<string, unknown> },
): Promise<string> {
  const { output, inputs, inputChecksum } = built;
  const asked = { runId: output.runId, ledger: o.ledger, geo: o.geo, period: output.period };
  return store.transaction(async (tx) => {
    const rec = await recordRun(
      tx,
      {
        job: 'vret',
        inputChecksum,
        rowCounts: Object.fromEntries(output.counts.map((c) => [c.source, c.rowsSelected])),
        mode: output.spurshHeldBack ? 'blocked' : 'complete',
        options: { ...asked, inputs, problems: output.problems.length, ...o.extra },
        version: '1',
        resultChecksum: o.resultChecksum,
      },
      o.userId,
    );
    await audit.append({ actor: o.userId, action: 'run.recorded', subjectType: 'run', subjectId: rec.id, details: { job: 'vret', ...asked } }, tx);
    return rec.id;
  });
}

async function writeOutputs(o: VretJobOptions, built: BuiltVret): Promise<VretJobResult> {
  const { output, inputs, inputChecksum } = built;
  const { runId, files } = output;
  fs.mkdirSync(o.outDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(o.outDir, `.vret-${runId}-`));
  const held = output.spurshHeldBack !== null;
  try {
    const written = await writeWorkbookFile(path.join(staging, files.workbook), output.workbookSheets);
    if (!held) await writeSpursh(path.join(staging, files.spursh), output.spursh, output.config.spurshLineEnding);
    const resultChecksum = sha256(
      [await fileSha256(path.join(staging, files.workbook)), held ? '' : await fileSha256(path.join(staging, files.spursh))].join('\n'),
    );
    const recordedRunId = o.record
      ? await recordVretRun(o.record.store, o.record.audit, built, {
          ledger: o.ledger,
          geo: o.geo,
          resultChecksum,
          userId: o.userId ?? 'cli',
          extra: { files: [files.workbook, ...(held ? [] : [files.spursh])] },
        })
      : undefined;
    // Everything is ready: move into place (same folder, so a rename).
    const workbookPath = path.join(o.outDir, files.workbook);
    fs.renameSync(path.join(staging, files.workbook), workbookPath);
    let spurshPath: string | undefined;
    if (!held) {
      spurshPath = path.join(o.outDir, files.spursh);
      fs.renameSync(path.join(staging, files.spursh), spurshPath);
    }
    return {
      runId,
      period: output.period,
      recordedRunId,
      workbookPath,
      spurshPath,
      spurshRows: output.spursh.rows.length,
      spurshHeldBack: output.spurshHeldBack,
      noRows: output.noRows,
      balances: output.balances,
      problems: output.problems,
      inputs,
      inputChecksum,
      resultChecksum,
      sheets: written.sheets,
    };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
