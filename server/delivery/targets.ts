/**
 * Delivery targets in the store (migration 510): which partner, remote folder and file-name pattern
 * receive each card network's chargeback files, each tuition customer's invoices and the SPURSH files
 * of each ledger. Which one applies is the rule in src/delivery/targets.ts; this file loads its input
 * (targets and partners) and turns its answer into the file a delivery batch carries.
 */
import { checkTarget, chooseTarget, DEFAULT_TARGET_KEY, targetFileName, targetKey, TARGETS_PAGE, type ChooseOptions, type TargetChoice, type TargetConfig, type TargetJob } from '../../src/delivery/targets';
import type { TargetView } from '../../platform/delivery/views';
import { AppError, badRequest, conflict, notFound } from '../errors';
import type { Secrets } from '../secrets';
import type { Queryable } from '../store';
import { nowIso } from '../store/ids';
import { listPartners } from './partners';

export type StoredTarget = TargetView;

interface TargetRow {
  job: TargetJob;
  target_key: string;
  label: string;
  partner_id: string;
  folder: string;
  file_name_pattern: string;
  version: number;
  updated_by: string;
  updated_at: string;
  partner_name: string | null;
}

const toTarget = (r: TargetRow): StoredTarget => ({
  job: r.job,
  key: r.target_key,
  label: r.label,
  partnerId: r.partner_id,
  partnerName: r.partner_name ?? '',
  folder: r.folder,
  fileNamePattern: r.file_name_pattern,
  version: Number(r.version),
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
});

const SELECT = `SELECT t.*, p.name AS partner_name FROM delivery_targets t LEFT JOIN delivery_partners p ON p.id = t.partner_id`;

export async function listTargets(db: Queryable, job?: TargetJob): Promise<StoredTarget[]> {
  const rows = job
    ? await db.query<TargetRow>(`${SELECT} WHERE t.job = $1 ORDER BY t.job, t.target_key`, [job])
    : await db.query<TargetRow>(`${SELECT} ORDER BY t.job, t.target_key`);
  return rows.map(toTarget);
}

export async function getTarget(db: Queryable, job: TargetJob, key: string): Promise<StoredTarget | undefined> {
  const r = await db.one<TargetRow>(`${SELECT} WHERE t.job = $1 AND t.target_key = $2`, [job, targetKey(job, key)]);
  return r ? toTarget(r) : undefined;
}

export interface TargetInput {
  job: TargetJob;
  key: string;
  label?: string;
  partnerId: string;
  folder?: string;
  fileNamePattern?: string;
}

/**
 * Sets (or replaces) the target for one network, customer or ledger; returns it with the one it
 * replaced. Plain SQL only, so it may run inside a transaction with its audit entry.
 */
export async function putTarget(db: Queryable, input: TargetInput, actor: string): Promise<{ target: StoredTarget; previous: StoredTarget | undefined }> {
  const folder = (input.folder ?? '').trim();
  const fileNamePattern = (input.fileNamePattern ?? '').trim();
  const mistakes = checkTarget({ job: input.job, key: input.key, folder, fileNamePattern });
  if (mistakes.length) throw badRequest('bad-target', mistakes.join(' '));
  if (!(await db.one('SELECT id FROM delivery_partners WHERE id = $1', [input.partnerId]))) throw notFound('partner-not-found', `There is no delivery partner ${input.partnerId}.`);
  const key = targetKey(input.job, input.key);
  const label = input.label?.trim() || (key === DEFAULT_TARGET_KEY ? 'Every ledger' : input.key.trim());
  const previous = await getTarget(db, input.job, key);
  const at = nowIso();
  await db.exec(
    `INSERT INTO delivery_targets (job, target_key, label, partner_id, folder, file_name_pattern, version, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)
     ON CONFLICT (job, target_key) DO UPDATE SET label = excluded.label, partner_id = excluded.partner_id, folder = excluded.folder,
       file_name_pattern = excluded.file_name_pattern, version = delivery_targets.version + 1, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [input.job, key, label, input.partnerId, folder, fileNamePattern, actor, at],
  );
  return { target: (await getTarget(db, input.job, key))!, previous };
}

export async function deleteTarget(db: Queryable, job: TargetJob, key: string): Promise<StoredTarget> {
  const cur = await getTarget(db, job, key);
  if (!cur) throw notFound('target-not-found', `No delivery target is set for ${key} (${job}).`);
  await db.exec('DELETE FROM delivery_targets WHERE job = $1 AND target_key = $2', [job, cur.key]);
  return cur;
}

/** The targets that send to a partner (a partner in use is not removed). */
export async function targetsUsingPartner(db: Queryable, partnerId: string): Promise<StoredTarget[]> {
  return (await db.query<TargetRow>(`${SELECT} WHERE t.partner_id = $1 ORDER BY t.job, t.target_key`, [partnerId])).map(toTarget);
}

/** The rule's input: every target and every partner (as the API shows them: no secret). */
export async function targetConfig(db: Queryable, secrets: Secrets): Promise<TargetConfig> {
  const [targets, partners] = await Promise.all([listTargets(db), listPartners(db, secrets)]);
  return { targets, partners };
}

export async function resolveTarget(db: Queryable, secrets: Secrets, job: TargetJob, value: string, options: ChooseOptions = {}): Promise<TargetChoice> {
  return chooseTarget(await targetConfig(db, secrets), job, value, options);
}

/** What a delivery batch carries for one file sent to a chosen target: partner, folder and the name at the partner. */
export function targetedFile(choice: TargetChoice, fileName: string, values: Readonly<Record<string, string>> = {}): { partnerId: string; folder: string; fileName: string } {
  if (!choice.ok) throw conflict(choice.code === 'no-target' ? 'no-delivery-target' : choice.code, choice.reason);
  const named = targetFileName(choice.fileNamePattern, fileName, values);
  if (!named.ok) throw new AppError(409, 'bad-target-file-name', `${named.reason} An admin corrects it under ${TARGETS_PAGE}.`);
  return { partnerId: choice.partnerId, folder: choice.folder, fileName: named.fileName };
}
