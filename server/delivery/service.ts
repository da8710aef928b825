/**
 * Delivery batches: files prepared by one person, approved by another (server/store/batches.ts),
 * (Over 400 lines: preparing, sending and reporting a batch share its item states and row mappings.)
 * then sent exactly once per file. Each item's state is written before and after the remote work
 * (pending → sending → done | failed | needs_review); an item found in `sending` after a crash is
 * reconciled by sendFile, which looks at the partner's folder before uploading again. Files are
 * taken one at a time from the shared queue (server/queue/claims.ts) under a lease, so several
 * processes send one batch together and a dead one's file is taken over when its lease runs out.
 */
import type { Person } from '../../src/approval';
import type { Audit } from '../audit';
import { conflict, badRequest } from '../errors';
import type { Secrets } from '../secrets';
import type { Store, Queryable } from '../store';
import { describeNeutralised, type CellRef } from '../../src/batches';
import { storedBytes } from '../store/batch-content';
import {
  assertApprovedForSending,
  createBatch,
  currentApproval,
  listBatchItems,
  listBatches,
  requireBatch,
  setBatchState,
  updateBatchItem,
  type Batch,
  type BatchItem,
  type BatchState,
} from '../store/batches';
import { newId, nowIso } from '../store/ids';
import { partnerCredential, partnerEndpoint, requirePartner, type Partner } from './partners';
import { encryptForPartner } from './pgp';
import { checkOutgoingFile } from './formula-check';
import { fileFromBuffer, sendFile, sha256Hex, type RetryPolicy } from './upload';
import { DeliveryError, type Receipt } from './types';
import { SessionPool, type RemoteSession, type SessionOptions } from './session';
import type { Credential, Endpoint } from './types';
import { claimItem, waitForClaimable } from '../queue/claims';
import { newWorker, startHeartbeat, type QueueWorker } from '../queue/workers';

export const DELIVERY_KIND = 'delivery';

export interface DeliveryDeps {
  store: Store;
  secrets: Secrets;
  audit?: Audit;
}

/** What an item of a delivery batch asks for; snapshot of the partner so a later edit cannot redirect an approved file. */
export interface DeliveryRequest {
  partnerId: string;
  partnerName: string;
  partnerVersion: number;
  protocol: string;
  host: string;
  folder: string;
  fileName: string;
  bytes: number;
  sha256: string;
  contentSha256: string;
  encrypted: boolean;
  /** Free label for the page, e.g. the card network. */
  label?: string;
  /** Cells the formula rule neutralised (at most 100 listed; `neutralisedCount` has them all). */
  neutralised?: CellRef[];
  neutralisedCount?: number;
}

export interface NewDeliveryFile {
  fileName: string;
  content: Buffer;
  partnerId: string;
  label?: string;
  /** The remote folder when a delivery target names one (src/delivery/targets.ts); the partner's otherwise. */
  folder?: string;
}

const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

