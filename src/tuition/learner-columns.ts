/**
 * Who each learner is (./learners.ts) for lines held as columns: the rules see each distinct
 * (customer, spelling) pair once — with its first line and its number of lines — and the lines of a
 * spelling taken as another learner get that learner's name in place. A million lines make no object
 * each: the pairs are found by integer ids, from the lines' trios.
 *
 * Public API
 * - `matchColumnLearners(columns, count, rules?, profiles?)` → the Learners decided (matches, problems)
 *   over the first `count` lines (0: none, as when the month holds no line); their users are rewritten
 *   to the learner each spelling stands for, and so are those of `trios` (./trios.ts: the lines' trios, found
 *   here when not given), which buildInvoiceTable can then take rather than find them again.
 */
import { KeyIds, TextIds, type ExpenseColumns } from './columns';
import { customerKey } from './invoice-keys';
import { isPlainAddress, matchLearners, spellingOf, type Learners, type LearnerRules } from './learners';
import type { PartnerProfile } from './profiles';
import { lineTrios, type LineTrios } from './trios';

export function matchColumnLearners(c: ExpenseColumns, count: number, rules?: LearnerRules, profiles?: readonly PartnerProfile[], trios: LineTrios = lineTrios(c, count)): Learners {
  const names = c.names.values;
  const W = names.length;
  // Each trio's pair (customer, user), numbered in the order met: trios are in the order of their first lines.
  const pairs = new KeyIds();
  const pairOfTrio = new Int32Array(trios.customer.length);
  const firstLine: number[] = [];
  for (let t = 0; t < trios.customer.length; t++) {
    const k = (pairOfTrio[t] = pairs.id(trios.customer[t]! * W + trios.user[t]!));
    if (k === firstLine.length) firstLine.push(trios.first[t]!);
  }
  // A customer with no aliases whose spellings are all plain addresses needs no rule (isPlainAddress): only
  // the other customers' spellings are made and go to the rules (a hundred thousand learners make few objects).
  const customerKeyOf = new Int32Array(W).fill(-1);
  const customerKeys = new TextIds();
  const plainAddress = new Int8Array(W).fill(-1);
  const pairKey = new Int32Array(firstLine.length);
  const ruled: number[] = [];
  for (let k = 0; k < firstLine.length; k++) {
    const i = firstLine[k]!;
    const customer = c.customer[i]!;
    let ck = customerKeyOf[customer]!;
    if (ck < 0) {
      ck = customerKeyOf[customer] = customerKeys.id(customerKey(names[customer]!));
      if (ck === ruled.length) ruled.push(Object.keys(rules?.[customerKeys.values[ck]!]?.aliases ?? {}).length > 0 ? 1 : 0);
    }
    pairKey[k] = ck;
    const user = c.user[i]!;
    if (plainAddress[user]! < 0) plainAddress[user] = isPlainAddress(names[user]!) ? 1 : 0;
    if (plainAddress[user] === 0) ruled[ck] = 1;
  }
  const asked = firstLine.flatMap((i, k) => (ruled[pairKey[k]!] ? [k] : []));
  if (asked.length === 0) return matchLearners([], rules);
  // the lines of each pair (a spelling says on how many rows it is)
  const rows = new Int32Array(firstLine.length);
  for (let i = 0; i < count; i++) rows[pairOfTrio[trios.of[i]!]!]!++;
  // the pairs are distinct texts (an id is one text), met in line order: the spellings learnerSpellings would find, in its order
  const spelling = spellingOf(profiles);
  const spellings = asked.map((k) => {
    const i = firstLine[k]!;
    return spelling({ partner: c.partners.values[c.partner[i]!]!, customer: names[c.customer[i]!]!, user: names[c.user[i]!]!, source: c.sources.values[c.source[i]!]!, row: c.row[i]! }, rows[k]!);
  });
  const learners = matchLearners(spellings, rules);
  const rewrite = new Int32Array(firstLine.length).fill(-1);
  let rewritten = false;
  spellings.forEach((s, n) => {
    const learner = learners.learnerOf(s.customer, s.user);
    if (learner !== s.user) {
      rewrite[asked[n]!] = c.names.id(learner);
      rewritten = true;
    }
  });
  if (rewritten) {
    for (let i = 0; i < count; i++) {
      const to = rewrite[pairOfTrio[trios.of[i]!]!]!;
      if (to >= 0) c.user[i] = to;
    }
    // (two trios may now be one learner's: each stays, met where it was)
    for (let t = 0; t < trios.user.length; t++) if (rewrite[pairOfTrio[t]!]! >= 0) trios.user[t] = rewrite[pairOfTrio[t]!]!;
  }
  return learners;
}
