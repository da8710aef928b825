/**
 * Core tables of the backend. Portable SQL: TEXT ids and timestamps (ISO 8601 UTC),
 * BIGINT money in minor units, JSON kept as TEXT.
 */
export const up = `
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  job TEXT NOT NULL,
  input_checksum TEXT,
  row_counts TEXT NOT NULL DEFAULT '{}',
  mode TEXT,
  options TEXT NOT NULL DEFAULT '{}',
  version TEXT,
  result_checksum TEXT,
  user_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX runs_created ON runs (created_at);

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_type TEXT NOT NULL DEFAULT '',
  subject_id TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '{}',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
-- The head of the chain, written in the same transaction as each entry, so deleting the
-- newest entries is detected too.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE batches (
  id TEXT PRIMARY KEY,
  job TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  prepared_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX batches_job_state ON batches (job, state);

CREATE TABLE batch_items (
  batch_id TEXT NOT NULL REFERENCES batches (id),
  seq INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'sending', 'done', 'failed', 'needs_review')),
  request TEXT NOT NULL DEFAULT '{}',
  response TEXT,
  remote_id TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (batch_id, seq)
);
CREATE INDEX batch_items_state ON batch_items (state);

CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES batches (id),
  batch_version INTEGER NOT NULL,
  approved_by TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
  reason TEXT
);
CREATE INDEX approvals_batch ON approvals (batch_id, batch_version);

CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  ciphertext TEXT NOT NULL,
  iv TEXT NOT NULL,
  tag TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`;
