/**
 * Expense lines held column by column — a million lines are typed arrays plus one string per distinct
 * customer, user, currency and date — and partner references kept as bytes in one pool, where
 * duplicates are found without a string per reference.
 *
 * Public API
 * - `ExpenseColumns`: `count`, per line `partner`, `customer`, `user` (ids in `names`), `type` (index in
 *   EXPENSE_TYPES), `cents`, `currency` (id in `names`), `date` (id in `dates`), `reference` (entry in
 *   `references`), `credit`, `source` (id in `sources`), `row`; `add`, `reserve(n)`, `line(i)`, `toArray()`, `fromLines(lines)`.
 * - `TextIds`: strings ↔ small integer ids (`find(text)`: -1 when it has none); `KeyIds(expected?)`: non-negative integer keys ↔ dense ids.
 * - `ReferenceSet` (./references.ts).
 */
import { encodeUtf8 } from '../kernel/text-bytes';
import { resized } from '../kernel/typed-arrays';
import { ReferenceSet } from './references';

export { ReferenceSet } from './references';
import { EXPENSE_TYPES, type ExpenseType } from './profiles';

/** The reader's normal form of a partner line. */
export interface ExpenseLine {
  partner: string;
  customer: string;
  /** The customer's employee (email or name as the partner gives it). */
  user: string;
  expenseType: ExpenseType;
  /** Minor units; negative for a credit. */
  cents: number;
  currency: string;
  /** ISO date. */
  date: string;
  /** The partner's own line reference (unique per partner). */
  reference: string;
  credit: boolean;
  source: string;
  row: number;
}

/** Non-negative integer keys → dense ids in insertion order (an open-addressing table: a Map of 350k numbers costs more). */
export class KeyIds {
  private keys: Float64Array;
  private ids: Int32Array;
  size = 0;
  /**
   * `expected`: about how many keys will come; room for them is made at once (a table grown to hundreds
   * of thousands by doubling places every key again on each step). The ids are the same either way.
   */
  constructor(expected = 0) {
    let n = 1 << 12;
    while (n < 2 * expected) n *= 2;
    this.keys = new Float64Array(n).fill(-1);
    this.ids = new Int32Array(n);
  }
  /** The key's id; a new key gets the next one (check `size` before and after to tell). */
  id(key: number): number {
    const mask = this.keys.length - 1;
    let slot = (Math.imul(key | 0, 0x9e3779b1) ^ ((key / 4294967296) | 0)) & mask;
    for (;;) {
      const k = this.keys[slot]!;
      if (k === key) return this.ids[slot]!;
      if (k < 0) break;
      slot = (slot + 1) & mask;
    }
    this.keys[slot] = key;
    this.ids[slot] = this.size++;
    if (this.size * 2 > this.keys.length) this.grow();
    return this.size - 1;
  }
  private grow(): void {
    const keys = this.keys;
    const ids = this.ids;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.ids = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i]! < 0) continue;
      let slot = (Math.imul(keys[i]! | 0, 0x9e3779b1) ^ ((keys[i]! / 4294967296) | 0)) & mask;
      while (this.keys[slot]! >= 0) slot = (slot + 1) & mask;
      this.keys[slot] = keys[i]!;
      this.ids[slot] = ids[i]!;
    }
  }
}

export class TextIds {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(text);
      this.ids.set(text, id);
    }
    return id;
  }
  /** The text's id, -1 when it has none (none is given). */
  find(text: string): number {
    return this.ids.get(text) ?? -1;
  }
}

export class ExpenseColumns {
  count = 0;
  partner = new Int32Array(1024);
  customer = new Int32Array(1024);
  user = new Int32Array(1024);
  type = new Uint8Array(1024);
  cents = new Float64Array(1024);
  currency = new Int32Array(1024);
  date = new Int32Array(1024);
  reference = new Int32Array(1024);
  credit = new Uint8Array(1024);
  source = new Int32Array(1024);
  row = new Int32Array(1024);
  /** Customers, users, currencies (their normal-form text). */
  readonly names: TextIds;
  readonly partners = new TextIds();
  readonly dates = new TextIds();
  readonly sources = new TextIds();
  readonly references = new ReferenceSet();

  constructor(names = new TextIds()) {
    this.names = names;
  }

  add(partner: number, customer: number, user: number, type: number, cents: number, currency: number, date: number, reference: number, credit: boolean, source: number, row: number): void {
    if (this.count === this.row.length) this.grow();
    const i = this.count++;
    this.partner[i] = partner;
    this.customer[i] = customer;
    this.user[i] = user;
    this.type[i] = type;
    this.cents[i] = cents;
    this.currency[i] = currency;
    this.date[i] = date;
    this.reference[i] = reference;
    this.credit[i] = credit ? 1 : 0;
    this.source[i] = source;
    this.row[i] = row;
  }

  /** Room for n more lines, made at once (not by doubling on the way there). */
  reserve(n: number): void {
    if (this.count + n > this.row.length) this.resize(this.count + n);
  }

  line(i: number): ExpenseLine {
    const n = this.names.values;
    return {
      partner: this.partners.values[this.partner[i]!]!,
      customer: n[this.customer[i]!]!,
      user: n[this.user[i]!]!,
      expenseType: EXPENSE_TYPES[this.type[i]!]!,
      cents: this.cents[i]!,
      currency: n[this.currency[i]!]!,
      date: this.dates.values[this.date[i]!]!,
      reference: this.references.text(this.reference[i]!),
      credit: this.credit[i] === 1,
      source: this.sources.values[this.source[i]!]!,
      row: this.row[i]!,
    };
  }

  toArray(): ExpenseLine[] {
    const out = new Array<ExpenseLine>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.line(i);
    return out;
  }

  /** Lines given as objects (a host's own), as columns. */
  static fromLines(lines: readonly ExpenseLine[]): ExpenseColumns {
    const c = new ExpenseColumns();
    for (const l of lines) {
      const partner = c.partners.id(l.partner);
      const bytes = encodeUtf8(l.reference);
      c.references.find(partner, bytes, 0, bytes.length);
      const reference = c.references.add(partner, bytes, 0, bytes.length, c.sources.id(l.source), l.row);
      c.add(partner, c.names.id(l.customer), c.names.id(l.user), EXPENSE_TYPES.indexOf(l.expenseType), l.cents, c.names.id(l.currency), c.dates.id(l.date), reference, l.credit, c.sources.id(l.source), l.row);
    }
    return c;
  }

  private grow(): void {
    this.resize(this.row.length * 2);
  }

  private resize(n: number): void {
    this.partner = resized(this.partner, n);
    this.customer = resized(this.customer, n);
    this.user = resized(this.user, n);
    this.type = resized(this.type, n);
    this.cents = resized(this.cents, n);
    this.currency = resized(this.currency, n);
    this.date = resized(this.date, n);
    this.reference = resized(this.reference, n);
    this.credit = resized(this.credit, n);
    this.source = resized(this.source, n);
    this.row = resized(this.row, n);
  }
}
