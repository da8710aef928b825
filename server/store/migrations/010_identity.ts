/**
 * Identities: preparers and approvers are stored as identity keys (issuer + subject,
 * src/approval/identity.ts) with the display name beside them, and each item records who prepared
 * it, so maker-checker compares people, never names. Rows written before keep their name for display
 * and get the key `urn:closedesk:legacy-name#<name>`, which the approval rule compares by name in
 * any case (it can only refuse more).
 */
export const up = `
ALTER TABLE batches ADD COLUMN prepared_by_name TEXT;
UPDATE batches SET prepared_by_name = prepared_by, prepared_by = 'urn:closedesk:legacy-name#' || prepared_by;

-- JSON list of {id, name}: everyone who put the item's current content in the batch; NULL (rows from before) = the batch's preparer.
ALTER TABLE batch_items ADD COLUMN prepared_by TEXT;

ALTER TABLE approvals ADD COLUMN approved_by_name TEXT;
-- JSON list of the approver's roles when she decided; NULL for decisions from before, which needed the approver role.
ALTER TABLE approvals ADD COLUMN approver_roles TEXT;
UPDATE approvals SET approved_by_name = approved_by, approved_by = 'urn:closedesk:legacy-name#' || approved_by;
`;
