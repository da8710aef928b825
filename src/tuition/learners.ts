/**
 * Who a learner is across partner layouts (docs/rules.md, "Tuition billing"). Partners write the same
 * employee their own way — BrightPath by e-mail ("alice.ng@example.com"), LearnWell by user name
 * ("alice.ng") — and an invoice has one line per learner and expense type, so the spellings must meet.
 * Within one customer:
 * 1. A spelling the customer's settings list as an alias is the learner the alias names.
 * 2. An e-mail address is the learner, whatever its case ("Alice.Ng@Example.com" is alice.ng@example.com).
 * 3. Otherwise a user name that is the part before the @ of exactly one of the customer's addresses is
 *    that learner (the rule can be switched off per customer). When it is that part of two or more
 *    addresses the match is ambiguous: a warning names the spellings and the rows, and the name stays
 *    a learner of its own until an alias says which.
 * Other names are the same learner when they differ only in case and spacing.
 *
 * Applied after the rows are read, to the distinct (customer, spelling) pairs only: `learnerSpellings`
 * collects them with their first row, `matchLearners` decides, `applyLearners` rewrites the lines.
 */
import { warning, type Problem } from '../kernel/problems';
import { customerKey } from './invoices';
import type { ExpenseLine } from './lines';
import { DEFAULT_PROFILES, type PartnerProfile } from './profiles';

/** A customer's own rules (its tuition settings). */
export interface CustomerLearnerRules {
  /** Spelling (any case and spacing) → the learner it means, usually her e-mail address. */
  aliases?: Readonly<Record<string, string>>;
  /** Take a user name as the address whose part before the @ it is, when exactly one is (default on). */
  localPart?: boolean;
}

/** Rules per customer, keyed by customerKey (a customer without an entry has the defaults). */
export type LearnerRules = Readonly<Record<string, CustomerLearnerRules>>;

/** The rules of each customer as its settings hold them (name and rules), keyed as the build looks them up. */
export function rulesByCustomer(customers: readonly { name: string; learners?: CustomerLearnerRules | null }[]): LearnerRules {
  return Object.fromEntries(customers.filter((c) => c.learners).map((c) => [customerKey(c.name), c.learners!]));
}

/** One way a customer's learner is written, where it is first met and on how many rows. */
export interface LearnerSpelling {
  customer: string;
  user: string;
  source: string;
  row: number;
  /** The partner's header of the learner column (first accepted name), for the problem list. */
  column?: string;
  rows: number;
}

export type LearnerRule = 'alias' | 'local-part';

/** A spelling taken as another (the pane lists them, so a preparer sees what was joined). */
export interface LearnerMatch {
  customer: string;
  spelling: string;
  learner: string;
  rule: LearnerRule;
}

