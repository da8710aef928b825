/**
 * FIFO page: pick the transactions (a sheet, TC_Data by default, or a dataset on the server),
 * choose the mode, Run; the five sheets are written into the workbook, the run is recorded on the
 * server, the figures and the problems (click selects the cell) are shown. Ribbon "Run FIFO" opens
 * this page and runs it.
 */
import {
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Play20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import pkg from '../../../package.json';
import { displayAmount } from '../../../src/kernel/money';
import { isIsoDate } from '../../../src/kernel/dates';
import { hasBlocking } from '../../../src/kernel/problems';
import type { Table as KernelTable } from '../../../src/kernel/table';
import { FIFO_SHEET_NAMES, matchRateText, type FifoMode } from '../../../src/fifo';
import { InputPicker, PaneSelect, headersOf, ProblemsList, RunStatus, errorSentence, formatCount, readDataset, useInputPicker, useJobRun } from '../../components';
import { useShell } from '../../shell';
import { defaultTransactionsSheet, readTransactionsFromWorkbook, recordFifoRun, runFifo, type FifoOutcome } from './fifo-run';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  // A Fluent Input sizes itself from the native input (about 20 characters); fill the field instead.
  fill: { width: '100%', minWidth: 0 },
  // Run ids are long unbroken words; let them wrap inside the 320-px pane.
  message: { overflowWrap: 'anywhere' },
  figures: { tableLayout: 'fixed', width: '100%' },
  money: { textAlign: 'right', fontVariantNumeric: 'tabular-nums', overflowWrap: 'anywhere' },
});

interface FifoView extends FifoOutcome {
  recorded: string | null;
  /** The transactions came from a dataset: their rows are on the "TC_Data with redemptions" sheet. */
  fromDataset: boolean;
  /** Header of each table read, so a problem names its cell as Excel does (TC_Data!F452). */
  headers: Record<string, readonly string[]>;
}

const MODES: { value: FifoMode; label: string }[] = [
  { value: 'lots', label: 'Lots (split to the cent)' },
  { value: 'one-to-one', label: 'One-to-one (legacy)' },
];

