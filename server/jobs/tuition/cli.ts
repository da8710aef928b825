/** `closedesk tuition <files…> --month YYYY-MM --out <dir>`: partner expense files → a month of invoices. */
import fs from 'node:fs';
import path from 'node:path';
import { countBlocking, countWarnings, describeLocation, formatAmount, hasBlocking, isIsoMonth, PROBLEM_COLUMNS, problemRows, toCsv } from '../../../src/kernel';
import type { Problem } from '../../../src/kernel';
import type { LearnerRules } from '../../../src/tuition';
import { invoicesCsvPieces, invoiceTableCsvViews } from '../../../src/tuition';
import { buildTuitionMonth } from '../../../src/tuition/month';
import { MAX_DEFAULT_THREADS, readTuitionFilesInto } from './read-files';
import { println, parseCommandArgs, UsageError, type CliCommand, type CliIo } from '../../cli/command';

const MAX_PROBLEMS_SHOWN = 30;

/**
 * CLOSEDESK_TIMING=1: wall and CPU time (this process, worker threads included) per phase on stderr.
 * On a shared machine the gap between the two is the wait for a core.
 */
function phaseTimer(on: boolean) {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const spent = new Map<string, { wall: number; cpu: number }>();
  return {
    async time<T>(phase: string, work: () => T | Promise<T>): Promise<T> {
      if (!on) return work();
      const [w0, c0] = [performance.now(), cpu()];
      try {
        return await work();
      } finally {
        const s = spent.get(phase) ?? { wall: 0, cpu: 0 };
        spent.set(phase, { wall: s.wall + performance.now() - w0, cpu: s.cpu + cpu() - c0 });
      }
    },
    report(err: CliIo['err']): void {
      if (!on) return;
      for (const [phase, s] of spent) println(err, `timing: ${phase} ${Math.round(s.wall)} ms wall, ${Math.round(s.cpu)} ms CPU`);
      // since the process started: start-up (loading the CLI) is the rest
      println(err, `timing: process ${Math.round(performance.now())} ms wall, ${Math.round(cpu())} ms CPU`);
    },
  };
}

/**
 * The text (or its pieces, each written before the next is asked for: a piece may be a view of a buffer
 * reused for the next) under a temporary name, then renamed: a reader never sees half a file.
 */
