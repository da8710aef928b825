/**
 * Delivery targets: which partner (folder, file name) receives each card network's chargeback
 * files, each tuition customer's invoices (or Zoho Books), and the SPURSH files of each ledger or of
 * every ledger. Each row says where files go now, by the same rule the jobs apply
 * (src/delivery/targets.ts), or why they cannot go anywhere yet.
 */
import { useEffect, useState } from 'react';
import { Button, Caption1, Subtitle2, Text } from '@fluentui/react-components';
import { Delete20Regular, Edit20Regular, Save20Regular } from '@fluentui/react-icons';
import { DEFAULT_TARGET_KEY } from '../../../src/delivery/targets';
import { defaultVretConfig } from '../../../src/vendor-returns';
import { RunStatus, useJobRun, type JobRun } from '../../components';
import { useShell } from '../../shell';
import {
  chargebackRows,
  choiceText,
  invoicedCustomers,
  listConnections,
  listPartners,
  listTargets,
  listTuitionCustomers,
  removeTarget,
  saveTarget,
  spurshRows,
  type TargetRow,
  type TargetsData,
} from './settings-api';
import { AddRow } from './add-row';
import { useSettingsStyles } from './styles';
import { TargetFields, targetFieldsProblem, type TargetFieldValues } from './target-fields';
import { TuitionCustomers } from './tuition-customers';

const LEDGERS = Object.keys(defaultVretConfig().l2c);

function TargetCard({ row, data, run, onSaved }: { row: TargetRow; data: TargetsData; run: JobRun<TargetsData>; onSaved: (sentence: string) => void }) {
  const styles = useSettingsStyles();
  const { api } = useShell();
  const [editing, setEditing] = useState<TargetFieldValues | null>(null);
  const problem = editing && targetFieldsProblem(row.job, row.value, editing);

  async function save() {
    if (!editing) return;
    const t = await run.act(() => saveTarget(api, { job: row.job, key: row.value, label: row.value === DEFAULT_TARGET_KEY ? undefined : row.value, ...editing }));
    if (t) {
      setEditing(null);
      onSaved(`${row.title}: files go to ${t.partnerName}.`);
    }
  }

  async function remove() {
    const done = await run.act(async () => {
      await removeTarget(api, row.job, row.value);
      return true;
    });
    if (done) onSaved(`${row.title}: target removed.`);
  }

  return (
    <li className={styles.card} data-testid="target-row" data-target={`${row.job}:${row.value}`}>
      <Text weight="semibold" className={styles.text}>
        {row.title}
      </Text>
      <Caption1 className={row.choice.ok ? styles.text : styles.bad} data-testid="target-now">
        {choiceText(row.job, row.choice)}
      </Caption1>
      {editing ? (
        <div className={styles.form}>
          <TargetFields job={row.job} value={editing} partners={data.partners} onChange={setEditing} />
          {problem && <Caption1 className={styles.muted}>{problem}</Caption1>}
          <div className={styles.row}>
            <Button appearance="primary" size="small" icon={<Save20Regular />} disabled={!!problem || run.running} onClick={() => void save()} data-testid="target-save">
              Save
            </Button>
            <Button size="small" onClick={() => setEditing(null)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <div className={styles.row}>
          <Button
            size="small"
            icon={<Edit20Regular />}
            disabled={run.running}
            onClick={() => setEditing({ partnerId: row.own?.partnerId ?? (row.choice.ok ? row.choice.partnerId : ''), folder: row.own?.folder ?? '', fileNamePattern: row.own?.fileNamePattern ?? '' })}
            data-testid="target-edit"
          >
            {row.own ? 'Change' : 'Set target'}
          </Button>
          {row.own && (
            <Button size="small" icon={<Delete20Regular />} disabled={run.running} onClick={() => void remove()} aria-label={`Remove the target of ${row.title}`}>
              Remove
            </Button>
          )}
        </div>
      )}
    </li>
  );
}

export default function TargetsSection() {
  const styles = useSettingsStyles();
  const { api } = useShell();
  const [notice, setNotice] = useState<string | null>(null);
  const [ledgers, setLedgers] = useState<string[]>([]);
  const run = useJobRun<TargetsData>('The delivery targets', async (ctx) => {
    ctx.progress('Reading partners, targets and customers');
    const [partners, targets, customers, invoiced, connections] = await Promise.all([
      listPartners(api, ctx.signal),
      listTargets(api, ctx.signal),
      listTuitionCustomers(api, ctx.signal),
      invoicedCustomers(api, ctx.signal),
      listConnections(api, ctx.signal),
    ]);
    return { partners, targets, customers, invoiced, connections };
  });

  useEffect(() => {
    void run.start();
  }, [api]); // eslint-disable-line react-hooks/exhaustive-deps

  const data = run.outcome;
  const saved = (sentence: string) => {
    setNotice(sentence);
    void run.start();
  };
  const card = (row: TargetRow) => data && <TargetCard key={`${row.job}:${row.value}`} row={row} data={data} run={run} onSaved={saved} />;

  return (
    <div className={styles.root} data-testid="targets-section">
      <Subtitle2 as="h2">Delivery targets</Subtitle2>
      {notice && (
        <Caption1 className={styles.good} role="status" data-testid="targets-notice">
          {notice}
        </Caption1>
      )}
      <RunStatus run={run} errorTestId="targets-error" />
      {data && (
        <>
          <Subtitle2 as="h3">Chargeback files</Subtitle2>
          <ul className={styles.list} aria-label="Chargeback files">
            {chargebackRows(data.targets, data.partners).map(card)}
          </ul>

          <Subtitle2 as="h3">Tuition invoices</Subtitle2>
          <TuitionCustomers data={data} run={run} onSaved={saved} />

          <Subtitle2 as="h3">SPURSH files</Subtitle2>
          <ul className={styles.list} aria-label="SPURSH files">
            {spurshRows(data.targets, data.partners, ledgers).map(card)}
          </ul>
          <AddRow label="A ledger with its own target" button="Add ledger" suggestions={LEDGERS} onAdd={(l) => setLedgers((all) => [...all, l])} testId="spursh-ledger" />
        </>
      )}
    </div>
  );
}
