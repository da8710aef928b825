/**
 * `npm run bench -- vret [--tx N] [--rvr N] [--thr N]`: 200k transactions, 50k RVR rows and a 1M-line THR
 * file → VRET workbook + SPURSH, on the same data and in one run, each in its own process:
 *  - CloseDesk: the `closedesk vret` job (runVretJob: streaming THR reader, streaming xlsx writer);
 *  - openpyxl: Python csv + openpyxl write-only workbook producing the same sheets (bench/vret_openpyxl.py);
 *  - DuckDB: the same selection, RVR matching and journals in SQL, each sheet's rows as CSV (bench/duckdb-peer.ts).
 * Prints wall and CPU time, peak memory and ratios; cross-checks each sheet's row count, SPURSH rows and
 * cents, and that the three SPURSH files are byte-identical: any difference stops the run.
 * Figures are printed, never asserted. */
import fs from 'node:fs';
import path from 'node:path';
import { countBlocking } from '../src/kernel/problems';
import { runVretJob } from '../server/jobs/vret/job';
import { vretBenchData } from './vret-data';
import { arg, compiledNode, crossCheck, f1, f2, lastJson, loadAverage, measure, OUT, PYTHON, Report } from './lib/measure';

/** The CloseDesk side, run in its own process so its peak memory is its own. */
export async function child([dataDir, outDir]: string[]): Promise<void> {
  const t0 = Date.now();
  const r = await runVretJob({
    ledger: 'Amazon.eu',
    geo: 'DE',
    period: '2024-11',
    inputsDir: path.join(dataDir!, 'inputs'),
    thrDir: path.join(dataDir!, 'thr'),
    outDir: outDir!,
    runId: 'BENCH',
  });
  process.stdout.write(
    JSON.stringify({
      seconds: (Date.now() - t0) / 1000,
      sheets: r.sheets,
      spurshRows: r.spurshRows,
      problems: r.problems.length,
      blocking: countBlocking(r.problems),
      balances: r.balances,
    }) + '\n',
  );
}

interface Counts {
  counts: Record<string, number>;
  spurshRows: number;
}

