/**
 * Rows written before identities (preparers and approvers stored by name) stay readable after the
 * identity migrations, and the approval rule compares them by name in any case: an approval of
 * "alice"'s batch by "Alice" no longer lets it be sent; a legacy preparer cannot approve her batch
 * under her new identity. Same test on SQLite and PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../server/store';
import { discoverMigrations, migrationSql } from '../../server/store/migrate';
import { assertApprovedForSending, currentApproval, decideBatch, listBatchItems, requireBatch } from '../../server/store/batches';
import { requireInvoice } from '../../server/jobs/tuition/invoices';
import { createTestDatabase } from './postgres';
import { BACKENDS } from './backends';
import { devId, user } from './people';

/** The schema as it shipped before identities. */
const SHIPPED = ['001_core', '300_zoho', '500_delivery', '600_tuition', '601_tuition_zoho'];

describe.each(BACKENDS)('identity migrations on %s', (backend) => {
  let store: Store;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `closedesk-idmig-${backend}-`));
    store = await openStore(backend === 'postgres' ? { databaseUrl: await createTestDatabase(), migrate: false } : { sqliteFile: path.join(dir, 'db.sqlite'), migrate: false });
    await store.execScript('CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const m of discoverMigrations().filter((m) => SHIPPED.includes(m.id))) {
      await store.execScript(migrationSql(m, store.dialect));
      await store.exec('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', [m.id, '2026-01-01T00:00:00Z']);
    }
    const at = '2026-01-02T00:00:00Z';
    const batch = (id: string, by: string, state: string) =>
      store.exec(`INSERT INTO batches (id, job, kind, state, prepared_by, created_at, updated_at, payload, version) VALUES ($1, 'chargebacks', 'delivery', $2, $3, $4, $4, '{}', 1)`, [id, state, by, at]);
    const item = (batchId: string, key: string) =>
      store.exec(`INSERT INTO batch_items (batch_id, seq, idempotency_key, kind, state, request, attempts, updated_at) VALUES ($1, 1, $2, 'file', 'pending', '{"fileName":"V.csv"}', 0, $3)`, [batchId, key, at]);
    const approval = (id: string, batchId: string, by: string) =>
      store.exec(`INSERT INTO approvals (id, batch_id, batch_version, approved_by, decided_at, decision) VALUES ($1, $2, 1, $3, $4, 'approved')`, [id, batchId, by, at]);
    // "Alice" approved alice's batch: the hole the name comparison left open
    await batch('bat_self', 'alice', 'approved');
    await item('bat_self', 'k-self');
    await approval('apr_self', 'bat_self', 'Alice');
    // a proper approval by someone else
    await batch('bat_ok', 'alice', 'approved');
    await item('bat_ok', 'k-ok');
    await approval('apr_ok', 'bat_ok', 'bob');
    // still waiting for approval, prepared by carol under her old name
    await batch('bat_wait', 'Carol', 'awaiting_approval');
    await item('bat_wait', 'k-wait');
    await store.exec(
      `INSERT INTO tuition_invoices (id, number, customer, customer_key, month, currency, version, state, document, doc_hash, total_cents, created_by, created_at, updated_at, decided_version, decided_hash, decided_by, decided_at)
       VALUES ('tui_1', 'TU-1', 'Northwind', 'northwind', '2024-11', 'USD', 1, 'approved', '{}', 'h1', 100, 'alice', $1, $1, 1, 'h1', 'customer:ap@northwind.test', $1)`,
      [at],
    );
    await store.exec(`INSERT INTO tuition_invoice_versions (invoice_id, version, document, doc_hash, created_by, created_at) VALUES ('tui_1', 1, '{}', 'h1', 'alice', $1)`, [at]);
    expect(await store.migrate()).toEqual(expect.arrayContaining(['010_identity', '610_tuition_identity']));
  });
  afterAll(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('old rows keep their names for display and get legacy identities', async () => {
    expect(await requireBatch(store, 'bat_ok')).toMatchObject({
      preparedBy: 'urn:closedesk:legacy-name#alice',
      preparedByName: 'alice',
      preparers: [{ id: 'urn:closedesk:legacy-name#alice', name: 'alice' }],
    });
    expect((await listBatchItems(store, 'bat_ok'))[0]!.preparedBy).toEqual([{ id: 'urn:closedesk:legacy-name#alice', name: 'alice' }]);
    expect(await currentApproval(store, 'bat_ok')).toMatchObject({ approvedBy: 'urn:closedesk:legacy-name#bob', approvedByName: 'bob', approverRoles: ['approver'] });
    expect(await assertApprovedForSending(store, 'bat_ok')).toMatchObject({ id: 'apr_ok' });
    expect(await requireInvoice(store, 'tui_1')).toMatchObject({
      createdBy: 'urn:closedesk:legacy-name#alice',
      createdByName: 'alice',
      preparers: [{ id: 'urn:closedesk:legacy-name#alice', name: 'alice' }],
      decision: { by: 'customer:ap@northwind.test', byId: 'urn:closedesk:legacy-name#customer:ap@northwind.test', version: 1, hash: 'h1' },
    });
  });

  test('an approval by the preparer under another spelling no longer lets the batch be sent', async () => {
    expect(await currentApproval(store, 'bat_self')).toBeUndefined();
    await expect(assertApprovedForSending(store, 'bat_self')).rejects.toMatchObject({ code: 'not-approved' });
  });

  test('a preparer recorded by name cannot approve her batch under her identity, in any case', async () => {
    for (const name of ['carol', 'CAROL']) {
      await expect(decideBatch(store, { id: 'bat_wait', version: 1, user: user(name, ['approver', 'admin']), decision: 'approved' })).rejects.toMatchObject({ code: 'maker-checker' });
    }
    const { approval } = await decideBatch(store, { id: 'bat_wait', version: 1, user: user('bob', ['approver']), decision: 'approved' });
    expect(approval).toMatchObject({ approvedBy: devId('bob'), approvedByName: 'bob' });
    expect(await assertApprovedForSending(store, 'bat_wait')).toMatchObject({ id: approval.id });
  });
});
