/**
 * Approval links are e-mailed to the customer's approver: each link records the address it went to
 * (also signed into its MAC), the identity of the approver it was issued for, and when the mail
 * server accepted it (a link whose e-mail failed is revoked). A decision records that address beside
 * the approver's identity. A version records its author's mailbox when her sign-in gave one, so the
 * approval rule knows her under that address too. Customers keep their rules for matching learners.
 */
export const up = `
ALTER TABLE tuition_links ADD COLUMN recipient TEXT;
ALTER TABLE tuition_links ADD COLUMN approver_id TEXT;
ALTER TABLE tuition_links ADD COLUMN mailed_at TEXT;
ALTER TABLE tuition_links ADD COLUMN message_id TEXT;
ALTER TABLE tuition_invoices ADD COLUMN decided_recipient TEXT;
ALTER TABLE tuition_invoice_versions ADD COLUMN created_by_mailbox TEXT;
ALTER TABLE tuition_customers ADD COLUMN learners TEXT;
`;
