/** The same integration tests run on SQLite and on PostgreSQL: `describe.each(BACKENDS)`. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../server/store';
import { createTestDatabase } from './postgres';

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = ['sqlite', 'postgres'];

export interface TestBackend {
  backend: Backend;
  /** A temp folder for the data dir (keys, SQLite file). */
  dir: string;
  databaseUrl?: string;
  sqliteFile?: string;
  store: Store;
  cleanup(): Promise<void>;
}

export async function openTestBackend(backend: Backend): Promise<TestBackend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `closedesk-${backend}-`));
  const databaseUrl = backend === 'postgres' ? await createTestDatabase() : undefined;
  const sqliteFile = backend === 'sqlite' ? path.join(dir, 'closedesk.sqlite') : undefined;
  const store = await openStore({ databaseUrl, sqliteFile });
  return {
    backend,
    dir,
    databaseUrl,
    sqliteFile,
    store,
    async cleanup() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
