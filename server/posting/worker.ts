/**
 * The posting worker: sends an approved batch of settlement documents to Zoho Books exactly once.
 *
 * - Only a batch approved by someone other than its preparer is sent (checked at start and by
 *   the batch state, which cannot be edited once sending).
 * - Each item's state is written before the call (`sending`) and after it (`done` + id map in one
 *   transaction, or `failed` with Zoho's full answer) — see item.ts.
 * - Items found in `sending` (a worker died mid-call), and items whose call ended without an
 *   answer (5xx, timeout, dropped connection), are looked up in Zoho before anything is sent again.
 * - Documents go in the one document order (src/zoho/documents.ts): invoices, payments, journals.
 * - Pause, resume and cancel through the control row; Zoho's daily limit (45) pauses until the reset.
 */
import { DOCUMENT_ORDER, type SettlementDocument } from '../../src/settlements/documents';
import type { Audit } from '../audit';
import { conflict } from '../errors';
import type { Secrets } from '../secrets';
import type { Store } from '../store';
import { assertApprovedForSending, currentApproval, listBatchItems, requireBatch, setBatchState, type Batch, type BatchItem } from '../store/batches';
import { DEFAULT_LATE_WRITE_MARGIN_MS, type ZohoClient } from '../zoho/client';
import { clientFor, type ClientOptions } from '../zoho/connections';
import { claimBatch, getControl, heartbeat, releaseBatch, requestPause, workerId, type PostingControl } from './control';
import { takeCensus, type Finding } from '../../src/zoho/census';
import { describeZohoError, ZohoError } from '../zoho/errors';
import { listHoldings } from '../zoho/poster';
import { postItem, type ItemContext, type Stop, type Work } from './item';
import { recordFindings } from './review';
import { openItems } from './queue';
import { batchProgress, type PostingProgress } from './progress';

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
  /** Documents in flight at once (default: the connection's concurrency, at most 5). */
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
  /** Sleep between retry rounds (the benchmark's simulated clock). */
  sleep?: (ms: number) => Promise<void>;
  /** How long Zoho may still apply a write after its deadline (default: the connection's setting). */
  lateWriteMarginMs?: number;
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
  me: string;
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
  const opened = await openBatch(deps, batchId);
  if ('outcome' in opened) return opened.outcome;
  // 2. Take the batch for this worker.
  const me = workerId();
  await claimBatch(deps.store, batchId, me);
  try {
    const run = await startRun(deps, opened.batch, opened.control, opts, me);
    // 3. Send every kind in the document order; stop early on pause, cancel or a stop signal.
    const stop = await sendAll(run);
    // 4. Record how the run ended.
    return await finishRun(run, stop);
  } finally {
    await releaseBatch(deps.store, batchId, me);
  }
}

async function openBatch(deps: PostingDeps, batchId: string): Promise<{ batch: Batch<PostingPayload>; control: PostingControl } | { outcome: PostOutcome }> {
  const { store } = deps;
  const batch = await requireBatch<PostingPayload>(store, batchId);
  if (batch.job !== POSTING_JOB || batch.kind !== POSTING_KIND) throw conflict('not-a-posting-batch', `Batch ${batchId} is not a Zoho posting batch.`);
  if (batch.state === 'done' || batch.state === 'cancelled' || batch.state === 'failed') {
    const state = batch.state === 'done' ? 'done' : batch.state === 'failed' ? 'failed' : 'cancelled';
    return { outcome: { batchId, state, message: `Batch ${batchId} is already ${batch.state}.`, progress: await batchProgress(store, batchId) } };
  }
  const control = await getControl(store, batchId);
  if (control.command === 'cancel') return { outcome: await finishCancelled(deps, batchId, control.reason ?? 'cancelled') };
  // Maker-checker: an approval of the current version by someone else. A batch already sending
  // cannot be edited, so its approval still stands after a restart.
  if (batch.state === 'sending') {
    if (!(await currentApproval(store, batchId))) throw conflict('not-approved', `Batch ${batchId} has no valid approval for its current version; it cannot be sent.`);
  } else {
    await assertApprovedForSending(store, batchId);
  }
  if (control.command === 'pause') {
    const until = control.pausedUntil ? Date.parse(control.pausedUntil) : Infinity;
    if (until > Date.now()) {
      return { outcome: { batchId, state: 'paused', message: pausedMessage(batchId, control.reason, control.pausedUntil), progress: await batchProgress(store, batchId) } };
    }
  }
  return { batch, control };
}

async function startRun(deps: PostingDeps, batch: Batch<PostingPayload>, control: PostingControl, opts: PostOptions, me: string): Promise<Run> {
  const { store } = deps;
  const batchId = batch.id;
  const actor = opts.actor ?? 'posting-worker';
  // A daily-limit pause whose reset has passed ends now.
  if (control.command === 'pause') await store.exec("UPDATE posting_control SET command = 'run', paused_until = NULL, reason = NULL WHERE batch_id = $1", [batchId]);
  await setBatchState(store, batchId, 'sending', ['approved', 'sending']);
  await deps.audit?.append({ actor, action: 'posting.started', subjectType: 'batch', subjectId: batchId, details: { worker: me } });
  const made = opts.client ? undefined : await clientFor(deps, batch.payload.connectionId, opts.clientOptions);
  const client = opts.client ?? made!.client;
  // Running again means the user resumed or the reset time passed: let the limiter try Zoho
  // again (one call tells whether the daily quota is back).
  client.limiter.blockedUntil = 0;
  let lastEmit = 0;
  let lastBeat = Date.now();
  return {
    deps,
    store,
    batchId,
    client,
    organizationId: client.organizationId,
    maxAttempts: opts.maxAttempts ?? 12,
    lateWriteMarginMs: opts.lateWriteMarginMs ?? made?.connection.lateWriteMarginMs ?? DEFAULT_LATE_WRITE_MARGIN_MS,
    opts,
    me,
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
      let stop: Stop | null = null;
      if (c.command === 'cancel') stop = { state: 'cancelled', message: c.reason ?? 'cancelled' };
      else if (c.command === 'pause') stop = { state: 'paused', message: pausedMessage(batchId, c.reason, c.pausedUntil) };
      if (Date.now() - lastBeat > 5000) {
        lastBeat = Date.now();
        await heartbeat(store, batchId, me);
      }
      return stop;
    },
  };
}

