/**
 * The one input picker of the job pages: "a sheet in this workbook, or a dataset from the backend"
 * (and, where a job takes them, files from this computer or the job's own source on the server).
 * A page declares which sources it offers and how its inputs are recognised; the picker lists the
 * sheets (following the workbook as it changes) and the datasets (on first use, with Refresh),
 * preselects what the page recognises, and hands back one choice.
 *
 *   const picker = useInputPicker({ label: 'Transactions', testId: 'fifo', sources: [{ kind: 'sheet', … }, { kind: 'dataset', … }] });
 *   <InputPicker picker={picker} disabled={run.running} />
 *   picker.choice  // { kind: 'sheet', sheets: ['TC_Data'] } | { kind: 'dataset', datasets: [...] } | … | null
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Button, Caption1, Checkbox, Field, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowSync20Regular, DocumentArrowUp20Regular } from '@fluentui/react-icons';
import type { DatasetSummary } from '../api';
import { useShell } from '../shell';
import { errorSentence } from './errors';
import { countOf } from '../../src/kernel/counts';
import { Ellipsis, PaneSelect } from './pane-select';

export interface SheetSource {
  kind: 'sheet';
  label: string;
  multiple?: boolean;
  /** The sheets offered, in order (default: every sheet); leave out the sheets the job writes. */
  offer?: (names: readonly string[]) => string[];
  /** The sheets chosen until the user chooses (default: the first offered for one, none for several). */
  prefer?: (offered: readonly string[]) => string[];
  hint?: string;
  /** Said when the workbook has no sheet to offer. */
  empty?: string;
}

export interface DatasetSource {
  kind: 'dataset';
  label: string;
  multiple?: boolean;
  /** Ids of the datasets chosen until the user chooses (default: the first for one, none for several). */
  prefer?: (datasets: readonly DatasetSummary[]) => string[];
  hint?: string;
  /** data-testid of the select (default `<testId>-dataset`). */
  testId?: string;
}

export interface FilesSource {
  kind: 'files';
  label: string;
  /** The file input's accept list. */
  accept: string;
  button: string;
  hint: string;
}

/** The job's own source on the server (e.g. VRET's database and THR folder): nothing to choose. */
export interface ServerSource {
  kind: 'server';
  label: string;
  hint?: string;
}

export type InputSource = SheetSource | DatasetSource | FilesSource | ServerSource;
export type InputKind = InputSource['kind'];

export type InputChoice =
  | { kind: 'sheet'; sheets: string[] }
  | { kind: 'dataset'; datasets: DatasetSummary[] }
  | { kind: 'files'; files: File[] }
  | { kind: 'server' };

export interface InputPickerSpec {
  /** What the inputs are, e.g. "Transactions", "Partner files". */
  label: string;
  /** Prefix of the controls' data-testid: `<testId>-sheet`, `<testId>-dataset`, `<testId>-files`, `<testId>-inputs`. */
  testId: string;
  /** In the order shown; the first is chosen at first. */
  sources: readonly InputSource[];
}

/**
 * The selection in force: what the user chose that is still offered; until the user chooses (or
 * when a single choice went away), what the page prefers, else the first offered for a single choice.
 */
export function effectiveSelection(offered: readonly string[], chosen: readonly string[] | null, preferred: readonly string[], multiple: boolean): string[] {
  const kept = (chosen ?? []).filter((c) => offered.includes(c));
  if (chosen !== null && (multiple || kept.length > 0)) return multiple ? kept : kept.slice(0, 1);
  const pref = preferred.filter((p) => offered.includes(p));
  if (multiple) return pref;
  return pref.length ? [pref[0]!] : offered.slice(0, 1);
}

/** `vret/cm.csv · 13 columns`: what tells two datasets of one name apart. */
export function describeDataset(d: DatasetSummary): string {
  const facts: string[] = [];
  if (typeof d.source === 'string') facts.push(d.kind === 'sql' ? `SQL source ${d.source}` : d.source);
  if (Array.isArray(d.columns)) facts.push(countOf(d.columns.length, 'column'));
  return facts.join(' · ');
}

export interface InputPicker {
  spec: InputPickerSpec;
  kind: InputKind;
  setKind(kind: InputKind): void;
  /** Sheets offered; null while the workbook is being read. */
  sheets: string[] | null;
  chosenSheets: string[];
  chooseSheets(names: string[]): void;
  /** Datasets on the server; null until listed. */
  datasets: DatasetSummary[] | null;
  chosenDatasets: string[];
  chooseDatasets(ids: string[]): void;
  refreshDatasets(): Promise<void>;
  files: File[];
  chooseFiles(files: File[]): void;
  /** Why a list could not be read, in one sentence. */
  listError: string | null;
  /** What the run reads; null while nothing is chosen. */
  choice: InputChoice | null;
  /** False while the chosen source is still being listed (a ribbon press waits for it). */
  ready: boolean;
}

