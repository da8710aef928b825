/** The same integration tests run on SQLite and on PostgreSQL: `describe.each(BACKENDS)`. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditProtection, createAudit, type Audit, type AuditProtection } from '../../server/audit';
import { loadConfig, type Config } from '../../server/config';
import { openStore, type Store } from '../../server/store';
import { createTestDatabase } from './postgres';

/** The master key tests pass as CLOSEDESK_MASTER_KEY unless they need their own. */
export const TEST_MASTER_KEY = Buffer.alloc(32, 3);

/** Audit keys derived from a test master key; checkpoints in `dir` (or a per-process file in the temp folder). */
export function testAuditProtection(dir?: string, masterKey = TEST_MASTER_KEY): AuditProtection {
  const checkpointsFile = dir ? path.join(dir, 'audit-checkpoints.log') : sharedCheckpointsFile();
  return auditProtection({ masterKey, audit: { checkpointsFile } });
}

let shared: string | undefined;
function sharedCheckpointsFile(): string {
  if (!shared) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-audit-'));
    shared = path.join(dir, 'audit-checkpoints.log');
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return shared;
}

/** An audit log over the store under the test keys (tests that verify the log give their data dir). */
export function testAudit(store: Store, dir?: string): Audit {
  return createAudit(store, testAuditProtection(dir));
}

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = ['sqlite', 'postgres'];

export interface TestBackend {
  backend: Backend;
  /** A temp folder for the data dir (keys, SQLite file). */
  dir: string;
  databaseUrl?: string;
  sqliteFile?: string;
  store: Store;
  /** The audit log under the test keys, checkpoints in `dir` (what an app built with TEST_MASTER_KEY and this data dir uses). */
  audit: Audit;
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
    audit: testAudit(store, dir),
    async cleanup() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The server's configuration as the API tests run it on this backend: its data folder and database,
 * datasets under `datasets/` in that folder, plain http, the test master key, a silent log. `env` adds
 * what one test needs (mail, lease seconds, a static folder) or overrides these.
 */
export function testConfig(t: Pick<TestBackend, 'dir' | 'databaseUrl'>, env: Record<string, string | undefined> = {}): Config {
  return loadConfig(
    {
      CLOSEDESK_DATA_DIR: t.dir,
      CLOSEDESK_DATASETS_DIR: path.join(t.dir, 'datasets'),
      DATABASE_URL: t.databaseUrl,
      CLOSEDESK_HTTPS: 'off',
      CLOSEDESK_MASTER_KEY: TEST_MASTER_KEY.toString('base64'),
      LOG_LEVEL: 'silent',
      ...env,
    },
    t.dir,
  );
}
