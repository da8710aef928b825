/**
 * A file read in parts (on one thread here; the host's threads run the same functions) gives exactly
 * what one pass gives, which gives exactly what the simple line-by-line reader gives: settlement, every
 * line, every problem in order — on random files split at every kind of place: next to the summary row,
 * before the first settlement-id, next to bad values, blank lines, CRLF, quoted and odd lines; and
 * each part read through a small window refilled from the bytes (as a host reads a large file) with
 * only the file's head given to the plan.
 */
import { parseSettlementFile } from './parse';
import { joinSettlementParts, placeSettlementParts, planSettlementParts, readSettlementFileInParts, readSettlementPartWindowed, type ReadBytes } from './parts';
import { readSettlementFile, type SettlementRead } from './read';
import { NEEDS_BYTES } from './read-lines';
import { NOT_UTF8 } from './rows';
import type { LineField, LineTextField } from './lines';
import { referenceParseSettlementFile } from '../../test/fixtures/settlements/reference-parse';
import { cp1252, randomFile, utf8 } from '../../test/fixtures/settlements/random-file';

/** The read as parseSettlementFile gives it (lines as objects). */
const asParsed = (r: SettlementRead) => ({ settlement: r.settlement && { ...r.settlement, lines: r.settlement.lines.toArray() }, problems: r.problems });

/**
 * Quoted values, tabs inside quotes, lone carriage returns, tab-only and quote-only lines among the
 * rows, and more rows with a total-amount (after the summary row they are details: a part must know
 * whether the summary row lies before it).
 */
function withOddLines(text: string, seed: number): string {
  let s = seed * 7919;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s / 4294967296);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  const odd = [
    '"quoted\tvalue"', '"', '\t\t\t', '\r', 'a\rb\tc', '"1000001"\t\t\t\t\t\t"Order"', '\t\t\t\t\t\t\t\t\t\t\t\t\t\t"12.50"', '""\t""',
    '1000001\t\t\t\t1.00\tUSD\tOrder', '1000001\t2024-11-01\t\t\t2.50\tEUR\tOrder\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\tx',
  ];
  const n = Math.floor(rand() * 5);
  for (let k = 0; k < n; k++) lines.splice(1 + Math.floor(rand() * lines.length), 0, odd[Math.floor(rand() * odd.length)]!);
  return lines.join(eol);
}