function sourceOf<K extends InputKind>(spec: InputPickerSpec, kind: K): Extract<InputSource, { kind: K }> | undefined {
  return spec.sources.find((s) => s.kind === kind) as Extract<InputSource, { kind: K }> | undefined;
}

export function useInputPicker(spec: InputPickerSpec): InputPicker {
  const shell = useShell();
  const [kind, setKind] = useState<InputKind>(spec.sources[0]!.kind);
  const [sheetNames, setSheetNames] = useState<string[] | null>(null);
  const [chosenSheetNames, chooseSheets] = useState<string[] | null>(null);
  const [datasets, setDatasets] = useState<DatasetSummary[] | null>(null);
  const [chosenIds, chooseDatasets] = useState<string[] | null>(null);
  const [files, chooseFiles] = useState<File[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  const sheetSource = sourceOf(spec, 'sheet');
  const datasetSource = sourceOf(spec, 'dataset');
  // The page's functions are declared inline; the latest are used without re-listing on each render.
  const specRef = useRef(spec);
  specRef.current = spec;

  // The sheet list follows the workbook: sheets loaded on the Data page or written by a run appear.
  useEffect(() => {
    if (!sheetSource) return;
    let live = true;
    shell.workbook.listSheets().then(
      (names) => live && setSheetNames(sourceOf(specRef.current, 'sheet')?.offer?.(names) ?? names),
      (e: unknown) => live && setListError(errorSentence(e, 'The sheets of this workbook could not be listed.')),
    );
    return () => {
      live = false;
    };
  }, [shell.workbook, shell.workbookVersion, !!sheetSource]); // eslint-disable-line react-hooks/exhaustive-deps

  const refreshDatasets = useCallback(async () => {
    setListError(null);
    setDatasets(null);
    try {
      setDatasets(await shell.api.listDatasets());
    } catch (e) {
      setDatasets([]);
      setListError(errorSentence(e, 'The datasets on the server could not be listed.'));
    }
  }, [shell.api]);

  useEffect(() => {
    if (kind === 'dataset' && datasets === null && shell.session) void refreshDatasets();
  }, [kind, datasets, refreshDatasets, shell.session]);

  const sheets = useMemo(
    () => effectiveSelection(sheetNames ?? [], chosenSheetNames, sheetSource?.prefer?.(sheetNames ?? []) ?? [], !!sheetSource?.multiple),
    [sheetNames, chosenSheetNames, sheetSource],
  );
  const datasetIds = useMemo(() => {
    const list = datasets ?? [];
    return effectiveSelection(
      list.map((d) => d.id),
      chosenIds,
      datasetSource?.prefer?.(list) ?? [],
      !!datasetSource?.multiple,
    );
  }, [datasets, chosenIds, datasetSource]);

  const choice = useMemo<InputChoice | null>(() => {
    switch (kind) {
      case 'sheet':
        return sheets.length ? { kind, sheets } : null;
      case 'dataset': {
        const chosen = (datasets ?? []).filter((d) => datasetIds.includes(d.id));
        return chosen.length ? { kind, datasets: chosen } : null;
      }
      case 'files':
        return files.length ? { kind, files } : null;
      case 'server':
        return { kind };
    }
  }, [kind, sheets, datasets, datasetIds, files]);

  return {
    spec,
    kind,
    setKind,
    sheets: sheetNames,
    chosenSheets: sheets,
    chooseSheets,
    datasets,
    chosenDatasets: datasetIds,
    chooseDatasets,
    refreshDatasets,
    files,
    chooseFiles,
    listError,
    choice,
    ready: kind === 'sheet' ? sheetNames !== null : kind === 'dataset' ? datasets !== null : true,
  };
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  radios: { flexWrap: 'wrap', columnGap: tokens.spacingHorizontalS },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', minWidth: 0 },
  grow: { flexGrow: 1, minWidth: 0 },
  list: {
    display: 'flex',
    flexDirection: 'column',
    minWidth: 0,
    maxHeight: '180px',
    overflowY: 'auto',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  checkbox: { minWidth: 0, maxWidth: '100%' },
  checkboxLabel: { minWidth: 0 },
  hint: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  hidden: { display: 'none' },
});

function Hint({ text }: { text?: string }) {
  const styles = useStyles();
  return text ? <Caption1 className={styles.hint}>{text}</Caption1> : null;
}

function CheckList({ items, chosen, onChange, disabled, label, testId }: { items: { value: string; label: string }[]; chosen: string[]; onChange(values: string[]): void; disabled?: boolean; label: string; testId: string }) {
  const styles = useStyles();
  return (
    <div className={styles.list} role="group" aria-label={label} data-testid={testId}>
      {items.map((it) => (
        <Checkbox
          key={it.value}
          className={styles.checkbox}
          label={{ children: <Ellipsis text={it.label} />, className: styles.checkboxLabel }}
          checked={chosen.includes(it.value)}
          onChange={(_, d) => onChange(d.checked ? [...chosen, it.value] : chosen.filter((v) => v !== it.value))}
          disabled={disabled}
        />
      ))}
    </div>
  );
}

export function InputPicker({ picker, disabled }: { picker: InputPicker; disabled?: boolean }) {
  const styles = useStyles();
  const shell = useShell();
  const filesRef = useRef<HTMLInputElement>(null);
  const { spec, kind } = picker;
  const source = spec.sources.find((s) => s.kind === kind)!;
  const several = spec.sources.length > 1;

  let control: JSX.Element | null = null;
  if (source.kind === 'sheet') {
    const names = picker.sheets ?? [];
    const empty = picker.sheets === null ? 'Reading the workbook…' : (source.empty ?? 'No sheets: load one from the Data page.');
    control = source.multiple ? (
      names.length === 0 ? (
        <Caption1>{empty}</Caption1>
      ) : (
        <CheckList items={names.map((n) => ({ value: n, label: n }))} chosen={picker.chosenSheets} onChange={picker.chooseSheets} disabled={disabled} label={source.label} testId={`${spec.testId}-inputs`} />
      )
    ) : (
      <Field label="Sheet">
        <PaneSelect
          value={picker.chosenSheets[0] ?? ''}
          onChange={(_, d) => picker.chooseSheets([d.value])}
          disabled={disabled || names.length === 0}
          options={names.map((n) => ({ value: n, label: n }))}
          empty={empty}
          data-testid={`${spec.testId}-sheet`}
        />
      </Field>
    );
  } else if (source.kind === 'dataset') {
    const list = picker.datasets ?? [];
    const empty = !shell.session ? 'Sign in to use datasets on the server.' : picker.datasets === null ? 'Loading…' : 'The server offers no datasets.';
    const chosen = list.find((d) => d.id === picker.chosenDatasets[0]);
    const refresh = (
      <Button icon={<ArrowSync20Regular />} onClick={() => void picker.refreshDatasets()} disabled={disabled || !shell.session} aria-label="Refresh the list of datasets" title="Refresh the list of datasets" />
    );
    // What the page recognises comes first in a list of several.
    const preferred = new Set(source.prefer?.(list) ?? []);
    const ordered = [...list.filter((d) => preferred.has(d.id)), ...list.filter((d) => !preferred.has(d.id))];
    control = source.multiple ? (
      <>
        <div className={styles.row}>
          <Caption1 className={styles.grow}>{list.length ? `${countOf(picker.chosenDatasets.length, 'dataset')} chosen` : empty}</Caption1>
          {refresh}
        </div>
        {list.length > 0 && (
          <CheckList items={ordered.map((d) => ({ value: d.id, label: d.name }))} chosen={picker.chosenDatasets} onChange={picker.chooseDatasets} disabled={disabled} label={source.label} testId={`${spec.testId}-inputs`} />
        )}
      </>
    ) : (
      <>
        <div className={styles.row}>
          <Field className={styles.grow} label="Dataset">
            <PaneSelect
              value={picker.chosenDatasets[0] ?? ''}
              onChange={(_, d) => picker.chooseDatasets([d.value])}
              disabled={disabled || list.length === 0}
              options={list.map((d) => ({ value: d.id, label: d.name }))}
              empty={empty}
              data-testid={source.testId ?? `${spec.testId}-dataset`}
            />
          </Field>
          {refresh}
        </div>
        {chosen && describeDataset(chosen) && <Hint text={describeDataset(chosen)} />}
      </>
    );
  } else if (source.kind === 'files') {
    const names = picker.files.map((f) => f.name).join(', ');
    control = (
      <div className={styles.row}>
        <input
          ref={filesRef}
          className={styles.hidden}
          type="file"
          multiple
          accept={source.accept}
          onChange={(e) => picker.chooseFiles(Array.from(e.target.files ?? []))}
          data-testid={`${spec.testId}-files`}
        />
        <Button icon={<DocumentArrowUp20Regular />} onClick={() => filesRef.current?.click()} disabled={disabled}>
          {source.button}
        </Button>
        {names ? <Ellipsis text={names} className={styles.grow} testId={`${spec.testId}-file-names`} /> : null}
      </div>
    );
  }

  return (
    <div className={styles.root}>
      {several ? (
        <Field label={spec.label}>
          <RadioGroup className={styles.radios} layout="horizontal" value={kind} onChange={(_, d) => picker.setKind(d.value as InputKind)} disabled={disabled}>
            {spec.sources.map((s) => (
              <Radio key={s.kind} value={s.kind} label={s.label} />
            ))}
          </RadioGroup>
        </Field>
      ) : null}
      {control}
      <Hint text={source.hint} />
      {picker.listError && <Caption1 className={styles.hint}>{picker.listError}</Caption1>}
    </div>
  );
}
