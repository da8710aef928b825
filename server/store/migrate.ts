/**
 * Migrations: files server/store/migrations/NNN_name.ts, applied once in file-name order and
 * recorded in schema_migrations. Each exports `up`: portable SQL, or { sqlite, postgres }.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Dialect, Queryable, Store } from './index';

export interface Migration {
  /** File name without extension, e.g. `001_core`. */
  id: string;
  up: string | Record<Dialect, string>;
}

const SOURCE_EXT = path.extname(__filename); // .ts under tsx/jest, .js when compiled

/** Every migration file in server/store/migrations, sorted by name. */
export function discoverMigrations(dir = path.join(__dirname, 'migrations')): Migration[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3,}_[\w-]+\.(ts|js)$/.test(f) && path.extname(f) === SOURCE_EXT && !f.includes('.test.'))
    .sort()
    .map((f) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(dir, f)) as { up?: Migration['up']; default?: { up: Migration['up'] } };
      const up = mod.up ?? mod.default?.up;
      if (!up) throw new Error(`Migration ${f} exports no "up".`);
      return { id: f.replace(/\.(ts|js)$/, ''), up };
    });
}

export function migrationSql(m: Migration, dialect: Dialect): string {
  return typeof m.up === 'string' ? m.up : m.up[dialect];
}

/** Applies pending migrations in one transaction; on PostgreSQL an advisory lock keeps two instances from racing. */
export async function runMigrations(store: Store, extra: Migration[] = []): Promise<string[]> {
  const all = [...discoverMigrations(), ...extra].sort((a, b) => a.id.localeCompare(b.id));
  return store.transaction(async (tx: Queryable) => {
    if (tx.dialect === 'postgres') await tx.exec('SELECT pg_advisory_xact_lock(472201)');
    await tx.execScript('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set((await tx.query<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.id)) continue;
      const sql = migrationSql(m, tx.dialect);
      if (!sql) throw new Error(`Migration ${m.id} has no SQL for ${tx.dialect}.`);
      await tx.execScript(sql);
      await tx.exec('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', [m.id, new Date().toISOString()]);
      applied.push(m.id);
    }
    return applied;
  });
}
