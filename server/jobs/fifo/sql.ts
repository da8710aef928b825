/**
 * FIFO matching as set-based SQL, for data beyond one machine's memory. Gives the engine's
 * allocations exactly (test/integration/fifo-sql.test.ts proves it on random data with ties and
 * overspend in a real PostgreSQL and in DuckDB).
 *
 * How the chronology rule is kept: the plain interval join (cumulative redeemed against cumulative
 * earned) lets an overspend be paid by a lot earned later. The engine instead drops the part of a
 * redemption the open lots cannot cover. Per customer, with A = earned cents up to and including the
 * row (tie order) and R = redeemed cents up to and including it, the cents consumed so far are
 *     C = R + min(0, min over the customer's redemptions so far of (A − R))
 * (C_j = min(C_{j-1} + r_j, A_j) unrolled), a running MIN window. Redemption j then consumes the
 * earned cents [C_{j-1}, C_j) of the customer's lot line, and lot k holds [E_k − e_k, E_k); the
 * allocation is their overlap. Since C_j ≤ A_j, only lots before the redemption are touched, and
 * r_j − (C_j − C_{j-1}) is its unmatched amount.
 *
 * Tie order: CREATEDAT, earned before spent/expired, TRANS_ID (numeric — length without leading zeros,
 * then digits — when every TRANS_ID is digits, else text in byte order), then SEQ (input order).
 * Dialect: PostgreSQL and DuckDB as written (COLLATE "C" for byte order; both engines are proven in
 * the tests); other engines need their binary collation there; everything else is standard window SQL
 * (TRANSLATE, LTRIM(s, '0'), LEAST/GREATEST).
 *
 * Table: SEQ BIGINT (input order), TRANS_ID TEXT, TCTYPE TEXT, CREATEDAT TIMESTAMP, CUSTOMERID TEXT,
 * AMOUNT NUMERIC(18,2) (earned positive, spent/expired negative), rows already validated.
 *
 * Public API
 * - `fifoSql({ table?, output? })`: the query; output 'allocations' (REDEEM_TRANS_ID, EARNED_TRANS_ID,
 *   AMOUNT_CENTS, CUSTOMERID) or 'unmatched' (TRANS_ID, UNMATCHED_CENTS).
 * - `fifoTableDdl(table)`: CREATE TABLE for the input.
 * - `fifoTableRows(transactions)`: the matched rows as the table holds them (any engine's loader).
 * - `loadFifoTable(client, table, transactions)`: creates the table in PostgreSQL and loads the matched rows.
 */
import type { ClientBase } from 'pg';
import { TYPE_NAMES, transIdAt, customerAt, type FifoTransactions } from '../../../src/fifo/transactions';
import { isoDateTime } from '../../../src/kernel/dates';
import { formatAmount } from '../../../src/kernel/money';

function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(name)) throw new Error(`"${name}" is not a plain table name.`);
  return name;
}

export function fifoTableDdl(table = 'tc_data'): string {
  return `CREATE TABLE ${ident(table)} (
  seq BIGINT NOT NULL,
  trans_id TEXT NOT NULL,
  tctype TEXT NOT NULL,
  createdat TIMESTAMP NOT NULL,
  customerid TEXT NOT NULL,
  amount NUMERIC(18,2) NOT NULL
)`;
}

const ORDER = `createdat, type_rank, id_len, id_key COLLATE "C", seq`;

