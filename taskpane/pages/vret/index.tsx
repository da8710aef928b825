/**
 * Vendor returns page: choose ledger, geo and period; build from the sheets in the workbook or on the
 * server; the four sheets are written into the workbook, with the balance per currency and the
 * problems; export SPURSH (download, or send to the server for delivery). Ribbon "Build VRET sheets"
 * opens this page and builds.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Button,
  Caption1,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Select,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownload20Regular, CloudArrowUp20Regular, Play20Regular } from '@fluentui/react-icons';
import { formatAmount } from '../../../src/kernel/money';
import { defaultVretConfig } from '../../../src/vendor-returns/config';
import { ProblemsList, RunStatus, formatCount, runErrorMessage } from '../../components';
import { useShell } from '../../shell';
import { buildFromBackend, buildFromWorkbook, previousPeriod, sendSpurshToBackend, writeVretSheets, type VretOutcome } from './vret-run';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap' },
  grow: { flexGrow: 1, minWidth: '140px' },
  small: { width: '96px' },
  money: { textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
});

type Mode = 'workbook' | 'server';

/** Last ribbon click handled; module-wide so coming back to the page does not build again. */
let ribbonHandledAt = 0;

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

export default function VretPage() {
  const styles = useStyles();
  const shell = useShell();
  const [mode, setMode] = useState<Mode>('workbook');
  const [ledger, setLedger] = useState('Amazon.eu');
  const [geo, setGeo] = useState('DE');
  const [period, setPeriod] = useState(previousPeriod());
  const [progress, setProgress] = useState<{ label: string; done: number; total?: number } | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [outcome, setOutcome] = useState<VretOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);

  useEffect(() => () => abortRef.current?.abort(), []);

  const build = useCallback(
    async (useMode: Mode) => {
      const controller = new AbortController();
      abortRef.current = controller;
      setError(null);
      setSent(null);
      setOutcome(null);
      setCancelling(false);
      try {
        setProgress({ label: useMode === 'server' ? 'Building on the server' : 'Reading the input sheets and building', done: 0 });
        const options = { ledger, geo, period };
        const result = useMode === 'server' ? await buildFromBackend(shell.api, options, controller.signal) : await buildFromWorkbook(shell.workbook, options);
        setOutcome(result);
        await writeVretSheets(shell.workbook, result.sheets, {
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
    },
    [ledger, geo, period, shell.api, shell.workbook],
  );

  // Ribbon "Build VRET sheets": build once per click with what the page shows.
  useEffect(() => {
    const cmd = shell.ribbonCommand;
    if (!cmd || cmd.page !== 'vendor-returns' || cmd.action !== 'build' || cmd.at <= ribbonHandledAt || progress) return;
    ribbonHandledAt = cmd.at;
    void build(mode);
  }, [shell.ribbonCommand, build, mode, progress]);

  async function send() {
    if (!outcome?.spurshCsv) return;
    setError(null);
    try {
      const r = await sendSpurshToBackend(shell.api, outcome.spurshFileName, outcome.spurshCsv);
      setSent(`${r.fileName} is on the server (${formatCount(r.bytes)} bytes), ready for delivery once approved.`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const busy = progress !== null;
  const blocking = outcome?.problems.filter((p) => p.severity === 'blocking').length ?? 0;
  return (
    <div className={styles.root}>
      <Field label="Inputs">
        <RadioGroup layout="horizontal" value={mode} onChange={(_, d) => setMode(d.value as Mode)} disabled={busy}>
          <Radio value="workbook" label="Sheets in this workbook" />
          <Radio value="server" label="Load on the server" />
        </RadioGroup>
      </Field>
      {mode === 'workbook' && (
        <Caption1>
          Uses the sheets named CM, ADJ, GLAP, THR…, RVR and, when present, L2C, LED2CHAN, LEDGERS (load them from the Data page).
        </Caption1>
      )}
      <div className={styles.row}>
        <Field className={styles.grow} label="Ledger">
          <Input value={ledger} onChange={(_, d) => setLedger(d.value)} list="vret-ledgers" disabled={busy} data-testid="vret-ledger" />
          <datalist id="vret-ledgers">
            {LEDGERS.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
        </Field>
        <Field className={styles.small} label="Geo">
          <Select value={geo} onChange={(_, d) => setGeo(d.value)} disabled={busy} data-testid="vret-geo">
            {GEOS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </Select>
        </Field>
        <Field className={styles.small} label="Period">
          <Input value={period} onChange={(_, d) => setPeriod(d.value)} placeholder="YYYY-MM" disabled={busy} data-testid="vret-period" />
        </Field>
      </div>
      <div>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void build(mode)} disabled={busy} data-testid="vret-build">
          Build VRET sheets
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
        errorTestId="vret-error"
      />
      {outcome && !busy && !error && (
        <MessageBar intent={blocking ? 'warning' : 'success'} data-testid="vret-outcome">
          <MessageBarBody>
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
          <Table size="small" aria-label="Journal balance per currency" data-testid="vret-balances">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Currency</TableHeaderCell>
                <TableHeaderCell className={styles.money}>Debits</TableHeaderCell>
                <TableHeaderCell className={styles.money}>Credits</TableHeaderCell>
                <TableHeaderCell className={styles.money}>Difference</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {outcome.balances.map((b) => (
                <TableRow key={b.currency}>
                  <TableCell>{b.currency}</TableCell>
                  <TableCell className={styles.money}>{formatAmount(b.debits, b.currency)}</TableCell>
                  <TableCell className={styles.money}>{formatAmount(b.credits, b.currency)}</TableCell>
                  <TableCell className={styles.money}>{formatAmount(b.difference, b.currency)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
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
          <Button icon={<CloudArrowUp20Regular />} disabled={busy || !outcome.spurshCsv} onClick={() => void send()} data-testid="vret-send-spursh">
            Send SPURSH to the server
          </Button>
          <Caption1>
            {outcome.spurshCsv
              ? `${outcome.spurshFileName}: ${formatCount(outcome.spurshRows)} funding lines.`
              : `SPURSH is held back while ${blocking === 1 ? 'a blocking problem remains' : `${blocking} blocking problems remain`}.`}
          </Caption1>
        </div>
      )}
      {sent && (
        <MessageBar intent="success">
          <MessageBarBody>{sent}</MessageBarBody>
        </MessageBar>
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
