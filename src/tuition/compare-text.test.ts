/** compareText orders texts exactly as the default collator (localeCompare) does, on random texts; TextOrder sorts as it does; invoiceNumber skips NFKD only where it changes nothing. */
import { compareText, invoiceNumber } from './invoices';
import { ENGLISH_ASCII_ORDER, TextOrder } from './invoice-keys';

test('the placed characters are the printable ASCII characters but capitals, in the collator’s order for English, each its own letter', () => {
  // where a run reads its default locale (plural rules) gives the collator's
  expect(new Intl.PluralRules().resolvedOptions().locale).toBe(new Intl.Collator().resolvedOptions().locale);
  const collator = new Intl.Collator('en');
  const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c < 'A' || c > 'Z');
  const placed = [...ENGLISH_ASCII_ORDER];
  expect([...placed].sort()).toEqual([...ascii].sort());
  expect([...ascii].sort(collator.compare)).toEqual(placed);
  const base = new Intl.Collator('en', { sensitivity: 'base' });
  for (let k = 1; k < placed.length; k++) expect({ k, pair: placed[k - 1]! + placed[k]!, order: base.compare(placed[k - 1]!, placed[k]!) }).toEqual({ k, pair: placed[k - 1]! + placed[k]!, order: -1 });
});

test('compareText gives the collator’s order on 200,000 random pairs of texts', () => {
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c < 'A' || c > 'Z');
  const other = ['A', 'Z', 'é', 'e\u0301', 'ß', 'ø', 'å', '\u00a0', '\t', 'Ω'];
  const collator = new Intl.Collator();
  const text = (plain: boolean) => Array.from({ length: Math.floor(rand() * 8) }, () => (plain || rand() < 0.9 ? ascii : other)[Math.floor(rand() * (plain || rand() < 0.9 ? ascii : other).length)]!).join('');
  const differ: string[] = [];
  for (let k = 0; k < 200_000; k++) {
    const plain = rand() < 0.7;
    const a = text(plain);
    // half the pairs share a start, as names of one customer do
    const b = rand() < 0.5 ? a.slice(0, Math.floor(rand() * (a.length + 1))) + text(plain) : text(plain);
    if (compareText(a, b) !== Math.sign(collator.compare(a, b))) differ.push(`${JSON.stringify(a)} ${JSON.stringify(b)}`);
  }
  expect(differ.slice(0, 10)).toEqual([]);
});

test('TextOrder sorts ids as a stable sort by compareText does, and marks the texts equal to the one before', () => {
  let s = 11;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  // few letters, so texts often share their first six characters (a run of equal heads) or are equal to the collator
  const chars = ['a', 'b', '.', '@', '1', ' ', '-', 'é', 'e\u0301', 'A'];
  const starts = ['', 'ab', 'user1@', 'user1', 'aaaaaa', 'aaaaa', 'é'];
  const texts = Array.from({ length: 400 }, () => starts[Math.floor(rand() * starts.length)]! + Array.from({ length: Math.floor(rand() * 8) }, () => chars[Math.floor(rand() * (rand() < 0.8 ? 6 : chars.length))]!).join(''));
  const order = new TextOrder(texts);
  for (let round = 0; round < 300; round++) {
    const ids = Int32Array.from({ length: Math.floor(rand() * 60) }, () => Math.floor(rand() * texts.length));
    const want = Array.from(ids).sort((a, b) => compareText(texts[a]!, texts[b]!));
    const tie = new Uint8Array(ids.length + 3);
    order.sort(ids, tie, 3);
    expect({ round, ids: Array.from(ids) }).toEqual({ round, ids: want });
    expect({ round, tie: Array.from(tie.subarray(3)) }).toEqual({ round, tie: want.map((id, k) => (k > 0 && compareText(texts[want[k - 1]!]!, texts[id]!) === 0 ? 1 : 0)) });
    for (let k = 0; k < 30; k++) {
      const a = Math.floor(rand() * texts.length);
      const b = Math.floor(rand() * texts.length);
      expect([texts[a], texts[b], order.compare(a, b)]).toEqual([texts[a], texts[b], compareText(texts[a]!, texts[b]!)]);
    }
  }
});

test('invoiceNumber without NFKD for an ASCII name gives the number made with it, on random names', () => {
  let s = 5;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const chars = ['a', 'Z', ' ', '-', '&', '9', '.', 'é', 'ﬁ', 'Ⅻ', 'ü', '\u00a0', '\u0301'];
  const normalised = (customer: string) => {
    const slug = customer.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toUpperCase().slice(0, 40);
    return `TU-2024-11-${slug || 'CUSTOMER'}-USD`;
  };
  for (let k = 0; k < 5000; k++) {
    const name = Array.from({ length: Math.floor(rand() * 50) }, () => chars[Math.floor(rand() * (rand() < 0.7 ? 7 : chars.length))]!).join('');
    expect([name, invoiceNumber(name, '2024-11', 'USD')]).toEqual([name, normalised(name)]);
  }
});
