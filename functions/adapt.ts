/// <reference types="custom-functions-runtime" />
/**
 * The one pattern every CLOSEDESK function follows, so job helpers write thin wrappers:
 * input range → kernel table → engine verb → 2-D spill array with a header row; bad data →
 * a CustomFunctions.Error (#VALUE!) carrying the first blocking problem's sentence and cell.
 */
import { describeLocation, isBlocking, type Problem } from '../src/kernel/problems';
import { tableFromValues, type Cell, type Table } from '../src/kernel/table';

/** What Excel accepts in a returned array: no null, undefined or Date. */
export type SpillCell = string | number | boolean;

/** What an engine verb gives a wrapper: a header, rows, and the problems met on the way. */
export interface VerbOutput {
  header: readonly string[];
  rows: readonly (readonly (Cell | undefined)[])[];
  problems: readonly Problem[];
}

export type FunctionErrorKind = 'invalidValue' | 'notAvailable';

const ERROR_CODES: Record<FunctionErrorKind, string> = { invalidValue: '#VALUE!', notAvailable: '#N/A' };

/** Stands in for CustomFunctions.Error where Excel's runtime is absent (tests, plain browser). */
export class FunctionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FunctionError';
  }
}

/**
 * The error to throw from a custom function. Excel shows only errors of its own class with a
 * message, so the runtime's CustomFunctions.Error is used whenever it exists.
 */
export function functionError(message: string, kind: FunctionErrorKind = 'invalidValue'): CustomFunctions.Error | FunctionError {
  const runtime = (globalThis as { CustomFunctions?: typeof CustomFunctions }).CustomFunctions;
  if (runtime && typeof runtime.Error === 'function') {
    const code = (runtime.ErrorCode?.[kind] ?? ERROR_CODES[kind]) as CustomFunctions.ErrorCode;
    return new runtime.Error(code, message);
  }
  return new FunctionError(ERROR_CODES[kind], message);
}

/** The sentence shown in the cell's error tip: the first blocking problem, where it is, and how many more. */
export function problemSentence(problems: readonly Problem[]): string | null {
  const blockers = problems.filter(isBlocking);
  const first = blockers[0];
  if (!first) return null;
  const where = first.row === undefined ? '' : ` (${describeLocation(first)})`;
  const rest = blockers.length - 1;
  const more = rest === 0 ? '' : rest === 1 ? ' 1 more problem follows.' : ` ${rest} more problems follow.`;
  return `${first.message}${where}${more}`;
}

export function throwOnBlocking(problems: readonly Problem[]): void {
  const sentence = problemSentence(problems);
  if (sentence !== null) throw functionError(sentence);
}

/** Optional arguments arrive as null (older hosts: undefined); an empty cell as ''. */
export function optionalArg<T>(value: T | null | undefined | '', fallback: T): T {
  return value === null || value === undefined || value === '' ? fallback : value;
}

/** A range argument as a kernel table; `name` appears in problems ("transactions row 7"). */
export function rangeTable(name: string, values: unknown): Table {
  if (!Array.isArray(values) || !values.every(Array.isArray)) {
    throw functionError(`${name} must be a range with a header row.`);
  }
  if (values.length === 0 || (values[0] as unknown[]).length === 0) throw functionError(`${name} is empty.`);
  return tableFromValues(name, values as Cell[][]);
}

function spillCell(cell: Cell | undefined): SpillCell {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) {
    const iso = cell.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof cell === 'number' && !Number.isFinite(cell)) return '';
  return cell;
}

/** Header + rows as a rectangular array (Excel rejects ragged spills), or the first blocking problem. */
export function spill(output: VerbOutput): SpillCell[][] {
  throwOnBlocking(output.problems);
  const width = output.header.length;
  const out: SpillCell[][] = [output.header.map((h) => String(h))];
  for (const row of output.rows) {
    const line: SpillCell[] = [];
    for (let i = 0; i < width; i++) line.push(spillCell(row[i]));
    out.push(line);
  }
  return out;
}

/** The whole pattern in one call: `spillVerb('transactions', values, (t) => verb(t))`. */
export function spillVerb(name: string, values: unknown, verb: (table: Table) => VerbOutput): SpillCell[][] {
  return spill(verb(rangeTable(name, values)));
}

/** A scalar engine result ({ok, reason}) as the value, or #VALUE! with the reason. */
export function valueOrError<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!result.ok) throw functionError(result.reason);
  return result.value;
}
