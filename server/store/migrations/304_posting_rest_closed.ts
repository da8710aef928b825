/**
 * Closing the rest of an ended posting: the documents a failed or cancelled posting did not post,
 * and no batch of the rest took, may be closed without posting (finance decided they are not to be
 * posted, or the workbook now holds them under other keys). The item keeps its state and is marked
 * `closed_at`: no worker claims it, no batch of the rest takes its key over, and the ended batch no
 * longer counts it as left. Who closed the rest, why and how many: one row per batch (the primary
 * key keeps a second close out, two closers at once included).
 */
const common = `
ALTER TABLE batch_items ADD COLUMN closed_at TEXT;
CREATE TABLE posting_rest_closed (
  batch_id TEXT PRIMARY KEY REFERENCES batches (id),
  closed_by TEXT NOT NULL,
  closed_by_name TEXT NOT NULL,
  reason TEXT NOT NULL,
  closed_count INTEGER NOT NULL,
  closed_at TEXT NOT NULL
);
`;

// Both dialects add a column and a table alike; kept in the two-dialect form of 303 so a later change can differ.
export const up = { sqlite: common, postgres: common };
