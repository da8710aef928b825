/**
 * Looking up the unsure documents of an ended posting: those a failed or cancelled posting sent
 * without Zoho confirming them (`sending`, `needs_review`), that no batch of the rest took and none
 * closed. Each is found in Zoho as the worker finds it after an unknown outcome (findPosted): found →
 * recorded as posted as the worker records it (the id map and `done` in one transaction), so payments
 * naming it, the sheets' STATUS and the census see it; not found → `failed`, now surely not in Zoho:
 * closed without posting, or taken by a batch of the rest that needs no look-up. Nothing is sent.
 * This ends the dead end of a workbook rebuilt under other keys, whose unsure documents no batch of
 * the rest can take and closing refuses.
 *
 * "Not found" may close the document, which no re-send guards: every kind waits until its last write
 * can no longer land (lastWriteLandsBy), invoices too (the worker skips that wait for them only
 * because Zoho would refuse a second copy). A `needs_review` item whose copies differ from ours is
 * looked up too (as a batch of the rest would): it stays to check unless Zoho has changed since.
 */
import type { Person } from '../../src/approval';
import type { RestLookUp } from '../../src/batches/outcome';
import type { SettlementDocument } from '../../src/settlements/documents';
import type { Audit } from '../audit';
import { AppError, conflict } from '../errors';
import type { Secrets } from '../secrets';
import type { Queryable, Store } from '../store';
import { itemFromRow, LEFT_UNSURE, requireBatch, type ItemRow } from '../store/batches';
import { nowIso } from '../store/ids';
import { DEFAULT_LATE_WRITE_MARGIN_MS } from '../zoho/client';
import { utcMinute } from '../../src/kernel/dates';
import { clientFor, type ClientOptions } from '../zoho/connections';
import { describeZohoError, ZohoError } from '../zoho/errors';
import { findPosted } from '../zoho/poster';
import { requireEnded } from './close-rest';
import { recordPosted } from './idmap';
import { lastWriteLandsBy, postedRecord } from './item';
import type { PostingPayload } from './worker';


export interface RestLookedUp extends RestLookUp {
  /** The Zoho ids of the documents found. */
  zohoIds: string[];
}

/**
 * Looks up `batchId`'s unsure documents in Zoho, one call after another (each held to the client's
 * deadline). Each item is changed only while still unsure and left, so two people at once (or a
 * batch of the rest meanwhile) record nothing twice; a run that changes nothing is refused.
 */
export async function lookUpRest(
  deps: { store: Store; secrets: Secrets; audit: Audit },
  input: { batchId: string; user: Person },
  opts: { clientOptions?: ClientOptions } = {},
): Promise<RestLookedUp> {
  const b = requireEnded(await requireBatch<PostingPayload>(deps.store, input.batchId), 'looked up in Zoho');
  const rows = await deps.store.query<ItemRow & { deadline_at: string | null }>(`SELECT * FROM batch_items WHERE batch_id = $1 AND ${LEFT_UNSURE} ORDER BY seq`, [b.id]);
  const nothing = () => conflict('nothing-unsure', `No document of batch ${b.id} is unsure any more: there is nothing to look up in Zoho.`);
  if (!rows.length) throw nothing();
  const { client, connection } = await clientFor(deps, b.payload.connectionId, opts.clientOptions);
  const margin = connection.lateWriteMarginMs ?? DEFAULT_LATE_WRITE_MARGIN_MS;
  const out: RestLookedUp = { found: 0, notFound: 0, toCheck: 0, later: 0, zohoIds: [] };
  let laterUntil = 0;
  for (const [i, row] of rows.entries()) {
    const item = itemFromRow<SettlementDocument>(row);
    const after = lastWriteLandsBy(item, row.deadline_at ? Date.parse(row.deadline_at) : null, client.timeoutMs, margin);
    if (Date.now() < after) {
      out.later++;
      laterUntil = Math.max(laterUntil, after);
      continue;
    }
    let r: Awaited<ReturnType<typeof findPosted>>;
    try {
      r = await findPosted(client, item.request, 'found in Zoho by a look-up of the rest');
    } catch (e) {
      // Rate or daily limit, a network failure: the rest waits for another look-up; those done stay done.
      if (!(e instanceof ZohoError)) throw e;
      out.stopped = describeZohoError(e);
      out.notAsked = rows.length - i;
      break;
    }
    const key = [b.id, item.seq];
    if (r?.state === 'posted') {
      const posted = postedRecord(client.organizationId, item.request, r);
      const took = await deps.store.transaction(async (tx) => {
        if (!(await stillUnsure(tx, b.id, item.seq))) return false;
        await recordPosted(tx, item, posted);
        return true;
      });
      if (took) {
        out.found++;
        out.zohoIds.push(posted.zohoId);
      }
    } else if (r) {
      // Copies that are not quite ours (another amount, several): a person checks them in Zoho.
      const evidence = { ...(r.code === undefined ? {} : { code: r.code }), ...r.evidence };
      if ((await deps.store.exec(`UPDATE batch_items SET state = 'needs_review', error = $3, response = $4, updated_at = $5 WHERE batch_id = $1 AND seq = $2 AND ${LEFT_UNSURE}`, [...key, r.message, JSON.stringify(evidence), nowIso()])).changes === 1) out.toCheck++;
    } else {
      const at = nowIso();
      if ((await deps.store.exec(`UPDATE batch_items SET state = 'failed', error = $3, updated_at = $4 WHERE batch_id = $1 AND seq = $2 AND ${LEFT_UNSURE}`, [...key, `Not in Zoho when looked up at ${utcMinute(at)}: not posted.`, at])).changes === 1) out.notFound++;
    }
  }
  if (laterUntil) out.laterUntil = new Date(laterUntil).toISOString();
  const changed = out.found + out.notFound + out.toCheck;
  // Looked up meanwhile by someone else (every item changed under us): nothing recorded.
  if (!changed && !out.later && !out.stopped) throw nothing();
  if (!changed && !out.later) throw new AppError(502, 'zoho-unavailable', `Zoho could not be asked (${out.stopped}): nothing was recorded; look them up again later.`);
  await deps.audit.append({ actor: input.user.id, action: 'posting.rest-looked-up', subjectType: 'batch', subjectId: b.id, details: { byName: input.user.name, ...out } });
  return out;
}

/** Takes the item for this look-up's outcome while it is still unsure and left (locked on PostgreSQL until the transaction ends). */
async function stillUnsure(tx: Queryable, batchId: string, seq: number): Promise<boolean> {
  return (await tx.exec(`UPDATE batch_items SET updated_at = $3 WHERE batch_id = $1 AND seq = $2 AND ${LEFT_UNSURE}`, [batchId, seq, nowIso()])).changes === 1;
}
