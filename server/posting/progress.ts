/**
 * Where a posting batch stands, computed from the store (so any process — the API, the CLI, a
 * restarted worker — sees the same): counts by state and kind, the control row, and each item's
 * status line for writing back into the sheets (the Zoho id, or Zoho's code and message).
 */
import { queryByKeys, type Store } from '../store';
import type { ItemState } from '../store/batches';
import { getBatch, handOnOf, NO_HAND_ON, type HandOn } from '../store/batches';
import { getControl, type PostingControl } from './control';
import { seenWorkers } from '../queue/workers';
import type { LeaseView } from '../../src/zoho';

export type { LeaseView };

export interface ItemStatus {
  seq: number;
  idempotencyKey: string;
  kind: string;
  state: ItemState;
  zohoId: string | null;
  /** Zoho's code when Zoho refused or failed (null otherwise). */
  code: number | null;
  /** The sentence for the status column: "Posted: 4600…", "Zoho 24016: …". */
  status: string;
  /** Closed without posting with the rest of its batch (close-rest.ts): it asks nothing more. */
  closed: boolean;
  attempts: number;
}

/** With `handedOn` and `notHandedOn` (HandOn): where its documents not posted went, and how many no batch took. */
export interface PostingProgress extends HandOn {
  batchId: string;
  batchState: string;
  total: number;
  counts: Record<ItemState, number>;
  byKind: Record<string, Record<ItemState, number>>;
  /** Share finished (done + failed + needs review), 0–1. */
  fraction: number;
  control: PostingControl;
  leases: LeaseView;
  updatedAt: string;
}

/** The leases of the batch's open items, seen now. */
export async function leaseView(store: Store, batchId: string): Promise<LeaseView> {
  const rows = await store.query<{ state: ItemState; lease_owner: string | null; lease_until: string | null; not_before: string | null }>(
    "SELECT state, lease_owner, lease_until, not_before FROM batch_items WHERE batch_id = $1 AND state IN ('pending', 'sending') AND (lease_until IS NOT NULL OR not_before IS NOT NULL)",
    [batchId],
  );
  const now = Date.now();
  const view: LeaseView = { held: 0, heldByStale: 0, staleSecondsLeft: 0, staleWorker: null, takeOverPossible: false, lookUpsWaiting: 0, lookUpSecondsLeft: 0 };
  const leased = rows.filter((r) => r.lease_owner && r.lease_until && Date.parse(r.lease_until) > now);
  const workers = await seenWorkers(store, [...new Set(leased.map((r) => r.lease_owner!))]);
  for (const r of leased) {
    view.held++;
    const w = workers.get(r.lease_owner!);
    // A lease whose owner is unknown to the registry is a dead owner's.
    if (w && !w.stale) continue;
    view.heldByStale++;
    view.staleWorker = r.lease_owner;
    view.staleSecondsLeft = Math.max(view.staleSecondsLeft, Math.ceil((Date.parse(r.lease_until!) - now) / 1000));
    if (!w || w.gone) view.takeOverPossible = true;
  }
  for (const r of rows) {
    if (r.state !== 'sending' || !r.not_before || r.lease_owner) continue;
    const left = Date.parse(r.not_before) - now;
    if (left <= 0) continue;
    view.lookUpsWaiting++;
    view.lookUpSecondsLeft = Math.max(view.lookUpSecondsLeft, Math.ceil(left / 1000));
  }
  return view;
}

const empty = (): Record<ItemState, number> => ({ pending: 0, sending: 0, done: 0, failed: 0, needs_review: 0 });

export async function batchProgress(store: Store, batchId: string): Promise<PostingProgress> {
  const rows = await store.query<{ kind: string; state: ItemState; n: number }>(
    'SELECT kind, state, COUNT(*) AS n FROM batch_items WHERE batch_id = $1 GROUP BY kind, state',
    [batchId],
  );
  const counts = empty();
  const byKind: Record<string, Record<ItemState, number>> = {};
  for (const r of rows) {
    counts[r.state] += Number(r.n);
    (byKind[r.kind] ??= empty())[r.state] += Number(r.n);
  }
  const total = Object.values(counts).reduce((s, n) => s + n, 0);
  const finished = counts.done + counts.failed + counts.needs_review;
  const batch = await getBatch(store, batchId);
  return {
    batchId,
    batchState: batch?.state ?? 'unknown',
    total,
    counts,
    byKind,
    fraction: total ? finished / total : 0,
    control: await getControl(store, batchId),
    leases: await leaseView(store, batchId),
    updatedAt: new Date().toISOString(),
    ...((await handOnOf(store, [batchId])).get(batchId) ?? NO_HAND_ON),
  };
}

interface StatusRow {
  seq: number;
  idempotency_key: string;
  kind: string;
  state: ItemState;
  remote_id: string | null;
  response: string | null;
  error: string | null;
  attempts: number;
  closed_at: string | null;
}

/** An item's status line for the sheets: "Posted: 4600…", "Zoho 24016: …", "Waiting", "Closed without posting (Zoho 24016: …)". */
function statusOf(r: StatusRow): ItemStatus {
  let code: number | null = null;
  let note = '';
  try {
    const resp = r.response ? (JSON.parse(r.response) as { code?: number | null; note?: string }) : null;
    code = typeof resp?.code === 'number' ? resp.code : null;
    note = resp?.note ?? '';
  } catch {
    /* keep nulls */
  }
  const status =
    r.state === 'done'
      ? `Posted: ${r.remote_id}${note ? ` (${note})` : ''}`
      : r.state === 'failed' || r.state === 'needs_review'
        ? `${r.state === 'needs_review' ? 'Needs review: ' : ''}${r.error ?? 'failed'}`
        : r.state === 'sending'
          ? 'Sending…'
          : 'Waiting';
  const closed = r.closed_at !== null && r.state !== 'done';
  return {
    seq: Number(r.seq),
    idempotencyKey: r.idempotency_key,
    kind: r.kind,
    state: r.state,
    zohoId: r.remote_id,
    code: r.state === 'done' ? null : code,
    status: closed ? `Closed without posting${r.state === 'failed' || r.state === 'needs_review' ? ` (${status})` : ''}` : status,
    attempts: Number(r.attempts),
    closed,
  };
}

const STATUS_COLUMNS = 'i.seq, i.idempotency_key, i.kind, i.state, i.remote_id, i.response, i.error, i.attempts, i.closed_at';

export async function itemStatuses(store: Store, batchId: string): Promise<ItemStatus[]> {
  const rows = await store.query<StatusRow>(`SELECT ${STATUS_COLUMNS} FROM batch_items i WHERE i.batch_id = $1 ORDER BY i.seq`, [batchId]);
  return rows.map(statusOf);
}

/**
 * Where each of these documents is now, by key: the status of the posting item that holds it (the
 * batch that posted it, or the batch of the rest that took it over — never the item it took over
 * from). The sheets' STATUS is read from here, so a row a batch of the rest left out still says
 * where it is in Zoho, whatever the pane remembers. A key no batch of `job` holds has none.
 */
export async function documentStatuses(store: Store, job: string, keys: readonly string[]): Promise<ItemStatus[]> {
  const rows = await queryByKeys<StatusRow>(
    store,
    keys,
    (list) => `SELECT ${STATUS_COLUMNS} FROM batch_items i JOIN batches b ON b.id = i.batch_id WHERE i.idempotency_key IN (${list}) AND i.superseded_by IS NULL AND b.job = $1`,
    [job],
  );
  return rows.map(statusOf);
}
