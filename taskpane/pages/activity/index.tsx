/** Activity page: recent runs and audit entries from the backend. */
import { useCallback, useEffect, useState } from 'react';
import {
  Badge,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  Spinner,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowSync20Regular } from '@fluentui/react-icons';
import type { ActivityRecord } from '../../api';
import { errorSentence } from '../../components';
import { useShell } from '../../shell';
import { describeActivity, type ActivityLine } from './describe';
import { DeliveriesSection } from '../chargebacks/deliveries-section';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  head: { display: 'flex', alignItems: 'center', justifyContent: 'space-between' },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  item: {
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderLeft: `3px solid ${tokens.colorBrandStroke1}`,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRadius: tokens.borderRadiusSmall,
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
    overflowWrap: 'anywhere',
  },
  titleRow: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  meta: { color: tokens.colorNeutralForeground3 },
});

function Section({ title, items, empty, testId }: { title: string; items: ActivityLine[]; empty: string; testId: string }) {
  const styles = useStyles();
  return (
    <section data-testid={testId}>
      <Subtitle2 as="h2" block>
        {title}
      </Subtitle2>
      {items.length === 0 ? (
        <Caption1>{empty}</Caption1>
      ) : (
        <ul className={styles.list}>
          {items.map((it, i) => (
            <li key={i} className={styles.item}>
              <div className={styles.titleRow}>
                <Text weight="semibold">{it.title}</Text>
                {it.status && (
                  <Badge appearance="tint" color={it.tone} size="small">
                    {it.status}
                  </Badge>
                )}
              </div>
              {it.detail && <Text size={200}>{it.detail}</Text>}
              {it.whoKey ? (
                <Caption1 className={styles.meta}>
                  <span title={it.whoKey} data-testid="activity-who">
                    {it.who}
                  </span>
                  {it.when ? ` · ${it.when}` : ''}
                </Caption1>
              ) : (
                it.meta && <Caption1 className={styles.meta}>{it.meta}</Caption1>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default function ActivityPage() {
  const styles = useStyles();
  const shell = useShell();
  const [runs, setRuns] = useState<ActivityRecord[] | null>(null);
  const [audit, setAudit] = useState<ActivityRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const refresh = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const [r, a] = await Promise.all([shell.api.listRuns(), shell.api.listAudit()]);
      setRuns(r);
      setAudit(a);
    } catch (e) {
      setError(errorSentence(e, 'The activity could not be read; the details are in the browser\'s console.'));
    } finally {
      setLoading(false);
    }
  }, [shell.api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return (
    <div className={styles.root}>
      <div className={styles.head}>
        <Caption1>What was run and who did what, newest first.</Caption1>
        <Button icon={<ArrowSync20Regular />} onClick={() => void refresh()} disabled={loading}>
          Refresh
        </Button>
      </div>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {loading && runs === null && <Spinner size="tiny" label="Loading activity…" />}
      <DeliveriesSection />
      {runs !== null && (
        <Section title="Recent runs" testId="runs" items={runs.map((r) => describeActivity(r, 'run'))} empty="No runs yet. Runs appear here once a job has been run." />
      )}
      {audit !== null && (
        <Section title="Audit log" testId="audit" items={audit.map((a) => describeActivity(a, 'audit'))} empty="The audit log has no entries yet." />
      )}
    </div>
  );
}
