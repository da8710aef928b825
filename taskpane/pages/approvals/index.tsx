/**
 * Approvals page: the inbox across jobs. Every batch that waits for a decision or for sending —
 * Zoho postings (settlements), file deliveries (chargebacks, SPURSH, tuition) — newest first in
 * groups, with job, preparers, when, totals, items and state. An approver opens one, reviews what
 * will leave and approves or rejects it; a preparer follows hers, withdraws one or removes items
 * before approval; once approved, it is sent or posted from here. The ribbon's Approvals button
 * opens this page.
 */
import { useCallback, useEffect, useState } from 'react';
import { Button, Caption1, MessageBar, MessageBarBody, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowSync20Regular } from '@fluentui/react-icons';
import { claimRibbonCommand } from '../../../commands/bus';
import { countOf, errorSentence } from '../../components';
import { useShell } from '../../shell';
import { BatchDetail } from './batch-detail';
import { InboxList } from './inbox-list';
import { inboxChanged, onInboxChanged, readInbox, type InboxView } from './inbox-model';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  head: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
});

export default function ApprovalsPage() {
  const styles = useStyles();
  const shell = useShell();
  const [inbox, setInbox] = useState<InboxView | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [openId, setOpenId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setInbox(await readInbox(shell.api));
      setNow(Date.now());
    } catch (e) {
      setError(errorSentence(e, 'The inbox could not be read; the details are in the browser\'s console.'));
    } finally {
      setLoading(false);
    }
  }, [shell.api]);

  useEffect(() => {
    if (shell.session) void load();
  }, [load, shell.session]);
  useEffect(() => onInboxChanged(() => void load()), [load]);
  // The ribbon's Approvals button: back to the list, read afresh.
  useEffect(() => {
    if (!claimRibbonCommand(shell.ribbonCommand, 'approvals', 'open')) return;
    setOpenId(null);
    void load();
  }, [shell.ribbonCommand, load]);

  const open = openId ? inbox?.entries.find((e) => e.batch.id === openId) : undefined;
  return (
    <div className={styles.root} data-testid="approvals-page">
      {open ? (
        <BatchDetail entry={open} onBack={() => setOpenId(null)} onChanged={inboxChanged} />
      ) : (
        <>
          <div className={styles.head}>
            <Caption1 className={styles.wrap} data-testid="inbox-summary">
              {inbox ? `${countOf(inbox.waitingForYou, 'batch', 'batches')} ${inbox.waitingForYou === 1 ? 'waits' : 'wait'} for your decision.` : 'Batches of every job that wait for a decision or to be sent.'}
            </Caption1>
            <Button icon={<ArrowSync20Regular />} onClick={() => void load()} disabled={loading} data-testid="inbox-refresh">
              Refresh
            </Button>
          </div>
          {error && (
            <MessageBar intent="error" layout="multiline">
              <MessageBarBody className={styles.wrap}>{error}</MessageBarBody>
            </MessageBar>
          )}
          {loading && !inbox && <Spinner size="tiny" label="Reading the inbox…" />}
          {inbox && inbox.entries.length === 0 && (
            <Caption1 className={styles.wrap} data-testid="inbox-empty">
              Nothing waits for a decision or to be sent. Batches prepared on the Settlements, Chargebacks, Vendor returns and Tuition pages appear here.
            </Caption1>
          )}
          {inbox && inbox.entries.length > 0 && <InboxList entries={inbox.entries} now={now} onOpen={setOpenId} />}
        </>
      )}
    </div>
  );
}
