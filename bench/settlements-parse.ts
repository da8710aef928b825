/**
 * `npm run bench -- settlements-parse [--lines N]`: a generated 1M-line settlement flat file V2, totalled
 * per (transaction-type, amount-type, amount-description), on the same file and in one run, each in its
 * own process:
 *  - CloseDesk: the bytes read by the settlements reader (date/decimal detection, problems, the
 *    total-amount = Σ details invariant), then sums in integer cents;
 *  - DuckDB: read_csv + GROUP BY (bench/duckdb-peer.ts);
 *  - pandas: read_csv + groupby (bench/settlements_pandas.py).
 * Prints process wall time (start-up included for all three), peak memory and ratios, and cross-checks
 * the line count, the totals per type and the invariant's two figures: any difference stops the run.
 * Figures are printed, never asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeSettlementFile } from './settlements-parse-data';
import { parseSettlementFile } from '../src/settlements/parse';
import { arg, compiledNode, crossCheck, lastJson, loadAverage, measure, OUT, PYTHON, Report } from './lib/measure';

/** The CloseDesk side, in its own process so its time and memory are its own. */
export function child([file]: string[]): void {
  const bytes = new Uint8Array(fs.readFileSync(file!));
  const r = parseSettlementFile({ name: path.basename(file!), bytes });
  const s = r.settlement!;
  const groups = new Map<string, number>();
  for (const l of s.lines) {
    const k = `${l.transactionType}|${l.amountType}|${l.amountDescription}`;
    groups.set(k, (groups.get(k) ?? 0) + l.cents);
  }
  process.stdout.write(
    JSON.stringify({ seconds: performance.now() / 1000, lines: s.lines.length, groups: Object.fromEntries(groups), total_cents: s.totalCents, detail_cents: s.detailCents, problems: r.problems.length }) + '\n',
  );
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

  const cd = measure(process.execPath, [compiledNode(__filename, 'child'), file!]);
  const dk = measure(process.execPath, [compiledNode(path.join(__dirname, 'duckdb-peer.ts')), 'settlements', file]);
  const pd = measure(PYTHON, [path.join(__dirname, 'settlements_pandas.py'), file]);
  const [cdr, dkr, pdr] = [lastJson<Result>(cd), lastJson<Result>(dk), lastJson<Result>(pd)];
  report.table(`Settlement flat file V2, ${lines} lines → totals per type (process wall time, start-up included)`, [
    { name: 'CloseDesk', what: 'settlements reader + sums in cents', seconds: cd.seconds, peakMb: cd.peakMb },
    { name: 'DuckDB', what: 'read_csv + GROUP BY', seconds: dk.seconds, peakMb: dk.peakMb },
    { name: 'pandas', what: 'read_csv + groupby', seconds: pd.seconds, peakMb: pd.peakMb },
  ]);
  report.say(`inside the process: CloseDesk ${cdr.seconds.toFixed(2)} s since start, DuckDB ${dkr.seconds.toFixed(2)} s since start, pandas ${pdr.seconds.toFixed(2)} s after its imports`);
  crossCheck(report, 'line count, totals per type and the invariant', { CloseDesk: figures(cdr), DuckDB: figures(dkr), pandas: figures(pdr) });
  report.say(`${loadAverage()} at end`);
  report.save();
}
