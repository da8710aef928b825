/**
 * Who each learner is (./learners.ts) for lines held as columns: the rules see each distinct
 * (customer, spelling) pair once — with its first line and its number of lines — and the lines of a
 * spelling taken as another learner get that learner's name in place. A million lines make no object
 * each: the pairs are found by integer ids.
 *
 * Public API
 * - `matchColumnLearners(columns, count, rules?, profiles?)` → the Learners decided (matches, problems)
 *   over the first `count` lines (0: none, as when the month holds no line); their users are rewritten
 *   to the learner each spelling stands for.
 */
import { KeyIds, resized, TextIds, type ExpenseColumns } from './columns';
import { customerKey } from './invoice-keys';
import { isPlainAddress, matchLearners, spellingOf, type Learners, type LearnerRules } from './learners';
import type { PartnerProfile } from './profiles';

export function matchColumnLearners(c: ExpenseColumns, count: number, rules?: LearnerRules, profiles?: readonly PartnerProfile[]): Learners {
  const names = c.names.values;
  const W = names.length;
  // each line's pair; a user name is nearly always one customer's, so its last pair is tried before the table
  // (about one pair per user name: room for as many as there are names)
  const pairs = new KeyIds(Math.min(count, W));
  const pairOfLine = new Int32Array(count);
  // per user, side by side: her last pair and its customer (one look-up, not two far apart)
  const last = new Int32Array(2 * W).fill(-1);
  const firstLine: number[] = [];
  let rows = new Int32Array(1024);
  for (let i = 0; i < count; i++) {
    const user = c.user[i]!;
    const customer = c.customer[i]!;
    let k = last[2 * user]!;
    if (k < 0 || last[2 * user + 1] !== customer) {
      k = last[2 * user] = pairs.id(customer * W + user);
      last[2 * user + 1] = customer;
      if (k === firstLine.length) {
        firstLine.push(i);
        if (k === rows.length) rows = resized(rows, k * 2);
      }
    }
    rows[k]!++;
    pairOfLine[i] = k;
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
  // the pairs are distinct texts (an id is one text), met in line order: the spellings learnerSpellings would find, in its order
  const spelling = spellingOf(profiles);
  const asked = firstLine.flatMap((i, k) => (ruled[pairKey[k]!] ? [k] : []));
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
  if (rewritten)
    for (let i = 0; i < count; i++) {
      const to = rewrite[pairOfLine[i]!]!;
      if (to >= 0) c.user[i] = to;
    }
  return learners;
}
