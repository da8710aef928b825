/**
 * The keys and orders tuition invoices are grouped and sorted by: a customer's key (its name ignoring
 * case and spacing), the invoice number, and the collator's order of texts.
 *
 * Public API
 * - `customerKey(name)`, `invoiceNumber(customer, month, currency)`, `compareText(a, b)`.
 */
/** Customers are matched on their name ignoring case and spacing. */
export const customerKey = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

export function invoiceNumber(customer: string, month: string, currency: string): string {
  const slug = customer
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toUpperCase()
    .slice(0, 40);
  return `TU-${month}-${slug || 'CUSTOMER'}-${currency}`;
}

// The order of String.prototype.localeCompare (the default collator), without making one per call.
const collator = new Intl.Collator();

/**
 * Per printable ASCII character but capitals: its place in the collator's order (0: not placed). In
 * English (the root order) each of them sorts on its own — no two equal, none joined with a neighbour
 * as some languages join "aa" — so two texts of only these characters compare as their places do,
 * character by character; other texts, and other languages, go to the collator.
 */
const PLACE = ((): Uint8Array => {
  const place = new Uint8Array(128);
  if (!/^en(-|$)/.test(collator.resolvedOptions().locale)) return place;
  const chars = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c < 'A' || c > 'Z');
  chars.sort(collator.compare);
  // each one its own letter, not only its own accent or case: else a later letter would decide first
  const base = new Intl.Collator(undefined, { sensitivity: 'base' });
  for (let k = 1; k < chars.length; k++) if (base.compare(chars[k - 1]!, chars[k]!) === 0) return place;
  chars.forEach((c, k) => (place[c.charCodeAt(0)] = k + 1));
  return place;
})();

/** collator.compare(a, b) as -1, 0 or 1. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  let differ = -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (c >= 128 || PLACE[c] === 0) return Math.sign(collator.compare(a, b));
    if (differ < 0 && i < n && c !== b.charCodeAt(i)) differ = i;
  }
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if (c >= 128 || PLACE[c] === 0) return Math.sign(collator.compare(a, b));
  }
  if (differ < 0) return a.length < b.length ? -1 : 1;
  return PLACE[a.charCodeAt(differ)]! < PLACE[b.charCodeAt(differ)]! ? -1 : 1;
}
