/**
 * What every route module, CLI command and job host receives: configuration, the store, the audit
 * log, auth, datasets, secrets and the logger. Built once per process (or per test).
 */
import type { DestinationStream } from 'pino';
import { auditProtection, createAudit, type Audit } from './audit';
import { createAuth, type Auth } from './auth';
import type { Config } from './config';
import { createDatasets, type Datasets } from './datasets';
import { createLogger, type Logger } from './log';
import { createSecrets, type Secrets } from './secrets';
import { openStore, type Store } from './store';

export interface AppContext {
  config: Config;
  store: Store;
  audit: Audit;
  auth: Auth;
  datasets: Datasets;
  secrets: Secrets;
  log: Logger;
  /** Closes the store and data sources. */
  close(): Promise<void>;
}

export interface ContextDeps {
  store?: Store;
  log?: Logger;
  /** Where logs go (tests capture them); default stdout. */
  logStream?: DestinationStream;
}

export async function createContext(config: Config, deps: ContextDeps = {}): Promise<AppContext> {
  const log = deps.log ?? createLogger(config.logLevel, deps.logStream);
  for (const w of config.warnings) log.warn(w);
  const store = deps.store ?? (await openStore({ databaseUrl: config.databaseUrl, sqliteFile: config.sqliteFile }));
  try {
    const auth = await createAuth(config.auth, config.dataDir);
    const datasets = createDatasets({ dir: config.datasetsDir, sqlSourcesFile: config.sqlSourcesFile });
    return {
      config,
      store,
      audit: createAudit(store, auditProtection(config), { onCheckpointFailure: (err) => log.error({ err }, 'The audit checkpoint could not be written') }),
      auth,
      datasets,
      secrets: createSecrets(store, config.masterKey),
      log,
      async close() {
        await datasets.close();
        if (!deps.store) await store.close();
      },
    };
  } catch (err) {
    if (!deps.store) await store.close();
    throw err;
  }
}
