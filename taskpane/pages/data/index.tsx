/** Data page: pick a backend dataset and load it into a new sheet, with progress and Cancel. */
import { Button, Link, MessageBar, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import { DatabaseArrowDown20Regular } from '@fluentui/react-icons';
import type { Problem } from '../../../src/kernel/problems';
import { InputPicker, ProblemsList, RunStatus, formatCount, useInputPicker, useJobRun } from '../../components';
import { useShell } from '../../shell';
import { LoadCancelledError, loadDatasetIntoSheet } from './load-dataset';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  message: { overflowWrap: 'anywhere', minWidth: 0 },
});

type Outcome = { kind: 'loaded'; sheet: string; rows: number; problems: Problem[] } | { kind: 'cancelled'; message: string; sheet?: string };

export default function DataPage() {
  const styles = useStyles();
  const shell = useShell();
  const picker = useInputPicker({
    label: 'Dataset',
    testId: 'data',
    sources: [{ kind: 'dataset', label: 'Dataset', testId: 'dataset-select', hint: undefined }],
  });

  const run = useJobRun<Outcome>('Loading', async (ctx) => {
    const ds = picker.choice?.kind === 'dataset' ? picker.choice.datasets[0] : undefined;
    if (!ds) throw new Error('Choose a dataset first.');
    try {
      const result = await loadDatasetIntoSheet({
        port: shell.workbook,
        datasetId: ds.id,
        datasetName: ds.name,
        fetchPage: (id, offset, limit, signal) => shell.api.getDatasetPage(id, offset, limit, signal),
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p.phase === 'reading' ? 'Reading rows from the server' : 'Writing rows to the sheet', p.done, p.total),
      });
      return { kind: 'loaded', ...result };
    } catch (e) {
      // A cancelled load says how far it got, and which sheet holds what was written.
      if (e instanceof LoadCancelledError) return { kind: 'cancelled', message: e.message, sheet: e.sheet };
      throw e;
    }
  });

  const outcome = run.outcome;
  const showInWorkbook = (sheet: string) =>
    shell.preview ? (
      <>
        {' '}
        <Link onClick={() => shell.showSheet(sheet)}>Show it</Link>
      </>
    ) : null;

  return (
    <div className={styles.root}>
      <InputPicker picker={picker} disabled={run.running} />
      {picker.datasets !== null && picker.datasets.length === 0 && !picker.listError && shell.session && (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody className={styles.message}>The server has no datasets yet. Put .csv, .txt or .xlsx files in its datasets folder, then refresh.</MessageBarBody>
        </MessageBar>
      )}
      <div>
        <Button appearance="primary" icon={<DatabaseArrowDown20Regular />} onClick={() => void run.start()} disabled={run.running || !picker.choice}>
          Load into a new sheet
        </Button>
      </div>
      <RunStatus run={run} errorTestId="load-outcome" />
      {outcome?.kind === 'loaded' && !run.running && (
        <MessageBar intent="success" layout="multiline" data-testid="load-outcome">
          <MessageBarBody className={styles.message}>
            Loaded {formatCount(outcome.rows)} rows into sheet {outcome.sheet}.{showInWorkbook(outcome.sheet)}
          </MessageBarBody>
        </MessageBar>
      )}
      {outcome?.kind === 'loaded' && <ProblemsList problems={outcome.problems} title="Problems the server found in this dataset" />}
      {outcome?.kind === 'cancelled' && !run.running && (
        <MessageBar intent="warning" layout="multiline" data-testid="load-outcome">
          <MessageBarBody className={styles.message}>
            {outcome.message}
            {outcome.sheet ? showInWorkbook(outcome.sheet) : null}
          </MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
