/**
 * jest globalSetup: one PostgreSQL server for every integration test file of the run. Started only
 * when the run includes a test in test/integration or one using its PostgreSQL helpers, so unit-test
 * runs stay fast.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PG_ERROR_ENV, PG_URL_ENV, startPostgres, type RunningPostgres } from './postgres';

interface JestGlobalConfig {
  rootDir?: string;
  testPathPattern?: string;
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'e2e' || e.name.startsWith('.')) return [];
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

/** Test files that need PostgreSQL: everything in test/integration, and any test using its helpers. */
function postgresTestFiles(root: string): string[] {
  const files = ['src', 'server', 'test'].flatMap((d) => listFiles(path.join(root, d))).filter((f) => /\.test\.tsx?$/.test(f));
  return files.filter(
    (f) => f.startsWith(__dirname + path.sep) || /createTestDatabase|openTestBackend|CLOSEDESK_TEST_PG_URL/.test(fs.readFileSync(f, 'utf8')),
  );
}

function runIncludesIntegration(config: JestGlobalConfig): boolean {
  const pattern = config.testPathPattern ?? '';
  if (!pattern) return true;
  const re = new RegExp(pattern, 'i');
  return postgresTestFiles(config.rootDir ?? path.join(__dirname, '..', '..')).some((f) => re.test(f));
}

export default async function globalSetup(config: JestGlobalConfig): Promise<void> {
  if (process.env[PG_URL_ENV] || !runIncludesIntegration(config)) return;
  try {
    const pgServer = await startPostgres();
    (globalThis as { __closedeskPg?: RunningPostgres }).__closedeskPg = pgServer;
    process.env[PG_URL_ENV] = pgServer.url;
  } catch (err) {
    // Not fatal here: the PostgreSQL tests fail with this sentence, the others still run.
    process.env[PG_ERROR_ENV] = (err as Error).message;
  }
}
