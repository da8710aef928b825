/**
 * Chargebacks page: load records (a sheet of this workbook, or a dataset on the server), build at
 * most 4 files (one per card network) written as sheets "CB VISA"… with src/chargebacks (batch date
 * blank: the latest transaction date of the records), see the problems, then Prepare → Approve (by
 * someone else) → Send, with per-file progress and receipts. Each file's partner is the one the
 * src/delivery rule picks, or the one chosen here.
 */
import { useEffect, useState } from 'react';
import { Button, Caption1, Field, Input, MessageBar, MessageBarBody, Text, makeStyles, tokens } from '@fluentui/react-components';
import { DocumentArrowUp20Regular, Play20Regular } from '@fluentui/react-icons';
import { DEFAULT_FILE_PATTERN } from '../../../src/chargebacks/files';
import { choosePartner } from '../../../src/delivery/partners';
import { configuredPartners, type DeliveryTarget } from '../../../src/delivery/targets';
import { displayAmount } from '../../../src/kernel/money';
import { countBlocking } from '../../../src/kernel/problems';
import { Ellipsis, headersOf, InputPicker, PaneSelect, ProblemsList, RunStatus, countOf, formatCount, useInputPicker, useJobRun } from '../../components';
import { useShell } from '../../shell';
import {
  buildFromDataset,
  buildFromSheet,
  candidateSheets,
  listPartners,
  listTargets,
  prepareBatch,
  type DeliveryView,
  type FilesOutcome,
  type PartnerView,
} from './chargebacks-run';
import { DeliveryCard } from './delivery-card';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap', minWidth: 0 },
  // Batch and date share a line; the merchant name takes its own on a narrow pane.
  half: { flexGrow: 1, flexBasis: '110px', minWidth: 0 },
  wide: { flexGrow: 1, flexBasis: '100%', minWidth: 0 },
  fill: { width: '100%', minWidth: 0 },
  message: { overflowWrap: 'anywhere', minWidth: 0 },
  files: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  file: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
    minWidth: 0,
  },
  figures: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  money: { fontVariantNumeric: 'tabular-nums', overflowWrap: 'anywhere' },
});

