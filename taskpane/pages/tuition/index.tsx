/**
 * Tuition page: load partner files (sheets of this workbook, or datasets on the server), see the
 * problems, build the month's invoices as sheets, store them as drafts, send each for the
 * customer's approval (a signed link to copy) and follow the states live: awaiting, approved,
 * denied with the reason, delivered with the receipt.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
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
import { HatGraduation20Regular, Play20Regular, Save20Regular, Send20Regular } from '@fluentui/react-icons';
import { formatAmount } from '../../../src/kernel/money';
import { ProblemsList, RunProgress, formatCount, runErrorMessage } from '../../components';
import { isAbortError, type DatasetSummary } from '../../api';
import { useShell } from '../../shell';
import { sessionUser } from '../../identity';
import {
  buildFromDatasets,
  buildFromSheets,
  canDeliverAgain,
  canSend,
  candidateSheets,
  deliverAgain,
  describeState,
  listInvoices,
  previousMonth,
  sendForApproval,
  storeDrafts,
  writeInvoiceSheets,
  type BuildOutcome,
  type InvoiceView,
} from './tuition-run';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap' },
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  money: { textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
  card: { border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium, padding: tokens.spacingVerticalS, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
});

/** The navigation icon (taskpane/pages/index.ts). */
export const TUITION_ICON = HatGraduation20Regular;

type Mode = 'sheet' | 'server';
const BADGE: Record<InvoiceView['state'], 'informative' | 'warning' | 'success' | 'danger' | 'brand'> = {
  draft: 'informative',
  awaiting_approval: 'warning',
  approved: 'brand',
  denied: 'danger',
  delivered: 'success',
};

