/**
 * CLOSEDESK_SQL_SOURCES: a JSON file naming databases and the queries offered as datasets.
 *
 * {
 *   "sources": { "warehouse": { "urlEnv": "WAREHOUSE_URL" }, "local": { "url": "sqlite:warehouse.sqlite" } },
 *   "queries": [ { "id": "glap", "name": "GLAP by period", "source": "warehouse",
 *                  "sql": "SELECT * FROM glap WHERE period = $1", "params": [{ "name": "period", "default": "2024-01" }] } ]
 * }
 *
 * Passwords stay out of the file with `urlEnv` (the URL is read from that environment variable).
 * Relative sqlite: paths are relative to the JSON file. Request values are bound to $1…$n.
 * A source may set `"timeoutSeconds"` (default 30): the deadline of connecting to a PostgreSQL source
 * and of each query. Past it the server cancels the statement (statement_timeout); a server that does
 * not answer at all has its connection destroyed; either way the request fails with a 504 that says
 * to try again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DeadlineExceeded, formatSeconds, withDeadline } from '../deadline';
import { AppError } from '../errors';
import { openStore, type Param, type Store } from '../store';

export const DEFAULT_SOURCE_TIMEOUT_SECONDS = 30;

const sourceSchema = z
  .object({ url: z.string().min(1).optional(), urlEnv: z.string().min(1).optional(), timeoutSeconds: z.number().positive().max(3600).optional() })
  .refine((s) => Boolean(s.url) !== Boolean(s.urlEnv), { message: 'give either url or urlEnv' });

const querySchema = z.object({
  id: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only'),
  name: z.string().min(1).optional(),
  source: z.string().min(1),
  sql: z.string().min(1),
  params: z.array(z.object({ name: z.string().regex(/^[A-Za-z_]\w*$/), default: z.string().optional() })).default([]),
});

const fileSchema = z.object({
  sources: z.record(sourceSchema).default({}),
  queries: z.array(querySchema).default([]),
});

export interface SqlQuery {
  id: string;
  name: string;
  source: string;
  sql: string;
  params: { name: string; default?: string }[];
}

export interface SqlSources {
  queries: SqlQuery[];
  /**
   * One query on a source, under the source's deadline. A source that does not answer in time
   * fails with AppError 504 `sql-source-timeout` (retryable); its connection is closed.
   */
  queryTable(source: string, sql: string, params: readonly Param[]): Promise<{ columns: string[]; rows: unknown[][] }>;
  close(): Promise<void>;
}

/** Statement timeout (57014), lock timeout (55P03), and pg's own connect / read deadlines. */
function isTimeout(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return err instanceof DeadlineExceeded || e?.code === '57014' || e?.code === '55P03' || /timeout|timed out/i.test(String(e?.message ?? ''));
}

export function loadSqlSources(file: string | undefined, env: Record<string, string | undefined> = process.env): SqlSources {
  if (!file) {
    const none = () => Promise.reject(new Error('No SQL sources are configured.'));
    return { queries: [], queryTable: none, close: async () => undefined };
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`CLOSEDESK_SQL_SOURCES file ${file} cannot be read: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`CLOSEDESK_SQL_SOURCES file ${file} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const { sources } = parsed.data;
  for (const q of parsed.data.queries) {
    if (!sources[q.source]) throw new Error(`CLOSEDESK_SQL_SOURCES: query ${q.id} names source "${q.source}", which is not defined.`);
  }
  const queries: SqlQuery[] = parsed.data.queries.map((q) => ({ ...q, name: q.name ?? q.id }));
  const open = new Map<string, Promise<Store>>();
  const timeoutMs = (name: string) => (sources[name]?.timeoutSeconds ?? DEFAULT_SOURCE_TIMEOUT_SECONDS) * 1000;
  const storeFor = (name: string): Promise<Store> => {
    let p = open.get(name);
    if (!p) {
      const s = sources[name];
      let url = s.url ?? env[s.urlEnv!];
      if (!url) {
        return Promise.reject(new AppError(503, 'sql-source-unconfigured', `The SQL source ${name} has no address: set the environment variable ${s.urlEnv}.`));
      }
      if (/^sqlite:/i.test(url)) url = `sqlite:${path.resolve(path.dirname(file), url.replace(/^sqlite:(\/\/)?/i, ''))}`;
      // Read-only: a dataset query can never change the source.
      p = openStore({ databaseUrl: url, migrate: false, poolMax: 4, readonly: true, timeoutMs: timeoutMs(name) });
      p.catch(() => open.delete(name));
      open.set(name, p);
    }
    return p;
  };
  /** Closes a source's connections and forgets them; the next query opens new ones. */
  const drop = (name: string) => {
    const p = open.get(name);
    open.delete(name);
    void p?.then((s) => s.close()).catch(() => undefined);
  };
  return {
    queries,
    async queryTable(name, sql, params) {
      const ms = timeoutMs(name);
      try {
        // pg enforces the deadline per connect and per statement (see openStore); this outer one
        // (both of them plus a margin) only fires if the driver itself never gives up.
        return await withDeadline(2 * ms + 5000, `querying ${name}`, () => drop(name), async () => (await storeFor(name)).queryTable(sql, params));
      } catch (err) {
        if (!isTimeout(err)) throw err;
        throw new AppError(
          504,
          'sql-source-timeout',
          `The SQL source ${name} did not answer within ${formatSeconds(ms)}; the query was stopped and its connection closed. Nothing was changed; try again, and if it keeps happening ask an administrator to check the source.`,
          { retryable: true },
        );
      }
    },
    async close() {
      for (const p of open.values()) await (await p.catch(() => undefined))?.close();
      open.clear();
    },
  };
}
