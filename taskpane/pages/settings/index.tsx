/**
 * Settings (administrators): everything the jobs ask an admin to set, one section at a time so each
 * fits the pane — delivery partners, delivery targets (card networks, tuition customers, SPURSH),
 * the Zoho connections and each connection's mapping for settlements.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
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
  // Sections stay mounted once opened, so a half-filled form survives a look elsewhere. (Kept in an
  // effect: a state update during render would leave the external store's last value stale.)
  const [opened, setOpened] = useState<ReadonlySet<SettingsSection>>(() => new Set([section]));
  useEffect(() => setOpened((o) => (o.has(section) ? o : new Set(o).add(section))), [section]);
  return (
    <div className={styles.root} data-testid="settings-page">
      <Field label="Settings">
        <PaneSelect value={section} onChange={(_, d) => setSettingsSection(d.value as SettingsSection)} options={SECTIONS.map((s) => ({ value: s.value, label: s.label }))} data-testid="settings-section" />
      </Field>
      {SECTIONS.filter((s) => opened.has(s.value) || s.value === section).map((s) => (
        <div key={s.value} hidden={s.value !== section} data-section={s.value}>
          <s.component />
        </div>
      ))}
    </div>
  );
}
