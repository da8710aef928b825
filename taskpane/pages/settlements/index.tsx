/**
 * Settlements page: open Amazon settlement files (or a backend dataset), choose the invoice mode and
 * the mapping file (or, without one, the Zoho ids of a connected organisation), build; the Invoices, Payments, Journals and Reconciliation sheets are written
 * into the workbook, with the figures per settlement and the problems (unmapped SKUs and fee types
 * with their totals). The Prepare batch → Approve → Post section comes from post-panel.tsx.
 */
import { useCallback, useEffect, useRef, useState, type ComponentType } from 'react';
import {
  Button,
  Caption1,
  Field,
  Link,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Select,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowSync20Regular, DocumentArrowUp20Regular, Play20Regular, Settings20Regular } from '@fluentui/react-icons';
import { formatAmount } from '../../../src/kernel/money';
import type { InvoiceMode } from '../../../src/settlements/build';
import type { SettlementFileInput } from '../../../src/settlements/parse';
import type { SettlementPosting } from '../../../src/settlements/posting';
import { SETTLEMENT_SHEETS } from '../../../src/settlements/sheets';
import { ProblemsList, RunStatus, formatCount, runErrorMessage } from '../../components';
import type { DatasetSummary } from '../../api';
import { useShell } from '../../shell';
import type { SettlementsPostPanelProps } from './post-panel-props';
import {
  buildSettlements,
  describeIdSource,
  describeZohoIds,
  idSourceValue,
  listZohoConnections,
  loadSettlementDataset,
  loadStoredMapping,
  loadZohoLists,
  mappingFromText,
  readPickedFiles,
  resolveIdSource,
  settlementConfigFor,
  storeMapping,
  writeSettlementSheets,
  type IdSource,
  type MappingState,
  type ZohoConnectionSummary,
} from './settlements-run';
import { zohoIdsFromLists, type ZohoLists } from '../../../src/settlements/mapping';

// The posting panel is a separate module; the section appears only when it is part of the build.
declare const require: { context(dir: string, deep: boolean, re: RegExp): { keys(): string[]; (id: string): unknown } };
const postPanelModules = require.context('.', false, /^\.\/post-panel\.tsx$/);
const PostPanel: ComponentType<SettlementsPostPanelProps> | null = postPanelModules.keys().length
  ? (postPanelModules(postPanelModules.keys()[0]!) as { default: ComponentType<SettlementsPostPanelProps> }).default
  : null;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap' },
  grow: { flexGrow: 1, minWidth: '160px' },
  money: { textAlign: 'right', fontVariantNumeric: 'tabular-nums', margin: 0 },
  cards: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  card: { padding: tokens.spacingVerticalS, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground2 },
  figures: { display: 'grid', gridTemplateColumns: '1fr 1fr', columnGap: tokens.spacingHorizontalL, rowGap: '2px', margin: 0 },
  figure: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS },
  hidden: { display: 'none' },
});

