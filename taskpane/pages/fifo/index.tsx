/**
 * FIFO page: pick the transactions sheet (TC_Data by default) or a dataset on the server, choose
 * the mode, Run; the five sheets are written into the workbook, the run is recorded on the server,
 * the figures and the problems (click selects the cell) are shown. Ribbon "Run FIFO" opens this
 * page and runs it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Select,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwise20Regular, Play20Regular } from '@fluentui/react-icons';
import pkg from '../../../package.json';
import { formatAmount } from '../../../src/kernel/money';
import { isIsoDate } from '../../../src/kernel/dates';
import type { FifoMode } from '../../../src/fifo';
import type { Table as KernelTable } from '../../../src/kernel/table';
import { ProblemsList, RunStatus, formatCount, runErrorMessage } from '../../components';
import type { DatasetSummary } from '../../api';
import { useShell } from '../../shell';
import {
  defaultTransactionsSheet,
  readTransactionsFromBackend,
  readTransactionsFromWorkbook,
  recordFifoRun,
  runFifo,
  writeFifoSheets,
  type FifoOutcome,
} from './fifo-run';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap' },
  grow: { flexGrow: 1, minWidth: '160px' },
  small: { width: '140px' },
  // A Fluent Input sizes itself from the native input (about 20 characters); fill the field instead.
  fill: { width: '100%', minWidth: 0 },
  // Run ids are long unbroken words; let them wrap inside the 320-px pane.
  message: { overflowWrap: 'anywhere' },
  money: { textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
});

type Source = 'workbook' | 'server';

/** Last ribbon click handled; module-wide so coming back to the page does not run again. */
let ribbonHandledAt = 0;

