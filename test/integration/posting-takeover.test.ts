/**
 * The posting routes around a batch's end and a silent worker: `start` and `resume` on a finished
 * batch answer 409 with how it ended and write nothing to the audit; documents held by a worker
 * that has been silent for longer than its lease time (here: a host whose clock ran an hour ahead
 * when it wrote its leases) are shown to the pane and taken over by an approver, with the reason
 * in the audit — refused while the holder is alive, and to anyone but an approver.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import type { RunningSandbox } from '../../server/dev/zoho-sandbox';
import { registerWorker } from '../../server/queue/workers';
import { requireBatch, setBatchState } from '../../server/store/batches';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { approvedBatch, connectSandbox, makeDocuments, sandboxCensus, startSandbox } from './zoho-fixtures';

describe.each(BACKENDS)('posting routes: finished batches and silent workers (%s)', (backend) => {
  let t: TestBackend;
  let app: FastifyInstance;
  let sb: RunningSandbox;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  let connectionId = '';

  beforeAll(async () => {
    t = await openTestBackend(backend);
    sb = await startSandbox();
    const config = testConfig(t, { CLOSEDESK_STATIC_DIR: path.join(t.dir, 'dist'), CLOSEDESK_POSTING_LEASE_SECONDS: '2' });
    app = await buildApp(config, { store: t.store });
    await app.ready();
    const sign = app.ctx.auth.devIssuer!.sign;
    tokens.carol = await sign({ user: 'carol', roles: ['preparer'] });
    tokens.bob = await sign({ user: 'bob', roles: ['approver'] });
    connectionId = (await connectSandbox(t.store, app.ctx.secrets, sb)).id;
    await t.store.exec('UPDATE zoho_connections SET per_minute = 1000000 WHERE id = $1', [connectionId]);
  });
  afterAll(async () => {
    await app?.close();
    await sb?.close();
    await t?.cleanup();
  });

  const connection = async () => ({ id: connectionId, organizationId: sb.sandbox.state.seedIds().organizationId }) as Parameters<typeof approvedBatch>[1];
  const auditCount = async () => Number((await t.store.one<{ n: number }>('SELECT COUNT(*) AS n FROM audit_log'))!.n);
  const finished = async (id: string) => {
    for (;;) {
      const p = (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/progress`, headers: as('carol') })).json();
      if (p.batchState !== 'sending' && p.batchState !== 'approved' && !p.running) return p;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('a finished batch: start and resume answer 409 with how it ended, and the audit stays as it was', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 1, invoicesPer: 3, prefix: 'T' });
    const id = await approvedBatch(t.store, await connection(), documents);
    expect((await app.inject({ method: 'POST', url: `/api/posting/batches/${id}/start`, headers: as('bob') })).statusCode).toBe(202);
    expect((await finished(id)).batchState).toBe('done');
    const at = (await requireBatch(t.store, id)).updatedAt;
    const before = await auditCount();
    for (const verb of ['start', 'resume']) {
      const r = await app.inject({ method: 'POST', url: `/api/posting/batches/${id}/${verb}`, headers: as('bob') });
      expect(r.statusCode).toBe(409);
      expect(r.json().error.message).toBe(`This batch finished at ${at} and is not sent again. Posted all 5 documents to Zoho Books.`);
    }
    expect(await auditCount()).toBe(before);
  });

  it('documents held by a silent worker: the pane is told, an approver takes them over with a reason', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 2, invoicesPer: 2, prefix: 'U' });
    const id = await approvedBatch(t.store, await connection(), documents);
    // A worker on another host posted this batch; its heartbeat stopped ten minutes ago, but its clock
    // ran an hour ahead when it leased the documents, so the leases have not run out here.
    const silent = { id: 'old-host:4242:abcdef', host: 'old-host', pid: 4242, leaseMs: 30_000 };
    await registerWorker(t.store, silent);
    await t.store.exec('UPDATE posting_workers SET heartbeat_at = $2 WHERE id = $1', [silent.id, new Date(Date.now() - 600_000).toISOString()]);
    await setBatchState(t.store, id, 'sending', ['approved']);
    await t.store.exec('UPDATE batch_items SET lease_owner = $2, lease_until = $3 WHERE batch_id = $1', [id, silent.id, new Date(Date.now() + 3_600_000).toISOString()]);

    const sent = sb.sandbox.stats.byOperation['POST /invoices'] ?? 0;
    const p = (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/progress`, headers: as('carol') })).json();
    expect(p.leases).toMatchObject({ held: documents.length, heldByStale: documents.length, staleWorker: silent.id, takeOverPossible: true });
    expect(p.leases.staleSecondsLeft).toBeGreaterThan(3000);
    expect(p.running).toBe(false);
    // The service does not take a lease that has not run out.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sb.sandbox.stats.byOperation['POST /invoices'] ?? 0).toBe(sent);

    expect((await app.inject({ method: 'POST', url: `/api/posting/batches/${id}/take-over`, headers: as('carol'), payload: { reason: 'old host replaced' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/api/posting/batches/${id}/take-over`, headers: as('bob'), payload: { reason: ' ' } })).statusCode).toBe(400);
    const taken = await app.inject({ method: 'POST', url: `/api/posting/batches/${id}/take-over`, headers: as('bob'), payload: { reason: 'old-host was replaced during the deploy' } });
    expect(taken.statusCode).toBe(200);
    expect((await finished(id)).batchState).toBe('done');
    const census = sandboxCensus(sb, documents);
    expect(census.missing).toEqual([]);
    expect(census.duplicates).toEqual([]);
    const entry = (await app.ctx.audit.recent({ subjectType: 'batch', subjectId: id })).find((e) => e.action === 'posting.taken-over');
    expect(entry).toMatchObject({ actor: expect.stringMatching(/#bob$/), details: { reason: 'old-host was replaced during the deploy', from: [silent.id] } });
  });

  it('refuses to take over from a worker that is alive', async () => {
    const documents = makeDocuments(sb.sandbox.state.seedIds(), { settlements: 1, invoicesPer: 1, prefix: 'V' });
    const id = await approvedBatch(t.store, await connection(), documents);
    const alive = { id: 'other-host:7:abcdef', host: 'other-host', pid: 7, leaseMs: 30_000 };
    await registerWorker(t.store, alive);
    await setBatchState(t.store, id, 'sending', ['approved']);
    await t.store.exec('UPDATE batch_items SET lease_owner = $2, lease_until = $3 WHERE batch_id = $1', [id, alive.id, new Date(Date.now() + 30_000).toISOString()]);
    const r = await app.inject({ method: 'POST', url: `/api/posting/batches/${id}/take-over`, headers: as('bob'), payload: { reason: 'impatient' } });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toMatch(/^Worker other-host:7:abcdef was seen at .*; its documents can be taken over once it has been silent for its lease time \(30 s\)/);
    const p = (await app.inject({ method: 'GET', url: `/api/posting/batches/${id}/progress`, headers: as('carol') })).json();
    // Another instance is posting it: the pane shows it running, nothing waits for a dead worker.
    expect(p).toMatchObject({ running: true, leases: { held: 3, heldByStale: 0, takeOverPossible: false } });
    await t.store.exec('UPDATE batch_items SET lease_owner = NULL, lease_until = NULL WHERE batch_id = $1', [id]);
    expect((await finished(id)).batchState).toBe('done');
  });
});
