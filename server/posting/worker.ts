/**
 * The posting worker: sends an approved batch of settlement documents to Zoho Books exactly once.
 *
 * - Only a batch approved by someone other than its preparer is sent (checked at start and by
 *   the batch state, which cannot be edited once sending).
 * - Items are claimed one at a time under a lease (queue.ts), so several workers — lanes of one
 *   process, other processes, other instances on PostgreSQL — share a batch without sharing an
 *   item; a dead worker's items are taken over when its lease runs out.
 * - Each item's state is written before the call (`sending`, with the write's deadline) and after it
 *   (`done` + id map in one transaction, or `failed` with Zoho's full answer) — see item.ts; an item
 *   whose outcome is unknown is looked up before anything is sent again.
 * - Documents go in the one document order (src/zoho/documents.ts): invoices, payments, journals.
 * - When no item is left, one worker takes the census (what Zoho holds for the batch's numbers
 *   and references); a duplicate or a mismatch leaves the batch for review.
 * - Pause, resume and cancel through the control row; Zoho's daily limit (45) pauses until the reset.
 */
import type { SettlementDocument } from '../../src/settlements/documents';
import { takeCensus, type Finding } from '../../src/zoho/census';
import { sentBatchSentence } from '../../src/batches/outcome';
import type { Audit } from '../audit';
import { conflict } from '../errors';
import type { Secrets } from '../secrets';
import type { Store } from '../store';
import { assertApprovedForSending, getBatch, listBatchItems, requireBatch, setBatchState, type Batch, type BatchItem } from '../store/batches';
import { DEFAULT_LATE_WRITE_MARGIN_MS, type ZohoClient } from '../zoho/client';
import { clientFor, type ClientOptions } from '../zoho/connections';
import { describeZohoError, ZohoError } from '../zoho/errors';
import { listHoldings } from '../zoho/poster';
import { getControl, releaseFinisher, requestPause, takeFinisher, type PostingControl } from './control';
import { postItem, type ItemContext, type Stop } from './item';
import { batchProgress, type PostingProgress } from './progress';
import { claimItem, waitForClaimable } from '../queue/claims';
import { currentKind } from './queue';
import { listFindings, recordFindings } from './review';
import { newWorker, startHeartbeat, type QueueWorker } from '../queue/workers';

export const POSTING_JOB = 'settlements';
export const POSTING_KIND = 'zoho-post';

export interface PostingPayload {
  connectionId: string;
  organizationId: string;
  title?: string;
  counts?: Record<string, number>;
}

export interface PostingDeps {
  store: Store;
  secrets: Secrets;
  audit?: Audit;
}

export interface PostOptions {
  /** Documents in flight at once in this run (default: the connection's concurrency, at most 5). */
  concurrency?: number;
  clientOptions?: ClientOptions;
  /** A ready client (the benchmark's, on a simulated clock). */
  client?: ZohoClient;
  /** Awaited, so a pause or cancel it requests is seen before the next document. */
  onProgress?: (p: PostingProgress) => void | Promise<void>;
  /** Least time between two progress reports (default 200 ms; 0 = after every document). */
  progressEveryMs?: number;
  signal?: AbortSignal;
  /** Sends per item before it is left for review (default 12). */
  maxAttempts?: number;
  /** Who started the run (audit). */
  actor?: string;
  /** Sleep while waiting for a claimable item (the benchmark's simulated clock). */
  sleep?: (ms: number) => Promise<void>;
  /** How long Zoho may still apply a write after its deadline (default: the connection's setting). */
  lateWriteMarginMs?: number;
  /** This process's registered worker (the server's posting service); else one for this run. */
  worker?: QueueWorker;
  /** Lease time of the run's own worker (default 30 s). */
  leaseMs?: number;
  /** Longest wait between two looks for a claimable item (default 500 ms). */
  pollMs?: number;
}

export type PostState = 'done' | 'failed' | 'paused' | 'cancelled' | 'stopped' | 'needs_review';

export interface PostOutcome {
  batchId: string;
  state: PostState;
  message: string;
  progress: PostingProgress;
}

interface Run extends ItemContext {
  deps: PostingDeps;
  opts: PostOptions;
  actor: string;
  concurrency: number;
  sleep: (ms: number) => Promise<void>;
  /** Progress reports, at most every progressEveryMs. */
  emit(force?: boolean): Promise<void>;
  /** Read before every document, so a pause from another process stops the next send. */
  checkStop(): Promise<Stop | null>;
}

