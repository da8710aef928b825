/**
 * Prepare batch → Approve (another user) → Post, with a live progress bar, pause / resume / cancel,
 * and each document's status (the Zoho id, or Zoho's code and message) written back into the
 * Invoices, Payments and Journals sheets as a STATUS column. The ribbon's "Post to Zoho" opens it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Badge,
  Button,
  Caption1,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Checkmark20Regular, Dismiss20Regular, Pause20Regular, Play20Regular, Send20Regular, TaskListSquareAdd20Regular } from '@fluentui/react-icons';
import { claimRibbonCommand } from '../../../commands/bus';
import { CountBar, countOf, formatCount, ProblemsList, usePolling } from '../../components';
import { attentionWords, finishedOf, progressSentence } from '../../../src/batches/outcome';
import { postingAttention } from '../../../src/settlements/sheets';
import { countBlocking, countWarnings } from '../../../src/kernel/problems';
import { useShell } from '../../shell';
import type { SettlementsPostPanelProps } from './post-panel-props';
import { sessionUser } from '../../identity';
import { ApiError } from '../../api';
import { initialConnectionId, leftOutSentence, panelStep, sheetsWithStatus, type PanelBatch, type PanelItem, type PanelProgress } from './post-panel-state';
import { RestActions } from './close-rest';
import ReviewFindings from './post-panel-review';
import { leaseNotes } from './post-panel-lease';
import { keepBatchId, keptBatchId } from './kept-batch';
import { openSettings } from '../settings/section';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingVerticalM,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
  // A batch id or document key is one long word: it breaks anywhere rather than cross the panel's frame.
  item: { overflowWrap: 'anywhere', minWidth: 0 },
});

interface ConnectionView {
  id: string;
  name: string;
  organizationName: string;
  dataCentreLabel: string;
  sandbox: boolean;
}

export default function PostPanel({ documents, blocked, sheets, title, connectionId: idsConnectionId }: SettlementsPostPanelProps) {
  const styles = useStyles();
  const shell = useShell();
  const { api, session } = shell;
  const rootRef = useRef<HTMLElement>(null);
  const [connections, setConnections] = useState<ConnectionView[] | null>(null);
  const [connectionId, setConnectionId] = useState<string>('');
  const [batch, setBatch] = useState<PanelBatch | null>(null);
  const [progressRead, setProgress] = useState<PanelProgress | null>(null);
  // A read of the batch before the one now followed (answered after a new batch was prepared) is not shown.
  const progress = progressRead && batch && (progressRead.batchId ?? batch.id) === batch.id ? progressRead : null;
  const [items, setItems] = useState<PanelItem[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [written, setWritten] = useState<string | null>(null);
  // When the progress was read, so the lease countdown stays live between polls.
  const [readAt, setReadAt] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [takeOverReason, setTakeOverReason] = useState('');
  const [leftOut, setLeftOut] = useState<string | null>(null);
  const [inZoho, setInZoho] = useState(false);
  useEffect(() => setInZoho(false), [documents]);

  // Ribbon "Post to Zoho": bring the panel into view.
  useEffect(() => {
    if (!claimRibbonCommand(shell.ribbonCommand, 'settlements', 'post')) return;
    rootRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    rootRef.current?.focus();
  }, [shell.ribbonCommand]);

  useEffect(() => {
    const ctl = new AbortController();
    api
      .request<{ connections: ConnectionView[] }>('/api/zoho/connections', { signal: ctl.signal })
      .then((r) => {
        setConnections(r.connections);
        setConnectionId(initialConnectionId(r.connections, idsConnectionId));
      })
      .catch((e: Error) => !ctl.signal.aborted && setError(e.message));
    const kept = keptBatchId(title);
    if (kept) {
      api
        .request<{ batch: PanelBatch }>(`/api/batches/${encodeURIComponent(kept)}`, { signal: ctl.signal })
        .then((r) => setBatch(r.batch))
        .catch(() => undefined);
    }
    return () => ctl.abort();
  }, [api, title, session?.user, idsConnectionId]);

  const refresh = useCallback(async (signal?: AbortSignal) => {
    if (!batch) return;
    const p = await api.request<PanelProgress>(`/api/posting/batches/${encodeURIComponent(batch.id)}/progress`, { signal });
    // The batch itself (its version, for approving) only while it waits for approval: it lists every item.
    if (p.batchState === 'awaiting_approval') {
      const fresh = (await api.request<{ batch: PanelBatch }>(`/api/batches/${encodeURIComponent(batch.id)}`, { signal })).batch;
      setBatch((cur) => (cur?.id === fresh.id ? fresh : cur));
    }
    setProgress(p);
    setReadAt(Date.now());
    return p;
  }, [api, batch]);

  // Poll while the batch may change under us (posting, or waiting for the approver); a command's
  // busy flip restarts the loop so its outcome is read at once.
  usePolling(
    batch ? `${batch.id}:${busy ?? ''}` : null,
    async (signal) => {
      const p = await refresh(signal);
      if (signal.aborted || !p || !(p.running || p.batchState === 'awaiting_approval' || p.batchState === 'approved' || p.batchState === 'sending')) return null;
      // A batch recovering after a restart resumes by itself: follow it closely then too.
      const waiting = (p.leases?.heldByStale ?? 0) > 0;
      return p.running || waiting ? 700 : 3000;
    },
    (e) => setError((e as Error).message),
  );

  // Once it stops running, fetch each document's status and write it into the sheets: where each
  // document is now (a row the batch of the rest left out says where it is in Zoho); again once its
  // rest is closed without posting, so those rows say so.
  const finishedKey = progress && !progress.running && progress.batchState !== 'awaiting_approval' && progress.batchState !== 'approved' ? `${progress.batchState}:${progress.counts.done}:${progress.counts.failed}:${progress.counts.needs_review}:${progress.closed?.count ?? 0}` : null;
  useEffect(() => {
    if (!batch || !finishedKey) return;
    let stop = false;
    (async () => {
      const r = await api.request<{ items: PanelItem[] }>(`/api/posting/batches/${encodeURIComponent(batch.id)}/items`);
      const now = await api.request<{ statuses: PanelItem[] }>('/api/posting/statuses', { method: 'POST', body: { keys: documents.map((d) => d.idempotencyKey) } });
      if (stop) return;
      setItems(r.items);
      const specs = sheetsWithStatus(sheets, now.statuses);
      for (const spec of specs) await shell.workbook.writeSheet(spec);
      if (!stop) setWritten(specs.map((s) => s.name).join(', '));
    })().catch((e: Error) => !stop && setError(`The status could not be written to the sheets: ${e.message}`));
    return () => {
      stop = true;
    };
  }, [api, batch, finishedKey, sheets, documents, shell.workbook]);

  const act = async (label: string, fn: () => Promise<void>) => {
    setBusy(label);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  // `rest`: the documents a failed or cancelled batch did not post, to the same organisation; the
  // server leaves out those already in Zoho. The panel then follows the new batch (approve, post).
  const prepare = (rest = false) =>
    act('prepare', async () => {
      // the rest of a batch goes where the batch went; otherwise to the connection chosen
      const to = (rest && step.step === 'rest' && batch?.payload?.connectionId) || connectionId;
      setInZoho(false);
      const r = await api
        .request<{ batch: PanelBatch; leftOut: number; heldElsewhere?: { batchId: string; count: number }[]; closedLeftOut?: number }>('/api/posting/batches', { method: 'POST', body: { connectionId: to, title, documents, ...(rest ? { rest } : {}) } })
        .catch((e: unknown) => {
          // Refused as some are in Zoho already (a batch this pane does not remember posted them): offer the rest.
          if (e instanceof ApiError && e.code === 'already-posted') setInZoho(true);
          throw e;
        });
      keepBatchId(title, r.batch.id);
      setItems(null);
      setWritten(null);
      setProgress(null);
      setLeftOut(rest ? leftOutSentence(documents.length, r.leftOut, r.heldElsewhere, r.closedLeftOut) : null);
      setBatch(r.batch);
    });
  const approve = () =>
    act('approve', async () => {
      await api.request(`/api/batches/${encodeURIComponent(batch!.id)}/approve`, { method: 'POST', body: { version: batch!.version } });
    });
  const command = (verb: 'start' | 'pause' | 'resume' | 'cancel') =>
    act(verb, async () => {
      await api.request(`/api/posting/batches/${encodeURIComponent(batch!.id)}/${verb}`, { method: 'POST', body: {} });
    });

  const user = sessionUser(session);
  const step = panelStep(batch, progress, user, blocked);
  const reread = () => void refresh().catch((e: Error) => setError(e.message));
  const notes = leaseNotes(progress?.batchState ?? '', progress?.leases, now - readAt, user?.roles ?? []);
  // The countdown ticks every second while there is one to show.
  useEffect(() => {
    if (!notes.waiting && !notes.lookUps) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [notes.waiting, notes.lookUps]);
  const takeOver = () =>
    act('take-over', async () => {
      await api.request(`/api/posting/batches/${encodeURIComponent(batch!.id)}/take-over`, { method: 'POST', body: { reason: takeOverReason } });
      setTakeOverReason('');
    });
  const counts = progress?.counts;
  // The documents asking for a person, at their rows (a click shows the row); one closed without
  // posting asks nothing more: its batch's sentence says it was closed.
  const attention = useMemo(() => {
    const { problems, headers } = postingAttention(sheets, items ?? []);
    return { problems, headers, counts: { failed: countBlocking(problems), needs_review: countWarnings(problems) } };
  }, [sheets, items]);
  const kinds = documents.reduce<Record<string, number>>((m, d) => ((m[d.kind] = (m[d.kind] ?? 0) + 1), m), {});

  return (
    <section ref={rootRef} tabIndex={-1} className={styles.root} data-testid="post-panel" aria-label="Post to Zoho">
      <Subtitle2>Post to Zoho Books</Subtitle2>
      <Caption1>
        {countOf(documents.length, 'document')}: {countOf(kinds.invoice ?? 0, 'invoice')}, {countOf(kinds.payment ?? 0, 'payment')}, {countOf(kinds.journal ?? 0, 'journal')} — sent in that order, each exactly once.
      </Caption1>
      {connections && connections.length === 0 && (
        <MessageBar intent="warning">
          <MessageBarBody>
            No Zoho organisation is connected yet.{' '}
            {shell.session?.role === 'admin' ? (
              <Button appearance="transparent" size="small" onClick={() => openSettings(shell.navigate, 'connections')}>
                Open Settings → Zoho connections
              </Button>
            ) : (
              'An admin connects one under Settings → Zoho connections.'
            )}
          </MessageBarBody>
        </MessageBar>
      )}
      {step.step === 'prepare' && (
        <div className={styles.row}>
          <Field label="Zoho organisation">
            <Dropdown
              placeholder="Choose a connection"
              value={connections?.find((c) => c.id === connectionId)?.name ?? ''}
              selectedOptions={connectionId ? [connectionId] : []}
              onOptionSelect={(_, d) => setConnectionId(d.optionValue ?? '')}
              data-testid="post-connection"
            >
              {(connections ?? []).map((c) => (
                <Option key={c.id} value={c.id} text={c.name}>
                  {`${c.name} — ${c.organizationName}${c.sandbox ? ' (sandbox)' : ''}`}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Button appearance="primary" icon={<TaskListSquareAdd20Regular />} disabled={!step.canAct || !connectionId || busy !== null || documents.length === 0} onClick={() => prepare()}>
            Prepare batch
          </Button>
          {inZoho && (
            <Button icon={<TaskListSquareAdd20Regular />} disabled={!step.canAct || !connectionId || busy !== null} onClick={() => prepare(true)} data-testid="post-prepare-rest">
              Prepare a batch of those not in Zoho
            </Button>
          )}
        </div>
      )}
      {batch && (
        <div className={styles.row}>
          <Text className={styles.item}>Batch {batch.id}</Text>
          <Badge appearance="tint" color={step.step === 'finished' || step.step === 'rest' ? (progress?.batchState === 'done' ? 'success' : 'warning') : 'informative'} data-testid="post-batch-state">
            {(progress?.batchState ?? batch.state).replace(/_/g, ' ')}
          </Badge>
        </div>
      )}
      {leftOut && <Caption1 data-testid="post-left-out">{leftOut}</Caption1>}
      <Caption1 data-testid="post-hint">{step.hint}</Caption1>
      {step.step === 'rest' && batch && (
        <div className={styles.row}>
          <Button appearance="primary" icon={<TaskListSquareAdd20Regular />} disabled={!step.canAct || busy !== null || documents.length === 0} onClick={() => prepare(true)} data-testid="post-prepare-rest">
            {`Prepare a batch of the ${formatCount(step.count)} not posted`}
          </Button>
        </div>
      )}
      {/* or its unsure documents looked up in Zoho, the others closed without posting, a close undone */}
      {batch && <RestActions batchId={batch.id} kind={batch.kind} progress={progress} user={user} onDone={reread} />}
      {step.step === 'approve' && (
        <Button appearance="primary" icon={<Checkmark20Regular />} disabled={!step.canAct || busy !== null} onClick={approve}>
          Approve
        </Button>
      )}
      {step.step === 'post' && (
        <Button appearance="primary" icon={<Send20Regular />} disabled={!step.canAct || busy !== null} onClick={() => command('start')}>
          Post to Zoho
        </Button>
      )}
      {notes.waiting && (
        <MessageBar intent="info" data-testid="post-lease-wait">
          <MessageBarBody>{notes.waiting}</MessageBarBody>
        </MessageBar>
      )}
      {notes.lookUps && <Caption1 data-testid="post-lookup-wait">{notes.lookUps}</Caption1>}
      {notes.canTakeOver && (
        <div className={styles.row}>
          <Field label={`The worker ${progress?.leases?.staleWorker ?? ''} has been silent for longer than its lease; take its documents over (why?)`}>
            <Input value={takeOverReason} onChange={(_, d) => setTakeOverReason(d.value)} />
          </Field>
          <Button disabled={busy !== null || !takeOverReason.trim()} onClick={takeOver}>
            Take over
          </Button>
        </div>
      )}
      {(step.step === 'posting' || step.step === 'paused') && counts && progress && (
        <>
          <Field
            label="Posting to Zoho"
            hint={progressSentence('zoho-post', counts)}
            validationState="none"
          >
            <CountBar done={finishedOf(counts)} total={progress.total} thickness="large" data-testid="post-progress" />
          </Field>
          <div className={styles.row}>
            {step.step === 'posting' ? (
              <Button icon={<Pause20Regular />} disabled={!step.canAct || busy !== null || progress.control.command !== 'run'} onClick={() => command('pause')}>
                Pause
              </Button>
            ) : (
              <Button appearance="primary" icon={<Play20Regular />} disabled={!step.canAct || busy !== null} onClick={() => command('resume')}>
                Resume
              </Button>
            )}
            <Button icon={<Dismiss20Regular />} disabled={!step.canAct || busy !== null || progress.control.command === 'cancel'} onClick={() => command('cancel')}>
              Cancel
            </Button>
          </div>
        </>
      )}
      {written && <Caption1>Status written to the sheets: {written}.</Caption1>}
      {batch && (step.step === 'finished' || step.step === 'rest') && progress && <ReviewFindings batchId={batch.id} batchState={progress.batchState} onSettled={() => void refresh()} />}
      {attention.problems.length > 0 && (
        <ProblemsList problems={attention.problems} headers={attention.headers} title="Documents that need attention" counted={attentionWords('zoho-post', attention.counts)} />
      )}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
    </section>
  );
}
