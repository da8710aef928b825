/**
 * ByteKeys against a Map on random byte strings: ids in the order first added, the same key (and salt)
 * always the same id, an unseen key not found, lookups by a given hash equal to hashing here, and the
 * number kept with each key surviving the table's and the pool's growth.
 */
import { ByteKeys, byteHash } from './text-bytes';

function random(seed: number) {
  let s = seed;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
}

describe('ByteKeys', () => {
  test('equals a Map on 20 random runs of up to 30,000 keys, with and without kept numbers', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = random(seed);
      const values = seed % 2 === 0;
      const keys = new ByteKeys(values);
      const want = new Map<string, { id: number; value: number }>();
      const buf = new Uint8Array(64);
      const n = 1000 + Math.floor(rand() * 29000);
      for (let i = 0; i < n; i++) {
        // short keys over a small alphabet (many repeats), some long, some empty; salts 0 or small
        const len = rand() < 0.05 ? Math.floor(rand() * 60) : Math.floor(rand() * 5);
        for (let k = 0; k < len; k++) buf[k] = 97 + Math.floor(rand() * (rand() < 0.5 ? 3 : 26));
        const off = Math.floor(rand() * (64 - len));
        buf.copyWithin(off, 0, len);
        const salt = seed % 3 === 0 ? Math.floor(rand() * 3) : 0;
        const key = `${salt}:${Array.from(buf.subarray(off, off + len)).join(',')}`;
        const seen = want.get(key);
        const found = salt === 0 && rand() < 0.5 ? keys.findHashed(byteHash(buf, off, off + len), 0, buf, off, off + len) : keys.find(salt, buf, off, off + len);
        expect({ seed, i, found }).toEqual({ seed, i, found: seen ? seen.id : -1 });
        if (!values) {
          if (!seen) want.set(key, { id: keys.add(salt, buf, off, off + len), value: -1 });
          continue;
        }
        const id = found >= 0 ? found : keys.add(salt, buf, off, off + len);
        const entry = seen ?? { id, value: -1 };
        want.set(key, entry);
        expect({ seed, i, id, last: keys.lastValue(), value: keys.value(id) }).toEqual({ seed, i, id: entry.id, last: entry.value, value: entry.value });
        if (rand() < 0.3) {
          entry.value = Math.floor(rand() * 2 ** 31) * (rand() < 0.5 ? -1 : 1);
          if (rand() < 0.5) keys.setLastValue(entry.value);
          else keys.setValue(id, entry.value);
        }
      }
      expect(keys.count).toBe(want.size);
      for (const { id, value } of want.values()) if (values) expect(keys.value(id)).toBe(value);
      expect([...want.values()].map((e) => e.id).sort((a, b) => a - b)).toEqual([...want.keys()].map((_, k) => k));
    }
  });
});
