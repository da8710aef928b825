/**
 * Which table is which VRET input, by its name: a sheet the Data page loaded (`cm`, `CM (2)`,
 * `VRET CM`, `thr_2024-11`), a dataset or a file of the inputs folder (`cm.csv`, `THR_2024-11.txt`),
 * or a query result (`CM`). Output sheets (`RVR Report`, `20321 JE`) are none of them, so a second
 * build reads the inputs only.
 */
import type { Table } from '../kernel/table';
import type { MappingTables } from './config';

export type VretInputKind = 'transactions' | 'rvr' | 'l2c' | 'led2chan' | 'ledgers';

export function vretInputKind(name: string): VretInputKind | null {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/\.(csv|txt|thr|dat)$/, '')
    .replace(/\s*\(\d+\)$/, '')
    .replace(/^vret[\s_-]+/, '');
  if (n === 'cm' || n === 'adj' || n === 'glap' || /^thr([\s_-].*)?$/.test(n)) return 'transactions';
  if (n === 'rvr') return 'rvr';
  if (n === 'l2c' || n === 'led2chan' || n === 'ledgers') return n;
  return null;
}

export interface ClassifiedInputs extends MappingTables {
  /** CM, ADJ, GLAP and THR tables. */
  transactions: Table[];
  rvr: Table[];
  /** Names of the tables used, in the order given. */
  used: string[];
}

/** Sorts tables by what their names say they are; tables that are no VRET input are left out. */
export function classifyVretInputs(tables: readonly Table[]): ClassifiedInputs {
  const out: ClassifiedInputs = { transactions: [], rvr: [], used: [] };
  for (const table of tables) {
    const kind = vretInputKind(table.name);
    if (!kind) continue;
    out.used.push(table.name);
    if (kind === 'transactions') out.transactions.push(table);
    else if (kind === 'rvr') out.rvr.push(table);
    else out[kind] = table;
  }
  return out;
}
