/**
 * Each expense line's trio — its customer, user and currency name ids — numbered in the order first met:
 * learners are decided and invoice lines placed once per trio (a learner's few), not once per line.
 *
 * Public API
 * - `lineTrios(columns, count, inMonth?)` → `LineTrios` over the first `count` lines: `of[i]` the trio of
 *   line i (-1: a line whose date id `inMonth` says is of another month, left out), and per trio its
 *   `customer`, `user`, `currency` and `first` line.
 */
import { resized } from '../kernel/typed-arrays';
import { KeyIds, type ExpenseColumns } from './columns';

export interface LineTrios {
  of: Int32Array;
  customer: Int32Array;
  user: Int32Array;
  currency: Int32Array;
  first: Int32Array;
}

export function lineTrios(c: ExpenseColumns, count: number, inMonth?: readonly boolean[]): LineTrios {
  const W = c.names.values.length + 1;
  // per trio, grown as trios are met
  let customer = new Int32Array(1024);
  let user = new Int32Array(1024);
  let currency = new Int32Array(1024);
  let first = new Int32Array(1024);
  let size = 0;
  // A user name is nearly always one customer's in one currency: her last trio is tried first (side by
  // side with its customer and currency: one look-up), and only the trios of a user met with two or more
  // are kept in a table (by pair, then currency).
  const last = new Int32Array(3 * W).fill(-1);
  const pairIds = new KeyIds();
  const trioIds = new KeyIds();
  const trioOfId: number[] = [];
  const tabled = (t: number): number => {
    const id = trioIds.id(pairIds.id(customer[t]! * W + user[t]!) * W + currency[t]!);
    if (id === trioOfId.length) trioOfId.push(t);
    return trioOfId[id]!;
  };
  const of = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (inMonth && !inMonth[c.date[i]!]) {
      of[i] = -1;
      continue;
    }
    const u = c.user[i]!;
    const cu = c.customer[i]!;
    const cy = c.currency[i]!;
    let t = last[3 * u]!;
    if (t < 0 || last[3 * u + 1] !== cu || last[3 * u + 2] !== cy) {
      const known = t >= 0;
      if (known) tabled(t);
      if (size === customer.length) {
        customer = resized(customer, 2 * size);
        user = resized(user, 2 * size);
        currency = resized(currency, 2 * size);
        first = resized(first, 2 * size);
      }
      t = size++;
      customer[t] = cu;
      user[t] = u;
      currency[t] = cy;
      first[t] = i;
      if (known) {
        const found = tabled(t);
        if (found !== t) {
          size--;
          t = found;
        }
      }
      last[3 * u] = t;
      last[3 * u + 1] = cu;
      last[3 * u + 2] = cy;
    }
    of[i] = t;
  }
  return { of, customer: customer.subarray(0, size), user: user.subarray(0, size), currency: currency.subarray(0, size), first: first.subarray(0, size) };
}
