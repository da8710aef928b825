/**
 * Reading TC_Data (and the Sales and Customers reference sheets) into columnar transactions,
 * through the kernel's typed row readers so every bad cell becomes a problem naming row and column.
 *
 * Public API
 * - `TC_DATA_SCHEMA`: the columns (TCTYPE also found under TYPE; ORDERID, EXPIREDAT, REASON optional).
 * - `readFifoWorkbook(tables, { sheet? })` → { transactions, problems, source } from workbook tables.
 * - `startFifoRead(source, header)` / `FifoReader`: the same checks fed chunk by chunk (the CLI's CSV stream).
 * - `referenceSets(tables)`: customer and order ids from Customers and Sales, when those sheets exist.
 * - `FIFO_STOP_CODES`, `fifoStoppedBy(problems)`: the problems that stop a run before matching (every host asks here).
 */
import { blocking, isBlocking, warning, type Problem } from '../kernel/problems';
import { findColumns, readRows, type Schema, type Table } from '../kernel/table';
import { FifoTransactionsBuilder, TYPE_NAMES, type FifoTransactions, type FifoType } from './transactions';

export const TC_DATA_SCHEMA = {
  TRANS_ID: { type: 'id', required: true },
  TCTYPE: { type: 'enum', values: TYPE_NAMES, required: true, aliases: ['TYPE', 'TC_TYPE'] },
  CREATEDAT: { type: 'datetime', required: true, aliases: ['CREATED_AT'] },
  EXPIREDAT: { type: 'datetime', lenient: true, aliases: ['EXPIRED_AT', 'EXPIRESAT'] },
  CUSTOMERID: { type: 'id', required: true, aliases: ['CUSTOMER_ID'] },
  ORDERID: { type: 'id', lenient: true, aliases: ['ORDER_ID'] },
  AMOUNT: { type: 'amount', required: true },
  REASON: { type: 'text' },
} as const satisfies Schema;

/**
 * A missing column, an empty sheet or a missing sheet stop a run: there is nothing to match, so
 * nothing is matched or written but the problems. Other blocking problems leave their rows out and the
 * rest is matched (the run then reports it is incomplete).
 */
export const FIFO_STOP_CODES: readonly string[] = ['missing-column', 'empty-sheet', 'missing-sheet'];

/** The blocking problems that stop a FIFO run; empty when it may go on. */
export function fifoStoppedBy(problems: readonly Problem[]): Problem[] {
  return problems.filter((p) => isBlocking(p) && FIFO_STOP_CODES.includes(p.code ?? ''));
}

export interface ReferenceSets {
  customers?: Set<string>;
  customersSource?: string;
  orders?: Set<string>;
  ordersSource?: string;
}

function idColumnSet(table: Table, column: string): { ids?: Set<string>; problems: Problem[] } {
  const r = readRows(table, { ID: { header: column, type: 'id', required: true } });
  if (r.problems.some((p) => p.code === 'missing-column')) return { problems: r.problems.map((p) => ({ ...p, severity: 'warning' as const })) };
  return { ids: new Set(r.rows.map((x) => x.values.ID!)), problems: [] };
}

function findTable(tables: readonly Table[], name: string): Table | undefined {
  const want = name.trim().toLowerCase();
  return tables.find((t) => t.name.trim().toLowerCase() === want);
}

export function referenceSets(tables: readonly Table[]): { sets: ReferenceSets; problems: Problem[] } {
  const sets: ReferenceSets = {};
  const problems: Problem[] = [];
  const customers = findTable(tables, 'Customers');
  if (customers && customers.header.length) {
    const r = idColumnSet(customers, 'CUSTOMERID');
    sets.customers = r.ids;
    sets.customersSource = customers.name;
    problems.push(...r.problems);
  }
  const sales = findTable(tables, 'Sales');
  if (sales && sales.header.length) {
    const r = idColumnSet(sales, 'ORDERID');
    sets.orders = r.ids;
    sets.ordersSource = sales.name;
    problems.push(...r.problems);
  }
  return { sets, problems };
}

/** Feeds tables of TC_Data rows (the whole sheet, or CSV chunks) into one builder. */
export class FifoReader {
  readonly builder: FifoTransactionsBuilder;
  readonly problems: Problem[] = [];
  private rowsSeen = 0;
  private columnsChecked = false;
  stopped = false;

  constructor(
    readonly source: string,
    private readonly refs: ReferenceSets = {},
    capacity = 1024,
  ) {
    this.builder = new FifoTransactionsBuilder(source, capacity);
  }

