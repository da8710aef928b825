/**
 * Zoho connections (credentials themselves are in `secrets`, encrypted), the id map that replaces
 * the old tracking CSV (idempotency key → Zoho id, per organisation), and the posting worker's
 * control row per batch (pause / resume / cancel, the daily-limit pause, which worker holds it).
 */
export const up = `
CREATE TABLE zoho_connections (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  data_centre TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  organization_name TEXT NOT NULL DEFAULT '',
  client_id TEXT NOT NULL,
  accounts_url TEXT,
  api_url TEXT,
  per_minute INTEGER NOT NULL DEFAULT 90,
  concurrency INTEGER NOT NULL DEFAULT 10,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_test_at TEXT,
  last_test_result TEXT
);

CREATE TABLE zoho_id_map (
  idempotency_key TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  zoho_id TEXT NOT NULL,
  number TEXT,
  batch_id TEXT NOT NULL,
  adopted INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX zoho_id_map_batch ON zoho_id_map (batch_id);
CREATE INDEX zoho_id_map_org_kind ON zoho_id_map (organization_id, kind, zoho_id);

CREATE TABLE posting_control (
  batch_id TEXT PRIMARY KEY REFERENCES batches (id),
  command TEXT NOT NULL DEFAULT 'run' CHECK (command IN ('run', 'pause', 'cancel')),
  paused_until TEXT,
  reason TEXT,
  worker TEXT,
  heartbeat_at TEXT,
  updated_at TEXT NOT NULL
);
`;