function writeAtomically(file: string, text: string | Iterable<string | Uint8Array>): void {
  const fd = fs.openSync(`${file}.part`, 'w');
  try {
    // (writeFileSync on a descriptor writes all of each piece, after the one before)
    for (const piece of typeof text === 'string' ? [text] : text) fs.writeFileSync(fd, piece);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(`${file}.part`, file);
}

/** Each customer's learner rules as the server's store holds them. */
async function storedLearnerRules(io: CliIo): Promise<LearnerRules> {
  const { cliConfig, withStore } = require('../../cli/setup') as typeof import('../../cli/setup');
  const { learnerRules } = require('./invoices') as typeof import('./invoices');
  return withStore(cliConfig(io), learnerRules);
}

export const command: CliCommand = {
  name: 'tuition',
  summary: 'Tuition billing: partner expense files (CSV, XLSX) to monthly customer invoices (invoices.csv) plus problems.csv.',
  usage: [
    'closedesk tuition <file.csv|file.xlsx>… --month YYYY-MM --out <dir> [--partner NAME] [--stored-learners] [--threads N]',
    '',
    '  --month    the calendar month billed; lines dated in another month are blocking problems, and a month in which',
    '             no line is dated is one warning naming the months the files hold',
    '  --partner  read every file with this partner profile (default: recognised from the column names)',
    '  --stored-learners  match learners with each customer\'s rules as stored (Settings → Delivery targets → Learners:',
    '             aliases, the part-before-the-@ rule), read from the store the server uses; default: the default rules',
    `  --threads  read the files in N groups side by side on worker threads, merged in file order (default: one group`,
    `             per core the machine's load leaves idle but one, at most ${MAX_DEFAULT_THREADS}; 1 reads them one after another on this thread).`,
    '             The result is the same either way.',
    '',
    'CLOSEDESK_TIMING=1 prints the wall and CPU time of each phase (read, build, write) on stderr.',
    '',
    'Writes invoices.csv (Customer, Month, User, Expense Type, Amount, Currency: one row per user and expense type,',
    'one invoice per customer and currency) and problems.csv. Exit code 2 when a blocking problem remains (invoices.csv',
    'is then not written), 0 otherwise.',
  ].join('\n'),
  async run(argv, io) {
    const parsed = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, month: { type: 'string' }, partner: { type: 'string' }, 'stored-learners': { type: 'boolean' }, threads: { type: 'string' } },
    });
    const { values, positionals } = parsed;
    if (positionals.length === 0) throw new UsageError('Give at least one partner file.');
    if (!values.month || !isIsoMonth(values.month)) throw new UsageError('--month YYYY-MM is required (for example --month 2024-11).');
    if (!values.out) throw new UsageError('--out <dir> is required.');
    const files = positionals.map((p) => path.resolve(io.cwd, p));
    for (const f of files) if (!fs.existsSync(f)) throw new UsageError(`There is no file ${f}.`);
    const outDir = path.resolve(io.cwd, values.out);
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) throw new UsageError('--threads takes a whole number of at least 1.');
    // As the server builds: each customer's learner rules from its settings (the store the server uses).
    // (the store, its drivers and the server's settings are loaded only then: a plain file run needs none of them)
    const learners = values['stored-learners'] ? await storedLearnerRules(io) : {};
    const withRules = Object.keys(learners).length;
    if (values['stored-learners']) println(io.err, `Learner rules: stored for ${withRules} customer${withRules === 1 ? '' : 's'}.`);

    // Files are read in order, or side by side on worker threads and merged in order (read-files.ts).
    // A second pass (to name the months the files hold) reads the same files again: their own problems are kept once.
    const timer = phaseTimer(io.env.CLOSEDESK_TIMING === '1');
    let fileProblems: Problem[] = [];
    // ('build' holds 'read': the lines' learners and invoices are the difference)
    const month = await timer.time('build', () =>
      buildTuitionMonth(
        async (reader) => {
          fileProblems = await timer.time('read', () => readTuitionFilesInto(reader, files, { threads }));
        },
        // invoices.csv shows no partner references: none are gathered
        { month: values.month, partner: values.partner, learners, references: false },
      ),
    );
    const problems = [...fileProblems, ...month.problems];
    const blocked = hasBlocking(problems);
    // the invoices as a table: invoices.csv and the summary need no object per invoice line
    const invoices = month.invoiceTable?.invoices ?? [];

    const invoicesFile = path.join(outDir, 'invoices.csv');
    await timer.time('write', () => {
      fs.mkdirSync(outDir, { recursive: true });
      writeAtomically(path.join(outDir, 'problems.csv'), toCsv([...PROBLEM_COLUMNS], problemRows(problems)));
      // A month with a blocking problem is not billed: a stale invoices.csv from an earlier run must not look current.
      if (blocked) fs.rmSync(invoicesFile, { force: true });
      else writeAtomically(invoicesFile, month.invoiceTable ? invoiceTableCsvViews(month.invoiceTable) : invoicesCsvPieces([]));
    });

    for (const l of month.layouts) println(io.out, `${l.source}: ${l.partner ? `${l.partner} layout` : 'unknown layout'}`);
    if (month.noRows) println(io.out, `Warning: ${month.noRows}`);
    println(io.out, `${month.count} expense lines, ${countBlocking(problems)} blocking problems, ${countWarnings(problems)} warnings.`);
    // (one write for all: thousands of invoices are thousands of system calls on a pipe otherwise)
    const said = invoices.map((inv) => `${blocked ? 'not written' : 'invoice'}: ${inv.number} ${inv.customer} ${inv.to - inv.from} lines, ${formatAmount(inv.totalCents, inv.currency)} ${inv.currency}\n`);
    if (said.length) io.out.write(said.join(''));
    if (!blocked) println(io.out, `invoices: ${invoicesFile}`);
    println(io.out, `problems: ${path.join(outDir, 'problems.csv')}`);
    for (const p of problems.slice(0, MAX_PROBLEMS_SHOWN)) println(io.err, `${p.severity}: ${describeLocation(p)}: ${p.message}`);
    if (problems.length > MAX_PROBLEMS_SHOWN) println(io.err, `… and ${problems.length - MAX_PROBLEMS_SHOWN} more in problems.csv.`);
    timer.report(io.err);
    return blocked ? 2 : 0;
  },
};