export default function FifoPage() {
  const styles = useStyles();
  const shell = useShell();
  const [source, setSource] = useState<Source>('workbook');
  const [sheets, setSheets] = useState<string[]>([]);
  const [sheet, setSheet] = useState('');
  const [datasets, setDatasets] = useState<DatasetSummary[] | null>(null);
  const [datasetId, setDatasetId] = useState('');
  const [mode, setMode] = useState<FifoMode>('lots');
  const [asOf, setAsOf] = useState('');
  const [progress, setProgress] = useState<{ label: string; done: number; total?: number } | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [outcome, setOutcome] = useState<FifoOutcome | null>(null);
  const [recorded, setRecorded] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);

  useEffect(() => () => abortRef.current?.abort(), []);

  // The sheet list follows the workbook (new sheets loaded from the Data page appear).
  useEffect(() => {
    let live = true;
    shell.workbook.listSheets().then(
      (names) => {
        if (!live) return;
        setSheets(names);
        setSheet((current) => (current && names.includes(current) ? current : (defaultTransactionsSheet(names) ?? '')));
      },
      (e: unknown) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [shell.workbook, shell.workbookVersion]);

  const loadDatasets = useCallback(async () => {
    setError(null);
    try {
      const list = await shell.api.listDatasets();
      setDatasets(list);
      setDatasetId((current) => current || (list.find((d) => /tc_?data/i.test(d.name)) ?? list[0])?.id || '');
    } catch (e) {
      setError((e as Error).message);
    }
  }, [shell.api]);

  useEffect(() => {
    if (source === 'server' && datasets === null) void loadDatasets();
  }, [source, datasets, loadDatasets]);

  const asOfValid = asOf === '' || isIsoDate(asOf);

  const run = useCallback(async () => {
    const controller = new AbortController();
    abortRef.current = controller;
    setError(null);
    setOutcome(null);
    setRecorded(null);
    setCancelling(false);
    try {
      let tables: KernelTable[];
      let sourceName: string;
      if (source === 'server') {
        const dataset = datasets?.find((d) => d.id === datasetId);
        if (!dataset) throw new Error('Choose a dataset on the server first.');
        setProgress({ label: `Loading ${dataset.name} from the server`, done: 0 });
        const table = await readTransactionsFromBackend(shell.api, dataset, {
          signal: controller.signal,
          onProgress: (done, total) => setProgress({ label: `Loading ${dataset.name} from the server`, done, total }),
        });
        tables = [table];
        sourceName = table.name;
      } else {
        if (!sheet) throw new Error('The workbook has no sheet to read: load TC_Data from the Data page first.');
        setProgress({ label: `Reading ${sheet}`, done: 0 });
        tables = await readTransactionsFromWorkbook(shell.workbook, sheet);
        sourceName = sheet;
      }
      controller.signal.throwIfAborted();
      setProgress({ label: 'Matching', done: tables[0]!.rows.length, total: tables[0]!.rows.length });
      const result = await runFifo(tables, { sheet: sourceName, mode, asOf: asOf || undefined });
      controller.signal.throwIfAborted();
      setOutcome(result);
      if (result.stopped) return;
      await writeFifoSheets(shell.workbook, result.sheets, {
        signal: controller.signal,
        onProgress: (done, total, name) => setProgress({ label: `Writing ${name}`, done, total }),
      });
      try {
        const r = await recordFifoRun(shell.api, result, { mode, asOf: asOf || undefined, version: pkg.version });
        setRecorded(`Run ${r.id} recorded on the server.`);
      } catch (e) {
        setRecorded(`The run was not recorded on the server: ${(e as Error).message}`);
      }
    } catch (e) {
      setError(runErrorMessage(e));
    } finally {
      abortRef.current = null;
      setProgress(null);
      setCancelling(false);
    }
  }, [source, datasets, datasetId, sheet, mode, asOf, shell.api, shell.workbook]);

  // Ribbon "Run FIFO": run once per click with what the page shows.
  useEffect(() => {
    const cmd = shell.ribbonCommand;
    if (!cmd || cmd.page !== 'fifo' || cmd.action !== 'run' || cmd.at <= ribbonHandledAt || progress) return;
    if (source === 'workbook' && !sheet) return; // wait for the sheet list
    ribbonHandledAt = cmd.at;
    void run();
  }, [shell.ribbonCommand, run, progress, source, sheet]);

  const busy = progress !== null;
  const a = outcome?.analytics;
  const figures: [string, string][] = a
    ? [
        ['Transactions matched', `${formatCount(a.transactions)}${a.leftOut ? ` (${formatCount(a.leftOut)} left out)` : ''}`],
        ['Customers', formatCount(a.customers)],
        ['Earned', `${formatCount(a.totals.earned.count)} · ${formatAmount(a.totals.earned.cents)}`],
        ['Spent and expired', `${formatCount(a.totals.spent.count + a.totals.expired.count)} · ${formatAmount(-(a.totals.spent.cents + a.totals.expired.cents))}`],
        ['Allocated', `${formatCount(a.allocations)} · ${formatAmount(a.allocatedCents)}`],
        ['Match rate', `${(a.matchRate * 100).toFixed(2)} %`],
        ['Unmatched', `${formatCount(a.unmatchedCount)} · ${formatAmount(a.unmatchedCents)}`],
        ['Open lots', `${formatCount(a.openLots)} · ${formatAmount(a.openCents)}`],
        ['Open past expiry', `${formatCount(a.openLotsPastExpiry)} · ${formatAmount(a.openCentsPastExpiry)}`],
        ['Negative balances', `${formatCount(a.negativeBalanceCustomers)} · ${formatAmount(a.negativeBalanceCents)}`],
      ]
    : [];

  return (
    <div className={styles.root}>
      <Field label="Transactions">
        <RadioGroup layout="horizontal" value={source} onChange={(_, d) => setSource(d.value as Source)} disabled={busy}>
          <Radio value="workbook" label="Sheet in this workbook" />
          <Radio value="server" label="Dataset on the server" />
        </RadioGroup>
      </Field>
      <div className={styles.row}>
        {source === 'workbook' ? (
          <Field className={styles.grow} label="Sheet" hint="TC_Data; Customers and Sales are checked when present.">
            <Select value={sheet} onChange={(_, d) => setSheet(d.value)} disabled={busy || sheets.length === 0} data-testid="fifo-sheet">
              {sheets.length === 0 && <option value="">No sheets</option>}
              {sheets.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          </Field>
        ) : (
          <Field className={styles.grow} label="Dataset">
            <Select value={datasetId} onChange={(_, d) => setDatasetId(d.value)} disabled={busy || !datasets?.length} data-testid="fifo-dataset">
              {!datasets?.length && <option value="">{datasets ? 'No datasets on the server' : 'Loading…'}</option>}
              {datasets?.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </Select>
          </Field>
        )}
        {source === 'server' && (
          <Button icon={<ArrowClockwise20Regular />} onClick={() => void loadDatasets()} disabled={busy} aria-label="Reload datasets" />
        )}
      </div>
      <div className={styles.row}>
        <Field className={styles.small} label="Mode">
          <Select value={mode} onChange={(_, d) => setMode(d.value as FifoMode)} disabled={busy} data-testid="fifo-mode">
            <option value="lots">Lots (split to the cent)</option>
            <option value="one-to-one">One-to-one (legacy)</option>
          </Select>
        </Field>
        <Field className={styles.small} label="Balance as of" validationMessage={asOfValid ? undefined : 'YYYY-MM-DD'}>
          <Input className={styles.fill} value={asOf} onChange={(_, d) => setAsOf(d.value)} placeholder="YYYY-MM-DD" disabled={busy} data-testid="fifo-as-of" />
        </Field>
      </div>
      <div>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void run()} disabled={busy || !asOfValid} data-testid="fifo-run">
          Run FIFO
        </Button>
      </div>
      <RunStatus
        progress={progress}
        cancelling={cancelling}
        onCancel={() => {
          setCancelling(true);
          abortRef.current?.abort();
        }}
        error={error}
        errorTestId="fifo-error"
      />
      {outcome && !busy && !error && (
        <MessageBar intent={outcome.stopped ? 'error' : outcome.problems.some((p) => p.severity === 'blocking') ? 'warning' : 'success'} data-testid="fifo-outcome">
          <MessageBarBody className={styles.message}>
            {outcome.stopped
              ? `Nothing was matched: ${outcome.problems[0]?.message ?? 'the transactions cannot be read.'}`
              : `Wrote ${outcome.sheets.map((s) => s.name).join(', ')}.`}{' '}
            {recorded}
          </MessageBarBody>
        </MessageBar>
      )}
      {a && !outcome?.stopped && (
        <div>
          <Subtitle2>Summary</Subtitle2>
          <Table size="small" aria-label="FIFO summary" data-testid="fifo-summary">
            <TableBody>
              {figures.map(([label, value]) => (
                <TableRow key={label}>
                  <TableCell>{label}</TableCell>
                  <TableCell className={styles.money}>{value}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Caption1>Result checksum {outcome?.resultChecksum.slice(0, 19)}…</Caption1>
        </div>
      )}
      {outcome && outcome.problems.length > 0 && (
        <div>
          <Subtitle2>Problems ({formatCount(outcome.problems.length)})</Subtitle2>
          <ProblemsList problems={outcome.problems} />
        </div>
      )}
    </div>
  );
}
