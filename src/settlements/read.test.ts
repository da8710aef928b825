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
import { decodeWindows1252 } from './decode';
import type { SettlementFileInput } from './parse';
import { referenceParseSettlementFile } from '../../test/fixtures/settlements/reference-parse';
import { V1_HEADER, V2_HEADER, order, v2File } from '../../test/fixtures/settlements/make';

const CP1252 = new Map<string, number>();
for (let b = 0; b < 256; b++) CP1252.set(decodeWindows1252(new Uint8Array([b])), b);
const utf8 = (s: string) => new TextEncoder().encode(s);
const cp1252 = (s: string): Uint8Array | null => {
  const out: number[] = [];
  for (const ch of s) {
    const b = CP1252.get(ch);
    if (b === undefined) return null;
    out.push(b);
  }
  return Uint8Array.from(out);
};

function randomFile(seed: number): { text: string; name: string; v1: boolean } {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const v1 = rand() < 0.3;
  const header = [...(v1 ? V1_HEADER : V2_HEADER)];
  if (rand() < 0.08) header[Math.floor(rand() * header.length)] = pick(['promo-code', 'amount ', 'SKU', 'Settlement_ID', '\uFEFFsku']);
  if (rand() < 0.05) header.splice(Math.floor(rand() * header.length), 1);
  const comma = rand() < 0.3;
  const dateStyle = pick(['iso', 'iso-time', 'dotted', 'slash', 'mixed']);
  const sid = pick(['1000001', '987654321012']);
  const money = (cents: number) => {
    const t = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
    return comma ? t.replace('.', ',') : t;
  };
  const oddAmount = () => pick(['1,234.50', '1.234,50', '1,234', '1.234', '(3.00)', 'abc', '0.005', '-0.00', '12', '+4.5', 'USD 3.00', '1234567890123456', ' 7.25 ', '\u00a08.10', '€ 2,50', '12,3']);
  const date = (iso: string): string => {
    const [y, m, d] = iso.split('-');
    const style = dateStyle === 'mixed' ? pick(['iso', 'iso-time', 'dotted', 'slash']) : dateStyle;
    if (rand() < 0.04) return pick(['soon', '2024-02-30', '31.02.2024', '13/13/2024', '2024-11-05T25:00:00', '2024-11-05t10:00:00Z', '5.11.2024', '']);
    if (style === 'iso') return iso;
    if (style === 'iso-time') return `${iso}${pick(['T13:00:00+00:00', 'T23:30:00-08:00', 'T00:30:00+05:30', ' 08:15:00', 'T00:00:00Z', 'T12:00', 'T01:02:03.5Z', ' 10:00:00 UTC', ' 10:00:00 utc'])}`;
    if (style === 'dotted') return `${d}.${m}.${y}${pick(['', ' 00:00:00 UTC', ' 23:59:59 UTC', ' 10:00'])}`;
    return `${pick([`${m}/${d}/${y}`, `${d}/${m}/${y}`])}${pick(['', ' 10:30:00 PM', ' 11:00:00 PST'])}`;
  };
  const day = () => `2024-11-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
  const words = ['Order', 'Refund', 'other-transaction', 'Café', 'Straße', 'naïve', 'déjà', '€ fee', 'a\u00a0b', 'ok'];
  const rows: string[][] = [];
  let total = 0;
  const at = (name: string) => header.indexOf(name);
  const row = (values: Record<string, string>) => {
    const r = header.map((h) => values[h] ?? '');
    if (rand() < 0.05) r.push(pick(['', '', 'extra', ' ']));
    return r;
  };
  const n = 5 + Math.floor(rand() * 60);
  for (let i = 0; i < n; i++) {
    const cents = Math.floor(rand() * 20000) - 5000;
    const bad = rand() < 0.06;
    const amount = bad ? oddAmount() : money(cents);
    if (!bad) total += cents;
    const common: Record<string, string> = {
      'settlement-id': rand() < 0.04 ? pick(['999', ' 999 ', '']) : rand() < 0.1 ? ` ${sid} ` : sid,
      'transaction-type': pick(words),
      'order-id': rand() < 0.8 ? `11${Math.floor(rand() * 9)}-${1000000 + Math.floor(rand() * 9000000)}-0000001` : '',
      'marketplace-name': pick(['Amazon.com', 'Amazon.de', 'Amazon.fr', '']),
      sku: pick(['SKU-A', 'SKU-Ä', ' SKU-B ', 'SKU\u00a0C', '\u00a0 SKU-D', '']),
      'quantity-purchased': pick(['1', '1', '2', '', ' 3 ', '1.5', 'x', '-1', '007', '1e2']),
      'posted-date': rand() < 0.5 ? date(day()) : '',
      'fulfillment-id': pick(['AFN', 'MFN', '']),
      'promotion-id': rand() < 0.1 ? 'PROMO 1' : '',
    };
    if (!v1) {
      if (at('posted-date-time') >= 0 && !common['posted-date']) common['posted-date-time'] = date(day());
      rows.push(row({ ...common, 'amount-type': pick(['ItemPrice', 'ItemFees', 'Promotion', '']), 'amount-description': pick(['Principal', 'Tax', 'Commission', 'Déjà vu', '']), amount: rand() < 0.05 ? '' : amount }));
    } else {
      const pair = pick([
        ['price-type', 'price-amount'],
        ['item-related-fee-type', 'item-related-fee-amount'],
        ['promotion-type', 'promotion-amount'],
        ['', 'other-amount'],
        ['', 'misc-fee-amount'],
      ] as const);
      const values: Record<string, string> = { ...common, [pair[1]]: amount };
      if (pair[0]) values[pair[0]] = pick(['Principal', 'Commission', '']);
      if (rand() < 0.3) values['other-fee-reason-description'] = pick(['Storage', 'Überweisung', '']);
      if (rand() < 0.3) {
        const more = money(Math.floor(rand() * 1000));
        values['shipment-fee-amount'] = more;
        values['shipment-fee-type'] = 'Shipping';
        total += Number(more.replace(',', '.')) * 100;
      }
      rows.push(row(values));
    }
  }
  total = Math.round(total);
  const summary = header.map(() => '');
  const put = (name: string, v: string) => at(name) >= 0 && (summary[at(name)] = v);
  put('settlement-id', sid);
  put('settlement-start-date', date('2024-11-01'));
  put('settlement-end-date', date('2024-11-15'));
  put('deposit-date', rand() < 0.05 ? 'never' : date('2024-11-17'));
  put('total-amount', rand() < 0.1 ? money(total + 1) : rand() < 0.03 ? 'n/a' : money(total));
  put('currency', pick(['USD', 'EUR', 'eur', 'JPY', 'XX', '']));
  if (rand() < 0.2) summary.push(pick(['', 'x']));
  if (rand() < 0.15 && at('amount') >= 0) summary[at('amount')] = money(0);
  if (rand() > 0.05) rows.splice(rand() < 0.7 ? 0 : Math.floor(rand() * rows.length), 0, summary);
  const eol = pick(['\n', '\r\n']);
  const lines = [header, ...rows].map((r) => r.join('\t'));
  for (let k = 0; k < 3; k++) if (rand() < 0.3) lines.splice(1 + Math.floor(rand() * lines.length), 0, pick(['', '   ', '\t\t', '\u00a0', ' \r']));
  let text = lines.map((l) => (rand() < 0.05 ? l + '  ' : l)).join(eol) + (rand() < 0.8 ? eol : '');
  if (rand() < 0.1) text = '\uFEFF' + text;
  return { text, name: `s${seed}.txt`, v1 };
}

/** The same file as a comma-separated copy (as Excel saves it: quotes where needed). */
function asCsv(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.split('\t').map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))
    .join('\r\n');
}

function inputsOf(f: { text: string; name: string }, seed: number): SettlementFileInput[] {
  const inputs: SettlementFileInput[] = [{ name: f.name, text: f.text }, { name: f.name, bytes: utf8(f.text) }];
  const w = cp1252(f.text);
  if (w) inputs.push({ name: f.name, bytes: w });
  if (seed % 5 === 0) inputs.push({ name: f.name, bytes: utf8(asCsv(f.text)) });
  if (seed % 7 === 0) {
    const [h, ...rows] = f.text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.split('\t'));
    inputs.push({ name: f.name, table: { header: h!, rows, firstRowNumber: 2 } });
  }
  return inputs;
}

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
