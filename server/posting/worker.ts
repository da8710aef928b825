/**
 * The posting worker: sends an approved batch of settlement documents to Zoho Books exactly once.
 *
 * - Only a batch approved by someone other than its preparer is sent (checked at start and by
 *   the batch state, which cannot be edited once sending).
 * - Each item's state is written before the call (`sending`) and after it (`done` + id map in one
 *   transaction, or `failed` with Zoho's full answer).
 * - Items found in `sending` (a worker died mid-call), and items whose call ended without an
 *   answer (5xx, timeout, dropped connection), are looked up in Zoho by invoice_number /
 *   reference_number before anything is sent again.
 * - Zoho's 1001 (invoice number exists) adopts the existing invoice after checking its total.
 * - Invoices, then payments (their invoice ids resolved from the id map), then journals.
 * - Pause, resume and cancel through the control row; Zoho's daily limit (45) pauses until the reset.
 */
import { resolvePaymentBody, zohoAmount, type DocumentKind, type SettlementDocument, type ZohoPaymentBody } from '../../src/settlements/documents';
import type { Audit } from '../audit';
import { conflict } from '../errors';
import type { Secrets } from '../secrets';
import type { Store } from '../store';
import { assertApprovedForSending, listBatchItems, requireBatch, setBatchState, updateBatchItem, type BatchItem } from '../store/batches';
import type { ZohoClient, ZohoResponse } from '../zoho/client';
import { clientFor, type ClientOptions } from '../zoho/connections';
import { describeZohoError, ZohoError } from '../zoho/errors';
import { claimBatch, getControl, heartbeat, releaseBatch, requestPause, workerId } from './control';
import { idMapForKeys, recordPosted } from './idmap';
import { batchProgress, type PostingProgress } from './progress';

export const POSTING_JOB = 'settlements';
export const POSTING_KIND = 'zoho-post';
const ORDER: readonly DocumentKind[] = ['invoice', 'payment', 'journal'];

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
}

export type PostState = 'done' | 'failed' | 'paused' | 'cancelled' | 'stopped';

export interface PostOutcome {
  batchId: string;
  state: PostState;
  message: string;
  progress: PostingProgress;
}

type Stop = { state: 'paused' | 'cancelled' | 'stopped'; message: string };

interface Work {
  item: BatchItem<SettlementDocument>;
  needsLookup: boolean;
}

interface Found {
  zohoId: string;
  number?: string;
  entity: Record<string, unknown>;
}

