/**
 * The Zoho mapping each connection keeps for settlements: GL account name → account, SKU → item,
 * charge line → item, marketplace → customer (src/settlements/mapping-file.ts). `map_key` is the
 * name lower-cased and trimmed, so one name maps once; `name` keeps it as written. Removing the
 * connection removes its mapping: the ids belong to that organisation.
 */
export const up = `
CREATE TABLE zoho_mappings (
  connection_id TEXT NOT NULL REFERENCES zoho_connections (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('account', 'item', 'charge-item', 'customer')),
  map_key TEXT NOT NULL,
  name TEXT NOT NULL,
  zoho_id TEXT NOT NULL,
  zoho_name TEXT NOT NULL DEFAULT '',
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (connection_id, kind, map_key)
);
`;
