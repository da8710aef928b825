/**
 * Problems, not exceptions, for bad data (docs/rules.md, "Every job"). Every parser and validator returns
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
  /**
   * A short name for the problem's kind, for problems whose sentence is too particular to head a group
   * once its values are left out (it lists several candidates, rows and addresses).
   */
  kind?: string;
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

export function isBlocking(p: Pick<Problem, 'severity'>): boolean {
  return p.severity === 'blocking';
}

export function hasBlocking(problems: readonly Problem[]): boolean {
  return problems.some(isBlocking);
}

export function countBlocking(problems: readonly Problem[]): number {
  let n = 0;
  for (const p of problems) if (isBlocking(p)) n++;
  return n;
}

export function countWarnings(problems: readonly Problem[]): number {
  return problems.length - countBlocking(problems);
}

/** One kind of problem in a list: same severity and code, with the sentence they share. */
export interface ProblemKind {
  /** Stable within one list: severity and code (or the shared sentence when there is no code). */
  key: string;
  severity: Severity;
  code?: string;
  /** The kind's own short name when its problems give one; else the sentence with the value and figures left out (`Order … is not in Sales; …`), or the code in words. */
  title: string;
  /** Indexes into the list given to problemKinds, in list order. */
  indexes: number[];
}

const ELIDED = '…';

/** The sentence without what differs from one problem of a kind to the next: its value and its figures. */
export function problemTemplate(p: Pick<Problem, 'message' | 'value'>): string {
  let t = p.message;
  if (p.value && p.value.length > 0) t = t.split(p.value).join(ELIDED);
  // a date, a month or a time of day is one value, not three numbers: "2024-11-05 14:03 UTC" → "…"
  t = t.replace(/(?<![\w…])(\d{4}-\d{2}(-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?)?|\d{2}:\d{2}(:\d{2})?)(?![\w…])( UTC\b)?/g, ELIDED);
  return t.replace(/(?<![\w…])[-+]?\d[\d,.]*(?![\w…])/g, (m) => (/\d$/.test(m) ? ELIDED : `${ELIDED}${m.slice(-1)}`)).replace(/…(\s*…)+/g, ELIDED);
}

/** `unknown-order` → `Unknown order`: a kind's name when its sentences differ too much to share one. */
function codeInWords(code: string): string {
  const words = code.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The kinds of problem in a list, blocking kinds first, then the most frequent: what a person works
 * through one kind at a time ("158 × Order … is not in Sales").
 */
export function problemKinds(problems: readonly Problem[]): ProblemKind[] {
  const byKey = new Map<string, ProblemKind & { templates: Set<string> }>();
  problems.forEach((p, i) => {
    const template = problemTemplate(p);
    const key = `${p.severity}:${p.code ? `code:${p.code}` : `text:${template}`}`;
    let kind = byKey.get(key);
    if (!kind) {
      kind = { key, severity: p.severity, code: p.code, title: template, indexes: [], templates: new Set() };
      byKey.set(key, kind);
    }
    kind.indexes.push(i);
    kind.templates.add(template);
  });
  const kinds = [...byKey.values()].map(({ templates, ...k }) => {
    const named = problems[k.indexes[0]!]!.kind;
    return { ...k, title: named ?? (templates.size === 1 || !k.code ? k.title : codeInWords(k.code)) };
  });
  return kinds.sort((a, b) => Number(isBlocking(b)) - Number(isBlocking(a)) || b.indexes.length - a.indexes.length);
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
