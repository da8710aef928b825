/**
 * A void approval: when the sending process finds that what would leave is not what was approved, the
 * approval is voided (src/batches/lifecycle.ts, `void-approval`) — kept, never deleted, as audit
 * evidence — with when, why and the content hash found then; the batch awaits approval again.
 */
export const up = `
ALTER TABLE approvals ADD COLUMN voided_at TEXT;
ALTER TABLE approvals ADD COLUMN void_reason TEXT;
ALTER TABLE approvals ADD COLUMN voided_hash TEXT;
`;
