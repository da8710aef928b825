/** Starts the backend: `tsx server/main.ts` (development) or `node dist/server/main.js`. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';

export async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let app: FastifyInstance;
  try {
    app = await buildApp(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`CloseDesk will not start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // Stop accepting requests, let in-flight ones finish, close the store; force exit if stuck.
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    { store: app.ctx.store.description, datasets: config.datasetsDir, auth: config.auth.mode, https: Boolean(config.tls) },
    'CloseDesk backend ready',
  );
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`CloseDesk could not start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