export async function postBatch(deps: PostingDeps, batchId: string, opts: PostOptions = {}): Promise<PostOutcome> {
  // 1. Refuse what may not be sent; answer at once for a batch with nothing to do.
  const opened = await openBatch(deps, batchId, opts.actor ?? 'posting-worker');
  if ('outcome' in opened) return opened.outcome;
  // 2. The worker whose leases hold the items: the process's, or one for this run (the CLI).
  const own = opts.worker ? undefined : startHeartbeat(deps.store, newWorker(opts.leaseMs));
  const worker = opts.worker ?? own!.worker;
  await own?.ready;
  try {
    const run = await startRun(deps, opened.batch, opened.control, opts, worker);
    // 3. Lanes claim and post items, kind by kind, until none is left or the batch stops.
    const stop = await work(run);
    // 4. The end: a stop, or the census and the batch's final state.
    return await finishRun(run, stop);
  } finally {
    await own?.stop();
  }
}

async function openBatch(deps: PostingDeps, batchId: string, actor: string): Promise<{ batch: Batch<PostingPayload>; control: PostingControl } | { outcome: PostOutcome }> {
  const { store } = deps;
  const batch = await requireBatch<PostingPayload>(store, batchId);
  if (batch.job !== POSTING_JOB || batch.kind !== POSTING_KIND) throw conflict('not-a-posting-batch', `Batch ${batchId} is not a Zoho posting batch.`);
  if (batch.state === 'done' || batch.state === 'cancelled' || batch.state === 'failed' || batch.state === 'needs_review') {
    return { outcome: await endOutcome(deps, batchId, `Batch ${batchId} is already ${batch.state.replace('_', ' ')}.`) };
  }
  const control = await getControl(store, batchId);
  if (control.command === 'cancel') return { outcome: await finishCancelled(deps, batchId, control.reason ?? 'cancelled') };
  // Maker-checker: the lifecycle's send check — an approval of the current version that the approval
  // rule still accepts against the current preparers. A batch already sending cannot be edited, so
  // its approval still stands after a restart.
  await assertApprovedForSending(store, batchId, { audit: deps.audit, actor });
  if (control.command === 'pause') {
    const until = control.pausedUntil ? Date.parse(control.pausedUntil) : Infinity;
    if (until > Date.now()) {
      return { outcome: { batchId, state: 'paused', message: pausedMessage(batchId, control.reason, control.pausedUntil), progress: await batchProgress(store, batchId) } };
    }
  }
  return { batch, control };
}

async function startRun(deps: PostingDeps, batch: Batch<PostingPayload>, control: PostingControl, opts: PostOptions, worker: QueueWorker): Promise<Run> {
  const { store } = deps;
  const batchId = batch.id;
  const actor = opts.actor ?? 'posting-worker';
  // A daily-limit pause whose reset has passed ends now.
  if (control.command === 'pause') await store.exec("UPDATE posting_control SET command = 'run', paused_until = NULL, reason = NULL WHERE batch_id = $1 AND command = 'pause'", [batchId]);
  await setBatchState(store, batchId, 'sending', ['approved', 'sending']);
  await deps.audit?.append({ actor, action: 'posting.started', subjectType: 'batch', subjectId: batchId, details: { worker: worker.id } });
  const made = opts.client ? undefined : await clientFor(deps, batch.payload.connectionId, opts.clientOptions);
  const client = opts.client ?? made!.client;
  // Running means the user started or resumed it, its daily-limit reset passed, or it is recovered
  // after a crash: let the limiter try Zoho again (one call tells whether the daily quota is back).
  client.limiter.blockedUntil = 0;
  let lastEmit = 0;
  return {
    deps,
    store,
    batchId,
    client,
    organizationId: client.organizationId,
    maxAttempts: opts.maxAttempts ?? 12,
    lateWriteMarginMs: opts.lateWriteMarginMs ?? made?.connection.lateWriteMarginMs ?? DEFAULT_LATE_WRITE_MARGIN_MS,
    worker,
    opts,
    actor,
    concurrency: Math.max(1, opts.concurrency ?? Math.min(client.limiter.concurrency, 5)),
    sleep: opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    async emit(force = false) {
      if (!opts.onProgress) return;
      const now = Date.now();
      if (!force && now - lastEmit < (opts.progressEveryMs ?? 200)) return;
      lastEmit = now;
      await opts.onProgress(await batchProgress(store, batchId));
    },
    async checkStop() {
      if (opts.signal?.aborted) return { state: 'stopped', message: 'The worker was stopped; run it again to continue.' };
      const c = await getControl(store, batchId);
      if (c.command === 'cancel') return { state: 'cancelled', message: c.reason ?? 'cancelled' };
      if (c.command === 'pause') return { state: 'paused', message: pausedMessage(batchId, c.reason, c.pausedUntil) };
      return null;
    },
  };
}

