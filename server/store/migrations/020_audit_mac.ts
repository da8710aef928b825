/**
 * Audit entries record which chain they belong to: 'sha256' (written before the keyed MAC; re-chained
 * once by server/audit.ts when the log is first used with its key) or 'hmac-sha256'.
 */
export const up = `ALTER TABLE audit_log ADD COLUMN chain TEXT NOT NULL DEFAULT 'sha256'`;
