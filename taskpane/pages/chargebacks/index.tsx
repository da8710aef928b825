/**
 * Chargebacks page: load records (a sheet of this workbook, or a dataset on the server), build at
 * most 4 files (one per card network) written as sheets "CB VISA"…, see the problems, then
 * Prepare → Approve (by someone else) → Send, with per-file progress and receipts.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Button,
  Caption1,
  Field,
  Input,
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
import { DocumentArrowUp20Regular, Play20Regular } from '@fluentui/react-icons';
import { DEFAULT_FILE_PATTERN } from '../../../src/chargebacks/files';
import { formatAmount } from '../../../src/kernel/money';
import { ProblemsList, RunProgress, formatCount, runErrorMessage } from '../../components';
import type { DatasetSummary } from '../../api';
import { useShell } from '../../shell';
import {
  buildFromDataset,
  buildFromSheet,
  candidateSheets,
  listPartners,
  partnerFor,
  prepareBatch,
  writeFileSheets,
  type DeliveryView,
  type FilesOutcome,
  type PartnerView,
} from './chargebacks-run';
import { DeliveryCard } from './delivery-card';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap' },
  grow: { flexGrow: 1, minWidth: '140px' },
  small: { width: '120px' },
  money: { textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
});

type Mode = 'sheet' | 'server';
const today = () => new Date().toISOString().slice(0, 10);

export default function ChargebacksPage() {
  const styles = useStyles();
  const shell = useShell();
  const [mode, setMode] = useState<Mode>('sheet');
  const [sheets, setSheets] = useState<string[]>([]);
  const [sheet, setSheet] = useState('');
  const [datasets, setDatasets] = useState<DatasetSummary[]>([]);
  const [dataset, setDataset] = useState('');
  const [batchLabel, setBatchLabel] = useState('B1');
  const [date, setDate] = useState(today());
  const [merchant, setMerchant] = useState('');
  const [pattern, setPattern] = useState(DEFAULT_FILE_PATTERN);
  const [outcome, setOutcome] = useState<FilesOutcome | null>(null);
  const [partners, setPartners] = useState<PartnerView[]>([]);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [delivery, setDelivery] = useState<DeliveryView | null>(null);
  const [progress, setProgress] = useState<{ label: string; done: number; total?: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);

  useEffect(() => () => abortRef.current?.abort(), []);
  useEffect(() => {
    void shell.workbook.listSheets().then((names) => {
      const list = candidateSheets(names);
      setSheets(list);
      setSheet((s) => (s && list.includes(s) ? s : list[0] ?? ''));
    });
  }, [shell.workbook, shell.workbookVersion]);
  useEffect(() => {
    if (!shell.session) return;
    shell.api.listDatasets().then(
      (list) => {
        setDatasets(list);
        setDataset((d) => d || (list.find((x) => /charge/i.test(x.name))?.id ?? list[0]?.id ?? ''));
      },
      () => setDatasets([]),
    );
    listPartners(shell.api).then(setPartners, () => setPartners([]));
  }, [shell.api, shell.session]);

  const options = { batch: batchLabel.trim() || 'B1', date, merchant: merchant.trim() || undefined, pattern: pattern.trim() || undefined };

  const build = useCallback(async () => {
    const controller = new AbortController();
    abortRef.current = controller;
    setError(null);
    setOutcome(null);
    setDelivery(null);
    try {
      setProgress({ label: mode === 'server' ? 'Building the files on the server' : `Reading ${sheet}`, done: 0 });
      const result = mode === 'server' ? await buildFromDataset(shell.api, dataset, options, controller.signal) : await buildFromSheet(shell.workbook, sheet, options);
      setOutcome(result);
      await writeFileSheets(shell.workbook, result.files, {
        signal: controller.signal,
        onProgress: (done, total, name) => setProgress({ label: `Writing ${name}`, done, total }),
      });
    } catch (e) {
      setError(runErrorMessage(e));
    } finally {
      abortRef.current = null;
      setProgress(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mode, sheet, dataset, batchLabel, date, merchant, pattern, shell.api, shell.workbook]);

  async function prepare() {
    if (!outcome) return;
    setError(null);
    try {
      setDelivery(await prepareBatch(shell.api, outcome, options, chosen));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const busy = progress !== null;
  const blocking = outcome?.problems.filter((p) => p.severity === 'blocking').length ?? 0;
  const missingPartner = outcome?.files.filter((f) => !partnerFor(f.network, partners, chosen)).map((f) => f.network) ?? [];
  const canPrepare = outcome && !outcome.blocked && outcome.files.length > 0 && missingPartner.length === 0 && shell.session && !delivery;
  return (
    <div className={styles.root}>
      <Field label="Records">
        <RadioGroup layout="horizontal" value={mode} onChange={(_, d) => setMode(d.value as Mode)} disabled={busy}>
          <Radio value="sheet" label="A sheet in this workbook" />
          <Radio value="server" label="A dataset on the server" />
        </RadioGroup>
      </Field>
      {mode === 'sheet' ? (
        <Field label="Sheet">
          <Select value={sheet} onChange={(_, d) => setSheet(d.value)} disabled={busy} data-testid="cb-sheet">
            {sheets.length === 0 && <option value="">No sheets: load records from the Data page</option>}
            {sheets.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </Field>
      ) : (
        <Field label="Dataset">
          <Select value={dataset} onChange={(_, d) => setDataset(d.value)} disabled={busy} data-testid="cb-dataset">
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <div className={styles.row}>
        <Field className={styles.small} label="Batch">
          <Input value={batchLabel} onChange={(_, d) => setBatchLabel(d.value)} disabled={busy} data-testid="cb-batch" />
        </Field>
        <Field className={styles.small} label="Date">
          <Input value={date} onChange={(_, d) => setDate(d.value)} placeholder="YYYY-MM-DD" disabled={busy} data-testid="cb-date" />
        </Field>
        <Field className={styles.grow} label="Merchant name (optional)">
          <Input value={merchant} onChange={(_, d) => setMerchant(d.value)} disabled={busy} placeholder="the merchant id of the records" />
        </Field>
      </div>
      <Field label="File name pattern" hint="{network} {merchant} {yyyymmdd} {date} {batch} {count}">
        <Input value={pattern} onChange={(_, d) => setPattern(d.value)} disabled={busy} data-testid="cb-pattern" />
      </Field>
      <div>
        <Button appearance="primary" icon={<Play20Regular />} onClick={() => void build()} disabled={busy || (mode === 'sheet' ? !sheet : !dataset)} data-testid="cb-build">
          Build files
        </Button>
      </div>
      {progress && <RunProgress label={progress.label} done={progress.done} total={progress.total} onCancel={() => abortRef.current?.abort()} />}
      {error && (
        <MessageBar intent="error" data-testid="cb-error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {outcome && (
        <MessageBar intent={blocking ? 'warning' : 'success'} data-testid="cb-outcome">
          <MessageBarBody>
            {formatCount(outcome.records)} valid records in {outcome.files.length} file{outcome.files.length === 1 ? '' : 's'}
            {blocking ? `; ${blocking} blocking problem${blocking === 1 ? '' : 's'} must be fixed before the batch can be prepared.` : '.'}
          </MessageBarBody>
        </MessageBar>
      )}
      {outcome && outcome.files.length > 0 && (
        <Table size="small" aria-label="Files of the batch" data-testid="cb-files">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>File</TableHeaderCell>
              <TableHeaderCell>Records</TableHeaderCell>
              <TableHeaderCell className={styles.money}>Total</TableHeaderCell>
              <TableHeaderCell>Partner</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {outcome.files.map((f) => {
              const candidates = partners.filter((p) => p.networks.includes(f.network));
              const list = candidates.length ? candidates : partners;
              return (
                <TableRow key={f.network}>
                  <TableCell>{f.fileName}</TableCell>
                  <TableCell>{formatCount(f.records)}</TableCell>
                  <TableCell className={styles.money}>{f.totals.map((t) => `${formatAmount(t.cents, t.currency)} ${t.currency}`).join(', ')}</TableCell>
                  <TableCell>
                    <Select
                      size="small"
                      value={partnerFor(f.network, partners, chosen)?.id ?? ''}
                      onChange={(_, d) => setChosen((c) => ({ ...c, [f.network]: d.value }))}
                      aria-label={`Partner for ${f.network}`}
                    >
                      <option value="">{list.length ? 'Choose…' : 'No partner: ask an admin'}</option>
                      {list.map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.name}
                        </option>
                      ))}
                    </Select>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {outcome && (
        <div className={styles.row}>
          <Button icon={<DocumentArrowUp20Regular />} disabled={!canPrepare || busy} onClick={() => void prepare()} data-testid="cb-prepare">
            Prepare batch for approval
          </Button>
          <Caption1>
            {!shell.session
              ? 'Sign in to prepare a batch.'
              : missingPartner.length
                ? `Choose a partner for ${missingPartner.join(', ')}.`
                : 'Someone other than you approves it; nothing is sent before.'}
          </Caption1>
        </div>
      )}
      {delivery && <DeliveryCard delivery={delivery} onChange={setDelivery} />}
      {outcome && outcome.problems.length > 0 && (
        <div>
          <Subtitle2>Problems ({formatCount(outcome.problems.length)})</Subtitle2>
          <ProblemsList problems={outcome.problems} />
        </div>
      )}
    </div>
  );
}
