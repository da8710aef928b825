/**
 * Tuition billing: customers' approval and delivery settings, monthly invoices with every
 * version kept (what a customer approved is a hash of one exact version), and signed approval links
 * (single use: used_at is set once, in the same transaction as the decision).
 */
export const up = `
CREATE TABLE tuition_customers (
  customer_key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  approver_email TEXT NOT NULL DEFAULT '',
  delivery TEXT NOT NULL DEFAULT '{"method":"none"}',
  layout TEXT,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE tuition_invoices (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  customer TEXT NOT NULL,
  customer_key TEXT NOT NULL,
  month TEXT NOT NULL,
  currency TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'awaiting_approval', 'approved', 'denied', 'delivered')),
  document TEXT NOT NULL,
  doc_hash TEXT NOT NULL,
  total_cents BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  decided_version INTEGER,
  decided_hash TEXT,
  decided_by TEXT,
  decided_at TEXT,
  decision_reason TEXT,
  delivery_batch_id TEXT,
  delivery_error TEXT,
  delivered_at TEXT
);
CREATE INDEX tuition_invoices_month ON tuition_invoices (month, customer_key);

CREATE TABLE tuition_invoice_versions (
  invoice_id TEXT NOT NULL REFERENCES tuition_invoices (id),
  version INTEGER NOT NULL,
  document TEXT NOT NULL,
  doc_hash TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (invoice_id, version)
);

CREATE TABLE tuition_links (
  id TEXT PRIMARY KEY,
  invoice_id TEXT NOT NULL REFERENCES tuition_invoices (id),
  version INTEGER NOT NULL,
  doc_hash TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  used_at TEXT,
  used_decision TEXT
);
CREATE INDEX tuition_links_invoice ON tuition_links (invoice_id);
`;