export default function ChargebacksPage() {
  const styles = useStyles();
  const shell = useShell();
  // Blank: B + the batch date, and the latest transaction date of the records.
  const [batchLabel, setBatchLabel] = useState('');
  const [date, setDate] = useState('');
  const [merchant, setMerchant] = useState('');
  const [pattern, setPattern] = useState(DEFAULT_FILE_PATTERN);
  const [partners, setPartners] = useState<PartnerView[]>([]);
  const [targets, setTargets] = useState<DeliveryTarget[]>([]);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [delivery, setDelivery] = useState<DeliveryView | null>(null);
  const picker = useInputPicker({
    label: 'Records',
    testId: 'cb',
    sources: [
      { kind: 'sheet', label: 'A sheet in this workbook', offer: candidateSheets, empty: 'No sheets: load records from the Data page.' },
      { kind: 'dataset', label: 'A dataset on the server', prefer: (list) => list.filter((d) => /charge/i.test(d.name)).map((d) => d.id) },
    ],
  });

  useEffect(() => {
    if (!shell.session) return;
    listPartners(shell.api).then(setPartners, () => setPartners([]));
    listTargets(shell.api).then(setTargets, () => setTargets([]));
  }, [shell.api, shell.session]);

  const options = { batch: batchLabel.trim() || undefined, date: date.trim() || undefined, merchant: merchant.trim() || undefined, pattern: pattern.trim() || undefined };

  const run = useJobRun<FilesOutcome>('The chargeback build', async (ctx) => {
    setDelivery(null);
    const choice = picker.choice;
    let result: FilesOutcome;
    if (choice?.kind === 'dataset') {
      ctx.progress('Building the files on the server');
      result = await buildFromDataset(shell.api, choice.datasets[0]!.id, options, ctx.signal);
    } else if (choice?.kind === 'sheet') {
      ctx.progress(`Reading ${choice.sheets[0]}`);
      result = await buildFromSheet(shell.workbook, choice.sheets[0]!, options);
    } else {
      throw new Error(picker.kind === 'sheet' ? 'Load the chargeback records into a sheet from the Data page first.' : 'Choose a dataset on the server first.');
    }
    ctx.outcome(result);
    if (result.dateFromData && result.date) setDate(result.date);
    await ctx.writeSheets(
      shell.workbook,
      result.files.map((f) => f.sheet),
    );
  });

  async function prepare(outcome: FilesOutcome) {
    const prepared = await run.act(() => prepareBatch(shell.api, outcome, options, chosen));
    if (prepared) setDelivery(prepared);
  }

  const busy = run.running;
  const outcome = run.outcome;
  const blocking = outcome ? countBlocking(outcome.problems) : 0;
  const configured = configuredPartners(targets, 'chargebacks');
  const choices = new Map((outcome?.files ?? []).map((f) => [f.network, choosePartner(f.network, partners, chosen, configured)]));
  const missingPartner = [...choices].filter(([, c]) => !c.ok).map(([network]) => network);
  const canPrepare = outcome && !outcome.blocked && outcome.files.length > 0 && missingPartner.length === 0 && shell.session && !delivery;
  return (
    <div className={styles.root}>
      <InputPicker picker={picker} disabled={busy} />
      <div className={styles.row}>
        <Field className={styles.half} label="Batch">
          <Input className={styles.fill} value={batchLabel} onChange={(_, d) => setBatchLabel(d.value)} placeholder="B + date" disabled={busy} data-testid="cb-batch" />
        </Field>
        <Field className={styles.half} label="Date">
          <Input className={styles.fill} value={date} onChange={(_, d) => setDate(d.value)} placeholder="latest in records" disabled={busy} data-testid="cb-date" />
        </Field>
        <Field className={styles.wide} label="Merchant name (optional)">
          <Input className={styles.fill} value={merchant} onChange={(_, d) => setMerchant(d.value)} disabled={busy} placeholder="the merchant id of the records" />
        </Field>
      </div>
      <Field label="File name pattern" hint={{ children: '{network} {merchant} {yyyymmdd} {date} {batch} {count}', className: styles.message }}>
        <Input className={styles.fill} value={pattern} onChange={(_, d) => setPattern(d.value)} disabled={busy} data-testid="cb-pattern" />
      </Field>
      <div>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void run.start()} disabled={busy || !picker.choice} data-testid="cb-build">
          Build files
        </Button>
      </div>
      <RunStatus run={run} errorTestId="cb-error" />
      {outcome && (
        <MessageBar intent={blocking ? 'warning' : 'success'} layout="multiline" data-testid="cb-outcome" data-intent={blocking ? 'warning' : 'success'}>
          <MessageBarBody className={styles.message}>
            {formatCount(outcome.records)} valid records in {countOf(outcome.files.length, 'file')} of batch {outcome.batchLabel} dated {outcome.date || '(none)'}
            {outcome.dateFromData && outcome.date ? ' (the latest transaction date)' : ''}
            {blocking ? `; ${countOf(blocking, 'blocking problem')} must be fixed before the batch can be prepared.` : '.'}
          </MessageBarBody>
        </MessageBar>
      )}
      {outcome && outcome.files.length > 0 && (
        <ul className={styles.files} aria-label="Files of the batch" data-testid="cb-files">
          {outcome.files.map((f) => {
            const choice = choices.get(f.network)!;
            const offered = choice.candidates.length ? choice.candidates : partners;
            // The network's target is offered even when the partner does not carry the network's label.
            const list = choice.ok && !offered.includes(choice.partner) ? [choice.partner, ...offered] : offered;
            return (
              <li key={f.network} className={styles.file} data-testid="cb-file">
                <Text weight="semibold">
                  <Ellipsis text={f.fileName} />
                </Text>
                <div className={styles.figures}>
                  <Caption1>{countOf(f.records, 'record')}</Caption1>
                  <Caption1 className={styles.money}>{f.totals.map((t) => `${displayAmount(t.cents, t.currency)} ${t.currency}`).join(', ')}</Caption1>
                </div>
                <PaneSelect
                  size="small"
                  value={choice.ok ? choice.partner.id : ''}
                  onChange={(_, d) => setChosen((c) => ({ ...c, [f.network]: d.value }))}
                  aria-label={`Partner for ${f.network}`}
                  options={[{ value: '', label: list.length ? 'Choose a partner…' : 'No partner: an admin adds one under Settings → Delivery partners' }, ...list.map((p) => ({ value: p.id, label: p.name }))]}
                />
              </li>
            );
          })}
        </ul>
      )}
      {outcome && (
        <div className={styles.row}>
          <Button icon={<DocumentArrowUp20Regular />} disabled={!canPrepare || busy} onClick={() => void prepare(outcome)} data-testid="cb-prepare">
            Prepare batch for approval
          </Button>
          <Caption1 className={styles.message}>
            {!shell.session
              ? 'Sign in to prepare a batch.'
              : missingPartner.length
                ? [...choices.values()].map((c) => (c.ok ? '' : c.message)).filter(Boolean).join(' ')
                : 'Someone other than you approves it; nothing is sent before.'}
          </Caption1>
        </div>
      )}
      {delivery && <DeliveryCard delivery={delivery} onChange={setDelivery} />}
      {outcome && <ProblemsList problems={outcome.problems} headers={'tables' in outcome.source ? headersOf(outcome.source.tables) : undefined} />}
    </div>
  );
}
