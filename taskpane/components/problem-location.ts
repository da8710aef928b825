/** Where a problem sits, as the problems list shows it and selects it. */
import { describeLocation, type Problem } from '../../src/kernel/problems';
import { columnLetter, normaliseHeader } from '../../src/kernel/table';

/** 0-based index of a problem's column in a sheet header (matched like findColumns does), or -1. */
export function columnIndexOf(header: readonly string[] | undefined, column: string | undefined): number {
  if (!header || !column) return -1;
  const want = normaliseHeader(column);
  return header.findIndex((h) => normaliseHeader(h) === want);
}

/** `TC_Data!E7` when the column is known, otherwise the kernel's wording (`cm.csv row 7, column AMOUNT`). */
export function problemLocation(p: Problem, header?: readonly string[]): string {
  const i = columnIndexOf(header, p.column);
  return describeLocation(p, i >= 0 ? columnLetter(i) : undefined);
}
