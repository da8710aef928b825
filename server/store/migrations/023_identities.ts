/**
 * People's display names beside their identity keys: who an identity key (`<issuer>#<subject>`) is,
 * for the screens that list actors (Activity, the audit log). Identity stays the key everywhere
 * else; the name here is the latest the identity provider gave, for display only.
 */
export const up = `
CREATE TABLE identities (
  identity_key TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  email TEXT,
  seen_at TEXT NOT NULL
);
`;
