// Over 400 lines because writing, the one-time re-chaining, the checkpoints and verifying share one MAC and one row shape.
/**
 * Append-only audit log that a database administrator cannot rewrite unnoticed.
 *
 * - Each entry carries mac = HMAC-SHA256(key, previous mac + canonical JSON of the entry). The key
 *   is not in the database: it is derived (HKDF) from the master key, or is CLOSEDESK_AUDIT_KEY.
 *   Editing an entry and recomputing the chain needs that key.
 * - audit_head holds the newest (seq, mac), written in the same transaction as the entry.
 * - After every committed write a signed checkpoint (entry count + head mac, HMAC under a second
 *   derived key) is appended to a file outside the database, so deleting the newest entries — and
 *   moving audit_head back with them — is found too: a checkpoint counts more entries than the table.
 * - verifyAuditChain() walks the chain, the head and the checkpoints and names the first entry that
 *   disagrees.
 * - Logs written before the MAC (plain SHA-256 chain) are re-chained once under the MAC the first
 *   time the log is used with its key; the upgrade is itself an entry (`audit.rechained`) saying
 *   how many entries it covered and whether the old chain was intact.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson } from './canonical-json';
import type { Config } from './config';
import { nowIso, parseJson } from './store/ids';
import type { Queryable, Store } from './store';

export const GENESIS_HASH = '0'.repeat(64);
/** The `chain` column of entries under the keyed MAC; older entries say 'sha256'. */
export const MAC_CHAIN = 'hmac-sha256';

export interface AuditInput {
  actor: string;
  /** Verb in dotted form: `batch.approved`, `run.recorded`, `secret.set`. */
  action: string;
  subjectType?: string;
  subjectId?: string;
  /** Never put secret values here. */
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
  /** The previous entry's MAC (GENESIS_HASH for the first). */
  prevHash: string;
  /** This entry's MAC. */
  hash: string;
}

export type AuditVerification =
  | { ok: true; entries: number; checkpoints: number; message: string }
  | { ok: false; entries: number; checkpoints: number; firstBad: { seq: number; reason: string }; message: string };

export interface Audit {
  /** Appends one entry; pass `tx` to make it part of a larger transaction (the checkpoint is written after it commits). */
  append(input: AuditInput, tx?: Queryable): Promise<AuditEntry>;
  recent(opts?: { limit?: number; subjectType?: string; subjectId?: string }): Promise<AuditEntry[]>;
  verify(): Promise<AuditVerification>;
}

/** What protects the log: two keys that never touch the database, and the checkpoint file. */
export interface AuditProtection {
  macKey: Buffer;
  checkpointKey: Buffer;
  checkpointsFile: string;
}

export interface AuditOptions {
  /** A checkpoint could not be written (the entry is committed); default: a process warning. */
  onCheckpointFailure?: (err: unknown) => void;
}

/** The audit keys from the settings: CLOSEDESK_AUDIT_KEY, else derived from the master key. */
export function auditProtection(config: Pick<Config, 'masterKey' | 'audit'>): AuditProtection {
  const root = config.audit.key ?? config.masterKey;
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', root, 'closedesk audit log', purpose, 32));
  return { macKey: derive('entry chain v1'), checkpointKey: derive('checkpoints v1'), checkpointsFile: config.audit.checkpointsFile };
}

/** An audit_log row as stored. */
export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  details: string;
  prev_hash: string;
  hash: string;
  chain: string;
}

type EntryBody = Omit<AuditEntry, 'prevHash' | 'hash'>;

function entryBody(e: EntryBody): string {
  return canonicalJson({
    seq: Number(e.seq),
    at: e.at,
    actor: e.actor,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    details: e.details,
  });
}

export function entryMac(key: Buffer, prevMac: string, e: EntryBody): string {
  return createHmac('sha256', key).update(prevMac).update('\n').update(entryBody(e)).digest('hex');
}

