import path from 'node:path';
import { formatAmount } from '../../../src/kernel/money';
import { describeLocation, isBlocking } from '../../../src/kernel/problems';
import { runVretJob, VretSourceError } from './job';
import { vretDatasetQueries } from './queries';
import { cliAudit, cliConfig, withStore } from '../../cli/setup';
import { println, parseCommandArgs, UsageError, type CliCommand } from '../../cli/command';

const MAX_PROBLEMS_SHOWN = 50;

export const command: CliCommand = {
  name: 'vret',
  summary: 'Vendor returns: build VRET_{LEDGER}_{RUN}.xlsx (GLDI, 20321 JE, 20321 Analysis, RVR Report, Funding by vendor with its chart) and SPURSH_{LEDGER}_{RUN}.csv.',
  usage: [
    'closedesk vret --ledger "Amazon.eu" --geo DE --period 2024-11 --out <dir>',
    '               [--source <postgres://… URL>] [--thr <dir of THR files>] [--inputs <dir of CSVs>] [--run-id ID] [--json]',
    '',
    '  --inputs  folder with any of cm.csv, adj.csv, glap.csv, rvr.csv, l2c.csv, led2chan.csv, ledgers.csv',
    '  --source  PostgreSQL-protocol database (PostgreSQL, Redshift) with the VRET tables; ledger, period and geo are bound parameters',
    '  --thr     folder of pipe-delimited THR files (.txt, .thr, .dat) with a header, read as a stream',
    '',
    'closedesk vret --sql-sources <source name>   Prints the VRET queries as entries for the CLOSEDESK_SQL_SOURCES file',
    '                                             (datasets sql:vret_cm, … with ?ledger=&period=&geo=).',
    '',
    'Writes both files only when the whole run succeeded. While a blocking problem remains, the workbook (with a',
    'Problems sheet) is written but the SPURSH file is not, and the exit code is 2, as for every job. An unreachable',
    'source writes nothing and exits 1. The run and its input checksums are recorded in the store (DATABASE_URL or',
    'the SQLite file in CLOSEDESK_DATA_DIR).',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        ledger: { type: 'string' },
        geo: { type: 'string' },
        period: { type: 'string' },
        source: { type: 'string' },
        thr: { type: 'string' },
        inputs: { type: 'string' },
        out: { type: 'string' },
        'run-id': { type: 'string' },
        json: { type: 'boolean' },
        'sql-sources': { type: 'string' },
      },
    });
    if (values['sql-sources']) {
      // The VRET queries as entries for the CLOSEDESK_SQL_SOURCES file, so the task pane can load each as a dataset.
      println(io.out, JSON.stringify({ queries: vretDatasetQueries(values['sql-sources']) }, null, 2));
      return 0;
    }
    for (const k of ['ledger', 'geo', 'period', 'out'] as const) if (!values[k]) throw new UsageError(`--${k} is required.`);
    if (!values.source && !values.thr && !values.inputs) throw new UsageError('Give at least one input: --source, --thr or --inputs.');
    const config = cliConfig(io);
    const abs = (p: string | undefined) => (p ? path.resolve(io.cwd, p) : undefined);
    try {
      const result = await withStore(config, (store) =>
        runVretJob({
          ledger: values.ledger!,
          geo: values.geo!,
          period: values.period!,
          source: values.source,
          thrDir: abs(values.thr),
          inputsDir: abs(values.inputs),
          outDir: abs(values.out)!,
          runId: values['run-id'],
          record: { store, audit: cliAudit(config, store) },
          userId: io.env.USER ? `cli:${io.env.USER}` : 'cli',
        }),
      );
      const blocking = result.problems.filter(isBlocking);
      if (values.json) {
        println(io.out, JSON.stringify(result, null, 2));
      } else {
        println(io.out, `Run ${result.runId}`);
        println(io.out, `Workbook: ${result.workbookPath}`);
        println(io.out, result.spurshPath ? `SPURSH:   ${result.spurshPath} (${result.spurshRows} lines)` : 'SPURSH:   not written (blocking problems below)');
        for (const b of result.balances)
          println(
            io.out,
            `${b.currency}: debits ${formatAmount(b.debits, b.currency)}, credits ${formatAmount(b.credits, b.currency)}, difference ${formatAmount(b.difference, b.currency)}`,
          );
      }
      for (const p of result.problems.slice(0, MAX_PROBLEMS_SHOWN)) println(io.err, `${p.severity}: ${describeLocation(p)}: ${p.message}`);
      if (result.problems.length > MAX_PROBLEMS_SHOWN) println(io.err, `… and ${result.problems.length - MAX_PROBLEMS_SHOWN} more on the Problems sheet.`);
      return blocking.length ? 2 : 0;
    } catch (err) {
      if (err instanceof VretSourceError) {
        println(io.err, err.message);
        return 1;
      }
      throw err;
    }
  },
};