type Source = 'files' | 'dataset';

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export default function SettlementsPage() {
  const styles = useStyles();
  const shell = useShell();
  const [source, setSource] = useState<Source>('files');
  const [picked, setPicked] = useState<File[]>([]);
  const [datasets, setDatasets] = useState<DatasetSummary[] | null>(null);
  const [datasetId, setDatasetId] = useState('');
  const [mode, setMode] = useState<InvoiceMode>('per-order');
  const [mapping, setMapping] = useState<MappingState>(() => loadStoredMapping(browserStorage()));
  const [connections, setConnections] = useState<ZohoConnectionSummary[] | null>(null);
  const [connectionsError, setConnectionsError] = useState<string | null>(null);
  // null until the user picks: then the only connection is used (resolveIdSource).
  const [chosenConnection, setChosenConnection] = useState<string | null>(null);
  const [builtWith, setBuiltWith] = useState<{ source: IdSource; ids: string | null } | null>(null);
  const [progress, setProgress] = useState<{ label: string; done: number; total?: number } | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [result, setResult] = useState<SettlementPosting | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const filesRef = useRef<HTMLInputElement>(null);
  const mappingRef = useRef<HTMLInputElement>(null);

  useEffect(() => () => abortRef.current?.abort(), []);

  useEffect(() => {
    const ctl = new AbortController();
    listZohoConnections((path, opts) => shell.api.request(path, opts), ctl.signal)
      .then((list) => setConnections(list))
      .catch((e: Error) => {
        if (ctl.signal.aborted) return;
        setConnections([]);
        setConnectionsError(`The Zoho connections could not be listed: ${e.message}`);
      });
    return () => ctl.abort();
  }, [shell.api]);

  const idSource = resolveIdSource(mapping, connections, chosenConnection);

  const refreshDatasets = useCallback(async () => {
    setDatasets(null);
    try {
      const list = await shell.api.listDatasets();
      setDatasets(list);
      setDatasetId((cur) => (list.some((d) => d.id === cur) ? cur : (list.find((d) => /settle/i.test(d.name))?.id ?? list[0]?.id ?? '')));
    } catch (e) {
      setError((e as Error).message);
      setDatasets([]);
    }
  }, [shell.api]);

  useEffect(() => {
    if (source === 'dataset' && datasets === null) void refreshDatasets();
  }, [source, datasets, refreshDatasets]);

  async function chooseMapping(file: File | undefined) {
    if (!file) return;
    const text = await file.text();
    const m = mappingFromText(file.name, text);
    setMapping(m);
    if (!m.error) storeMapping(browserStorage(), { name: file.name, text });
  }

  function resetMapping() {
    storeMapping(browserStorage(), null);
    setMapping(loadStoredMapping(null));
  }

  async function build() {
    const controller = new AbortController();
    abortRef.current = controller;
    setError(null);
    setResult(null);
    setBuiltWith(null);
    setCancelling(false);
    const idsFrom = idSource;
    try {
      let inputs: SettlementFileInput[];
      if (source === 'files') {
        setProgress({ label: 'Reading the settlement files', done: 0 });
        inputs = await readPickedFiles(picked);
      } else {
        const ds = datasets?.find((d) => d.id === datasetId);
        if (!ds) throw new Error('Choose a dataset first.');
        setProgress({ label: `Reading ${ds.name} from the server`, done: 0 });
        inputs = [
          await loadSettlementDataset((id, offset, limit, signal) => shell.api.getDatasetPage(id, offset, limit, signal), ds.id, ds.name, {
            signal: controller.signal,
            onProgress: (done, total) => setProgress({ label: `Reading ${ds.name} from the server`, done, total }),
          }),
        ];
      }
      controller.signal.throwIfAborted();
      let lists: ZohoLists | null = null;
      if (idsFrom.kind === 'connection') {
        setProgress({ label: `Reading accounts, items and customers from ${idsFrom.connection.name}`, done: 0 });
        lists = await loadZohoLists((path, opts) => shell.api.request(path, opts), idsFrom.connection.id, controller.signal);
      }
      const config = settlementConfigFor(idsFrom, mapping, lists);
      setProgress({ label: 'Building invoices, payments and journals', done: 0 });
      // Let the progress bar paint before the (synchronous) build.
      await new Promise((r) => setTimeout(r, 0));
      const built = buildSettlements(inputs, config, mode);
      setResult(built);
      setBuiltWith({ source: idsFrom, ids: lists ? describeZohoIds(zohoIdsFromLists(lists)) : null });
      await writeSettlementSheets(shell.workbook, built.sheets, {
        signal: controller.signal,
        onProgress: (done, total, sheet) => setProgress({ label: `Writing ${sheet}`, done, total }),
      });
    } catch (e) {
      setError(runErrorMessage(e));
    } finally {
      abortRef.current = null;
      setProgress(null);
      setCancelling(false);
    }
  }

  const busy = progress !== null;
  const canBuild = !busy && (source === 'files' ? picked.length > 0 : !!datasetId);
  const blocking = result?.problems.filter((p) => p.severity === 'blocking').length ?? 0;
  const count = (k: string) => result?.documents.filter((d) => d.kind === k).length ?? 0;
  const title = result ? `Settlements ${result.settlements.map((s) => s.settlementId).join(', ')} (${mode})` : '';

  return (
    <div className={styles.root}>
      <Field label="Settlement reports">
        <RadioGroup layout="horizontal" value={source} onChange={(_, d) => setSource(d.value as Source)} disabled={busy}>
          <Radio value="files" label="Files on this computer" />
          <Radio value="dataset" label="A dataset on the server" />
        </RadioGroup>
      </Field>
      {source === 'files' ? (
        <div className={styles.row}>
          <input
            ref={filesRef}
            className={styles.hidden}
            type="file"
            multiple
            accept=".txt,.tsv,.csv,text/plain,text/tab-separated-values,text/csv"
            onChange={(e) => setPicked(Array.from(e.target.files ?? []))}
            data-testid="settlements-files"
          />
          <Button icon={<DocumentArrowUp20Regular />} onClick={() => filesRef.current?.click()} disabled={busy}>
            Open settlement files
          </Button>
          <Caption1>{picked.length ? picked.map((f) => f.name).join(', ') : 'Flat files V2 or legacy V1 (.txt), as downloaded from Seller Central.'}</Caption1>
        </div>
      ) : (
        <div className={styles.row}>
          <Field className={styles.grow} label="Dataset">
            <Select value={datasetId} onChange={(_, d) => setDatasetId(d.value)} disabled={busy || !datasets?.length} data-testid="settlements-dataset">
              {(datasets ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </Select>
          </Field>
          <Button icon={<ArrowSync20Regular />} onClick={() => void refreshDatasets()} disabled={busy} aria-label="Refresh the list of datasets" title="Refresh" />
        </div>
      )}
      <Field label="Invoices">
        <RadioGroup layout="horizontal" value={mode} onChange={(_, d) => setMode(d.value as InvoiceMode)} disabled={busy}>
          <Radio value="per-order" label="One per order (AMZN + 7 digits)" />
          <Radio value="per-settlement" label="One per settlement" />
        </RadioGroup>
      </Field>
      <div className={styles.row}>
        <input ref={mappingRef} className={styles.hidden} type="file" accept=".json,application/json" onChange={(e) => void chooseMapping(e.target.files?.[0])} data-testid="settlements-mapping" />
        <Button icon={<Settings20Regular />} onClick={() => mappingRef.current?.click()} disabled={busy}>
          Choose mapping file
        </Button>
        <Caption1>
          {mapping.name ? (
            <>
              Mapping: {mapping.name}; its Zoho ids are used. <Link onClick={resetMapping}>Use the defaults</Link>
            </>
          ) : idSource.kind === 'connection' ? (
            `Default mapping of fee types to accounts; Zoho ids (accounts, SKUs, customers) from connection ${idSource.connection.name}, found by name.`
          ) : (
            'Default mapping of fee types to accounts; Zoho ids (accounts, SKUs, customers) come from a mapping file or a Zoho connection.'
          )}
        </Caption1>
      </div>
      {!mapping.name && connections && connections.length > 0 && (
        <Field label="Zoho ids">
          <Select value={idSourceValue(idSource)} onChange={(_, d) => setChosenConnection(d.value)} disabled={busy} data-testid="settlements-id-source">
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {`Zoho ids from connection ${c.name}${c.organizationName ? ` (${c.organizationName}${c.sandbox ? ', sandbox' : ''})` : ''}`}
              </option>
            ))}
            <option value="">No Zoho ids (report every account, SKU and customer as unmapped)</option>
          </Select>
        </Field>
      )}
      {!mapping.name && connectionsError && <Caption1>{connectionsError}</Caption1>}
      {mapping.error && (
        <MessageBar intent="error">
          <MessageBarBody>{mapping.error}</MessageBarBody>
        </MessageBar>
      )}
      <div>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void build()} disabled={!canBuild} data-testid="settlements-build">
          Build settlement sheets
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
        errorTestId="settlements-error"
      />
      {result && !busy && !error && (
        <MessageBar intent={blocking ? 'warning' : 'success'} data-testid="settlements-outcome">
          <MessageBarBody>
            {formatCount(result.settlements.length)} settlement{result.settlements.length === 1 ? '' : 's'}: {formatCount(count('invoice'))} invoices,{' '}
            {formatCount(count('payment'))} payments, {formatCount(count('journal'))} journals written to {result.sheets.map((s) => s.name).join(', ')}.{' '}
            {blocking ? `${blocking === 1 ? 'A blocking problem holds' : `${blocking} blocking problems hold`} them back from posting.` : 'Ready to post.'}
            {builtWith && ` ${describeIdSource(builtWith.source)}${builtWith.ids ? `: ${builtWith.ids} found` : ''}.`}
            {shell.preview && (
              <>
                {' '}
                <Link onClick={() => shell.showSheet(SETTLEMENT_SHEETS.reconciliation)}>Show the reconciliation</Link>
              </>
            )}
          </MessageBarBody>
        </MessageBar>
      )}
      {result && result.reconciliation.length > 0 && (
        <div>
          <Subtitle2>Reconciliation</Subtitle2>
          <ul className={styles.cards} aria-label="Reconciliation per settlement" data-testid="settlements-reconciliation">
            {result.reconciliation.map((r) => (
              <li key={`${r.settlementId}-${r.currency}`} className={styles.card} data-testid="reconciliation-row">
                <Text weight="semibold" block>
                  {r.settlementId} {r.currency} · {r.balanced ? 'Balanced' : 'Check'}
                </Text>
                <dl className={styles.figures}>
                  {(
                    [
                      ['Total', r.totalCents],
                      ['Invoiced', r.invoicedCents],
                      ['Fees and other', r.journalItemsCents + r.unmappedCents],
                      ['Clearing', r.clearingCents],
                    ] as const
                  ).map(([label, cents]) => (
                    <div key={label} className={styles.figure}>
                      <dt>{label}</dt>
                      <dd className={styles.money}>{formatAmount(cents, r.currency)}</dd>
                    </div>
                  ))}
                </dl>
                {!r.balanced && <Caption1 block>{r.status}</Caption1>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result && PostPanel && !busy && <PostPanel
          documents={result.documents}
          blocked={result.blocked}
          sheets={result.sheets}
          title={title}
          connectionId={builtWith?.source.kind === 'connection' ? builtWith.source.connection.id : undefined}
        />}
      {result && result.problems.length > 0 && (
        <div>
          <Subtitle2>Problems ({formatCount(result.problems.length)})</Subtitle2>
          <ProblemsList problems={result.problems} />
        </div>
      )}
    </div>
  );
}
