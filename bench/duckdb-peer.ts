/**
 * The DuckDB peer of the job benchmarks (npm's @duckdb/node-api, a dev dependency), run in its own
 * process: `node --import tsx bench/duckdb-peer.ts <job> …`. Each job does what a data engineer
 * would write in DuckDB for the same file, with DuckDB's defaults (every core), and prints one JSON
 * line: its results for the cross-check and `seconds` — measured from the process's start
 * (performance.now()), so Node's own start-up is counted as it is for CloseDesk's process.
 *
 *   fifo <tc_data.csv> <allocations.sql> <unmatched.sql> <out dir>
 *        our own `closedesk fifo --sql` (and `--output unmatched`), on the CSV loaded with read_csv; allocations.csv
 *        is written and timed; the unmatched query then runs for the cross-check (not timed)
 *   settlements <flat file>                         read_csv + GROUP BY (transaction-type, amount-type, amount-description)
 *   tuition <month> <out dir> <partner files…>      the two partner layouts read with read_csv, mapped, GROUP BY, invoices.csv
 *   vret <data dir> <out dir>                       the VRET selection, RVR matching and journals in SQL, sheets' rows and SPURSH as CSV
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function one<T>(con: DuckDBConnection, sql: string): Promise<T> {
  const r = await con.runAndReadAll(sql);
  return r.getRowObjectsJson()[0] as T;
}

const seconds = () => performance.now() / 1000;

async function fifo(con: DuckDBConnection, [file, queryFile, unmatchedFile, outDir]: string[]): Promise<object> {
  const query = fs.readFileSync(queryFile!, 'utf8').trim().replace(/;\s*$/, '');
  fs.mkdirSync(outDir!, { recursive: true });
  const t0 = seconds();
  // The table the SQL expects (see server/jobs/fifo/sql.ts); seq is the input order.
  await con.run(`CREATE TABLE tc_data AS
    SELECT row_number() OVER () - 1 AS seq, TRANS_ID AS trans_id, TCTYPE AS tctype,
           CAST(CREATEDAT AS TIMESTAMP) AS createdat, CUSTOMERID AS customerid, CAST(AMOUNT AS DECIMAL(18,2)) AS amount
    FROM read_csv(${sqlText(file!)}, header = true, all_varchar = true)`);
  const loaded = seconds();
  const out = path.join(outDir!, 'allocations.csv');
  await con.run(`COPY (SELECT "REDEEM_TRANS_ID", "EARNED_TRANS_ID", "AMOUNT_CENTS" FROM (${query})) TO ${sqlText(out)} (HEADER)`);
  const allocationsDone = seconds();
  const totals = await one<{ n: string; cents: string }>(con, `SELECT COUNT(*) AS n, SUM("AMOUNT_CENTS") AS cents FROM read_csv(${sqlText(out)}, header = true)`);
  const unmatchedQuery = fs.readFileSync(unmatchedFile!, 'utf8').trim().replace(/;\s*$/, '');
  const un = await one<{ n: string; cents: string | null }>(con, `SELECT COUNT(*) AS n, SUM("UNMATCHED_CENTS") AS cents FROM (${unmatchedQuery})`);
  return {
    seconds: allocationsDone,
    loadSeconds: loaded - t0,
    querySeconds: allocationsDone - loaded,
    allocations: Number(totals.n),
    allocatedCents: Number(totals.cents),
    unmatchedCount: Number(un.n),
    unmatchedCents: Number(un.cents ?? 0),
  };
}

/** Totals per (transaction-type, amount-type, amount-description) in cents, the summary's total-amount and Σ details. */
async function settlements(con: DuckDBConnection, [file]: string[]): Promise<object> {
  // One pass over the file: the summary row (no amount) falls in a group of its own and brings total-amount.
  const r = await con.runAndReadAll(`SELECT "transaction-type" AS t, "amount-type" AS a, "amount-description" AS d,
      CAST(SUM(amount) * 100 AS BIGINT) AS cents, COUNT(amount) AS n, CAST(MAX("total-amount") * 100 AS BIGINT) AS total
    FROM read_csv(${sqlText(file!)}, delim = '\t', header = true, types = {'amount': 'DECIMAL(18,2)', 'total-amount': 'DECIMAL(18,2)'})
    GROUP BY ALL`);
  const groups: Record<string, number> = {};
  let lines = 0;
  let detail = 0;
  let total = 0;
  for (const row of r.getRowObjectsJson() as { t: string; a: string; d: string; cents: string | null; n: string; total: string | null }[]) {
    if (row.total !== null) total = Number(row.total);
    if (Number(row.n) === 0) continue;
    groups[`${row.t}|${row.a}|${row.d}`] = Number(row.cents);
    lines += Number(row.n);
    detail += Number(row.cents);
  }
  return { seconds: seconds(), lines, groups, total_cents: total, detail_cents: detail };
}

