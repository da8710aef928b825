/**
 * Tuition customers: who approves their invoices (the approval link goes to that address), how their
 * learners are matched across partner layouts (tuition-learners.tsx), and where approved invoices go — by file to a partner (the customer's delivery target) or as a Zoho Books
 * invoice to the customer and item picked from the organisation's own lists. Saving a target
 * delivers the customer's approved invoices that waited for one.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { Button, Caption1, Field, Input, Text } from '@fluentui/react-components';
import { Edit20Regular, Save20Regular } from '@fluentui/react-icons';
import { chooseTarget } from '../../../src/delivery/targets';
import { customerKey } from '../../../src/tuition/invoices';
import type { ZohoLists } from '../../../src/settlements/mapping';
import { PaneSelect, errorSentence, type JobRun } from '../../components';
import { useShell } from '../../shell';
import { choiceText, organisationLists, saveTuitionCustomer, targetConfigOf, tuitionCustomerNames, zohoOptions, type TargetsData, type TuitionCustomer, type TuitionDeliveryInput } from './settings-api';
import { AddRow } from './add-row';
import { useSettingsStyles } from './styles';
import { TargetFields, targetFieldsProblem, type TargetFieldValues } from './target-fields';
import { LearnerRules } from './tuition-learners';
import { learnerRequests, onLearnerRequests } from './learner-request';

type Method = TuitionDeliveryInput['method'];

interface Draft {
  approverEmail: string;
  method: Method;
  file: TargetFieldValues;
  zoho: { connectionId: string; zohoCustomerId: string; itemId: string };
}

function draftOf(name: string, c: TuitionCustomer | undefined, data: TargetsData): Draft {
  const own = data.targets.find((t) => t.job === 'tuition' && t.key === customerKey(name));
  const d = c?.delivery;
  const partnerId = own?.partnerId ?? (d?.method === 'partner' ? d.partnerId : '');
  return {
    approverEmail: c?.approverEmail ?? '',
    method: d?.method === 'zoho' ? 'zoho' : partnerId ? 'partner' : d ? 'none' : 'partner',
    file: { partnerId, folder: own?.folder ?? '', fileNamePattern: own?.fileNamePattern ?? '' },
    zoho: d?.method === 'zoho' ? { connectionId: d.connectionId, zohoCustomerId: d.zohoCustomerId, itemId: d.itemId ?? '' } : { connectionId: data.connections[0]?.id ?? '', zohoCustomerId: '', itemId: '' },
  };
}

/** Where the customer's approved invoices go now, in words. */
function whereNow(name: string, c: TuitionCustomer | undefined, data: TargetsData): { ok: boolean; text: string } {
  if (c?.delivery.method === 'zoho') {
    const conn = data.connections.find((x) => x.id === (c.delivery as { connectionId: string }).connectionId);
    return { ok: true, text: `Goes to Zoho Books${conn ? ` (${conn.name})` : ''} as an invoice to customer ${(c.delivery as { zohoCustomerId: string }).zohoCustomerId}.` };
  }
  const choice = chooseTarget(targetConfigOf(data.targets, data.partners), 'tuition', name, { customerPartnerId: c?.delivery.method === 'partner' ? c.delivery.partnerId : undefined });
  return { ok: choice.ok, text: choiceText('tuition', choice) };
}

function ZohoFields({ draft, data, onChange }: { draft: Draft; data: TargetsData; onChange: (z: Draft['zoho']) => void }) {
  const styles = useSettingsStyles();
  const { api } = useShell();
  const [lists, setLists] = useState<ZohoLists | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = draft.zoho.connectionId;
  useEffect(() => {
    if (!id) return;
    const ctl = new AbortController();
    setLists(null);
    setError(null);
    organisationLists(api, id, ctl.signal).then(setLists, (e: unknown) => !ctl.signal.aborted && setError(errorSentence(e, 'The organisation\'s customers and items could not be read.')));
    return () => ctl.abort();
  }, [api, id]);
  if (data.connections.length === 0) return <Caption1 className={styles.bad}>No Zoho organisation is connected: connect one under Zoho connections first.</Caption1>;
  return (
    <>
      <Field label="Zoho connection">
        <PaneSelect value={id} onChange={(_, d) => onChange({ connectionId: d.value, zohoCustomerId: '', itemId: '' })} options={data.connections.map((c) => ({ value: c.id, label: `${c.name} (${c.organizationName})` }))} />
      </Field>
      {error && <Caption1 className={styles.bad}>{error}</Caption1>}
      <Field label="Zoho customer">
        <PaneSelect
          value={draft.zoho.zohoCustomerId}
          onChange={(_, d) => onChange({ ...draft.zoho, zohoCustomerId: d.value })}
          options={[{ value: '', label: lists ? 'Choose the customer…' : 'Reading the customers…' }, ...(lists ? zohoOptions('customer', lists).map((o) => ({ value: o.id, label: o.name })) : [])]}
        />
      </Field>
      <Field label="Zoho item for the lines (optional)">
        <PaneSelect
          value={draft.zoho.itemId}
          onChange={(_, d) => onChange({ ...draft.zoho, itemId: d.value })}
          options={[{ value: '', label: 'No item: the lines carry a name only' }, ...(lists ? zohoOptions('item', lists).map((o) => ({ value: o.id, label: o.name })) : [])]}
        />
      </Field>
    </>
  );
}

