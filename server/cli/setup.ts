/** Shared start-up for CLI commands: settings, the store, auth — logs to stderr so stdout stays clean. */
import pino from 'pino';
import { auditProtection, createAudit, type Audit } from '../audit';
import { createAuth, type Auth } from '../auth';
import { loadConfig, type Config } from '../config';
import { createDatasets, type Datasets } from '../datasets';
import { REDACT_PATHS } from '../log';
import { openStore, type Store } from '../store';
import type { CliIo } from './command';

export function cliConfig(io: CliIo): Config {
  return loadConfig(io.env, io.cwd);
}

export function cliLogger(config: Config) {
  return pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination(2));
}

export async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ databaseUrl: config.databaseUrl, sqliteFile: config.sqliteFile });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The audit log under the configured key, writing checkpoints where the server does. */
export function cliAudit(config: Config, store: Store): Audit {
  return createAudit(store, auditProtection(config));
}

export function cliAuth(config: Config): Promise<Auth> {
  return createAuth(config.auth, config.dataDir);
}

export async function withDatasets<T>(config: Config, fn: (d: Datasets) => Promise<T>): Promise<T> {
  const d = createDatasets({ dir: config.datasetsDir, sqlSourcesFile: config.sqlSourcesFile });
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}
