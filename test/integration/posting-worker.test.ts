/**
 * The posting worker's rules, one by one, against the sandbox: maker-checker, adopting on 1001,
 * Zoho refusals kept with their code and full body, payments held back when an invoice is missing,
 * the daily limit pausing the batch until the reset, pause/resume/cancel, and "reconnect".
 */
import { getControl, requestCancel, requestPause, requestResume } from '../../server/posting/control';
import { itemStatuses } from '../../server/posting/progress';
import { postBatch, type PostOptions } from '../../server/posting/worker';
import type { Secrets } from '../../server/secrets';
import { decideBatch, listBatchItems, requireBatch } from '../../server/store/batches';
import { clientFor, type ZohoConnection } from '../../server/zoho/connections';
import type { RunningSandbox } from '../../server/dev/zoho-sandbox';
import { BACKENDS, openTestBackend, type TestBackend } from './backends';
import { approvedBatch, connectSandbox, makeDocuments, sandboxCensus, startSandbox, testSecrets } from './zoho-fixtures';
import { preparePostingBatch } from '../../server/posting/prepare';
import type { InvoiceDocument, PaymentDocument } from '../../src/settlements/documents';
import { approverUser, person } from './people';

const fast: PostOptions = { concurrency: 3, clientOptions: { perMinute: 1_000_000, backoffMs: 10 }, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))) };

