/**
 * Partner file delivery: partners (credentials live in `secrets`, never here), the file
 * bytes of delivery batches (content-addressed), and one receipt per delivered file.
 */
const tables = (blob: string) => `
CREATE TABLE delivery_partners (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  protocol TEXT NOT NULL CHECK (protocol IN ('ftp', 'ftps', 'sftp')),
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  folder TEXT NOT NULL DEFAULT '',
  username TEXT NOT NULL,
  auth TEXT NOT NULL CHECK (auth IN ('password', 'key')),
  host_fingerprint TEXT,
  tls_fingerprint TEXT,
  pgp_public_key TEXT,
  networks TEXT NOT NULL DEFAULT '[]',
  version INTEGER NOT NULL DEFAULT 1,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE delivery_blobs (
  sha256 TEXT PRIMARY KEY,
  bytes BIGINT NOT NULL,
  content ${blob} NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE delivery_receipts (
  batch_id TEXT NOT NULL REFERENCES batches (id),
  seq INTEGER NOT NULL,
  partner_id TEXT NOT NULL,
  file_name TEXT NOT NULL,
  remote_path TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  content_sha256 TEXT NOT NULL,
  protocol TEXT NOT NULL,
  host TEXT NOT NULL,
  server_fingerprint TEXT NOT NULL,
  verified_by TEXT NOT NULL,
  adopted INTEGER NOT NULL DEFAULT 0,
  encrypted INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL,
  sent_by TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (batch_id, seq)
);
CREATE INDEX delivery_receipts_at ON delivery_receipts (at);
`;

export const up = { sqlite: tables('BLOB'), postgres: tables('BYTEA') };
