/**
 * `closedesk fifo` — FIFO matching of reward cash: a workbook or CSV file to output files (./job.ts),
 * the set-based SQL for warehouses (./sql.ts), or that SQL run in PostgreSQL (./postgres.ts).
 *
 * Exit codes: 0 ran (warnings allowed); 2 blocking problems (a missing column or an empty sheet stop the
 * run; rows with blocking problems are left out, the rest is matched and written, and the exit code tells a
 * scheduler the results are incomplete); 1 wrong usage or an error — so 2 always means "look at problems.csv".
 */
import fs from 'node:fs';
import path from 'node:path';
import { isIsoDate } from '../../../src/kernel/dates';
import type { FifoMode } from '../../../src/fifo/allocate';
import { println, parseCommandArgs, UsageError, type CliCommand } from '../../cli/command';

export const FIFO_USAGE = `Usage:
  closedesk fifo <input.xlsx|input.csv> [--mode lots|one-to-one] [--sheet TC_Data] [--as-of YYYY-MM-DD] [--xlsx] [--no-record] --out <dir>
  closedesk fifo --sql [--table tc_data] [--output allocations|unmatched]
  closedesk fifo [<input>] --run-on <DATABASE_URL> [--table tc_data] --out <dir>

Writes allocations.csv, tc_data_with_redemptions.csv, customer_balance_history.csv,
customer_current_balances.csv (BALANCE_AS_OF with --as-of), unmatched.csv, problems.csv,
analytics_report.json, and fifo.xlsx with --xlsx. Records the run in the store (DATABASE_URL,
else the local SQLite file) unless --no-record.
Exit codes: 0 ran (warnings allowed); 2 blocking problems (missing column or empty input: nothing
matched; bad rows: left out, the rest matched and written); 1 wrong usage or an error.`;

export const command: CliCommand = {
  name: 'fifo',
  summary: 'FIFO matching of reward cash: TC_Data (.xlsx or .csv) to allocations, balances and analytics; --sql for warehouses.',
  usage: FIFO_USAGE,
  usageExitCode: 1,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: {
        mode: { type: 'string', default: 'lots' },
        sheet: { type: 'string', default: 'TC_Data' },
        'as-of': { type: 'string' },
        xlsx: { type: 'boolean', default: false },
        out: { type: 'string' },
        sql: { type: 'boolean', default: false },
        'run-on': { type: 'string' },
        table: { type: 'string', default: 'tc_data' },
        output: { type: 'string', default: 'allocations' },
        'no-record': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      println(io.out, FIFO_USAGE);
      return 0;
    }
    const mode = values.mode;
    if (mode !== 'lots' && mode !== 'one-to-one') throw new UsageError(`--mode is lots or one-to-one, not "${mode}".`);
    if (values['as-of'] !== undefined && !isIsoDate(values['as-of'])) throw new UsageError(`--as-of needs a date as YYYY-MM-DD, not "${values['as-of']}".`);
    const output = values.output;
    if (output !== 'allocations' && output !== 'unmatched') throw new UsageError(`--output is allocations or unmatched, not "${output}".`);
    if (positionals.length > 1) throw new UsageError(`Only one input file, got ${positionals.map((p) => `"${p}"`).join(' and ')}.`);
    const runOn = values['run-on'];
    if (values.sql && !runOn) {
      // the SQL text only for --sql (a run on a file does not load it)
      const { fifoSql } = require('./sql') as typeof import('./sql');
      io.out.write(fifoSql({ table: values.table, output }) + ';\n');
      return 0;
    }
    if (mode !== 'lots' && runOn) throw new UsageError('The SQL computes lots mode only; the one-to-one legacy mode runs in the engine.');
    if (!values.out) throw new UsageError('--out <dir> is required.');
    const input = positionals[0] === undefined ? undefined : path.resolve(io.cwd, positionals[0]);
    if (!input && !runOn) throw new UsageError('Give an input file (.xlsx or .csv).');
    if (input && !fs.existsSync(input)) throw new UsageError(`The input file ${input} does not exist.`);
    const out = path.resolve(io.cwd, values.out);

    if (runOn) {
      // pg and the SQL runner only for --run-on
      const { runFifoOnPostgres } = require('./postgres') as typeof import('./postgres');
      return runFifoOnPostgres({ url: runOn, input, sheet: values.sheet, table: values.table, out }, io);
    }
    const { runFifoJob } = require('./job') as typeof import('./job');
    return runFifoJob({ input: input!, out, mode: mode as FifoMode, sheet: values.sheet, asOf: values['as-of'], xlsx: values.xlsx, record: !values['no-record'] }, io);
  },
};
