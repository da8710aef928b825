/** KeyIds given room ahead (`expected`) numbers keys exactly as one grown by doubling. */
import { KeyIds } from './columns';

test('KeyIds: the same id for each key whatever room was made ahead, on random keys', () => {
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  for (let run = 0; run < 20; run++) {
    const distinct = 1 + Math.floor(rand() * 20000);
    // keys past 2^32 too (pairs and invoice lines are products of ids)
    const keys = Array.from({ length: 3 * distinct }, () => Math.floor(rand() * distinct) * (run % 2 ? 4294967311 : 97) + run);
    const grown = new KeyIds();
    const ahead = new KeyIds(Math.floor(rand() * 2 * distinct));
    const ids = keys.map((k) => [grown.id(k), ahead.id(k)]);
    expect({ run, same: ids.every(([a, b]) => a === b), size: ahead.size }).toEqual({ run, same: true, size: grown.size });
    expect(new Set(keys).size).toBe(grown.size);
  }
});
