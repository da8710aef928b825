/**
 * `npm run bench -- settlements-parse [--lines N]`: a generated 1M-line settlement flat file V2, totalled
 * per (transaction-type, amount-type, amount-description), on the same file and in one run, each in its
 * own process:
 *  - CloseDesk: the file read as the CLI reads it (server/jobs/settlements/read-file.ts: the settlements
 *    reader, src/settlements/read.ts — date/decimal detection, problems, the total-amount = Σ details
 *    invariant — through a window in two parts on two threads, joined), then sums in integer cents per group;
 *  - DuckDB: read_csv + GROUP BY (bench/duckdb-peer.ts);
 *  - pandas: read_csv + groupby (bench/settlements_pandas.py).
 * Prints process wall time (start-up included for all three), CPU time, peak memory and ratios, and cross-checks
 * the line count, the totals per type and the invariant's two figures: any difference stops the run.
 * Figures are printed, never asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeSettlementFile } from './settlements-parse-data';
import { readSettlementFileAt } from '../server/jobs/settlements/read-file';
import { arg, compiledNode, crossCheck, lastJson, loadAverage, measure, OUT, PYTHON, Report } from './lib/measure';

/**
 * The CloseDesk side, in its own process so its time and memory are its own: the reader's lines as
 * columns, grouped by the integer ids of their three texts (no object per line is needed for a total).
 */
export async function child([file]: string[]): Promise<void> {
  const r = await readSettlementFileAt(file!, { fields: ['transactionType', 'amountType', 'amountDescription'] });
  const s = r.settlement!;
  const lines = s.lines;
  const type = lines.ids('transactionType');
  const amountType = lines.ids('amountType');
  const description = lines.ids('amountDescription');
  // one slot per (type, amount type, description) id triple: the texts are few
  const width = type.values.length;
  const sums = new Float64Array(width * width * width);
  const used = new Uint8Array(sums.length);
  for (let i = 0; i < lines.count; i++) {
    const k = (type.ids[i]! * width + amountType.ids[i]!) * width + description.ids[i]!;
    sums[k]! += lines.cents[i]!;
    used[k] = 1;
  }
  const groups: Record<string, number> = {};
  for (let k = 0; k < sums.length; k++) {
    if (!used[k]) continue;
    const cents = sums[k]!;
    const d = k % width;
    const a = Math.floor(k / width) % width;
    const t = Math.floor(k / width / width);
    groups[`${type.values[t]}|${amountType.values[a]}|${description.values[d]}`] = cents;
  }
  process.stdout.write(JSON.stringify({ seconds: performance.now() / 1000, lines: lines.count, groups, total_cents: s.totalCents, detail_cents: s.detailCents, problems: r.problems.length }) + '\n');
}

interface Result {
  seconds: number;
  lines: number;
  groups: Record<string, number>;
  total_cents: number;
  detail_cents: number;
}

/** The figures compared across contestants: line count, the invariant's two sides, each group's cents. */
function figures(r: Result): Record<string, number> {
  const out: Record<string, number> = { lines: r.lines, total_cents: r.total_cents, detail_cents: r.detail_cents, groups: Object.keys(r.groups).length };
  for (const k of Object.keys(r.groups).sort()) out[`cents ${k}`] = r.groups[k]!;
  return out;
}

export async function main(args: string[]): Promise<void> {
  const lines = arg(args, '--lines', 1_000_000);
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `settlement-v2-${lines}.txt`);
  const report = new Report('settlements-parse');
  const g0 = Date.now();
  if (!fs.existsSync(file)) writeSettlementFile(file, lines);
  report.say(`Settlement parse benchmark: V2 file of ${lines} lines, ${(fs.statSync(file).size / 1e6).toFixed(0)} MB (${((Date.now() - g0) / 1000).toFixed(1)} s to prepare) — ${loadAverage()}`);

  // the reader's worker thread, compiled beside the child as the build puts it beside its host
  compiledNode(path.join(__dirname, '..', 'server', 'jobs', 'settlements', 'read-file-worker.ts'));
  const cd = measure(process.execPath, [compiledNode(__filename, 'child'), file!]);
  const dk = measure(process.execPath, [compiledNode(path.join(__dirname, 'duckdb-peer.ts')), 'settlements', file]);
  const pd = measure(PYTHON, [path.join(__dirname, 'settlements_pandas.py'), file]);
  const [cdr, dkr, pdr] = [lastJson<Result>(cd), lastJson<Result>(dk), lastJson<Result>(pd)];
  report.table(`Settlement flat file V2, ${lines} lines → totals per type (process wall time, start-up included)`, [
    { name: 'CloseDesk', what: 'settlements reader + sums in cents', seconds: cd.seconds, peakMb: cd.peakMb },
    { name: 'DuckDB', what: 'read_csv + GROUP BY', seconds: dk.seconds, peakMb: dk.peakMb },
    { name: 'pandas', what: 'read_csv + groupby', seconds: pd.seconds, peakMb: pd.peakMb },
  ]);
  report.say(`CPU time (user+sys, every thread): CloseDesk ${cd.cpuSeconds.toFixed(2)} s, DuckDB ${dk.cpuSeconds.toFixed(2)} s, pandas ${pd.cpuSeconds.toFixed(2)} s`);
  report.say(`inside the process: CloseDesk ${cdr.seconds.toFixed(2)} s since start, DuckDB ${dkr.seconds.toFixed(2)} s since start, pandas ${pdr.seconds.toFixed(2)} s after its imports`);
  crossCheck(report, 'line count, totals per type and the invariant', { CloseDesk: figures(cdr), DuckDB: figures(dkr), pandas: figures(pdr) });
  report.say(`${loadAverage()} at end`);
  report.save();
}
