/**
 * Settlements page: open Amazon settlement files (or a backend dataset), choose the invoice mode and
 * the mapping file (or, without one, a connection's stored Zoho mapping), build; the Invoices, Payments, Journals and Reconciliation sheets are written
 * into the workbook, with the figures per settlement and the problems (unmapped SKUs and fee types
 * with their totals). The Prepare batch → Approve → Post section comes from post-panel.tsx.
 */
import { useEffect, useRef, useState, type ComponentType } from 'react';
import {
  Button,
  Caption1,
  Field,
  Link,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Subtitle2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Play20Regular, Settings20Regular } from '@fluentui/react-icons';
import { displayAmount } from '../../../src/kernel/money';
import { countBlocking } from '../../../src/kernel/problems';
import type { InvoiceMode } from '../../../src/settlements/build';
import type { SettlementFileInput } from '../../../src/settlements/parse';
import type { SettlementPosting } from '../../../src/settlements/posting';
import { SETTLEMENT_SHEETS } from '../../../src/settlements/sheets';
import { FigureCards, InputPicker, PaneSelect, ProblemsList, RunStatus, countOf, errorSentence, formatCount, useInputPicker, useJobRun } from '../../components';
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
  loadConnectionMapping,
  loadZohoLists,
  mappingFromText,
  readPickedFiles,
  resolveIdSource,
  settlementConfigFor,
  storeMapping,
  type IdSource,
  type MappingState,
  type ZohoConnectionSummary,
} from './settlements-run';
import { zohoIdsFromLists, type ZohoLists } from '../../../src/settlements/mapping';
import type { MappingEntry } from '../../../src/settlements/mapping-file';
import { browserStorage } from '../../browser-storage';

// The posting panel is a separate module; the section appears only when it is part of the build.
declare const require: { context(dir: string, deep: boolean, re: RegExp): { keys(): string[]; (id: string): unknown } };
const postPanelModules = require.context('.', false, /^\.\/post-panel\.tsx$/);
const PostPanel: ComponentType<SettlementsPostPanelProps> | null = postPanelModules.keys().length
  ? (postPanelModules(postPanelModules.keys()[0]!) as { default: ComponentType<SettlementsPostPanelProps> }).default
  : null;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap', minWidth: 0 },
  radios: { flexWrap: 'wrap' },
  message: { overflowWrap: 'anywhere', minWidth: 0 },
  hidden: { display: 'none' },
});