export default function FifoPage() {
  const styles = useStyles();
  const shell = useShell();
  const [mode, setMode] = useState<FifoMode>('lots');
  const [asOf, setAsOf] = useState('');
  const asOfValid = asOf === '' || isIsoDate(asOf);
  const picker = useInputPicker({
    label: 'Transactions',
    testId: 'fifo',
    sources: [
      {
        kind: 'sheet',
        label: 'Sheet in this workbook',
        prefer: (names) => [defaultTransactionsSheet(names) ?? ''],
        hint: 'TC_Data; Customers and Sales are checked when present.',
        empty: 'No sheets: load TC_Data from the Data page first.',
      },
      { kind: 'dataset', label: 'Dataset on the server', prefer: (list) => list.filter((d) => /tc_?data/i.test(d.name)).map((d) => d.id) },
    ],
  });

  const run = useJobRun<FifoView>(
    'FIFO',
    async (ctx) => {
      const choice = picker.choice;
      let tables: KernelTable[];
      let sourceName: string;
      if (choice?.kind === 'dataset') {
        const dataset = choice.datasets[0]!;
        const label = `Loading ${dataset.name} from the server`;
        ctx.progress(label);
        const { table } = await readDataset((id, offset, limit, signal) => shell.api.getDatasetPage(id, offset, limit, signal), dataset.id, dataset.name, {
          signal: ctx.signal,
          onProgress: (done, total) => ctx.progress(label, done, total),
        });
        tables = [table];
        sourceName = table.name;
      } else if (choice?.kind === 'sheet') {
        sourceName = choice.sheets[0]!;
        ctx.progress(`Reading ${sourceName}`);
        tables = await readTransactionsFromWorkbook(shell.workbook, sourceName);
      } else {
        throw new Error(picker.kind === 'sheet' ? 'The workbook has no sheet to read: load TC_Data from the Data page first.' : 'Choose a dataset on the server first.');
      }
      ctx.signal.throwIfAborted();
      ctx.progress('Matching', tables[0]!.rows.length, tables[0]!.rows.length);
      const result = await runFifo(tables, { sheet: sourceName, mode, asOf: asOf || undefined });
      ctx.signal.throwIfAborted();
      ctx.outcome({ ...result, recorded: null, fromDataset: choice.kind === 'dataset', headers: headersOf(tables) });
      if (result.stopped) return;
      await ctx.writeSheets(shell.workbook, result.sheets);
      let recorded: string;
      try {
        const r = await recordFifoRun(shell.api, result, { mode, asOf: asOf || undefined, version: pkg.version });
        recorded = `Run ${r.id} recorded on the server.`;
      } catch (e) {
        recorded = `The run was not recorded on the server: ${errorSentence(e, 'the server did not answer as expected.')}`;
      }
      ctx.outcome((o) => ({ ...o!, recorded }));
    },
    { ribbon: { page: 'fifo', action: 'run', ready: picker.ready && asOfValid } },
  );

  const outcome = run.outcome;
  const a = outcome?.analytics;
  const figures: [string, string][] = a
    ? [
        ['Transactions matched', `${formatCount(a.transactions)}${a.leftOut ? ` (${formatCount(a.leftOut)} left out)` : ''}`],
        ['Customers', formatCount(a.customers)],
        ['Earned', `${formatCount(a.totals.earned.count)} · ${displayAmount(a.totals.earned.cents)}`],
        ['Spent and expired', `${formatCount(a.totals.spent.count + a.totals.expired.count)} · ${displayAmount(-(a.totals.spent.cents + a.totals.expired.cents))}`],
        ['Allocated', `${formatCount(a.allocations)} · ${displayAmount(a.allocatedCents)}`],
        ['Match rate', matchRateText(a)],
        ['Unmatched', `${formatCount(a.unmatchedCount)} · ${displayAmount(a.unmatchedCents)}`],
        ['Open lots', `${formatCount(a.openLots)} · ${displayAmount(a.openCents)}`],
        ['Open past expiry', `${formatCount(a.openLotsPastExpiry)} · ${displayAmount(a.openCentsPastExpiry)}`],
        ['Negative balances', `${formatCount(a.negativeBalanceCustomers)} · ${displayAmount(a.negativeBalanceCents)}`],
      ]
    : [];

  return (
    <div className={styles.root}>
      <InputPicker picker={picker} disabled={run.running} />
      <Field label="Mode">
        <PaneSelect value={mode} onChange={(_, d) => setMode(d.value as FifoMode)} disabled={run.running} options={MODES} data-testid="fifo-mode" />
      </Field>
      <Field label="Balance as of" hint="Optional: the day current balances are taken." validationState={asOfValid ? 'none' : 'error'} validationMessage={asOfValid ? undefined : 'A date as YYYY-MM-DD, e.g. 2024-06-30.'}>
        <Input className={styles.fill} value={asOf} onChange={(_, d) => setAsOf(d.value.trim())} placeholder="YYYY-MM-DD" disabled={run.running} data-testid="fifo-as-of" />
      </Field>
      <div>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void run.start()} disabled={run.running || !asOfValid} data-testid="fifo-run">
          Run FIFO
        </Button>
      </div>
      <RunStatus run={run} errorTestId="fifo-error" />
      {outcome && !run.running && !run.error && (
        <MessageBar intent={outcome.stopped ? 'error' : hasBlocking(outcome.problems) || outcome.analytics.transactions === 0 ? 'warning' : 'success'} layout="multiline" data-testid="fifo-outcome">
          <MessageBarBody className={styles.message}>
            {outcome.stopped
              ? `Nothing was matched: ${outcome.problems[0]?.message ?? 'the transactions cannot be read.'}`
              : `${outcome.analytics.transactions === 0 ? 'No row could be matched; the problems below say why. ' : ''}Wrote ${outcome.sheets.map((s) => s.name).join(', ')}.`}{' '}
            {outcome.recorded}
          </MessageBarBody>
        </MessageBar>
      )}
      {a && !outcome.stopped && (
        <div>
          <Subtitle2>Summary</Subtitle2>
          <Table size="small" aria-label="FIFO summary" data-testid="fifo-summary" className={styles.figures}>
            <TableBody>
              {figures.map(([label, value]) => (
                <TableRow key={label}>
                  <TableCell>{label}</TableCell>
                  <TableCell className={styles.money}>{value}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Caption1>Result checksum {outcome.resultChecksum.slice(0, 19)}…</Caption1>
        </div>
      )}
      {outcome && (
        <ProblemsList
          problems={outcome.problems}
          headers={outcome.headers}
          sheetFor={(source) => (outcome.fromDataset && source === outcome.source ? FIFO_SHEET_NAMES.transactions : undefined)} />
      )}
    </div>
  );
}
