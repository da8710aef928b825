/**
 * The keys and orders tuition invoices are grouped and sorted by: a customer's key (its name ignoring
 * case and spacing), the invoice number, and the collator's order of texts.
 *
 * Public API
 * - `customerKey(name)`, `invoiceNumber(customer, month, currency)`, `compareText(a, b)`, `TextOrder(texts)`
 *   (compareText by index, and a sort of ids by their texts, for sorting the same texts many times).
 */
/** Customers are matched on their name ignoring case and spacing. */
export const customerKey = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

export function invoiceNumber(customer: string, month: string, currency: string): string {
  // (an ASCII name is its own NFKD form: most are, and normalize is the slow part)
  const slug = (/^[\x00-\x7f]*$/.test(customer) ? customer : customer.normalize('NFKD'))
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toUpperCase()
    .slice(0, 40);
  return `TU-${month}-${slug || 'CUSTOMER'}-${currency}`;
}

// The order of String.prototype.localeCompare (the default collator), without making one per call.
// Made when first needed: making the first collator loads its data (~30 ms of a run's start), and texts
// of placed characters only (below) never need it.
let collatorMade: Intl.Collator | null = null;
const collator = (): Intl.Collator => (collatorMade ??= new Intl.Collator());

/**
 * The printable ASCII characters but capitals in the default collator's order for English (the root
 * order): each sorts on its own there — no two equal, none joined with a neighbour as some languages
 * join "aa". (compare-text.test.ts: the collator orders them so, each its own letter.)
 */
export const ENGLISH_ASCII_ORDER = ' _-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Per printable ASCII character but capitals: its place in the collator's order (0: not placed). Two
 * texts of only these characters compare as their places do, character by character; other texts, and
 * other languages, go to the collator. (The default locale is read from plural rules, which load no
 * collation data: it is the collator's too.)
 */
const PLACE = ((): Uint8Array => {
  const place = new Uint8Array(128);
  if (!/^en(-|$)/.test(new Intl.PluralRules().resolvedOptions().locale)) return place;
  for (let k = 0; k < ENGLISH_ASCII_ORDER.length; k++) place[ENGLISH_ASCII_ORDER.charCodeAt(k)] = k + 1;
  return place;
})();

/** collator.compare(a, b) as -1, 0 or 1. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  let differ = -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (c >= 128 || PLACE[c] === 0) return Math.sign(collator().compare(a, b));
    if (differ < 0 && i < n && c !== b.charCodeAt(i)) differ = i;
  }
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if (c >= 128 || PLACE[c] === 0) return Math.sign(collator().compare(a, b));
  }
  if (differ < 0) return a.length < b.length ? -1 : 1;
  return PLACE[a.charCodeAt(differ)]! < PLACE[b.charCodeAt(differ)]! ? -1 : 1;
}

/**
 * compareText among the texts of a list, by index, for sorting the same texts many times: whether a text
 * is of placed characters only is found once per text, and such a text's first six places are packed in
 * one number (7 bits each, 0 past its end: a text before its longer ones), so most of a sort is of numbers.
 */
export class TextOrder {
  private readonly placed: Uint8Array;
  private readonly head: Float64Array;
  private scratch = new Float64Array(64);
  private given = new Int32Array(64);
  constructor(private readonly texts: readonly string[]) {
    this.placed = new Uint8Array(texts.length);
    this.head = new Float64Array(texts.length);
    for (let k = 0; k < texts.length; k++) {
      const t = texts[k]!;
      let i = 0;
      let head = 0;
      for (; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c >= 128 || PLACE[c] === 0) break;
        if (i < 6) head = head * 128 + PLACE[c]!;
      }
      for (let j = i; j < 6; j++) head *= 128;
      this.placed[k] = i === t.length ? 1 : 0;
      this.head[k] = head;
    }
  }

  compare = (a: number, b: number): number => {
    const x = this.texts[a]!;
    const y = this.texts[b]!;
    if (this.placed[a] === 0 || this.placed[b] === 0) return compareText(x, y);
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const c = x.charCodeAt(i);
      const d = y.charCodeAt(i);
      if (c !== d) return PLACE[c]! < PLACE[d]! ? -1 : 1;
    }
    return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
  };

  /**
   * Sorts the ids (indexes of texts) by their texts, ties in the order given; `tie[at + k]` is set to 1
   * when the k-th id's text is equal (to the collator) to the one before, else 0.
   */
  sort(ids: Int32Array, tie: Uint8Array, at: number): void {
    const n = ids.length;
    let numbers = n <= 2048;
    for (let k = 0; numbers && k < n; k++) if (this.placed[ids[k]!] === 0) numbers = false;
    if (!numbers) {
      ids.set(Array.from(ids).sort(this.compare));
      for (let k = 0; k < n; k++) tie[at + k] = k > 0 && this.compare(ids[k - 1]!, ids[k]!) === 0 ? 1 : 0;
      return;
    }
    // (head, position given) as one number: a sort of numbers, then texts with the same head by compare
    if (this.scratch.length < n) {
      this.scratch = new Float64Array(2 * n);
      this.given = new Int32Array(2 * n);
    }
    const key = this.scratch.subarray(0, n);
    const given = this.given;
    for (let k = 0; k < n; k++) {
      given[k] = ids[k]!;
      key[k] = this.head[ids[k]!]! * 2048 + k;
    }
    key.sort();
    for (let k = 0; k < n; k++) ids[k] = given[key[k]! % 2048]!;
    for (let k = 0; k < n; ) {
      const head = key[k]! - (key[k]! % 2048);
      let e = k + 1;
      while (e < n && key[e]! - (key[e]! % 2048) === head) e++;
      tie[at + k] = 0;
      if (e - k > 1) {
        const run = ids.subarray(k, e);
        run.set(Array.from(run).sort(this.compare));
        for (let r = k + 1; r < e; r++) tie[at + r] = this.compare(ids[r - 1]!, ids[r]!) === 0 ? 1 : 0;
      }
      k = e;
    }
  }
}
