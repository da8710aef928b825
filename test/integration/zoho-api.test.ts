/**
 * The Connections and posting routes end to end (app.inject + the sandbox on loopback): connect an
 * organisation with a grant code (secrets never come back), test it, prepare a batch, refuse to post
 * before a second person approved, post, follow progress and read each document's status; after a
 * batch failed part-way, prepare the rest of it (documents already in Zoho left out) and post it;
 * a batch of the rest that took only part of it, then a second rest of exactly the others; the rest
 * closed without posting, and reopened.
 * (Over 400 lines: each test goes on from the connection the first made, in the one sandbox whose census they read.)
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { startZohoSandbox, type RunningSandbox } from '../../server/dev/zoho-sandbox';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import type { PaymentDocument, SettlementDocument } from '../../src/settlements/documents';
import { makeDocuments, sandboxCensus } from './zoho-fixtures';
import { createBatch } from '../../server/store/batches';

describe.each(BACKENDS)('Zoho and posting routes (%s)', (backend) => {
  let t: TestBackend;
  let app: FastifyInstance;
  let sb: RunningSandbox;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    t = await openTestBackend(backend);
    sb = await startZohoSandbox({ port: 0, register: true, limits: { perMinute: 1_000_000 } });
    const config = testConfig(t, { CLOSEDESK_STATIC_DIR: path.join(t.dir, 'dist') });
    app = await buildApp(config, { store: t.store });
    await app.ready();
    const sign = app.ctx.auth.devIssuer!.sign;
    tokens.carol = await sign({ user: 'carol', roles: ['preparer'] });
    tokens.bob = await sign({ user: 'bob', roles: ['approver'] });
    tokens.root = await sign({ user: 'root', roles: ['admin'] });
  });
  afterAll(async () => {
    await app?.close();
    await sb?.close();
    await t?.cleanup();
  });

  let connectionId = '';

  it('connects the local sandbox with a grant code, never showing a secret back', async () => {
    const dcs = await app.inject({ method: 'GET', url: '/api/zoho/data-centres', headers: as('carol') });
    expect(dcs.json().localSandbox).toBe(sb.url);
    expect(dcs.json().dataCentres.find((d: { code: string }) => d.code === 'ca').accounts).toBe('https://accounts.zohocloud.ca');
    const body = { name: 'Demo books', dataCentre: 'com', clientId: '1000.DEMO', clientSecret: 'shh-client-secret', grantCode: '1000.grant.abc', useLocalSandbox: true };
    expect((await app.inject({ method: 'POST', url: '/api/zoho/connections', headers: as('carol'), payload: body })).statusCode).toBe(403);
    const r = await app.inject({ method: 'POST', url: '/api/zoho/connections', headers: as('root'), payload: body });
    expect(r.statusCode).toBe(201);
    expect(r.json().connection).toMatchObject({ name: 'Demo books', organizationName: 'CloseDesk Demo Books', sandbox: true });
    connectionId = r.json().connection.id;
    const refreshTokens = Object.keys(sb.sandbox.state.data.refreshTokens ?? {});
    expect(refreshTokens).toHaveLength(1);
    const list = await app.inject({ method: 'GET', url: '/api/zoho/connections', headers: as('carol') });
    for (const text of [r.body, list.body]) {
      expect(text).not.toContain('shh-client-secret');
      expect(text).not.toContain(refreshTokens[0]);
    }
    // Stored encrypted: the plain values are nowhere in the secrets table.
    const rows = await t.store.query<{ name: string; ciphertext: string }>('SELECT name, ciphertext FROM secrets');
    expect(rows.map((x) => x.name).sort()).toEqual([`zoho/${connectionId}/access-token`, `zoho/${connectionId}/client-secret`, `zoho/${connectionId}/refresh-token`]);
    expect(JSON.stringify(rows)).not.toContain('shh-client-secret');
    expect(JSON.stringify(rows)).not.toContain(refreshTokens[0]);

    const tested = await app.inject({ method: 'POST', url: `/api/zoho/connections/${connectionId}/test`, headers: as('carol') });
    expect(tested.json()).toMatchObject({ ok: true, message: expect.stringContaining('CloseDesk Demo Books') });
    // The organisation's lists, for mapping names and SKUs to Zoho ids (ids stay strings).
    const lists = (await app.inject({ method: 'GET', url: `/api/zoho/connections/${connectionId}/lists`, headers: as('carol') })).json();
    expect(lists.accounts.find((a: { account_name: string }) => a.account_name === 'Amazon Clearing').account_id).toMatch(/^\d{18}$/);
    expect(lists.items.find((i: { sku?: string }) => i.sku === 'SKU-TEAPOT').name).toBe('Teapot');
    expect(lists.contacts.map((c: { contact_name: string }) => c.contact_name)).toEqual(['Amazon.com', 'Amazon.de']);
    const reused = await app.inject({ method: 'POST', url: '/api/zoho/connections', headers: as('root'), payload: { ...body, name: 'Again' } });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error.message).toMatch(/grant code was already used/);
  });

  it('prepares, refuses to post unapproved, posts after approval and reports each document', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 2, invoicesPer: 3, prefix: 'API' });
    const prep = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents, title: 'Two settlements' } });
    expect(prep.statusCode).toBe(201);
    const batch = prep.json().batch;
    const early = await app.inject({ method: 'POST', url: `/api/posting/batches/${batch.id}/start`, headers: as('carol') });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('not-approved');
    expect(sb.sandbox.stats.byOperation['POST /invoices']).toBeUndefined();
    const approve = await app.inject({ method: 'POST', url: `/api/batches/${batch.id}/approve`, headers: as('bob'), payload: { version: batch.version } });
    expect(approve.statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/posting/batches/${batch.id}/start`, headers: as('bob') })).statusCode).toBe(202);
    let progress;
    // Poll as the task pane does, until the worker stopped (its last outcome is reported); however
    // long that takes on a loaded machine: only the test's own timeout bounds it.
    for (;;) {
      progress = (await app.inject({ method: 'GET', url: `/api/posting/batches/${batch.id}/progress`, headers: as('carol') })).json();
      if (!progress.running && progress.last) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(progress.last).toMatchObject({ state: 'done' });
    expect(progress).toMatchObject({ batchState: 'done', total: 10, fraction: 1, counts: { done: 10 } });
    const items = (await app.inject({ method: 'GET', url: `/api/posting/batches/${batch.id}/items`, headers: as('carol') })).json().items;
    expect(items).toHaveLength(10);
    for (const it of items) expect(it.status).toMatch(/^Posted: \d{18}$/);
    expect(items.map((i: { kind: string }) => i.kind)).toEqual([...Array(6).fill('invoice'), 'payment', 'payment', 'journal', 'journal']);
  });

  /** Approve as bob, start, and poll as the pane does until the worker stopped; the progress. */
  async function approveAndPost(batch: { id: string; version: number }) {
    expect((await app.inject({ method: 'POST', url: `/api/batches/${batch.id}/approve`, headers: as('bob'), payload: { version: batch.version } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/posting/batches/${batch.id}/start`, headers: as('bob') })).statusCode).toBe(202);
    for (;;) {
      const p = (await app.inject({ method: 'GET', url: `/api/posting/batches/${batch.id}/progress`, headers: as('carol') })).json();
      if (!p.running && p.last) return p;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A payment Zoho refuses (24016): it applies more than its invoices' total. */
  function overApply(pay: PaymentDocument): void {
    pay.body.invoices[0].amount_applied += 5;
    pay.body.amount += 5;
  }

  /** Documents of `settlements` settlements whose payments Zoho all refuses, and those payments. */
  function refusedPayments(prefix: string, settlements: number, invoicesPer: number): { documents: SettlementDocument[]; payments: PaymentDocument[] } {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements, invoicesPer, prefix });
    const payments = documents.filter((d): d is PaymentDocument => d.kind === 'payment');
    for (const pay of payments) overApply(pay);
    return { documents, payments };
  }

  it('prepares the rest of a failed batch only on request, leaving out what Zoho holds; the rest is approved and posted once', async () => {
    const built = () => makeDocuments(sb.sandbox.state.seedIds(), { settlements: 2, invoicesPer: 2, prefix: 'REST' });
    // Settlement REST00001's payment applies more than its invoices' total: Zoho refuses it (24016).
    const documents = built();
    const pay = documents.find((d): d is PaymentDocument => d.kind === 'payment' && d.settlementId === 'REST00001')!;
    overApply(pay);
    const first = (await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents } })).json();
    expect(first.leftOut).toBe(0);
    const ended = await approveAndPost(first.batch);
    expect(ended).toMatchObject({ batchState: 'failed', counts: { done: 7, failed: 1 } });

    // The user fixed the payment and built again. Without the option: refused as before, nothing prepared.
    const fixed = built();
    const batchesBefore = (await t.store.one<{ n: number }>('SELECT COUNT(*) AS n FROM batches'))!.n;
    const refused = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('already-posted');
    expect(refused.json().error.message).toMatch(/^7 of these documents are already in Zoho: (REST\S+ \(Zoho \d{18}\), ){4}REST\S+ \(Zoho \d{18}\) …\. Remove them from the batch\.$/);
    expect((await t.store.one<{ n: number }>('SELECT COUNT(*) AS n FROM batches'))!.n).toBe(batchesBefore);
    // The option is validated like the rest of the input.
    expect((await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed, rest: 'yes' } })).statusCode).toBe(400);

    // With it: the new batch holds exactly the documents not in the id map, and says how many it left out.
    const rest = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed, rest: true, title: 'The rest' } });
    expect([rest.statusCode, rest.statusCode === 201 ? '' : rest.body]).toEqual([201, '']);
    expect(rest.json()).toMatchObject({ leftOut: 7, batch: { state: 'awaiting_approval', payload: { counts: { payment: 1 } } } });
    const restBatch = rest.json().batch;
    const detail = (await app.inject({ method: 'GET', url: `/api/batches/${restBatch.id}`, headers: as('carol') })).json();
    expect(detail.items.map((i: { idempotencyKey: string }) => i.idempotencyKey)).toEqual([pay.idempotencyKey]);
    const audit = await t.store.one<{ actor: string; details: string }>("SELECT actor, details FROM audit_log WHERE action = 'batch.prepared' AND subject_id = $1", [restBatch.id]);
    expect(JSON.parse(audit!.details)).toMatchObject({ leftOut: 7, counts: { payment: 1 }, takenOverFrom: [first.batch.id] });
    // The failed batch says where its rest went (progress, inbox); a second pane still showing it cannot prepare the rest again.
    expect((await app.inject({ method: 'GET', url: `/api/posting/batches/${first.batch.id}/progress`, headers: as('carol') })).json()).toMatchObject({ handedOn: [{ batchId: restBatch.id, count: 1 }], notHandedOn: 0 });
    const inbox = (await app.inject({ method: 'GET', url: '/api/batches/inbox', headers: as('bob') })).json();
    expect(inbox.entries.find((e: { batch: { id: string } }) => e.batch.id === first.batch.id)).toMatchObject({ handedOn: [{ batchId: restBatch.id, count: 1 }], notHandedOn: 0 });
    const twice = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed, rest: true } });
    expect(twice.json().error).toMatchObject({ code: 'duplicate-idempotency-key', message: expect.stringContaining(`already part of batch ${restBatch.id}`) });
    // Maker-checker as for any batch: its preparer may not approve it, nor post it unapproved.
    expect((await app.inject({ method: 'POST', url: `/api/batches/${restBatch.id}/approve`, headers: as('carol'), payload: { version: restBatch.version } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/api/posting/batches/${restBatch.id}/start`, headers: as('carol') })).json().error.code).toBe('not-approved');
    expect(await approveAndPost(restBatch)).toMatchObject({ batchState: 'done', counts: { done: 1 } });
    // Every document of the settlements is in Zoho exactly once, every invoice paid once.
    const census = sandboxCensus(sb, fixed);
    expect(census.duplicates).toEqual([]);
    expect(census.missing).toEqual([]);
    expect(census.unpaid).toEqual([]);

    // Its rest all went into that batch: there is nothing left to close without posting either.
    const noRest = await app.inject({ method: 'POST', url: `/api/posting/batches/${first.batch.id}/close-rest`, headers: as('carol'), payload: { reason: 'not to be posted' } });
    expect([noRest.statusCode, noRest.json().error.code]).toEqual([400, 'nothing-left']);
    expect(await t.store.one('SELECT batch_id FROM posting_rest_closed WHERE batch_id = $1', [first.batch.id])).toBeUndefined();

    // Nothing left: a clear 400, nothing prepared.
    const none = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed, rest: true } });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatchObject({ code: 'nothing-left', message: 'All 8 documents are already in Zoho: there is nothing left to post.' });
  });

  it('a batch of the rest that took only part: the failed batch says how many went where and how many are left; a second rest takes exactly those, each posted once', async () => {
    const built = () => makeDocuments(sb.sandbox.state.seedIds(), { settlements: 2, invoicesPer: 2, prefix: 'PART' });
    // Both settlements' payments apply more than their invoices' total: Zoho refuses them (24016).
    const { documents, payments } = refusedPayments('PART', 2, 2);
    const first = (await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents } })).json();
    expect(await approveAndPost(first.batch)).toMatchObject({ batchState: 'failed', counts: { done: 6, failed: 2 }, handedOn: [], notHandedOn: 2 });
    const [p0, p1] = payments.map((p) => p.idempotencyKey);

    // A preparer prepares the rest from a workbook that holds only the first settlement's payment.
    const fixed = built();
    const part = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed.filter((d) => d.idempotencyKey !== p1), rest: true } });
    expect([part.statusCode, part.statusCode === 201 ? '' : part.body]).toEqual([201, '']);
    const b = part.json().batch;
    expect(part.json()).toMatchObject({ leftOut: 6, heldElsewhere: [] });
    const progressOf = async (id: string) => (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/progress`, headers: as('carol') })).json();
    const inboxEntry = async (id: string) => (await app.inject({ method: 'GET', url: '/api/batches/inbox', headers: as('bob') })).json().entries.find((e: { batch: { id: string } }) => e.batch.id === id);
    // One of its two went into that batch, one is in none: the failed batch says so, and still asks for a batch of the other.
    expect(await progressOf(first.batch.id)).toMatchObject({ handedOn: [{ batchId: b.id, count: 1 }], notHandedOn: 1 });
    expect(await inboxEntry(first.batch.id)).toMatchObject({ handedOn: [{ batchId: b.id, count: 1 }], notHandedOn: 1 });

    // The rest again, from the whole workbook: what Zoho holds and what that batch holds are left out; the new batch takes exactly the other one.
    const again = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed, rest: true } });
    expect([again.statusCode, again.statusCode === 201 ? '' : again.body]).toEqual([201, '']);
    expect(again.json()).toMatchObject({ leftOut: 6, heldElsewhere: [{ batchId: b.id, count: 1 }] });
    const c = again.json().batch;
    const keysOf = async (id: string) => (await app.inject({ method: 'GET', url: `/api/batches/${id}`, headers: as('carol') })).json().items.map((i: { idempotencyKey: string }) => i.idempotencyKey);
    expect([await keysOf(b.id), await keysOf(c.id)]).toEqual([[p0], [p1]]);
    const audit = await t.store.one<{ details: string }>("SELECT details FROM audit_log WHERE action = 'batch.prepared' AND subject_id = $1", [c.id]);
    expect(JSON.parse(audit!.details)).toMatchObject({ leftOut: 6, heldElsewhere: [{ batchId: b.id, count: 1 }], takenOverFrom: [first.batch.id] });
    const whole = { handedOn: [{ batchId: b.id, count: 1 }, { batchId: c.id, count: 1 }].sort((x, y) => (x.batchId < y.batchId ? -1 : 1)), notHandedOn: 0 };
    expect(await progressOf(first.batch.id)).toMatchObject(whole);
    expect(await inboxEntry(first.batch.id)).toMatchObject(whole);
    // Nothing is left: a third rest would send what those two batches hold twice, and is refused.
    const third = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed, rest: true } });
    expect([third.statusCode, third.json().error.code]).toEqual([409, 'duplicate-idempotency-key']);
    expect(third.json().error.message).toMatch(/^The 2 documents not in Zoho are already part of batches bat_\S+, bat_\S+, so they would be sent twice: there is nothing left to prepare\.$/);

    expect(await approveAndPost(c)).toMatchObject({ batchState: 'done', counts: { done: 1 } });
    expect(await approveAndPost(b)).toMatchObject({ batchState: 'done', counts: { done: 1 } });
    const census = sandboxCensus(sb, fixed);
    expect(census.duplicates).toEqual([]);
    expect(census.missing).toEqual([]);
    expect(census.unpaid).toEqual([]);

    // The sheets' STATUS: where each document of the workbook is now — the six the first batch
    // posted (left out of both batches of the rest) and the two payments, whichever batch posted them.
    const statuses = (await app.inject({ method: 'POST', url: '/api/posting/statuses', headers: as('carol'), payload: { keys: fixed.map((d) => d.idempotencyKey) } })).json().statuses;
    expect(statuses.map((st: { idempotencyKey: string }) => st.idempotencyKey).sort()).toEqual(fixed.map((d) => d.idempotencyKey).sort());
    for (const st of statuses) expect(st).toMatchObject({ state: 'done', status: expect.stringMatching(/^Posted: \d{18}$/) });
    expect((await app.inject({ method: 'POST', url: '/api/posting/statuses', headers: as('carol'), payload: { keys: ['nobody:holds:this'] } })).json().statuses).toEqual([]);
  });

  // Last: the settlement it closes stays unpaid in the sandbox, whose census the tests before it read whole.
  it('closes the rest of a failed posting without posting: nothing more is sent, no batch of the rest takes it, and the batch says who closed how many and why', async () => {
    const built = () => makeDocuments(sb.sandbox.state.seedIds(), { settlements: 2, invoicesPer: 2, prefix: 'SHUT' });
    // Both payments apply more than their invoices' total: Zoho refuses them (24016).
    const { documents, payments } = refusedPayments('SHUT', 2, 2);
    const first = (await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents } })).json();
    const id = first.batch.id;
    const url = `/api/posting/batches/${id}/close-rest`;
    const close = (who: string, payload: unknown) => app.inject({ method: 'POST', url, headers: as(who), payload: payload as Record<string, unknown> });
    // Only the rest of an ended posting is closed: not one awaiting approval.
    expect([(await close('carol', { reason: 'x' })).statusCode, (await close('carol', { reason: 'x' })).json().error.code]).toEqual([409, 'not-ended']);
    expect(await approveAndPost(first.batch)).toMatchObject({ batchState: 'failed', counts: { done: 6, failed: 2 }, notHandedOn: 2 });
    const [p0, p1] = payments.map((p) => p.idempotencyKey);
    // A batch of the rest takes the first payment (the workbook holds only that one), and is posted.
    const fixed = built();
    const part = (await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed.filter((d) => d.idempotencyKey !== p1), rest: true } })).json();
    expect(await approveAndPost(part.batch)).toMatchObject({ batchState: 'done', counts: { done: 1 } });
    const before = sandboxCensus(sb, fixed);
    expect(before.missing).toEqual([`payment:${payments[1]!.body.reference_number}`]);
    const requests = JSON.stringify(sb.sandbox.stats.byOperation);

    // Who may, and what the reason must be: a preparer or an approver (an admin may do all), a reason of 1 to 500 characters.
    expect(app.routeTable().find((r) => r.method === 'POST' && r.url === '/api/posting/batches/:id/close-rest')).toMatchObject({ roles: ['preparer', 'approver'] });
    expect((await app.inject({ method: 'POST', url, payload: { reason: 'not to be posted' } })).statusCode).toBe(401);
    for (const bad of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 7 }]) expect((await close('bob', bad)).statusCode).toBe(400);
    expect(await t.store.one('SELECT batch_id FROM posting_rest_closed WHERE batch_id = $1', [id])).toBeUndefined();

    const closed = await close('bob', { reason: ' Settlement SHUT00002 is posted by hand. ' });
    expect([closed.statusCode, closed.statusCode === 200 ? '' : closed.body]).toEqual([200, '']);
    expect(closed.json().closed).toMatchObject({ batchId: id, count: 1, byName: 'bob', reason: 'Settlement SHUT00002 is posted by hand.' });
    const whole = { handedOn: [{ batchId: part.batch.id, count: 1 }], notHandedOn: 0, closed: { count: 1, byName: 'bob', reason: 'Settlement SHUT00002 is posted by hand.' } };
    expect(closed.json().progress).toMatchObject({ batchState: 'failed', counts: { done: 6, failed: 2 }, ...whole });
    expect((await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/progress`, headers: as('carol') })).json()).toMatchObject(whole);
    expect((await app.inject({ method: 'GET', url: '/api/batches/inbox', headers: as('carol') })).json().entries.find((e: { batch: { id: string } }) => e.batch.id === id)).toMatchObject(whole);
    // The audit names who, how many and why.
    const audit = await t.store.query<{ actor: string; details: string }>("SELECT actor, details FROM audit_log WHERE action = 'posting.rest-closed' AND subject_id = $1", [id]);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toContain('bob');
    expect(JSON.parse(audit[0]!.details)).toEqual({ count: 1, reason: 'Settlement SHUT00002 is posted by hand.', byName: 'bob' });
    // Each document's status: the closed payment says so; the other went into the batch of the rest.
    const items = (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/items`, headers: as('carol') })).json().items;
    expect(items.find((i: { idempotencyKey: string }) => i.idempotencyKey === p1)).toMatchObject({ state: 'failed', closed: true, status: expect.stringMatching(/^Closed without posting \(Zoho 24016: /) });
    expect(items.find((i: { idempotencyKey: string }) => i.idempotencyKey === p0)).toMatchObject({ state: 'failed', closed: false });

    // Closing twice (a retry too) changes nothing and says who closed it and why.
    const twice = await close('carol', { reason: 'again' });
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, 'already-closed']);
    expect(twice.json().error.message).toMatch(new RegExp(`^The 1 document not posted in batch ${id} was already closed without posting by bob at \\S+: Settlement SHUT00002 is posted by hand\\.$`));
    expect((await t.store.query("SELECT seq FROM audit_log WHERE action = 'posting.rest-closed' AND subject_id = $1", [id])).length).toBe(1);

    // A batch of the rest from the whole workbook takes nothing: the closed payment is left out like the posted documents.
    const batches = (await t.store.one<{ n: number }>('SELECT COUNT(*) AS n FROM batches'))!.n;
    const rest = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed, rest: true } });
    expect([rest.statusCode, rest.json().error.code]).toEqual([400, 'nothing-left']);
    expect(rest.json().error.message).toBe(`Of these 8 documents, 7 are already in Zoho and 1 was closed without posting (batch ${id}): there is nothing left to post.`);
    // Nor does a whole new batch with it: refused, saying why.
    const again = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed.filter((d) => d.idempotencyKey === p1) } });
    expect([again.statusCode, again.json().error.code]).toEqual([400, 'closed-without-posting']);
    expect(again.json().error.message).toBe(`1 of these documents was closed without posting: ${p1} (batch ${id}). Remove it from the batch.`);
    expect((await t.store.one<{ n: number }>('SELECT COUNT(*) AS n FROM batches'))!.n).toBe(batches);
    // Not started again, and nothing more reached Zoho: the census is as before the close.
    const start = await app.inject({ method: 'POST', url: `/api/posting/batches/${id}/start`, headers: as('bob') });
    expect([start.statusCode, start.json().error.code]).toEqual([409, 'already-finished']);
    expect(start.json().error.message).toContain(`1 of the 2 not posted went into batch ${part.batch.id}; the other 1 was closed without posting by bob: Settlement SHUT00002 is posted by hand.`);
    expect(JSON.stringify(sb.sandbox.stats.byOperation)).toBe(requests);
    expect(sandboxCensus(sb, fixed)).toEqual(before);
  });

  // (after the close above, for the same reason)
  it('does not close without posting a document sent and not confirmed: it may be in Zoho already, and a batch of the rest looks it up', async () => {
    const { documents, payments } = refusedPayments('UNSURE', 2, 1);
    const first = (await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents } })).json();
    const id = first.batch.id;
    expect(await approveAndPost(first.batch)).toMatchObject({ batchState: 'failed', counts: { failed: 2 }, notHandedOn: 2 });
    const [p0, p1] = payments.map((p) => p.idempotencyKey);
    // Both payments as if Zoho had not confirmed them (a timeout: they may be there)
    await t.store.exec("UPDATE batch_items SET state = 'needs_review' WHERE batch_id = $1 AND idempotency_key IN ($2, $3)", [id, p0, p1]);
    const progress = async () => (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/progress`, headers: as('carol') })).json();
    expect(await progress()).toMatchObject({ notHandedOn: 2, unsure: 2 });
    const close = () => app.inject({ method: 'POST', url: `/api/posting/batches/${id}/close-rest`, headers: as('bob'), payload: { reason: 'not to be posted' } });
    const refused = await close();
    expect([refused.statusCode, refused.json().error.code]).toEqual([400, 'to-check-first']);
    expect(refused.json().error.message).toBe(
      `The 2 documents not posted in batch ${id} were sent without Zoho confirming them, so they may be in Zoho already and are not closed without posting: look them up in Zoho from the posting panel (those found are recorded as posted, the others may then be closed), or prepare a batch of the rest, which looks each up before sending anything.`,
    );
    expect(await t.store.one('SELECT batch_id FROM posting_rest_closed WHERE batch_id = $1', [id])).toBeUndefined();
    // One refused for good, one unsure: only the refused one is closed; the unsure one is still left for a batch of the rest.
    await t.store.exec("UPDATE batch_items SET state = 'failed' WHERE batch_id = $1 AND idempotency_key = $2", [id, p1]);
    const closed = await close();
    expect([closed.statusCode, closed.statusCode === 200 ? '' : closed.body]).toEqual([200, '']);
    expect(closed.json().closed).toMatchObject({ count: 1 });
    expect(await progress()).toMatchObject({ notHandedOn: 1, unsure: 1, closed: { count: 1 } });
    const items = (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/items`, headers: as('carol') })).json().items;
    expect(items.find((i: { idempotencyKey: string }) => i.idempotencyKey === p0)).toMatchObject({ state: 'needs_review', closed: false });
    expect(items.find((i: { idempotencyKey: string }) => i.idempotencyKey === p1)).toMatchObject({ state: 'failed', closed: true });
    // A batch of the rest takes the unsure one (and leaves the closed one out)
    const rest = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents, rest: true } });
    expect([rest.statusCode, rest.statusCode === 201 ? '' : rest.body]).toEqual([201, '']);
    expect(rest.json()).toMatchObject({ closedLeftOut: 1 });
    const keys = (await app.inject({ method: 'GET', url: `/api/batches/${rest.json().batch.id}`, headers: as('carol') })).json().items.map((i: { idempotencyKey: string }) => i.idempotencyKey);
    expect(keys).toEqual([p0]);
  });

  // (after the closes above: its census reads only its own documents)
  it('reopens a closed rest: its documents are left again, taken by new batches and posted once each; a second reopen is refused and records nothing, and the rest may be closed again', async () => {
    const { documents, payments } = refusedPayments('OPEN', 2, 2);
    const first = (await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents } })).json();
    const id = first.batch.id;
    expect(await approveAndPost(first.batch)).toMatchObject({ batchState: 'failed', counts: { done: 6, failed: 2 }, notHandedOn: 2 });
    const [p0, p1] = payments.map((p) => p.idempotencyKey);
    const url = `/api/posting/batches/${id}/reopen-rest`;
    const reopen = (who: string, payload: unknown) => app.inject({ method: 'POST', url, headers: as(who), payload: payload as Record<string, unknown> });
    const close = (who: string, reason: string) => app.inject({ method: 'POST', url: `/api/posting/batches/${id}/close-rest`, headers: as(who), payload: { reason } });
    const progressOf = async () => (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/progress`, headers: as('carol') })).json();
    const inboxEntry = async () => (await app.inject({ method: 'GET', url: '/api/batches/inbox', headers: as('bob') })).json().entries.find((e: { batch: { id: string } }) => e.batch.id === id);
    const audits = async (action: string) => (await t.store.query<{ actor: string; details: string }>('SELECT actor, details FROM audit_log WHERE action = $1 AND subject_id = $2 ORDER BY seq', [action, id])).map((a) => ({ actor: a.actor, details: JSON.parse(a.details) }));
    const notClosed = `No document of batch ${id} is closed without posting: there is nothing to reopen.`;

    // Nothing closed yet: refused, saying so, and nothing recorded.
    const early = await reopen('bob', { reason: 'x' });
    expect([early.statusCode, early.json().error]).toEqual([409, { code: 'not-closed', message: notClosed }]);
    expect(await audits('posting.rest-reopened')).toEqual([]);

    expect((await close('carol', 'Refused for good.')).statusCode).toBe(200);
    expect(await progressOf()).toMatchObject({ notHandedOn: 0, closed: { count: 2, byName: 'carol' } });
    const requests = JSON.stringify(sb.sandbox.stats.byOperation);

    // Who may: whoever may close (the same rule); the reason of 1 to 500 characters, as for closing.
    expect(app.routeTable().find((r) => r.method === 'POST' && r.url === '/api/posting/batches/:id/reopen-rest')).toMatchObject({ roles: ['preparer', 'approver'] });
    expect((await app.inject({ method: 'POST', url, payload: { reason: 'post them' } })).statusCode).toBe(401);
    for (const bad of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 7 }]) expect((await reopen('bob', bad)).statusCode).toBe(400);
    expect(await t.store.one('SELECT batch_id FROM posting_rest_closed WHERE batch_id = $1', [id])).toBeDefined();
    // Not a posting batch: refused as closing is.
    const other = (await createBatch(t.store, { job: 'delivery', kind: 'delivery', preparedBy: { id: 'carol', name: 'carol' }, payload: {} })).id;
    for (const verb of ['close-rest', 'reopen-rest']) {
      const r = await app.inject({ method: 'POST', url: `/api/posting/batches/${other}/${verb}`, headers: as('bob'), payload: { reason: 'x' } });
      expect([verb, r.statusCode, r.json().error.code]).toEqual([verb, 409, 'not-a-posting-batch']);
    }

    const reopened = await reopen('bob', { reason: ' Finance posts them after all. ' });
    expect([reopened.statusCode, reopened.statusCode === 200 ? '' : reopened.body]).toEqual([200, '']);
    expect(reopened.json().reopened).toMatchObject({ batchId: id, count: 2, byName: 'bob', reason: 'Finance posts them after all.', closed: { byName: 'carol', reason: 'Refused for good.' } });
    // Left again: the batch counts them as not handed on, and nothing says they were closed.
    const left = { handedOn: [], notHandedOn: 2 };
    expect(reopened.json().progress).toMatchObject({ batchState: 'failed', counts: { done: 6, failed: 2 } });
    for (const p of [reopened.json().progress, await progressOf(), await inboxEntry()]) {
      expect(p).toMatchObject(left);
      expect(p.closed).toBeUndefined();
    }
    expect(await t.store.one('SELECT batch_id FROM posting_rest_closed WHERE batch_id = $1', [id])).toBeUndefined();
    const items = (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/items`, headers: as('carol') })).json().items;
    for (const k of [p0, p1]) expect(items.find((i: { idempotencyKey: string }) => i.idempotencyKey === k)).toMatchObject({ state: 'failed', closed: false, status: expect.stringMatching(/^Zoho 24016: /) });
    // The audit names who, how many and why, and who had closed them and why.
    const audit = await audits('posting.rest-reopened');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toContain('bob');
    expect(audit[0]!.details).toEqual({ count: 2, reason: 'Finance posts them after all.', byName: 'bob', closed: { byName: 'carol', reason: 'Refused for good.', at: expect.any(String) } });
    // The refusal to start it again offers the batch of the rest again.
    expect((await app.inject({ method: 'POST', url: `/api/posting/batches/${id}/start`, headers: as('bob') })).json().error.message).toContain('then a preparer prepares a batch of the 2 not posted on the Settlements page.');

    // A retry: refused as nothing is closed, nothing recorded.
    const twice = await reopen('carol', { reason: 'again' });
    expect([twice.statusCode, twice.json().error]).toEqual([409, { code: 'not-closed', message: notClosed }]);
    expect(await audits('posting.rest-reopened')).toHaveLength(1);

    // Closed again (one close at a time) and reopened again, by a preparer: each recorded with its own reasons.
    const closedAgain = await close('carol', 'Closed again.');
    expect([closedAgain.statusCode, closedAgain.json().closed?.count]).toEqual([200, 2]);
    const again = await reopen('carol', { reason: 'Posted after all.' });
    expect([again.statusCode, again.json().reopened?.count]).toEqual([200, 2]);
    expect((await audits('posting.rest-reopened')).map((a) => [a.details.byName, a.details.reason, a.details.closed.reason])).toEqual([
      ['bob', 'Finance posts them after all.', 'Refused for good.'],
      ['carol', 'Posted after all.', 'Closed again.'],
    ]);
    expect((await audits('posting.rest-closed')).length).toBe(2);
    // Reopening sent nothing to Zoho.
    expect(JSON.stringify(sb.sandbox.stats.byOperation)).toBe(requests);

    // The payments fixed: a whole new batch of one is no longer refused, and a batch of the rest takes exactly the other.
    const fixed = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 2, invoicesPer: 2, prefix: 'OPEN' });
    const whole = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed.filter((d) => d.idempotencyKey === p1) } });
    expect([whole.statusCode, whole.statusCode === 201 ? '' : whole.body]).toEqual([201, '']);
    const rest = await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents: fixed, rest: true } });
    expect([rest.statusCode, rest.statusCode === 201 ? '' : rest.body]).toEqual([201, '']);
    expect(rest.json()).toMatchObject({ leftOut: 6, heldElsewhere: [{ batchId: whole.json().batch.id, count: 1 }], closedLeftOut: 0 });
    const keysOf = async (b: string) => (await app.inject({ method: 'GET', url: `/api/batches/${b}`, headers: as('carol') })).json().items.map((i: { idempotencyKey: string }) => i.idempotencyKey);
    expect([await keysOf(whole.json().batch.id), await keysOf(rest.json().batch.id)]).toEqual([[p1], [p0]]);
    // Their invoices are unpaid until then.
    const ours = fixed.flatMap((d) => (d.kind === 'invoice' ? [d.body.invoice_number] : []));
    expect(sandboxCensus(sb, fixed).unpaid).toEqual(expect.arrayContaining(ours));
    expect(await approveAndPost(whole.json().batch)).toMatchObject({ batchState: 'done', counts: { done: 1 } });
    expect(await approveAndPost(rest.json().batch)).toMatchObject({ batchState: 'done', counts: { done: 1 } });
    expect(await progressOf()).toMatchObject({ notHandedOn: 0, handedOn: [{ count: 1 }, { count: 1 }] });
    // Every document of the two settlements in Zoho exactly once, every invoice paid.
    const census = sandboxCensus(sb, fixed);
    expect(census.duplicates).toEqual([]);
    expect(census.missing).toEqual([]);
    // (the settlements closed by the tests before stay unpaid)
    expect(census.unpaid.filter((n) => ours.includes(n))).toEqual([]);
  });
});
