/** The fields of a delivery target: which partner, which remote folder, which file name. */
import { Caption1, Field, Input } from '@fluentui/react-components';
import { checkTarget, TARGET_PLACEHOLDERS, type TargetJob } from '../../../src/delivery/targets';
import { PaneSelect } from '../../components';
import type { Partner } from './settings-api';
import { useSettingsStyles } from './styles';

export interface TargetFieldValues {
  partnerId: string;
  folder: string;
  fileNamePattern: string;
}

/** What keeps the target from being saved (the rule's own check, and a partner chosen), or null. */
export function targetFieldsProblem(job: TargetJob, key: string, v: TargetFieldValues): string | null {
  if (!v.partnerId) return 'Choose the partner that receives these files.';
  return checkTarget({ job, key, folder: v.folder, fileNamePattern: v.fileNamePattern })[0] ?? null;
}

export function TargetFields({ job, value, partners, onChange }: { job: TargetJob; value: TargetFieldValues; partners: readonly Partner[]; onChange: (v: TargetFieldValues) => void }) {
  const styles = useSettingsStyles();
  const partner = partners.find((p) => p.id === value.partnerId);
  return (
    <>
      <Field label="Partner">
        <PaneSelect
          value={value.partnerId}
          onChange={(_, d) => onChange({ ...value, partnerId: d.value })}
          options={[{ value: '', label: partners.length ? 'Choose a partner…' : 'No partner yet: add one under Delivery partners' }, ...partners.map((p) => ({ value: p.id, label: `${p.name} (${p.protocol.toUpperCase()} ${p.host})` }))]}
          data-testid="target-partner"
        />
      </Field>
      <Field label="Folder (optional)" hint={{ className: styles.text, children: `Empty: the partner's folder${partner?.folder ? ` (${partner.folder})` : ''}; a name goes under it; a path starting with / replaces it.` }}>
        <Input value={value.folder} onChange={(_, d) => onChange({ ...value, folder: d.value })} data-testid="target-folder" />
      </Field>
      <Field label="File name (optional)" hint={{ className: styles.text, children: `Empty: the job's own name. Placeholders: ${TARGET_PLACEHOLDERS[job].map((k) => `{${k}}`).join(' ')}` }}>
        <Input value={value.fileNamePattern} onChange={(_, d) => onChange({ ...value, fileNamePattern: d.value })} placeholder="{file}" data-testid="target-pattern" />
      </Field>
      {partner && !partner.hasSecret && <Caption1 className={styles.bad}>{partner.name} has no password or key stored: files cannot be prepared for it until one is.</Caption1>}
    </>
  );
}
