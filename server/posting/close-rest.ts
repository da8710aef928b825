/**
 * Closing the rest of an ended posting: the documents a failed or cancelled posting did not post and
 * no batch of the rest took over are closed without posting — nothing is sent to Zoho. Finance does
 * it when those documents are not to be posted (refused invoices dropped, or a workbook rebuilt with
 * other keys, so no batch of the rest can ever take them). The items keep their state and Zoho's
 * answer and are marked `closed_at`: no worker claims them (OPEN_ITEM), no batch of the rest takes
 * their keys (mayTakeOverKey), and the batch counts them as closed, not left (handOnOf). Only documents
 * surely not in Zoho are closed (refused, or never sent); one sent and not confirmed is looked up first
 * (look-up-rest.ts, or a batch of the rest). A close made by mistake is undone (reopenRest): the documents
 * are left again, for a batch of the rest or a later close.
 */
import type { Person } from '../../src/approval';
import { endsWithRest, unsureSentence } from '../../src/batches/outcome';
import { countOf } from '../../src/kernel/counts';
import type { Audit } from '../audit';
import { badRequest, conflict } from '../errors';
import type { Store } from '../store';
import { LEFT_UNSURE, requireBatch, type Batch } from '../store/batches';
import { nowIso } from '../store/ids';
import { POSTING_JOB } from './worker';

/** The batch, when it is a posting that failed or was cancelled: only its rest is closed or looked up (`done`: what is done to it). */
export function requireEnded<B extends Batch>(b: B, done: string): B {
  if (b.job !== POSTING_JOB || !endsWithRest(b.kind, b.state)) {
    throw conflict('not-ended', `Batch ${b.id} is ${b.state.replace(/_/g, ' ')}: only the rest of a posting that failed or was cancelled can be ${done}.`);
  }
  return b;
}

export interface RestClosure {
  batchId: string;
  count: number;
  byName: string;
  reason: string;
  at: string;
}

/**
 * Close the rest of `batchId` with the reason; one close per batch. A second close (a retry
 * included) changes nothing and is refused with who closed it, when and why; with nothing left to
 * close (all posted or in batches of the rest), nothing is recorded.
 */
export async function closeRest(deps: { store: Store; audit: Audit }, input: { batchId: string; user: Person; reason: string }): Promise<RestClosure> {
  const reason = input.reason.trim();
  if (!reason) throw badRequest('reason-required', 'Say why the documents not posted are closed without posting.');
  return deps.store.transaction(async (tx) => {
    const b = requireEnded(await requireBatch(tx, input.batchId), 'closed without posting');
    const at = nowIso();
    // The row first: a second closer (at the same time too) finds it and changes nothing.
    const took = await tx.exec(
      `INSERT INTO posting_rest_closed (batch_id, closed_by, closed_by_name, reason, closed_count, closed_at) VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (batch_id) DO NOTHING`,
      [b.id, input.user.id, input.user.name, reason, at],
    );
    if (took.changes !== 1) {
      const c = (await tx.one<{ closed_by_name: string; reason: string; closed_count: number | string; closed_at: string }>('SELECT closed_by_name, reason, closed_count, closed_at FROM posting_rest_closed WHERE batch_id = $1', [b.id]))!;
      const n = Number(c.closed_count);
      throw conflict('already-closed', `The ${countOf(n, 'document')} not posted in batch ${b.id} ${n === 1 ? 'was' : 'were'} already closed without posting by ${c.closed_by_name} at ${c.closed_at}: ${c.reason}`);
    }
    // Only what is surely not in Zoho: refused by it (failed), or never sent (pending). One sent and not
    // confirmed may be there already: a batch of the rest looks it up rather than it being closed.
    const n = (await tx.exec(`UPDATE batch_items SET closed_at = $2 WHERE batch_id = $1 AND superseded_by IS NULL AND state IN ('pending', 'failed') AND closed_at IS NULL`, [b.id, at])).changes;
    // Throwing rolls the row back: nothing left is nothing closed.
    if (n === 0) {
      const unsure = Number((await tx.one<{ n: number | string }>(`SELECT COUNT(*) AS n FROM batch_items WHERE batch_id = $1 AND ${LEFT_UNSURE}`, [b.id]))!.n);
      if (unsure > 0) throw badRequest('to-check-first', unsureSentence(unsure, b.id));
      throw badRequest('nothing-left', `Every document of batch ${b.id} is posted or in a batch of the rest: there is nothing left to close.`);
    }
    await tx.exec('UPDATE posting_rest_closed SET closed_count = $2 WHERE batch_id = $1', [b.id, n]);
    await deps.audit.append({ actor: input.user.id, action: 'posting.rest-closed', subjectType: 'batch', subjectId: b.id, details: { count: n, reason, byName: input.user.name } }, tx);
    return { batchId: b.id, count: n, byName: input.user.name, reason, at };
  });
}

export interface RestReopening {
  batchId: string;
  count: number;
  byName: string;
  reason: string;
  /** The close it undid: who closed the rest, why, when. */
  closed: { byName: string; reason: string; at: string };
}

/**
 * Undo the close of `batchId`'s rest (a wrong batch, or finance decided to post them after all): its
 * closed documents are left again — claimable, taken over by a batch of the rest, closable again —
 * and the audit keeps both reasons. With nothing closed (a retry after a reopening included), nothing
 * is recorded.
 */
export async function reopenRest(deps: { store: Store; audit: Audit }, input: { batchId: string; user: Person; reason: string }): Promise<RestReopening> {
  const reason = input.reason.trim();
  if (!reason) throw badRequest('reason-required', 'Say why the documents closed without posting are reopened.');
  return deps.store.transaction(async (tx) => {
    const b = await requireBatch(tx, input.batchId);
    const c = await tx.one<{ closed_by_name: string; reason: string; closed_at: string }>('SELECT closed_by_name, reason, closed_at FROM posting_rest_closed WHERE batch_id = $1', [b.id]);
    // The delete decides: of two reopening at once, the second deletes nothing and is refused (the close
    // read is the one deleted, so the audit names who closed it).
    const took = c ? (await tx.exec('DELETE FROM posting_rest_closed WHERE batch_id = $1 AND closed_at = $2', [b.id, c.closed_at])).changes : 0;
    if (!c || took !== 1) throw conflict('not-closed', `No document of batch ${b.id} is closed without posting: there is nothing to reopen.`);
    const n = (await tx.exec('UPDATE batch_items SET closed_at = NULL WHERE batch_id = $1 AND closed_at IS NOT NULL', [b.id])).changes;
    const closed = { byName: c.closed_by_name, reason: c.reason, at: c.closed_at };
    await deps.audit.append({ actor: input.user.id, action: 'posting.rest-reopened', subjectType: 'batch', subjectId: b.id, details: { count: n, reason, byName: input.user.name, closed } }, tx);
    return { batchId: b.id, count: n, byName: input.user.name, reason, closed };
  });
}
