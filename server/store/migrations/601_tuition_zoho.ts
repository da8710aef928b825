/** Tuition invoices delivered to Zoho Books: the Zoho invoice id (text: 17+ digits) of the delivered version. */
export const up = `ALTER TABLE tuition_invoices ADD COLUMN remote_id TEXT;`;
