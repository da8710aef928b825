/**
 * Vendor returns page: choose ledger, geo and period (blank: the latest period the inputs hold); build
 * from the sheets in the workbook, datasets, or on the server; the VRET sheets are written into the
 * workbook, with the balance per currency and the problems; a run that selects no transaction says so
 * in amber. Export SPURSH: download it, or send it to the server, where it is prepared for approval.
 * Ribbon "Build VRET sheets" opens this page and builds.
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
import { displayAmount } from '../../../src/kernel/money';
import { countBlocking } from '../../../src/kernel/problems';
import type { Table as KernelTable } from '../../../src/kernel/table';
import { defaultVretConfig, vretChoices, vretInputKind } from '../../../src/vendor-returns';
import { FigureCards, InputPicker, PaneSelect, ProblemsList, RunStatus, downloadText, formatCount, readDataset, useInputPicker, useJobRun } from '../../components';
import { useShell } from '../../shell';
import { DeliveryCard } from '../chargebacks/delivery-card';
import type { DeliveryView } from '../chargebacks/chargebacks-run';
import { buildFromBackend, buildFromTables, buildFromWorkbook, sendSpurshToBackend, type VretOutcome } from './vret-run';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap', minWidth: 0 },
  // Ledger takes the line; geo and period share the next one on a narrow pane.
  ledger: { flexGrow: 1, flexBasis: '100%', minWidth: 0 },
  half: { flexGrow: 1, flexBasis: '96px', minWidth: 0 },
  fill: { width: '100%', minWidth: 0 },
  message: { overflowWrap: 'anywhere' },
});

const { ledgers: LEDGERS, geos: GEOS } = vretChoices(defaultVretConfig());

interface VretView extends VretOutcome {
  /** SPURSH on the server: the delivery batch awaiting approval, or why it waits in the outbox. */
  sent: { delivery: DeliveryView | null; text: string } | null;
  /** The ledger built, whose SPURSH delivery target receives the file. */
  ledger: string;
}

const recognised = (names: readonly string[]) => names.filter((n) => vretInputKind(n) !== null);

export default function VretPage() {
  const styles = useStyles();
  const shell = useShell();
  const [ledger, setLedger] = useState('Amazon.eu');
  const [geo, setGeo] = useState('DE');
  // Blank: the run takes the latest period its inputs hold, and shows it here afterwards.
  const [period, setPeriod] = useState('');
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
        prefer: (list) => list.filter((d) => vretInputKind(d.name) !== null).map((d) => d.id),
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
        result = buildFromTables(tables, options, 'datasets');
      } else {
        ctx.progress('Reading the input sheets and building');
        result = await buildFromWorkbook(shell.workbook, options, choice?.kind === 'sheet' ? choice.sheets : []);
      }
      ctx.outcome({ ...result, sent: null, ledger: options.ledger });
      if (result.periodFromData && result.period) setPeriod(result.period);
      await ctx.writeSheets(shell.workbook, result.sheets);
    },
    { ribbon: { page: 'vendor-returns', action: 'build', ready: picker.ready } },
  );

  async function send(outcome: VretView) {
    if (!outcome.spurshCsv) return;
    const r = await run.act(() => sendSpurshToBackend(shell.api, outcome.spurshFileName, outcome.spurshCsv!, outcome.ledger));
    if (!r) return;
    const text = r.delivery
      ? `${r.fileName} (${formatCount(r.bytes)} bytes) is prepared for approval to ${r.delivery.items[0]?.request.partnerName ?? 'its partner'}; someone other than you approves it, and nothing is sent before.`
      : r.waiting!;
    run.setOutcome((o) => o && { ...o, sent: { delivery: r.delivery, text } });
  }

  const busy = run.running;
  const outcome = run.outcome;
  const blocking = outcome ? countBlocking(outcome.problems) : 0;
  const amber = blocking > 0 || Boolean(outcome?.noRows);
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
          <Input className={styles.fill} value={period} onChange={(_, d) => setPeriod(d.value)} placeholder="latest in inputs" disabled={busy} data-testid="vret-period" />
        </Field>
      </div>
      <div>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void run.start()} disabled={busy} data-testid="vret-build">
          Build VRET sheets
        </Button>
      </div>
      <RunStatus run={run} errorTestId="vret-error" />
      {outcome && !busy && !run.error && (
        <MessageBar intent={amber ? 'warning' : 'success'} layout="multiline" data-testid="vret-outcome" data-intent={amber ? 'warning' : 'success'}>
          <MessageBarBody className={styles.message}>
            {outcome.noRows && <strong data-testid="vret-no-rows">{outcome.noRows} </strong>}
            Run {outcome.runId} for {outcome.period || 'no period'}
            {outcome.periodFromData && outcome.period ? ' (the latest period in the inputs)' : ''} from {outcome.inputs}: wrote {outcome.sheets.map((s) => s.name).join(', ')}.
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
                ['Debits', displayAmount(b.debits, b.currency)],
                ['Credits', displayAmount(b.credits, b.currency)],
                ['Difference', displayAmount(b.difference, b.currency)],
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
            onClick={() => outcome.spurshCsv && downloadText(outcome.spurshFileName, outcome.spurshCsv)}
            data-testid="vret-download-spursh"
          >
            Download SPURSH
          </Button>
          <Button icon={<CloudArrowUp20Regular />} disabled={busy || !outcome.spurshCsv || outcome.sent !== null || !shell.session} onClick={() => void send(outcome)} data-testid="vret-send-spursh">
            Send SPURSH to the server
          </Button>
          <Caption1 className={styles.message}>
            {outcome.spurshHeldBack ?? `${outcome.spurshFileName}: ${formatCount(outcome.spurshRows)} funding lines.`}
          </Caption1>
        </div>
      )}
      {outcome?.sent && (
        <MessageBar intent={outcome.sent.delivery ? 'success' : 'warning'} layout="multiline" data-testid="vret-sent">
          <MessageBarBody className={styles.message}>{outcome.sent.text}</MessageBarBody>
        </MessageBar>
      )}
      {outcome?.sent?.delivery && <DeliveryCard delivery={outcome.sent.delivery} onChange={(d) => run.setOutcome((o) => o && o.sent && { ...o, sent: { ...o.sent, delivery: d } })} />}
      {outcome && <ProblemsList problems={outcome.problems} />}
    </div>
  );
}
