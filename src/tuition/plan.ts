/**
 * A partner layout compiled, once per file, into a column plan: where each field is in this file's
 * header, the names problems show, the partner's expense and credit words and credit marks ready for
 * lookup — so reading a row does no header or word-list work. A table's layout is recognised by its
 * headers (the profile whose columns are all present); an unknown layout names the columns the
 * closest profile misses.
 *
 * Public API
 * - `recogniseLayout(table, profiles?, partner?)` → the profile and column indexes, or the closest profile and what it misses.
 * - `compilePlan(profile, header, index)` → `ColumnPlan`.
 * - `FIELDS`, `Field`: the fields of a partner line.
 */
import { findColumns, type Table } from '../kernel';
import { DEFAULT_PROFILES, requiredColumns, type ExpenseType, type PartnerProfile, type ProfileColumns } from './profiles';

export type Field = keyof ProfileColumns;
export const FIELDS: Field[] = ['reference', 'customer', 'user', 'expenseType', 'amount', 'currency', 'date', 'credit'];

function locate(table: Pick<Table, 'name' | 'header'>, p: PartnerProfile): { index: Record<Field, number>; missing: string[] } {
  const refs = FIELDS.filter((f) => p.columns[f]?.length).map((f) => ({ name: f, aliases: p.columns[f]! }));
  const found = findColumns(table, refs).index;
  const index = Object.fromEntries(FIELDS.map((f) => [f, found[f] ?? -1])) as Record<Field, number>;
  const missing = requiredColumns(p)
    .filter((c) => index[c.field] < 0)
    .map((c) => c.names[0] ?? c.field);
  return { index, missing };
}

/** The profile whose required columns are all in the table, or the closest one with what it misses. */
export function recogniseLayout(
  table: Pick<Table, 'name' | 'header'>,
  profiles: readonly PartnerProfile[] = DEFAULT_PROFILES,
  partner?: string,
): { profile: PartnerProfile; index: Record<Field, number> } | { profile: null; closest: PartnerProfile | null; missing: string[] } {
  const candidates = partner ? profiles.filter((p) => p.partner.toLowerCase() === partner.toLowerCase()) : profiles;
  let best: { p: PartnerProfile; missing: string[] } | null = null;
  for (const p of candidates) {
    const { index, missing } = locate(table, p);
    if (missing.length === 0) return { profile: p, index };
    if (!best || missing.length < best.missing.length) best = { p, missing };
  }
  return { profile: null, closest: best?.p ?? null, missing: best?.missing ?? [] };
}

function wordMap(words: Record<string, ExpenseType> | undefined): Map<string, ExpenseType> {
  return new Map(Object.entries(words ?? {}).map(([k, v]) => [k.trim().toLowerCase(), v]));
}

export interface ColumnPlan {
  profile: PartnerProfile;
  /** Column of each field in this file, -1 when absent. */
  at: Record<Field, number>;
  /** The header problems name for each field (this file's own, else the profile's first name). */
  header: Record<Field, string>;
  words: Map<string, ExpenseType>;
  creditWords: Map<string, ExpenseType>;
  /** Upper-case credit marks. */
  marks: Set<string>;
  /** "Tuition", "Books & materials", … for the unknown-word problem. */
  knownWords: string;
}

export function compilePlan(profile: PartnerProfile, header: readonly string[], at: Record<Field, number>): ColumnPlan {
  const name = (f: Field) => (at[f] >= 0 ? header[at[f]]! : (profile.columns[f]?.[0] ?? f));
  return {
    profile,
    at,
    header: Object.fromEntries(FIELDS.map((f) => [f, name(f)])) as Record<Field, string>,
    words: wordMap(profile.expenseWords),
    creditWords: wordMap(profile.creditWords),
    marks: new Set((profile.creditMarks ?? []).map((m) => m.toUpperCase())),
    knownWords: [...Object.keys(profile.expenseWords), ...Object.keys(profile.creditWords ?? {})].map((w) => `"${w}"`).join(', '),
  };
}
