import { toCsv } from '../../../src/kernel/csv';
import { cliConfig, withDatasets } from '../setup';
import { println, parseCommandArgs, UsageError, type CliCommand } from '../command';

export const command: CliCommand = {
  name: 'datasets',
  summary: 'List the datasets (files in CLOSEDESK_DATASETS_DIR and SQL queries), or print one as CSV.',
  usage: [
    'closedesk datasets [--json]                       List datasets: id, kind, columns.',
    'closedesk datasets <id> [--offset N] [--limit N]   Print rows of one dataset as CSV (default first 1000).',
  ].join('\n'),
  async run(argv, io) {
    const parsed = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, offset: { type: 'string' }, limit: { type: 'string' } },
    });
    const { values, positionals } = parsed;
    const config = cliConfig(io);
    return withDatasets(config, async (datasets) => {
      if (positionals.length === 0) {
        const list = await datasets.list();
        if (values.json) println(io.out, JSON.stringify(list, null, 2));
        else if (list.length === 0) println(io.err, `No datasets in ${config.datasetsDir}.`);
        else for (const d of list) println(io.out, `${d.id}\t${d.kind}\t${d.columns ? `${d.columns.length} columns` : (d.params ?? []).map((p) => p.name).join(',')}`);
        return 0;
      }
      const num = (v: string | undefined, what: string) => {
        if (v === undefined) return undefined;
        if (!/^\d+$/.test(v)) throw new UsageError(`${what} must be a whole number.`);
        return Number(v);
      };
      const page = await datasets.read(positionals[0], { offset: num(values.offset, '--offset'), limit: num(values.limit, '--limit') });
      io.out.write(toCsv(page.header, page.rows, { lineEnding: '\n' }));
      for (const p of page.problems) println(io.err, `${p.severity}: ${p.source}${p.row ? ` row ${p.row}` : ''}: ${p.message}`);
      return 0;
    });
  },
};
