/**
 * The Zoho mapping each connection keeps for settlements (migration 350): entries of
 * src/settlements/mapping-file.ts stored per connection, read by the Settlements page and by
 * `closedesk settlements --connection`. Plain SQL only, so every change may share a transaction
 * with its audit entry.
 */
import type { MappingEntry, MappingKind } from '../../../src/settlements/mapping-file';
import { notFound } from '../../errors';
import type { Queryable } from '../../store';
import { nowIso } from '../../store/ids';

export interface StoredMappingEntry extends MappingEntry {
  zohoName: string;
  updatedBy: string;
  updatedAt: string;
}

interface Row {
  kind: MappingKind;
  name: string;
  zoho_id: string;
  zoho_name: string;
  updated_by: string;
  updated_at: string;
}

/** One name maps once, whatever its case or surrounding spaces. */
export const mappingKey = (name: string) => name.trim().toLowerCase();

const toEntry = (r: Row): StoredMappingEntry => ({ kind: r.kind, key: r.name, zohoId: r.zoho_id, zohoName: r.zoho_name, updatedBy: r.updated_by, updatedAt: r.updated_at });

export async function listMappings(db: Queryable, connectionId: string): Promise<StoredMappingEntry[]> {
  const rows = await db.query<Row>('SELECT kind, name, zoho_id, zoho_name, updated_by, updated_at FROM zoho_mappings WHERE connection_id = $1 ORDER BY kind, map_key', [connectionId]);
  return rows.map(toEntry);
}

async function getMapping(db: Queryable, connectionId: string, kind: MappingKind, key: string): Promise<StoredMappingEntry | undefined> {
  const r = await db.one<Row>('SELECT kind, name, zoho_id, zoho_name, updated_by, updated_at FROM zoho_mappings WHERE connection_id = $1 AND kind = $2 AND map_key = $3', [
    connectionId,
    kind,
    mappingKey(key),
  ]);
  return r ? toEntry(r) : undefined;
}

/** Sets one entry; returns it with the one it replaced. */
export async function putMapping(db: Queryable, connectionId: string, e: MappingEntry, actor: string): Promise<{ entry: StoredMappingEntry; previous: StoredMappingEntry | undefined }> {
  const previous = await getMapping(db, connectionId, e.kind, e.key);
  await db.exec(
    `INSERT INTO zoho_mappings (connection_id, kind, map_key, name, zoho_id, zoho_name, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (connection_id, kind, map_key) DO UPDATE SET name = excluded.name, zoho_id = excluded.zoho_id, zoho_name = excluded.zoho_name,
       updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [connectionId, e.kind, mappingKey(e.key), e.key.trim(), e.zohoId, e.zohoName ?? '', actor, nowIso()],
  );
  return { entry: (await getMapping(db, connectionId, e.kind, e.key))!, previous };
}

export async function deleteMapping(db: Queryable, connectionId: string, kind: MappingKind, key: string): Promise<StoredMappingEntry> {
  const cur = await getMapping(db, connectionId, kind, key);
  if (!cur) throw notFound('mapping-not-found', `The mapping has no ${kind} "${key}".`);
  await db.exec('DELETE FROM zoho_mappings WHERE connection_id = $1 AND kind = $2 AND map_key = $3', [connectionId, kind, mappingKey(key)]);
  return cur;
}

/** A loaded file's entries: each one set; with `replace`, every entry the file does not list is removed. */
export async function loadMappings(db: Queryable, connectionId: string, entries: readonly MappingEntry[], actor: string, replace: boolean): Promise<{ set: number; removed: number }> {
  let removed = 0;
  if (replace) {
    const keep = new Set(entries.map((e) => `${e.kind}\u0000${mappingKey(e.key)}`));
    for (const cur of await listMappings(db, connectionId)) {
      if (keep.has(`${cur.kind}\u0000${mappingKey(cur.key)}`)) continue;
      await db.exec('DELETE FROM zoho_mappings WHERE connection_id = $1 AND kind = $2 AND map_key = $3', [connectionId, cur.kind, mappingKey(cur.key)]);
      removed++;
    }
  }
  for (const e of entries) await putMapping(db, connectionId, e, actor);
  return { set: entries.length, removed };
}
