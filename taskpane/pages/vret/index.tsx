/**
 * Vendor returns page: choose ledger, geo and period; build from the sheets in the workbook or on the
 * server; the four sheets are written into the workbook, with the balance per currency and the
 * problems; export SPURSH (download, or send to the server for delivery). Ribbon "Build VRET sheets"
 * opens this page and builds.
 */
import { useState } from 'react';
import {
  Button,
  Caption1,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownload20Regular, CloudArrowUp20Regular, Play20Regular } from '@fluentui/react-icons';
import { formatAmount } from '../../../src/kernel/money';
import { countBlocking } from '../../../src/kernel/problems';
import type { Table as KernelTable } from '../../../src/kernel/table';
import { defaultVretConfig } from '../../../src/vendor-returns/config';
import { FigureCards, InputPicker, PaneSelect, ProblemsList, RunStatus, formatCount, readDataset, useInputPicker, useJobRun } from '../../components';
import { useShell } from '../../shell';
import { buildFromBackend, buildFromTables, buildFromWorkbook, inputKindOfSheet, previousPeriod, sendSpurshToBackend, type VretOutcome } from './vret-run';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap', minWidth: 0 },
  // Ledger takes the line; geo and period share the next one on a narrow pane.
  ledger: { flexGrow: 1, flexBasis: '100%', minWidth: 0 },
  half: { flexGrow: 1, flexBasis: '96px', minWidth: 0 },
  fill: { width: '100%', minWidth: 0 },
  message: { overflowWrap: 'anywhere' },
});

const DEFAULTS = defaultVretConfig();
const LEDGERS = Object.keys(DEFAULTS.l2c);
const GEOS = [...new Set([...Object.values(DEFAULTS.l2c).filter((c) => c !== 'EU'), ...DEFAULTS.euGeos])].sort();

function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

interface VretView extends VretOutcome {
  sent: string | null;
}

const recognised = (names: readonly string[]) => names.filter((n) => inputKindOfSheet(n) !== null);