describe('a settlement file read in parts equals one pass', () => {
  test('on 400 random files as UTF-8 and windows-1252 bytes, split into 2, 3, 5 parts and a part per line', () => {
    let compared = 0;
    let split = 0;
    let summaryLater = 0;
    let sidLater = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const f = randomFile(seed);
      const text = seed % 2 ? withOddLines(f.text, seed) : f.text;
      const inputs: { name: string; bytes: Uint8Array }[] = [{ name: f.name, bytes: utf8(text) }];
      const w = cp1252(text);
      if (w) inputs.push({ name: f.name, bytes: w });
      for (const input of inputs) {
        const one = parseSettlementFile(input);
        expect({ seed, ...one }).toEqual({ seed, ...referenceParseSettlementFile(input) });
        for (const count of [2, 3, 5, text.split('\n').length + 1]) {
          const plan = planSettlementParts(input, count);
          if (plan && plan.jobs.length > 1) {
            split++;
            if (plan.jobs.some((j, k) => k > 0 && !j.summarySeen)) summaryLater++;
            if (plan.jobs.some((j, k) => k > 0 && j.firstSid === null)) sidLater++;
          }
          expect({ seed, count, ...asParsed(readSettlementFileInParts(input, count)) }).toEqual({ seed, count, ...one });
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(2000);
    // the splits reach the cases where a part depends on the rows before it
    expect(split).toBeGreaterThan(1000);
    expect(summaryLater).toBeGreaterThan(50);
    expect(sidLater).toBeGreaterThan(20);
  });

  test('a part whose bytes are not UTF-8 makes the whole file windows-1252, as one pass does', () => {
    const f = randomFile(3).text.replace(/\n?$/, '\nx\u00e9\n');
    const bytes = cp1252(f)!;
    const parts = readSettlementFileInParts({ name: 'late.txt', bytes }, 4);
    expect(parts.problems[0]).toMatchObject({ code: 'encoding-fallback' });
    expect(asParsed(parts)).toEqual(asParsed(readSettlementFile({ name: 'late.txt', bytes })));
  });

  test('with a few text fields kept, the ids name the same texts as one pass', () => {
    const fields: LineTextField[] = ['transactionType', 'amountType', 'amountDescription'];
    for (let seed = 1; seed <= 60; seed++) {
      const input = { name: 's.txt', bytes: utf8(randomFile(seed).text) };
      const one = readSettlementFile(input, { fields });
      const parts = readSettlementFileInParts(input, 3, { fields });
      if (!one.settlement) {
        expect(parts.settlement).toBeNull();
        continue;
      }
      for (const field of fields) {
        const texts = (r: SettlementRead) => {
          const { ids, values } = r.settlement!.lines.ids(field);
          return Array.from(ids, (id) => values[id]);
        };
        expect([seed, field, texts(parts)]).toEqual([seed, field, texts(one)]);
      }
      expect(parts.problems).toEqual(one.problems);
    }
  });

  test('each part read through a window of a few bytes, the plan given only the head, equals one pass', () => {
    let windowed = 0;
    let whole = 0;
    let inPlace = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const f = randomFile(seed);
      const text = seed % 2 ? withOddLines(f.text, seed) : f.text;
      // mostly files the window can finish (a point, two decimals); the rest need the file whole
      const plain = seed % 4 ? text.replace(/\t(-?\d+),(\d\d)\t/g, '\t$1.$2\t') : text;
      const bytes = utf8(plain);
      const input = { name: f.name, bytes };
      const one = readSettlementFile(input);
      const copy: ReadBytes = (into, at, length, position) => (into.set(bytes.subarray(position, position + length), at), length);
      for (const [count, window, head] of [[1, 16, 300], [2, 61, 200], [3, 256, 4096], [5, 4096, bytes.length]] as const) {
        const step = Math.max(1, Math.floor(bytes.length / count));
        const starts: number[] = [];
        for (let k = 1; k < count; k++) {
          const nl = bytes.indexOf(10, k * step);
          if (nl >= 0 && nl + 1 < bytes.length && nl + 1 > (starts[starts.length - 1] ?? 0)) starts.push(nl + 1);
        }
        const plan = planSettlementParts({ name: f.name, bytes: bytes.subarray(0, head) }, starts, undefined, bytes.length);
        // the parts' lines in one set of columns on odd seeds (guessed from a short head: some parts outgrow their place)
        if (plan && seed % 2) placeSettlementParts(plan, bytes.subarray(0, head), (n) => new ArrayBuffer(n));
        let got: SettlementRead;
        try {
          if (!plan) throw NEEDS_BYTES;
          const [first, ...later] = plan.jobs.map((job) => readSettlementPartWindowed(job, copy, window));
          got = joinSettlementParts(plan, first!, later.map((p) => p.part()));
          windowed++;
          if (later.length && got.settlement?.lines.row === plan.jobs[0]!.place?.columns.row) inPlace++;
        } catch (e) {
          if (e !== NEEDS_BYTES && e !== NOT_UTF8) throw e;
          got = readSettlementFile(input);
          whole++;
        }
        expect({ seed, count, window, ...asParsed(got) }).toEqual({ seed, count, window, ...asParsed(one) });
        expect({ seed, count, window, ...asParsed(readSettlementFileInParts(input, count, { window, placed: seed % 2 === 0 })) }).toEqual({ seed, count, window, ...asParsed(one) });
      }
    }
    // most reads finish through the window; the others show that the file read whole is the way out
    expect(windowed).toBeGreaterThan(400);
    expect(whole).toBeGreaterThan(50);
    expect(inPlace).toBeGreaterThan(100);
  });

  test('quantity and posted date kept only when named: the same problems, cents and kept columns as a full read', () => {
    let checked = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const input = { name: 's.txt', bytes: utf8(randomFile(seed).text.replace(/\t(-?\d+),(\d\d)\t/g, '\t$1.$2\t')) };
      const full = readSettlementFile(input);
      const reads: [LineField[], SettlementRead][] = [];
      for (const fields of [['amountType'], ['amountType', 'quantity'], ['postedDate', 'sku']] as LineField[][]) {
        reads.push([fields, readSettlementFile(input, { fields })]);
        reads.push([fields, readSettlementFileInParts(input, 3, { fields, window: 64, placed: seed % 2 === 0 })]);
      }
      for (const [fields, r] of reads) {
        expect([seed, fields, r.problems]).toEqual([seed, fields, full.problems]);
        if (!full.settlement) continue;
        const a = full.settlement.lines;
        const b = r.settlement!.lines;
        expect([seed, fields, Array.from(b.cents.subarray(0, b.count))]).toEqual([seed, fields, Array.from(a.cents.subarray(0, a.count))]);
        expect([seed, fields, b.quantity.length > 0]).toEqual([seed, fields, fields.includes('quantity')]);
        if (fields.includes('quantity')) expect(Array.from(b.quantity.subarray(0, b.count))).toEqual(Array.from(a.quantity.subarray(0, a.count)));
        const dates = (l: typeof a) => Array.from(l.postedDate.subarray(0, l.count), (d) => l.dates[d]);
        if (fields.includes('postedDate')) expect([seed, dates(b)]).toEqual([seed, dates(a)]);
        else expect(b.postedDate.length).toBe(0);
        if (b.count) expect(() => b.line(0)).toThrow(/without/);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
