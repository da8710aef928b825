/**
 * The rest of a posting in a new batch: a document's key was in one batch for ever (UNIQUE), so the
 * documents a failed, cancelled or rejected posting did not post could never be prepared again. Now
 * a key is held by one batch at a time: a new batch may take it over from one that ended without
 * posting it (server/posting/prepare.ts says which), and the old item stays as it was, marked
 * `superseded_by` the new batch. The partial unique index keeps two live holders out, as the
 * constraint did (two preparers at once: one of them is refused).
 */
const common = `
CREATE UNIQUE INDEX batch_items_live_key ON batch_items (idempotency_key) WHERE superseded_by IS NULL;
CREATE INDEX batch_items_superseded ON batch_items (superseded_by);
`;

export const up = {
  // SQLite cannot drop a column's UNIQUE: the table is copied (same columns, in the same order).
  sqlite: `
CREATE TABLE batch_items_new (
  batch_id TEXT NOT NULL REFERENCES batches (id),
  seq INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'sending', 'done', 'failed', 'needs_review')),
  request TEXT NOT NULL DEFAULT '{}',
  response TEXT,
  remote_id TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL, prepared_by TEXT, label TEXT, sent_at TEXT, deadline_at TEXT, lease_owner TEXT, lease_until TEXT, not_before TEXT,
  superseded_by TEXT,
  PRIMARY KEY (batch_id, seq)
);
INSERT INTO batch_items_new (batch_id, seq, idempotency_key, kind, state, request, response, remote_id, error, attempts, updated_at, prepared_by, label, sent_at, deadline_at, lease_owner, lease_until, not_before)
  SELECT batch_id, seq, idempotency_key, kind, state, request, response, remote_id, error, attempts, updated_at, prepared_by, label, sent_at, deadline_at, lease_owner, lease_until, not_before FROM batch_items;
DROP TABLE batch_items;
ALTER TABLE batch_items_new RENAME TO batch_items;
CREATE INDEX batch_items_state ON batch_items (state);
CREATE INDEX batch_items_claim ON batch_items (batch_id, kind, state, seq);
CREATE INDEX batch_items_lease ON batch_items (lease_owner);
${common}`,
  postgres: `
ALTER TABLE batch_items DROP CONSTRAINT batch_items_idempotency_key_key;
ALTER TABLE batch_items ADD COLUMN superseded_by TEXT;
${common}`,
};
