/**
 * Approve what you see: each approval records the hash of the content it approved (what would
 * leave: the Zoho documents' canonical JSON, the files' bytes), and each version of a batch records
 * its content — the hash, one entry per item (key, digest, the stored file it sends) and the totals
 * the approvals inbox lists — so an approver sees what changed since the previous version. Items
 * keep the label a sentence names them by. Approvals from before keep a NULL hash (see
 * src/batches/lifecycle.ts: they stand as they did).
 */
export const up = `
ALTER TABLE approvals ADD COLUMN content_hash TEXT;
ALTER TABLE batch_items ADD COLUMN label TEXT;

CREATE TABLE batch_versions (
  batch_id TEXT NOT NULL REFERENCES batches (id),
  version INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  manifest TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  PRIMARY KEY (batch_id, version)
);
CREATE INDEX batches_state_created ON batches (state, created_at);
`;
