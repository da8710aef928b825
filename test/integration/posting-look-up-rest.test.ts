/**
 * The unsure rest of an ended posting looked up in Zoho from the pane (POST …/look-up-rest): a
 * posting cancelled while two invoices were in flight, whose answers never came (the sandbox held
 * both past the client's deadline, then applied one and dropped the other), is left with two
 * documents `sending` that no batch of the rest may ever take (the workbook was rebuilt under other
 * keys). Looked up too early, both are left with the time they can be; then the applied one is
 * recorded as posted (its payment, prepared later, names its Zoho id) and the other failed, which
 * close-rest then closes alone. Two people at once record each once; a look-up with nothing unsure
 * is refused and records nothing. One whose copy in Zoho is not quite ours stays to check there. A
 * Zoho limit stops it part-way: those looked up keep their outcome.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { lateWrites, type RunningSandbox, type WriteHook } from '../../server/dev/zoho-sandbox';
import { createBatch } from '../../server/store/batches';
import type { InvoiceDocument, PaymentDocument } from '../../src/settlements/documents';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { connectSandbox, makeDocuments, sandboxCensus, startSandbox } from './zoho-fixtures';

// The client gives up after 4 s (the cancel must be recorded before: the held calls end then, and the
// worker goes on); a write may still land 1.5 s after that (the connection's margin). For the look-up
// that must come too early, the margin is made an hour long: early however slow the machine.
const DEADLINE_MS = 4_000;
const MARGIN_MS = 1_500;
const LONG_MARGIN_MS = 3_600_000;

describe.each(BACKENDS)('looking up the unsure rest of a posting (%s)', (backend) => {
  let t: TestBackend;
  let app: FastifyInstance;
  let sb: RunningSandbox;
  let connectionId = '';
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  // The first settlement's invoice is applied once its client has given up; the second's never is.
  const applied = lateWrites({ match: (w) => (w.body as { invoice_number?: string }).invoice_number === 'AMZNLOOK00000-0', times: 1, land: 0 });
  let droppedHeld = 0;
  const dropped: WriteHook = async ({ body, req }) => {
    if ((body as { invoice_number?: string }).invoice_number !== 'AMZNLOOK00001-0') return;
    droppedHeld++;
    const socket = req.raw.socket;
    if (!socket.destroyed) await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    throw new Error('held past its client and never applied');
  };

  beforeAll(async () => {
    t = await openTestBackend(backend);
    sb = await startSandbox({ beforeWrite: async (w) => (await applied.hook(w), dropped(w)) });
    app = await buildApp(testConfig(t, { CLOSEDESK_STATIC_DIR: path.join(t.dir, 'dist') }), { store: t.store });
    await app.ready();
    const sign = app.ctx.auth.devIssuer!.sign;
    tokens.carol = await sign({ user: 'carol', roles: ['preparer'] });
    tokens.bob = await sign({ user: 'bob', roles: ['approver'] });
    tokens.root = await sign({ user: 'root', roles: ['admin'] });
    connectionId = (await connectSandbox(app.ctx.store, app.ctx.secrets, sb, 'Sandbox books', { timeoutMs: DEADLINE_MS, lateWriteMarginMs: MARGIN_MS, perMinute: 1_000_000 })).id;
  });
  afterAll(async () => {
    await app?.close();
    await sb?.close();
    await t?.cleanup();
  });

  const post = (url: string, who: string, payload: Record<string, unknown> = {}) => app.inject({ method: 'POST', url, headers: as(who), payload });
  const progressOf = async (id: string) => (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/progress`, headers: as('carol') })).json();
  const itemsOf = async (id: string) => (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/items`, headers: as('carol') })).json().items as { idempotencyKey: string; state: string; zohoId: string | null; status: string; closed?: boolean }[];
  const audits = async (id: string) => (await t.store.query<{ actor: string; details: string }>("SELECT actor, details FROM audit_log WHERE action = 'posting.rest-looked-up' AND subject_id = $1 ORDER BY seq", [id])).map((a) => ({ actor: a.actor, details: JSON.parse(a.details) }));
  const until = async (done: () => Promise<boolean> | boolean) => {
    while (!(await done())) await new Promise((r) => setTimeout(r, 50));
  };
  async function approveAndPost(batch: { id: string; version: number }) {
    expect((await post(`/api/batches/${batch.id}/approve`, 'bob', { version: batch.version })).statusCode).toBe(200);
    expect((await post(`/api/posting/batches/${batch.id}/start`, 'bob')).statusCode).toBe(202);
    let p;
    await until(async () => ((p = await progressOf(batch.id)), !p.running && !!p.last));
    return p;
  }

  it('finds the one Zoho applied (recorded as posted), fails the other (then closable), never twice, and says when it may look when too early', async () => {
    const built = () => makeDocuments(sb.sandbox.state.seedIds(), { settlements: 2, invoicesPer: 1, prefix: 'LOOK' });
    const invoices = built().filter((d): d is InvoiceDocument => d.kind === 'invoice');
    const [i0, i1] = invoices.map((d) => d.idempotencyKey);
    const prep = await post('/api/posting/batches', 'carol', { connectionId, documents: invoices });
    expect(prep.statusCode).toBe(201);
    const id = prep.json().batch.id;
    const url = `/api/posting/batches/${id}/look-up-rest`;
    // Only the rest of an ended posting is looked up: not one awaiting approval (nothing recorded).
    expect([(await post(url, 'carol')).statusCode, (await post(url, 'carol')).json().error.code]).toEqual([409, 'not-ended']);

    // Both invoices go out at once and are held; the posting is cancelled meanwhile: both end `sending`.
    expect((await post(`/api/batches/${id}/approve`, 'bob', { version: prep.json().batch.version })).statusCode).toBe(200);
    expect((await post(`/api/posting/batches/${id}/start`, 'bob')).statusCode).toBe(202);
    await until(() => applied.holding === 1 && droppedHeld === 1);
    expect((await post(`/api/posting/batches/${id}/cancel`, 'bob')).statusCode).toBe(200);
    await until(async () => {
      const p = await progressOf(id);
      return !p.running && p.batchState === 'cancelled';
    });
    expect((await itemsOf(id)).map((i) => i.state)).toEqual(['sending', 'sending']);
    expect(await progressOf(id)).toMatchObject({ notHandedOn: 2, unsure: 2 });
    // Closing them without posting is refused, pointing to the look-up.
    const refused = await post(`/api/posting/batches/${id}/close-rest`, 'bob', { reason: 'rebuilt under other keys' });
    expect([refused.statusCode, refused.json().error.code]).toEqual([400, 'to-check-first']);
    expect(refused.json().error.message).toContain('look them up in Zoho from the posting panel');

    // Who may: whoever may close the rest (the same rule); an admin may do all.
    expect(app.routeTable().find((r) => r.method === 'POST' && r.url === '/api/posting/batches/:id/look-up-rest')).toMatchObject({ roles: ['preparer', 'approver'] });
    expect((await app.inject({ method: 'POST', url })).statusCode).toBe(401);
    const other = (await createBatch(t.store, { job: 'delivery', kind: 'delivery', preparedBy: { id: 'carol', name: 'carol' }, payload: {} })).id;
    expect((await post(`/api/posting/batches/${other}/look-up-rest`, 'bob')).json().error.code).toBe('not-a-posting-batch');
    expect(await audits(id)).toEqual([]);

    // Too early: their writes may still land (deadline + margin), so neither is looked up nor changed; it says when.
    const setMargin = (ms: number) => t.store.exec('UPDATE zoho_connections SET late_write_margin_ms = $2 WHERE id = $1', [connectionId, ms]);
    await setMargin(LONG_MARGIN_MS);
    const getsBefore = sb.sandbox.stats.byOperation['GET /invoices'] ?? 0;
    const early = await post(url, 'carol');
    expect([early.statusCode, early.statusCode === 200 ? '' : early.body]).toEqual([200, '']);
    const { laterUntil } = early.json().lookedUp;
    expect(early.json().lookedUp).toMatchObject({ found: 0, notFound: 0, toCheck: 0, later: 2 });
    expect(Date.parse(laterUntil)).toBeGreaterThan(Date.now());
    expect(sb.sandbox.stats.byOperation['GET /invoices'] ?? 0).toBe(getsBefore);
    expect((await itemsOf(id)).map((i) => i.state)).toEqual(['sending', 'sending']);
    expect(early.json().progress).toMatchObject({ unsure: 2 });

    // Once they can no longer land (the margin as it was): two people at once. The applied one is found,
    // the other is not; each recorded once.
    await setMargin(MARGIN_MS);
    await until(() => Date.now() > Date.parse(laterUntil) - LONG_MARGIN_MS + MARGIN_MS);
    await applied.landed(1);
    const both = await Promise.all([post(url, 'carol'), post(url, 'root')]);
    const ok = both.filter((r) => r.statusCode === 200).map((r) => r.json().lookedUp);
    for (const r of both.filter((x) => x.statusCode !== 200)) expect([r.statusCode, r.json().error.code]).toEqual([409, 'nothing-unsure']);
    const sum = (k: 'found' | 'notFound' | 'later') => ok.reduce((s, l) => s + l[k], 0);
    expect([sum('found'), sum('notFound'), sum('later')]).toEqual([1, 1, 0]);
    const census = sandboxCensus(sb, invoices);
    const zohoId = census.idsByKey.get(i0)!;
    expect(census.duplicates).toEqual([]);
    expect(census.missing).toEqual(['invoice:AMZNLOOK00001-0']);
    const items = await itemsOf(id);
    expect(items.find((i) => i.idempotencyKey === i0)).toMatchObject({ state: 'done', zohoId, status: `Posted: ${zohoId} (found in Zoho by a look-up of the rest)` });
    expect(items.find((i) => i.idempotencyKey === i1)).toMatchObject({ state: 'failed', status: expect.stringMatching(/^Not in Zoho when looked up at \d{4}-\d\d-\d\d \d\d:\d\d UTC: not posted\.$/) });
    expect(await progressOf(id)).toMatchObject({ counts: { done: 1, failed: 1 }, notHandedOn: 1 });
    expect((await progressOf(id)).unsure).toBeUndefined();
    // The id map names it, for the sheets' STATUS and for anything that names the invoice.
    const statuses = (await post('/api/posting/statuses', 'carol', { keys: [i0] })).json().statuses;
    expect(statuses).toEqual([expect.objectContaining({ idempotencyKey: i0, state: 'done', status: `Posted: ${zohoId} (found in Zoho by a look-up of the rest)` })]);
    // The audit: who, how many found, not found, left for later, and the Zoho ids found.
    const audit = await audits(id);
    expect(audit[0]!.details).toEqual({ byName: 'carol', found: 0, notFound: 0, toCheck: 0, later: 2, laterUntil, zohoIds: [] });
    // (the two at once may each have taken one: in either order)
    const byFound = (a: { found: number }, b: { found: number }) => a.found - b.found;
    expect(audit.slice(1).map((a) => a.details).sort(byFound)).toEqual(ok.map((l) => ({ byName: expect.any(String), found: l.found, notFound: l.notFound, toCheck: 0, later: 0, zohoIds: l.found ? [zohoId] : [] })).sort(byFound));

    // Again: nothing unsure is left — refused, nothing recorded, nothing asked of Zoho.
    const gets = sb.sandbox.stats.byOperation['GET /invoices'];
    const again = await post(url, 'bob');
    expect([again.statusCode, again.json().error]).toEqual([409, { code: 'nothing-unsure', message: `No document of batch ${id} is unsure any more: there is nothing to look up in Zoho.` }]);
    expect(await audits(id)).toHaveLength(audit.length);
    expect(sb.sandbox.stats.byOperation['GET /invoices']).toBe(gets);

    // The one not in Zoho is now closed without posting, alone.
    const closed = await post(`/api/posting/batches/${id}/close-rest`, 'bob', { reason: 'Rebuilt as one invoice per settlement.' });
    expect([closed.statusCode, closed.json().closed?.count]).toEqual([200, 1]);
    expect((await itemsOf(id)).map((i) => [i.idempotencyKey, i.state, !!i.closed])).toEqual([
      [i0, 'done', false],
      [i1, 'failed', true],
    ]);

    // The first settlement's payment and journal, prepared later: the payment names the invoice found.
    const rest = built().filter((d) => d.kind !== 'invoice' && d.settlementId === 'LOOK00000');
    const later = await post('/api/posting/batches', 'carol', { connectionId, documents: rest });
    expect([later.statusCode, later.statusCode === 201 ? '' : later.body]).toEqual([201, '']);
    expect(await approveAndPost(later.json().batch)).toMatchObject({ batchState: 'done', counts: { done: 2 } });
    const pay = rest.find((d): d is PaymentDocument => d.kind === 'payment')!;
    const held = sb.sandbox.state.data.books[0].payments.filter((p) => p.reference_number === pay.body.reference_number);
    expect(held.map((p) => p.invoices.map((i) => i.invoice_id))).toEqual([[zohoId]]);
    // Every document of that settlement in Zoho once, its invoice paid.
    const whole = sandboxCensus(sb, built().filter((d) => d.settlementId === 'LOOK00000'));
    expect([whole.duplicates, whole.missing, whole.unpaid]).toEqual([[], [], []]);
  }, 60_000);

  it('leaves one whose copy in Zoho is not quite ours to check there (as a batch of the rest would), saying so', async () => {
    // Settlement DIFF00000's payment is refused (24016): the posting fails. DIFF00001's journal is posted,
    // then taken as unconfirmed with another amount than Zoho's copy (our record of it lost).
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 2, invoicesPer: 1, prefix: 'DIFF' });
    const pay = documents.find((d): d is PaymentDocument => d.kind === 'payment' && d.settlementId === 'DIFF00000')!;
    (pay.body.invoices[0]!.amount_applied += 5), (pay.body.amount += 5);
    const journal = documents.find((d) => d.kind === 'journal' && d.settlementId === 'DIFF00001')!;
    const prep = (await post('/api/posting/batches', 'carol', { connectionId, documents })).json();
    const id = prep.batch.id;
    expect(await approveAndPost(prep.batch)).toMatchObject({ batchState: 'failed', counts: { failed: 1 } });
    const request = { ...journal, cents: { total: journal.cents.total + 1 } };
    await t.store.exec("UPDATE batch_items SET state = 'needs_review', remote_id = NULL, request = $3, deadline_at = $4 WHERE batch_id = $1 AND idempotency_key = $2", [id, journal.idempotencyKey, JSON.stringify(request), new Date(Date.now() - 60_000).toISOString()]);
    await t.store.exec('DELETE FROM zoho_id_map WHERE idempotency_key = $1', [journal.idempotencyKey]);
    const r = await post(`/api/posting/batches/${id}/look-up-rest`, 'carol');
    expect([r.statusCode, r.statusCode === 200 ? '' : r.body]).toEqual([200, '']);
    expect(r.json().lookedUp).toMatchObject({ found: 0, notFound: 0, toCheck: 1, later: 0 });
    expect((await itemsOf(id)).find((i) => i.idempotencyKey === journal.idempotencyKey)).toMatchObject({ state: 'needs_review', zohoId: null, status: expect.stringMatching(/^Needs review: /) });
    expect(await t.store.one('SELECT zoho_id FROM zoho_id_map WHERE idempotency_key = $1', [journal.idempotencyKey])).toBeUndefined();
    // Still unsure: not closed with the refused payment.
    expect(r.json().progress).toMatchObject({ notHandedOn: 2, unsure: 1 });
    expect((await post(`/api/posting/batches/${id}/close-rest`, 'bob', { reason: 'not to be posted' })).json().closed).toMatchObject({ count: 1 });
    expect((await itemsOf(id)).find((i) => i.idempotencyKey === journal.idempotencyKey)).toMatchObject({ state: 'needs_review', closed: false });
  }, 60_000);

  // Last: it uses up the organisation's daily calls.
  it('stops at a Zoho limit: those looked up keep their outcome, the others are left for another look-up, saying why', async () => {
    // Two payments Zoho refuses (24016), as if it had not confirmed them; their last exchange ended a minute ago.
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 2, invoicesPer: 1, prefix: 'STOP' });
    const payments = documents.filter((d): d is PaymentDocument => d.kind === 'payment');
    for (const p of payments) (p.body.invoices[0]!.amount_applied += 5), (p.body.amount += 5);
    const prep = (await post('/api/posting/batches', 'carol', { connectionId, documents })).json();
    const id = prep.batch.id;
    expect(await approveAndPost(prep.batch)).toMatchObject({ batchState: 'failed', counts: { failed: 2 } });
    const [p0, p1] = payments.map((p) => p.idempotencyKey);
    await t.store.exec("UPDATE batch_items SET state = 'needs_review', deadline_at = $2 WHERE batch_id = $1 AND state = 'failed'", [id, new Date(Date.now() - 60_000).toISOString()]);
    // Zoho answers one more call today.
    sb.sandbox.limits.perDay = sb.sandbox.stats.apiCalls + 1;
    const r = await post(`/api/posting/batches/${id}/look-up-rest`, 'bob');
    expect([r.statusCode, r.statusCode === 200 ? '' : r.body]).toEqual([200, '']);
    expect(r.json().lookedUp).toMatchObject({ found: 0, notFound: 1, toCheck: 0, later: 0, notAsked: 1, stopped: expect.stringMatching(/^Zoho 45: /) });
    expect((await itemsOf(id)).map((i) => [i.idempotencyKey, i.state])).toEqual(expect.arrayContaining([[p0, 'failed'], [p1, 'needs_review']]));
    expect(await progressOf(id)).toMatchObject({ unsure: 1 });
    expect((await audits(id)).map((a) => a.details)).toEqual([expect.objectContaining({ notFound: 1, notAsked: 1, stopped: expect.stringContaining('Zoho 45') })]);
    // Again before the reset: nothing can be asked — refused with Zoho's word, nothing recorded.
    const again = await post(`/api/posting/batches/${id}/look-up-rest`, 'bob');
    expect([again.statusCode, again.json().error.code]).toEqual([502, 'zoho-unavailable']);
    expect(again.json().error.message).toMatch(/^Zoho could not be asked \(.+\): nothing was recorded; look them up again later\.$/);
    expect(await audits(id)).toHaveLength(1);
    expect(await progressOf(id)).toMatchObject({ unsure: 1 });
  }, 60_000);
});
