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
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors';
import { openStore, type Store } from '../store';

const sourceSchema = z
  .object({ url: z.string().min(1).optional(), urlEnv: z.string().min(1).optional() })
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
  storeFor(source: string): Promise<Store>;
  close(): Promise<void>;
}

export function loadSqlSources(file: string | undefined, env: Record<string, string | undefined> = process.env): SqlSources {
  if (!file) return { queries: [], storeFor: () => Promise.reject(new Error('No SQL sources are configured.')), close: async () => undefined };
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
  return {
    queries,
    storeFor(name) {
      let p = open.get(name);
      if (!p) {
        const s = sources[name];
        let url = s.url ?? env[s.urlEnv!];
        if (!url) {
          return Promise.reject(new AppError(503, 'sql-source-unconfigured', `The SQL source ${name} has no address: set the environment variable ${s.urlEnv}.`));
        }
        if (/^sqlite:/i.test(url)) url = `sqlite:${path.resolve(path.dirname(file), url.replace(/^sqlite:(\/\/)?/i, ''))}`;
        // Read-only: a dataset query can never change the source.
        p = openStore({ databaseUrl: url, migrate: false, poolMax: 4, readonly: true });
        p.catch(() => open.delete(name));
        open.set(name, p);
      }
      return p;
    },
    async close() {
      for (const p of open.values()) await (await p.catch(() => undefined))?.close();
      open.clear();
    },
  };
}
