import { PG_URL_ENV, stopPostgres, type RunningPostgres } from './postgres';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as { __closedeskPg?: RunningPostgres };
  if (g.__closedeskPg) {
    stopPostgres(g.__closedeskPg);
    delete g.__closedeskPg;
    delete process.env[PG_URL_ENV];
  }
}
