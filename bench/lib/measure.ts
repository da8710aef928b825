/**
 * What every job benchmark shares: running one contestant in its own process and reading its wall
 * time, CPU time and peak memory (GNU time's maximum resident set size of the process tree's largest
 * process), a results table with ratios against the peers, and cross-checks that stop the benchmark
 * loudly when the contestants disagree (a fast wrong answer is not a result).
 * Figures are printed, never asserted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

export const ROOT = path.join(__dirname, '..', '..');
export const OUT = path.join(ROOT, 'bench', 'out');
/** Debian's python3 has pandas and openpyxl; the python3 first on PATH may be another one. */
export const PYTHON = '/usr/bin/python3';
const TIME = '/usr/bin/time';

export interface Measured {
  seconds: number;
  cpuSeconds: number;
  peakMb: number;
  stdout: string;
  stderr: string;
  status: number;
}

/** Runs `cmd args` under GNU time. Exit statuses other than `ok` (default [0]) throw with the child's stderr. */
export function measure(cmd: string, args: string[], options: { ok?: number[]; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Measured {
  if (!fs.existsSync(TIME)) throw new Error(`${TIME} is missing: install the Debian package "time" (npm run bench installs it as root).`);
  fs.mkdirSync(OUT, { recursive: true });
  const timeFile = path.join(OUT, `.time-${process.pid}-${Date.now()}`);
  const r = spawnSync(TIME, ['-f', '%e %M %U %S', '-o', timeFile, cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
  });
  const status = r.status ?? 1;
  if (!(options.ok ?? [0]).includes(status)) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${status}):\n${(r.stderr ?? '').slice(-4000)}`);
  const [sec, kb, user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-4).map(Number) as [number, number, number, number];
  fs.rmSync(timeFile, { force: true });
  return { seconds: sec, cpuSeconds: user + sys, peakMb: kb / 1024, stdout: r.stdout, stderr: r.stderr, status };
}

/** A TypeScript file run by Node with tsx in one process (tsx's own CLI would add a second process). */
export function tsNode(script: string, args: string[] = [], nodeFlags: string[] = []): [string, string[]] {
  return [process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args]];
}

/** The `closedesk` command as a scheduled run starts it (bin/closedesk.js). */
export function closedeskCommand(args: string[]): [string, string[]] {
  return [process.execPath, [path.join(ROOT, 'bin', 'closedesk.js'), ...args]];
}

/** The last line of a child's stdout, as JSON (peers print their results last). */
export function lastJson<T>(m: Measured): T {
  const line = m.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`Expected a JSON result line, got: ${line.slice(0, 500)}`);
  }
}

export function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

export const f1 = (n: number) => n.toFixed(1);
export const f2 = (n: number) => n.toFixed(2);

export function loadAverage(): string {
  return `${os.cpus().length} cores, load average ${os.loadavg().map(f2).join(' ')}`;
}

/** One contestant's figures for the results table. */
export interface Entry {
  name: string;
  seconds: number;
  peakMb: number;
  /** What exactly was timed, in a few words. */
  what: string;
}

/**
 * Prints (and keeps for bench/out/<name>-results.md) a table: each contestant's time and peak memory,
 * and how many times faster CloseDesk (the first entry) is than each peer.
 */
export class Report {
  private lines: string[] = [];
  constructor(private readonly name: string) {}

  say(s = ''): void {
    this.lines.push(s);
    process.stdout.write(s + '\n');
  }

  table(title: string, entries: Entry[]): void {
    const ours = entries[0];
    if (!ours) return;
    this.say('');
    this.say(title);
    this.say('| contestant | what is timed | seconds | peak MB | peer time / CloseDesk time | peer memory / CloseDesk memory |');
    this.say('|---|---|---|---|---|---|');
    for (const e of entries) {
      const own = e === ours;
      this.say(`| ${e.name} | ${e.what} | ${f2(e.seconds)} | ${e.peakMb.toFixed(0)} | ${own ? '—' : `${f2(e.seconds / ours.seconds)}×`} | ${own ? '—' : `${f2(e.peakMb / ours.peakMb)}×`} |`);
    }
  }

  save(): void {
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, `${this.name}-results.md`), this.lines.join('\n') + '\n');
  }
}

/** Thrown when contestants disagree: the benchmark stops with both figures shown. */
export class CrossCheckFailed extends Error {}

/**
 * Compares named figures of each contestant against the first one; any difference throws, naming
 * the figure and every contestant's value.
 */
export function crossCheck(report: Report, what: string, results: Record<string, Record<string, number | string>>): void {
  const names = Object.keys(results);
  const [first, ...rest] = names;
  if (!first) return;
  const figures = Object.keys(results[first]!);
  const differ: string[] = [];
  for (const f of figures) {
    const ref = results[first]![f];
    if (rest.some((n) => results[n]![f] !== ref)) differ.push(`${f}: ${names.map((n) => `${n} ${results[n]![f]}`).join(', ')}`);
  }
  const summary = figures.map((f) => `${f} ${results[first]![f]}`).join(', ');
  if (differ.length) {
    report.say(`cross-check ${what}: DIFFERENT`);
    for (const d of differ) report.say(`  ${d}`);
    report.save();
    throw new CrossCheckFailed(`Cross-check failed (${what}): ${differ.join('; ')}`);
  }
  report.say(`cross-check ${what}: ${names.join(', ')} agree (${summary})`);
}
