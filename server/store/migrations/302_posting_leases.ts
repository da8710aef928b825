/**
 * Posting that recovers by itself and shares one queue between processes:
 * - each batch item is claimed under a lease (owner + until), extended by its worker's heartbeat;
 *   an item whose look-up must wait for a late write, or whose retry backs off, is not claimed
 *   before `not_before`;
 * - the workers (one per process) and their heartbeats, so a lease can be told from a dead owner's;
 * - who takes the census when a batch's last item is finished (one worker, under a lease);
 * - Zoho's per-organisation pace shared by every process and kept across restarts: each call's
 *   slot (when it started, until when it counts as in flight) and the daily-limit block.
 * Times the workers compare are epoch milliseconds (BIGINT) or ISO text as elsewhere.
 */
export const up = `
ALTER TABLE batch_items ADD COLUMN lease_owner TEXT;
ALTER TABLE batch_items ADD COLUMN lease_until TEXT;
ALTER TABLE batch_items ADD COLUMN not_before TEXT;
CREATE INDEX batch_items_claim ON batch_items (batch_id, kind, state, seq);
CREATE INDEX batch_items_lease ON batch_items (lease_owner);

ALTER TABLE posting_control ADD COLUMN finisher TEXT;
ALTER TABLE posting_control ADD COLUMN finisher_until TEXT;

CREATE TABLE posting_workers (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  lease_ms INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL,
  stopped_at TEXT
);

CREATE TABLE zoho_rate_orgs (
  organization_id TEXT PRIMARY KEY,
  blocked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE zoho_rate_calls (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  busy_until BIGINT NOT NULL
);
CREATE INDEX zoho_rate_calls_org ON zoho_rate_calls (organization_id, at);
`;
