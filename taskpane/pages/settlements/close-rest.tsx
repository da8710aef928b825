/**
 * "Close the 3 without posting": beside the batch of the rest (the posting panel) and in the inbox's
 * batch detail, for a posting that failed or was cancelled whose documents not posted are not to be
 * posted. A small inline reason and a confirm, no dialog (the pane is 350 px wide); nothing is sent
 * to Zoho. Disabled with the reason when the signed-in person may not (restClose). The same, with
 * `act="reopen"`, where a closed rest is shown: "Reopen the 3 closed" undoes a close made by mistake.
 * Beside them, LookUpRest: "Look up the 2 unsure in Zoho" for the documents sent without Zoho
 * confirming them, which are not closed before that. RestActions puts the three where an ended
 * posting is shown (the posting panel and the inbox's batch detail), each when it applies.
 */
import { useState } from 'react';
import { Button, Caption1, Field, MessageBar, MessageBarBody, Spinner, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { Archive20Regular, ArchiveArrowBack20Regular, Search20Regular } from '@fluentui/react-icons';
import type { User } from '../../../src/approval';
import { closableOf, endsWithRest, lookedUpSentence, lookUpLabel, type RestLookUp } from '../../../src/batches/outcome';
import { errorSentence, formatCount } from '../../components';
import { useShell } from '../../shell';
import { ApiError } from '../../api';
import { restActWords, restClose, type PanelProgress, type RestAct, type RestClose } from './post-panel-state';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, minWidth: 0 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
});

/** The server's limit on the reason (server/routes/posting.ts). */
const REASON_MAX = 500;

/** The server's refusals that mean another pane (or a retry) did it already: the batch is read again. */
const DONE_MEANWHILE: Record<RestAct, readonly string[]> = { close: ['already-closed', 'nothing-left'], reopen: ['not-closed'] };

export function CloseRest({ batchId, count, allowed, onDone, act = 'close' }: { batchId: string; count: number; allowed: RestClose; onDone(): void; act?: RestAct }) {
  const styles = useStyles();
  const { api } = useShell();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const words = restActWords(act, count);
  const id = `${act}-rest`;

  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.request(`/api/posting/batches/${encodeURIComponent(batchId)}/${id}`, { method: 'POST', body: { reason: reason.trim() } });
      setOpen(false);
      setReason('');
      onDone();
    } catch (e) {
      // Done meanwhile (another pane, a retry): the sentence says so; the batch is read again.
      if (e instanceof ApiError && DONE_MEANWHILE[act].includes(e.code ?? '')) onDone();
      setError(errorSentence(e, words.failed));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={styles.root} data-testid={id}>
      {!open ? (
        <>
          <div className={styles.row}>
            <Button appearance="secondary" icon={act === 'close' ? <Archive20Regular /> : <ArchiveArrowBack20Regular />} disabled={!allowed.canAct || busy} onClick={() => setOpen(true)} data-testid={`${id}-open`}>
              {words.open}
            </Button>
          </div>
          {!allowed.canAct && <Caption1 className={styles.wrap}>{allowed.hint}</Caption1>}
        </>
      ) : (
        <>
          <Field
            label={words.question}
            required
            hint={words.hint}
            validationMessage={reason.length > REASON_MAX ? `At most ${REASON_MAX} characters (${formatCount(reason.length)} now).` : undefined}
          >
            <Textarea value={reason} onChange={(_, d) => setReason(d.value)} resize="vertical" rows={2} data-testid={`${id}-reason`} />
          </Field>
          <div className={styles.row}>
            <Button disabled={busy || !reason.trim() || reason.length > REASON_MAX} onClick={() => void send()} data-testid={`${id}-confirm`}>
              {words.confirm}
            </Button>
            <Button appearance="subtle" disabled={busy} onClick={() => setOpen(false)}>
              {words.keep}
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

/**
 * "Look up the 2 unsure in Zoho": reads Zoho, sends nothing, so no reason and no confirm; a few calls,
 * each held to its deadline by the server, so no Cancel either. Its sentence stays after the batch is
 * read again (when nothing unsure is left the button goes, the sentence not): mount it while the
 * posting has a rest, with `count` the unsure ones.
 */
export function LookUpRest({ batchId, count, allowed, onDone }: { batchId: string; count: number; allowed: RestClose; onDone(): void }) {
  const styles = useStyles();
  const { api } = useShell();
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const send = async () => {
    setBusy(true);
    setError(null);
    setSaid(null);
    try {
      const r = await api.request<{ lookedUp: RestLookUp }>(`/api/posting/batches/${encodeURIComponent(batchId)}/look-up-rest`, { method: 'POST', body: {} });
      setSaid(lookedUpSentence(r.lookedUp));
      onDone();
    } catch (e) {
      // Looked up meanwhile (another pane): the sentence says so; the batch is read again.
      if (e instanceof ApiError && e.code === 'nothing-unsure') onDone();
      setError(errorSentence(e, "The documents could not be looked up in Zoho; the details are in the browser's console."));
    } finally {
      setBusy(false);
    }
  };

  if (!count && !said && !error) return null;
  return (
    <div className={styles.root} data-testid="look-up-rest">
      {count > 0 && (
        <>
          <div className={styles.row}>
            <Button appearance="secondary" icon={busy ? <Spinner size="tiny" /> : <Search20Regular />} disabled={!allowed.canAct || busy} onClick={() => void send()} data-testid="look-up-rest-run">
              {lookUpLabel(count)}
            </Button>
          </div>
          <Caption1 className={styles.wrap}>{busy ? 'Looking them up in Zoho…' : allowed.hint}</Caption1>
        </>
      )}
      {said && (
        <MessageBar intent="info" layout="multiline" data-testid="look-up-rest-result">
          <MessageBarBody className={styles.wrap}>{said}</MessageBarBody>
        </MessageBar>
      )}
      {error && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody className={styles.wrap}>{error}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}

/**
 * What may be done with the rest of a posting that ended (failed or cancelled), once it stopped: its
 * unsure documents looked up in Zoho (the look-up's sentence stays once none is left), the others
 * closed without posting (not the unsure: looked up first), and a close made by mistake reopened.
 */
export function RestActions({ batchId, kind, progress, user, onDone }: { batchId: string; kind: string; progress: PanelProgress | null; user: User | null; onDone(): void }) {
  if (!progress || progress.running || !endsWithRest(kind, progress.batchState)) return null;
  const unsure = progress.unsure ?? 0;
  const closable = closableOf(progress);
  const reopenable = progress.closed?.count ?? 0;
  return (
    <>
      <LookUpRest key={batchId} batchId={batchId} count={unsure} allowed={restClose(unsure, user, 'look-up')} onDone={onDone} />
      {closable > 0 && <CloseRest batchId={batchId} count={closable} allowed={restClose(closable, user)} onDone={onDone} />}
      {reopenable > 0 && <CloseRest act="reopen" batchId={batchId} count={reopenable} allowed={restClose(reopenable, user, 'reopen')} onDone={onDone} />}
    </>
  );
}