/** SPURSH rows and their cents per amount column, from the CSV file a contestant wrote. */
function spurshTotals(file: string): Record<string, number> {
  const [, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\r\n');
  const out: Record<string, number> = { 'SPURSH rows': rows.length };
  for (const c of ['TRANSACTION_AMOUNT', 'RVR_AMOUNT', 'FUNDING_AMOUNT']) out[`SPURSH ${c} cents`] = 0;
  for (const r of rows) {
    const cells = r.split(',');
    const tail = cells.slice(-3); // the three amounts end every row (a vendor name may hold a quoted comma)
    ['TRANSACTION_AMOUNT', 'RVR_AMOUNT', 'FUNDING_AMOUNT'].forEach((c, i) => (out[`SPURSH ${c} cents`]! += Number(tail[i]!.replace('.', ''))));
  }
  return out;
}

export async function main(args: string[]): Promise<void> {
  const sizes = { transactions: arg(args, '--tx', 200_000), rvr: arg(args, '--rvr', 50_000), thrLines: arg(args, '--thr', 1_000_000) };
  fs.mkdirSync(OUT, { recursive: true });
  const report = new Report('vret');
  report.say(`VRET benchmark: ${sizes.transactions} transactions, ${sizes.rvr} RVR rows, THR file of ${sizes.thrLines} lines — ${loadAverage()}`);
  const g0 = Date.now();
  const data = await vretBenchData(OUT, sizes);
  report.say(`data: ${data} (${((Date.now() - g0) / 1000).toFixed(1)} s to prepare)`);
  const ourOut = path.join(data, 'out-closedesk');
  const peerOut = path.join(data, 'out-openpyxl');
  const duckOut = path.join(data, 'out-duckdb');
  for (const d of [ourOut, peerOut, duckOut]) fs.rmSync(d, { recursive: true, force: true });

  const ours = measure(process.execPath, [compiledNode(__filename, 'child'), data, ourOut]);
  const ourResult = lastJson<Counts & { balances: { currency: string; debits: number; credits: number; difference: number }[] }>(ours);
  const peer = measure(PYTHON, [path.join(__dirname, 'vret_openpyxl.py'), data, peerOut]);
  const peerResult = lastJson<Counts & { buildSeconds: number; writeSeconds: number }>(peer);
  const duck = measure(process.execPath, [compiledNode(path.join(__dirname, 'duckdb-peer.ts')), 'vret', data, duckOut]);
  const duckResult = lastJson<Counts>(duck);

  const ourCounts: Record<string, number> = Object.fromEntries((ourResult as unknown as { sheets: { name: string; rows: number }[] }).sheets.map((s) => [s.name, s.rows]));
  report.table('VRET: inputs + 1M-line THR → workbook and SPURSH (process wall time, start-up included)', [
    { name: 'CloseDesk', what: 'VRET job: THR streamed, xlsx (exceljs streaming) + SPURSH', seconds: ours.seconds, peakMb: ours.peakMb },
    { name: 'openpyxl', what: 'python csv + openpyxl write-only xlsx + SPURSH', seconds: peer.seconds, peakMb: peer.peakMb },
    { name: 'DuckDB', what: 'the same selection, matching and journals in SQL; sheets as CSV (no xlsx writer)', seconds: duck.seconds, peakMb: duck.peakMb },
  ]);
  report.say(`CPU seconds: CloseDesk ${f1(ours.cpuSeconds)}, openpyxl ${f1(peer.cpuSeconds)} (in-script: build ${f1(peerResult.buildSeconds)} s, write ${f1(peerResult.writeSeconds)} s), DuckDB ${f1(duck.cpuSeconds)}; openpyxl/CloseDesk CPU ${f2(peer.cpuSeconds / ours.cpuSeconds)}×`);
  const bytes = (f: string) => (fs.statSync(f).size / 1e6).toFixed(1);
  report.say(`workbook size: CloseDesk ${bytes(path.join(ourOut, 'VRET_Amazon.eu_BENCH.xlsx'))} MB, openpyxl ${bytes(path.join(peerOut, 'VRET_Amazon.eu_PEER.xlsx'))} MB`);
  report.say(`balance: ${ourResult.balances.map((b) => `${b.currency} debits ${b.debits} credits ${b.credits} difference ${b.difference} (cents)`).join('; ')}`);
  const ourSpursh = path.join(ourOut, 'SPURSH_Amazon.eu_BENCH.csv');
  const peerSpursh = path.join(peerOut, 'SPURSH_Amazon.eu_PEER.csv');
  const duckSpursh = path.join(duckOut, 'SPURSH_Amazon.eu_DUCKDB.csv');
  const sheetFigures = (c: Record<string, number>) => Object.fromEntries(Object.keys(peerResult.counts).map((k) => [`${k} rows`, c[k] ?? -1]));
  crossCheck(report, 'sheet rows and SPURSH totals', {
    CloseDesk: { ...sheetFigures(ourCounts), ...spurshTotals(ourSpursh) },
    openpyxl: { ...sheetFigures(peerResult.counts), ...spurshTotals(peerSpursh) },
    DuckDB: { ...sheetFigures(duckResult.counts), ...spurshTotals(duckSpursh) },
  });
  const identical = (a: string, b: string) => fs.readFileSync(a).equals(fs.readFileSync(b));
  if (!identical(ourSpursh, peerSpursh) || !identical(ourSpursh, duckSpursh)) {
    report.say(`cross-check SPURSH bytes: DIFFERENT (CloseDesk ${ourSpursh}, openpyxl ${peerSpursh}, DuckDB ${duckSpursh})`);
    report.save();
    throw new Error('The SPURSH files differ.');
  }
  report.say('cross-check SPURSH bytes: the three files are byte-identical');
  report.say(`${loadAverage()} at end`);
  report.save();
}
