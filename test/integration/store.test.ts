/** The store, batches/maker-checker, audit chain and secrets — the same tests on SQLite and PostgreSQL. */
import { verifyAuditChain } from '../../server/audit';
import { createSecrets } from '../../server/secrets';
import {
  assertApprovedForSending,
  createBatch,
  currentApproval,
  decideBatch,
  editBatch,
  listBatchItems,
  updateBatchItem,
} from '../../server/store/batches';
import { toSqliteSql } from '../../server/store';
import { BACKENDS, openTestBackend, testAuditProtection, type TestBackend } from './backends';
import { person, user } from './people';

test('placeholders are rewritten for SQLite outside string literals only', () => {
  expect(toSqliteSql("SELECT $1, '$2', \"$3\" -- $4\n, $10")).toBe("SELECT @p1, '$2', \"$3\" -- $4\n, @p10");
});

describe.each(BACKENDS)('store on %s', (backend) => {
  let t: TestBackend;
  beforeAll(async () => {
    t = await openTestBackend(backend);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  test('migrations are applied once and recorded', async () => {
    expect(await t.store.migrate()).toEqual([]);
    const ids = (await t.store.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id')).map((r) => r.id);
    expect(ids).toContain('001_core');
    expect(await t.store.migrate([{ id: '900_test_extra', up: 'CREATE TABLE extra_test (id TEXT PRIMARY KEY, cents BIGINT)' }])).toEqual([
      '900_test_extra',
    ]);
    expect(await t.store.migrate([{ id: '900_test_extra', up: 'CREATE TABLE extra_test (id TEXT)' }])).toEqual([]);
  });

  test('query/one/exec with $n placeholders; big money stays an exact integer; big ids stay text', async () => {
    await t.store.exec('INSERT INTO extra_test (id, cents) VALUES ($1, $2)', ['12345678901234567', 900719925474099]);
    const row = await t.store.one<{ id: string; cents: number }>('SELECT id, cents FROM extra_test WHERE id = $1', [
      '12345678901234567',
    ]);
    expect(row).toEqual({ id: '12345678901234567', cents: 900719925474099 });
    const count = await t.store.one<{ n: number }>('SELECT COUNT(*) AS n FROM extra_test');
    expect(count?.n).toBe(1);
    const r = await t.store.exec('UPDATE extra_test SET cents = cents + $2 WHERE id = $1', ['12345678901234567', 1]);
    expect(r.changes).toBe(1);
    expect(await t.store.one('SELECT * FROM extra_test WHERE id = $1', ['nope'])).toBeUndefined();
  });

  test('queryTable keeps 64-bit integers beyond 2^53 exact as text', async () => {
    const tbl = await t.store.queryTable('SELECT CAST($1 AS BIGINT) AS big, $2 AS label', ['9007199254740993', 'x']);
    expect(tbl.columns).toEqual(['big', 'label']);
    expect(tbl.rows).toEqual([['9007199254740993', 'x']]);
  });

  test('a transaction rolls back when it throws and commits otherwise', async () => {
    await expect(
      t.store.transaction(async (tx) => {
        await tx.exec('INSERT INTO extra_test (id, cents) VALUES ($1, $2)', ['rolled-back', 1]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await t.store.one('SELECT id FROM extra_test WHERE id = $1', ['rolled-back'])).toBeUndefined();
    await t.store.transaction((tx) => tx.exec('INSERT INTO extra_test (id, cents) VALUES ($1, $2)', ['kept', 2]));
    expect(await t.store.one('SELECT id FROM extra_test WHERE id = $1', ['kept'])).toEqual({ id: 'kept' });
  });

  test('concurrent transactions do not interleave (counter ends exact)', async () => {
    await t.store.exec('INSERT INTO extra_test (id, cents) VALUES ($1, 0)', ['counter']);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        t.store.transaction(async (tx) => {
          const r = await tx.one<{ cents: number }>(
            `SELECT cents FROM extra_test WHERE id = $1${tx.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
            ['counter'],
          );
          await new Promise((res) => setImmediate(res));
          await tx.exec('UPDATE extra_test SET cents = $2 WHERE id = $1', ['counter', Number(r!.cents) + 1]);
        }),
      ),
    );
    expect((await t.store.one<{ cents: number }>('SELECT cents FROM extra_test WHERE id = $1', ['counter']))!.cents).toBe(20);
  });

  describe('batches and maker-checker', () => {
    const items = [
      { kind: 'invoice', idempotencyKey: `${backend}-inv-1`, request: { number: 'AMZN0000001', total: 1999 } },
      { kind: 'invoice', idempotencyKey: `${backend}-inv-2`, request: { number: 'AMZN0000002', total: 500 } },
    ];
    const alice = user('alice', ['preparer', 'approver']);
    const bob = user('bob', ['preparer', 'approver']);

    test('the preparer cannot approve; another person can; an edit voids the approval', async () => {
      const b = await createBatch(t.store, { job: 'settlements', kind: 'zoho', preparedBy: person('alice'), payload: { settlement: 'S1' }, items });
      expect(b).toMatchObject({ state: 'awaiting_approval', version: 1, preparedBy: alice.id, preparedByName: 'alice' });
      expect((await listBatchItems(t.store, b.id)).map((i) => [i.seq, i.idempotencyKey, i.state])).toEqual([
        [1, `${backend}-inv-1`, 'pending'],
        [2, `${backend}-inv-2`, 'pending'],
      ]);

      await expect(decideBatch(t.store, { id: b.id, version: 1, user: alice, decision: 'approved' })).rejects.toMatchObject({
        statusCode: 403,
        code: 'maker-checker',
      });
      await expect(assertApprovedForSending(t.store, b.id)).rejects.toMatchObject({ code: 'not-approved' });

      const { batch: approved } = await decideBatch(t.store, { id: b.id, version: 1, user: bob, decision: 'approved' });
      expect(approved.state).toBe('approved');
      expect(await assertApprovedForSending(t.store, b.id)).toMatchObject({ approvedBy: bob.id, approvedByName: 'bob' });

      // bob edits after approving: new version, bob is now the preparer, the approval no longer counts.
      // He replaces every item, so nothing of alice's is left in version 2 and she may check his work.
      const bobsItems = items.map((i) => ({ ...i, idempotencyKey: `${i.idempotencyKey}-v2`, request: { ...i.request, total: 42 } }));
      const edited = await editBatch(t.store, { id: b.id, expectedVersion: 1, editedBy: bob, payload: { settlement: 'S1', note: 'fixed' }, items: bobsItems });
      expect(edited).toMatchObject({ version: 2, state: 'awaiting_approval', preparedBy: bob.id, preparers: [person('bob')] });
      expect(await currentApproval(t.store, b.id)).toBeUndefined();
      await expect(assertApprovedForSending(t.store, b.id)).rejects.toMatchObject({ code: 'not-approved' });
      await expect(decideBatch(t.store, { id: b.id, version: 2, user: bob, decision: 'approved' })).rejects.toMatchObject({
        code: 'maker-checker',
      });
      // an approval of the version someone looked at before the edit is refused
      await expect(decideBatch(t.store, { id: b.id, version: 1, user: alice, decision: 'approved' })).rejects.toMatchObject({
        statusCode: 409,
        code: 'stale-version',
      });
      await decideBatch(t.store, { id: b.id, version: 2, user: alice, decision: 'approved' });
      expect((await currentApproval(t.store, b.id))?.batchVersion).toBe(2);
    });

    test('an idempotency key cannot be in two batches; items record their states', async () => {
      await expect(
        createBatch(t.store, { job: 'settlements', kind: 'zoho', preparedBy: person('carol'), payload: {}, items: [{ ...items[0], idempotencyKey: `${backend}-inv-1-v2` }] }),
      ).rejects.toMatchObject({ code: 'duplicate-idempotency-key' });
      const b = await createBatch(t.store, {
        job: 'chargebacks',
        kind: 'sftp',
        preparedBy: person('carol'),
        payload: {},
        items: [{ kind: 'file', idempotencyKey: `${backend}-file-1`, request: { name: 'visa.csv' } }],
      });
      await updateBatchItem(t.store, b.id, 1, { state: 'sending', countAttempt: true });
      const done = await updateBatchItem(t.store, b.id, 1, { state: 'done', remoteId: '460000000012345678', response: { code: 0 } });
      expect(done).toMatchObject({ state: 'done', attempts: 1, remoteId: '460000000012345678', response: { code: 0 } });
      // Not .rejects.toThrow(): better-sqlite3 builds its error class once per process, so in a reused
      // jest worker it is not an `Error` of this test file's realm. Check the message and the effect.
      const outcome = await updateBatchItem(t.store, b.id, 1, { state: 'bogus' as never }).then(
        () => 'accepted',
        (e: { message?: string }) => String(e?.message),
      );
      expect(outcome).toMatch(/check constraint/i);
      expect((await listBatchItems(t.store, b.id))[0].state).toBe('done');
    });
  });

  describe('a key held by one batch at a time', () => {
    test('the database itself keeps a second live holder out; a key taken over is held again, its old item kept', async () => {
      const key = `${backend}-held-1`;
      const a = await createBatch(t.store, { job: 'chargebacks', kind: 'sftp', preparedBy: person('carol'), payload: {}, items: [{ kind: 'file', idempotencyKey: key, request: { name: 'a.csv' } }] });
      const b = await createBatch(t.store, { job: 'chargebacks', kind: 'sftp', preparedBy: person('carol'), payload: {}, items: [] });
      // past the store's own check (two preparers at once): the partial unique index refuses it
      const insert = () =>
        t.store.exec(`INSERT INTO batch_items (batch_id, seq, idempotency_key, kind, state, request, attempts, updated_at) VALUES ($1, 1, $2, 'file', 'pending', '{}', 0, $3)`, [b.id, key, new Date().toISOString()]);
      const outcome = await insert().then(
        () => 'accepted',
        (e: { message?: string }) => String(e?.message),
      );
      expect(outcome).toMatch(/unique|duplicate key/i);
      // taken over by a new batch (the old item says by which), the key may be held again
      const c = await createBatch(t.store, { job: 'chargebacks', kind: 'sftp', preparedBy: person('carol'), payload: {}, items: [{ kind: 'file', idempotencyKey: key, request: { name: 'c.csv' } }], takeOver: (h) => h.batchId === a.id });
      const holders = await t.store.query<{ batch_id: string; superseded_by: string | null }>('SELECT batch_id, superseded_by FROM batch_items WHERE idempotency_key = $1', [key]);
      expect(holders.map((h) => `${h.batch_id} → ${h.superseded_by}`).sort()).toEqual([`${a.id} → ${c.id}`, `${c.id} → null`].sort());
      expect((await listBatchItems(t.store, a.id)).map((i) => i.request)).toEqual([{ name: 'a.csv' }]);
      // without a rule that lets it, a held key is refused as before
      await expect(createBatch(t.store, { job: 'chargebacks', kind: 'sftp', preparedBy: person('carol'), payload: {}, items: [{ kind: 'file', idempotencyKey: key, request: {} }] })).rejects.toMatchObject({ code: 'duplicate-idempotency-key' });
    });
  });

  describe('audit chain', () => {
    test('verifies an intact chain and names an edited entry', async () => {
      const audit = t.audit;
      for (let i = 1; i <= 5; i++) await audit.append({ actor: 'alice', action: 'run.recorded', subjectType: 'run', subjectId: `r${i}`, details: { i } });
      expect(await audit.verify()).toMatchObject({ ok: true, entries: 5 });
      expect((await audit.recent({ limit: 2 })).map((e) => e.seq)).toEqual([5, 4]);

      await t.store.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
      const v = await verifyAuditChain(t.store, testAuditProtection(t.dir));
      expect(v.ok).toBe(false);
      expect(v).toMatchObject({ firstBad: { seq: 3 } });
      expect(v.message).toContain('entry 3');
      await t.store.exec("UPDATE audit_log SET actor = 'alice' WHERE seq = 3");
      expect((await audit.verify()).ok).toBe(true);

      await t.store.exec("UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 2");
      expect(await audit.verify()).toMatchObject({ ok: false, firstBad: { seq: 2 } });
      await t.store.exec("UPDATE audit_log SET details = '{\"i\":2}' WHERE seq = 2");
    });

    test('detects deleted, reordered and truncated entries', async () => {
      const audit = t.audit;
      expect((await audit.verify()).ok).toBe(true);
      const saved = await t.store.query<Record<string, string | number>>('SELECT * FROM audit_log ORDER BY seq');

      await t.store.exec('DELETE FROM audit_log WHERE seq = 2');
      expect(await audit.verify()).toMatchObject({ ok: false, firstBad: { seq: 2 } });
      const row2 = saved[1];
      await t.store.exec(
        'INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, details, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)',
        [row2.seq, row2.at, row2.actor, row2.action, row2.subject_type, row2.subject_id, row2.details, row2.prev_hash, row2.hash],
      );
      expect((await audit.verify()).ok).toBe(true);

      // swap the contents of entries 3 and 4 (keeping the seq numbers): reordering
      const [r3, r4] = [saved[2], saved[3]];
      const put = (seq: number, r: Record<string, string | number>) =>
        t.store.exec('UPDATE audit_log SET subject_id = $2, details = $3, prev_hash = $4, hash = $5, at = $6 WHERE seq = $1', [
          seq,
          r.subject_id,
          r.details,
          r.prev_hash,
          r.hash,
          r.at,
        ]);
      await put(3, r4);
      await put(4, r3);
      expect(await audit.verify()).toMatchObject({ ok: false, firstBad: { seq: 3 } });
      await put(3, r3);
      await put(4, r4);
      expect((await audit.verify()).ok).toBe(true);

      // deleting the newest entry is caught by the chain head
      await t.store.exec('DELETE FROM audit_log WHERE seq = 5');
      const v = await audit.verify();
      expect(v).toMatchObject({ ok: false, firstBad: { seq: 5 } });
    });
  });

  describe('secrets', () => {
    test('round-trip encrypted; the database holds no plain text; a wrong key cannot read', async () => {
      const key = Buffer.alloc(32, 7);
      const secrets = createSecrets(t.store, key);
      await secrets.put('ftp/visa-password', 'S3cr3t-Visa!');
      await secrets.put('ftp/visa-password', 'S3cr3t-Visa-2!');
      expect(await secrets.get('ftp/visa-password')).toBe('S3cr3t-Visa-2!');
      expect((await secrets.listNames()).map((s) => s.name)).toEqual(['ftp/visa-password']);
      const raw = JSON.stringify(await t.store.query('SELECT * FROM secrets'));
      expect(raw).not.toContain('S3cr3t');
      await expect(createSecrets(t.store, Buffer.alloc(32, 8)).get('ftp/visa-password')).rejects.toThrow(/cannot be decrypted/);
      // a ciphertext moved to another name does not decrypt (the name is authenticated)
      await t.store.exec(
        "INSERT INTO secrets (name, ciphertext, iv, tag, created_at, updated_at) SELECT 'copy', ciphertext, iv, tag, created_at, updated_at FROM secrets WHERE name = $1",
        ['ftp/visa-password'],
      );
      await expect(secrets.get('copy')).rejects.toThrow(/cannot be decrypted/);
      expect(await secrets.delete('copy')).toBe(true);
      expect(await secrets.delete('copy')).toBe(false);
      expect(await secrets.get('copy')).toBeUndefined();
    });
  });
});