export default function TuitionPage() {
  const styles = useStyles();
  const shell = useShell();
  const viewer = sessionUser(shell.session);
  const [mode, setMode] = useState<Mode>('sheet');
  const [sheets, setSheets] = useState<string[]>([]);
  const [chosenSheets, setChosenSheets] = useState<string[]>([]);
  const [datasets, setDatasets] = useState<DatasetSummary[]>([]);
  const [chosenDatasets, setChosenDatasets] = useState<string[]>([]);
  const [month, setMonth] = useState(previousMonth());
  const [outcome, setOutcome] = useState<BuildOutcome | null>(null);
  const [stored, setStored] = useState<InvoiceView[]>([]);
  const [links, setLinks] = useState<Record<string, { url: string; expiresAt: string }>>({});
  const [progress, setProgress] = useState<{ label: string; done: number; total?: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);

  useEffect(() => () => abortRef.current?.abort(), []);
  useEffect(() => {
    void shell.workbook.listSheets().then((names) => setSheets(candidateSheets(names)));
  }, [shell.workbook, shell.workbookVersion]);
  useEffect(() => {
    if (!shell.session) return;
    shell.api.listDatasets().then(
      (list) => setDatasets(list),
      () => setDatasets([]),
    );
  }, [shell.api, shell.session]);

  const validMonth = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);

  // Statuses live: poll the month's invoices while the page is open.
  useEffect(() => {
    if (!shell.session || !validMonth) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        setStored(await listInvoices(shell.api, month, controller.signal));
      } catch (e) {
        if (isAbortError(e)) return;
      }
      timer = setTimeout(() => void tick(), 3000);
    };
    void tick();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [shell.api, shell.session, month, validMonth]);

  const toggle = (list: string[], v: string, on: boolean) => (on ? [...list, v] : list.filter((x) => x !== v));

  const build = useCallback(async () => {
    const controller = new AbortController();
    abortRef.current = controller;
    setError(null);
    setNotice(null);
    setOutcome(null);
    try {
      setProgress({ label: mode === 'server' ? 'Building the invoices on the server' : 'Reading the partner sheets', done: 0 });
      const r = mode === 'server' ? await buildFromDatasets(shell.api, chosenDatasets, month, controller.signal) : await buildFromSheets(shell.workbook, chosenSheets, month);
      setOutcome(r);
      await writeInvoiceSheets(shell.workbook, r.sheets, { signal: controller.signal, onProgress: (done, total, name) => setProgress({ label: `Writing ${name}`, done, total }) });
    } catch (e) {
      setError(runErrorMessage(e));
    } finally {
      abortRef.current = null;
      setProgress(null);
    }
  }, [mode, chosenDatasets, chosenSheets, month, shell.api, shell.workbook]);

  async function store() {
    if (!outcome) return;
    setError(null);
    try {
      const r = await storeDrafts(shell.api, outcome);
      setNotice(
        `${r.created.length} new, ${r.revised.length} changed (new version), ${r.unchanged.length} unchanged.` +
          (r.refused.length ? ` Not changed: ${r.refused.map((x) => x.message).join(' ')}` : ''),
      );
      setStored(await listInvoices(shell.api, outcome.month));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function send(i: InvoiceView) {
    setError(null);
    try {
      const r = await sendForApproval(shell.api, i.id);
      setLinks((l) => ({ ...l, [i.id]: { url: r.url, expiresAt: r.expiresAt } }));
      setStored((list) => list.map((x) => (x.id === i.id ? r.invoice : x)));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function retry(i: InvoiceView) {
    setError(null);
    try {
      const inv = await deliverAgain(shell.api, i.id);
      setStored((list) => list.map((x) => (x.id === i.id ? { ...x, ...inv } : x)));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const busy = progress !== null;
  const blocking = outcome?.problems.filter((p) => p.severity === 'blocking').length ?? 0;
  const inputsChosen = mode === 'sheet' ? chosenSheets.length > 0 : chosenDatasets.length > 0;
  return (
    <div className={styles.root}>
      <Field label="Partner files">
        <RadioGroup layout="horizontal" value={mode} onChange={(_, d) => setMode(d.value as Mode)} disabled={busy}>
          <Radio value="sheet" label="Sheets in this workbook" />
          <Radio value="server" label="Datasets on the server" />
        </RadioGroup>
      </Field>
      <div className={styles.list} role="group" aria-label={mode === 'sheet' ? 'Partner sheets' : 'Partner datasets'} data-testid="tu-inputs">
        {mode === 'sheet' ? (
          sheets.length === 0 ? (
            <Caption1>No sheets: load partner files from the Data page.</Caption1>
          ) : (
            sheets.map((s) => <Checkbox key={s} label={s} checked={chosenSheets.includes(s)} onChange={(_, d) => setChosenSheets((l) => toggle(l, s, !!d.checked))} disabled={busy} />)
          )
        ) : datasets.length === 0 ? (
          <Caption1>{shell.session ? 'The server offers no datasets.' : 'Sign in to use datasets on the server.'}</Caption1>
        ) : (
          datasets.map((d) => <Checkbox key={d.id} label={d.name} checked={chosenDatasets.includes(d.id)} onChange={(_, x) => setChosenDatasets((l) => toggle(l, d.id, !!x.checked))} disabled={busy} />)
        )}
      </div>
      <div className={styles.row}>
        <Field label="Month" validationState={validMonth ? 'none' : 'error'} validationMessage={validMonth ? undefined : 'YYYY-MM, e.g. 2024-11'}>
          <Input value={month} onChange={(_, d) => setMonth(d.value.trim())} placeholder="YYYY-MM" disabled={busy} data-testid="tu-month" />
        </Field>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void build()} disabled={busy || !validMonth || !inputsChosen} data-testid="tu-build">
          Build invoices
        </Button>
      </div>
      {progress && <RunProgress label={progress.label} done={progress.done} total={progress.total} onCancel={() => abortRef.current?.abort()} />}
      {error && (
        <MessageBar intent="error" data-testid="tu-error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {notice && (
        <MessageBar intent="info" data-testid="tu-notice">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      {outcome && (
        <MessageBar intent={blocking ? 'warning' : 'success'} data-testid="tu-outcome">
          <MessageBarBody>
            {formatCount(outcome.lines)} expense lines → {outcome.invoices.length} invoice{outcome.invoices.length === 1 ? '' : 's'} for {outcome.month}
            {blocking ? `; ${blocking} blocking problem${blocking === 1 ? '' : 's'} must be fixed before the invoices can be stored.` : '; written to the sheets Tuition Invoices and Tuition Lines.'}
          </MessageBarBody>
        </MessageBar>
      )}
      {outcome && (
        <div className={styles.row}>
          <Button icon={<Save20Regular />} onClick={() => void store()} disabled={busy || outcome.blocked || outcome.invoices.length === 0 || !shell.session} data-testid="tu-store">
            Store as drafts
          </Button>
          <Caption1>{shell.session ? 'A changed invoice becomes a new version and needs a new approval.' : 'Sign in to store the invoices.'}</Caption1>
        </div>
      )}
      {stored.length > 0 && (
        <div className={styles.root} data-testid="tu-invoices">
          <Subtitle2>Invoices for {month}</Subtitle2>
          {stored.map((i) => (
            <div key={i.id} className={styles.card} data-testid={`tu-invoice-${i.number}`}>
              <div className={styles.row}>
                <Badge appearance="filled" color={BADGE[i.state]}>
                  {i.state.replace('_', ' ')}
                </Badge>
                <strong>{i.customer}</strong>
                <span className={styles.money}>
                  {formatAmount(i.totalCents, i.currency)} {i.currency}
                </span>
              </div>
              <Caption1>
                {i.number} · version {i.version}
              </Caption1>
              <Caption1 data-testid="tu-state">{describeState(i)}</Caption1>
              {links[i.id] && i.state === 'awaiting_approval' && (
                <Field label="Approval link for the customer (works once)" hint={`Expires ${links[i.id]!.expiresAt.slice(0, 16).replace('T', ' ')} UTC`}>
                  <Input readOnly value={links[i.id]!.url} onFocus={(e) => e.currentTarget.select()} data-testid="tu-link" />
                </Field>
              )}
              <div className={styles.row}>
                {canSend(i, viewer) && (
                  <Button size="small" icon={<Send20Regular />} onClick={() => void send(i)} disabled={!shell.session} data-testid="tu-send">
                    {i.state === 'awaiting_approval' ? 'New approval link' : 'Send for approval'}
                  </Button>
                )}
                {canDeliverAgain(i, viewer) && (
                  <Button size="small" onClick={() => void retry(i)} data-testid="tu-deliver">
                    Deliver again
                  </Button>
                )}
              </div>
            </div>
          ))}
        </div>
      )}
      {outcome && outcome.invoices.length > 0 && (
        <Table size="small" aria-label="Invoices built" data-testid="tu-built">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Customer</TableHeaderCell>
              <TableHeaderCell>Lines</TableHeaderCell>
              <TableHeaderCell className={styles.money}>Total</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {outcome.invoices.map((i) => (
              <TableRow key={i.number}>
                <TableCell>{i.customer}</TableCell>
                <TableCell>{i.lines.length}</TableCell>
                <TableCell className={styles.money}>
                  {formatAmount(i.totalCents, i.currency)} {i.currency}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
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