/** `concurrency` lanes, each claiming the next item of the kind being posted until none is open. */
async function work(run: Run): Promise<Stop | null> {
  let stop: Stop | null = null;
  const pollMs = run.opts.pollMs ?? 500;
  const lane = async () => {
    // The kind only moves forward: looked up again when nothing of it is claimable.
    let kind = await currentKind(run.store, run.batchId);
    while (!stop && kind) {
      const s = await run.checkStop();
      if (s) {
        stop = s;
        return;
      }
      const claimed = await claimItem<SettlementDocument>(run.store, run.batchId, kind, run.worker);
      if (!claimed) {
        // Every open item is leased (here or elsewhere) or waiting: look again when one may be free.
        if (!(await waitForClaimable(run.store, run.batchId, kind, pollMs, run.sleep))) kind = await currentKind(run.store, run.batchId);
        continue;
      }
      const r = await postItem(run, claimed);
      if (r !== 'finished' && r !== 'released') stop = r;
      await run.emit();
    }
  };
  await Promise.all(Array.from({ length: run.concurrency }, lane));
  return stop;
}

async function finishRun(run: Run, stop: Stop | null): Promise<PostOutcome> {
  const { store, batchId, deps, actor } = run;
  await run.emit(true);
  if (stop) {
    if (stop.state === 'cancelled') return finishCancelled(deps, batchId, stop.message);
    await deps.audit?.append({ actor, action: `posting.${stop.state}`, subjectType: 'batch', subjectId: batchId, details: { message: stop.message } });
    return { batchId, state: stop.state, message: stop.message, progress: await batchProgress(store, batchId) };
  }
  // One worker finishes the batch; the others report how it ended.
  if (!(await takeFinisher(store, batchId, run.worker))) return waitForEnd(run);
  try {
    if ((await getBatch(store, batchId))?.state !== 'sending') return await endOutcome(deps, batchId);
    // 5. The census: what Zoho holds for the batch's numbers and references must be each posted document, once.
    const census = await batchCensus(run);
    if ('stop' in census) {
      await deps.audit?.append({ actor, action: `posting.${census.stop.state}`, subjectType: 'batch', subjectId: batchId, details: { message: census.stop.message } });
      return { batchId, state: census.stop.state, message: census.stop.message, progress: await batchProgress(store, batchId) };
    }
    if (census.findings.length) {
      await reviewNeeded(run, census.findings);
      return await endOutcome(deps, batchId);
    }
    const progress = await batchProgress(store, batchId);
    const state = progress.counts.failed + progress.counts.needs_review ? 'failed' : 'done';
    await setBatchState(store, batchId, state, ['sending']);
    await deps.audit?.append({ actor, action: `posting.${state}`, subjectType: 'batch', subjectId: batchId, details: { counts: progress.counts } });
    return await endOutcome(deps, batchId);
  } finally {
    await releaseFinisher(store, batchId, run.worker);
  }
}

/** Another worker takes the census: wait until the batch leaves `sending` (or that worker is gone, then try again). */
async function waitForEnd(run: Run): Promise<PostOutcome> {
  for (;;) {
    const b = await getBatch(run.store, run.batchId);
    if (b?.state !== 'sending') return endOutcome(run.deps, run.batchId);
    const s = await run.checkStop();
    if (s) return finishRun(run, s);
    if (await takeFinisher(run.store, run.batchId, run.worker)) {
      await releaseFinisher(run.store, run.batchId, run.worker);
      return finishRun(run, null);
    }
    await run.sleep(Math.min(run.opts.pollMs ?? 500, 1000));
  }
}

