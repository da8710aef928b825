/**
 * Display names of identities (migration 023): the latest name and e-mail an identity key signed in
 * with, written when they change (each authenticated request checks a per-store memory first, so an
 * unchanged person costs no query), and read beside keys for the screens that list actors.
 * Identity is always the key; a name is for display only.
 */
import { nowIso } from './ids';
import { queryByKeys, type Queryable, type Store } from './index';

export interface SeenIdentity {
  /** Identity key (issuer + subject). */
  id: string;
  name: string;
  email?: string;
}

/** Per store: identity key → what was last written (name and e-mail), so unchanged people cost nothing. */
const written = new WeakMap<Store | Queryable, Map<string, string>>();

/** Records the person's current name and e-mail when they differ from what this store last held. Returns whether it wrote. */
export async function noteIdentity(db: Store | Queryable, who: SeenIdentity): Promise<boolean> {
  let known = written.get(db);
  if (!known) written.set(db, (known = new Map()));
  const email = who.email?.trim() || null;
  const stamp = `${who.name}\u0000${email ?? ''}`;
  if (known.get(who.id) === stamp) return false;
  const row = await db.one<{ display_name: string; email: string | null }>('SELECT display_name, email FROM identities WHERE identity_key = $1', [who.id]);
  if (row && row.display_name === who.name && (row.email ?? null) === email) {
    known.set(who.id, stamp);
    return false;
  }
  await db.exec(
    `INSERT INTO identities (identity_key, display_name, email, seen_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (identity_key) DO UPDATE SET display_name = excluded.display_name, email = excluded.email, seen_at = excluded.seen_at`,
    [who.id, who.name, email, nowIso()],
  );
  known.set(who.id, stamp);
  return true;
}

/** The display names of these identity keys (keys never seen are left out). */
export async function displayNames(db: Store | Queryable, keys: Iterable<string>): Promise<Map<string, string>> {
  const unique = [...new Set(keys)].filter(Boolean);
  const rows = await queryByKeys<{ identity_key: string; display_name: string }>(db, unique, (list) => `SELECT identity_key, display_name FROM identities WHERE identity_key IN (${list})`);
  return new Map(rows.map((r) => [r.identity_key, r.display_name]));
}

/** Each record with the display name of its `key` field beside it (`nameField`), null when the identity was never seen. */
export async function withDisplayNames<T extends object, K extends keyof T & string, N extends string>(
  db: Store | Queryable,
  records: readonly T[],
  key: K,
  nameField: N,
): Promise<(T & Record<N, string | null>)[]> {
  const names = await displayNames(db, records.map((r) => String(r[key] ?? '')));
  return records.map((r) => ({ ...r, [nameField]: names.get(String(r[key] ?? '')) ?? null }) as T & Record<N, string | null>);
}