/** The two demo partner layouts (src/tuition/profiles.ts) as SQL: the columns renamed, the words mapped, the dates read. */
const TUITION_LAYOUTS = [
  {
    header: 'Invoice Ref,Employer,Employee Email,Charge Type,Charge Amount,Currency,Service Date',
    select: `"Employer" AS customer, "Employee Email" AS usr,
      CASE lower(trim("Charge Type")) WHEN 'tuition' THEN 'TUITION' WHEN 'books & materials' THEN 'MATERIALS' WHEN 'books' THEN 'MATERIALS' WHEN 'tutoring' THEN 'TUTORING' END AS etype,
      CAST("Charge Amount" AS DECIMAL(18,2)) AS amount, upper(trim("Currency")) AS currency, CAST(strptime("Service Date", '%m/%d/%Y') AS DATE) AS day`,
  },
  {
    header: 'Reference,Company,Learner,Expense Type,Amount,Currency,Date',
    select: `"Company" AS customer, "Learner" AS usr, upper(trim("Expense Type")) AS etype,
      CAST("Amount" AS DECIMAL(18,2)) AS amount, upper(trim("Currency")) AS currency, CAST("Date" AS DATE) AS day`,
  },
];

/** A month of invoices from the partner files: one line per customer, currency, user and expense type; invoices.csv written. */
async function tuition(con: DuckDBConnection, [month, outDir, ...files]: string[]): Promise<object> {
  fs.mkdirSync(outDir!, { recursive: true });
  const byLayout = TUITION_LAYOUTS.map(() => [] as string[]);
  for (const f of files) {
    const fd = fs.openSync(f, 'r');
    const head = Buffer.alloc(256);
    fs.readSync(fd, head, 0, 256, 0);
    fs.closeSync(fd);
    const first = head.toString('utf8').split(/\r?\n/)[0]!;
    const i = TUITION_LAYOUTS.findIndex((l) => l.header === first);
    if (i < 0) throw new Error(`${f}: unknown layout ${first}`);
    byLayout[i]!.push(f);
  }
  const parts = TUITION_LAYOUTS.flatMap((l, i) =>
    byLayout[i]!.length ? [`SELECT ${l.select} FROM read_csv([${byLayout[i]!.map(sqlText).join(', ')}], header = true, all_varchar = true)`] : [],
  );
  const from = `${month}-01`;
  await con.run(`CREATE TABLE invoice_lines AS
    WITH lines AS (${parts.join(' UNION ALL ')})
    SELECT first(customer) AS customer, currency, first(usr) AS usr, etype, CAST(SUM(amount) * 100 AS BIGINT) AS cents,
           lower(regexp_replace(trim(customer), '\\s+', ' ', 'g')) AS customer_key, lower(usr) AS user_key
    FROM lines WHERE day >= DATE '${from}' AND day < DATE '${from}' + INTERVAL 1 MONTH
    GROUP BY customer_key, currency, user_key, etype`);
  const out = path.join(outDir!, 'invoices.csv');
  await con.run(`COPY (SELECT customer AS "Customer", '${month}' AS "Month", usr AS "User", etype AS "Expense Type",
      printf('%s%d.%02d', CASE WHEN cents < 0 THEN '-' ELSE '' END, abs(cents) // 100, abs(cents) % 100) AS "Amount", currency AS "Currency"
    FROM invoice_lines ORDER BY customer_key, currency, user_key, etype) TO ${sqlText(out)} (HEADER)`);
  const done = seconds();
  const t = await one<{ lines: string; invoices: string; cents: string }>(con, `SELECT COUNT(*) AS lines, COUNT(DISTINCT (customer_key, currency)) AS invoices, SUM(cents) AS cents FROM invoice_lines`);
  const byType = (await con.runAndReadAll(`SELECT etype, SUM(cents) AS cents FROM invoice_lines GROUP BY etype`)).getRowObjectsJson() as { etype: string; cents: string }[];
  return { seconds: done, invoiceLines: Number(t.lines), invoices: Number(t.invoices), totalCents: Number(t.cents), byType: Object.fromEntries(byType.map((r) => [r.etype, Number(r.cents)])) };
}

/**
 * The VRET run of the benchmark (Amazon.eu / DE / 2024-11, as bench/vret_openpyxl.py) in SQL: the
 * transactions of cm, adj, glap and the THR files selected by ledger, channel and period; RVR refunds
 * per RETURN_ID consumed by the positive transactions in order (running sums); journals per segment
 * string. DuckDB has no xlsx writer without a downloaded extension, so each sheet's rows go to a CSV.
 */
