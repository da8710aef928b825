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

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hugePagesFor, withHugePages } = require('../../bin/huge-pages.js') as { hugePagesFor(args: string[]): boolean; withHugePages(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv };

/**
 * The environment a peer of a `closedesk` job runs in: glibc's malloc on transparent huge pages when
 * closedesk runs the job on these input files with them (bin/huge-pages.js), so that no contestant
 * wins by that setting alone (DuckDB keeps its own allocator; pandas' arrays come from glibc's).
 */
export function peerEnv(files: string[]): NodeJS.ProcessEnv {
  return hugePagesFor(files) ? withHugePages(process.env) : process.env;
}
/** Said in a report: which runs had huge pages. */
export function hugePagesNote(files: string[]): string {
  return hugePagesFor(files) ? 'closedesk ran with glibc huge pages (bin/huge-pages.js: large input), and so did its peers' : 'no contestant ran with glibc huge pages (bin/huge-pages.js: input too small)';
}

/** The `closedesk` command as a scheduled run starts it (bin/closedesk.js: the build when it is current). */
export function closedeskCommand(args: string[]): [string, string[]] {
  return [process.execPath, [path.join(ROOT, 'bin', 'closedesk.js'), ...args]];
}

let built = false;
/**
 * Compiles the server as deployed (`npm run build:server`, dist/), so bin/closedesk.js runs compiled
 * JavaScript as a production scheduler would, not the sources through tsx. Once per benchmark run.
 */
export function buildCli(report: { say(s: string): void }): void {
  if (built) return;
  const t = Date.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.server.json')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Building the server failed:\n${r.stdout}${r.stderr}`);
  built = true;
  report.say(`built the CLI (tsc -p tsconfig.server.json → dist/) in ${((Date.now() - t) / 1000).toFixed(1)} s; bin/closedesk.js runs the build`);
}

/**
 * A contestant's TypeScript entry compiled once to one JavaScript file (esbuild, bench/out/; npm
 * packages stay external), so its time does not include compiling TypeScript at start-up, as a
 * deployed build would not. `call` names an exported function to run with the command-line
 * arguments; without it the module runs as loaded. Returns the file to give to node.
 */
export function compiledNode(tsFile: string, call?: string): string {
  const out = path.join(OUT, `${path.basename(tsFile, '.ts')}${call ? `-${call}` : ''}.cjs`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const entry = call
    ? `const m = require(${JSON.stringify(tsFile)});\nPromise.resolve(m[${JSON.stringify(call)}](process.argv.slice(2))).catch((e) => { process.stderr.write(String(e && e.stack || e) + '\\n'); process.exit(1); });`
    : `require(${JSON.stringify(tsFile)});`;
  esbuild.buildSync({ stdin: { contents: entry, resolveDir: path.dirname(tsFile), loader: 'js' }, outfile: out, bundle: true, packages: 'external', platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
  return out;
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