function CustomerCard({ name, data, run, onSaved, startOpen, asked }: { name: string; data: TargetsData; run: JobRun<TargetsData>; onSaved: (s: string) => void; startOpen: boolean; asked: readonly string[] }) {
  const styles = useSettingsStyles();
  const { api } = useShell();
  const customer = data.customers.find((c) => customerKey(c.name) === customerKey(name));
  const [draft, setDraft] = useState<Draft | null>(() => (startOpen ? draftOf(name, customer, data) : null));
  const now = whereNow(name, customer, data);
  const problem = !draft
    ? null
    : draft.method === 'partner'
      ? targetFieldsProblem('tuition', name, draft.file)
      : draft.method === 'zoho' && !draft.zoho.zohoCustomerId
        ? 'Choose the Zoho customer the invoices go to.'
        : null;

  async function save() {
    if (!draft) return;
    const delivery: TuitionDeliveryInput =
      draft.method === 'partner'
        ? { method: 'partner', ...draft.file }
        : draft.method === 'zoho'
          ? { method: 'zoho', connectionId: draft.zoho.connectionId, zohoCustomerId: draft.zoho.zohoCustomerId, ...(draft.zoho.itemId ? { itemId: draft.zoho.itemId } : {}) }
          : { method: 'none' };
    const c = await run.act(() => saveTuitionCustomer(api, { name, approverEmail: draft.approverEmail.trim(), delivery }));
    if (c) {
      setDraft(null);
      onSaved(`${name}: saved. ${c.target?.method === 'none' ? 'Its invoices have no delivery target.' : 'Approved invoices that waited for a target are delivered now.'}`);
    }
  }

  return (
    <li className={styles.card} data-testid="tuition-customer" data-customer={name}>
      <Text weight="semibold" className={styles.text}>
        {name}
      </Text>
      <Caption1 className={styles.text}>{customer?.approverEmail ? `Approver: ${customer.approverEmail}` : 'No approver e-mail set.'}</Caption1>
      <Caption1 className={now.ok ? styles.text : styles.bad} data-testid="target-now">
        {now.text}
      </Caption1>
      {draft ? (
        <div className={styles.form}>
          <Field label="Approver e-mail" hint="The approval link goes to this address; only this approver decides.">
            <Input value={draft.approverEmail} onChange={(_, d) => setDraft({ ...draft, approverEmail: d.value })} type="email" data-testid="tuition-approver" />
          </Field>
          <Field label="Approved invoices go">
            <PaneSelect
              value={draft.method}
              onChange={(_, d) => setDraft({ ...draft, method: d.value as Method })}
              options={[
                { value: 'partner', label: 'As files to a partner (FTP/SFTP)' },
                { value: 'zoho', label: 'As an invoice in Zoho Books' },
                { value: 'none', label: 'Nowhere yet (they wait)' },
              ]}
              data-testid="tuition-method"
            />
          </Field>
          {draft.method === 'partner' && <TargetFields job="tuition" value={draft.file} partners={data.partners} onChange={(file) => setDraft({ ...draft, file })} />}
          {draft.method === 'zoho' && <ZohoFields draft={draft} data={data} onChange={(zoho) => setDraft({ ...draft, zoho })} />}
          {problem && <Caption1 className={styles.muted}>{problem}</Caption1>}
          <div className={styles.row}>
            <Button appearance="primary" size="small" icon={<Save20Regular />} disabled={!!problem || run.running} onClick={() => void save()} data-testid="tuition-save">
              Save
            </Button>
            <Button size="small" onClick={() => setDraft(null)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <div>
          <Button size="small" icon={<Edit20Regular />} disabled={run.running} onClick={() => setDraft(draftOf(name, customer, data))} data-testid="tuition-edit">
            Change
          </Button>
        </div>
      )}
      <LearnerRules name={name} customer={customer} run={run} onSaved={onSaved} asked={asked} />
    </li>
  );
}

export function TuitionCustomers({ data, run, onSaved }: { data: TargetsData; run: JobRun<TargetsData>; onSaved: (s: string) => void }) {
  const styles = useSettingsStyles();
  const [added, setAdded] = useState<string[]>([]);
  // Customers the Tuition page sent here to settle an ambiguous learner are listed even before they are set up.
  const requests = useSyncExternalStore(onLearnerRequests, learnerRequests, learnerRequests);
  const names = tuitionCustomerNames(data.customers, data.invoiced, [...added, ...requests.map((r) => r.customer)]);
  return (
    <>
      {names.length === 0 && <Caption1>No tuition customer yet: they appear here once their invoices are stored, or add one.</Caption1>}
      <ul className={styles.list} aria-label="Tuition customers">
        {names.map((n) => (
          <CustomerCard key={customerKey(n)} name={n} data={data} run={run} onSaved={onSaved} startOpen={added.some((a) => customerKey(a) === customerKey(n))}
            asked={requests.filter((r) => customerKey(r.customer) === customerKey(n)).map((r) => r.spelling)}
          />
        ))}
      </ul>
      <AddRow label="Another customer" button="Add customer" placeholder="Customer name as the partners write it" onAdd={(n) => setAdded((a) => [...a, n])} testId="tuition-new-customer" />
    </>
  );
}
