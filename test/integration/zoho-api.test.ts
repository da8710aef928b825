/**
 * The Connections and posting routes end to end (app.inject + the sandbox on loopback): connect an
 * organisation with a grant code (secrets never come back), test it, prepare a batch, refuse to post
 * before a second person approved, post, follow progress and read each document's status.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { startZohoSandbox, type RunningSandbox } from '../../server/dev/zoho-sandbox';
import { BACKENDS, openTestBackend, testConfig, type TestBackend } from './backends';
import { makeDocuments } from './zoho-fixtures';

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
});