describe.each(BACKENDS)('posting worker (%s)', (backend) => {
  let b: TestBackend;
  let sb: RunningSandbox;
  let secrets: Secrets;
  let connection: ZohoConnection;
  beforeEach(async () => {
    b = await openTestBackend(backend);
    sb = await startSandbox();
    secrets = testSecrets(b.store).secrets;
    connection = await connectSandbox(b.store, secrets, sb);
  });
  afterEach(async () => {
    await sb.close();
    await b.cleanup();
  });
  const deps = () => ({ store: b.store, secrets, audit: b.audit });

  it('sends nothing before a second person approved the batch', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 1, invoicesPer: 2, prefix: 'A' });
    const batch = await preparePostingBatch({ store: b.store }, { connectionId: connection.id, documents, preparedBy: person('maker@test') });
    await expect(postBatch(deps(), batch.id, fast)).rejects.toMatchObject({ code: 'not-approved' });
    expect(sb.sandbox.stats.apiCalls).toBe(0);
    // Documents already in the id map cannot be queued again.
    const id = await approvedBatch(b.store, connection, makeDocuments(sb.sandbox.state.seedIds(), { settlements: 1, invoicesPer: 2, prefix: 'B' }));
    expect((await postBatch(deps(), id, fast)).state).toBe('done');
    await expect(preparePostingBatch({ store: b.store }, { connectionId: connection.id, documents: makeDocuments(sb.sandbox.state.seedIds(), { settlements: 1, invoicesPer: 2, prefix: 'B' }), preparedBy: person('maker@test') })).rejects.toMatchObject({ code: 'already-posted' });
  });

  it('takes a document over only from a batch that ended without posting it; a live batch keeps its documents', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 1, invoicesPer: 1, prefix: 'K' });
    const prepare = (rest?: boolean) => preparePostingBatch({ store: b.store }, { connectionId: connection.id, documents, preparedBy: person('maker@test'), rest });
    const a = await prepare();
    // waiting for approval: its documents are its own, with or without the option
    for (const rest of [false, true]) await expect(prepare(rest)).rejects.toMatchObject({ code: 'duplicate-idempotency-key' });
    await decideBatch(b.store, { id: a.id, version: a.version, user: approverUser('checker@test'), decision: 'rejected', reason: 'wrong month' });
    const again = await prepare();
    expect((await listBatchItems(b.store, again.id)).map((i) => i.idempotencyKey)).toEqual(documents.map((d) => d.idempotencyKey));
    // the rejected batch keeps its items as they were
    expect((await listBatchItems(b.store, a.id)).map((i) => i.state)).toEqual(['pending', 'pending', 'pending']);
    await decideBatch(b.store, { id: again.id, version: again.version, user: approverUser('checker@test'), decision: 'approved' });
    await expect(prepare()).rejects.toMatchObject({ code: 'duplicate-idempotency-key' });
    expect((await postBatch(deps(), again.id, fast)).state).toBe('done');
    await expect(prepare()).rejects.toMatchObject({ code: 'already-posted' });
    await expect(prepare(true)).rejects.toMatchObject({ code: 'nothing-left' });
  });

  it('the rest of a failed batch looks up first a document Zoho did not confirm: it is in Zoho, and posted once', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 1, invoicesPer: 1, prefix: 'R' });
    const batchId = await approvedBatch(b.store, connection, documents);
    expect((await postBatch(deps(), batchId, fast)).state).toBe('done');
    // As if the batch had ended failed with the journal's write in Zoho but unconfirmed (its item in
    // review, no id recorded, its last write long past): Zoho holds it, the id map does not.
    const journal = documents.find((d) => d.kind === 'journal')!.idempotencyKey;
    await b.store.exec("UPDATE batches SET state = 'failed' WHERE id = $1", [batchId]);
    await b.store.exec("UPDATE batch_items SET state = 'needs_review', deadline_at = '2000-01-01T00:00:00.000Z' WHERE batch_id = $1 AND idempotency_key = $2", [batchId, journal]);
    await b.store.exec('DELETE FROM zoho_id_map WHERE idempotency_key = $1', [journal]);
    const rest = await preparePostingBatch({ store: b.store }, { connectionId: connection.id, documents, preparedBy: person('maker@test'), rest: true });
    expect(rest.leftOut).toBe(documents.length - 1);
    expect((await listBatchItems(b.store, rest.id)).map((i) => [i.idempotencyKey, i.state])).toEqual([[journal, 'sending']]);
    await decideBatch(b.store, { id: rest.id, version: rest.version, user: approverUser('checker@test'), decision: 'approved' });
    expect((await postBatch(deps(), rest.id, fast)).state).toBe('done');
    const census = sandboxCensus(sb, documents);
    expect(census.duplicates).toEqual([]);
    expect(census.missing).toEqual([]);
  });

  it('adopts an existing invoice on 1001, flags one with another amount, and keeps Zoho refusals with code and body', async () => {
    const seed = sb.sandbox.state.seedIds();
    const documents = makeDocuments(seed, { settlements: 2, invoicesPer: 2, prefix: 'C' });
    const [same, other] = documents.filter((d): d is InvoiceDocument => d.kind === 'invoice' && d.settlementId === 'C00000');
    // Already in Zoho: one with the same total (posted by an earlier run), one with a different total.
    const { client: c } = await clientFor({ store: b.store, secrets }, connection.id, { perMinute: 1e6 });
    const existing = await c.post('/invoices', same.body, { ignore_auto_number_generation: true });
    await c.post('/invoices', { ...other.body, line_items: [{ ...other.body.line_items[0], rate: other.body.line_items[0].rate + 1 }] }, { ignore_auto_number_generation: true });
    // Settlement C00001's payment applies more than its first invoice's total: Zoho answers 24016.
    const pay = documents.find((d): d is PaymentDocument => d.kind === 'payment' && d.settlementId === 'C00001')!;
    pay.body.invoices[0].amount_applied += 5;
    pay.body.amount += 5;
    pay.cents.total += 500;

    const id = await approvedBatch(b.store, connection, documents);
    const outcome = await postBatch(deps(), id, fast);
    expect(outcome.state).toBe('failed');
    const byKey = new Map((await itemStatuses(b.store, id)).map((s) => [s.idempotencyKey, s]));
    expect(byKey.get(same.idempotencyKey)).toMatchObject({ state: 'done', zohoId: (existing.invoice as { invoice_id: string }).invoice_id });
    expect(byKey.get(same.idempotencyKey)!.status).toContain('Zoho 1001');
    expect(byKey.get(other.idempotencyKey)).toMatchObject({ state: 'needs_review', code: 1001 });
    expect(byKey.get(other.idempotencyKey)!.status).toMatch(/different amount/);
    // The payment of settlement C00000 is held back: one of its invoices is not ours.
    expect(byKey.get('C00000:payment:C00000')!.status).toContain(`Not sent: its invoice ${other.idempotencyKey} is not in Zoho`);
    const refused = byKey.get('C00001:payment:C00001')!;
    expect(refused).toMatchObject({ state: 'failed', code: 24016 });
    expect(refused.status).toBe('Zoho 24016: The amount entered is more than the balance due for the selected invoices.');
    const item = (await listBatchItems(b.store, id)).find((i) => i.idempotencyKey === 'C00001:payment:C00001')!;
    expect(item.response).toMatchObject({ httpStatus: 400, code: 24016, body: '{"code":24016,"message":"The amount entered is more than the balance due for the selected invoices."}' });
    // Journals still go out; nothing was created twice.
    expect(byKey.get('C00000:journal:C00000')!.state).toBe('done');
    expect(sandboxCensus(sb, documents).duplicates).toEqual([]);
    expect((await requireBatch(b.store, id)).state).toBe('failed');
  });

  it('pauses at the daily limit with the reset time, and finishes after a resume without duplicates', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 3, invoicesPer: 4, prefix: 'D' });
    const id = await approvedBatch(b.store, connection, documents);
    sb.sandbox.limits.perDay = 7;
    const first = await postBatch(deps(), id, fast);
    expect(first.state).toBe('paused');
    expect(first.message).toMatch(/daily API limit .* accepted again at \d{4}-\d\d-\d\dT00:00:0\d/);
    const control = await getControl(b.store, id);
    expect(control.command).toBe('pause');
    expect(control.pausedUntil).toMatch(/T00:00:0\d\.\d{3}Z$/);
    // Before the reset the worker does not even try.
    const calls = sb.sandbox.stats.apiCalls;
    expect((await postBatch(deps(), id, fast)).state).toBe('paused');
    expect(sb.sandbox.stats.apiCalls).toBe(calls);
    // Zoho support raised the cap; the user resumes.
    sb.sandbox.limits.perDay = 1_000_000;
    await requestResume(b.store, id);
    const second = await postBatch(deps(), id, fast);
    expect(second.state).toBe('done');
    const census = sandboxCensus(sb, documents);
    expect(census.duplicates).toEqual([]);
    expect(census.missing).toEqual([]);
  });

  it('pauses, resumes and cancels on request', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 6, invoicesPer: 5, prefix: 'E' });
    const id = await approvedBatch(b.store, connection, documents);
    let asked = false;
    const paused = await postBatch(deps(), id, {
      ...fast,
      concurrency: 1,
      progressEveryMs: 0,
      onProgress: async (p) => {
        if (!asked && p.counts.done >= 3) {
          asked = true;
          await requestPause(b.store, id, 'Paused by checker@test');
        }
      },
    });
    expect(paused.state).toBe('paused');
    expect(paused.message).toContain('Paused by checker@test');
    const doneAtPause = paused.progress.counts.done;
    expect(doneAtPause).toBe(3);
    expect((await postBatch(deps(), id, fast)).state).toBe('paused');

    await requestResume(b.store, id);
    let cancelled = false;
    const outcome = await postBatch(deps(), id, {
      ...fast,
      concurrency: 1,
      progressEveryMs: 0,
      onProgress: async (p) => {
        if (!cancelled && p.counts.done >= doneAtPause + 3) {
          cancelled = true;
          await requestCancel(b.store, id, 'Wrong settlement files');
        }
      },
    });
    expect(outcome.state).toBe('cancelled');
    expect((await requireBatch(b.store, id)).state).toBe('cancelled');
    const items = await listBatchItems(b.store, id);
    const posted = items.filter((i) => i.state === 'done').length;
    expect(items.filter((i) => i.state === 'pending').length).toBe(documents.length - posted);
    expect(sandboxCensus(sb, documents).totals.invoices).toBe(posted);
    await expect(postBatch(deps(), id, fast)).resolves.toMatchObject({ state: 'cancelled' });
  });

  it('pauses with a "reconnect" message when Zoho revoked the refresh token', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 1, invoicesPer: 2, prefix: 'R' });
    const id = await approvedBatch(b.store, connection, documents);
    for (const t of Object.keys(sb.sandbox.state.data.refreshTokens ?? {})) sb.sandbox.revokeRefreshToken(t);
    sb.sandbox.expireAccessTokens();
    const outcome = await postBatch(deps(), id, fast);
    expect(outcome.state).toBe('paused');
    expect(outcome.message).toMatch(/reconnect the organisation/i);
    expect((await listBatchItems(b.store, id)).every((i) => i.state === 'pending' || i.state === 'sending')).toBe(true);
  });
});
