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
  const trioCount = trios.customer.length;
  // A customer with no aliases whose spellings are all plain addresses needs no rule (isPlainAddress): only
  // the other customers' spellings are made and go to the rules (a hundred thousand learners make few objects).
  const customerKeyOf = new Int32Array(W).fill(-1);
  const customerKeys = new TextIds();
  const plainAddress = new Int8Array(W).fill(-1);
  const trioKey = new Int32Array(trioCount);
  const ruled: number[] = [];
  for (let t = 0; t < trioCount; t++) {
    const customer = trios.customer[t]!;
    let ck = customerKeyOf[customer]!;
    if (ck < 0) {
      ck = customerKeyOf[customer] = customerKeys.id(customerKey(names[customer]!));
      if (ck === ruled.length) ruled.push(Object.keys(rules?.[customerKeys.values[ck]!]?.aliases ?? {}).length > 0 ? 1 : 0);
    }
    trioKey[t] = ck;
    const user = trios.user[t]!;
    if (plainAddress[user]! < 0) plainAddress[user] = isPlainAddress(names[user]!) ? 1 : 0;
    if (plainAddress[user] === 0) ruled[ck] = 1;
  }
  // The pairs (customer, user) of the other customers' trios, numbered in the order met (trios are in the
  // order of their first lines), with the lines of each (a spelling says on how many rows it is).
  const pairs = new KeyIds();
  const pairOfTrio = new Int32Array(trioCount).fill(-1);
  const firstLine: number[] = [];
  for (let t = 0; t < trioCount; t++) {
    if (!ruled[trioKey[t]!]) continue;
    const k = (pairOfTrio[t] = pairs.id(trios.customer[t]! * W + trios.user[t]!));
    if (k === firstLine.length) firstLine.push(trios.first[t]!);
  }
  if (firstLine.length === 0) return matchLearners([], rules);
  const rows = new Int32Array(firstLine.length);
  for (let i = 0; i < count; i++) {
    const k = pairOfTrio[trios.of[i]!]!;
    if (k >= 0) rows[k]!++;
  }
  // the pairs are distinct texts (an id is one text), met in line order: the spellings learnerSpellings would find, in its order
  const spelling = spellingOf(profiles);
  const spellings = firstLine.map((i, k) =>
    spelling({ partner: c.partners.values[c.partner[i]!]!, customer: names[c.customer[i]!]!, user: names[c.user[i]!]!, source: c.sources.values[c.source[i]!]!, row: c.row[i]! }, rows[k]!),
  );
  const learners = matchLearners(spellings, rules);
  const rewrite = new Int32Array(firstLine.length).fill(-1);
  let rewritten = false;
  spellings.forEach((s, n) => {
    const learner = learners.learnerOf(s.customer, s.user);
    if (learner !== s.user) {
      rewrite[n] = c.names.id(learner);
      rewritten = true;
    }
  });
  if (rewritten) {
    // per trio, the learner its user becomes (-1: stays): one look-up per line
    const to = new Int32Array(trioCount).fill(-1);
    for (let t = 0; t < trioCount; t++) if (pairOfTrio[t]! >= 0) to[t] = rewrite[pairOfTrio[t]!]!;
    for (let i = 0; i < count; i++) {
      const u = to[trios.of[i]!]!;
      if (u >= 0) c.user[i] = u;
    }
    // (two trios may now be one learner's: each stays, met where it was)
    for (let t = 0; t < trioCount; t++) if (to[t]! >= 0) trios.user[t] = to[t]!;
  }
  return learners;
}
