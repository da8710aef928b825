/** Job runs: what ran, on which input (checksum), with what result — recorded by the CLI, server and task pane. */
import { z } from 'zod';
import { newId, nowIso, parseJson } from './store/ids';
import type { Queryable, Store } from './store';

export const runInput = z.object({
  job: z.string().trim().min(1).max(100),
  inputChecksum: z.string().trim().max(200).optional(),
  rowCounts: z.record(z.number().int().nonnegative()).default({}),
  mode: z.string().max(100).optional(),
  options: z.record(z.unknown()).default({}),
  version: z.string().max(100).optional(),
  resultChecksum: z.string().trim().max(200).optional(),
});
export type RunInput = z.input<typeof runInput>;

export interface Run {
  id: string;
  job: string;
  inputChecksum: string | null;
  rowCounts: Record<string, number>;
  mode: string | null;
  options: Record<string, unknown>;
  version: string | null;
  resultChecksum: string | null;
  userId: string;
  createdAt: string;
}

interface RunRow {
  id: string;
  job: string;
  input_checksum: string | null;
  row_counts: string;
  mode: string | null;
  options: string;
  version: string | null;
  result_checksum: string | null;
  user_id: string;
  created_at: string;
}

const toRun = (r: RunRow): Run => ({
  id: r.id,
  job: r.job,
  inputChecksum: r.input_checksum,
  rowCounts: parseJson(r.row_counts, {}),
  mode: r.mode,
  options: parseJson(r.options, {}),
  version: r.version,
  resultChecksum: r.result_checksum,
  userId: r.user_id,
  createdAt: r.created_at,
});

/** Inserts a run; callers add the audit entry (in the same transaction when they pass `tx`). */
export async function recordRun(db: Store | Queryable, input: RunInput, userId: string): Promise<Run> {
  const v = runInput.parse(input);
  const id = newId('run');
  await db.exec(
    `INSERT INTO runs (id, job, input_checksum, row_counts, mode, options, version, result_checksum, user_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, v.job, v.inputChecksum ?? null, JSON.stringify(v.rowCounts), v.mode ?? null, JSON.stringify(v.options), v.version ?? null, v.resultChecksum ?? null, userId, nowIso()],
  );
  return toRun((await db.one<RunRow>('SELECT * FROM runs WHERE id = $1', [id]))!);
}

export async function listRuns(db: Store | Queryable, filter: { job?: string; limit?: number } = {}): Promise<Run[]> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
  const rows = filter.job
    ? await db.query<RunRow>('SELECT * FROM runs WHERE job = $1 ORDER BY created_at DESC, id LIMIT $2', [filter.job, limit])
    : await db.query<RunRow>('SELECT * FROM runs ORDER BY created_at DESC, id LIMIT $1', [limit]);
  return rows.map(toRun);
}