  /** `table.rows` are data rows; `table.firstRowNumber` is the sheet row (or CSV record number) of the first; `offset` its index among all data rows. */
  addTable(table: Table, offset = 0): void {
    if (this.stopped) return;
    if (!this.columnsChecked) {
      this.columnsChecked = true;
      if (table.header.every((h) => h === '')) {
        this.problems.push(blocking({ source: this.source, row: 1, message: `${this.source} is empty: there is no header row and no transactions.`, code: 'empty-sheet' }));
        this.stopped = true;
        return;
      }
      const refs = Object.entries(TC_DATA_SCHEMA).map(([name, f]) => ({ name, aliases: 'aliases' in f ? f.aliases : undefined, required: 'required' in f }));
      const found = findColumns({ name: this.source, header: table.header }, refs);
      if (found.problems.length) {
        this.problems.push(...found.problems.map((p) => ({ ...p, row: 1 })));
        this.stopped = true;
        return;
      }
    }
    const first = table.firstRowNumber ?? 2;
    const read = readRows({ ...table, name: this.source }, TC_DATA_SCHEMA);
    for (const p of read.problems) this.problems.push(p);
    const header = table.header;
    const amountColumn = header[read.index.AMOUNT!] ?? 'AMOUNT';
    const customerColumn = header[read.index.CUSTOMERID!] ?? 'CUSTOMERID';
    const orderColumn = read.index.ORDERID! >= 0 ? header[read.index.ORDERID!]! : 'ORDERID';
    const columns = { amount: amountColumn };
    const { customers, orders } = this.refs;
    for (const row of read.rows) {
      const v = row.values;
      const customerId = v.CUSTOMERID!;
      if (customers && !customers.has(customerId))
        this.problems.push(
          warning({
            source: this.source,
            row: row.rowNumber,
            column: customerColumn,
            value: customerId,
            message: `Customer ${customerId} is not in ${this.refs.customersSource ?? 'Customers'}; the row is still matched.`,
            code: 'unknown-customer',
          }),
        );
      if (orders && v.ORDERID !== undefined && !orders.has(v.ORDERID))
        this.problems.push(
          warning({
            source: this.source,
            row: row.rowNumber,
            column: orderColumn,
            value: v.ORDERID,
            message: `Order ${v.ORDERID} is not in ${this.refs.ordersSource ?? 'Sales'}; the row is still matched.`,
            code: 'unknown-order',
          }),
        );
      this.builder.add({
        rowNumber: row.rowNumber,
        sourceIndex: offset + row.rowNumber - first,
        transId: v.TRANS_ID!,
        type: v.TCTYPE as FifoType,
        createdMs: v.CREATEDAT!.epochMs,
        expiresMs: v.EXPIREDAT?.epochMs,
        customerId,
        amountCents: v.AMOUNT!,
        columns,
      });
    }
    this.rowsSeen += table.rows.length;
  }

  /** Rows a host read into the builder itself (a streaming fast path) still count as rows seen. */
  noteRows(n: number): void {
    this.rowsSeen += n;
  }

  finish(): { transactions: FifoTransactions; problems: Problem[]; sourceRows: number } {
    if (!this.stopped && this.columnsChecked && this.rowsSeen === 0)
      this.problems.push(blocking({ source: this.source, row: 2, message: `${this.source} has a header but no transactions.`, code: 'empty-sheet' }));
    if (!this.columnsChecked)
      this.problems.push(blocking({ source: this.source, row: 1, message: `${this.source} is empty: there is no header row and no transactions.`, code: 'empty-sheet' }));
    const done = this.builder.finish();
    const problems = [...this.problems, ...done.problems];
    problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    return { transactions: done.transactions, problems, sourceRows: this.rowsSeen };
  }
}

export interface FifoWorkbookInput {
  transactions: FifoTransactions;
  problems: Problem[];
  /** The transactions sheet as read (for carrying its columns to "TC_Data with redemptions"). */
  source?: Table;
}

/** Reads TC_Data (or `options.sheet`) checking customers against Customers and orders against Sales when present. */
export function readFifoWorkbook(tables: readonly Table[], options: { sheet?: string } = {}): FifoWorkbookInput {
  const sheet = options.sheet ?? 'TC_Data';
  const table = findTable(tables, sheet);
  const refs = referenceSets(tables);
  if (!table) {
    const reader = new FifoReader(sheet);
    const done = reader.finish();
    return {
      transactions: done.transactions,
      problems: [
        blocking({ source: sheet, message: `There is no sheet named ${sheet} (sheets: ${tables.map((t) => t.name).join(', ') || 'none'}).`, code: 'missing-sheet' }),
      ],
    };
  }
  const reader = new FifoReader(table.name, refs.sets, table.rows.length + 16);
  reader.addTable(table, 0);
  const done = reader.finish();
  return { transactions: done.transactions, problems: [...refs.problems, ...done.problems], source: table };
}
