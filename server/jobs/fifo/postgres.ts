/**
 * `closedesk fifo --run-on <DATABASE_URL>`: the set-based FIFO SQL (./sql.ts) run in PostgreSQL,
 * optionally after loading the input file into the table, writing allocations.csv and unmatched.csv.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ALLOCATION_COLUMNS, UNMATCHED_COLUMNS } from '../../../src/fifo/report';
import { formatAmount } from '../../../src/kernel/money';
import { hasBlocking } from '../../../src/kernel/problems';
import { toCsv } from '../../../src/kernel/csv';
import type { CliIo } from '../../cli/command';
import { fifoSql, loadFifoTable } from './sql';
import { loadFifoInput } from './job';
import { writeProblemsCsv } from './outputs';


export async function runFifoOnPostgres(o: { url: string; input?: string; sheet: string; table: string; out: string }, io: CliIo): Promise<number> {
  fs.mkdirSync(o.out, { recursive: true });
  const out = (name: string) => path.join(o.out, name);
  const client = new pg.Client({ connectionString: o.url });
  await client.connect();
  let code = 0;
  try {
    if (o.input) {
      const input = await loadFifoInput(o.input, o.sheet);
      if (hasBlocking(input.problems)) {
        code = 2;
        writeProblemsCsv(out('problems.csv'), input.problems);
        io.err.write(`Blocking problems in the input (see ${out('problems.csv')}); rows left out are not loaded.\n`);
      }
      const n = await loadFifoTable(client, o.table, input.transactions);
      io.out.write(`Loaded ${n} rows into ${o.table}.\n`);
    }
    const alloc = await client.query(fifoSql({ table: o.table }));
    fs.writeFileSync(
      out('allocations.csv'),
      toCsv(
        ALLOCATION_COLUMNS.map((c) => c.header),
        alloc.rows.map((r) => [r.REDEEM_TRANS_ID as string, r.EARNED_TRANS_ID as string, formatAmount(Number(r.AMOUNT_CENTS))]),
      ),
    );
    const un = await client.query(fifoSql({ table: o.table, output: 'unmatched' }));
    fs.writeFileSync(out('unmatched.csv'), toCsv(UNMATCHED_COLUMNS.map((c) => c.header), un.rows.map((r) => [r.TRANS_ID as string, formatAmount(Number(r.UNMATCHED_CENTS))])));
    io.out.write(`PostgreSQL: ${alloc.rows.length} allocations, ${un.rows.length} unmatched redemptions; wrote allocations.csv and unmatched.csv to ${o.out}.\n`);
    return code;
  } finally {
    await client.end();
  }
}