/** The chain before the MAC: plain SHA-256, which anyone with database access could recompute. */
export function legacyEntryHash(prevHash: string, e: EntryBody): string {
  return createHash('sha256').update(prevHash).update(entryBody(e)).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && /^[0-9a-f]*$/.test(a) && /^[0-9a-f]*$/.test(b) && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

export function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    details: parseJson<Record<string, unknown>>(r.details, { unreadable: r.details }),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

// ---- checkpoints -------------------------------------------------------------------------------

export interface Checkpoint {
  count: number;
  head: string;
  at: string;
  sig: string;
}

function checkpointSig(key: Buffer, c: Omit<Checkpoint, 'sig'>): string {
  return createHmac('sha256', key).update(`closedesk audit checkpoint\n${c.count}\n${c.head}\n${c.at}`).digest('hex');
}

function writeCheckpoint(p: AuditProtection, count: number, head: string): void {
  const c = { count, head, at: nowIso() };
  fs.mkdirSync(path.dirname(p.checkpointsFile), { recursive: true });
  // 'a': only ever appended to; one short line per write.
  fs.appendFileSync(p.checkpointsFile, JSON.stringify({ ...c, sig: checkpointSig(p.checkpointKey, c) }) + '\n', { flag: 'a', mode: 0o600 });
}

type CheckpointLine = { line: number; checkpoint?: Checkpoint; problem?: string };

function readCheckpoints(p: AuditProtection): CheckpointLine[] | null {
  if (!fs.existsSync(p.checkpointsFile)) return null;
  const out: CheckpointLine[] = [];
  fs.readFileSync(p.checkpointsFile, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      const c = parseJson<Partial<Checkpoint> | null>(text, null);
      const line = i + 1;
      if (!c || !Number.isSafeInteger(c.count) || typeof c.head !== 'string' || typeof c.at !== 'string' || typeof c.sig !== 'string') {
        out.push({ line, problem: `line ${line} of ${p.checkpointsFile} is not a checkpoint` });
      } else if (!sameHex(checkpointSig(p.checkpointKey, c as Checkpoint), c.sig)) {
        out.push({ line, problem: `the checkpoint on line ${line} of ${p.checkpointsFile} is not signed with this server's audit key (edited, or written under another key)` });
      } else out.push({ line, checkpoint: c as Checkpoint });
    });
  return out;
}

// ---- writing -----------------------------------------------------------------------------------

async function appendIn(tx: Queryable, p: AuditProtection, input: AuditInput, afterCommit: (fn: () => void) => void): Promise<AuditEntry> {
  // Locking the head row serialises writers across PostgreSQL instances; SQLite transactions are exclusive already.
  const head = await tx.one<{ seq: number; hash: string }>(
    `SELECT seq, hash FROM audit_head WHERE id = 1${tx.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
  );
  if (!head) throw new Error('The audit log is not initialised (audit_head row missing).');
  const details = JSON.parse(canonicalJson(input.details ?? {})) as Record<string, unknown>;
  const base = {
    seq: Number(head.seq) + 1,
    at: nowIso(),
    actor: input.actor,
    action: input.action,
    subjectType: input.subjectType ?? '',
    subjectId: input.subjectId ?? '',
    details,
  };
  const hash = entryMac(p.macKey, head.hash, base);
  await tx.exec(
    `INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, details, prev_hash, hash, chain)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [base.seq, base.at, base.actor, base.action, base.subjectType, base.subjectId, canonicalJson(details), head.hash, hash, MAC_CHAIN],
  );
  await tx.exec('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [base.seq, hash]);
  afterCommit(() => writeCheckpoint(p, base.seq, hash));
  return { ...base, prevHash: head.hash, hash };
}