export async function postBatch(deps: PostingDeps, batchId: string, opts: PostOptions = {}): Promise<PostOutcome> {
  const { store } = deps;
  const me = workerId();
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const batch = await requireBatch<PostingPayload>(store, batchId);
  if (batch.job !== POSTING_JOB || batch.kind !== POSTING_KIND) throw conflict('not-a-posting-batch', `Batch ${batchId} is not a Zoho posting batch.`);
  if (batch.state === 'done' || batch.state === 'cancelled' || batch.state === 'failed') {
    const progress = await batchProgress(store, batchId);
    return { batchId, state: batch.state === 'done' ? 'done' : batch.state === 'failed' ? 'failed' : 'cancelled', message: `Batch ${batchId} is already ${batch.state}.`, progress };
  }
  const control = await getControl(store, batchId);
  if (control.command === 'cancel') return finishCancelled(deps, batchId, control.reason ?? 'cancelled');
  // Maker-checker: the lifecycle's send check — an approval of the current version that the approval
  // rule still accepts against the current preparers. A batch already sending cannot be edited, so
  // its approval still stands after a restart.
  await assertApprovedForSending(store, batchId);
  if (control.command === 'pause') {
    const until = control.pausedUntil ? Date.parse(control.pausedUntil) : Infinity;
    if (until > Date.now()) {
      return { batchId, state: 'paused', message: pausedMessage(batchId, control.reason, control.pausedUntil), progress: await batchProgress(store, batchId) };
    }
  }
  await claimBatch(store, batchId, me);
  try {
    if (control.command === 'pause') await store.exec("UPDATE posting_control SET command = 'run', paused_until = NULL, reason = NULL WHERE batch_id = $1", [batchId]);
    await setBatchState(store, batchId, 'sending', ['approved', 'sending']);
    await deps.audit?.append({ actor: opts.actor ?? 'posting-worker', action: 'posting.started', subjectType: 'batch', subjectId: batchId, details: { worker: me } });
    const client = opts.client ?? (await clientFor(deps, batch.payload.connectionId, opts.clientOptions)).client;
    // Running again means the user resumed or the reset time passed: let the limiter try Zoho
    // again (one call tells whether the daily quota is back).
    client.limiter.blockedUntil = 0;
    const concurrency = Math.max(1, opts.concurrency ?? Math.min(client.limiter.concurrency, 5));
    const maxAttempts = opts.maxAttempts ?? 12;
    const orgId = client.organizationId;

    let lastEmit = 0;
    const emit = async (force = false) => {
      if (!opts.onProgress) return;
      const now = Date.now();
      if (!force && now - lastEmit < (opts.progressEveryMs ?? 200)) return;
      lastEmit = now;
      await opts.onProgress(await batchProgress(store, batchId));
    };
    let lastBeat = Date.now();
    // Read before every document (one indexed row), so a pause from another process stops the next send.
    const checkStop = async (): Promise<Stop | null> => {
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
    };

    const fail = async (w: Work, state: 'failed' | 'needs_review', error: string, response: unknown) => {
      await updateBatchItem(store, batchId, w.item.seq, { state, error, response });
    };

    /** `paymentBody`: a payment's body with its invoice ids resolved. */
    const create = async (doc: SettlementDocument, paymentBody: ZohoPaymentBody | undefined): Promise<Found> => {
      if (doc.kind === 'invoice') {
        const r = await client.post('/invoices', doc.body, { ...(doc.query ?? { ignore_auto_number_generation: true }) });
        const inv = r.invoice as Record<string, unknown>;
        return { zohoId: String(inv.invoice_id), number: String(inv.invoice_number), entity: inv };
      }
      if (doc.kind === 'payment') {
        const r = await client.post('/customerpayments', paymentBody ?? doc.body);
        const p = r.payment as Record<string, unknown>;
        return { zohoId: String(p.payment_id), number: p.payment_number === undefined ? undefined : String(p.payment_number), entity: p };
      }
      const r = await client.post('/journals', doc.body);
      const j = r.journal as Record<string, unknown>;
      return { zohoId: String(j.journal_id), number: j.entry_number === undefined ? undefined : String(j.entry_number), entity: j };
    };

    const done = (w: Work, f: Found, adopted: boolean, note?: string) =>
      recordPosted(store, w.item, {
        organizationId: orgId,
        zohoId: f.zohoId,
        number: f.number,
        adopted,
        response: { zohoId: f.zohoId, number: f.number ?? null, adopted, ...(note ? { note } : {}), total: f.entity.total ?? f.entity.amount ?? null, status: f.entity.status ?? null },
      });

    /** One document: 'ok' when finished (done/failed/review), 'retry' to try again later, or a stop. */
    const process1 = async (w: Work): Promise<'ok' | 'retry' | Stop> => {
      const doc = w.item.request;
      try {
        if (w.needsLookup) {
          const found = await lookup(client, doc);
          if (found === 'ambiguous') {
            await fail(w, 'needs_review', `Zoho holds several ${doc.kind}s with ${describeLookup(doc)}; check them in Zoho before posting this one.`, null);
            return 'ok';
          }
          if (found) {
            const check = sameAmount(doc, found);
            if (!check.ok) {
              await fail(w, 'needs_review', check.message, { found: found.entity });
              return 'ok';
            }
            await done(w, found, false, 'found in Zoho by look-up after an interrupted call');
            return 'ok';
          }
          w.needsLookup = false;
          await updateBatchItem(store, batchId, w.item.seq, { state: 'pending' });
        }
        if (w.item.attempts >= maxAttempts) {
          await fail(w, 'needs_review', `Zoho did not confirm this ${doc.kind} after ${w.item.attempts} attempts; check Zoho, then post it again.`, w.item.response);
          return 'ok';
        }
        let paymentBody: ZohoPaymentBody | undefined;
        if (doc.kind === 'payment') {
          const ids = await idMapForKeys(store, doc.applies.map((a) => a.idempotencyKey).filter(Boolean));
          const resolved = resolvePaymentBody(doc, (k) => ids.get(k)?.zohoId);
          if (!resolved.ok) {
            await fail(w, 'failed', `Not sent: its invoice${resolved.missing.length > 1 ? 's' : ''} ${resolved.missing.join(', ')} ${resolved.missing.length > 1 ? 'are' : 'is'} not in Zoho (see their rows).`, null);
            return 'ok';
          }
          paymentBody = resolved.body;
        } else if (doc.dependsOn?.length) {
          const ids = await idMapForKeys(store, doc.dependsOn);
          const missing = doc.dependsOn.filter((k) => !ids.has(k));
          if (missing.length) {
            await fail(w, 'failed', `Not sent: it needs ${missing.join(', ')} posted first.`, null);
            return 'ok';
          }
        }
        // State before the call: if we die now, the next worker looks this item up first.
        const sending = await updateBatchItem(store, batchId, w.item.seq, { state: 'sending', countAttempt: true });
        w.item.attempts = sending.attempts;
        let created: Found;
        try {
          created = await create(doc, paymentBody);
        } catch (e) {
          if (e instanceof ZohoError && e.kind === 'rejected' && e.code === 1001 && doc.kind === 'invoice') {
            const found = await lookup(client, doc);
            if (found && found !== 'ambiguous') {
              const check = sameAmount(doc, found);
              if (!check.ok) {
                await fail(w, 'needs_review', `Zoho 1001: invoice ${doc.body.invoice_number} already exists with a different amount — ${check.message}`, errorResponse(e));
                return 'ok';
              }
              await done(w, found, true, `Zoho 1001: invoice ${doc.body.invoice_number} already existed; adopted`);
              return 'ok';
            }
          }
          throw e;
        }
        await done(w, created, false);
        return 'ok';
      } catch (e) {
        if (!(e instanceof ZohoError)) throw e;
        switch (e.kind) {
          case 'rejected':
            await fail(w, 'failed', describeZohoError(e), errorResponse(e));
            return 'ok';
          case 'uncertain':
          case 'rate-limited':
            // Unknown outcome: stay `sending` (looked up before any retry). Rate-limited: this call
            // applied nothing, but a look-up still owed (an earlier interrupted send) stays owed.
            if (e.kind === 'uncertain') w.needsLookup = true;
            await updateBatchItem(store, batchId, w.item.seq, { state: w.needsLookup ? 'sending' : 'pending', response: errorResponse(e), error: describeZohoError(e) });
            return 'retry';
          case 'daily-limit': {
            w.needsLookup = true;
            const until = new Date(e.details.resetAt ?? Date.now() + 3600_000);
            await requestPause(store, batchId, e.message, until);
            return { state: 'paused', message: e.message };
          }
          case 'reconnect':
            w.needsLookup = true;
            await requestPause(store, batchId, e.message);
            return { state: 'paused', message: e.message };
        }
      }
    };

    let stop: Stop | null = null;
    const all = (await listBatchItems(store, batchId)) as BatchItem<SettlementDocument>[];
    for (const kind of ORDER) {
      let queue: Work[] = all.filter((i) => i.kind === kind && (i.state === 'pending' || i.state === 'sending')).map((item) => ({ item, needsLookup: item.state === 'sending' }));
      for (let round = 0; queue.length && !stop; round++) {
        if (round > 0) await sleep(Math.min(10_000, 250 * 2 ** Math.min(round, 6)));
        const retry: Work[] = [];
        let next = 0;
        const lane = async () => {
          while (!stop && next < queue.length) {
            // Take the document before awaiting anything, so two lanes never share (or overrun) one.
            const w = queue[next++];
            const s = await checkStop();
            if (s) {
              // Not started: it keeps its state and is picked up by the next run.
              stop = s;
              return;
            }
            const r = await process1(w);
            if (r === 'retry') retry.push(w);
            else if (r !== 'ok') stop = r;
            await emit();
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, lane));
        queue = retry;
      }
      if (stop) break;
    }

    const progress = await batchProgress(store, batchId);
    await emit(true);
    if (stop) {
      const s = stop as Stop;
      if (s.state === 'cancelled') return await finishCancelled(deps, batchId, s.message);
      await deps.audit?.append({ actor: opts.actor ?? 'posting-worker', action: `posting.${s.state}`, subjectType: 'batch', subjectId: batchId, details: { message: s.message } });
      return { batchId, state: s.state, message: s.message, progress };
    }
    const bad = progress.counts.failed + progress.counts.needs_review;
    const state = bad ? 'failed' : 'done';
    await setBatchState(store, batchId, state, ['sending']);
    await deps.audit?.append({ actor: opts.actor ?? 'posting-worker', action: `posting.${state}`, subjectType: 'batch', subjectId: batchId, details: { counts: progress.counts } });
    return {
      batchId,
      state,
      message: bad ? `Posted ${progress.counts.done} of ${progress.total}; ${bad} need attention (see their status).` : `Posted all ${progress.total} documents to Zoho.`,
      progress: await batchProgress(store, batchId),
    };
  } finally {
    await releaseBatch(store, batchId, me);
  }
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

function errorResponse(e: ZohoError): Record<string, unknown> {
  return { httpStatus: e.details.httpStatus ?? null, code: e.details.code ?? null, message: e.details.zohoMessage ?? e.message, body: e.details.body ?? '' };
}

function describeLookup(doc: SettlementDocument): string {
  return doc.kind === 'invoice' ? `invoice number ${doc.lookup.invoice_number ?? doc.body.invoice_number}` : `reference ${doc.lookup.reference_number ?? doc.body.reference_number}`;
}

/** An adopted or looked-up document must carry the amount we meant to post. */
function sameAmount(doc: SettlementDocument, found: Found): { ok: true } | { ok: false; message: string } {
  const want = zohoAmount(doc.cents.total, doc.currency);
  const have = Number(doc.kind === 'payment' ? found.entity.amount : found.entity.total);
  if (!Number.isFinite(have) || Math.abs(have - want) < 1e-9) return { ok: true };
  return { ok: false, message: `Zoho's ${doc.kind} ${found.number ?? found.zohoId} is for ${have}, this document for ${want}.` };
}

/** Finds the document in Zoho by its number or reference; 'ambiguous' when several match. */
export async function lookup(client: ZohoClient, doc: SettlementDocument): Promise<Found | undefined | 'ambiguous'> {
  let list: Record<string, unknown>[];
  let idKey: string;
  let numberKey: string;
  if (doc.kind === 'invoice') {
    const number = doc.lookup.invoice_number ?? doc.body.invoice_number;
    const r: ZohoResponse = await client.get('/invoices', { invoice_number: number });
    list = ((r.invoices as Record<string, unknown>[]) ?? []).filter((i) => i.invoice_number === number);
    idKey = 'invoice_id';
    numberKey = 'invoice_number';
  } else if (doc.kind === 'payment') {
    const ref = doc.lookup.reference_number ?? doc.body.reference_number;
    const r = await client.get('/customerpayments', { reference_number: ref, customer_id: doc.body.customer_id });
    list = ((r.customerpayments as Record<string, unknown>[]) ?? []).filter((p) => p.reference_number === ref && p.customer_id === doc.body.customer_id);
    idKey = 'payment_id';
    numberKey = 'payment_number';
  } else {
    const ref = doc.lookup.reference_number ?? doc.body.reference_number;
    const r = await client.get('/journals', { reference_number: ref });
    list = ((r.journals as Record<string, unknown>[]) ?? []).filter((j) => j.reference_number === ref);
    idKey = 'journal_id';
    numberKey = 'entry_number';
  }
  if (list.length === 0) return undefined;
  if (list.length > 1) return 'ambiguous';
  const e = list[0];
  return { zohoId: String(e[idKey]), number: e[numberKey] === undefined ? undefined : String(e[numberKey]), entity: e };
}
