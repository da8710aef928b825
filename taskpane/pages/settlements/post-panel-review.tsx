/**
 * What the census found after posting, in the posting panel: each finding with its evidence (every
 * copy Zoho holds, its id and amount, the one this batch recorded) and what to do about it. A
 * duplicate: choose the copy to keep; the others are removed from Zoho by a correction batch that a
 * second person approves and then starts, like any posting. Anything else: an approver checks Zoho
 * and closes it with what they found.
 */
import { useCallback, useState } from 'react';
import { Button, Caption1, Field, MessageBar, MessageBarBody, Radio, RadioGroup, Text, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { Checkmark20Regular, Delete20Regular, Send20Regular } from '@fluentui/react-icons';
import { CountBar, usePolling } from '../../components';
import { finishedOf } from '../../../src/batches/outcome';
import { useShell } from '../../shell';
import { sessionUser } from '../../identity';
import { panelStep, type PanelBatch, type PanelProgress } from './post-panel-state';
import { defaultKeep, describeCopy, findingActions, findingTitle, type ReviewFinding } from './post-panel-review-state';

const useStyles = makeStyles({
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  finding: { padding: tokens.spacingVerticalS, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground2, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, overflowWrap: 'anywhere' },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
});

/** `onSettled`: the last open finding was resolved while the batch was in review — the server has settled the batch (done, or failed): read it again. */
export default function ReviewFindings({ batchId, batchState, onSettled }: { batchId: string; batchState: string; onSettled?: () => void }) {
  const styles = useStyles();
  const { api } = useShell();
  const [findings, setFindings] = useState<ReviewFinding[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  usePolling(
    `${batchId}:${batchState}:${tick}`,
    async (signal) => {
      const r = await api.request<{ findings: ReviewFinding[] }>(`/api/posting/batches/${encodeURIComponent(batchId)}/findings`, { signal });
      if (signal.aborted) return null;
      setFindings(r.findings);
      if (batchState === 'needs_review' && r.findings.length > 0 && r.findings.every((f) => f.state === 'resolved')) onSettled?.();
      // The batch is shown to its preparer and to approvers at once: while a finding is open, another person
      // may take it on (propose the correction, close it), so it is read again. (A correction polls itself.)
      return r.findings.some((f) => f.state === 'open') ? 3000 : null;
    },
    (e) => setError((e as Error).message),
  );

  if (!findings?.length && !error) return null;
  const open = (findings ?? []).filter((f) => f.state !== 'resolved').length;
  return (
    <div data-testid="post-review">
      <Text weight="semibold">{open ? `Zoho does not hold ${open === 1 ? 'one document' : `${open} documents`} of this batch exactly once` : 'Review settled'}</Text>
      <ul className={styles.list}>
        {(findings ?? []).map((f) => (
          <li key={f.id} className={styles.finding}>
            <FindingView finding={f} onChanged={reload} onError={setError} />
          </li>
        ))}
      </ul>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}

function FindingView({ finding: f, onChanged, onError }: { finding: ReviewFinding; onChanged: () => void; onError: (m: string | null) => void }) {
  const styles = useStyles();
  const { api, session } = useShell();
  const user = sessionUser(session);
  const [keep, setKeep] = useState(defaultKeep(f));
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const actions = findingActions(f, user);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    onError(null);
    try {
      await fn();
      onChanged();
    } catch (e) {
      onError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Text weight="semibold">{findingTitle(f)}</Text>
      <Caption1>{f.message}</Caption1>
      {actions.canCorrect ? (
        <Field label="Copy to keep">
          <RadioGroup value={keep} onChange={(_, d) => setKeep(d.value)}>
            {f.copies.map((c) => (
              <Radio key={c.zohoId} value={c.zohoId} label={describeCopy(f, c)} />
            ))}
          </RadioGroup>
        </Field>
      ) : (
        <ul className={styles.list}>
          {f.copies.map((c) => (
            <li key={c.zohoId}>
              <Caption1>{describeCopy(f, c)}</Caption1>
            </li>
          ))}
        </ul>
      )}
      <Caption1 data-testid="post-review-hint">{actions.hint}</Caption1>
      {actions.canCorrect && (
        <Button
          icon={<Delete20Regular />}
          disabled={busy || !keep}
          onClick={() => act(() => api.request(`/api/posting/findings/${encodeURIComponent(f.id)}/correct`, { method: 'POST', body: { keepZohoId: keep } }))}
        >
          Keep it, remove the others
        </Button>
      )}
      {actions.canClose && (
        <div className={styles.row}>
          <Field label="What you checked in Zoho">
            <Textarea value={reason} onChange={(_, d) => setReason(d.value)} />
          </Field>
          <Button disabled={busy || !reason.trim()} onClick={() => act(() => api.request(`/api/posting/findings/${encodeURIComponent(f.id)}/close`, { method: 'POST', body: { reason } }))}>
            Close
          </Button>
        </div>
      )}
      {f.state === 'correcting' && f.correctionBatchId && <CorrectionView batchId={f.correctionBatchId} onChanged={onChanged} onError={onError} />}
    </>
  );
}

/** The correction batch: approved by someone else, then started; progress until the copies are gone. */
function CorrectionView({ batchId, onChanged, onError }: { batchId: string; onChanged: () => void; onError: (m: string | null) => void }) {
  const styles = useStyles();
  const { api, session } = useShell();
  const [batch, setBatch] = useState<PanelBatch | null>(null);
  const [progress, setProgress] = useState<PanelProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);

  usePolling(
    `${batchId}:${tick}`,
    async (signal) => {
      const b = (await api.request<{ batch: PanelBatch }>(`/api/batches/${encodeURIComponent(batchId)}`, { signal })).batch;
      const p = await api.request<PanelProgress>(`/api/posting/batches/${encodeURIComponent(batchId)}/progress`, { signal });
      if (signal.aborted) return null;
      setBatch(b);
      setProgress(p);
      if (p.batchState === 'done') {
        onChanged();
        return null;
      }
      return p.running || p.batchState === 'sending' || p.batchState === 'awaiting_approval' || p.batchState === 'approved' ? (p.running ? 700 : 3000) : null;
    },
    (e) => onError((e as Error).message),
  );

  const act = async (path: string, body: unknown) => {
    setBusy(true);
    onError(null);
    try {
      await api.request(path, { method: 'POST', body });
      setTick((t) => t + 1);
    } catch (e) {
      onError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!batch) return null;
  const step = panelStep(batch, progress, sessionUser(session), false);
  return (
    <div className={styles.row} data-testid="post-correction">
      <Caption1>
        Correction {batch.id}: {step.step === 'approve' ? step.hint : step.step === 'post' ? 'approved, ready to remove the copies from Zoho.' : step.hint}
      </Caption1>
      {step.step === 'approve' && (
        <Button appearance="primary" icon={<Checkmark20Regular />} disabled={!step.canAct || busy} onClick={() => act(`/api/batches/${encodeURIComponent(batch.id)}/approve`, { version: batch.version })}>
          Approve
        </Button>
      )}
      {step.step === 'post' && (
        <Button appearance="primary" icon={<Send20Regular />} disabled={!step.canAct || busy} onClick={() => act(`/api/posting/batches/${encodeURIComponent(batch.id)}/start`, {})}>
          Remove from Zoho
        </Button>
      )}
      {step.step === 'posting' && progress && <CountBar done={finishedOf(progress.counts)} total={progress.total} />}
      {progress?.batchState === 'failed' && (
        <Button icon={<Send20Regular />} disabled={busy} onClick={() => act(`/api/posting/batches/${encodeURIComponent(batch.id)}/start`, {})}>
          Try again
        </Button>
      )}
    </div>
  );
}
