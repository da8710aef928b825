/** compareText orders texts exactly as the default collator (localeCompare) does, on random texts. */
import { compareText } from './invoices';

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
