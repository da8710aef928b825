/** Data page: pick a backend dataset and load it into a new sheet, with progress and Cancel. */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Button,
  Caption1,
  Field,
  Link,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowSync20Regular, DatabaseArrowDown20Regular } from '@fluentui/react-icons';
import type { DatasetSummary } from '../../api';
import type { Problem } from '../../../src/kernel/problems';
import { ProblemsList, RunProgress, formatCount } from '../../components';
import { useShell } from '../../shell';
import { LoadCancelledError, loadDatasetIntoSheet, type LoadProgress } from './load-dataset';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  grow: { flexGrow: 1, minWidth: 0 },
  hint: { marginTop: `calc(-1 * ${tokens.spacingVerticalS})`, color: tokens.colorNeutralForeground3 },
});

type Outcome =
  | { kind: 'loaded'; sheet: string; rows: number; problems: Problem[] }
  | { kind: 'cancelled'; message: string; sheet?: string }
  | { kind: 'error'; message: string };

/** `vret/cm.csv · 13 columns` under the picker, so two datasets of the same name can be told apart. */
function describe(d: DatasetSummary): string {
  const facts: string[] = [];
  if (typeof d.source === 'string') facts.push(d.kind === 'sql' ? `SQL source ${d.source}` : d.source);
  if (Array.isArray(d.columns)) facts.push(`${d.columns.length} column${d.columns.length === 1 ? '' : 's'}`);
  return facts.join(' · ');
}

export default function DataPage() {
  const styles = useStyles();
  const shell = useShell();
  const [datasets, setDatasets] = useState<DatasetSummary[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string>('');
  const [progress, setProgress] = useState<LoadProgress | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const abortRef = useRef<AbortController | null>(null);

  const refresh = useCallback(async () => {
    setListError(null);
    setDatasets(null);
    try {
      const list = await shell.api.listDatasets();
      setDatasets(list);
      setSelected((cur) => (list.some((d) => d.id === cur) ? cur : (list[0]?.id ?? '')));
    } catch (e) {
      setListError((e as Error).message);
      setDatasets([]);
    }
  }, [shell.api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Leaving the task pane (or signing out) must not leave a load running in the background.
  useEffect(() => () => abortRef.current?.abort(), []);

  async function load() {
    const ds = datasets?.find((d) => d.id === selected);
    if (!ds) return;
    const controller = new AbortController();
    abortRef.current = controller;
    setOutcome(null);
    setCancelling(false);
    setProgress({ phase: 'reading', done: 0, total: 0 });
    try {
      const result = await loadDatasetIntoSheet({
        port: shell.workbook,
        datasetId: ds.id,
        datasetName: ds.name,
        fetchPage: (id, offset, limit, signal) => shell.api.getDatasetPage(id, offset, limit, signal),
        signal: controller.signal,
        onProgress: setProgress,
      });
      setOutcome({ kind: 'loaded', ...result });
    } catch (e) {
      if (e instanceof LoadCancelledError) setOutcome({ kind: 'cancelled', message: e.message, sheet: e.sheet });
      else setOutcome({ kind: 'error', message: (e as Error).message });
    } finally {
      abortRef.current = null;
      setProgress(null);
      setCancelling(false);
    }
  }

  function cancel() {
    setCancelling(true);
    abortRef.current?.abort();
  }

  const busy = progress !== null;
  const chosen = datasets?.find((d) => d.id === selected);
  const showInWorkbook = (sheet: string) =>
    shell.preview ? (
      <>
        {' '}
        <Link onClick={() => shell.showSheet(sheet)}>Show it</Link>
      </>
    ) : null;

  return (
    <div className={styles.root}>
      <div className={styles.row}>
        <Field className={styles.grow} label="Dataset">
          {datasets === null ? (
            <Spinner size="tiny" label="Loading the list of datasets…" />
          ) : (
            <Select
              value={selected}
              onChange={(_, d) => setSelected(d.value)}
              disabled={busy || datasets.length === 0}
              data-testid="dataset-select"
            >
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Button icon={<ArrowSync20Regular />} onClick={() => void refresh()} disabled={busy} aria-label="Refresh the list of datasets" title="Refresh" />
      </div>
      {chosen && <Caption1 className={styles.hint}>{describe(chosen)}</Caption1>}
      {listError && (
        <MessageBar intent="error">
          <MessageBarBody>{listError}</MessageBarBody>
        </MessageBar>
      )}
      {datasets !== null && datasets.length === 0 && !listError && (
        <Caption1>The server has no datasets yet. Put .csv, .txt or .xlsx files in its datasets folder, then refresh.</Caption1>
      )}
      <div>
        <Button appearance="primary" icon={<DatabaseArrowDown20Regular />} onClick={() => void load()} disabled={busy || !chosen}>
          Load into a new sheet
        </Button>
      </div>
      {progress && (
        <RunProgress
          label={progress.phase === 'reading' ? 'Reading rows from the server' : 'Writing rows to the sheet'}
          done={progress.done}
          total={progress.total}
          onCancel={cancel}
          cancelling={cancelling}
        />
      )}
      {outcome?.kind === 'loaded' && (
        <MessageBar intent="success" data-testid="load-outcome">
          <MessageBarBody>
            Loaded {formatCount(outcome.rows)} rows into sheet {outcome.sheet}.{showInWorkbook(outcome.sheet)}
          </MessageBarBody>
        </MessageBar>
      )}
      {outcome?.kind === 'loaded' && outcome.problems.length > 0 && (
        <div>
          <Caption1 block>
            The server found {outcome.problems.length === 1 ? 'a problem' : `${outcome.problems.length} problems`} in this dataset:
          </Caption1>
          <ProblemsList problems={outcome.problems} />
        </div>
      )}
      {outcome?.kind === 'cancelled' && (
        <MessageBar intent="warning" data-testid="load-outcome">
          <MessageBarBody>
            {outcome.message}
            {outcome.sheet ? showInWorkbook(outcome.sheet) : null}
          </MessageBarBody>
        </MessageBar>
      )}
      {outcome?.kind === 'error' && (
        <MessageBar intent="error" data-testid="load-outcome">
          <MessageBarBody>{outcome.message}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
