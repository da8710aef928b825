/**
 * Append-only, hash-chained audit log. Each entry's hash is sha256(previous hash + canonical JSON
 * of the entry), and audit_head holds the newest (seq, hash), updated in the same transaction.
 * verifyAuditChain() therefore finds an edited, deleted, inserted or reordered entry, including
 * deleted newest entries, and names the first bad one.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { nowIso, parseJson } from './store/ids';
import type { Queryable, Store } from './store';

export const GENESIS_HASH = '0'.repeat(64);

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
  prevHash: string;
  hash: string;
}

export type AuditVerification =
  | { ok: true; entries: number; message: string }
  | { ok: false; entries: number; firstBad: { seq: number; reason: string }; message: string };

export interface Audit {
  /** Appends one entry; pass `tx` to make it part of a larger transaction. */
  append(input: AuditInput, tx?: Queryable): Promise<AuditEntry>;
  recent(opts?: { limit?: number; subjectType?: string; subjectId?: string }): Promise<AuditEntry[]>;
  verify(): Promise<AuditVerification>;
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export function entryHash(prevHash: string, e: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  const body = canonicalJson({
    seq: Number(e.seq),
    at: e.at,
    actor: e.actor,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    details: e.details,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

function toEntry(r: AuditRow): AuditEntry {
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

async function appendIn(tx: Queryable, input: AuditInput): Promise<AuditEntry> {
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
  const hash = entryHash(head.hash, base);
  await tx.exec(
    `INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [base.seq, base.at, base.actor, base.action, base.subjectType, base.subjectId, canonicalJson(details), head.hash, hash],
  );
  await tx.exec('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [base.seq, hash]);
  return { ...base, prevHash: head.hash, hash };
}

export async function verifyAuditChain(db: Queryable): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let expected = 1;
  let count = 0;
  const bad = (seq: number, reason: string): AuditVerification => ({
    ok: false,
    entries: count,
    firstBad: { seq, reason },
    message: `The audit log is broken at entry ${seq}: ${reason}`,
  });
  const page = 1000;
  for (let after = 0; ; ) {
    const rows = await db.query<AuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [after, page]);
    for (const r of rows) {
      const e = toEntry(r);
      if (e.seq !== expected) {
        return bad(
          expected,
          e.seq > expected
            ? `entry ${expected}${e.seq - expected > 1 ? ` to ${e.seq - 1}` : ''} is missing (deleted); entry ${e.seq} comes next.`
            : `entry ${e.seq} appears out of order.`,
        );
      }
      if (e.prevHash !== prevHash) return bad(e.seq, `it does not follow entry ${e.seq - 1} (an entry was removed, inserted or reordered).`);
      const details = parseJson<unknown>(r.details, undefined);
      if (details === undefined || entryHash(prevHash, { ...e, details: details as Record<string, unknown> }) !== e.hash) {
        return bad(e.seq, `its content was changed after it was written (${e.action} by ${e.actor} at ${e.at}).`);
      }
      prevHash = e.hash;
      expected++;
      count++;
      after = e.seq;
    }
    if (rows.length < page) break;
  }
  const head = await db.one<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
  if (!head) return bad(expected, 'the chain head record is missing.');
  if (Number(head.seq) !== count || head.hash !== prevHash) {
    if (Number(head.seq) > count) return bad(count + 1, `the newest entries ${count + 1} to ${head.seq} were deleted.`);
    return bad(Number(head.seq) + 1, 'entries were added without going through the audit log.');
  }
  return { ok: true, entries: count, message: `The audit log is intact: ${count} entries, each linked to the one before.` };
}

export function createAudit(store: Store): Audit {
  return {
    append: (input, tx) => (tx ? appendIn(tx, input) : store.transaction((t) => appendIn(t, input))),
    async recent(opts = {}) {
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
    verify: () => verifyAuditChain(store),
  };
}
