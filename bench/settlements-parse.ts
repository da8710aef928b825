/**
 * `npm run bench -- settlements-parse [--lines N]`: parse a generated 1M-line settlement flat file V2
 * and total it per (transaction-type, amount-type, amount-description), CloseDesk (decode bytes,
 * `parseSettlementFile` with date/decimal detection and the total invariant, then sums in integer
 * cents) against a pandas `read_csv` + `groupby` peer (bench/settlements_pandas.py, floats), each in its
 * own process. Prints wall time, peak memory and the ratio, and checks both found the same totals.
 * Figures are printed, never asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeSettlementFile } from './settlements-parse-data';
import { parseSettlementFile } from '../src/settlements/parse';

const OUT = path.join(__dirname, 'out');
const PYTHON = '/usr/bin/python3'; // Debian's python3 has pandas; the one first on PATH may not

function timed(cmd: string, args: string[]): { seconds: number; maxRssMb: number; stdout: string } {
  const timeFile = path.join(OUT, `.time-${process.pid}`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, cwd: path.join(__dirname, '..') });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const [sec, kb] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number) as [number, number];
  fs.rmSync(timeFile, { force: true });
  return { seconds: sec, maxRssMb: kb / 1024, stdout: r.stdout };
}

/** The CloseDesk side, in its own process so its time and memory are its own. */
async function child(file: string): Promise<void> {
  const t0 = performance.now();
  const bytes = new Uint8Array(fs.readFileSync(file));
  const r = parseSettlementFile({ name: path.basename(file), bytes });
  const s = r.settlement!;
  const groups = new Map<string, number>();
  for (const l of s.lines) {
    const k = `${l.transactionType}|${l.amountType}|${l.amountDescription}`;
    groups.set(k, (groups.get(k) ?? 0) + l.cents);
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    JSON.stringify({ seconds, lines: s.lines.length, groups: Object.fromEntries(groups), total_cents: s.totalCents, detail_cents: s.detailCents, problems: r.problems.length }) + '\n',
  );
}

interface Result {
  seconds: number;
  lines: number;
  groups: Record<string, number>;
  total_cents: number;
  detail_cents: number;
}

export async function main(args: string[]): Promise<void> {
  if (args[0] === '--child') return child(args[1]!);
  const i = args.indexOf('--lines');
  const lines = i >= 0 ? Number(args[i + 1]) : 1_000_000;
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `settlement-v2-${lines}.txt`);
  const g0 = Date.now();
  if (!fs.existsSync(file)) writeSettlementFile(file, lines);
  const mb = fs.statSync(file).size / 1e6;
  process.stdout.write(`Settlement parse benchmark: V2 file of ${lines} lines, ${mb.toFixed(0)} MB (${((Date.now() - g0) / 1000).toFixed(1)} s to prepare)\n`);

  const cd = timed(process.execPath, [...process.execArgv, path.join(__dirname, 'run.ts'), 'settlements-parse', '--child', file]);
  const cdr = JSON.parse(cd.stdout.trim().split('\n').pop()!) as Result;
  const py = timed(PYTHON, [path.join(__dirname, 'settlements_pandas.py'), file]);
  const pyr = JSON.parse(py.stdout.trim().split('\n').pop()!) as Result;

  const same = cdr.lines === pyr.lines && cdr.total_cents === pyr.total_cents && cdr.detail_cents === pyr.detail_cents &&
    Object.keys(pyr.groups).length === Object.keys(cdr.groups).length && Object.entries(pyr.groups).every(([k, v]) => cdr.groups[k] === v);
  const row = (name: string, r: Result, t: { seconds: number; maxRssMb: number }) =>
    `${name.padEnd(26)} ${r.seconds.toFixed(2).padStart(7)} s parse+group  ${t.seconds.toFixed(2).padStart(7)} s process  ${t.maxRssMb.toFixed(0).padStart(6)} MB peak`;
  process.stdout.write(row('CloseDesk (TypeScript)', cdr, cd) + '\n');
  process.stdout.write(row('pandas read_csv + groupby', pyr, py) + '\n');
  process.stdout.write(`ratio CloseDesk / pandas: ${(cdr.seconds / pyr.seconds).toFixed(2)} (parse+group), ${(cd.seconds / py.seconds).toFixed(2)} (whole process)\n`);
  process.stdout.write(`same totals per type and same invariant (total ${cdr.total_cents} = Σ ${cdr.detail_cents} cents): ${same ? 'yes' : 'NO'}\n`);
}