export interface Learners {
  /** The learner a customer's spelling stands for (the spelling itself when no rule joins it). */
  learnerOf(customer: string, user: string): string;
  matches: LearnerMatch[];
  problems: Problem[];
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * An address written as its own fold (lower case, no space). A customer without aliases whose spellings
 * are all such is left as written by matchLearners: each spelling its own learner, no match, no problem.
 */
export const isPlainAddress = (user: string): boolean => EMAIL.test(user) && user.toLowerCase() === user;
/** Spellings meet ignoring case and spacing, the way customer names do. */
const fold = customerKey;

/** Keyed by the texts as given (lines share their strings), so nothing is built per line. */
type ByText<T> = Map<string, Map<string, T>>;
function at<T>(m: ByText<T>, customer: string): Map<string, T> {
  let inner = m.get(customer);
  if (!inner) m.set(customer, (inner = new Map()));
  return inner;
}

/** The distinct (customer, spelling) pairs of the lines, in the order met, with the first row of each. */
export function learnerSpellings(
  lines: readonly Pick<ExpenseLine, 'partner' | 'customer' | 'user' | 'source' | 'row'>[],
  profiles: readonly PartnerProfile[] = DEFAULT_PROFILES,
): LearnerSpelling[] {
  const seen: ByText<LearnerSpelling> = new Map();
  const order: LearnerSpelling[] = [];
  const spelling = spellingOf(profiles);
  for (const l of lines) {
    const users = at(seen, l.customer);
    const s = users.get(l.user);
    if (s) s.rows++;
    else {
      const first = spelling(l, 1);
      users.set(l.user, first);
      order.push(first);
    }
  }
  return order;
}

/** A spelling as first met on line `l`, on `rows` rows (for a host that finds the distinct pairs itself). */
export function spellingOf(profiles: readonly PartnerProfile[] = DEFAULT_PROFILES) {
  const columns = new Map(profiles.map((p) => [p.partner, p.columns.user[0]]));
  return (l: Pick<ExpenseLine, 'partner' | 'customer' | 'user' | 'source' | 'row'>, rows: number): LearnerSpelling => {
    const column = columns.get(l.partner);
    return { customer: l.customer, user: l.user, source: l.source, row: l.row, ...(column ? { column } : {}), rows };
  };
}

const where = (s: LearnerSpelling) => `${s.source} row ${s.row}${s.rows > 1 ? ` and ${s.rows - 1} more row${s.rows > 2 ? 's' : ''}` : ''}`;

/** Decides who each spelling is, customer by customer. */
export function matchLearners(spellings: readonly LearnerSpelling[], rules: LearnerRules = {}): Learners {
  const out: ByText<string> = new Map();
  const matches: LearnerMatch[] = [];
  const problems: Problem[] = [];
  const byCustomer = new Map<string, LearnerSpelling[]>();
  // a customer's name is written the same way on most of its spellings: its key is made once per writing
  const keys = new Map<string, string>();
  for (const s of spellings) {
    let ck = keys.get(s.customer);
    if (ck === undefined) keys.set(s.customer, (ck = customerKey(s.customer)));
    const list = byCustomer.get(ck);
    if (list) list.push(s);
    else byCustomer.set(ck, [s]);
  }
  for (const [ck, list] of byCustomer) {
    const own = rules[ck] ?? {};
    const aliases = new Map(Object.entries(own.aliases ?? {}).map(([from, to]) => [fold(from), to.trim()]));
    // Each address as first written; then the addresses by their part before the @.
    const folds = list.map((s) => fold(s.user));
    const addresses = new Map<string, LearnerSpelling>();
    list.forEach((s, k) => {
      if (EMAIL.test(s.user.trim()) && !addresses.has(folds[k]!)) addresses.set(folds[k]!, s);
    });
    const byLocal = new Map<string, LearnerSpelling[]>();
    for (const [address, s] of addresses) {
      const local = address.slice(0, address.lastIndexOf('@'));
      const same = byLocal.get(local);
      if (same) same.push(s);
      else byLocal.set(local, [s]);
    }
    const spelled = (learner: string) => addresses.get(fold(learner))?.user.trim() ?? learner;
    for (const [k, s] of list.entries()) {
      const folded = folds[k]!;
      const alias = aliases.get(folded);
      let learner: string;
      if (alias) {
        learner = spelled(alias);
        if (fold(learner) !== folded) matches.push({ customer: s.customer, spelling: s.user, learner, rule: 'alias' });
      } else if (addresses.has(folded)) {
        learner = spelled(s.user);
      } else {
        const candidates = own.localPart === false ? [] : (byLocal.get(folded) ?? []);
        if (candidates.length === 1) {
          learner = candidates[0]!.user.trim();
          matches.push({ customer: s.customer, spelling: s.user, learner, rule: 'local-part' });
        } else {
          learner = s.user;
          if (candidates.length > 1) {
            const named = candidates.map((c) => `${c.user.trim()} (${where(c)})`);
            problems.push(
              warning({
                source: s.source,
                row: s.row,
                ...(s.column ? { column: s.column } : {}),
                value: s.user,
                code: 'ambiguous-learner',
                kind: 'A user name that could be more than one learner',
                message:
                  `For ${s.customer}, "${s.user}" (${where(s)}) could be ${named.slice(0, -1).join(', ')} or ${named.at(-1)}; ` +
                  `it is billed as a learner of its own. Add an alias to ${s.customer}'s tuition settings to say who it is.`,
              }),
            );
          }
        }
      }
      at(out, s.customer).set(s.user, learner);
    }
  }
  return { learnerOf: (customer, user) => out.get(customer)?.get(user) ?? user, matches, problems };
}

/** The lines with each learner written one way (lines already written so are kept as they are). */
export function applyLearners(lines: readonly ExpenseLine[], learners: Learners): ExpenseLine[] {
  return lines.map((l) => {
    const learner = learners.learnerOf(l.customer, l.user);
    return learner === l.user ? l : { ...l, user: learner };
  });
}

/** One alias as a form edits it: the spelling a partner writes and the learner it means. */
export interface AliasRow {
  spelling: string;
  learner: string;
}

/** A customer's aliases as rows, in the order stored. */
export function aliasRows(rules: CustomerLearnerRules | null | undefined): AliasRow[] {
  return Object.entries(rules?.aliases ?? {}).map(([spelling, learner]) => ({ spelling, learner }));
}

/**
 * The rules a form's rows make, or the sentence saying what to fix: each row needs both sides, a
 * spelling is listed once (case and spacing aside), and an alias naming itself means nothing.
 */
export function learnerRulesOf(rows: readonly AliasRow[], localPart: boolean): { ok: true; rules: CustomerLearnerRules } | { ok: false; problem: string } {
  const aliases: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const [i, r] of rows.entries()) {
    const spelling = r.spelling.trim();
    const learner = r.learner.trim();
    if (!spelling && !learner) continue;
    if (!spelling || !learner) return { ok: false, problem: `Alias ${i + 1}: give both the spelling the partner writes and the learner it means.` };
    if (fold(spelling) === fold(learner)) return { ok: false, problem: `Alias ${i + 1}: "${spelling}" is already that learner; name another learner or remove the alias.` };
    const earlier = seen.get(fold(spelling));
    if (earlier !== undefined) return { ok: false, problem: `"${spelling}" is listed twice (as "${earlier}" too); keep one alias for it.` };
    seen.set(fold(spelling), spelling);
    aliases[spelling] = learner;
  }
  return { ok: true, rules: { aliases, localPart } };
}

/** The rules in one sentence, for the customer's card. */
export function describeLearnerRules(rules: CustomerLearnerRules | null | undefined): string {
  const n = Object.keys(rules?.aliases ?? {}).length;
  const aliases = n === 0 ? 'No learner aliases' : n === 1 ? '1 learner alias' : `${n} learner aliases`;
  return `${aliases}; ${rules?.localPart === false ? 'user names are not matched to addresses.' : 'a user name is matched to the one address it begins.'}`;
}
