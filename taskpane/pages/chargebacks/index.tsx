/**
 * Chargebacks page: load records (a sheet of this workbook, or a dataset on the server), build at
 * most 4 files (one per card network) written as sheets "CB VISA"…, see the problems, then
 * Prepare → Approve (by someone else) → Send, with per-file progress and receipts.
 */
import { useEffect, useState } from 'react';
import { Button, Caption1, Field, Input, MessageBar, MessageBarBody, Text, makeStyles, tokens } from '@fluentui/react-components';
import { DocumentArrowUp20Regular, Play20Regular } from '@fluentui/react-icons';
import { DEFAULT_FILE_PATTERN } from '../../../src/chargebacks/files';
import { formatAmount } from '../../../src/kernel/money';
import { countBlocking } from '../../../src/kernel/problems';
import { Ellipsis, headersOf, InputPicker, PaneSelect, ProblemsList, RunStatus, countOf, formatCount, useInputPicker, useJobRun } from '../../components';
import { useShell } from '../../shell';
import {
  buildFromDataset,
  buildFromSheet,
  candidateSheets,
  listPartners,
  partnerFor,
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

const today = () => new Date().toISOString().slice(0, 10);

export default function ChargebacksPage() {
  const styles = useStyles();
  const shell = useShell();
  const [batchLabel, setBatchLabel] = useState('B1');
  const [date, setDate] = useState(today());
  const [merchant, setMerchant] = useState('');
  const [pattern, setPattern] = useState(DEFAULT_FILE_PATTERN);
  const [partners, setPartners] = useState<PartnerView[]>([]);
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
  }, [shell.api, shell.session]);

  const options = { batch: batchLabel.trim() || 'B1', date, merchant: merchant.trim() || undefined, pattern: pattern.trim() || undefined };

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
  const missingPartner = outcome?.files.filter((f) => !partnerFor(f.network, partners, chosen)).map((f) => f.network) ?? [];
  const canPrepare = outcome && !outcome.blocked && outcome.files.length > 0 && missingPartner.length === 0 && shell.session && !delivery;
  return (
    <div className={styles.root}>
      <InputPicker picker={picker} disabled={busy} />
      <div className={styles.row}>
        <Field className={styles.half} label="Batch">
          <Input className={styles.fill} value={batchLabel} onChange={(_, d) => setBatchLabel(d.value)} disabled={busy} data-testid="cb-batch" />
        </Field>
        <Field className={styles.half} label="Date">
          <Input className={styles.fill} value={date} onChange={(_, d) => setDate(d.value)} placeholder="YYYY-MM-DD" disabled={busy} data-testid="cb-date" />
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
        <MessageBar intent={blocking ? 'warning' : 'success'} layout="multiline" data-testid="cb-outcome">
          <MessageBarBody className={styles.message}>
            {formatCount(outcome.records)} valid records in {countOf(outcome.files.length, 'file')}
            {blocking ? `; ${countOf(blocking, 'blocking problem')} must be fixed before the batch can be prepared.` : '.'}
          </MessageBarBody>
        </MessageBar>
      )}
      {outcome && outcome.files.length > 0 && (
        <ul className={styles.files} aria-label="Files of the batch" data-testid="cb-files">
          {outcome.files.map((f) => {
            const candidates = partners.filter((p) => p.networks.includes(f.network));
            const list = candidates.length ? candidates : partners;
            return (
              <li key={f.network} className={styles.file} data-testid="cb-file">
                <Text weight="semibold">
                  <Ellipsis text={f.fileName} />
                </Text>
                <div className={styles.figures}>
                  <Caption1>{countOf(f.records, 'record')}</Caption1>
                  <Caption1 className={styles.money}>{f.totals.map((t) => `${formatAmount(t.cents, t.currency)} ${t.currency}`).join(', ')}</Caption1>
                </div>
                <PaneSelect
                  size="small"
                  value={partnerFor(f.network, partners, chosen)?.id ?? ''}
                  onChange={(_, d) => setChosen((c) => ({ ...c, [f.network]: d.value }))}
                  aria-label={`Partner for ${f.network}`}
                  options={[{ value: '', label: list.length ? 'Choose a partner…' : 'No partner: ask an admin' }, ...list.map((p) => ({ value: p.id, label: p.name }))]}
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
                ? `Choose a partner for ${missingPartner.join(', ')}.`
                : 'Someone other than you approves it; nothing is sent before.'}
          </Caption1>
        </div>
      )}
      {delivery && <DeliveryCard delivery={delivery} onChange={setDelivery} />}
      {outcome && <ProblemsList problems={outcome.problems} headers={'tables' in outcome.source ? headersOf(outcome.source.tables) : undefined} />}
    </div>
  );
}
