/**
 * One async data layer over SQLite (better-sqlite3, embedded default) and PostgreSQL (pg).
 * SQL is written once with $1, $2… placeholders; for SQLite they become named parameters.
 * See server/store/README.md for the API and how to add migrations.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { runMigrations, type Migration } from './migrate';

export type Dialect = 'sqlite' | 'postgres';
export type Param = string | number | bigint | boolean | null | undefined | Date | Buffer;

export interface Queryable {
  readonly dialect: Dialect;
  /** All rows as objects keyed by column name. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly Param[]): Promise<T[]>;
  /** First row or undefined. */
  one<T = Record<string, unknown>>(sql: string, params?: readonly Param[]): Promise<T | undefined>;
  /** Statement without result rows; returns the number of rows changed. */
  exec(sql: string, params?: readonly Param[]): Promise<{ changes: number }>;
  /**
   * Rows as arrays plus column names, values kept exact: 64-bit integers beyond 2^53 and
   * PostgreSQL numerics come back as text (used by datasets, where ids must not be rounded).
   */
  queryTable(sql: string, params?: readonly Param[]): Promise<{ columns: string[]; rows: unknown[][] }>;
  /** Several statements separated by `;`, no parameters (migrations, DDL). */
  execScript(sql: string): Promise<void>;
  /**
   * Inside a transaction only: runs fn once the transaction has committed (never after a
   * rollback), e.g. to record outside the database what the database now holds. fn must not throw.
   */
  afterCommit?(fn: () => void): void;
}

/** A transaction handle: the connection plus hooks that run after COMMIT. */
function inTransaction(q: Queryable): { tx: Queryable; committed(): void } {
  const hooks: (() => void)[] = [];
  return {
    tx: { ...q, afterCommit: (fn) => void hooks.push(fn) },
    committed: () => {
      for (const fn of hooks) fn();
    },
  };
}

export interface Store extends Queryable {
  /** Runs fn inside one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Applies pending migrations (idempotent). Returns the ids applied now. */
  migrate(extra?: Migration[]): Promise<string[]>;
  close(): Promise<void>;
  /** Where the data lives, without credentials (for logs). */
  readonly description: string;
}

export interface StoreOptions {
  /** postgres://… URL; when absent, SQLite at sqliteFile. */
  databaseUrl?: string;
  sqliteFile?: string;
  /** Apply migrations on open (default true). */
  migrate?: boolean;
  /** Options for pg.Pool (size etc.). */
  poolMax?: number;
  /** Read-only connection (SQL dataset sources): SQLite opened read-only, PostgreSQL read-only transactions. */
  readonly?: boolean;
  /**
   * PostgreSQL (SQL dataset sources): deadline of connecting and of each statement. The server
   * cancels a statement at this limit (statement_timeout); a server that does not answer at all is
   * given up a moment later (query_timeout) and that connection's socket is destroyed.
   */
  timeoutMs?: number;
}

/** How much longer than statement_timeout the client waits before it gives up on a silent server. */
const SILENT_SERVER_GRACE_MS = 1000;

export async function openStore(opts: StoreOptions): Promise<Store> {
  const url = opts.databaseUrl?.trim();
  let store: Store;
  const ro = Boolean(opts.readonly);
  if (url && /^postgres(ql)?:\/\//i.test(url)) store = await openPostgres(url, opts.poolMax ?? 10, ro, opts.timeoutMs);
  else if (url && /^sqlite:/i.test(url)) store = openSqlite(url.replace(/^sqlite:(\/\/)?/i, ''), ro);
  else if (url) throw new Error(`DATABASE_URL must start with postgres:// or sqlite:, got "${url.split(':')[0]}:…".`);
  else if (opts.sqliteFile) store = openSqlite(opts.sqliteFile, ro);
  else throw new Error('openStore needs a databaseUrl or an sqliteFile.');
  if (opts.migrate !== false && !ro) await store.migrate();
  return store;
}

/** `$from, $from+1, …` for an `IN (…)` list of n values: SQL keeps the one placeholder style on both databases. */
export function placeholders(n: number, from = 1): string {
  return Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');
}

/** Keys per statement in `queryByKeys` (a statement holds only so many parameters). */
const KEYS_PER_QUERY = 500;

/**
 * The rows for many keys, KEYS_PER_QUERY at a time: `sql(list)` is the statement with `list` the
 * placeholders of an `IN (…)` list; `before` are the parameters ahead of the keys ($1 …).
 */
export async function queryByKeys<T>(db: Queryable, keys: readonly string[], sql: (list: string) => string, before: readonly Param[] = []): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
    const chunk = keys.slice(i, i + KEYS_PER_QUERY);
    out.push(...(await db.query<T>(sql(placeholders(chunk.length, before.length + 1)), [...before, ...chunk])));
  }
  return out;
}

/** Rewrites $1…$n to @p1…@pn outside string literals and quoted identifiers. */
export function toSqliteSql(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j])) j++;
      out += '@p' + sql.slice(i + 1, j);
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function sqliteValue(v: Param): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  return v;
}

function sqliteParams(params: readonly Param[] | undefined): Record<string, unknown> {
  const named: Record<string, unknown> = {};
  (params ?? []).forEach((v, i) => (named[`p${i + 1}`] = sqliteValue(v)));
  return named;
}

