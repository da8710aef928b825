/**
 * The census after a batch: a duplicate planted directly in the sandbox (another process posted the
 * same journal while the batch ran) puts the batch in `needs review` with the evidence — both Zoho
 * ids and amounts — and an audit entry, never "Posted all N". Through the routes, a preparer
 * proposes to keep one copy and remove the other; the correction batch waits for a second person's
 * approval like any posting, then removes the copy from Zoho, and the batch counts as posted.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import type { RunningSandbox, WriteHook } from '../../server/dev/zoho-sandbox';
import { idMapOfBatch } from '../../server/posting/idmap';
import { requireBatch } from '../../server/store/batches';
import { saveConnectionWithRefreshToken } from '../../server/zoho/connections';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { makeDocuments, sandboxCensus, startSandbox } from './zoho-fixtures';

describe.each(BACKENDS)('census and review (%s)', (backend) => {
  let t: TestBackend;
  let app: FastifyInstance;
  let sb: RunningSandbox;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  let connectionId = '';
  // The planted copy: when the batch's journal for settlement N00001 arrives, a copy of it is already in the books.
  let planted: string | null = null;
  const plant: WriteHook = async ({ template, body }) => {
    const b = body as { reference_number?: string; journal_date?: string; line_items?: { account_id: string; debit_or_credit: 'debit' | 'credit'; amount: number }[] };
    if (template !== '/journals' || b.reference_number !== 'N00001' || planted) return;
    const books = sb.sandbox.state.data.books[0]!;
    planted = sb.sandbox.state.newId();
    const cents = Math.round((b.line_items ?? []).filter((l) => l.debit_or_credit === 'debit').reduce((s, l) => s + l.amount, 0) * 100);
    books.journals.push({ journal_id: planted, entry_number: 'X1', journal_date: b.journal_date ?? '', reference_number: 'N00001', notes: 'posted by someone else', status: 'draft', totalCents: cents, line_items: [], created_time: '' });
  };

  beforeAll(async () => {
    t = await openTestBackend(backend);
    sb = await startSandbox({ beforeWrite: plant });
    const config = testConfig(t, { CLOSEDESK_STATIC_DIR: path.join(t.dir, 'dist') });
    app = await buildApp(config, { store: t.store });
    await app.ready();
    const sign = app.ctx.auth.devIssuer!.sign;
    tokens.carol = await sign({ user: 'carol', roles: ['preparer'] });
    tokens.bob = await sign({ user: 'bob', roles: ['approver'] });
    tokens.dave = await sign({ user: 'dave', roles: ['approver'] });
    const seed = sb.sandbox.state.seedIds();
    connectionId = (
      await saveConnectionWithRefreshToken(
        { store: t.store, secrets: app.ctx.secrets },
        { name: 'Sandbox', dataCentre: 'com', clientId: 'c', clientSecret: 's', refreshToken: sb.sandbox.issueRefreshToken('c', 's'), organizationId: seed.organizationId, accountsUrl: sb.url, apiUrl: sb.apiBase, createdBy: 'root', perMinute: 1_000_000, lateWriteMarginMs: 250 },
      )
    ).id;
  });
  afterAll(async () => {
    await app?.close();
    await sb?.close();
    await t?.cleanup();
  });

  const waitUntilFinished = async (id: string) => {
    for (;;) {
      const p = (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/progress`, headers: as('carol') })).json();
      if (!p.running && p.batchState !== 'sending' && p.batchState !== 'approved') return p;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('a planted duplicate puts the batch in review with both ids and amounts; keeping one after a second approval settles it', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 3, invoicesPer: 2, prefix: 'N' });
    const batch = (await app.inject({ method: 'POST', url: '/api/posting/batches', headers: as('carol'), payload: { connectionId, documents } })).json().batch;
    expect((await app.inject({ method: 'POST', url: `/api/batches/${batch.id}/approve`, headers: as('bob'), payload: { version: batch.version } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/posting/batches/${batch.id}/start`, headers: as('bob') })).statusCode).toBe(202);
    const progress = await waitUntilFinished(batch.id);
    expect(planted).not.toBeNull();
    expect(progress.batchState).toBe('needs_review');
    expect(progress.last.state).toBe('needs_review');
    expect(progress.last.message).not.toMatch(/Posted all/);
    expect(progress.last.message).toMatch(/duplicate journal N00001/);

    // The evidence: both Zoho ids and their amounts, which one the batch recorded.
    const findings = (await app.inject({ method: 'GET', url: `/api/posting/batches/${batch.id}/findings`, headers: as('dave') })).json().findings;
    const journal = documents.find((d) => d.kind === 'journal' && d.settlementId === 'N00001')!;
    const recorded = (await idMapOfBatch(t.store, batch.id)).find((e) => e.idempotencyKey === journal.idempotencyKey)!.zohoId;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      type: 'duplicate',
      state: 'open',
      kind: 'journal',
      key: { field: 'reference_number', value: 'N00001' },
      expectedCents: journal.cents.total,
      recordedId: recorded,
    });
    expect(new Set(findings[0].copies.map((c: { zohoId: string }) => c.zohoId))).toEqual(new Set([recorded, planted]));
    expect(findings[0].copies.every((c: { cents: number }) => c.cents === journal.cents.total)).toBe(true);
    const open = (await app.inject({ method: 'GET', url: '/api/posting/findings', headers: as('dave') })).json().findings;
    expect(open.map((f: { id: string }) => f.id)).toEqual([findings[0].id]);
    const audit = (await app.ctx.audit.recent({ subjectType: 'batch', subjectId: batch.id })).find((e) => e.action === 'posting.needs-review')!;
    expect(audit.details).toMatchObject({ findings: [{ type: 'duplicate', recordedId: recorded, copies: expect.arrayContaining([expect.objectContaining({ zohoId: planted })]) }] });

    // Keep ours, remove the planted copy: prepared by carol, so carol cannot approve it; bob can.
    const proposed = await app.inject({ method: 'POST', url: `/api/posting/findings/${findings[0].id}/correct`, headers: as('carol'), payload: { keepZohoId: recorded } });
    expect(proposed.statusCode).toBe(201);
    const correction = proposed.json().batch;
    expect(correction).toMatchObject({ state: 'awaiting_approval', preparedBy: 'urn:closedesk:dev-issuer#carol', preparedByName: 'carol' });
    expect(proposed.json().finding.state).toBe('correcting');
    const early = await app.inject({ method: 'POST', url: `/api/posting/batches/${correction.id}/start`, headers: as('bob') });
    expect(early.statusCode).toBe(409);
    expect(sb.sandbox.state.data.books[0]!.journals.filter((j) => j.reference_number === 'N00001')).toHaveLength(2);
    expect((await app.inject({ method: 'POST', url: `/api/batches/${correction.id}/approve`, headers: as('carol'), payload: { version: correction.version } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/api/batches/${correction.id}/approve`, headers: as('bob'), payload: { version: correction.version } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/posting/batches/${correction.id}/start`, headers: as('bob') })).statusCode).toBe(202);
    const done = await waitUntilFinished(correction.id);
    expect(done.batchState).toBe('done');

    const left = sb.sandbox.state.data.books[0]!.journals.filter((j) => j.reference_number === 'N00001');
    expect(left.map((j) => j.journal_id)).toEqual([recorded]);
    expect(sandboxCensus(sb, documents).duplicates).toEqual([]);
    const after = (await app.inject({ method: 'GET', url: `/api/posting/batches/${batch.id}/findings`, headers: as('carol') })).json().findings;
    expect(after[0]).toMatchObject({ state: 'resolved', resolution: { action: 'kept-one', keepZohoId: recorded, removed: [planted] } });
    expect((await requireBatch(t.store, batch.id)).state).toBe('done');
    const actions = (await app.ctx.audit.recent({ subjectType: 'batch', subjectId: correction.id })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['posting.correction-prepared', 'posting.correction-done']));
  });
});
