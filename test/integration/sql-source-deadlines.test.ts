/**
 * SQL dataset sources that do not answer: a PostgreSQL peer that never answers the start-up or
 * never answers a query, and a query the real PostgreSQL keeps running. Each read fails at the
 * source's deadline with a retryable 504, the connection is closed, and the source works again as
 * soon as it answers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatasets, type Datasets } from '../../server/datasets';
import { startSilentPostgres, type SilentPostgres } from '../servers/silent-postgres';
import { createTestDatabase } from './postgres';

function datasetsFor(url: string, sql: string, timeoutSeconds: number): Datasets {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-sql-deadline-'));
  const file = path.join(dir, 'sql-sources.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      sources: { warehouse: { url, timeoutSeconds } },
      queries: [
        { id: 'q', source: 'warehouse', sql },
        { id: 'one', source: 'warehouse', sql: 'SELECT 1 AS one' },
      ],
    }),
  );
  return createDatasets({ dir, sqlSourcesFile: file });
}

const timedOut = { statusCode: 504, code: 'sql-source-timeout', details: { retryable: true } };

describe.each([
  ['never answers the start-up message', false],
  ['signs in, then never answers a query', true],
])('a PostgreSQL peer that %s', (_what, answerStartup) => {
  let peer: SilentPostgres;
  let datasets: Datasets;
  beforeAll(async () => {
    peer = await startSilentPostgres({ answerStartup });
    datasets = datasetsFor(peer.url, 'SELECT * FROM glap', 1);
  });
  afterAll(async () => {
    await datasets?.close();
    await peer?.close();
  });

  it('fails with a retryable 504 and closes the connection, every time it is asked', async () => {
    const err = await datasets.read('sql:q').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject(timedOut);
    expect((err as Error).message).toMatch(/did not answer within 1 s; .* try again/);
    expect(peer.connections).toBeGreaterThan(0);
    for (let n = 1; n <= peer.connections; n++) await peer.closedByClient(n);
    // Asked again: the same answer, on a new connection (the dead one is not reused).
    const before = peer.connections;
    await expect(datasets.read('sql:q')).rejects.toMatchObject(timedOut);
    expect(peer.connections).toBeGreaterThan(before);
    for (let n = before + 1; n <= peer.connections; n++) await peer.closedByClient(n);
  });
});

describe('a query the real PostgreSQL keeps running past the deadline', () => {
  let datasets: Datasets;
  beforeAll(async () => {
    datasets = datasetsFor(await createTestDatabase(), 'SELECT pg_sleep(60) AS slept', 2);
  });
  afterAll(() => datasets?.close());

  it('is cancelled with a retryable 504; the source answers the next query', async () => {
    await expect(datasets.read('sql:q')).rejects.toMatchObject(timedOut);
    const page = await datasets.read('sql:one');
    expect(page.rows).toEqual([[1]]);
  });
});
