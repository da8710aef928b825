/**
 * Problems, not exceptions, for bad data (DESIGN.md §3). Every parser and validator returns
 * `{ rows, problems }`; a problem names where it is (sheet or file, row, column), the value,
 * and a sentence a finance user can act on.
 */
export type Severity = 'blocking' | 'warning';

export interface Problem {
  severity: Severity;
  /** Sheet name or file name the problem belongs to. */
  source: string;
  /** Row number as the user sees it (sheet row, 1-based, header included); absent for whole-table problems. */
  row?: number;
  /** Column header as found in the input (or the expected name when missing). */
  column?: string;
  /** The offending value as text (empty when absent). */
  value?: string;
  /** Plain sentence for a finance user. */
  message: string;
  /** Stable machine code, e.g. `duplicate-id`, for tests and filters. */
  code?: string;
}

export type ProblemInput = Omit<Problem, 'severity' | 'value'> & { value?: unknown };

export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

export function blocking(p: ProblemInput): Problem {
  return { ...p, severity: 'blocking', value: showValue(p.value) };
}

export function warning(p: ProblemInput): Problem {
  return { ...p, severity: 'warning', value: showValue(p.value) };
}

export function hasBlocking(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'blocking');
}

/** Where a problem sits, in the words of a spreadsheet: `TC_Data!E7` or `cm.csv row 7`. */
export function describeLocation(p: Problem, columnLetter?: string): string {
  if (p.row === undefined) return p.source;
  if (columnLetter) return `${p.source}!${columnLetter}${p.row}`;
  return `${p.source} row ${p.row}${p.column ? `, column ${p.column}` : ''}`;
}

/** Header and rows for a problems sheet or problems.csv (same columns everywhere). */
export const PROBLEM_COLUMNS = ['SEVERITY', 'SOURCE', 'ROW', 'COLUMN', 'VALUE', 'MESSAGE', 'CODE'] as const;

export function problemRows(problems: readonly Problem[]): (string | number)[][] {
  return problems.map((p) => [p.severity, p.source, p.row ?? '', p.column ?? '', p.value ?? '', p.message, p.code ?? '']);
}
