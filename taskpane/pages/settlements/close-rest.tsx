/**
 * "Close the 3 without posting": beside the batch of the rest (the posting panel) and in the inbox's
 * batch detail, for a posting that failed or was cancelled whose documents not posted are not to be
 * posted. A small inline reason and a confirm, no dialog (the pane is 350 px wide); nothing is sent
 * to Zoho. Disabled with the reason when the signed-in person may not (restClose).
 */
import { useState } from 'react';
import { Button, Caption1, Field, MessageBar, MessageBarBody, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { Archive20Regular } from '@fluentui/react-icons';
import { errorSentence, formatCount } from '../../components';
import { useShell } from '../../shell';
import { ApiError } from '../../api';
import type { RestClose } from './post-panel-state';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, minWidth: 0 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
});

/** The server's limit on the reason (server/routes/posting.ts). */
const REASON_MAX = 500;

export function CloseRest({ batchId, count, allowed, onClosed }: { batchId: string; count: number; allowed: RestClose; onClosed(): void }) {
  const styles = useStyles();
  const { api } = useShell();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const them = count === 1 ? 'it' : 'them';

  const close = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.request(`/api/posting/batches/${encodeURIComponent(batchId)}/close-rest`, { method: 'POST', body: { reason: reason.trim() } });
      setOpen(false);
      setReason('');
      onClosed();
    } catch (e) {
      // Closed meanwhile (another pane, a retry): the sentence says by whom; the batch is read again.
      if (e instanceof ApiError && (e.code === 'already-closed' || e.code === 'nothing-left')) onClosed();
      setError(errorSentence(e, 'The documents could not be closed; the details are in the browser\'s console.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={styles.root} data-testid="close-rest">
      {!open ? (
        <>
          <div className={styles.row}>
            <Button appearance="secondary" icon={<Archive20Regular />} disabled={!allowed.canAct || busy} onClick={() => setOpen(true)} data-testid="close-rest-open">
              {`Close the ${formatCount(count)} without posting`}
            </Button>
          </div>
          {!allowed.canAct && <Caption1 className={styles.wrap}>{allowed.hint}</Caption1>}
        </>
      ) : (
        <>
          <Field
            label={`Why ${count === 1 ? 'is the 1 document' : `are the ${formatCount(count)} documents`} not to be posted?`}
            required
            hint={`Saved with your name. Nothing is sent to Zoho, and no batch of the rest takes ${them} later.`}
            validationMessage={reason.length > REASON_MAX ? `At most ${REASON_MAX} characters (${formatCount(reason.length)} now).` : undefined}
          >
            <Textarea value={reason} onChange={(_, d) => setReason(d.value)} resize="vertical" rows={2} data-testid="close-rest-reason" />
          </Field>
          <div className={styles.row}>
            <Button disabled={busy || !reason.trim() || reason.length > REASON_MAX} onClick={() => void close()} data-testid="close-rest-confirm">
              {`Close ${them} without posting`}
            </Button>
            <Button appearance="subtle" disabled={busy} onClick={() => setOpen(false)}>
              Keep {them} open
            </Button>
          </div>
        </>
      )}
      {error && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody className={styles.wrap}>{error}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