/** 64-bit integers: number when exact, otherwise text (never a rounded number). */
function exactInteger(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** Serialises async callers on the single SQLite connection so a transaction's awaits are not interleaved. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

function openSqlite(file: string, readonly = false): Store {
  if (readonly) {
    if (!fs.existsSync(file)) throw new Error(`The SQLite database ${file} does not exist.`);
  } else if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file, { readonly });
  if (!readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let st = statements.get(sql);
    if (!st) {
      st = db.prepare(toSqliteSql(sql));
      if (statements.size > 500) statements.clear();
      statements.set(sql, st);
    }
    return st;
  };
  // Sync work wrapped as async; every entry point goes through the mutex except calls made
  // from inside a transaction (they already hold it).
  const direct: Queryable = {
    dialect: 'sqlite',
    async query<T>(sql: string, params?: readonly Param[]) {
      return prepare(sql).all(sqliteParams(params)) as T[];
    },
    async one<T>(sql: string, params?: readonly Param[]) {
      const st = prepare(sql);
      return (st.reader ? st.get(sqliteParams(params)) : (st.run(sqliteParams(params)), undefined)) as T | undefined;
    },
    async exec(sql: string, params?: readonly Param[]) {
      const st = prepare(sql);
      const r = st.reader ? (st.all(sqliteParams(params)), { changes: 0 }) : st.run(sqliteParams(params));
      return { changes: Number(r.changes) };
    },
    async queryTable(sql: string, params?: readonly Param[]) {
      const st = db.prepare(toSqliteSql(sql)).raw(true).safeIntegers(true);
      const columns = st.columns().map((c) => c.name);
      const rows = (st.all(sqliteParams(params)) as unknown[][]).map((r) =>
        r.map((v) => (typeof v === 'bigint' ? exactInteger(v) : v)),
      );
      return { columns, rows };
    },
    async execScript(sql: string) {
      db.exec(sql);
    },
  };
  const mutex = new Mutex();
  const store: Store = {
    dialect: 'sqlite',
    description: `SQLite ${file}`,
    query: (sql, params) => mutex.run(() => direct.query(sql, params)),
    one: (sql, params) => mutex.run(() => direct.one(sql, params)),
    exec: (sql, params) => mutex.run(() => direct.exec(sql, params)),
    queryTable: (sql, params) => mutex.run(() => direct.queryTable(sql, params)),
    execScript: (sql) => mutex.run(() => direct.execScript(sql)),
    transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      return mutex.run(async () => {
        db.exec('BEGIN IMMEDIATE');
        const t = inTransaction(direct);
        try {
          const result = await fn(t.tx);
          db.exec('COMMIT');
          t.committed();
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      });
    },
    migrate: (extra) => runMigrations(store, extra),
    async close() {
      await mutex.run(async () => {
        if (db.open) db.close();
      });
    },
  };
  return store;
}

// pg returns BIGINT/COUNT as text by default; ours become numbers when exact (cents, counts).
const int8 = (v: string): number | string => exactInteger(BigInt(v));
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return int8;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

function pgQueryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    dialect: 'postgres',
    async query<T>(sql: string, params?: readonly Param[]) {
      const r = await client.query({ text: sql, values: params as unknown[], types: pgTypes } as pg.QueryConfig);
      return r.rows as T[];
    },
    async one<T>(sql: string, params?: readonly Param[]) {
      const r = await client.query({ text: sql, values: params as unknown[], types: pgTypes } as pg.QueryConfig);
      return r.rows[0] as T | undefined;
    },
    async exec(sql: string, params?: readonly Param[]) {
      const r = await client.query(params?.length ? { text: sql, values: params as unknown[] } : sql);
      return { changes: r.rowCount ?? 0 };
    },
    async queryTable(sql: string, params?: readonly Param[]) {
      const r = await client.query({
        text: sql,
        values: params as unknown[],
        rowMode: 'array',
        types: pgTypes,
      } as pg.QueryArrayConfig);
      return { columns: r.fields.map((f) => f.name), rows: r.rows as unknown[][] };
    },
    async execScript(sql: string) {
      await client.query(sql);
    },
  };
}

async function openPostgres(url: string, max: number, readonly = false, timeoutMs?: number): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    ...(readonly ? { options: '-c default_transaction_read_only=on' } : {}),
    // pg destroys the socket when connecting outlasts connectionTimeoutMillis; a query that outlasts
    // query_timeout fails, and the pool then ends that client, which destroys a socket still busy.
    ...(timeoutMs
      ? { connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, query_timeout: timeoutMs + SILENT_SERVER_GRACE_MS, keepAlive: true }
      : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const base = pgQueryable(pool);
  const safeUrl = url.replace(/\/\/[^@/]*@/, '//');
  const store: Store = {
    ...base,
    description: `PostgreSQL ${safeUrl}`,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const t = inTransaction(pgQueryable(client));
        const result = await fn(t.tx);
        await client.query('COMMIT');
        t.committed();
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    migrate: (extra) => runMigrations(store, extra),
    async close() {
      await pool.end();
    },
  };
  // Check the connection now so a wrong DATABASE_URL fails at start-up with a clear message.
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot connect to PostgreSQL at ${safeUrl}: ${(err as Error).message}`);
  }
  return store;
}

export type { Migration } from './migrate';