async function vret(con: DuckDBConnection, [dataDir, outDir]: string[]): Promise<object> {
  fs.mkdirSync(outDir!, { recursive: true });
  const inputs = path.join(dataDir!, 'inputs');
  const thrDir = path.join(dataDir!, 'thr');
  const thr = fs.readdirSync(thrDir).filter((f) => f.endsWith('.txt')).sort();
  const sources = [
    ...['cm.csv', 'adj.csv', 'glap.csv'].map((f) => ({ name: f, sql: `read_csv(${sqlText(path.join(inputs, f))}, header = true, all_varchar = true, delim = ',')` })),
    ...thr.map((f) => ({ name: f, sql: `read_csv(${sqlText(path.join(thrDir, f))}, header = true, all_varchar = true, delim = '|', quote = '')` })),
  ];
  const union = sources
    .map((s, i) => `SELECT ${i} AS file_no, ${sqlText(s.name)} AS source, row_number() OVER () + 1 AS source_row, * FROM ${s.sql}`)
    .join(' UNION ALL ');
  await con.run(`CREATE TABLE tx AS
    WITH raw AS (${union})
    SELECT row_number() OVER (ORDER BY file_no, source_row) AS ord, source, source_row,
           'Amazon.eu' AS ledger, 'EUR' AS currency, trim(PERIOD) AS period,
           trim(CO) AS co, trim(LOC) AS loc, trim(CC) AS cc, trim(ACCT) AS acct, trim(PROD) AS prod, trim(CHAN) AS chan, trim(PROJ) AS proj,
           CAST(CAST(trim(TRANSACTION_AMOUNT) AS DECIMAL(18,2)) * 100 AS BIGINT) AS amount,
           trim(VENDOR_NAME) AS vendor, trim(TRANSACTION_NUM) AS num, trim(CATEGORY) AS category
    FROM raw
    WHERE lower(trim(LEDGER)) = 'amazon.eu' AND trim(CHAN) = '1015' AND trim(PERIOD) = '2024-11'`);
  await con.run(`CREATE TABLE rvr AS
    SELECT row_number() OVER () AS ord, trim(RETURN_ID) AS return_id, trim(COUNTRY_CODE) AS country_code, trim(RVR_STATUS) AS rvr_status,
           trim(CURRENT_STATE) AS current_state, CAST(CAST(trim(TOT_BASE_REFUND_AMT) AS DECIMAL(18,2)) * 100 AS BIGINT) AS refund,
           trim(RVR_DATE) AS rvr_date, trim(VENDOR_NAME) AS vendor
    FROM read_csv(${sqlText(path.join(inputs, 'rvr.csv'))}, header = true, all_varchar = true)
    WHERE upper(trim(COUNTRY_CODE)) = 'DE'`);
  await con.run(`CREATE TABLE returns AS
    SELECT return_id, SUM(refund) AS refund, first(rvr_status ORDER BY ord) AS rvr_status, first(current_state ORDER BY ord) AS current_state, MIN(ord) AS first_ord
    FROM rvr GROUP BY return_id`);
  // Refund consumed in transaction order: after positive amounts P, min(refund, P) is used (refund > 0).
  await con.run(`CREATE TABLE matched AS
    WITH p AS (
      SELECT tx.*, r.return_id, r.refund, r.rvr_status, r.current_state,
             SUM(CASE WHEN tx.amount > 0 THEN tx.amount ELSE 0 END) OVER (PARTITION BY tx.num ORDER BY tx.ord ROWS UNBOUNDED PRECEDING) AS positive
      FROM tx LEFT JOIN returns r ON r.return_id = tx.num
    )
    SELECT p.*,
           CASE WHEN refund > 0 AND amount > 0 THEN LEAST(refund, positive) - LEAST(refund, positive - amount) ELSE 0 END AS rvr,
           CASE WHEN prod IN ('1810', '2010', '2530') THEN '48550' ELSE '52910' END AS credit_account
    FROM p`);
  await con.run(`CREATE TABLE journal AS
    WITH entries AS (
      SELECT ord, ledger, currency, co, loc, cc, '13209' AS account, prod, chan, proj, amount AS net, 'Vendor returns receivable' AS description FROM matched
      UNION ALL SELECT ord, ledger, currency, co, loc, cc, credit_account, prod, chan, proj, -(amount - rvr), 'Vendor funding' FROM matched
      UNION ALL SELECT ord, ledger, currency, co, loc, cc, '20321', prod, chan, proj, -rvr, 'RVR refunds' FROM matched
    )
    SELECT ledger, currency, co, loc, cc, account, prod, chan, proj, description, SUM(net) AS net, MIN(ord) AS first_ord
    FROM entries WHERE net <> 0
    GROUP BY ALL HAVING SUM(net) <> 0`);
  const money = (c: string) => `printf('%s%d.%02d', CASE WHEN ${c} < 0 THEN '-' ELSE '' END, abs(${c}) // 100, abs(${c}) % 100)`;
  const copy = (sql: string, file: string) => con.run(`COPY (${sql}) TO ${sqlText(path.join(outDir!, file))} (HEADER, NEW_LINE '\\r\\n')`);
  await copy(`SELECT ledger AS "LEDGER", currency AS "CURRENCY", co AS "CO", loc AS "LOC", cc AS "CC", account AS "ACCT", prod AS "PROD", chan AS "CHAN", proj AS "PROJ",
      CASE WHEN net > 0 THEN ${money('net')} END AS "DEBIT", CASE WHEN net < 0 THEN ${money('-net')} END AS "CREDIT", description AS "DESCRIPTION"
    FROM journal ORDER BY first_ord, description`, 'gldi-and-je.csv');
  await copy(`SELECT source AS "SOURCE", source_row AS "SOURCE_ROW", ledger AS "LEDGER", period AS "PERIOD", co AS "CO", loc AS "LOC", cc AS "CC", acct AS "ACCT",
      prod AS "PROD", chan AS "CHAN", proj AS "PROJ", currency AS "CURRENCY", vendor AS "VENDOR_NAME", num AS "TRANSACTION_NUM", category AS "CATEGORY",
      ${money('amount')} AS "TRANSACTION_AMOUNT", CASE WHEN return_id IS NULL THEN 'No RVR' WHEN rvr > 0 THEN 'Matched' ELSE 'Matched, no refund' END AS "RVR_MATCH",
      coalesce(return_id, '') AS "RETURN_ID", coalesce(rvr_status, '') AS "RVR_STATUS", coalesce(current_state, '') AS "CURRENT_STATE",
      CASE WHEN refund IS NOT NULL THEN ${money('refund')} END AS "RVR_REFUND", ${money('rvr')} AS "RVR_AMOUNT", ${money('amount - rvr')} AS "FUNDING_AMOUNT",
      credit_account AS "CREDIT_ACCOUNT"
    FROM matched ORDER BY ord`, '20321-analysis.csv');
  await copy(`WITH per_return AS (SELECT return_id, COUNT(*) AS n, SUM(amount) AS txamount, SUM(rvr) AS rvr FROM matched WHERE return_id IS NOT NULL GROUP BY return_id)
    SELECT v.return_id AS "RETURN_ID", v.country_code AS "COUNTRY_CODE", v.rvr_status AS "RVR_STATUS", v.current_state AS "CURRENT_STATE",
      ${money('v.refund')} AS "TOT_BASE_REFUND_AMT", v.rvr_date AS "RVR_DATE", v.vendor AS "VENDOR_NAME",
      CASE WHEN m.n > 0 THEN 'Matched' ELSE 'Unmatched: no transaction' END AS "MATCH_STATUS", coalesce(m.n, 0) AS "MATCHED_TRANSACTIONS",
      CASE WHEN m.n > 0 THEN ${money('m.txamount')} END AS "TRANSACTION_AMOUNT", ${money('coalesce(m.rvr, 0)')} AS "RVR_AMOUNT",
      ${money('r.refund - coalesce(m.rvr, 0)')} AS "UNAPPLIED_REFUND"
    FROM rvr v JOIN returns r USING (return_id) LEFT JOIN per_return m USING (return_id)
    ORDER BY r.first_ord, v.ord`, 'rvr-report.csv');
  await copy(`SELECT ledger AS "LEDGER", period AS "PERIOD", vendor AS "VENDOR_NAME", num AS "TRANSACTION_NUM", currency AS "CURRENCY",
      ${money('amount')} AS "TRANSACTION_AMOUNT", ${money('rvr')} AS "RVR_AMOUNT", ${money('amount - rvr')} AS "FUNDING_AMOUNT"
    FROM matched WHERE amount - rvr <> 0 ORDER BY ord`, 'SPURSH_Amazon.eu_DUCKDB.csv');
  const done = seconds();
  const n = async (sql: string) => Number((await one<{ n: string }>(con, sql)).n);
  const journalLines = await n('SELECT COUNT(*) AS n FROM journal');
  return {
    seconds: done,
    counts: { GLDI: journalLines, '20321 JE': journalLines, '20321 Analysis': await n('SELECT COUNT(*) AS n FROM matched'), 'RVR Report': await n('SELECT COUNT(*) AS n FROM rvr') },
    spurshRows: await n('SELECT COUNT(*) AS n FROM matched WHERE amount - rvr <> 0'),
  };
}

const JOBS: Record<string, (con: DuckDBConnection, args: string[]) => Promise<object>> = { fifo, settlements, tuition, vret };

async function main(): Promise<void> {
  const [job, ...args] = process.argv.slice(2);
  const run = job ? JOBS[job] : undefined;
  if (!run) throw new Error(`Usage: duckdb-peer.ts <${Object.keys(JOBS).join('|')}> …`);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const result = await run(con, args);
  con.closeSync();
  instance.closeSync();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
