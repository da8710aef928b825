/**
 * The reference set (numbered references in bitsets, others by bytes) finds exactly what a plain map
 * of (partner, text) finds, on random references: numbered and not, leading zeros, long numbers,
 * numbers far apart (a prefix's bitset given up for bytes), more prefixes than get a bitset, repeats.
 */
import { ReferenceSet } from './references';

function random(seed: number) {
  let s = seed;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
}

test('the reference set equals a map of (partner, text) on random references', () => {
  const utf8 = new TextEncoder();
  const kinds = new Set<string>();
  for (let seed = 1; seed <= 40; seed++) {
    const rand = random(seed);
    const set = new ReferenceSet();
    const plain = new Map<string, number>();
    const rows: number[] = [];
    const given: string[] = [];
    const prefixes = seed % 10 === 0 ? 50_000 : 1 + Math.floor(rand() * 6);
    const spread = [100, 10_000, 9_999_999][seed % 3]!;
    for (let i = 0; i < 6000; i++) {
      const partner = Math.floor(rand() * 3);
      const r = rand();
      // (every tenth seed: thousands of prefixes, more than get a bitset)
      const prefix = seed % 10 === 0 ? `X${Math.floor(rand() * prefixes)}_` : ['P0-', 'INV', '', 'R-7-', 'é-', `X${Math.floor(rand() * prefixes)}_`][Math.floor(rand() * 6)]!;
      const text =
        r < 0.15 && given.length
          ? given[Math.floor(rand() * given.length)]!.split('\u0000')[1]! // given before (by this partner or another)
          : r < 0.2
            ? `${prefix}0${Math.floor(rand() * 100)}` // a leading zero
            : r < 0.25
              ? `${prefix}${Math.floor(rand() * 1e10)}` // too long for a bitset
              : r < 0.3
                ? `${prefix}${Math.floor(rand() * 50)}x` // no number at the end
                : `${prefix}${Math.floor(rand() * spread)}`;
      if (r < 0.15) kinds.add('repeat');
      const bytes = utf8.encode(`  ${text} `);
      const key = `${partner}\u0000${text}`;
      const found = set.find(partner, bytes, 2, bytes.length - 1);
      const want = plain.get(key) ?? -1;
      expect({ seed, i, key, found }).toEqual({ seed, i, key, found: want });
      if (found >= 0) {
        kinds.add('found');
        expect([set.text(found), set.source(found), set.row(found)]).toEqual([text, partner, rows[found]]);
        continue;
      }
      const entry = set.add(partner, bytes, 2, bytes.length - 1, partner, i);
      expect(entry).toBe(plain.size);
      plain.set(key, entry);
      rows.push(i);
      given.push(key);
    }
    if (seed % 7 === 0) set.reserve(1000);
    expect(set.count).toBe(plain.size);
    for (const [key, entry] of plain) expect(`${set.source(entry)}\u0000${set.text(entry)}`).toBe(key);
  }
  expect([...kinds].sort()).toEqual(['found', 'repeat']);
});
