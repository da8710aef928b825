/**
 * The byte reader gives exactly what the simple line-by-line reader gives — settlement, every line,
 * every problem in order — on random files: V2 and V1, decimal points and commas (and both), ISO,
 * dotted and slash dates with and without times and zones, bad values of every kind, other settlement
 * ids, summary rows anywhere with extra fields, UTF-8 (with and without BOM) and windows-1252 bytes,
 * text, comma-separated copies and dataset tables, LF and CRLF, blank and space-only lines, trailing
 * spaces and non-breaking spaces.
 */
import { parseSettlementFile } from './parse';
import { readSettlementFile } from './read';
import { referenceParseSettlementFile } from '../../test/fixtures/settlements/reference-parse';
import { order, v2File } from '../../test/fixtures/settlements/make';
import { cp1252, inputsOf, randomFile } from '../../test/fixtures/settlements/random-file';

describe('the byte reader equals the line-by-line reader', () => {
  test('on 400 random files, each as text, UTF-8 bytes, windows-1252 bytes and some as CSV copies and tables', () => {
    const seen = new Set<string>();
    let compared = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const f = randomFile(seed);
      for (const input of inputsOf(f, seed)) {
        const got = parseSettlementFile(input);
        const want = referenceParseSettlementFile(input);
        expect({ seed, kind: Object.keys(input)[1], ...got }).toEqual({ seed, kind: Object.keys(input)[1], ...want });
        for (const p of got.problems) seen.add(p.code ?? '');
        if (got.settlement) seen.add(`${got.settlement.format} ${got.settlement.encoding} ${got.settlement.decimal} ${got.settlement.dateStyle}`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
    // the random files reach every case worth comparing
    for (const code of ['encoding-fallback', 'unknown-column', 'missing-column', 'column-count', 'field-count', 'bad-integer', 'decimal-ambiguous', 'mixed-date-styles', 'date-style-ambiguous', 'no-summary', 'bad-currency', 'bad-date', 'settlement-id-mismatch', 'bad-amount', 'total-mismatch'])
      expect([code, seen.has(code)]).toEqual([code, true]);
    for (const kind of ['v1 utf-8', 'v2 utf-8', 'v2 windows-1252', 'v1 windows-1252']) expect([kind, [...seen].some((k) => k.startsWith(kind))]).toEqual([kind, true]);
    expect([...seen].some((k) => / , /.test(k))).toBe(true);
  });

  test('a file that is not UTF-8 only at its end is read as windows-1252 from the start', () => {
    const f = randomFile(3).text.replace(/\n?$/, '\nx\u00e9\n');
    const bytes = cp1252(f)!;
    expect(readSettlementFile({ name: 'late.txt', bytes }).problems[0]).toMatchObject({ code: 'encoding-fallback' });
    expect(parseSettlementFile({ name: 'late.txt', bytes })).toEqual(referenceParseSettlementFile({ name: 'late.txt', bytes }));
  });

  test('lines as columns: ids for grouping name the same texts as the lines', () => {
    const text = v2File([...order('111-1234567-7654321', 'SKU-A', 2500), ...order('112-0000000-0000002', 'SKU-Ä', 1000)]);
    const r = readSettlementFile({ name: 'g.txt', bytes: new TextEncoder().encode(text) });
    const lines = r.settlement!.lines;
    const types = lines.ids('amountDescription');
    const objects = lines.toArray();
    expect(objects.length).toBeGreaterThan(0);
    objects.forEach((l, i) => expect(types.values[types.ids[i]!]).toBe(l.amountDescription));
  });
});
