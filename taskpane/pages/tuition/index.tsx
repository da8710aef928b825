/**
 * Tuition page: load partner files (sheets of this workbook, or datasets on the server), see the
 * problems, build the month's invoices as sheets, store them as drafts, send each for the
 * customer's approval (a signed link to copy) and follow the states live: awaiting, approved,
 * denied with the reason, delivered with the receipt.
 */
import { useMemo, useRef, useState } from 'react';
import {
  Badge,
  Button,
  Caption1,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { HatGraduation20Regular, Play20Regular, Save20Regular, Send20Regular, Settings20Regular } from '@fluentui/react-icons';
import { displayAmount } from '../../../src/kernel/money';
import { utcMinute } from '../../../src/kernel/dates';
import { countBlocking } from '../../../src/kernel/problems';
import { headersOf, InputPicker, ProblemsList, RunStatus, countOf, formatCount, useInputPicker, useJobRun, usePolling } from '../../components';
import { isAbortError } from '../../api';
import { useShell } from '../../shell';
import { sessionUser } from '../../identity';
import { openSettings } from '../settings/section';
import { requestLearnerAliases } from '../settings/learner-request';
import {
  buildFromDatasets,
  buildFromSheets,
  canDeliverAgain,
  canSend,
  candidateSheets,
  deliverAgain,
  demoMailbox,
  ambiguousLearners,
  describeState,
  hasAmbiguousLearners,
  learnerRulesFromServer,
  listInvoices,
  sendForApproval,
  storeDrafts,
  type BuildOutcome,
  type DemoMail,
  type InvoiceView,
} from './tuition-run';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap', minWidth: 0 },
  month: { flexGrow: 1, flexBasis: '120px', minWidth: 0 },
  fill: { width: '100%', minWidth: 0 },
  message: { overflowWrap: 'anywhere', minWidth: 0 },
  customer: { overflowWrap: 'anywhere' },
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  money: { textAlign: 'right', fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' },
  // The table's columns are of equal width unless told: a count needs little, a grouped total its full width.
  linesColumn: { width: '48px' },
  totalColumn: { width: '128px' },
  // the header cell lays its text out in a flex box of its own: its end is where the amounts end
  alignEnd: { justifyContent: 'flex-end' },
  card: {
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingVerticalS,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    minWidth: 0,
    overflowWrap: 'anywhere',
  },
});

