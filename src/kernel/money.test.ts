import { centsToNumber, displayAmount, formatAmount, minorUnitDigits, parseAmount, sumCents, writeAmountAscii, MAX_SAFE_CENTS } from './money';

const cents = (v: Parameters<typeof parseAmount>[0], o?: Parameters<typeof parseAmount>[1]) => {
  const r = parseAmount(v, o);
  if (!r.ok) throw new Error(r.reason);
  return r.cents;
};

describe('parseAmount', () => {
  it('parses text exactly', () => {
    expect(cents('1234.56')).toBe(123456);
    expect(cents('-0.94')).toBe(-94);
    expect(cents('1,234.56')).toBe(123456);
    expect(cents('(12.00)')).toBe(-1200);
    expect(cents('USD 7')).toBe(700);
    expect(cents(' 16.07 ')).toBe(1607);
    expect(cents('.5')).toBe(50);
  });
  it('parses comma decimals only where the format says so', () => {
    expect(cents('1234,56', { decimal: ',' })).toBe(123456);
    expect(cents('1.234,56', { decimal: ',' })).toBe(123456);
    expect(parseAmount('1234,56').ok).toBe(false);
  });
  it('reports ambiguous grouping such as 12,34,5', () => {
    const r = parseAmount('12,34,5');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/thousands separators/);
    expect(parseAmount('1.2.3').ok).toBe(false);
    expect(parseAmount('abc').ok).toBe(false);
    expect(parseAmount('').ok).toBe(false);
  });
  it('brings Excel doubles back to what Excel shows before taking cents', () => {
    expect(cents(16.07)).toBe(1607);
    expect(cents(0.1 + 0.2)).toBe(30);
    expect(cents(1.005, { round: true })).toBe(101);
    expect(cents(-2.675, { round: true })).toBe(-268);
    expect(cents(1e6)).toBe(100000000);
    expect(cents(0.000001, { round: true })).toBe(0);
  });
  it('reports more decimals than the currency allows unless asked to round', () => {
    const r = parseAmount('1.234');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/3 decimals; the currency allows 2/);
    expect(parseAmount(1.234).ok).toBe(false);
    expect(cents('1.230')).toBe(123);
    expect(cents('1.234', { round: true })).toBe(123);
  });
  it('names the value itself in every reason, for numbers from Excel as for text', () => {
    expect(parseAmount(1.234)).toEqual({ ok: false, reason: '"1.234" has 3 decimals; the currency allows 2.' });
    expect(parseAmount(' 2.345 ')).toEqual({ ok: false, reason: '" 2.345 " has 3 decimals; the currency allows 2.' });
    expect(parseAmount('99999999999999999999')).toEqual({ ok: false, reason: '"99999999999999999999" is too large to be an amount.' });
  });
  it('follows the currency minor unit', () => {
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(cents('1500', { currency: 'JPY' })).toBe(1500);
    expect(parseAmount('15.5', { currency: 'JPY' }).ok).toBe(false);
    expect(cents('1.234', { currency: 'KWD' })).toBe(1234);
  });
  it('refuses amounts outside the safe range', () => {
    expect(parseAmount('900719925474099.93').ok).toBe(false);
    expect(cents('90071992547409.91')).toBe(9007199254740991);
  });
});

