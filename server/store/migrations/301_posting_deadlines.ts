/**
 * Exactly once when a dead worker's write lands late, and the census after a batch:
 * - each item records when its last write was sent and the hard deadline it was sent with, so the
 *   look-up before a retry waits until that write can no longer reach Zoho;
 * - a connection says how long one Zoho exchange may take (the client's hard deadline) and how long
 *   Zoho may still apply a write after the client closed the socket (the margin);
 * - the census's findings (a duplicate, a missing document, another id or amount) with their
 *   evidence, and the correction batch that resolves each.
 */
export const up = `
ALTER TABLE batch_items ADD COLUMN sent_at TEXT;
ALTER TABLE batch_items ADD COLUMN deadline_at TEXT;
ALTER TABLE zoho_connections ADD COLUMN timeout_ms INTEGER NOT NULL DEFAULT 60000;
ALTER TABLE zoho_connections ADD COLUMN late_write_margin_ms INTEGER NOT NULL DEFAULT 120000;

CREATE TABLE posting_findings (
  id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES batches (id),
  seq INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  type TEXT NOT NULL,
  evidence TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'correcting', 'resolved')),
  correction_batch_id TEXT,
  resolution TEXT,
  created_at TEXT NOT NULL,
  resolved_at TEXT
);
CREATE INDEX posting_findings_batch ON posting_findings (batch_id);
CREATE INDEX posting_findings_state ON posting_findings (state);
`;
