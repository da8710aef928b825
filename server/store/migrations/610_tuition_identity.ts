/**
 * Tuition invoices record their preparers by identity key (issuer + subject) with the display name
 * beside them, and the customer's decision by the identity of the approver the link was configured
 * for (decided_by keeps the name shown). Rows from before keep their name and get the key
 * `urn:closedesk:legacy-name#<name>` (see 010_identity).
 */
export const up = `
ALTER TABLE tuition_invoices ADD COLUMN created_by_name TEXT;
UPDATE tuition_invoices SET created_by_name = created_by, created_by = 'urn:closedesk:legacy-name#' || created_by;
ALTER TABLE tuition_invoice_versions ADD COLUMN created_by_name TEXT;
UPDATE tuition_invoice_versions SET created_by_name = created_by, created_by = 'urn:closedesk:legacy-name#' || created_by;
ALTER TABLE tuition_invoices ADD COLUMN decided_by_id TEXT;
`;
