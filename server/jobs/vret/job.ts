/**
 * A headless VRET run (CLI, server): gather inputs (CSV folder, SQL source, THR folder), build, and
 * write VRET_{LEDGER}_{RUN}.xlsx and SPURSH_{LEDGER}_{RUN}.csv. Both files are written in a staging
 * folder and moved into place only when everything succeeded; a source that cannot be reached stops
 * the run before anything is written. The run id and the input checksums are recorded in `runs`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { csvRow, parseCsv } from '../../../src/kernel/csv';
import { hasBlocking, type Problem } from '../../../src/kernel/problems';
import type { Table } from '../../../src/kernel/table';
import { csvCell } from '../../../src/workbook/csv';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import {
  finishVretRun,
  problemsSheet,
  readMappingTables,
  vretConfig,
  VretRunBuilder,
  type MappingTables,
  type VretConfigOverrides,
  type VretRun,
} from '../../../src/vendor-returns';
import type { CurrencyBalance } from '../../../src/journal/journal';
import { openStore, type Store } from '../../store';
import { recordRun } from '../../runs';
import type { Audit } from '../../audit';
import { writeWorkbookFile } from '../../../platform/workbook/excel-file';
import { loadVretFromSource, type VretTableNames } from './queries';
import { listThrFiles, readThrFile } from './thr';

export interface VretJobOptions {
  ledger: string;
  geo: string;
  period: string;
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
  /** Id of the record in the runs table (when a store was given). */
  recordedRunId?: string;
  workbookPath: string;
  /** Absent when a blocking problem kept the SPURSH file back. */
  spurshPath?: string;
  spurshRows: number;
  balances: CurrencyBalance[];
  problems: Problem[];
  inputs: { name: string; sha256: string; rows: number }[];
  inputChecksum: string;
  resultChecksum: string;
  sheets: { name: string; rows: number }[];
}

export const INPUT_FILES = ['cm.csv', 'adj.csv', 'glap.csv', 'rvr.csv', 'l2c.csv', 'led2chan.csv', 'ledgers.csv'] as const;

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

/** A ledger name as a file-name part: `Amazon.com, Inc.` → `Amazon.com_Inc`. */
export function ledgerFilePart(ledger: string): string {
  return ledger.trim().replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '').replace(/\.+$/, '') || 'LEDGER';
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
  runId: string;
  run: VretRun;
  inputs: VretJobResult['inputs'];
  inputChecksum: string;
}

/** Writes the outputs of a built run; see runVretJob. */
export async function runVretJob(o: VretJobOptions): Promise<VretJobResult> {
  const built = await buildVretFromSources(o);
  return writeOutputs(o, built.run, built.runId, built.inputs);
}

/** Gathers the inputs (CSV folder, SQL source, THR folder) and builds the run; writes nothing. */
export async function buildVretFromSources(o: Omit<VretJobOptions, 'outDir' | 'store' | 'userId'>): Promise<BuiltVret> {
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
      const key = want.replace('.csv', '') as 'cm' | 'adj' | 'glap' | 'rvr' | 'l2c' | 'led2chan' | 'ledgers';
      if (key === 'rvr') rvr.push(table);
      else if (key === 'l2c' || key === 'led2chan' || key === 'ledgers') mappings[key] = table;
      else tx.push(table);
    }
    if (!any) throw new Error(`The inputs folder ${o.inputsDir} has none of ${INPUT_FILES.join(', ')}.`);
  }

  // 2. SQL source: all queries before anything is written; unreachable → a clear error.
  if (o.source) {
    let src: Store | undefined;
    const where = o.source.replace(/\/\/[^@/]*@/, '//');
    try {
      src = await openStore({ databaseUrl: o.source, migrate: false, poolMax: 2 });
      await withTimeout(src.query('SELECT 1'), o.connectTimeoutSeconds ?? 15, `no answer within ${o.connectTimeoutSeconds ?? 15} s`);
    } catch (err) {
      await src?.close().catch(() => undefined);
      throw new VretSourceError(`The VRET source database ${where} cannot be reached (${(err as Error).message}). Nothing was written.`);
    }
    try {
      const loaded = await loadVretFromSource(src, o, vretConfig(o.config), o.tables);
      for (const t of [...loaded.transactions, ...loaded.rvr, loaded.l2c, loaded.led2chan, loaded.ledgers])
        inputs.push({ name: `sql:${t.name}`, sha256: tableChecksum(t), rows: t.rows.length });
      tx.push(...loaded.transactions);
      rvr.push(...loaded.rvr);
      sourceMappings.l2c = loaded.l2c;
      sourceMappings.led2chan = loaded.led2chan;
      sourceMappings.ledgers = loaded.ledgers;
    } catch (err) {
      throw new VretSourceError(`${(err as Error).message} Nothing was written.`);
    } finally {
      await src.close().catch(() => undefined);
    }
  }

  // Mappings: defaults, then the caller's, then the CSV folder's, then the source's (later wins).
  const fromCsv = readMappingTables(mappings);
  const fromSource = readMappingTables(sourceMappings);
  const mappingProblems = [...fromCsv.problems, ...fromSource.problems];
  const config = vretConfig({
    ...o.config,
    l2c: { ...o.config?.l2c, ...fromCsv.mappings.l2c, ...fromSource.mappings.l2c },
    led2chan: { ...o.config?.led2chan, ...fromCsv.mappings.led2chan, ...fromSource.mappings.led2chan },
    ledgers: { ...o.config?.ledgers, ...fromCsv.mappings.ledgers, ...fromSource.mappings.ledgers },
  });
  const builder = new VretRunBuilder({ ledger: o.ledger, geo: o.geo, period: o.period, runId }, config);
  builder.problems.unshift(...problems, ...mappingProblems);
  for (const t of tx) builder.addTransactions(t, { checkFieldCount: true });
  for (const t of rvr) builder.addRvr(t, { checkFieldCount: true });
  // The builder kept what it needs; let the input tables go before the THR files stream in.
  tx.length = 0;
  rvr.length = 0;

  // 3. THR files, streamed.
  if (o.thrDir) {
    for (const file of listThrFiles(o.thrDir)) {
      const r = await readThrFile(file, (chunk) => builder.addTransactions(chunk, { checkFieldCount: true }));
      inputs.push({ name: `thr:${r.file}`, sha256: r.sha256, rows: Math.max(0, r.lines - 1) });
    }
  }

  const run = finishVretRun(builder, { runId });
  return { runId, run, inputs, inputChecksum: inputChecksumOf(inputs) };
}