describe('formatting and sums', () => {
  it('formats with the currency decimals', () => {
    expect(formatAmount(123456)).toBe('1234.56');
    expect(formatAmount(-5)).toBe('-0.05');
    expect(formatAmount(0)).toBe('0.00');
    expect(formatAmount(1500, 'JPY')).toBe('1500');
    expect(centsToNumber(-94)).toBe(-0.94);
  });
  it('shows amounts to people grouped in thousands, the digits and sign those of formatAmount', () => {
    expect(displayAmount(123456)).toBe('1,234.56');
    expect(displayAmount(-123456789)).toBe('-1,234,567.89');
    expect(displayAmount(99999)).toBe('999.99');
    expect(displayAmount(-5)).toBe('-0.05');
    expect(displayAmount(0)).toBe('0.00');
    expect(displayAmount(1500000, 'JPY')).toBe('1,500,000');
    expect(displayAmount(-150, 'JPY')).toBe('-150');
    expect(displayAmount(12345678, 'KWD')).toBe('12,345.678');
    expect(displayAmount(MAX_SAFE_CENTS)).toBe('90,071,992,547,409.91');
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 48271) >>> 0) % 2147483647);
    for (let k = 0; k < 5000; k++) {
      const magnitude = 10 ** (next() % 16);
      const c = (next() % 2 ? -1 : 1) * Math.floor((next() / 2147483647) * magnitude);
      for (const currency of ['USD', 'JPY', 'KWD']) {
        const shown = displayAmount(c, currency);
        expect(shown.replace(/,/g, '')).toBe(formatAmount(c, currency));
        // groups of three to the left of the point, the first of one to three
        expect(shown).toMatch(/^-?\d{1,3}(,\d{3})*(\.\d+)?$/);
      }
    }
  });
  it('16.07 − 14.23 − 0.94 leaves exactly 0.90', () => {
    expect(cents('16.07') - cents('14.23') - cents('0.94')).toBe(cents('0.90'));
    expect(16.07 - 14.23 - 0.94).not.toBe(0.9); // why cents exist
  });
  it('sums as integers and refuses to overflow', () => {
    expect(sumCents([1, 2, 3])).toBe(6);
    expect(() => sumCents([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });
});

describe('parseAmount plain-number fast path', () => {
  // The fast path must give exactly what the general path gives, including errors and signs.
  it.each([
    ['-12.34', '.', -1234], ['12.34', '.', 1234], ['0.00', '.', 0], ['-0.00', '.', 0], ['007.50', '.', 750], ['5', '.', 500],
    ['-12,34', ',', -1234], ['1234,5', ',', 123450], ['  -3.10 ', '.', -310],
  ] as const)('%s with %s → %d', (text, decimal, cents) => {
    const r = parseAmount(text, { decimal });
    expect(r).toEqual({ ok: true, cents });
    expect(Object.is((r as { cents: number }).cents, -0)).toBe(false);
  });
  it('still reports extra decimals and reads the other separator as grouping', () => {
    expect(parseAmount('1.234', {})).toEqual({ ok: false, reason: '"1.234" has 3 decimals; the currency allows 2.' });
    expect(parseAmount('12,34', { decimal: '.' }).ok).toBe(false);
    expect(parseAmount('1,234', { decimal: '.' })).toEqual({ ok: true, cents: 123400 });
    expect(parseAmount('12.34', { decimal: ',' }).ok).toBe(false);
  });
});

describe('writeAmountAscii', () => {
  const ascii = (cents: number) => {
    const out = new Uint8Array(32);
    const end = writeAmountAscii(cents, out, 3);
    return String.fromCharCode(...out.subarray(3, end));
  };
  test('writes the bytes of formatAmount for random amounts of every size', () => {
    // a seeded generator, so a failure can be replayed
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const edges = [0, 1, -1, 9, 10, 99, 100, 101, -100, -101, 999, 1000, 123456, -5, 2147483647, -2147483647, 2147483648, -2147483648, 2147483649, MAX_SAFE_CENTS, -MAX_SAFE_CENTS];
    for (const c of edges) expect(ascii(c)).toBe(formatAmount(c));
    const wrong: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const digits = 1 + Math.floor(rand() * 16);
      let c = Math.floor(rand() * 10 ** digits);
      if (c > MAX_SAFE_CENTS) c = MAX_SAFE_CENTS - Math.floor(rand() * 1000);
      if (rand() < 0.5) c = -c;
      if (ascii(c) !== formatAmount(c)) wrong.push(`${c}: ${ascii(c)}`);
    }
    expect(wrong).toEqual([]);
  });
  test('writes at the given position and returns the end', () => {
    const out = new Uint8Array(16).fill(120);
    expect(writeAmountAscii(-1234, out, 2)).toBe(2 + '-12.34'.length);
    expect(String.fromCharCode(...out.subarray(0, 9))).toBe('xx-12.34x');
  });
});
