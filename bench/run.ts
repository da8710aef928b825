/**
 * `npm run bench -- <name> [args…]` runs bench/<name>.ts; with no name it lists the benchmarks.
 * Each benchmark measures CloseDesk against its peers (DuckDB, pandas or openpyxl) on the same data in
 * one run, prints times, peak memory and ratios, and cross-checks the results (bench/lib/measure.ts);
 * figures are never asserted (speed is measured, not asserted).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

// Files that are parts of benchmarks (data generators, peers), not benchmarks themselves.
const HELPERS = /(-data|-peer|_pandas|_openpyxl|\.d)$/;

function benchmarks(): string[] {
  return fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !HELPERS.test(n))
    .sort();
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const all = benchmarks();
  if (!name || !all.includes(name)) {
    if (name) process.stderr.write(`No benchmark called "${name}".\n`);
    process.stdout.write(`Benchmarks: ${all.join(', ')}\nRun one with: npm run bench -- <name>\n`);
    process.exit(name ? 2 : 0);
  }
  const mod = (await import(path.join(__dirname, `${name}.ts`))) as { main?: (args: string[]) => Promise<void> };
  if (typeof mod.main !== 'function') throw new Error(`bench/${name}.ts must export async function main(args).`);
  await mod.main(rest);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
