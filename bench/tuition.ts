/**
 * `npm run bench -- tuition [--lines N] [--customers N]`: a month of tuition invoices from 1M expense
 * lines (20 partner files, two layouts) for 5,000 customers, on the same files and in one run, each in
 * its own process:
 *  - CloseDesk: `closedesk tuition <20 files> --month 2024-11 --out …` through bin/closedesk.js (the server built
 *    first, as deployed; read,
 *    check every row, aggregate, write invoices.csv and problems.csv);
 *  - DuckDB: the two layouts read with read_csv, words mapped, dates read, GROUP BY, invoices.csv
 *    (bench/duckdb-peer.ts);
 *  - pandas: read_csv per file, the same mapping, groupby, invoices.csv (bench/tuition_pandas.py).
 * Then the floor (bench/tuition-floor.ts), on one thread and on two: not a contestant, but the least a
 * JavaScript reader of these files does, which says how near CloseDesk's time is to what this machine allows.
 * Prints process wall time, peak memory and ratios, and cross-checks the invoice count, invoice lines,
 * total cents and cents per expense type: any difference stops the run. Figures are printed, never asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeTuitionData } from './tuition-data';
import { arg, buildCli, closedeskCommand, compiledNode, crossCheck, lastJson, hugePagesNote, loadAverage, measure, peerEnv, OUT, PYTHON, Report } from './lib/measure';

const DIR = path.join(OUT, 'tuition');
const MONTH = '2024-11';

interface Totals {
  invoices: number;
  invoiceLines: number;
  totalCents: number;
  byType: Record<string, number>;
}

function figures(t: Totals): Record<string, number> {
  return { invoices: t.invoices, invoiceLines: t.invoiceLines, totalCents: t.totalCents, ...Object.fromEntries(Object.keys(t.byType).sort().map((k) => [`cents ${k}`, t.byType[k]!])) };
}

/** CloseDesk's totals from its invoices.csv (Customer, Month, User, Expense Type, Amount, Currency) and its stdout. */
function closedeskTotals(outDir: string, stdout: string): Totals {
  const rows = fs.readFileSync(path.join(outDir, 'invoices.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  const byType: Record<string, number> = {};
  let total = 0;
  for (const l of rows) {
    const cells = l.split(',');
    const cents = Number(cells.at(-2)!.replace('.', ''));
    const type = cells.at(-3)!;
    byType[type] = (byType[type] ?? 0) + cents;
    total += cents;
  }
  return { invoices: stdout.split('\n').filter((l) => l.startsWith('invoice: ')).length, invoiceLines: rows.length, totalCents: total, byType };
}

/** CloseDesk's phases from its CLOSEDESK_TIMING lines ("timing: read 1620 ms wall, 1850 ms CPU"; build holds read). */
function closedeskPhases(stderr: string): string {
  const t: Record<string, [number, number]> = {};
  for (const m of stderr.matchAll(/^timing: (\w+) (\d+) ms wall, (\d+) ms CPU$/gm)) t[m[1]!] = [Number(m[2]) / 1000, Number(m[3]) / 1000];
  const { read, build, write, process: all } = t;
  if (!read || !build || !write || !all) return 'CloseDesk phases: not reported';
  const s = ([w, c]: [number, number]) => `${w.toFixed(2)} / ${c.toFixed(2)}`;
  const minus = (a: [number, number], ...b: [number, number][]): [number, number] => [a[0] - b.reduce((x, y) => x + y[0], 0), a[1] - b.reduce((x, y) => x + y[1], 0)];
  return `CloseDesk phases, wall / CPU (s): read and check ${s(read)}, learners and invoices ${s(minus(build, read))}, write ${s(write)}, start-up and the rest ${s(minus(all, build, write))}`;
}

export async function main(args: string[]): Promise<void> {
  const lines = arg(args, '--lines', 1_000_000);
  const customers = arg(args, '--customers', 5_000);
  const report = new Report('tuition');
  const dataDir = path.join(DIR, `data-${lines}-${customers}`);
  const t = Date.now();
  const files = fs.existsSync(path.join(dataDir, 'normalised.csv'))
    ? fs.readdirSync(dataDir).filter((f) => f.startsWith('partner-')).sort().map((f) => path.join(dataDir, f))
    : writeTuitionData(dataDir, lines, customers).files;
  report.say(`Tuition benchmark: ${lines.toLocaleString('en-US')} lines in ${files.length} partner files, ${customers.toLocaleString('en-US')} customers (${((Date.now() - t) / 1000).toFixed(1)} s to prepare) — ${loadAverage()}`);

  buildCli(report);
  const cdOut = path.join(DIR, 'closedesk-out');
  // (CLOSEDESK_TIMING: the CLI says each phase's wall and CPU time on stderr; the report prints them)
  const env = { ...process.env, CLOSEDESK_DATA_DIR: path.join(DIR, 'cli-data'), CLOSEDESK_HTTPS: 'off', CLOSEDESK_TIMING: '1' };
  const cd = measure(...closedeskCommand(['tuition', ...files, '--month', MONTH, '--out', cdOut]), { env });
  const dk = measure(process.execPath, [compiledNode(path.join(__dirname, 'duckdb-peer.ts')), 'tuition', MONTH, path.join(DIR, 'duckdb-out'), ...files], { env: peerEnv(files) });
  const pd = measure(PYTHON, [path.join(__dirname, 'tuition_pandas.py'), MONTH, path.join(DIR, 'pandas-out'), ...files], { env: peerEnv(files) });
  report.table(`Tuition, ${lines} lines in ${files.length} files → invoices.csv (process wall time, start-up included)`, [
    { name: 'CloseDesk', what: 'closedesk tuition: read, check every row, invoices.csv', seconds: cd.seconds, peakMb: cd.peakMb },
    { name: 'DuckDB', what: 'read_csv ×2 layouts + GROUP BY, invoices.csv', seconds: dk.seconds, peakMb: dk.peakMb },
    { name: 'pandas', what: 'read_csv per file + groupby, invoices.csv', seconds: pd.seconds, peakMb: pd.peakMb },
  ]);
  report.say(`CPU time (user+sys, every thread): CloseDesk ${cd.cpuSeconds.toFixed(2)} s, DuckDB ${dk.cpuSeconds.toFixed(2)} s, pandas ${pd.cpuSeconds.toFixed(2)} s`);
  report.say(closedeskPhases(cd.stderr));
  crossCheck(report, 'invoices, invoice lines and cents', {
    CloseDesk: figures(closedeskTotals(cdOut, cd.stdout)),
    DuckDB: figures(lastJson<Totals>(dk)),
    pandas: figures(lastJson<Totals>(pd)),
  });
  const floor = (threads: 1 | 2) => {
    const m = measure(process.execPath, [compiledNode(path.join(__dirname, 'tuition-floor.ts')), String(threads), ...files], { env: peerEnv(files) });
    return { m, sums: lastJson<{ lines: number; invoiceLines?: number; totalCents: number; readMs: number }>(m) };
  };
  const one = floor(1);
  const two = floor(2);
  const ours = closedeskTotals(cdOut, cd.stdout);
  // (the two-thread floor counts each half's learners apart: only its cents compare)
  crossCheck(report, "the floor's invoice lines and cents", {
    CloseDesk: { invoiceLines: ours.invoiceLines, totalCents: ours.totalCents },
    'floor, one thread': { invoiceLines: one.sums.invoiceLines ?? -1, totalCents: one.sums.totalCents },
  });
  crossCheck(report, "the two-thread floor's cents", { CloseDesk: { totalCents: ours.totalCents }, 'floor, two threads': { totalCents: two.sums.totalCents } });
  report.say(
    `Floor (bench/tuition-floor.ts; not a product: our splitter, then per line the look-ups and a sum per learner — no rule, problem, line kept, invoice or file): ` +
      `one thread ${one.m.seconds.toFixed(2)} s (read ${(one.sums.readMs / 1000).toFixed(2)} s), ` +
      `two threads on half the files each, nothing merged ${two.m.seconds.toFixed(2)} s (read ${(two.sums.readMs / 1000).toFixed(2)} s); ` +
      `CloseDesk ${cd.seconds.toFixed(2)} s is ${(cd.seconds / one.m.seconds).toFixed(2)}× the one-thread floor`,
  );
  report.say(hugePagesNote(files));
  report.say(`${loadAverage()} at end`);
  report.save();
}
