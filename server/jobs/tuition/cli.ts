/** `closedesk tuition <files…> --month YYYY-MM --out <dir>`: partner expense files → a month of invoices. */
import fs from 'node:fs';
import path from 'node:path';
import { countBlocking, countWarnings, describeLocation, formatAmount, hasBlocking, isIsoMonth, PROBLEM_COLUMNS, problemRows, toCsv } from '../../../src/kernel';
import { buildTuitionInvoices, ExpenseLineReader, invoicesCsv } from '../../../src/tuition';
import { readTuitionBytes } from './inputs';
import { println, parseCommandArgs, UsageError, type CliCommand } from '../../cli/command';

const MAX_PROBLEMS_SHOWN = 30;

function writeAtomically(file: string, text: string): void {
  fs.writeFileSync(`${file}.part`, text);
  fs.renameSync(`${file}.part`, file);
}

export const command: CliCommand = {
  name: 'tuition',
  summary: 'Tuition billing: partner expense files (CSV, XLSX) to monthly customer invoices (invoices.csv) plus problems.csv.',
  usage: [
    'closedesk tuition <file.csv|file.xlsx>… --month YYYY-MM --out <dir> [--partner NAME]',
    '',
    '  --month    the calendar month billed; lines dated in another month are blocking problems',
    '  --partner  read every file with this partner profile (default: recognised from the column names)',
    '',
    'Writes invoices.csv (Customer, Month, User, Expense Type, Amount, Currency: one row per user and expense type,',
    'one invoice per customer and currency) and problems.csv. Exit code 2 when a blocking problem remains (invoices.csv',
    'is then not written), 0 otherwise.',
  ].join('\n'),
  async run(argv, io) {
    const parsed = parseCommandArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' }, month: { type: 'string' }, partner: { type: 'string' } } });
    const { values, positionals } = parsed;
    if (positionals.length === 0) throw new UsageError('Give at least one partner file.');
    if (!values.month || !isIsoMonth(values.month)) throw new UsageError('--month YYYY-MM is required (for example --month 2024-11).');
    if (!values.out) throw new UsageError('--out <dir> is required.');
    const files = positionals.map((p) => path.resolve(io.cwd, p));
    for (const f of files) if (!fs.existsSync(f)) throw new UsageError(`There is no file ${f}.`);
    const outDir = path.resolve(io.cwd, values.out);

    // One file at a time: each file's table is let go once its lines are read (memory stays near the lines' size).
    const reader = new ExpenseLineReader({ month: values.month, partner: values.partner });
    const fileProblems = [];
    for (const f of files) {
      const input = await readTuitionBytes(path.basename(f), fs.readFileSync(f));
      fileProblems.push(...input.problems);
      for (const t of input.tables) reader.read(t);
    }
    const read = reader.result();
    const problems = [...fileProblems, ...read.problems];
    const blocked = hasBlocking(problems);
    const invoices = buildTuitionInvoices(read.lines, values.month);

    fs.mkdirSync(outDir, { recursive: true });
    writeAtomically(path.join(outDir, 'problems.csv'), toCsv([...PROBLEM_COLUMNS], problemRows(problems)));
    const invoicesFile = path.join(outDir, 'invoices.csv');
    // A month with a blocking problem is not billed: a stale invoices.csv from an earlier run must not look current.
    if (blocked) fs.rmSync(invoicesFile, { force: true });
    else writeAtomically(invoicesFile, invoicesCsv(invoices));

    for (const l of read.layouts) println(io.out, `${l.source}: ${l.partner ? `${l.partner} layout` : 'unknown layout'}`);
    println(io.out, `${read.lines.length} expense lines, ${countBlocking(problems)} blocking problems, ${countWarnings(problems)} warnings.`);
    for (const inv of invoices) {
      println(io.out, `${blocked ? 'not written' : 'invoice'}: ${inv.number} ${inv.customer} ${inv.lines.length} lines, ${formatAmount(inv.totalCents, inv.currency)} ${inv.currency}`);
    }
    if (!blocked) println(io.out, `invoices: ${invoicesFile}`);
    println(io.out, `problems: ${path.join(outDir, 'problems.csv')}`);
    for (const p of problems.slice(0, MAX_PROBLEMS_SHOWN)) println(io.err, `${p.severity}: ${describeLocation(p)}: ${p.message}`);
    if (problems.length > MAX_PROBLEMS_SHOWN) println(io.err, `… and ${problems.length - MAX_PROBLEMS_SHOWN} more in problems.csv.`);
    return blocked ? 2 : 0;
  },
};
