/**
 * A tuition customer's learner matching, on its card under Delivery targets: the aliases that say
 * which learner a partner's spelling is (what settles an "ambiguous learner" warning) and whether a
 * user name is matched to the one address it begins. The rules themselves are src/tuition/learners.ts;
 * they apply from the next build of the month.
 */
import { useEffect, useRef, useState } from 'react';
import { Button, Caption1, Checkbox, Field, Input } from '@fluentui/react-components';
import { Add20Regular, Delete20Regular, People20Regular, Save20Regular } from '@fluentui/react-icons';
import { aliasRows, describeLearnerRules, learnerRulesOf, type AliasRow } from '../../../src/tuition/learners';
import type { JobRun } from '../../components';
import { useShell } from '../../shell';
import { saveLearnerRules, type TargetsData, type TuitionCustomer } from './settings-api';
import { useSettingsStyles } from './styles';
import { settleLearnerRequests } from './learner-request';
import { customerKey } from '../../../src/tuition/invoices';

interface Draft {
  rows: AliasRow[];
  localPart: boolean;
}

const draftOf = (c: TuitionCustomer | undefined): Draft => {
  const rows = aliasRows(c?.learners);
  return { rows: rows.length ? rows : [{ spelling: '', learner: '' }], localPart: c?.learners?.localPart !== false };
};

/** The draft with a row for each spelling asked about that it does not list yet (an empty row gives way). */
function withAsked(d: Draft, asked: readonly string[]): Draft {
  const listed = new Set(d.rows.map((r) => r.spelling.trim().toLowerCase()));
  const more = asked.filter((s) => !listed.has(s.trim().toLowerCase())).map((spelling) => ({ spelling, learner: '' }));
  const kept = d.rows.filter((r) => r.spelling.trim() || r.learner.trim());
  return more.length ? { ...d, rows: [...kept, ...more] } : d;
}

export function LearnerRules({ name, customer, run, onSaved, asked }: { name: string; customer: TuitionCustomer | undefined; run: JobRun<TargetsData>; onSaved: (s: string) => void; asked: readonly string[] }) {
  const styles = useSettingsStyles();
  const { api } = useShell();
  const [draft, setDraft] = useState<Draft | null>(null);
  const formRef = useRef<HTMLDivElement>(null);
  // Sent here from an ambiguous-learner warning: the form opens with the spelling to settle, in view.
  const askedKey = asked.join('\n');
  useEffect(() => {
    if (!askedKey) return;
    // The stored rules are read when the form opens, not again on every refresh of the list.
    setDraft((d) => withAsked(d ?? draftOf(customer), askedKey.split('\n')));
  }, [askedKey]);
  useEffect(() => {
    if (askedKey && draft) formRef.current?.scrollIntoView({ block: 'nearest' });
  }, [askedKey, draft !== null]);
  const form = draft ? learnerRulesOf(draft.rows, draft.localPart) : null;
  const setRow = (i: number, row: AliasRow) => draft && setDraft({ ...draft, rows: draft.rows.map((r, j) => (j === i ? row : r)) });

  async function save() {
    if (!form?.ok) return;
    const c = await run.act(() => saveLearnerRules(api, name, form.rules));
    if (c) {
      setDraft(null);
      settleLearnerRequests((n) => customerKey(n) === customerKey(name));
      onSaved(`${name}: learner matching saved; it applies from the next build of the month.`);
    }
  }

  if (!draft) {
    return (
      <div className={styles.row}>
        <Caption1 className={styles.text} data-testid="learners-now">
          {describeLearnerRules(customer?.learners)}
        </Caption1>
        <Button size="small" icon={<People20Regular />} disabled={run.running} onClick={() => setDraft(draftOf(customer))} data-testid="learners-edit">
          Learners
        </Button>
      </div>
    );
  }
  return (
    <div className={styles.form} data-testid="learners-form" ref={formRef}>
      <Caption1 className={styles.text}>
        Partners write a learner their own way. An alias says who a spelling is — for a user name that begins two addresses, say which one.
      </Caption1>
      {draft.rows.map((r, i) => (
        <div key={i} className={styles.form} data-testid="learner-alias">
          <Field label={`Spelling ${i + 1}, as a partner writes it`}>
            <Input value={r.spelling} onChange={(_, d) => setRow(i, { ...r, spelling: d.value })} placeholder="e.g. sam.lee" data-testid="alias-spelling" />
          </Field>
          <Field label="is the learner">
            <Input value={r.learner} onChange={(_, d) => setRow(i, { ...r, learner: d.value })} placeholder="e.g. sam.lee@example.com" data-testid="alias-learner" />
          </Field>
          <div>
            <Button size="small" icon={<Delete20Regular />} onClick={() => setDraft({ ...draft, rows: draft.rows.filter((_, j) => j !== i) })} data-testid="alias-remove">
              Remove
            </Button>
          </div>
        </div>
      ))}
      <div>
        <Button size="small" icon={<Add20Regular />} onClick={() => setDraft({ ...draft, rows: [...draft.rows, { spelling: '', learner: '' }] })} data-testid="alias-add">
          Another alias
        </Button>
      </div>
      <Checkbox
        checked={draft.localPart}
        onChange={(_, d) => setDraft({ ...draft, localPart: d.checked === true })}
        label="Match a user name to the one address it begins (alice.ng → alice.ng@example.com)"
        data-testid="learners-local-part"
      />
      {form && !form.ok && <Caption1 className={styles.bad}>{form.problem}</Caption1>}
      <div className={styles.row}>
        <Button appearance="primary" size="small" icon={<Save20Regular />} disabled={!form?.ok || run.running} onClick={() => void save()} data-testid="learners-save">
          Save
        </Button>
        <Button
          size="small"
          onClick={() => {
            setDraft(null);
            settleLearnerRequests((n) => customerKey(n) === customerKey(name));
          }}
        >
          Cancel
        </Button>
      </div>
    </div>
  );
}