export default function SettlementsPage() {
  const styles = useStyles();
  const shell = useShell();
  const [mode, setMode] = useState<InvoiceMode>('per-order');
  const [mapping, setMapping] = useState<MappingState>(() => loadStoredMapping(browserStorage('local')));
  const [connections, setConnections] = useState<ZohoConnectionSummary[] | null>(null);
  const [connectionsError, setConnectionsError] = useState<string | null>(null);
  // null until the user picks: then the only connection is used (resolveIdSource).
  const [chosenConnection, setChosenConnection] = useState<string | null>(null);
  const mappingRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const ctl = new AbortController();
    listZohoConnections((path, opts) => shell.api.request(path, opts), ctl.signal)
      .then((list) => setConnections(list))
      .catch((e: Error) => {
        if (ctl.signal.aborted) return;
        setConnections([]);
        setConnectionsError(`The Zoho connections could not be listed: ${errorSentence(e, 'the server did not answer as expected.')}`);
      });
    return () => ctl.abort();
  }, [shell.api]);

  const idSource = resolveIdSource(mapping, connections, chosenConnection);

  const picker = useInputPicker({
    label: 'Settlement reports',
    testId: 'settlements',
    sources: [
      {
        kind: 'files',
        label: 'Files on this computer',
        accept: '.txt,.tsv,.csv,text/plain,text/tab-separated-values,text/csv',
        button: 'Open settlement files',
        hint: 'Flat files V2 or legacy V1 (.txt), as downloaded from Seller Central.',
      },
      { kind: 'dataset', label: 'A dataset on the server', prefer: (list) => list.filter((d) => /settle/i.test(d.name)).map((d) => d.id) },
    ],
  });

  async function chooseMapping(file: File | undefined) {
    if (!file) return;
    const text = await file.text();
    const m = mappingFromText(file.name, text);
    setMapping(m);
    if (!m.error) storeMapping(browserStorage('local'), { name: file.name, text });
  }

  function resetMapping() {
    storeMapping(browserStorage('local'), null);
    setMapping(loadStoredMapping(null));
  }

  const run = useJobRun<{ posting: SettlementPosting; builtWith: { source: IdSource; ids: string | null } }>('The settlements build', async (ctx) => {
    const idsFrom = idSource;
    const choice = picker.choice;
    let inputs: SettlementFileInput[];
    if (choice?.kind === 'files') {
      ctx.progress('Reading the settlement files');
      inputs = await readPickedFiles(choice.files);
    } else if (choice?.kind === 'dataset') {
      const ds = choice.datasets[0]!;
      const label = `Reading ${ds.name} from the server`;
      ctx.progress(label);
      inputs = [
        await loadSettlementDataset((id, offset, limit, signal) => shell.api.getDatasetPage(id, offset, limit, signal), ds.id, ds.name, {
          signal: ctx.signal,
          onProgress: (done, total) => ctx.progress(label, done, total),
        }),
      ];
    } else {
      throw new Error(picker.kind === 'files' ? 'Open the settlement files first.' : 'Choose a dataset first.');
    }
    ctx.signal.throwIfAborted();
    let lists: ZohoLists | null = null;
    let stored: MappingEntry[] = [];
    if (idsFrom.kind === 'connection') {
      ctx.progress(`Reading the Zoho mapping of ${idsFrom.connection.name}`);
      const request = <R,>(path: string, opts?: { signal?: AbortSignal }) => shell.api.request<R>(path, opts);
      [stored, lists] = await Promise.all([loadConnectionMapping(request, idsFrom.connection.id, ctx.signal), loadZohoLists(request, idsFrom.connection.id, ctx.signal)]);
    }
    const config = settlementConfigFor(idsFrom, mapping, lists, stored);
    ctx.progress('Building invoices, payments and journals');
    // Let the progress bar paint before the (synchronous) build.
    await new Promise((r) => setTimeout(r, 0));
    const built = buildSettlements(inputs, config, mode);
    const ids = lists ? `${formatCount(stored.length)} from its stored mapping; ${describeZohoIds(zohoIdsFromLists(lists))} found by name` : null;
    ctx.outcome({ posting: built, builtWith: { source: idsFrom, ids } });
    await ctx.writeSheets(shell.workbook, built.sheets);
  });

  const busy = run.running;
  const result = run.outcome?.posting ?? null;
  const builtWith = run.outcome?.builtWith ?? null;
  const canBuild = !busy && picker.choice !== null;
  const blocking = result ? countBlocking(result.problems) : 0;
  const count = (k: string) => result?.documents.filter((d) => d.kind === k).length ?? 0;
  const title = result ? `Settlements ${result.settlements.map((s) => s.settlementId).join(', ')} (${mode})` : '';

  return (
    <div className={styles.root}>
      <InputPicker picker={picker} disabled={busy} />
      <Field label="Invoices">
        <RadioGroup className={styles.radios} layout="horizontal" value={mode} onChange={(_, d) => setMode(d.value as InvoiceMode)} disabled={busy}>
          <Radio value="per-order" label="One per order (AMZN + 7 digits)" />
          <Radio value="per-settlement" label="One per settlement" />
        </RadioGroup>
      </Field>
      <div className={styles.row}>
        <input ref={mappingRef} className={styles.hidden} type="file" accept=".json,application/json" onChange={(e) => void chooseMapping(e.target.files?.[0])} data-testid="settlements-mapping" />
        <Button icon={<Settings20Regular />} onClick={() => mappingRef.current?.click()} disabled={busy}>
          Choose mapping file
        </Button>
        <Caption1 className={styles.message}>
          {mapping.name ? (
            <>
              Mapping: {mapping.name}; its Zoho ids are used. <Link onClick={resetMapping}>Use the defaults</Link>
            </>
          ) : idSource.kind === 'connection' ? (
            `Default mapping of fee types to accounts; Zoho ids (accounts, SKUs, customers) from the mapping of connection ${idSource.connection.name} (an admin keeps it under Settings → Zoho mappings), names it lacks found by name.`
          ) : (
            'Default mapping of fee types to accounts; Zoho ids (accounts, SKUs, customers) come from a mapping file or a Zoho connection.'
          )}
        </Caption1>
      </div>
      {!mapping.name && connections && connections.length > 0 && (
        <Field label="Zoho ids">
          <PaneSelect
            value={idSourceValue(idSource)}
            onChange={(_, d) => setChosenConnection(d.value)}
            disabled={busy}
            options={[
              ...connections.map((c) => ({
                value: c.id,
                label: `Zoho ids from connection ${c.name}${c.organizationName ? ` (${c.organizationName}${c.sandbox ? ', sandbox' : ''})` : ''}`,
              })),
              { value: '', label: 'No Zoho ids (report every account, SKU and customer as unmapped)' },
            ]}
            data-testid="settlements-id-source"
          />
        </Field>
      )}
      {!mapping.name && connectionsError && <Caption1 className={styles.message}>{connectionsError}</Caption1>}
      {mapping.error && (
        <MessageBar intent="error">
          <MessageBarBody>{mapping.error}</MessageBarBody>
        </MessageBar>
      )}
      <div>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void run.start()} disabled={!canBuild} data-testid="settlements-build">
          Build settlement sheets
        </Button>
      </div>
      <RunStatus run={run} errorTestId="settlements-error" />
      {result && !busy && !run.error && (
        <MessageBar intent={blocking ? 'warning' : 'success'} layout="multiline" data-testid="settlements-outcome">
          <MessageBarBody className={styles.message}>
            {countOf(result.settlements.length, 'settlement')}: {countOf(count('invoice'), 'invoice')}, {countOf(count('payment'), 'payment')},{' '}
            {countOf(count('journal'), 'journal')} written to {result.sheets.map((s) => s.name).join(', ')}.{' '}
            {blocking ? `${blocking === 1 ? 'A blocking problem holds' : `${blocking} blocking problems hold`} them back from posting.` : 'Ready to post.'}
            {builtWith && ` ${describeIdSource(builtWith.source)}${builtWith.ids ? `: ${builtWith.ids}` : ''}.`}
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
          <FigureCards
            label="Reconciliation per settlement"
            testId="settlements-reconciliation"
            cardTestId="reconciliation-row"
            cards={result.reconciliation.map((r) => ({
              key: `${r.settlementId}-${r.currency}`,
              title: `${r.settlementId} ${r.currency} · ${r.balanced ? 'Balanced' : 'Check'}`,
              figures: [
                ['Total', displayAmount(r.totalCents, r.currency)],
                ['Invoiced', displayAmount(r.invoicedCents, r.currency)],
                ['Fees and other', displayAmount(r.journalItemsCents + r.unmappedCents, r.currency)],
                ['Clearing', displayAmount(r.clearingCents, r.currency)],
              ],
              note: r.balanced ? undefined : r.status,
            }))}
          />
        </div>
      )}
      {result && PostPanel && !busy && <PostPanel
          documents={result.documents}
          blocked={result.blocked}
          sheets={result.sheets}
          title={title}
          connectionId={builtWith?.source.kind === 'connection' ? builtWith.source.connection.id : undefined}
        />}
      {result && <ProblemsList problems={result.problems} />}
    </div>
  );
}
