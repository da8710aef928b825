/**
 * Settings (administrators): everything the jobs ask an admin to set, one section at a time so each
 * fits the pane — delivery partners, delivery targets (card networks, tuition customers, SPURSH),
 * the Zoho connections and each connection's mapping for settlements.
 */
import { useState, useSyncExternalStore } from 'react';
import { Field, makeStyles, tokens } from '@fluentui/react-components';
import { PaneSelect } from '../../components';
import ConnectionsPage from '../connections';
import PartnersSection from './partners';
import TargetsSection from './targets';
import MappingsSection from './mappings';
import { onSettingsSection, setSettingsSection, settingsSection, type SettingsSection } from './section';

const SECTIONS: readonly { value: SettingsSection; label: string; component: () => JSX.Element }[] = [
  { value: 'partners', label: 'Delivery partners', component: PartnersSection },
  { value: 'targets', label: 'Delivery targets', component: TargetsSection },
  { value: 'connections', label: 'Zoho connections', component: ConnectionsPage },
  { value: 'mappings', label: 'Zoho mappings', component: MappingsSection },
];

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
});

export default function SettingsPage() {
  const styles = useStyles();
  const section = useSyncExternalStore(onSettingsSection, settingsSection, settingsSection);
  // Sections stay mounted once opened, so a half-filled form survives a look elsewhere.
  const [opened, setOpened] = useState<Set<SettingsSection>>(() => new Set([section]));
  if (!opened.has(section)) setOpened(new Set(opened).add(section));
  return (
    <div className={styles.root} data-testid="settings-page">
      <Field label="Settings">
        <PaneSelect value={section} onChange={(_, d) => setSettingsSection(d.value as SettingsSection)} options={SECTIONS.map((s) => ({ value: s.value, label: s.label }))} data-testid="settings-section" />
      </Field>
      {SECTIONS.filter((s) => opened.has(s.value)).map((s) => (
        <div key={s.value} hidden={s.value !== section} data-section={s.value}>
          <s.component />
        </div>
      ))}
    </div>
  );
}
