/**
 * The audit log against a database administrator, on SQLite and a real PostgreSQL: an entry
 * rewritten with every later hash recomputed by SQL, the newest entries deleted with the head moved
 * back, a checkpoint forged, a wrong key; the one-time re-chaining of a log written before the MAC;
 * and `closedesk audit verify` naming the entry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import {
  createAudit,
  GENESIS_HASH,
  legacyEntryHash,
  verifyAuditChain,
  toEntry,
  type Audit,
  type AuditProtection,
  type AuditRow as Row,
} from '../../server/audit';
import { runCli } from '../../server/cli';
import { BACKENDS, openTestBackend, TEST_MASTER_KEY, testAuditProtection, type TestBackend } from './backends';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

/** What an administrator without the key can do: rewrite the chain from `fromSeq` on with plain SHA-256, in SQL. */
async function recomputeChainWithSql(t: TestBackend, fromSeq: number): Promise<void> {
  const rows = await t.store.query<Row>('SELECT * FROM audit_log ORDER BY seq');
  let prev = fromSeq === 1 ? GENESIS_HASH : rows[fromSeq - 2]!.hash;
  for (const r of rows.slice(fromSeq - 1)) {
    const hash = legacyEntryHash(prev, toEntry(r));
    await t.store.exec('UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE seq = $1', [r.seq, prev, hash]);
    prev = hash;
  }
  await t.store.exec('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [rows.length, prev]);
}

describe.each(BACKENDS)('audit log on %s', (backend) => {
  let t: TestBackend;
  let protection: AuditProtection;
  let audit: Audit;
  const cliEnv = () => ({ CLOSEDESK_DATA_DIR: t.dir, DATABASE_URL: t.databaseUrl, CLOSEDESK_MASTER_KEY: TEST_MASTER_KEY.toString('base64'), CLOSEDESK_HTTPS: 'off' });
  const verifyCli = async (...extra: string[]) => {
    const out = new Capture();
    const err = new Capture();
    const code = await runCli(['audit', 'verify', ...extra], { out, err, env: cliEnv(), cwd: t.dir });
    return { code, out: out.text, err: err.text };
  };

  beforeEach(async () => {
    t = await openTestBackend(backend);
    protection = testAuditProtection(t.dir);
    audit = t.audit;
    for (let i = 1; i <= 8; i++) await audit.append({ actor: i % 2 ? 'alice' : 'bob', action: 'batch.approved', subjectType: 'batch', subjectId: `b${i}`, details: { i } });
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  test('an intact log verifies, with one signed checkpoint per write outside the database', async () => {
    const v = await audit.verify();
    expect(v).toMatchObject({ ok: true, entries: 8, checkpoints: 8 });
    const lines = fs.readFileSync(protection.checkpointsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { count: number; head: string });
    const head = await t.store.one<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
    expect(lines.map((l) => l.count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(lines[7]!.head).toBe(head!.hash);
    expect((await verifyCli()).code).toBe(0);
  });

  test('an entry rewritten and every later hash recomputed with SQL: verify fails and names that entry', async () => {
    await t.store.exec("UPDATE audit_log SET actor = 'mallory', details = '{\"i\":99}' WHERE seq = 3");
    await recomputeChainWithSql(t, 3);
    // The forged chain is consistent by the old rule (each hash follows the previous one, the head agrees)…
    const rows = await t.store.query<Row>('SELECT * FROM audit_log ORDER BY seq');
    expect(rows.every((r, i) => r.prev_hash === (i ? rows[i - 1]!.hash : GENESIS_HASH))).toBe(true);
    expect(rows.slice(2).every((r) => r.hash === legacyEntryHash(r.prev_hash, toEntry(r)))).toBe(true);
    // …but not under the key, which the database never held.
    const v = await audit.verify();
    expect(v).toMatchObject({ ok: false, firstBad: { seq: 3 } });
    expect(v.message).toMatch(/entry 3: its content or MAC was changed after it was written \(batch.approved by mallory/);
    const cli = await verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/broken at entry 3/);
  });

  test('the newest entries deleted and the head moved back: the checkpoints count more entries than the table', async () => {
    const sixth = await t.store.one<Row>('SELECT * FROM audit_log WHERE seq = 6');
    await t.store.exec('DELETE FROM audit_log WHERE seq > 6');
    await t.store.exec('UPDATE audit_head SET seq = 6, hash = $1 WHERE id = 1', [sixth!.hash]);
    const v = await audit.verify();
    expect(v).toMatchObject({ ok: false, entries: 6, firstBad: { seq: 7 } });
    expect(v.message).toMatch(/counted 8 entries, the log has 6: entries 7 to 8 were deleted/);
    const cli = await verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/broken at entry 7/);
  });

  test('a forged or edited checkpoint, a wrong key and a missing checkpoint file are each refused', async () => {
    const lines = fs.readFileSync(protection.checkpointsFile, 'utf8').trim().split('\n');
    const edited = JSON.parse(lines[7]!) as { count: number };
    edited.count = 7;
    fs.writeFileSync(protection.checkpointsFile, [...lines.slice(0, 7), JSON.stringify(edited)].join('\n') + '\n');
    expect(await audit.verify()).toMatchObject({ ok: false, firstBad: { reason: expect.stringMatching(/line 8 .* not signed with this server's audit key/) } });
    fs.writeFileSync(protection.checkpointsFile, lines.join('\n') + '\n');
    expect((await audit.verify()).ok).toBe(true);

    const otherKey = testAuditProtection(t.dir, Buffer.alloc(32, 9));
    expect(await verifyAuditChain(t.store, otherKey)).toMatchObject({ ok: false, firstBad: { seq: 1 } });

    const elsewhere = { ...protection, checkpointsFile: path.join(t.dir, 'nowhere', 'checkpoints.log') };
    expect(await verifyAuditChain(t.store, elsewhere)).toMatchObject({ ok: false, message: expect.stringMatching(/no checkpoint file at .*nowhere/) });
    // The CLI can be pointed at the file (e.g. a copy shipped off the server).
    fs.copyFileSync(protection.checkpointsFile, path.join(t.dir, 'copy.log'));
    fs.rmSync(protection.checkpointsFile);
    expect((await verifyCli()).code).toBe(1);
    expect((await verifyCli('--checkpoints', 'copy.log')).code).toBe(0);
  });

  test('a rolled-back transaction leaves no checkpoint; the write after it is checkpointed', async () => {
    const before = fs.readFileSync(protection.checkpointsFile, 'utf8');
    await expect(
      t.store.transaction(async (tx) => {
        await audit.append({ actor: 'alice', action: 'batch.prepared', subjectId: 'b9' }, tx);
        throw new Error('the batch could not be stored');
      }),
    ).rejects.toThrow('could not be stored');
    expect(fs.readFileSync(protection.checkpointsFile, 'utf8')).toBe(before);
    await t.store.transaction(async (tx) => {
      await audit.append({ actor: 'alice', action: 'batch.prepared', subjectId: 'b9' }, tx);
      await audit.append({ actor: 'alice', action: 'batch.item-added', subjectId: 'b9' }, tx);
    });
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 10, checkpoints: 10 });
  });

  test('a log written before the MAC is re-chained once, recorded as such; a later old-style entry is not blessed', async () => {
    const legacy = await openTestBackend(backend);
    try {
      // What the previous version wrote: a plain SHA-256 chain, chain column at its default.
      let prev = GENESIS_HASH;
      for (let seq = 1; seq <= 4; seq++) {
        const body = { seq, at: `2024-11-0${seq}T10:00:00.000Z`, actor: 'carol', action: 'run.recorded', subjectType: 'run', subjectId: `old${seq}`, details: { seq } };
        const hash = legacyEntryHash(prev, body);
        await legacy.store.exec(
          'INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, details, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)',
          [seq, body.at, body.actor, body.action, body.subjectType, body.subjectId, JSON.stringify(body.details), prev, hash],
        );
        prev = hash;
      }
      await legacy.store.exec('UPDATE audit_head SET seq = 4, hash = $1 WHERE id = 1', [prev]);

      const a = createAudit(legacy.store, testAuditProtection(legacy.dir));
      const v = await a.verify();
      expect(v).toMatchObject({ ok: true, entries: 5 });
      const [rechained] = await a.recent({ limit: 1 });
      expect(rechained).toMatchObject({ seq: 5, actor: 'closedesk', action: 'audit.rechained', details: { entries: 4, from: 'sha256', to: 'hmac-sha256', legacyChain: 'intact', legacyHead: prev } });
      await a.append({ actor: 'carol', action: 'run.recorded', subjectId: 'new' });
      expect(await a.verify()).toMatchObject({ ok: true, entries: 6 });

      // An entry slipped in afterwards with the old marker and an old-style hash: a new process does not re-chain it.
      const head = await legacy.store.one<{ hash: string }>('SELECT hash FROM audit_head WHERE id = 1');
      const body = { seq: 7, at: '2024-12-01T00:00:00.000Z', actor: 'mallory', action: 'batch.approved', subjectType: 'batch', subjectId: 'b1', details: {} };
      await legacy.store.exec(
        "INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, details, prev_hash, hash, chain) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'sha256')",
        [7, body.at, body.actor, body.action, body.subjectType, body.subjectId, '{}', head!.hash, legacyEntryHash(head!.hash, body)],
      );
      const later = createAudit(legacy.store, testAuditProtection(legacy.dir));
      expect(await later.verify()).toMatchObject({ ok: false, firstBad: { seq: 7 } });
    } finally {
      await legacy.cleanup();
    }
  });

  test('a log tampered with before the upgrade says so in the re-chaining entry', async () => {
    const legacy = await openTestBackend(backend);
    try {
      let prev = GENESIS_HASH;
      for (let seq = 1; seq <= 3; seq++) {
        const body = { seq, at: `2024-11-0${seq}T10:00:00.000Z`, actor: 'carol', action: 'run.recorded', subjectType: 'run', subjectId: `old${seq}`, details: {} };
        const hash = legacyEntryHash(prev, body);
        await legacy.store.exec(
          'INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, details, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)',
          [seq, body.at, seq === 2 ? 'mallory' : body.actor, body.action, body.subjectType, body.subjectId, '{}', prev, hash],
        );
        prev = hash;
      }
      await legacy.store.exec('UPDATE audit_head SET seq = 3, hash = $1 WHERE id = 1', [prev]);
      const a = createAudit(legacy.store, testAuditProtection(legacy.dir));
      await a.append({ actor: 'carol', action: 'run.recorded', subjectId: 'new' });
      const entries = await a.recent({ subjectType: '', limit: 10 });
      expect(entries.find((e) => e.action === 'audit.rechained')?.details).toMatchObject({ entries: 3, legacyChain: 'broken before the upgrade: entry 2 did not match its hash' });
    } finally {
      await legacy.cleanup();
    }
  });
});
