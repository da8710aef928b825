/**
 * A settlement file read from disk through windows on two threads (the worker reading its part from the
 * file) or one gives what one pass over its bytes gives: random files (odd values, CRLF, summary rows anywhere),
 * a larger one with problems throughout, windows-1252 bytes (the worker's part or the first one not
 * UTF-8) and a comma-separated copy (read in one pass).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSettlementFile, type SettlementRead } from '../../../src/settlements/read';
import { asCsv, cp1252, randomFile, utf8 } from '../../../test/fixtures/settlements/random-file';
import { order, v2File } from '../../../test/fixtures/settlements/make';
import { readSettlementFileAt } from './read-file';

const asParsed = (r: SettlementRead) => ({ settlement: r.settlement && { ...r.settlement, lines: r.settlement.lines.toArray() }, problems: r.problems });

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'settlement-read-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function same(name: string, bytes: Uint8Array): Promise<SettlementRead> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  // partBytes: 1 — every file, however small, is read in parts: two threads, or one; windows of the
  // default size and of a few bytes (lines cross them)
  const one = asParsed(readSettlementFile({ name, bytes }));
  const got = await readSettlementFileAt(file, { partBytes: 1 });
  expect({ name, ...asParsed(got) }).toEqual({ name, ...one });
  for (const [threads, window] of [[2, 97], [1, 64], [1, 1 << 20]]) {
    const r = await readSettlementFileAt(file, { partBytes: 1, threads, window });
    expect({ name, threads, window, ...asParsed(r) }).toEqual({ name, threads, window, ...one });
  }
  return got;
}

// Forty seeds in four tests: each read starts a worker, and a test's time limit is per test.
test.each([[1, 10], [11, 20], [21, 30], [31, 40]])('random files (seeds %i–%i) read on two threads equal one pass', async (from, to) => {
  for (let seed = from; seed <= to; seed++) {
    const f = randomFile(seed);
    await same(`r${seed}.txt`, utf8(f.text));
    const w = cp1252(f.text);
    if (w) await same(`w${seed}.txt`, w);
    if (seed % 10 === 0) await same(`c${seed}.csv`, utf8(asCsv(f.text)));
  }
});

test('a larger file with problems throughout, and windows-1252 only in the second part, equal one pass', async () => {
  const lines = [];
  for (let k = 0; k < 3000; k++) lines.push(...order(`111-${String(1000000 + k)}-0000001`, k % 7 ? 'SKU-A' : 'SKU-Ä', 1000 + k, k % 97 ? {} : { posted: 'soon' }));
  const text = v2File(lines).replace(/\t12\.34\t/g, '\tabc\t');
  const r = await same('big.txt', utf8(text));
  // without the bad amounts: read through the windows to the end, its bad dates kept as text for pass 2
  const clean = await same('clean.txt', utf8(v2File(lines)));
  expect(clean.problems.length).toBeGreaterThan(0);
  expect(clean.problems.every((p) => p.code === 'bad-date')).toBe(true);
  expect(r.settlement!.lines.count).toBeGreaterThan(10000);
  expect(r.problems.some((p) => p.code === 'bad-date')).toBe(true);
  const late = text + '\nx\u00e9\n';
  const w = await same('late-1252.txt', cp1252(late)!);
  expect(w.problems[0]).toMatchObject({ code: 'encoding-fallback' });
});