async function* rowsInOrder(db: Queryable, fromSeq = 1): AsyncGenerator<AuditRow> {
  const page = 1000;
  for (let after = fromSeq - 1; ; ) {
    const rows = await db.query<AuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [after, page]);
    for (const r of rows) yield r;
    if (rows.length < page) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

function rowDetails(r: AuditRow): Record<string, unknown> | undefined {
  return parseJson<Record<string, unknown> | undefined>(r.details, undefined);
}

/**
 * One-time upgrade of a log written before the MAC: recompute every entry's MAC in order, then
 * record the upgrade as an entry. Runs only while no entry carries the MAC yet, so an entry
 * slipped in later with the old marker is never blessed by a second re-chaining.
 */
async function needsRechain(db: Queryable): Promise<boolean> {
  const counts = await db.one<{ legacy: number; keyed: number }>(
    `SELECT SUM(CASE WHEN chain = $1 THEN 0 ELSE 1 END) AS legacy, SUM(CASE WHEN chain = $1 THEN 1 ELSE 0 END) AS keyed FROM audit_log`,
    [MAC_CHAIN],
  );
  return Number(counts?.legacy ?? 0) > 0 && !Number(counts?.keyed ?? 0);
}

async function rechainLegacy(tx: Queryable, p: AuditProtection, guard: (fn: () => void) => () => void): Promise<void> {
  const head = await tx.one<{ seq: number; hash: string }>(`SELECT seq, hash FROM audit_head WHERE id = 1${tx.dialect === 'postgres' ? ' FOR UPDATE' : ''}`);
  if (!head || !(await needsRechain(tx))) return; // another instance upgraded it meanwhile
  let legacyPrev = GENESIS_HASH;
  let legacyProblem: string | undefined;
  let mac = GENESIS_HASH;
  let n = 0;
  for await (const r of rowsInOrder(tx)) {
    n++;
    const details = rowDetails(r);
    const e = { ...toEntry(r), details: details ?? {} };
    if (!legacyProblem) {
      if (Number(r.seq) !== n) legacyProblem = `entry ${n} was missing`;
      else if (r.prev_hash !== legacyPrev || details === undefined || legacyEntryHash(legacyPrev, e) !== r.hash) legacyProblem = `entry ${n} did not match its hash`;
    }
    legacyPrev = r.hash;
    const next = entryMac(p.macKey, mac, e);
    await tx.exec('UPDATE audit_log SET prev_hash = $2, hash = $3, chain = $4 WHERE seq = $1', [r.seq, mac, next, MAC_CHAIN]);
    mac = next;
  }
  if (!legacyProblem && (Number(head.seq) !== n || head.hash !== legacyPrev)) legacyProblem = `the chain head said ${head.seq} entries`;
  await tx.exec('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [n, mac]);
  const afterCommit = (fn: () => void) => (tx.afterCommit ? tx.afterCommit(guard(fn)) : guard(fn)());
  if (n) afterCommit(() => writeCheckpoint(p, n, mac));
  await appendIn(
    tx,
    p,
    {
      actor: 'closedesk',
      action: 'audit.rechained',
      details: {
        entries: n,
        from: 'sha256',
        to: MAC_CHAIN,
        legacyChain: legacyProblem ? `broken before the upgrade: ${legacyProblem}` : 'intact',
        legacyHead: legacyPrev,
      },
    },
    afterCommit,
  );
}

// ---- verifying ---------------------------------------------------------------------------------

export async function verifyAuditChain(db: Queryable, p: AuditProtection): Promise<AuditVerification> {
  const lines = readCheckpoints(p);
  const checkpoints = (lines ?? []).flatMap((l) => (l.checkpoint ? [l.checkpoint] : []));
  const atCount = new Map<number, Checkpoint[]>();
  for (const c of checkpoints) atCount.set(c.count, [...(atCount.get(c.count) ?? []), c]);

  let prevMac = GENESIS_HASH;
  let expected = 1;
  let count = 0;
  const bad = (seq: number, reason: string): AuditVerification => ({
    ok: false,
    entries: count,
    checkpoints: checkpoints.length,
    firstBad: { seq, reason },
    message: `The audit log is broken at entry ${seq}: ${reason}`,
  });

  for await (const r of rowsInOrder(db)) {
    const e = toEntry(r);
    if (e.seq !== expected) {
      return bad(
        expected,
        e.seq > expected
          ? `entry ${expected}${e.seq - expected > 1 ? ` to ${e.seq - 1}` : ''} is missing (deleted); entry ${e.seq} comes next.`
          : `entry ${e.seq} appears out of order.`,
      );
    }
    if (e.prevHash !== prevMac) return bad(e.seq, `it does not follow entry ${e.seq - 1} (an entry was removed, inserted or reordered).`);
    const details = rowDetails(r);
    if (details === undefined || !sameHex(entryMac(p.macKey, prevMac, { ...e, details }), e.hash)) {
      return bad(e.seq, `its content or MAC was changed after it was written (${e.action} by ${e.actor} at ${e.at}); only this server's audit key can produce a valid MAC.`);
    }
    for (const c of atCount.get(e.seq) ?? []) {
      if (!sameHex(c.head, e.hash)) return bad(e.seq, `it differs from the checkpoint written at ${c.at} (the log was replaced or restored).`);
    }
    prevMac = e.hash;
    expected++;
    count++;
  }

  const deletedUpTo = Math.max(0, ...checkpoints.map((c) => c.count));
  if (deletedUpTo > count) {
    const at = checkpoints.find((c) => c.count === deletedUpTo)!.at;
    return bad(count + 1, `the checkpoint written at ${at} counted ${deletedUpTo} entries, the log has ${count}: entries ${count + 1} to ${deletedUpTo} were deleted.`);
  }
  const head = await db.one<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
  if (!head) return bad(expected, 'the chain head record is missing.');
  if (Number(head.seq) !== count || head.hash !== prevMac) {
    if (Number(head.seq) > count) return bad(count + 1, `the newest entries ${count + 1} to ${head.seq} were deleted.`);
    return bad(Number(head.seq) + 1, 'entries were added without going through the audit log.');
  }
  const badLine = (lines ?? []).find((l) => l.problem);
  if (badLine) return bad(count, `${badLine.problem}.`);
  if (lines === null && count > 0) {
    return bad(count, `there is no checkpoint file at ${p.checkpointsFile}, so deleted newest entries could not be noticed (set CLOSEDESK_AUDIT_CHECKPOINTS to where the server writes it).`);
  }
  return {
    ok: true,
    entries: count,
    checkpoints: checkpoints.length,
    message: `The audit log is intact: ${count} entries, each linked to the one before under the audit key, and ${checkpoints.length} checkpoints agree.`,
  };
}

// ---- the log -----------------------------------------------------------------------------------

export function createAudit(store: Store, protection: AuditProtection, options: AuditOptions = {}): Audit {
  const report = options.onCheckpointFailure ?? ((err: unknown) => process.emitWarning(`The audit checkpoint could not be written: ${(err as Error).message}`));
  // A checkpoint failure leaves the committed entry in place; the next write's checkpoint covers it.
  const checkpointed = (fn: () => void) => () => {
    try {
      fn();
    } catch (err) {
      report(err);
    }
  };
  // The one-time re-chaining runs in the caller's transaction when there is one (SQLite has one
  // connection: a second transaction would wait for the caller's forever).
  let upgraded = false;
  const ready = async (tx?: Queryable) => {
    if (upgraded) return;
    if (!(await needsRechain(tx ?? store))) {
      upgraded = true;
      return;
    }
    if (tx) {
      await rechainLegacy(tx, protection, checkpointed);
      tx.afterCommit?.(() => (upgraded = true));
    } else {
      await store.transaction((t) => rechainLegacy(t, protection, checkpointed));
      upgraded = true;
    }
  };

  return {
    async append(input, tx) {
      await ready(tx);
      if (tx) {
        const later = tx.afterCommit ? (fn: () => void) => tx.afterCommit!(checkpointed(fn)) : (fn: () => void) => checkpointed(fn)();
        return appendIn(tx, protection, input, later);
      }
      const pending: (() => void)[] = [];
      const entry = await store.transaction((t) => appendIn(t, protection, input, (fn) => pending.push(checkpointed(fn))));
      for (const fn of pending) fn();
      return entry;
    },
    async recent(opts = {}) {
      await ready();
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (opts.subjectType) {
        params.push(opts.subjectType);
        where.push(`subject_type = $${params.length}`);
      }
      if (opts.subjectId) {
        params.push(opts.subjectId);
        where.push(`subject_id = $${params.length}`);
      }
      params.push(Math.min(Math.max(Math.trunc(opts.limit ?? 100), 1), 1000));
      const rows = await store.query<AuditRow>(
        `SELECT * FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(toEntry);
    },
    async verify() {
      await ready();
      return verifyAuditChain(store, protection);
    },
  };
}