async function putBlob(db: Queryable, data: Buffer): Promise<string> {
  const sha = sha256Hex(data);
  await db.exec(
    `INSERT INTO delivery_blobs (sha256, bytes, content, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
    [sha, data.length, data, nowIso()],
  );
  return sha;
}

export async function readBlob(db: Queryable, sha256: string): Promise<Buffer> {
  const b = await storedBytes(db, sha256);
  if (!b) throw new DeliveryError('config', `The file content ${sha256.slice(0, 12)}… is missing from the store.`);
  if (sha256Hex(b) !== sha256) throw new DeliveryError('config', `The stored file ${sha256.slice(0, 12)}… was altered; it will not be sent.`);
  return b;
}

/**
 * Prepares a delivery batch (awaiting approval). Every file first passes the formula rule or the
 * batch is refused (./formula-check.ts). Files for a partner with an OpenPGP key are encrypted now,
 * once, so the approved bytes are exactly the bytes sent on every attempt; the file as it was
 * before encryption is stored too, for the approver to read.
 */
export async function prepareDelivery(
  deps: DeliveryDeps,
  input: {
    job: string;
    preparedBy: Person;
    files: readonly NewDeliveryFile[];
    payload?: Record<string, unknown>;
    /** Who prepared the files' content when it was made elsewhere (e.g. a tuition invoice's versions); the preparer otherwise. */
    contentBy?: readonly Person[];
  },
): Promise<Batch> {
  if (input.files.length === 0) throw badRequest('empty-batch', 'There are no files to deliver.');
  const names = new Set<string>();
  const partners = new Map<string, Partner>();
  const requests: DeliveryRequest[] = [];
  for (const f of input.files) {
    const partner = partners.get(f.partnerId) ?? (await requirePartner(deps.store, deps.secrets, f.partnerId));
    partners.set(partner.id, partner);
    if (!partner.hasSecret) throw badRequest('partner-without-credentials', `Partner ${partner.name} has no password or key stored; an admin sets it under Settings → Delivery partners first.`);
    const encrypted = !!partner.pgpPublicKey;
    const fileName = encrypted ? `${f.fileName}.pgp` : f.fileName;
    if (!SAFE_FILE_NAME.test(fileName)) throw badRequest('bad-file-name', `"${fileName}" is not a safe file name (letters, digits, . _ - only).`);
    const key = `${partner.id}/${fileName}`;
    if (names.has(key)) throw badRequest('duplicate-file', `${fileName} appears twice for partner ${partner.name}.`);
    names.add(key);
    const checked = await checkOutgoingFile(f.fileName, f.content);
    if (!checked.ok) throw badRequest('file-refused', checked.reason);
    const content = checked.content;
    const contentSha256 = sha256Hex(content);
    const bytesToSend = encrypted ? await encryptForPartner(content, partner.pgpPublicKey!, f.fileName) : content;
    if (encrypted) await putBlob(deps.store, content);
    const sha = await putBlob(deps.store, bytesToSend);
    requests.push({
      partnerId: partner.id,
      partnerName: partner.name,
      partnerVersion: partner.version,
      protocol: partner.protocol,
      host: partner.host,
      folder: f.folder ?? partner.folder,
      fileName,
      bytes: bytesToSend.length,
      sha256: sha,
      contentSha256,
      encrypted,
      label: f.label,
      ...(checked.cells.length ? { neutralised: checked.cells.slice(0, 100), neutralisedCount: checked.cells.length } : {}),
    });
  }
  const id = newId('bat');
  const batch = await createBatch(deps.store, {
    id,
    job: input.job,
    kind: DELIVERY_KIND,
    preparedBy: input.preparedBy,
    payload: { ...(input.payload ?? {}), files: requests.length },
    items: requests.map((r) => ({ kind: 'file', idempotencyKey: `delivery:${id}:${r.partnerId}:${r.fileName}`, request: r, preparedBy: input.contentBy })),
  });
  await deps.audit?.append({
    actor: input.preparedBy.id,
    action: 'delivery.prepared',
    subjectType: 'batch',
    subjectId: id,
    details: {
      job: input.job,
      files: requests.map((r) => ({
        fileName: r.fileName,
        partner: r.partnerName,
        bytes: r.bytes,
        sha256: r.sha256,
        ...(r.neutralisedCount ? { neutralised: describeNeutralised(r.fileName, r.neutralised ?? []) } : {}),
      })),
    },
  });
  return batch;
}

// ---- progress (in memory, per process: the page polls it while a batch is sending) ----------

export interface FileProgress {
  seq: number;
  sent: number;
  total: number;
}
const progress = new Map<string, Map<number, FileProgress>>();
export function deliveryProgress(batchId: string): FileProgress[] {
  return [...(progress.get(batchId)?.values() ?? [])];
}

const running = new Set<string>();

export interface DeliverOptions {
  actor: string;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: FileProgress) => void;
  onItem?: (item: Omit<BatchItem, 'preparedBy'>) => void;
  /** Injected connector (tests wrap the real one). */
  connect?: (endpoint: Endpoint, credential: Credential, options: SessionOptions) => Promise<RemoteSession>;
  /** This process's queue worker (the server's); else one for this run (the CLI). */
  worker?: QueueWorker;
  /** Lease time of the run's own worker (default 30 s). */
  leaseMs?: number;
}

export interface DeliveryOutcome {
  batch: Batch;
  items: BatchItem[];
  receipts: ReceiptRow[];
}

/**
 * Sends every item of an approved delivery batch that is not done yet. Safe to call again after a
 * failure or a crash: done items are skipped, `sending` ones are reconciled against the remote.
 */
export async function deliverBatch(deps: DeliveryDeps, batchId: string, options: DeliverOptions): Promise<DeliveryOutcome> {
  const { store, secrets } = deps;
  const b = await requireBatch(store, batchId);
  if (b.kind !== DELIVERY_KIND) throw badRequest('not-a-delivery', `Batch ${batchId} is a ${b.kind} batch, not a file delivery.`);
  if (b.state === 'done') return { batch: b, items: await listBatchItems(store, batchId), receipts: await listReceipts(store, { batchId }) };
  // The lifecycle's send check: a standing approval of the current version (the approval rule
  // re-checked against the current preparers) of exactly these bytes; a refusal is audited.
  const approval = await assertApprovedForSending(store, batchId, { audit: deps.audit, actor: options.actor });
  const from: BatchState[] = ['approved', 'failed', 'sending'];
  if (running.has(batchId)) throw conflict('already-sending', `Batch ${batchId} is being sent right now.`);
  running.add(batchId);
  const bars = new Map<number, FileProgress>();
  progress.set(batchId, bars);
  const pool = new SessionPool();
  const own = options.worker ? undefined : startHeartbeat(store, newWorker(options.leaseMs));
  const worker = options.worker ?? own!.worker;
  try {
    await own?.ready;
    await setBatchState(store, batchId, 'sending', from);
    // Every run tries the files that failed before once more.
    await store.exec("UPDATE batch_items SET state = 'pending' WHERE batch_id = $1 AND state = 'failed'", [batchId]);
    await deps.audit?.append({
      actor: options.actor,
      action: 'delivery.started',
      subjectType: 'batch',
      subjectId: batchId,
      details: { approvedBy: approval.approvedBy, approvedByName: approval.approvedByName, contentHash: approval.contentHash },
    });
    const items = await listBatchItems(store, batchId);
    for (const item of items) {
      const req = item.request as DeliveryRequest;
      bars.set(item.seq, { seq: item.seq, sent: item.state === 'done' ? req.bytes : 0, total: req.bytes });
    }
    for (;;) {
      if (options.signal?.aborted) break;
      const claimed = await claimItem<DeliveryRequest>(store, batchId, 'file', worker);
      if (!claimed) {
        // Files still open are another process's (or wait): look again when one may be free.
        if (await waitForClaimable(store, batchId, 'file', Math.min(500, worker.leaseMs / 4), (ms) => new Promise((r) => setTimeout(r, ms)))) continue;
        break;
      }
      const item = claimed.item;
      const req = item.request;
      const bar = bars.get(item.seq)!;
      const report = (sent: number) => {
        bar.sent = sent;
        options.onProgress?.({ ...bar });
      };
      // Written before any remote call: a crash from here on leaves `sending`, which the next run reconciles.
      let current = await updateBatchItem(store, batchId, item.seq, { state: 'sending', countAttempt: true, error: null });
      options.onItem?.(current);
      try {
        const partner = await requirePartner(store, secrets, req.partnerId);
        if (partner.version !== req.partnerVersion) {
          throw new DeliveryError(
            'config',
            `Partner ${partner.name} was changed after this batch was prepared (settings version ${req.partnerVersion} → ${partner.version}); prepare the batch again so it is approved for the new settings.`,
          );
        }
        const data = await readBlob(store, req.sha256);
        // The folder approved with the batch (a target's, or the partner's at the time).
        const receipt = await sendFile({ ...partnerEndpoint(partner), folder: req.folder }, await partnerCredential(secrets, partner), { fileName: req.fileName, data, bytes: req.bytes, sha256: req.sha256 }, {
          retry: options.retry,
          timeoutMs: options.timeoutMs,
          signal: options.signal,
          encrypted: req.encrypted,
          contentSha256: req.contentSha256,
          connect: options.connect,
          pool,
          onProgress: (sent) => report(sent),
          onRetry: (attempt, err, waitMs) =>
            void deps.audit?.append({ actor: options.actor, action: 'delivery.retry', subjectType: 'batch', subjectId: batchId, details: { seq: item.seq, fileName: req.fileName, attempt, waitMs, error: err.message } }),
        });
        await store.transaction(async (tx) => {
          await tx.exec(
            `INSERT INTO delivery_receipts (batch_id, seq, partner_id, file_name, remote_path, bytes, sha256, content_sha256, protocol, host,
               server_fingerprint, verified_by, adopted, encrypted, attempts, sent_by, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
             ON CONFLICT (batch_id, seq) DO NOTHING`,
            [
              batchId, item.seq, req.partnerId, receipt.fileName, receipt.remotePath, receipt.bytes, receipt.sha256, receipt.contentSha256,
              receipt.protocol, receipt.host, receipt.serverFingerprint, receipt.verifiedBy, receipt.adopted ? 1 : 0, receipt.encrypted ? 1 : 0,
              receipt.attempts, options.actor, receipt.at,
            ],
          );
          current = await updateBatchItem(tx, batchId, item.seq, { state: 'done', response: receipt, remoteId: receipt.remotePath, error: null });
          await deps.audit?.append(
            { actor: options.actor, action: 'delivery.file-sent', subjectType: 'batch', subjectId: batchId, details: { seq: item.seq, ...receipt } },
            tx,
          );
        });
        report(req.bytes);
      } catch (e) {
        const err = e instanceof DeliveryError ? e : new DeliveryError('transient', String((e as Error)?.message ?? e));
        // A different file under our name needs a person; everything else may be retried later.
        const state = err.kind === 'conflict' ? 'needs_review' : 'failed';
        current = await updateBatchItem(store, batchId, item.seq, { state, error: `[${err.kind}] ${err.message}` });
        await deps.audit?.append({ actor: options.actor, action: 'delivery.file-failed', subjectType: 'batch', subjectId: batchId, details: { seq: item.seq, fileName: req.fileName, kind: err.kind, error: err.message } });
      }
      options.onItem?.(current);
    }
    const after = await listBatchItems(store, batchId);
    if (options.signal?.aborted || after.some((i) => i.state === 'pending' || i.state === 'sending')) {
      return { batch: await requireBatch(store, batchId), items: after, receipts: await listReceipts(store, { batchId }) };
    }
    const allDone = after.every((i) => i.state === 'done');
    // Several processes may find the last file sent at once: the first one ends the batch.
    await store.transaction(async (tx) => {
      const cur = await requireBatch(tx, batchId);
      if (cur.state !== 'sending') return;
      await setBatchState(tx, batchId, allDone ? 'done' : 'failed', ['sending']);
      await deps.audit?.append(
        { actor: options.actor, action: allDone ? 'delivery.done' : 'delivery.incomplete', subjectType: 'batch', subjectId: batchId, details: { states: after.map((i) => ({ seq: i.seq, state: i.state })) } },
        tx,
      );
    });
    return { batch: await requireBatch(store, batchId), items: after, receipts: await listReceipts(store, { batchId }) };
  } finally {
    await pool.closeAll();
    running.delete(batchId);
    await own?.stop();
  }
}

/** Batches left in `sending` by a stopped process (server start-up resumes them). */
export async function interruptedDeliveries(db: Queryable): Promise<Batch[]> {
  return (await listBatches(db, { state: 'sending', limit: 1000 })).filter((b) => b.kind === DELIVERY_KIND && !running.has(b.id));
}

export interface ReceiptRow extends Receipt {
  batchId: string;
  seq: number;
  partnerId: string;
  sentBy: string;
}

export async function listReceipts(db: Queryable, filter: { batchId?: string; limit?: number } = {}): Promise<ReceiptRow[]> {
  const params: (string | number)[] = [];
  let where = '';
  if (filter.batchId) {
    params.push(filter.batchId);
    where = 'WHERE batch_id = $1';
  }
  params.push(Math.min(Math.max(filter.limit ?? 200, 1), 1000));
  const rows = await db.query<Record<string, unknown>>(`SELECT * FROM delivery_receipts ${where} ORDER BY at DESC, seq LIMIT $${params.length}`, params);
  return rows
    .map((r) => ({
      batchId: String(r.batch_id),
      seq: Number(r.seq),
      partnerId: String(r.partner_id),
      fileName: String(r.file_name),
      remotePath: String(r.remote_path),
      bytes: Number(r.bytes),
      sha256: String(r.sha256),
      contentSha256: String(r.content_sha256),
      protocol: r.protocol as Receipt['protocol'],
      host: String(r.host),
      serverFingerprint: String(r.server_fingerprint),
      verifiedBy: String(r.verified_by),
      adopted: Number(r.adopted) === 1,
      encrypted: Number(r.encrypted) === 1,
      attempts: Number(r.attempts),
      sentBy: String(r.sent_by),
      at: String(r.at),
    }))
    .sort((a, b) => (a.batchId === b.batchId ? a.seq - b.seq : 0));
}

export interface DeliverySummary {
  batch: Batch;
  /** The approver's name as shown (null while no approval stands). */
  approvedBy: string | null;
  items: (BatchItem & { progress?: FileProgress })[];
  receipts: ReceiptRow[];
}

/** For the Activity page and the Chargebacks page: batches with their files, states, progress and receipts. */
export async function listDeliveries(db: Queryable, filter: { job?: string; limit?: number } = {}): Promise<DeliverySummary[]> {
  const batches = (await listBatches(db, { job: filter.job, limit: filter.limit ?? 50 })).filter((b) => b.kind === DELIVERY_KIND);
  return Promise.all(batches.map((b) => describeDelivery(db, b.id)));
}

export async function describeDelivery(db: Queryable, batchId: string): Promise<DeliverySummary> {
  const batch = await requireBatch(db, batchId);
  const approval = await currentApproval(db, batchId);
  const bars = new Map(deliveryProgress(batchId).map((p) => [p.seq, p]));
  const items = (await listBatchItems(db, batchId)).map((i) => ({ ...i, progress: bars.get(i.seq) }));
  return { batch, approvedBy: approval?.approvedByName ?? null, items, receipts: await listReceipts(db, { batchId }) };
}
