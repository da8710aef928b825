/**
 * `npm run bench -- fifo [--small N] [--large N] [--skip-large] [--skip-pandas]`: FIFO matching of reward cash.
 * Generates 1M and 10M transactions (about 12 per customer, ties on the hour, overspend) as CSV in
 * bench/out/ and runs, on the same file and in one run, each in its own process:
 *  - CloseDesk: `closedesk fifo <file> --out … --no-record` through bin/closedesk.js (the server built first, as
 *    deployed), every output file;
 *  - DuckDB: our own `closedesk fifo --sql` on the CSV loaded with read_csv, allocations.csv written
 *    (bench/duckdb-peer.ts);
 *  - pandas: the per-customer loop (bench/fifo_pandas.py, Debian python3-pandas), allocations only, 1M rows.
 * Prints times, peak memory and ratios, CloseDesk's phases (read, match, write), and cross-checks the
 * allocation count, allocated cents and unmatched cents of all three: any difference stops the run.
 * Figures are printed, never asserted. The machine may be shared: the load average is printed too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFifoCsv } from './fifo-data';
import { arg, buildCli, closedeskCommand, compiledNode, crossCheck, f2, lastJson, hugePagesNote, loadAverage, measure, peerEnv, OUT, PYTHON, Report, type Entry } from './lib/measure';

interface Totals {
  allocations: number;
  allocatedCents: number;
  unmatchedCount: number;
  unmatchedCents: number;
}

interface CloseDeskRun {
  entry: Entry;
  totals: Totals;
  timings: { readMs: number; matchMs: number; writeMs: number; readCpuMs?: number; matchCpuMs?: number; writeCpuMs?: number };
}

function dataFile(rows: number, report: Report): string {
  const f = path.join(OUT, `fifo-${rows}.csv`);
  if (!fs.existsSync(f)) {
    const t = Date.now();
    writeFifoCsv(f, rows);
    report.say(`generated ${f} (${(fs.statSync(f).size / 1e6).toFixed(0)} MB) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return f;
}

function closedesk(input: string, outDir: string): CloseDeskRun {
  fs.rmSync(outDir, { recursive: true, force: true });
  const [cmd, args] = closedeskCommand(['fifo', input, '--out', outDir, '--no-record']);
  const m = measure(cmd, args, { ok: [0, 2] });
  const report = JSON.parse(fs.readFileSync(path.join(outDir, 'analytics_report.json'), 'utf8'));
  return {
    entry: { name: 'CloseDesk', what: 'closedesk fifo, every output file', seconds: m.seconds, peakMb: m.peakMb },
    totals: { allocations: report.allocations, allocatedCents: report.allocatedCents, unmatchedCount: report.unmatchedCount, unmatchedCents: report.unmatchedCents },
    timings: report.timings,
  };
}

function duckdb(input: string, queries: { allocations: string; unmatched: string }, outDir: string): { entry: Entry; totals: Totals; load: number; query: number } {
  fs.rmSync(outDir, { recursive: true, force: true });
  const m = measure(process.execPath, [compiledNode(path.join(__dirname, 'duckdb-peer.ts')), 'fifo', input, queries.allocations, queries.unmatched, outDir], { env: peerEnv([input]) });
  const r = lastJson<Totals & { seconds: number; loadSeconds: number; querySeconds: number }>(m);
  return {
    entry: { name: 'DuckDB', what: 'our emitted SQL, allocations.csv (from process start)', seconds: r.seconds, peakMb: m.peakMb },
    totals: { allocations: r.allocations, allocatedCents: r.allocatedCents, unmatchedCount: r.unmatchedCount, unmatchedCents: r.unmatchedCents },
    load: r.loadSeconds,
    query: r.querySeconds,
  };
}

function pandas(input: string): { entry: Entry; totals: Totals; match: number } {
  const m = measure(PYTHON, [path.join(__dirname, 'fifo_pandas.py'), input, path.join(OUT, 'fifo-pandas-allocations.csv')], { env: peerEnv([input]) });
  const r = lastJson<Totals & { match: number }>(m);
  return {
    entry: { name: 'pandas', what: 'per-customer loop, allocations.csv', seconds: m.seconds, peakMb: m.peakMb },
    totals: { allocations: r.allocations, allocatedCents: r.allocatedCents, unmatchedCount: r.unmatchedCount, unmatchedCents: r.unmatchedCents },
    match: r.match,
  };
}

/** Our own SQL, as `closedesk fifo --sql` prints it. */
function emittedSql(): { allocations: string; unmatched: string } {
  const files = { allocations: path.join(OUT, 'fifo-allocations.sql'), unmatched: path.join(OUT, 'fifo-unmatched.sql') };
  for (const [output, file] of Object.entries(files)) {
    const [cmd, args] = closedeskCommand(['fifo', '--sql', '--output', output]);
    fs.writeFileSync(file, measure(cmd, args).stdout);
  }
  return files;
}

function phases(report: Report, rows: number, run: CloseDeskRun): void {
  const t = run.timings;
  report.say(`CloseDesk phases on ${rows} rows, wall (s): read+parse ${f2(t.readMs / 1000)} / match ${f2(t.matchMs / 1000)} / write ${f2(t.writeMs / 1000)}` +
    (t.readCpuMs !== undefined ? `; CPU (s): ${f2(t.readCpuMs / 1000)} / ${f2(t.matchCpuMs! / 1000)} / ${f2(t.writeCpuMs! / 1000)}` : ''));
}

export async function main(args: string[]): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const small = arg(args, '--small', 1_000_000);
  const large = arg(args, '--large', 10_000_000);
  const report = new Report('fifo');
  report.say(`FIFO benchmark — ${loadAverage()} at start`);
  buildCli(report);
  const queries = emittedSql();

  const smallFile = dataFile(small, report);
  const cd1 = closedesk(smallFile, path.join(OUT, 'fifo-closedesk-small'));
  const dk1 = duckdb(smallFile, queries, path.join(OUT, 'fifo-duckdb-small'));
  const pd1 = args.includes('--skip-pandas') ? undefined : pandas(smallFile);
  report.table(`FIFO, ${small} rows`, [cd1.entry, dk1.entry, ...(pd1 ? [pd1.entry] : [])]);
  phases(report, small, cd1);
  report.say(`DuckDB: load ${f2(dk1.load)} s, query + write ${f2(dk1.query)} s; matching alone: CloseDesk ${f2(cd1.timings.matchMs / 1000)} s` + (pd1 ? `, pandas loop ${f2(pd1.match)} s` : ''));
  report.say(hugePagesNote([smallFile]));
  crossCheck(report, `on ${small} rows`, { CloseDesk: { ...cd1.totals }, DuckDB: { ...dk1.totals }, ...(pd1 ? { pandas: { ...pd1.totals } } : {}) });

  if (!args.includes('--skip-large')) {
    const largeFile = dataFile(large, report);
    const cd10 = closedesk(largeFile, path.join(OUT, 'fifo-closedesk-large'));
    const dk10 = duckdb(largeFile, queries, path.join(OUT, 'fifo-duckdb-large'));
    report.table(`FIFO, ${large} rows (pandas left out: its loop takes minutes)`, [cd10.entry, dk10.entry]);
    phases(report, large, cd10);
    report.say(`DuckDB: load ${f2(dk10.load)} s, query + write ${f2(dk10.query)} s`);
    report.say(hugePagesNote([largeFile]));
    crossCheck(report, `on ${large} rows`, { CloseDesk: { ...cd10.totals }, DuckDB: { ...dk10.totals } });
  }
  report.say(`${loadAverage()} at end`);
  report.save();
}
