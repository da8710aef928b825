/**
 * `npm run bench -- fifo [--small N] [--large N] [--skip-large]`: FIFO matching of reward cash.
 * Generates 1M and 10M transactions (about 12 per customer, ties on the hour, overspend) as CSV in
 * bench/out/ and reports, in one run:
 *  - CloseDesk (`closedesk fifo`, every output file) against the pandas per-customer loop
 *    (bench/fifo_pandas.py, Debian python3-pandas) on 1M rows, as a ratio, with a cross-check of the
 *    allocation count and amount;
 *  - CloseDesk on 10M rows from CSV to every output, wall time and peak memory (max RSS);
 *  - matching alone against parsing alone (the CLI's own phase timings);
 *  - the CSV splitter against papaparse's stream mode (parse only, 1M rows).
 * Figures are printed, never asserted. The machine is shared: the load average is printed too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import Papa from 'papaparse';
import { writeFifoCsv } from './fifo-data';
import { streamCsvFields } from '../server/jobs/fifo/csv-stream';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(__dirname, 'out');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

interface Timed {
  seconds: number;
  maxRssMb: number;
  stdout: string;
}

function timed(cmd: string, args: string[]): Timed {
  const timeFile = path.join(OUT, `.fifo-time-${process.pid}`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, cwd: ROOT });
  if (r.status !== 0 && r.status !== 2) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const [sec, kb] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number) as [number, number];
  fs.rmSync(timeFile, { force: true });
  return { seconds: sec, maxRssMb: kb / 1024, stdout: r.stdout };
}

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

function dataFile(rows: number): string {
  const f = path.join(OUT, `fifo-${rows}.csv`);
  if (!fs.existsSync(f)) {
    const t = Date.now();
    writeFifoCsv(f, rows);
    process.stdout.write(`generated ${f} (${(fs.statSync(f).size / 1e6).toFixed(0)} MB) in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  }
  return f;
}

function pandasPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import pandas'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

interface CliRun extends Timed {
  report: {
    allocations: number;
    allocatedCents: number;
    unmatchedCount: number;
    unmatchedCents: number;
    timings: { readMs: number; matchMs: number; writeMs: number; readCpuMs?: number; matchCpuMs?: number; writeCpuMs?: number };
  };
}

function closedesk(input: string, outDir: string): CliRun {
  fs.rmSync(outDir, { recursive: true, force: true });
  const t = timed(TSX, [path.join(ROOT, 'server', 'cli.ts'), 'fifo', input, '--out', outDir, '--no-record']);
  const report = JSON.parse(fs.readFileSync(path.join(outDir, 'analytics_report.json'), 'utf8'));
  return { ...t, report };
}

async function parseOnly(file: string): Promise<{ splitter: number; papaparse: number; rows: number }> {
  let t = Date.now();
  let rows = 0;
  await streamCsvFields(file, () => void rows++);
  const splitter = (Date.now() - t) / 1000;
  t = Date.now();
  let papaRows = 0;
  await new Promise<void>((resolve, reject) => {
    Papa.parse(fs.createReadStream(file), { step: () => void papaRows++, complete: () => resolve(), error: reject });
  });
  const papaparse = (Date.now() - t) / 1000;
  if (papaRows !== rows) process.stdout.write(`note: papaparse counted ${papaRows} records, the splitter ${rows}\n`);
  return { splitter, papaparse, rows };
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

export async function main(args: string[]): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const small = arg(args, '--small', 1_000_000);
  const large = arg(args, '--large', 10_000_000);
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    process.stdout.write(s + '\n');
  };
  say(`FIFO benchmark — ${os.cpus().length} cores, load average ${os.loadavg().map(f2).join(' ')} at start`);
  const smallFile = dataFile(small);

  const parse = await parseOnly(smallFile);
  const cd1 = closedesk(smallFile, path.join(OUT, 'fifo-closedesk-small'));
  const py = pandasPython();
  let pandas: { seconds: number; maxRssMb: number; parsed: { parse: number; match: number; write: number; allocations: number; allocatedCents: number; unmatchedCents: number } } | undefined;
  if (py) {
    const t = timed(py, [path.join(__dirname, 'fifo_pandas.py'), smallFile, path.join(OUT, 'fifo-pandas-allocations.csv')]);
    pandas = { seconds: t.seconds, maxRssMb: t.maxRssMb, parsed: JSON.parse(t.stdout.trim().split('\n').pop()!) };
  }
  let cd10: CliRun | undefined;
  if (!args.includes('--skip-large')) cd10 = closedesk(dataFile(large), path.join(OUT, 'fifo-closedesk-large'));

  say('');
  say(`| measure | rows | CloseDesk | peer | ratio |`);
  say(`|---|---|---|---|---|`);
  say(`| CSV parse only (s): splitter vs papaparse stream | ${parse.rows - 1} | ${f2(parse.splitter)} | ${f2(parse.papaparse)} | ${f1(parse.papaparse / parse.splitter)}× |`);
  if (pandas)
    say(`| FIFO end to end (s): closedesk fifo (all outputs) vs pandas loop (allocations only) | ${small} | ${f2(cd1.seconds)} | ${f2(pandas.seconds)} | ${f1(pandas.seconds / cd1.seconds)}× faster |`);
  else say(`| FIFO end to end (s) | ${small} | ${f2(cd1.seconds)} | pandas not importable | — |`);
  if (pandas)
    say(`| matching alone (s): engine vs pandas loop | ${small} | ${f2(cd1.report.timings.matchMs / 1000)} | ${f2(pandas.parsed.match)} | ${f1(pandas.parsed.match / (cd1.report.timings.matchMs / 1000))}× |`);
  say(`| peak memory (MB) | ${small} | ${f1(cd1.maxRssMb)} | ${pandas ? f1(pandas.maxRssMb) : '—'} | |`);
  if (cd10) {
    const t = cd10.report.timings;
    say(`| CloseDesk 10M CSV → every output (s) | ${large} | ${f2(cd10.seconds)} | target ≤ 60 | |`);
    say(`| CloseDesk 10M peak memory (MB) | ${large} | ${f1(cd10.maxRssMb)} | target ≤ 4096 | |`);
    say(`| 10M phases (s): read+parse / match / write | ${large} | ${f2(t.readMs / 1000)} / ${f2(t.matchMs / 1000)} / ${f2(t.writeMs / 1000)} | | match/parse = ${f2(t.matchMs / t.readMs)} (target ≤ 0.5) |`);
    if (t.readCpuMs !== undefined)
      say(`| 10M phases, CPU (s): read+parse / match / write | ${large} | ${f2(t.readCpuMs / 1000)} / ${f2(t.matchCpuMs! / 1000)} / ${f2(t.writeCpuMs! / 1000)} | | match/parse = ${f2(t.matchCpuMs! / t.readCpuMs)} |`);
  }
  const t1 = cd1.report.timings;
  say(`| 1M phases (s): read+parse / match / write | ${small} | ${f2(t1.readMs / 1000)} / ${f2(t1.matchMs / 1000)} / ${f2(t1.writeMs / 1000)} | | match/parse = ${f2(t1.matchMs / t1.readMs)} |`);
  if (pandas) {
    const same = pandas.parsed.allocations === cd1.report.allocations && pandas.parsed.allocatedCents === cd1.report.allocatedCents && pandas.parsed.unmatchedCents === cd1.report.unmatchedCents;
    say('');
    say(`cross-check on ${small} rows: CloseDesk ${cd1.report.allocations} allocations / ${cd1.report.allocatedCents} cents / unmatched ${cd1.report.unmatchedCents}; pandas ${pandas.parsed.allocations} / ${pandas.parsed.allocatedCents} / ${pandas.parsed.unmatchedCents} → ${same ? 'identical' : 'DIFFERENT'}`);
  }
  say(`load average ${os.loadavg().map(f2).join(' ')} at end`);
  fs.writeFileSync(path.join(OUT, 'fifo-results.md'), lines.join('\n') + '\n');
}
