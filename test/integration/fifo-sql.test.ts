/**
 * The set-based FIFO SQL gives the engine's allocations and unmatched amounts exactly, on random
 * data with ties, overspend, later lots that must not pay earlier spends, zero amounts, several
 * customers, and both TRANS_ID orders (numeric and text) — in a real PostgreSQL and in DuckDB
 * (engine = PostgreSQL = DuckDB: the benchmark runs the same SQL on DuckDB).
 */
import pg from 'pg';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createTestDatabase } from './postgres';
import { allocateFifo, allocationAt } from '../../src/fifo/allocate';
import { readFifoWorkbook } from '../../src/fifo/read';
import { transIdAt } from '../../src/fifo/transactions';
import { tableFromValues, type Cell } from '../../src/kernel/table';
import { fifoSql, fifoTableDdl, fifoTableRows, loadFifoTable } from '../../server/jobs/fifo/sql';
import type { FifoTransactions } from '../../src/fifo/transactions';

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The same rows as loadFifoTable, into DuckDB (one INSERT of literals: the tables here are small). */
async function loadDuckDb(con: DuckDBConnection, table: string, tx: FifoTransactions): Promise<number> {
  await con.run(`DROP TABLE IF EXISTS ${table}`);
  await con.run(fifoTableDdl(table));
  const values = [...fifoTableRows(tx)].map(([seq, id, type, created, customer, amount]) => `(${seq}, ${literal(id)}, ${literal(type)}, TIMESTAMP ${literal(created)}, ${literal(customer)}, ${amount})`);
  await con.run(`INSERT INTO ${table} VALUES ${values.join(', ')}`);
  return values.length;
}

async function duckRows(con: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await con.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

function randomSheet(seed: number, rows: number, textIds: boolean): Cell[][] {
  let s = seed;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const values: Cell[][] = [['TRANS_ID', 'TCTYPE', 'CREATEDAT', 'CUSTOMERID', 'AMOUNT']];
  const ids = Array.from({ length: rows }, (_, i) => i + 1).sort(() => rand() - 0.5);
  for (let i = 0; i < rows; i++) {
    const u = rand();
    const type = u < 0.5 ? 'earned' : u < 0.85 ? 'spent' : 'expired';
    const cents = rand() < 0.05 ? 0 : 1 + Math.floor(rand() * (type === 'earned' ? 3000 : 3600));
    const day = 1 + Math.floor(rand() * 5);
    const hour = rand() < 0.5 ? '00' : '12';
    const id = textIds && rand() < 0.3 ? `T${ids[i]}` : String(ids[i]);
    values.push([id, type, `2024-02-0${day} ${hour}:00:00`, String(1 + Math.floor(rand() * 7)), (type === 'earned' ? '' : '-') + (cents / 100).toFixed(2)]);
  }
  return values;
}

describe('FIFO SQL on PostgreSQL equals the engine', () => {
  let client: pg.Client;
  let duck: DuckDBInstance;
  let con: DuckDBConnection;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: await createTestDatabase() });
    await client.connect();
    duck = await DuckDBInstance.create(':memory:');
    con = await duck.connect();
  });
  afterAll(async () => {
    await client?.end();
    con?.closeSync();
    duck?.closeSync();
  });

  test.each([
    [1, false],
    [2, false],
    [3, false],
    [4, true],
    [5, true],
    [6, false],
  ])('random data seed %i (text ids: %s)', async (seed, textIds) => {
    const input = readFifoWorkbook([tableFromValues('TC_Data', randomSheet(seed, 400, textIds))]);
    expect(input.problems).toEqual([]);
    const result = allocateFifo(input.transactions);
    const tx = input.transactions;
    const loaded = await loadFifoTable(client, 'tc_data', tx);
    expect(loaded).toBe(400);

    const engine: string[] = [];
    for (let k = 0; k < result.allocations.count; k++) {
      const a = allocationAt(result, k);
      engine.push(`${a.redeemTransId}|${a.earnedTransId}|${a.cents}`);
    }
    const sql = await client.query(fifoSql({ table: 'tc_data' }));
    const fromSql = sql.rows.map((r) => `${r.REDEEM_TRANS_ID}|${r.EARNED_TRANS_ID}|${Number(r.AMOUNT_CENTS)}`);
    expect(engine.length).toBeGreaterThan(50);
    expect(fromSql.sort()).toEqual(engine.slice().sort());

    const engineUnmatched: string[] = [];
    const rows = result.transactions; // the matched rows in processing order
    for (let i = 0; i < rows.count; i++) if (result.unmatched[i]! > 0) engineUnmatched.push(`${transIdAt(rows, i)}|${result.unmatched[i]}`);
    const u = await client.query(fifoSql({ table: 'tc_data', output: 'unmatched' }));
    expect(engineUnmatched.length).toBeGreaterThan(0); // overspend present
    expect(u.rows.map((r) => `${r.TRANS_ID}|${Number(r.UNMATCHED_CENTS)}`).sort()).toEqual(engineUnmatched.sort());

    // The same SQL on DuckDB: engine = PostgreSQL = DuckDB (compared as sets: the final ORDER BY on
    // CUSTOMERID follows each database's default collation).
    expect(await loadDuckDb(con, 'tc_data', tx)).toBe(400);
    const fromDuck = (await duckRows(con, fifoSql({ table: 'tc_data' }))).map((r) => `${r.REDEEM_TRANS_ID}|${r.EARNED_TRANS_ID}|${Number(r.AMOUNT_CENTS)}`);
    expect(fromDuck.sort()).toEqual(engine.slice().sort());
    const duckUnmatched = (await duckRows(con, fifoSql({ table: 'tc_data', output: 'unmatched' }))).map((r) => `${r.TRANS_ID}|${Number(r.UNMATCHED_CENTS)}`);
    expect(duckUnmatched.sort()).toEqual(engineUnmatched.sort());
  });

  test('a spend larger than the lots before it is not paid by a later lot', async () => {
    const input = readFifoWorkbook([
      tableFromValues('TC_Data', [
        ['TRANS_ID', 'TCTYPE', 'CREATEDAT', 'CUSTOMERID', 'AMOUNT'],
        ['1', 'earned', '2024-01-01', '7', '5.00'],
        ['2', 'spent', '2024-01-02', '7', '-10.00'],
        ['3', 'earned', '2024-01-03', '7', '20.00'],
      ]),
    ]);
    await loadFifoTable(client, 'tc_small', input.transactions);
    const rows = (await client.query(fifoSql({ table: 'tc_small' }))).rows.map((r) => [r.REDEEM_TRANS_ID, r.EARNED_TRANS_ID, Number(r.AMOUNT_CENTS)]);
    expect(rows).toEqual([['2', '1', 500]]);
    const u = (await client.query(fifoSql({ table: 'tc_small', output: 'unmatched' }))).rows.map((r) => [r.TRANS_ID, Number(r.UNMATCHED_CENTS)]);
    expect(u).toEqual([['2', 500]]);
    await loadDuckDb(con, 'tc_small', input.transactions);
    expect((await duckRows(con, fifoSql({ table: 'tc_small' }))).map((r) => [r.REDEEM_TRANS_ID, r.EARNED_TRANS_ID, Number(r.AMOUNT_CENTS)])).toEqual([['2', '1', 500]]);
    expect((await duckRows(con, fifoSql({ table: 'tc_small', output: 'unmatched' }))).map((r) => [r.TRANS_ID, Number(r.UNMATCHED_CENTS)])).toEqual([['2', 500]]);
  });
});