async function sendAll(run: Run): Promise<Stop | null> {
  const open = await openItems(run.store, run.batchId);
  for (const kind of DOCUMENT_ORDER) {
    const queue: Work[] = open.filter((q) => q.item.kind === kind).map((q) => ({ item: q.item, needsLookup: q.item.state === 'sending', deadlineAt: q.deadlineAt, notBefore: 0 }));
    const stop = await sendKind(run, queue);
    if (stop) return stop;
  }
  return null;
}

/** Rounds of `concurrency` lanes over the documents of one kind; what needs a retry goes to the next round after a back-off. */
async function sendKind(run: Run, first: Work[]): Promise<Stop | null> {
  let stop: Stop | null = null;
  let queue = first;
  for (let round = 0; queue.length && !stop; round++) {
    if (round > 0) {
      // Back off, and wait for the earliest look-up that is waiting for a late write.
      const earliest = Math.min(...queue.map((w) => w.notBefore));
      await run.sleep(Math.max(Math.min(10_000, 250 * 2 ** Math.min(round, 6)), earliest - Date.now()));
    }
    const retry: Work[] = [];
    let next = 0;
    const lane = async () => {
      while (!stop && next < queue.length) {
        // Take the document before awaiting anything, so two lanes never share (or overrun) one.
        const w = queue[next++]!;
        const s = await run.checkStop();
        if (s) {
          // Not started: it keeps its state and is picked up by the next run.
          stop = s;
          return;
        }
        const r = await postItem(run, w);
        if (r === 'retry') retry.push(w);
        else if (r !== 'finished') stop = r;
        await run.emit();
      }
    };
    await Promise.all(Array.from({ length: Math.min(run.concurrency, queue.length) }, lane));
    queue = retry;
  }
  return stop;
}

async function finishRun(run: Run, stop: Stop | null): Promise<PostOutcome> {
  const { store, batchId, deps, actor } = run;
  const progress = await batchProgress(store, batchId);
  await run.emit(true);
  if (stop) {
    if (stop.state === 'cancelled') return finishCancelled(deps, batchId, stop.message);
    await deps.audit?.append({ actor, action: `posting.${stop.state}`, subjectType: 'batch', subjectId: batchId, details: { message: stop.message } });
    return { batchId, state: stop.state, message: stop.message, progress };
  }
  // 5. The census: what Zoho holds for the batch's numbers and references must be each posted document, once.
  const census = await batchCensus(run);
  if ('stop' in census) {
    await deps.audit?.append({ actor, action: `posting.${census.stop.state}`, subjectType: 'batch', subjectId: batchId, details: { message: census.stop.message } });
    return { batchId, state: census.stop.state, message: census.stop.message, progress };
  }
  if (census.findings.length) return reviewNeeded(run, census.findings);
  const bad = progress.counts.failed + progress.counts.needs_review;
  const state = bad ? 'failed' : 'done';
  await setBatchState(store, batchId, state, ['sending']);
  await deps.audit?.append({ actor, action: `posting.${state}`, subjectType: 'batch', subjectId: batchId, details: { counts: progress.counts } });
  return {
    batchId,
    state,
    message: bad ? `Posted ${progress.counts.done} of ${progress.total}; ${bad} need attention (see their status).` : `Posted all ${progress.total} documents to Zoho.`,
    progress: await batchProgress(store, batchId),
  };
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
async function reviewNeeded(run: Run, findings: Finding[]): Promise<PostOutcome> {
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
  const kinds = findings.map((f) => `${f.type.replace('-', ' ')} ${f.kind} ${f.key.value}`);
  return {
    batchId,
    state: 'needs_review',
    message: `Zoho does not hold ${findings.length === 1 ? 'one document' : `${findings.length} documents`} of this batch exactly once as recorded (${kinds.slice(0, 5).join('; ')}${kinds.length > 5 ? ' …' : ''}); review ${findings.length === 1 ? 'it' : 'them'} before the batch counts as posted.`,
    progress: await batchProgress(store, batchId),
  };
}

async function finishCancelled(deps: PostingDeps, batchId: string, reason: string): Promise<PostOutcome> {
  const b = await requireBatch(deps.store, batchId);
  if (b.state !== 'cancelled') await setBatchState(deps.store, batchId, 'cancelled', ['approved', 'sending', 'awaiting_approval']);
  await deps.audit?.append({ actor: 'posting-worker', action: 'posting.cancelled', subjectType: 'batch', subjectId: batchId, details: { reason } });
  const progress = await batchProgress(deps.store, batchId);
  return { batchId, state: 'cancelled', message: `Batch ${batchId} was cancelled: ${progress.counts.done} documents had been posted, ${progress.counts.pending} were not sent.`, progress };
}

function pausedMessage(batchId: string, reason: string | null, until: string | null): string {
  return `Batch ${batchId} is paused${until ? ` until ${until}` : ''}${reason ? `: ${reason}` : ''}.`;
}