export default function VretPage() {
  const styles = useStyles();
  const shell = useShell();
  const [ledger, setLedger] = useState('Amazon.eu');
  const [geo, setGeo] = useState('DE');
  const [period, setPeriod] = useState(previousPeriod());
  const picker = useInputPicker({
    label: 'Inputs',
    testId: 'vret',
    sources: [
      {
        kind: 'sheet',
        label: 'Sheets in this workbook',
        multiple: true,
        prefer: recognised,
        hint: 'Sheets named CM, ADJ, GLAP, THR…, RVR and, when present, L2C, LED2CHAN, LEDGERS (load them from the Data page).',
        empty: 'No sheets: load CM, ADJ, GLAP, THR and RVR from the Data page.',
      },
      {
        kind: 'dataset',
        label: 'Datasets on the server',
        multiple: true,
        prefer: (list) => list.filter((d) => inputKindOfSheet(d.name) !== null).map((d) => d.id),
        hint: 'cm.csv, adj.csv, glap.csv, THR files and rvr.csv, read into the browser and built here.',
      },
      { kind: 'server', label: 'Load on the server', hint: 'The server reads its own VRET source (database or folders, THR files of any size) and builds there.' },
    ],
  });

  const run = useJobRun<VretView>(
    'The VRET build',
    async (ctx) => {
      const options = { ledger, geo, period };
      const choice = picker.choice;
      let result: VretOutcome;
      if (choice?.kind === 'server') {
        ctx.progress('Building on the server');
        result = await buildFromBackend(shell.api, options, ctx.signal);
      } else if (choice?.kind === 'dataset') {
        const tables: KernelTable[] = [];
        for (const d of choice.datasets) {
          const label = `Loading ${d.name} from the server`;
          ctx.progress(label);
          tables.push((await readDataset((id, offset, limit, signal) => shell.api.getDatasetPage(id, offset, limit, signal), d.id, d.name, { signal: ctx.signal, onProgress: (done, total) => ctx.progress(label, done, total) })).table);
        }
        ctx.progress('Building');
        result = buildFromTables(tables, options);
      } else {
        ctx.progress('Reading the input sheets and building');
        result = await buildFromWorkbook(shell.workbook, options, choice?.kind === 'sheet' ? choice.sheets : []);
      }
      ctx.outcome({ ...result, sent: null });
      await ctx.writeSheets(shell.workbook, result.sheets);
    },
    { ribbon: { page: 'vendor-returns', action: 'build', ready: picker.ready } },
  );

  async function send(outcome: VretView) {
    if (!outcome.spurshCsv) return;
    const r = await run.act(() => sendSpurshToBackend(shell.api, outcome.spurshFileName, outcome.spurshCsv!));
    if (r) run.setOutcome((o) => o && { ...o, sent: `${r.fileName} is on the server (${formatCount(r.bytes)} bytes), ready for delivery once approved.` });
  }

  const busy = run.running;
  const outcome = run.outcome;
  const blocking = outcome ? countBlocking(outcome.problems) : 0;
  return (
    <div className={styles.root}>
      <InputPicker picker={picker} disabled={busy} />
      <div className={styles.row}>
        <Field className={styles.ledger} label="Ledger">
          <Input className={styles.fill} value={ledger} onChange={(_, d) => setLedger(d.value)} list="vret-ledgers" disabled={busy} data-testid="vret-ledger" />
          <datalist id="vret-ledgers">
            {LEDGERS.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
        </Field>
        <Field className={styles.half} label="Geo">
          <PaneSelect value={geo} onChange={(_, d) => setGeo(d.value)} disabled={busy} options={GEOS.map((g) => ({ value: g, label: g }))} data-testid="vret-geo" />
        </Field>
        <Field className={styles.half} label="Period">
          <Input className={styles.fill} value={period} onChange={(_, d) => setPeriod(d.value)} placeholder="YYYY-MM" disabled={busy} data-testid="vret-period" />
        </Field>
      </div>
      <div>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void run.start()} disabled={busy} data-testid="vret-build">
          Build VRET sheets
        </Button>
      </div>
      <RunStatus run={run} errorTestId="vret-error" />
      {outcome && !busy && !run.error && (
        <MessageBar intent={blocking ? 'warning' : 'success'} layout="multiline" data-testid="vret-outcome">
          <MessageBarBody className={styles.message}>
            Run {outcome.runId} from {outcome.inputs}: wrote {outcome.sheets.map((s) => s.name).join(', ')}.
            {shell.preview && (
              <>
                {' '}
                <Link onClick={() => shell.showSheet('GLDI')}>Show GLDI</Link>
              </>
            )}
          </MessageBarBody>
        </MessageBar>
      )}
      {outcome && outcome.balances.length > 0 && (
        <div>
          <Subtitle2>Balance</Subtitle2>
          <FigureCards
            label="Journal balance per currency"
            testId="vret-balances"
            cards={outcome.balances.map((b) => ({
              key: b.currency,
              title: `${b.currency} · ${b.difference === 0 ? 'balanced' : 'not balanced'}`,
              figures: [
                ['Debits', formatAmount(b.debits, b.currency)],
                ['Credits', formatAmount(b.credits, b.currency)],
                ['Difference', formatAmount(b.difference, b.currency)],
              ],
            }))}
          />
        </div>
      )}
      {outcome && (
        <div className={styles.row}>
          <Button
            icon={<ArrowDownload20Regular />}
            disabled={busy || !outcome.spurshCsv}
            onClick={() => outcome.spurshCsv && download(outcome.spurshFileName, outcome.spurshCsv)}
            data-testid="vret-download-spursh"
          >
            Download SPURSH
          </Button>
          <Button icon={<CloudArrowUp20Regular />} disabled={busy || !outcome.spurshCsv} onClick={() => void send(outcome)} data-testid="vret-send-spursh">
            Send SPURSH to the server
          </Button>
          <Caption1 className={styles.message}>
            {outcome.spurshCsv
              ? `${outcome.spurshFileName}: ${formatCount(outcome.spurshRows)} funding lines.`
              : `SPURSH is held back while ${blocking === 1 ? 'a blocking problem remains' : `${blocking} blocking problems remain`}.`}
          </Caption1>
        </div>
      )}
      {outcome?.sent && (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody className={styles.message}>{outcome.sent}</MessageBarBody>
        </MessageBar>
      )}
      {outcome && <ProblemsList problems={outcome.problems} />}
    </div>
  );
}
