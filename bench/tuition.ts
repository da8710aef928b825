/**
 * `npm run bench -- tuition [--lines N] [--customers N]`: a month of tuition invoices from 1M expense
 * lines (20 partner files, two layouts) for 5,000 customers.
 *  - CloseDesk: `closedesk tuition <20 files> --month 2024-11 --out …` end to end (parse, check every
 *    row, aggregate, write invoices.csv), wall time and peak memory (max RSS);
 *  - peer: PostgreSQL `GROUP BY` (customer, currency, user, expense type) over the same lines already
 *    loaded in a table — the materialised-view approach of the original design; its load time (INSERT)
 *    is shown separately;
 *  - the ratio CloseDesk / PostgreSQL, and a cross-check that both give the same invoice lines and totals.
 * Figures are printed, never asserted. The machine is shared: the load average is printed too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { writeTuitionData } from './tuition-data';
import { startPostgres, stopPostgres } from '../test/integration/postgres';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(__dirname, 'out', 'tuition');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

export async function main(args: string[]): Promise<void> {
  const lines = arg(args, '--lines', 1_000_000);
  const customers = arg(args, '--customers', 5_000);
  const dataDir = path.join(OUT, `data-${lines}-${customers}`);
  let t = Date.now();
  const data = fs.existsSync(path.join(dataDir, 'normalised.csv'))
    ? { files: fs.readdirSync(dataDir).filter((f) => f.startsWith('partner-')).sort().map((f) => path.join(dataDir, f)), normalised: path.join(dataDir, 'normalised.csv'), lines }
    : writeTuitionData(dataDir, lines, customers);
  process.stdout.write(`data: ${lines.toLocaleString('en-US')} lines, 20 partner files, ${customers.toLocaleString('en-US')} customers (${((Date.now() - t) / 1000).toFixed(1)} s to prepare)\n`);
  process.stdout.write(`load average: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores\n`);

  // CloseDesk, end to end through the CLI.
  const outDir = path.join(OUT, 'cli-out');
  const timeFile = path.join(OUT, `.time-${process.pid}`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, TSX, path.join(ROOT, 'server', 'cli.ts'), 'tuition', ...data.files, '--month', '2024-11', '--out', outDir], {
    encoding: 'utf8',
    cwd: ROOT,
    maxBuffer: 64 << 20,
    env: { ...process.env, CLOSEDESK_DATA_DIR: path.join(OUT, 'cli-data'), CLOSEDESK_HTTPS: 'off' },
  });
  if (r.status !== 0) throw new Error(`closedesk tuition failed (${r.status}):\n${r.stderr.slice(0, 2000)}`);
  const [cdSeconds, kb] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number) as [number, number];
  fs.rmSync(timeFile, { force: true });
  const invoiceLines = fs.readFileSync(path.join(outDir, 'invoices.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  const invoices = r.stdout.split('\n').filter((l) => l.startsWith('invoice: ')).length;
  let cdTotal = 0n;
  for (const l of invoiceLines) {
    const amount = l.split(',').at(-2)!;
    cdTotal += BigInt(amount.replace('.', ''));
  }
  process.stdout.write(`CloseDesk: ${cdSeconds.toFixed(2)} s, peak memory ${(kb / 1024).toFixed(0)} MB → ${invoices.toLocaleString('en-US')} invoices, ${invoiceLines.length.toLocaleString('en-US')} invoice lines\n`);

  // PostgreSQL: load the same lines, then GROUP BY.
  const server = await startPostgres();
  try {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(`CREATE TABLE tuition_lines (partner TEXT, customer TEXT, user_id TEXT, expense_type TEXT, cents BIGINT, currency TEXT, day DATE, reference TEXT)`);
      t = Date.now();
      // Multi-row INSERTs of 5,000 lines (40,000 parameters per statement).
      const text = fs.readFileSync(data.normalised, 'utf8').trim().split('\n');
      for (let i = 0; i < text.length; i += 5000) {
        const chunk = text.slice(i, i + 5000).map((l) => l.split(','));
        const params: string[] = [];
        const values = chunk.map((c, j) => {
          params.push(...c);
          return `(${c.map((_, k) => `$${j * 8 + k + 1}`).join(',')})`;
        });
        await client.query(`INSERT INTO tuition_lines VALUES ${values.join(',')}`, params);
      }
      const loadSeconds = (Date.now() - t) / 1000;
      await client.query('ANALYZE tuition_lines');
      const sql = `SELECT customer, currency, user_id, expense_type, SUM(cents) AS cents, COUNT(*) AS items
        FROM tuition_lines WHERE day >= DATE '2024-11-01' AND day < DATE '2024-12-01'
        GROUP BY customer, currency, user_id, expense_type`;
      const runs: number[] = [];
      let rows: { cents: string }[] = [];
      for (let i = 0; i < 3; i++) {
        const start = process.hrtime.bigint();
        rows = (await client.query<{ cents: string }>(sql)).rows;
        runs.push(Number(process.hrtime.bigint() - start) / 1e9);
      }
      const pgSeconds = Math.min(...runs);
      const pgTotal = rows.reduce((s, x) => s + BigInt(x.cents), 0n);
      const invoicesPg = (await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT customer, currency FROM tuition_lines) x`)).rows[0]!.n;
      process.stdout.write(`PostgreSQL: load ${loadSeconds.toFixed(2)} s (not counted), GROUP BY best of 3 ${pgSeconds.toFixed(2)} s → ${Number(invoicesPg).toLocaleString('en-US')} invoices, ${rows.length.toLocaleString('en-US')} invoice lines\n`);
      process.stdout.write(`cross-check: invoice lines ${rows.length === invoiceLines.length ? 'equal' : `DIFFER (${invoiceLines.length} vs ${rows.length})`}, total ${pgTotal === cdTotal ? 'equal' : `DIFFERS (${cdTotal} vs ${pgTotal})`}\n`);
      process.stdout.write(`ratio: CloseDesk end to end / PostgreSQL GROUP BY = ${(cdSeconds / pgSeconds).toFixed(1)}× (CloseDesk also parses and checks every line; PostgreSQL only aggregates lines already loaded; with its load: ${(cdSeconds / (pgSeconds + loadSeconds)).toFixed(2)}×)\n`);
    } finally {
      await client.end();
    }
  } finally {
    stopPostgres(server);
  }
}