export function inputChecksumOf(inputs: VretJobResult['inputs']): string {
  return sha256(inputs.map((i) => `${i.name}:${i.sha256}`).sort().join('\n'));
}

async function writeOutputs(o: VretJobOptions, run: VretRun, runId: string, inputs: VretJobResult['inputs']): Promise<VretJobResult> {
  const ledgerPart = ledgerFilePart(o.ledger);
  const workbookName = `VRET_${ledgerPart}_${runId}.xlsx`;
  const spurshName = `SPURSH_${ledgerPart}_${runId}.csv`;
  fs.mkdirSync(o.outDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(o.outDir, `.vret-${runId}-`));
  const blocked = hasBlocking(run.problems);
  const specs = run.problems.length ? [...run.sheets, problemsSheet(run.problems)] : run.sheets;
  const inputChecksum = inputChecksumOf(inputs);
  try {
    const written = await writeWorkbookFile(path.join(staging, workbookName), specs);
    if (!blocked) await writeSpursh(path.join(staging, spurshName), run.spursh, run.config.spurshLineEnding);
    const resultChecksum = sha256(
      [await fileSha256(path.join(staging, workbookName)), blocked ? '' : await fileSha256(path.join(staging, spurshName))].join('\n'),
    );
    let recordedRunId: string | undefined;
    if (o.record) {
      const { store, audit } = o.record;
      const rowCounts = Object.fromEntries(run.result.counts.map((c) => [c.source, c.rowsSelected]));
      recordedRunId = await store.transaction(async (tx) => {
        const rec = await recordRun(
          tx,
          {
            job: 'vret',
            inputChecksum,
            rowCounts,
            mode: blocked ? 'blocked' : 'complete',
            options: { runId, ledger: o.ledger, geo: o.geo, period: o.period, inputs, problems: run.problems.length, files: [workbookName, ...(blocked ? [] : [spurshName])] },
            version: '1',
            resultChecksum,
          },
          o.userId ?? 'cli',
        );
        await audit.append(
          { actor: o.userId ?? 'cli', action: 'run.recorded', subjectType: 'run', subjectId: rec.id, details: { job: 'vret', runId, ledger: o.ledger, geo: o.geo, period: o.period } },
          tx,
        );
        return rec.id;
      });
    }
    // Everything is ready: move into place (same folder, so a rename).
    const workbookPath = path.join(o.outDir, workbookName);
    fs.renameSync(path.join(staging, workbookName), workbookPath);
    let spurshPath: string | undefined;
    if (!blocked) {
      spurshPath = path.join(o.outDir, spurshName);
      fs.renameSync(path.join(staging, spurshName), spurshPath);
    }
    return {
      runId,
      recordedRunId,
      workbookPath,
      spurshPath,
      spurshRows: run.spursh.rows.length,
      balances: run.balances,
      problems: run.problems,
      inputs,
      inputChecksum,
      resultChecksum,
      sheets: written.sheets,
    };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
