/**
 * The byte splitter gives exactly the records parseCsv gives, or declines: here on random files long
 * enough that papaparse's guesses (delimiter from the first records, line break from the first
 * megabyte) are taken from a part of the file — cells holding other delimiters, ragged rows, blank
 * lines, quotes early or late, CR line breaks early or late, a BOM. The plain-record reader gives
 * parseCsv's records up to the first record that is not plain, where it stops.
 */
import { parseCsv } from './csv';
import { csvForm, CsvScratch, splitCsvBytes } from './csv-bytes';
import { END, NOT_PLAIN, PlainRecords, RECORD } from './csv-plain';
import { byteHash } from './text-bytes';

function random(seed: number) {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  return { rand, pick };
}

/** `asciiOnly`: no word with a character that is not ASCII, no quoted first cell (files that are mostly plain). */
function randomCsv(seed: number, asciiOnly = false): string {
  const { rand, pick } = random(seed);
  const delim = pick([',', ';', '\t', '|']);
  const eol = pick(['\n', '\n', '\r\n']);
  const width = 1 + Math.floor(rand() * 6);
  const words = ['a', 'b c', '1.5', '1,5', 'x;y', 'p|q', 't\tu', '', ' ', asciiOnly ? 'Zoe' : 'Zoë', '2024-11-01'];
  const lines: string[] = [];
  const n = 5 + Math.floor(rand() * 60);
  for (let i = 0; i < n; i++) {
    const w = rand() < 0.1 ? 1 + Math.floor(rand() * 8) : width;
    const cells = Array.from({ length: w }, () => pick(words).replace(delim, ''));
    if (rand() < (asciiOnly ? 0.002 : 0.03)) cells[0] = `"${cells[0]}"`;
    lines.push(rand() < 0.05 ? '' : cells.join(delim));
  }
  let text = lines.join(eol) + (rand() < 0.5 ? eol : '');
  if (rand() < 0.15) text = text.replace(/\n([^\n]*)$/, '\r\n$1'); // one CR line break near the end
  if (rand() < 0.1) text = '\uFEFF' + text;
  return text;
}

describe('splitCsvBytes', () => {
  test('gives parseCsv’s records on 3,000 random files, or declines — with fresh span arrays or ones reused from file to file', () => {
    let split = 0;
    const scratch = new CsvScratch();
    for (let seed = 1; seed <= 3000; seed++) {
      const text = randomCsv(seed);
      const bytes = new TextEncoder().encode(text);
      const want = parseCsv(text, { name: 'f.csv' });
      const fresh = splitCsvBytes(bytes, 'f.csv');
      // (the reused arrays hold the last file's spans past this one's)
      const reused = splitCsvBytes(bytes, 'f.csv', scratch);
      expect({ seed, reused: !!reused }).toEqual({ seed, reused: !!fresh });
      for (const spans of fresh && reused ? [fresh, reused] : []) {
        const decoder = new TextDecoder();
        const cell = (f: number) => (spans.start[f]! < 0 ? spans.literals[-1 - spans.start[f]!]! : decoder.decode(bytes.subarray(spans.start[f]!, spans.end[f]!)));
        const rows = Array.from({ length: spans.rows }, (_, r) => Array.from({ length: spans.rowStart[r + 1]! - spans.rowStart[r]! }, (_, k) => cell(spans.rowStart[r]! + k)));
        expect({ seed, header: spans.header, rows, problems: spans.problems }).toEqual({
          seed,
          header: want.table.header,
          rows: want.table.rows.map((r) => r.map(String)),
          problems: want.problems,
        });
      }
      if (fresh) split++;
    }
    expect(split).toBeGreaterThan(1500);
  });
});

describe('PlainRecords', () => {
  test('gives parseCsv’s header and records up to the first that is not plain (then stops there), each field hashed as ByteKeys hashes it — 3,000 random files', () => {
    let opened = 0;
    let whole = 0;
    let stopped = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const text = randomCsv(seed, seed % 2 === 0);
      const bytes = new TextEncoder().encode(text);
      const form = csvForm(bytes);
      const records = form && PlainRecords.open(bytes, form);
      if (!records) continue;
      opened++;
      const want = parseCsv(text, { name: 'f.csv' });
      const decoder = new TextDecoder();
      const rows: string[][] = [];
      let got: number;
      while ((got = records.next()) === RECORD) {
        const row: string[] = [];
        for (let f = 0; f < records.count; f++) {
          const [s, e] = [records.start[f]!, records.end[f]!];
          expect({ seed, f, hash: records.hash[f] }).toEqual({ seed, f, hash: byteHash(bytes, s, e) });
          row.push(decoder.decode(bytes.subarray(s, e)));
        }
        rows.push(row);
        expect(records.taken).toBe(rows.length);
      }
      expect({ seed, header: records.header }).toEqual({ seed, header: want.table.header });
      expect({ seed, rows }).toEqual({ seed, rows: want.table.rows.slice(0, rows.length).map((r) => r.map(String)) });
      // it stops only in a file with a quote, a character that is not ASCII or a line break not the file's
      const body = text.replace(/^\uFEFF/, '');
      const plainFile = /^[\x00-\x7f]*$/.test(body) && !body.includes('"') && (form!.crlf ? !/\r(?!\n)|(?<!\r)\n/.test(body) : !body.includes('\r'));
      if (plainFile) expect({ seed, got }).toEqual({ seed, got: END });
      if (got === END) {
        whole++;
        expect({ seed, rows: rows.length }).toEqual({ seed, rows: want.table.rows.length });
      } else {
        expect(got).toBe(NOT_PLAIN);
        stopped++;
        expect(records.next()).toBe(NOT_PLAIN); // it stays stopped
      }
    }
    expect(opened).toBeGreaterThan(2000);
    expect(whole).toBeGreaterThan(500);
    expect(stopped).toBeGreaterThan(500);
  });
});
