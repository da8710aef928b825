/**
 * `npm run bench -- vret [--tx N] [--rvr N] [--thr N]`: 200k transactions, 50k RVR rows and a 1M-line THR
 * file → VRET workbook + SPURSH, CloseDesk (the `closedesk vret` job: streaming THR reader, exceljs
 * streaming writer) against a Python csv + openpyxl write-only peer (bench/vret_openpyxl.py) producing
 * the same sheets, in one run. Reports wall time of each, the ratio, CloseDesk's peak memory (max RSS),
 * and checks that both SPURSH files are identical. Figures are printed, never asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { countBlocking } from '../src/kernel/problems';
import { runVretJob } from '../server/jobs/vret/job';
import { vretBenchData } from './vret-data';

const OUT = path.join(__dirname, 'out');

/** Wall and CPU seconds (user + system; fairer on a shared machine) and peak memory of a child process. */
function timed(cmd: string, args: string[]): { seconds: number; cpuSeconds: number; maxRssMb: number; stdout: string } {
  const timeFile = path.join(OUT, `.time-${process.pid}`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, cwd: path.join(__dirname, '..') });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const [sec, kb, user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-4).map(Number) as [number, number, number, number];
  fs.rmSync(timeFile, { force: true });
  return { seconds: sec, cpuSeconds: user + sys, maxRssMb: kb / 1024, stdout: r.stdout };
}

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** The CloseDesk side, run in its own process so its peak memory is its own. */
async function child(dataDir: string, outDir: string): Promise<void> {
  const t0 = Date.now();
  const r = await runVretJob({
    ledger: 'Amazon.eu',
    geo: 'DE',
    period: '2024-11',
    inputsDir: path.join(dataDir, 'inputs'),
    thrDir: path.join(dataDir, 'thr'),
    outDir,
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

export async function main(args: string[]): Promise<void> {
  const sizes = { transactions: arg(args, '--tx', 200_000), rvr: arg(args, '--rvr', 50_000), thrLines: arg(args, '--thr', 1_000_000) };
  fs.mkdirSync(OUT, { recursive: true });
  process.stdout.write(`VRET benchmark: ${sizes.transactions} transactions, ${sizes.rvr} RVR rows, THR file of ${sizes.thrLines} lines\n`);
  const g0 = Date.now();
  const data = await vretBenchData(OUT, sizes);
  process.stdout.write(`data: ${data} (${((Date.now() - g0) / 1000).toFixed(1)} s to prepare)\n`);
  const ourOut = path.join(data, 'out-closedesk');
  const peerOut = path.join(data, 'out-openpyxl');
  for (const d of [ourOut, peerOut]) fs.rmSync(d, { recursive: true, force: true });

  const ours = timed(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', path.join(__dirname, 'vret.ts'), '--child', data, ourOut]);
  const ourResult = JSON.parse(ours.stdout.trim().split('\n').pop()!);
  const peer = timed('/usr/bin/python3', [path.join(__dirname, 'vret_openpyxl.py'), data, peerOut]);
  const peerResult = JSON.parse(peer.stdout.trim().split('\n').pop()!);

  const ourSpursh = fs.readFileSync(path.join(ourOut, 'SPURSH_Amazon.eu_BENCH.csv'));
  const peerSpursh = fs.readFileSync(path.join(peerOut, 'SPURSH_Amazon.eu_PEER.csv'));
  const ourCounts: Record<string, number> = Object.fromEntries(ourResult.sheets.map((s: { name: string; rows: number }) => [s.name, s.rows]));
  const sameRows = Object.entries(peerResult.counts as Record<string, number>).every(([k, v]) => ourCounts[k] === v);
  const bytes = (f: string) => (fs.statSync(f).size / 1e6).toFixed(1);

  process.stdout.write(
    [
      '',
      `sheet rows (CloseDesk / peer): ${Object.entries(peerResult.counts as Record<string, number>)
        .map(([k, v]) => `${k} ${ourCounts[k]}/${v}`)
        .join(', ')} — ${sameRows ? 'same' : 'DIFFERENT'}`,
      `SPURSH lines: ${ourResult.spurshRows} / ${peerResult.spurshRows}; files ${ourSpursh.equals(peerSpursh) ? 'byte-identical' : 'DIFFERENT'}`,
      `workbook size: CloseDesk ${bytes(path.join(ourOut, 'VRET_Amazon.eu_BENCH.xlsx'))} MB, peer ${bytes(path.join(peerOut, 'VRET_Amazon.eu_PEER.xlsx'))} MB`,
      `balance: ${ourResult.balances.map((b: { currency: string; debits: number; credits: number; difference: number }) => `${b.currency} debits ${b.debits} credits ${b.credits} difference ${b.difference} (cents)`).join('; ')}`,
      '',
      `CloseDesk (node, exceljs streaming): ${ours.seconds.toFixed(1)} s wall, ${ours.cpuSeconds.toFixed(1)} s CPU, peak memory ${ours.maxRssMb.toFixed(0)} MB`,
      `peer (python csv + openpyxl write-only): ${peer.seconds.toFixed(1)} s wall, ${peer.cpuSeconds.toFixed(1)} s CPU (in-script: build ${peerResult.buildSeconds.toFixed(1)} s, write ${peerResult.writeSeconds.toFixed(1)} s), peak memory ${peer.maxRssMb.toFixed(0)} MB`,
      `ratio (peer / CloseDesk): wall ${(peer.seconds / ours.seconds).toFixed(2)}×, CPU ${(peer.cpuSeconds / ours.cpuSeconds).toFixed(2)}× (target ≥ 2×); CloseDesk peak memory ${ours.maxRssMb.toFixed(0)} MB (target ≤ 1536 MB)`,
      '',
    ].join('\n'),
  );
}

if (process.argv[2] === '--child') {
  child(process.argv[3]!, process.argv[4]!).catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
