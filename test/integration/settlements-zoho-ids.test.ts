/**
 * The Settlements page under `npm start`, without a mapping file: the demo settlement files (as
 * datasets on the real backend, listening on 127.0.0.1) are built with the Zoho ids read from the
 * connected sandbox organisation's own lists, through the task pane's ApiClient and the page's
 * functions (settlements-run.ts); then prepared, approved by another user and posted, and the
 * sandbox holds every invoice, payment and journal with the ids from those lists.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { startZohoSandbox, type RunningSandbox } from '../../server/dev/zoho-sandbox';
import { ApiClient } from '../../taskpane/api';
import {
  buildSettlements,
  listZohoConnections,
  loadSettlementDataset,
  loadStoredMapping,
  loadZohoLists,
  resolveIdSource,
  settlementConfigFor,
} from '../../taskpane/pages/settlements/settlements-run';
import { initialConnectionId } from '../../taskpane/pages/settlements/post-panel-state';
import type { SettlementFileInput } from '../../src/settlements/parse';
import type { InvoiceDocument, JournalDocument } from '../../src/settlements/documents';
import { openTestBackend, type TestBackend } from './backends';

const ROOT = path.join(__dirname, '..', '..');
let t: TestBackend;
let sb: RunningSandbox;
let app: FastifyInstance;
let baseUrl = '';
const tokens: Record<string, string> = {};
const client = (who: string) => new ApiClient({ baseUrl, getToken: async () => tokens[who]! });

beforeAll(async () => {
  t = await openTestBackend('sqlite');
  // The demo data `npm start` puts in the datasets folder.
  const datasets = path.join(t.dir, 'datasets');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'scripts', 'generate-demo-data.ts'), '--out', datasets, '--force'], { cwd: ROOT, stdio: 'pipe' });
  sb = await startZohoSandbox({ port: 0, register: true, limits: { perMinute: 1_000_000 } });
  const config = loadConfig(
    { CLOSEDESK_DATA_DIR: t.dir, CLOSEDESK_DATASETS_DIR: datasets, CLOSEDESK_HTTPS: 'off', LOG_LEVEL: 'silent', CLOSEDESK_MASTER_KEY: Buffer.alloc(32, 5).toString('base64') },
    t.dir,
  );
  app = await buildApp(config, { store: t.store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
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

test('demo settlements get their Zoho ids from the connection, post, and the sandbox holds every document', async () => {
  const carol = client('carol');
  const request = <T,>(p: string, o?: { signal?: AbortSignal }) => carol.request<T>(p, o);

  // No connection yet: the page has no source of ids, and the build names every id it needs.
  expect(await listZohoConnections(request)).toEqual([]);
  const datasets = (await carol.listDatasets()).filter((d) => /^settlements\/.+\.txt$/.test(d.id)).sort((a, b) => a.id.localeCompare(b.id));
  expect(datasets.map((d) => d.id)).toEqual(['settlements/settlement-11873355301.txt', 'settlements/settlement-11873355302.txt']);
  const inputs: SettlementFileInput[] = [];
  for (const d of datasets) inputs.push(await loadSettlementDataset((id, offset, limit, signal) => carol.getDatasetPage(id, offset, limit, signal), d.id, d.name));
  const mapping = loadStoredMapping(null);
  const without = buildSettlements(inputs, settlementConfigFor(resolveIdSource(mapping, [], null), mapping, null), 'per-order');
  expect(without.blocked).toBe(true);
  const named = new Set(without.problems.filter((p) => p.severity === 'blocking').map((p) => p.value));
  for (const n of ['Amazon.com', 'Amazon.de', 'SKU-RED-MUG', 'Amazon Clearing']) expect(named).toContain(n);

  // Connect the sandbox (as npm start offers it on the Connections page).
  const created = await client('root').request<{ connection: { id: string; name: string } }>('/api/zoho/connections', {
    method: 'POST',
    body: { name: 'Demo books', dataCentre: 'com', clientId: '1000.DEMO', clientSecret: 'demo-secret', grantCode: '1000.grant.ids', useLocalSandbox: true },
  });
  // The sandbox lifts Zoho's limit: so does the connection, or the 84 documents and the census read
  // back after them would wait for the next minute of the 90 calls a connection allows by default.
  await t.store.exec('UPDATE zoho_connections SET per_minute = 1000000 WHERE id = $1', [created.connection.id]);
  const connections = await listZohoConnections(request);
  expect(connections).toEqual([expect.objectContaining({ id: created.connection.id, name: 'Demo books', organizationName: 'CloseDesk Demo Books', sandbox: true })]);

  // The only connection is the default source of ids.
  const source = resolveIdSource(mapping, connections, null);
  expect(source).toEqual({ kind: 'connection', connection: connections[0] });
  const lists = await loadZohoLists(request, created.connection.id);
  const config = settlementConfigFor(source, mapping, lists);
  const built = buildSettlements(inputs, config, 'per-order');
  expect(built.problems.filter((p) => p.severity === 'blocking')).toEqual([]);
  expect(built.blocked).toBe(false);
  expect(built.reconciliation.map((r) => [r.settlementId, r.balanced, r.clearingCents])).toEqual([
    ['11873355301', true, 0],
    ['11873355302', true, 0],
  ]);

  // The ids are the sandbox organisation's.
  const books = sb.sandbox.state.data.books[0]!;
  const contactId = (n: string) => books.contacts.find((c) => c.contact_name === n)!.contact_id;
  const invoices = built.documents.filter((d): d is InvoiceDocument => d.kind === 'invoice');
  expect(invoices.length).toBeGreaterThan(10);
  expect(new Set(invoices.map((d) => d.body.customer_id))).toEqual(new Set([contactId('Amazon.com'), contactId('Amazon.de')]));
  const sandboxItemIds = new Set(books.items.map((i) => i.item_id));
  for (const d of invoices) for (const l of d.body.line_items) expect(sandboxItemIds).toContain(l.item_id);
  const sandboxAccountIds = new Set(books.accounts.map((a) => a.account_id));
  for (const d of built.documents.filter((x): x is JournalDocument => x.kind === 'journal')) for (const l of d.body.line_items) expect(sandboxAccountIds).toContain(l.account_id);

  // Prepare (carol) → approve (bob, another user) → post, on the connection the ids came from.
  const connectionId = initialConnectionId(connections, source.kind === 'connection' ? source.connection.id : undefined);
  const prep = await carol.request<{ batch: { id: string; version: number } }>('/api/posting/batches', {
    method: 'POST',
    body: { connectionId, documents: built.documents, title: 'Demo settlements with ids from Demo books' },
  });
  const bob = client('bob');
  await bob.request(`/api/batches/${prep.batch.id}/approve`, { method: 'POST', body: { version: prep.batch.version } });
  await bob.request(`/api/posting/batches/${prep.batch.id}/start`, { method: 'POST', body: {} });
  let progress: { running: boolean; last: { state: string } | null; batchState: string; counts: Record<string, number> } | undefined;
  for (let i = 0; i < 1200; i++) {
    progress = await carol.request(`/api/posting/batches/${prep.batch.id}/progress`);
    if (!progress!.running && progress!.last) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const items = (await carol.request<{ items: { idempotencyKey: string; status: string }[] }>(`/api/posting/batches/${prep.batch.id}/items`)).items;
  expect(items.filter((i) => !/^Posted: \d+$/.test(i.status))).toEqual([]);
  expect(progress).toMatchObject({ batchState: 'done', counts: { done: built.documents.length } });

  // The sandbox has every invoice (by number, for the right customer), one payment per settlement and the journals.
  const byNumber = new Map(books.invoices.map((inv) => [inv.invoice_number, inv]));
  for (const d of invoices) {
    const inv = byNumber.get(d.body.invoice_number);
    expect(inv).toBeDefined();
    expect(inv!.customer_id).toBe(d.body.customer_id);
    expect(inv!.totalCents).toBe(d.cents.total);
  }
  expect(books.invoices).toHaveLength(invoices.length);
  expect(books.payments).toHaveLength(built.documents.filter((d) => d.kind === 'payment').length);
  expect(books.journals).toHaveLength(built.documents.filter((d) => d.kind === 'journal').length);
});
