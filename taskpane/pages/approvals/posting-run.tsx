/**
 * After approval, a Zoho posting batch goes out from here: Post (or Resume after a stop), a progress
 * bar while the posting worker runs, then the result — what happened and what to do, said as the
 * inbox and the posting panel say it (src/batches/outcome.ts), and each document that failed or
 * needs review with Zoho's answer. The worker refuses content that is not what was approved; its
 * sentence shows here.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Caption1, Field, MessageBar, MessageBarBody, Text, makeStyles, tokens } from '@fluentui/react-components';
import { Play20Regular, Send20Regular } from '@fluentui/react-icons';
import { closableOf, finishedOf, progressSentence, sentBatchSentence } from '../../../src/batches/outcome';
import { CountBar, errorSentence, formatCount, usePolling } from '../../components';
import { useShell } from '../../shell';
import { inboxChanged } from './inbox-model';
import type { PanelItem as ItemStatus, PanelProgress as Progress } from '../settlements/post-panel-state';
import { RestActions } from '../settlements/close-rest';
import { sessionUser } from '../../identity';


const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
  list: { listStyleType: 'none', margin: 0, padding: 0, maxHeight: '200px', overflowY: 'auto', display: 'flex', flexDirection: 'column', gap: '2px' },
});

export function PostingRun({ batchId, onFinished }: { batchId: string; onFinished(): void }) {
  const styles = useStyles();
  const { api, session } = useShell();
  const [progress, setProgress] = useState<Progress | null>(null);
  const [problems, setProblems] = useState<ItemStatus[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/api/posting/batches/${encodeURIComponent(batchId)}`;

  const read = useCallback(async (signal?: AbortSignal) => {
    const p = await api.request<Progress>(`${base}/progress`, { signal });
    setProgress(p);
    return p;
  }, [api, base]);

  // The page's callback, read when needed: a new one each render must not restart the following.
  const finished = useRef(onFinished);
  finished.current = onFinished;
  const finish = useCallback(async () => {
    const r = await api.request<{ items: ItemStatus[] }>(`${base}/items`);
    // one closed without posting asks nothing more: the outcome says it was closed
    setProblems(r.items.filter((i) => (i.state === 'failed' || i.state === 'needs_review') && !i.closed));
    finished.current();
  }, [api, base]);

  // Following: while the worker runs here, or until it has answered the start asked for (its last outcome changes).
  const [follow, setFollow] = useState<{ since: string | null } | null>(null);
  useEffect(() => {
    read().then(
      (p) => {
        if (p.running) setFollow({ since: p.last?.at ?? null });
        else if (p.batchState !== 'approved') void finish();
      },
      (e) => setError(errorSentence(e, 'The posting could not be read; the details are in the browser\'s console.')),
    );
  }, [read, finish]);
  usePolling(
    follow,
    async (signal) => {
      const p = await read(signal);
      if (signal.aborted || !follow) return null;
      if (p.running || (p.batchState === 'approved' && (p.last?.at ?? null) === follow.since)) return 600;
      setFollow(null);
      await finish();
      return null;
    },
    (e) => setError(errorSentence(e, 'The posting could not be followed; the details are in the browser\'s console.')),
  );

  const start = async () => {
    setBusy(true);
    setError(null);
    setProblems(null);
    try {
      const since = progress?.last?.at ?? null;
      await api.request(`${base}/${progress?.batchState === 'sending' ? 'resume' : 'start'}`, { method: 'POST', body: {} });
      inboxChanged();
      setFollow({ since });
    } catch (e) {
      setError(errorSentence(e, 'The posting could not be started; the details are in the browser\'s console.'));
    } finally {
      setBusy(false);
    }
  };

  const p = progress;
  const c = p?.counts;
  const canStart = p && !p.running && !follow && (p.batchState === 'approved' || p.batchState === 'sending');
  const outcome = p && c && p.batchState !== 'sending' ? sentBatchSentence('zoho-post', p.batchState, c, 'open', p) : null;
  // Its rest closed, with none left to close: the outcome is information, not a warning.
  const settled = !!p?.closed && !closableOf(p);
  const closed = () => {
    inboxChanged();
    void read().then(() => finish()).catch((e) => setError(errorSentence(e, 'The posting could not be read; the details are in the browser\'s console.')));
  };
  return (
    <section className={styles.root} aria-label="Post to Zoho Books" data-testid="posting-run">
      {canStart && (
        <div>
          <Button appearance="primary" icon={p.batchState === 'sending' ? <Play20Regular /> : <Send20Regular />} onClick={() => void start()} disabled={busy} data-testid="posting-start">
            {p.batchState === 'sending' ? 'Resume posting' : 'Post to Zoho Books'}
          </Button>
        </div>
      )}
      {/* the bar while it goes out (or stopped part-way, to resume); once it ended, the outcome instead of a full bar */}
      {p && c && (p.running || p.batchState === 'sending') && (
        <Field label={p.running ? 'Posting to Zoho Books' : 'Posting stopped'} hint={progressSentence('zoho-post', c)} validationState="none">
          <CountBar done={finishedOf(c)} total={p.total} thickness="large" data-testid="posting-progress" />
        </Field>
      )}
      {p && c && !p.running && outcome && (
        <MessageBar intent={p.batchState === 'done' ? 'success' : p.batchState === 'cancelled' || settled ? 'info' : 'warning'} layout="multiline" data-testid="posting-result">
          <MessageBarBody className={styles.wrap}>{outcome}</MessageBarBody>
        </MessageBar>
      )}
      {/* its unsure documents looked up in Zoho, the others closed without posting, a close undone */}
      <RestActions batchId={batchId} kind="zoho-post" progress={p} user={sessionUser(session)} onDone={closed} />
      {/* why it stopped (a pause, a census not taken); an ended batch says it above */}
      {p && !p.running && p.last && p.batchState === 'sending' && <Caption1 className={styles.wrap}>{p.last.message}</Caption1>}
      {problems && problems.length > 0 && (
        <div>
          <Text weight="semibold">{`Documents that need attention (${formatCount(problems.length)})`}</Text>
          <ul className={styles.list} data-testid="posting-problems">
            {problems.slice(0, 50).map((i) => (
              <li key={i.idempotencyKey}>
                <Caption1 className={styles.wrap}>{`${i.kind} ${i.idempotencyKey}: ${i.status}`}</Caption1>
              </li>
            ))}
          </ul>
          {problems.length > 50 && <Caption1>{`… and ${formatCount(problems.length - 50)} more.`}</Caption1>}
        </div>
      )}
      {error && (
        <MessageBar intent="error" layout="multiline" data-testid="posting-error">
          <MessageBarBody className={styles.wrap}>{error}</MessageBarBody>
        </MessageBar>
      )}
    </section>
  );
}
