/**
 * The GLDI layout (GL desktop integrator upload): a header block per journal above the lines.
 * The block is a small table (labels, then one row per journal) so a run with several journals
 * (one per ledger and currency) stays one sheet; each line names its journal.
 */
import type { Cell } from '../kernel/table';
import type { SheetColumn, SheetSpec } from '../workbook/sheet-spec';
import { SEGMENTS, type Journal } from './journal';

export interface GldiHeader {
  source: string;
  category: string;
  /** ISO date. */
  accountingDate: string;
  period: string;
  batchName: string;
  reverseJournal?: string;
  reversalPeriod?: string;
  /** Sheet name (default GLDI). */
  sheetName?: string;
}

export const GLDI_HEADER_LABELS = [
  'Ledger',
  'Source',
  'Category',
  'Currency',
  'Accounting Date',
  'Period',
  'Batch Name',
  'Journal Name',
  'Journal Description',
  'Reverse Journal',
  'Reversal Period',
] as const;

export const GLDI_LINE_HEADERS = ['Journal Name', ...SEGMENTS, 'Debit', 'Credit', 'Line Description'] as const;

export function buildGldiSheet(journals: readonly Journal[], header: GldiHeader): SheetSpec {
  const preamble: Cell[][] = [[...GLDI_HEADER_LABELS]];
  for (const j of journals)
    preamble.push([
      j.ledger,
      header.source,
      header.category,
      j.currency,
      header.accountingDate,
      header.period,
      header.batchName,
      j.name,
      j.description ?? '',
      header.reverseJournal ?? 'No',
      header.reversalPeriod ?? '',
    ]);
  preamble.push([]);
  // Money columns take the journals' currency for their decimals when there is only one.
  const currencies = new Set(journals.map((j) => j.currency));
  const currency = currencies.size === 1 ? [...currencies][0] : undefined;
  const columns: SheetColumn[] = [
    { header: 'Journal Name', type: 'text', width: 36 },
    ...SEGMENTS.map((s): SheetColumn => ({ header: s, type: 'id', width: 8 })),
    { header: 'Debit', type: 'money', currency },
    { header: 'Credit', type: 'money', currency },
    { header: 'Line Description', type: 'text', width: 40 },
  ];
  const rows: Cell[][] = [];
  for (const j of journals)
    for (const l of j.lines)
      rows.push([j.name, ...SEGMENTS.map((s) => l.segments[s]), l.debit === 0 ? '' : l.debit, l.credit === 0 ? '' : l.credit, l.description]);
  return { name: header.sheetName ?? 'GLDI', preamble, columns, rows, freezeHeader: true };
}
