import fs from 'node:fs';
import path from 'node:path';
import { buildChargebackFiles, DEFAULT_FILE_PATTERN } from '../../../src/chargebacks';
import { countBlocking, countWarnings, describeLocation, formatAmount, hasBlocking, PROBLEM_COLUMNS, problemRows, toCsv } from '../../../src/kernel';
import { readChargebackFile } from './inputs';
import { println, parseCommandArgs, UsageError, type CliCommand } from '../../cli/command';

const MAX_PROBLEMS_SHOWN = 30;

export const command: CliCommand = {
  name: 'chargebacks',
  summary: 'Chargebacks: validate records (CSV, XLSX, JSON) and write one CSV per card network plus problems.csv.',
  usage: [
    'closedesk chargebacks <input.csv|.xlsx|.json> --out <dir> [--batch B] [--date YYYY-MM-DD] [--merchant NAME]',
    '                      [--pattern "{network}_{merchant}_{yyyymmdd}_{batch}.csv"] [--sheet NAME]',
    '',
    `  --pattern  file name pattern; tokens {network} {merchant} {yyyymmdd} {date} {batch} {count} (default ${DEFAULT_FILE_PATTERN})`,
    '  --batch    batch label in file names (default B + the date)     --date  batch date (default today, UTC)',
    '  --sheet    for .xlsx: the sheet with the records (default: every sheet with a CASE_ID column)',
    '',
    'Writes problems.csv always. The network files (at most 4) are written only when no blocking problem remains;',
    'exit code 2 when something blocks, 0 otherwise. Send them with the task pane or `closedesk deliver`.',
  ].join('\n'),
  async run(argv, io) {
    const parsed = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        batch: { type: 'string' },
        date: { type: 'string' },
        merchant: { type: 'string' },
        pattern: { type: 'string' },
        sheet: { type: 'string' },
      },
    });
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError('Give exactly one input file.');
    if (!values.out) throw new UsageError('--out <dir> is required.');
    const input = path.resolve(io.cwd, positionals[0]!);
    if (!fs.existsSync(input)) throw new UsageError(`There is no file ${input}.`);
    const date = values.date ?? new Date().toISOString().slice(0, 10);
    const outDir = path.resolve(io.cwd, values.out);

    const read = await readChargebackFile(input, values.sheet);
    const batch = buildChargebackFiles(read.tables, { batch: values.batch ?? `B${date.replace(/-/g, '')}`, date, merchant: values.merchant, pattern: values.pattern });
    const problems = [...read.problems, ...batch.problems];
    const blocked = batch.blocked || hasBlocking(problems);

    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'problems.csv'), toCsv([...PROBLEM_COLUMNS], problemRows(problems)));
    if (!blocked) {
      for (const f of batch.files) {
        // Written under a temporary name first so a folder watcher never picks up half a file.
        const target = path.join(outDir, f.fileName);
        fs.writeFileSync(`${target}.part`, f.csv);
        fs.renameSync(`${target}.part`, target);
      }
    }
    println(io.out, `${batch.records.length} valid records, ${countBlocking(problems)} blocking problems, ${countWarnings(problems)} warnings.`);
    for (const f of batch.files) {
      const totals = f.totals.map((t) => `${formatAmount(t.cents, t.currency)} ${t.currency}`).join(', ');
      println(io.out, `${blocked ? 'not written' : 'written'}: ${f.fileName} (${f.records.length} records, ${totals})`);
    }
    println(io.out, `problems: ${path.join(outDir, 'problems.csv')}`);
    for (const p of problems.slice(0, MAX_PROBLEMS_SHOWN)) println(io.err, `${p.severity}: ${describeLocation(p)}: ${p.message}`);
    if (problems.length > MAX_PROBLEMS_SHOWN) println(io.err, `… and ${problems.length - MAX_PROBLEMS_SHOWN} more in problems.csv.`);
    return blocked ? 2 : 0;
  },
};