/** The navigation icon (taskpane/pages/index.ts). */
export const TUITION_ICON = HatGraduation20Regular;

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
  const isAdmin = Boolean(viewer?.roles.includes('admin'));
  // Blank: the build takes the latest month the partner lines are dated in, and shows it here afterwards.
  const [month, setMonth] = useState('');
  const [stored, setStored] = useState<InvoiceView[]>([]);
  const [mail, setMail] = useState<{ mailbox: string | null; messages: DemoMail[] } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const picker = useInputPicker({
    label: 'Partner files',
    testId: 'tu',
    sources: [
      { kind: 'sheet', label: 'Sheets in this workbook', multiple: true, offer: candidateSheets, empty: 'No sheets: load partner files from the Data page.' },
      { kind: 'dataset', label: 'Datasets on the server', multiple: true },
    ],
  });

  const validMonth = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);
  const monthOk = validMonth || month === '';

  // Statuses live: poll the month's invoices (and the demo mailbox, when the server has one) while the page is open.
  const hasMailbox = useRef(true);
  // A new key (a new object) restarts the loop: another month, or another session.
  const statusesKey = useMemo(() => (shell.session ? { month } : null), [shell.session, month]);
  usePolling(
    statusesKey,
    async (signal) => {
      try {
        if (validMonth) setStored(await listInvoices(shell.api, month, signal));
        if (hasMailbox.current) {
          const m = await demoMailbox(shell.api, signal);
          hasMailbox.current = m !== null;
          setMail(m);
        }
      } catch (e) {
        // A read that fails is tried again at the next turn: the statuses are a view, not a step.
        if (isAbortError(e)) return null;
      }
      return 3000;
    },
    () => undefined,
  );

  const run = useJobRun<BuildOutcome>('The invoice build', async (ctx) => {
    setNotice(null);
    const choice = picker.choice;
    let r: BuildOutcome;
    if (choice?.kind === 'dataset') {
      ctx.progress('Building the invoices on the server');
      r = await buildFromDatasets(
        shell.api,
        choice.datasets.map((d) => d.id),
        month,
        ctx.signal,
      );
    } else if (choice?.kind === 'sheet') {
      ctx.progress('Reading the partner sheets');
      const learners = shell.session ? await learnerRulesFromServer(shell.api, ctx.signal) : {};
      r = await buildFromSheets(shell.workbook, choice.sheets, month, learners);
    } else {
      throw new Error('Choose the partner files first.');
    }
    ctx.outcome(r);
    if (r.monthFromData && r.month) setMonth(r.month);
    await ctx.writeSheets(shell.workbook, r.sheets);
  });
  const outcome = run.outcome;

  async function store(built: BuildOutcome) {
    setNotice(null);
    await run.act(async () => {
      const r = await storeDrafts(shell.api, built);
      setNotice(
        `${r.created.length} new, ${r.revised.length} changed (new version), ${r.unchanged.length} unchanged.` +
          (r.refused.length ? ` Not changed: ${r.refused.map((x) => x.message).join(' ')}` : ''),
      );
      setStored(await listInvoices(shell.api, built.month));
    });
  }

  async function send(i: InvoiceView) {
    const r = await run.act(() => sendForApproval(shell.api, i.id));
    if (!r) return;
    setNotice(`The approval link for ${i.number} was e-mailed to ${r.sentTo}, ${i.customer}'s approver.`);
    setStored((list) => list.map((x) => (x.id === i.id ? r.invoice : x)));
  }

  async function retry(i: InvoiceView) {
    const inv = await run.act(() => deliverAgain(shell.api, i.id));
    if (inv) setStored((list) => list.map((x) => (x.id === i.id ? { ...x, ...inv } : x)));
  }

  const busy = run.running;
  const blocking = outcome ? countBlocking(outcome.problems) : 0;
  const amber = blocking > 0 || Boolean(outcome?.noRows);
  return (
    <div className={styles.root}>
      <InputPicker picker={picker} disabled={busy} />
      <div className={styles.row}>
        <Field className={styles.month} label="Month" validationState={monthOk ? 'none' : 'error'} validationMessage={monthOk ? undefined : 'YYYY-MM, e.g. 2024-11'}>
          <Input className={styles.fill} value={month} onChange={(_, d) => setMonth(d.value.trim())} placeholder="latest in the files" disabled={busy} data-testid="tu-month" />
        </Field>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void run.start()} disabled={busy || !monthOk || !picker.choice} data-testid="tu-build">
          Build invoices
        </Button>
      </div>
      <RunStatus run={run} errorTestId="tu-error" />
      {notice && (
        <MessageBar intent="info" layout="multiline" data-testid="tu-notice">
          <MessageBarBody className={styles.message}>{notice}</MessageBarBody>
        </MessageBar>
      )}
      {outcome && (
        <MessageBar intent={amber ? 'warning' : 'success'} layout="multiline" data-testid="tu-outcome" data-intent={amber ? 'warning' : 'success'}>
          <MessageBarBody className={styles.message}>
            {outcome.noRows && <strong data-testid="tu-no-rows">{outcome.noRows} </strong>}
            {formatCount(outcome.lines)} expense lines → {countOf(outcome.invoices.length, 'invoice')} for {outcome.month || 'no month'}
            {outcome.monthFromData && outcome.month ? ' (the latest month in the files)' : ''}
            {blocking ? `; ${countOf(blocking, 'blocking problem')} must be fixed before the invoices can be stored.` : '; written to the sheets Tuition Invoices and Tuition Lines.'}
          </MessageBarBody>
        </MessageBar>
      )}
      {outcome && hasAmbiguousLearners(outcome.problems) && (
        <MessageBar intent="warning" layout="multiline" data-testid="tu-ambiguous">
          <MessageBarBody className={styles.message}>
            A learner's spelling could be more than one person (see the problems below).{' '}
            {isAdmin
              ? 'Say who it is with an alias in the customer\'s learner settings, then build again.'
              : 'An admin says who it is with an alias under Settings → Delivery targets → the customer → Learners; build again after.'}
          </MessageBarBody>
          {isAdmin && (
            <MessageBarActions>
              <Button size="small" icon={<Settings20Regular />} onClick={() => {
                  requestLearnerAliases(ambiguousLearners(outcome));
                  openSettings(shell.navigate, 'targets');
                }}
                data-testid="tu-open-learners">
                Learner settings
              </Button>
            </MessageBarActions>
          )}
        </MessageBar>
      )}
      {outcome && (
        <div className={styles.row}>
          <Button icon={<Save20Regular />} onClick={() => void store(outcome)} disabled={busy || outcome.blocked || outcome.invoices.length === 0 || !shell.session} data-testid="tu-store">
            Store as drafts
          </Button>
          <Caption1 className={styles.message}>{shell.session ? 'A changed invoice becomes a new version and needs a new approval.' : 'Sign in to store the invoices.'}</Caption1>
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
                  {displayAmount(i.totalCents, i.currency)} {i.currency}
                </span>
              </div>
              <Caption1>
                {i.number} · version {i.version}
              </Caption1>
              <Caption1 data-testid="tu-state">{describeState(i)}</Caption1>
              <div className={styles.row}>
                {i.state === 'approved' && i.delivery.method === 'none' && isAdmin && (
                  <Button size="small" icon={<Settings20Regular />} onClick={() => openSettings(shell.navigate, 'targets')} data-testid="tu-open-settings">
                    Open Settings
                  </Button>
                )}
                {canSend(i, viewer) && (
                  <Button size="small" icon={<Send20Regular />} onClick={() => void send(i)} disabled={!shell.session} data-testid="tu-send">
                    {i.state === 'awaiting_approval' ? 'E-mail a new link' : 'Send for approval'}
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
      {mail?.mailbox && (
        <div className={styles.root} data-testid="tu-mailbox">
          <Subtitle2>Demo mailbox of {mail.mailbox}</Subtitle2>
          <Caption1 className={styles.message}>
            This server catches the e-mails it sends instead of delivering them; here are the ones sent to your address.
          </Caption1>
          {mail.messages.length === 0 && <Caption1>No e-mail for you yet.</Caption1>}
          {mail.messages.map((m) => (
            <div key={m.id} className={styles.card} data-testid="tu-mail">
              <strong className={styles.message}>{m.subject}</strong>
              <Caption1>Received {utcMinute(m.receivedAt)}</Caption1>
              {m.links.map((href) => (
                <Link key={href} href={href} target="_blank" rel="noopener noreferrer" className={styles.message} data-testid="tu-mail-link">
                  Open the approval page
                </Link>
              ))}
            </div>
          ))}
        </div>
      )}
      {outcome && outcome.invoices.length > 0 && (
        <Table size="small" aria-label="Invoices built" data-testid="tu-built">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Customer</TableHeaderCell>
              <TableHeaderCell className={styles.linesColumn}>Lines</TableHeaderCell>
              <TableHeaderCell className={mergeClasses(styles.money, styles.totalColumn)} button={{ className: styles.alignEnd }}>
                Total
              </TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {outcome.invoices.map((i) => (
              <TableRow key={i.number}>
                <TableCell className={styles.customer}>{i.customer}</TableCell>
                <TableCell>{i.lines.length}</TableCell>
                <TableCell className={styles.money}>
                  {displayAmount(i.totalCents, i.currency)} {i.currency}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {outcome && <ProblemsList problems={outcome.problems} headers={'tables' in outcome.source ? headersOf(outcome.source.tables) : undefined} />}
    </div>
  );
}