/** How a batch that left `sending` ended, in one sentence for the pane and the CLI. */
export async function endOutcome(deps: PostingDeps, batchId: string, already?: string): Promise<PostOutcome> {
  const b = await requireBatch(deps.store, batchId);
  const progress = await batchProgress(deps.store, batchId);
  switch (b.state) {
    case 'done':
      return { batchId, state: 'done', message: already ?? told(b, 'done', progress), progress };
    case 'needs_review': {
      const open = await listFindings(deps.store, { batchId, state: 'open' });
      const kinds = open.map((f) => `${f.type.replace('-', ' ')} ${f.kind} ${f.key.value}`);
      const n = open.length;
      return {
        batchId,
        state: 'needs_review',
        message:
          already ??
          `Zoho does not hold ${n === 1 ? 'one document' : `${n} documents`} of this batch exactly once as recorded (${kinds.slice(0, 5).join('; ')}${kinds.length > 5 ? ' …' : ''}); review ${n === 1 ? 'it' : 'them'} before the batch counts as posted.`,
        progress,
      };
    }
    case 'cancelled':
      return { batchId, state: 'cancelled', message: already ?? told(b, 'cancelled', progress), progress };
    default:
      return { batchId, state: 'failed', message: already ?? told(b, 'failed', progress), progress };
  }
}

/** How a posting ended in the words the pane uses for it (src/batches/outcome.ts), as the server tells it. */
function told(b: Batch, state: 'done' | 'failed' | 'cancelled', progress: PostingProgress): string {
  return sentBatchSentence(b.kind, state, progress.counts, 'told', progress)!;
}

/** Reads back what Zoho holds for every posted item; a Zoho error stops the batch (the census runs again next time). */
async function batchCensus(run: Run): Promise<{ findings: Finding[] } | { stop: Stop }> {
  const done = ((await listBatchItems(run.store, run.batchId)) as BatchItem<SettlementDocument>[]).filter((i) => i.state === 'done');
  if (!done.length) return { findings: [] };
  try {
    const holdings = await listHoldings(run.client, done.map((i) => i.request));
    return { findings: takeCensus(done.map((i) => ({ seq: i.seq, document: i.request, recordedId: i.remoteId })), holdings) };
  } catch (e) {
    if (!(e instanceof ZohoError)) throw e;
    const what = `Every document was sent, but the census of what Zoho holds could not be taken (${describeZohoError(e)})`;
    if (e.kind === 'daily-limit') {
      await requestPause(run.store, run.batchId, `${what}; it is taken after Zoho's daily reset.`, new Date(e.details.resetAt ?? Date.now() + 3600_000));
      return { stop: { state: 'paused', message: `${what}; it is taken after Zoho's daily reset.` } };
    }
    return { stop: { state: 'stopped', message: `${what}; run the batch again to take it.` } };
  }
}

/** A duplicate or a mismatch: the batch waits for a person, with the evidence, instead of counting as posted. */
async function reviewNeeded(run: Run, findings: Finding[]): Promise<void> {
  const { store, batchId, deps, actor } = run;
  await store.transaction(async (tx) => {
    await recordFindings(tx, batchId, findings);
    await setBatchState(tx, batchId, 'needs_review', ['sending']);
    await deps.audit?.append(
      {
        actor,
        action: 'posting.needs-review',
        subjectType: 'batch',
        subjectId: batchId,
        details: { findings: findings.map((f) => ({ type: f.type, key: f.key, expectedCents: f.expectedCents, currency: f.currency, recordedId: f.recordedId, copies: f.copies })) },
      },
      tx,
    );
  });
}

async function finishCancelled(deps: PostingDeps, batchId: string, reason: string): Promise<PostOutcome> {
  const b = await requireBatch(deps.store, batchId);
  if (b.state !== 'cancelled') {
    await setBatchState(deps.store, batchId, 'cancelled', ['approved', 'sending', 'awaiting_approval']);
    await deps.audit?.append({ actor: 'posting-worker', action: 'posting.cancelled', subjectType: 'batch', subjectId: batchId, details: { reason } });
  }
  return endOutcome(deps, batchId);
}

function pausedMessage(batchId: string, reason: string | null, until: string | null): string {
  return `Batch ${batchId} is paused${until ? ` until ${until}` : ''}${reason ? `: ${reason}` : ''}.`;
}