export function fifoSql(options: { table?: string; output?: 'allocations' | 'unmatched' } = {}): string {
  const table = ident(options.table ?? 'tc_data');
  const common = `WITH tx AS (
  SELECT seq, trans_id, customerid, createdat,
         CASE WHEN LOWER(tctype) = 'earned' THEN 0 ELSE 1 END AS type_rank,
         CAST(ROUND(amount * 100) AS BIGINT) AS cents
  FROM ${table}
),
id_mode AS (
  -- numeric TRANS_ID order only when every id is digits (as the engine decides)
  SELECT CASE WHEN COUNT(*) = SUM(CASE WHEN trans_id <> '' AND TRANSLATE(trans_id, '0123456789', '') = '' THEN 1 ELSE 0 END)
              THEN 1 ELSE 0 END AS numeric_ids
  FROM tx
),
keyed AS (
  SELECT tx.*,
         CASE WHEN m.numeric_ids = 1 THEN LENGTH(COALESCE(NULLIF(LTRIM(trans_id, '0'), ''), '0')) ELSE 0 END AS id_len,
         CASE WHEN m.numeric_ids = 1 THEN COALESCE(NULLIF(LTRIM(trans_id, '0'), ''), '0') ELSE trans_id END AS id_key
  FROM tx CROSS JOIN id_mode m
),
running AS (
  SELECT keyed.*,
         SUM(CASE WHEN type_rank = 0 THEN cents ELSE 0 END)
           OVER (PARTITION BY customerid ORDER BY ${ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS earned_cum,
         SUM(CASE WHEN type_rank = 1 THEN -cents ELSE 0 END)
           OVER (PARTITION BY customerid ORDER BY ${ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS redeemed_cum
  FROM keyed
),
lots AS (
  -- lot k holds the earned cents [earned_cum - cents, earned_cum) of its customer
  SELECT customerid, trans_id, earned_cum - cents AS lot_from, earned_cum AS lot_to, createdat, type_rank, id_len, id_key, seq
  FROM running WHERE type_rank = 0 AND cents > 0
),
gaps AS (
  SELECT running.*,
         LEAST(0, MIN(earned_cum - redeemed_cum)
           OVER (PARTITION BY customerid ORDER BY ${ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS gap
  FROM running WHERE type_rank = 1
),
consumed AS (
  -- redemption j consumes the customer's earned cents [used_from, used_to)
  SELECT gaps.*,
         redeemed_cum + gap AS used_to,
         COALESCE(LAG(redeemed_cum + gap) OVER (PARTITION BY customerid ORDER BY ${ORDER}), 0) AS used_from
  FROM gaps
)
`;
  if (options.output === 'unmatched')
    return (
      common +
      `SELECT trans_id AS "TRANS_ID", (-cents) - (used_to - used_from) AS "UNMATCHED_CENTS", customerid AS "CUSTOMERID"
FROM consumed
WHERE (-cents) - (used_to - used_from) > 0
ORDER BY customerid, ${ORDER}`
    );
  return (
    common +
    `SELECT r.trans_id AS "REDEEM_TRANS_ID",
       l.trans_id AS "EARNED_TRANS_ID",
       LEAST(r.used_to, l.lot_to) - GREATEST(r.used_from, l.lot_from) AS "AMOUNT_CENTS",
       r.customerid AS "CUSTOMERID"
FROM consumed r
JOIN lots l ON l.customerid = r.customerid AND l.lot_from < r.used_to AND l.lot_to > r.used_from
WHERE r.used_to > r.used_from -- an empty interval inside a lot would otherwise overlap it
ORDER BY r.customerid, r.createdat, r.type_rank, r.id_len, r.id_key COLLATE "C", r.seq, l.lot_from`
  );
}

/** One input row as the table holds it: seq, TRANS_ID, TCTYPE, CREATEDAT (ISO, no zone), CUSTOMERID, AMOUNT (two decimals). */
export type FifoTableRow = [seq: number, transId: string, type: string, created: string, customer: string, amount: string];

/** The rows that take part in matching (left-out rows stay out, as in the engine), in input order. */
export function* fifoTableRows(tx: FifoTransactions): Generator<FifoTableRow> {
  for (let i = 0; i < tx.count; i++) {
    if (!tx.active[i]) continue;
    yield [i, transIdAt(tx, i), TYPE_NAMES[tx.type[i]!]!, isoDateTime(tx.createdMs[i]!).replace(/Z$/, ''), customerAt(tx, i), formatAmount(tx.amount[i]!)];
  }
}

/** Creates `table` and loads the rows that take part in matching. */
export async function loadFifoTable(client: Pick<ClientBase, 'query'>, table: string, tx: FifoTransactions): Promise<number> {
  await client.query(`DROP TABLE IF EXISTS ${ident(table)}`);
  await client.query(fifoTableDdl(table));
  const batch = 20_000;
  let loaded = 0;
  let columns: string[][] = [[], [], [], [], [], []];
  const flush = async () => {
    if (!columns[0]!.length) return;
    await client.query(
      `INSERT INTO ${ident(table)} (seq, trans_id, tctype, createdat, customerid, amount)
       SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::timestamp[], $5::text[], $6::numeric[])`,
      columns,
    );
    loaded += columns[0]!.length;
    columns = [[], [], [], [], [], []];
  };
  for (const row of fifoTableRows(tx)) {
    for (let c = 0; c < row.length; c++) columns[c]!.push(String(row[c]));
    if (columns[0]!.length === batch) await flush();
  }
  await flush();
  return loaded;
}
